// Requests per client (issue 11 §3): a client that sends more than its share is answered 429 with Retry-After
// and RATE_LIMITED before anything runs, other clients are not affected, and the bucket refills with time.
// Time is the engine's clock, moved by the test: no sleeping.
import { createApiHandler } from '@touchpoint/api';
import type { Clock } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Harness, startHarness } from './harness.ts';

let at = Date.parse('2027-03-01T09:00:00Z');
const clock: Clock = {
  now: () => new Date(at),
  get sql() {
    return `'${new Date(at).toISOString()}'::timestamptz`;
  },
};

let h: Harness;
let rep: Client;
let other: Client;
beforeAll(async () => {
  h = await startHarness({ clock, api: { rateLimit: { burst: 5, perSecond: 0.5 } } });
  rep = await h.addUser({ email: 'rep@rate.test', name: 'Rep', role: 'salesRep' });
  other = await h.addUser({ email: 'other@rate.test', name: 'Other', role: 'salesRep' });
});
afterAll(async () => {
  await h?.close();
});

// The harness's clients all come from 127.0.0.1; from this machine the API counts the address that
// X-Forwarded-For names last (the web app's server rendering, or a proxy beside it, writes it). Without a
// client the request carries no credentials: it counts against its address (and is answered 401).
function send(
  address: string,
  query = 'mutation { createAccount(input: { name: "Flood" }) { id } }',
  credentials: Record<string, string> = {},
) {
  return fetch(`${h.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address, ...credentials },
    body: JSON.stringify({ query }),
  });
}

async function accountsNamed(name: string): Promise<number> {
  const data = await h.ok<{ accounts: { totalCount: number } }>(
    `query($name: String!) { accounts(filter: { name: { eq: $name } }) { totalCount } }`,
    { name },
  );
  return data.accounts.totalCount;
}

describe('rate limit per address (requests without credentials)', () => {
  it('answers the sixth request of a burst of 5 with 429, Retry-After and RATE_LIMITED', async () => {
    for (let i = 0; i < 5; i++) expect((await send('203.0.113.7')).status).toBe(401);
    const refused = await send('203.0.113.7');
    expect(refused.status).toBe(429);
    // One request refills in 2 s at 0.5 per second.
    expect(refused.headers.get('retry-after')).toBe('2');
    const body = (await refused.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', issues: [{ path: 'request' }] });
    expect(body.errors[0]!.message).toMatch(/at most 5 at once and 0.5 per second.*Try again in 2 s/);
  });

  it('counts each address on its own: another client is not throttled', async () => {
    expect((await send('198.51.100.20')).status).toBe(401);
    expect((await send('203.0.113.7')).status).toBe(429);
  });

  it('a forwarded header from a proxy chain counts the address its last hop wrote, not what the client claims', async () => {
    // The client claims 192.0.2.1; the proxy beside us appended the real peer, 203.0.113.7 (throttled).
    expect((await send('192.0.2.1, 203.0.113.7')).status).toBe(429);
  });

  it('refills with time: after Retry-After one request passes, and after a long pause a whole burst', async () => {
    at += 1_000;
    expect((await send('203.0.113.7')).status).toBe(429);
    at += 1_000;
    expect((await send('203.0.113.7')).status).toBe(401);
    expect((await send('203.0.113.7')).status).toBe(429);
    at += 60_000;
    for (let i = 0; i < 5; i++) expect((await send('203.0.113.7')).status).toBe(401);
    expect((await send('203.0.113.7')).status).toBe(429);
  });

  it('a clock put back refills nothing', async () => {
    at -= 3_600_000;
    expect((await send('203.0.113.7')).status).toBe(429);
    at += 3_600_000;
  });

  it('a hostile client cannot escape by odd requests: bad documents, bad media types and GETs count too', async () => {
    const address = '203.0.113.99';
    for (let i = 0; i < 3; i++) expect((await send(address, '{ nope }')).status).toBe(401);
    for (let i = 0; i < 2; i++) {
      const form = await fetch(`${h.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-forwarded-for': address },
        body: 'x',
      });
      expect(form.status).toBe(415);
    }
    expect((await send(address, '{ accounts { totalCount } }')).status).toBe(429);
    const get = await fetch(`${h.url}/graphql?query=${encodeURIComponent('{ accounts { totalCount } }')}`, {
      headers: { accept: 'application/json', 'x-forwarded-for': address },
    });
    expect(get.status).toBe(429);
  });

  it('a forged cookie or token buys nothing: refused requests count against the address, so do failed credentials', async () => {
    const address = '203.0.113.150';
    for (let i = 0; i < 3; i++) {
      const form = await fetch(`${h.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-forwarded-for': address, cookie: 'tp_session=forged' },
        body: 'x',
      });
      expect(form.status).toBe(415);
    }
    expect((await send(address, '{ accounts { totalCount } }', { authorization: 'Bearer forged' })).status).toBe(401);
    expect((await send(address, '{ accounts { totalCount } }', { cookie: 'tp_session=forged' })).status).toBe(401);
    expect((await send(address)).status).toBe(429);
  });

  it('counts an IPv6 client by its /64 network: a new address in the same block does not get a new bucket', async () => {
    for (let i = 1; i <= 5; i++) expect((await send(`2001:db8:1:2::${i}`)).status).toBe(401);
    expect((await send('2001:db8:1:2:ffff:ffff:ffff:ffff')).status).toBe(429);
    expect((await send('2001:0db8:0001:0002:0000:0000:0000:0abc')).status).toBe(429);
    expect((await send('2001:db8:1:3::1')).status).toBe(401);
    // IPv4 written as IPv6 is the IPv4 address.
    for (let i = 0; i < 5; i++) expect((await send('::ffff:198.51.100.77')).status).toBe(401);
    expect((await send('198.51.100.77')).status).toBe(429);
  });

  it('leaves /healthz alone', async () => {
    expect((await fetch(`${h.url}/healthz`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(200);
  });
});

describe('rate limit per user and per token (signed-in requests)', () => {
  it('a person is one client from every address; their API token is another; other people are not affected', async () => {
    const write = (name: string) => `mutation { createAccount(input: { name: "${name}" }) { id } }`;
    const { createApiToken } = await rep.ok<{ createApiToken: { token: string } }>(
      'mutation { createApiToken(name: "sync", expiresInDays: 7) { token } }',
    );
    const bearer = { authorization: `Bearer ${createApiToken.token}` };
    // The session used one of its five for the token: four more, each from another address, then refused.
    for (let i = 1; i <= 4; i++)
      expect((await send(`192.0.2.${i}`, write('By rep'), rep.credentials)).status).toBe(200);
    const refused = await send('192.0.2.200', write('By rep'), rep.credentials);
    expect(refused.status).toBe(429);
    expect(await accountsNamed('By rep')).toBe(4);
    // The token has its own bucket, and so has another person at an address the rep used.
    for (let i = 0; i < 5; i++) expect((await send('192.0.2.1', write('By token'), bearer)).status).toBe(200);
    expect((await send('192.0.2.1', write('By token'), bearer)).status).toBe(429);
    expect((await send('192.0.2.1', write('By other'), other.credentials)).status).toBe(200);
    expect(await accountsNamed('By token')).toBe(5);
    expect(await accountsNamed('By other')).toBe(1);
  });
});

describe('TOUCHPOINT_RATE_LIMIT', () => {
  it('sets the limit when the options give none', async () => {
    process.env.TOUCHPOINT_RATE_LIMIT = '2/1';
    const fromEnv = await startHarness({ clock });
    delete process.env.TOUCHPOINT_RATE_LIMIT;
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${fromEnv.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.50', ...fromEnv.credentials },
          body: JSON.stringify({ query: '{ accounts { totalCount } }' }),
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await fromEnv.close();
    }
  });

  it('a value that is not a limit stops the server from starting, saying what is allowed', () => {
    for (const value of ['lots', '0/10', '10/0', '-1/5', '10']) {
      process.env.TOUCHPOINT_RATE_LIMIT = value;
      try {
        expect(() => createApiHandler({ engine: h.engine }), value).toThrow(
          expect.objectContaining({
            code: 'VALIDATION_FAILED',
            issues: [expect.objectContaining({ path: 'TOUCHPOINT_RATE_LIMIT' })],
          }),
        );
      } finally {
        delete process.env.TOUCHPOINT_RATE_LIMIT;
      }
    }
    process.env.TOUCHPOINT_RATE_LIMIT = 'off';
    expect(() => createApiHandler({ engine: h.engine })).not.toThrow();
    delete process.env.TOUCHPOINT_RATE_LIMIT;
  });
});
