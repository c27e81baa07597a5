// Requests per client (issue 11 §3): a client that sends more than its share is answered 429 with Retry-After
// and RATE_LIMITED before anything runs, other clients are not affected, and the bucket refills with time.
// Time is the engine's clock, moved by the test: no sleeping.
import { createApiHandler } from '@touchpoint/api';
import type { Clock } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let at = Date.parse('2027-03-01T09:00:00Z');
const clock: Clock = {
  now: () => new Date(at),
  get sql() {
    return `'${new Date(at).toISOString()}'::timestamptz`;
  },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clock, api: { rateLimit: { burst: 5, perSecond: 0.5 } } });
});
afterAll(async () => {
  await h?.close();
});

// The harness's clients all come from 127.0.0.1; from this machine the API counts the address that
// X-Forwarded-For names last (the web app's server rendering, or a proxy beside it, writes it).
function send(address: string, query = 'mutation { createAccount(input: { name: "Flood" }) { id } }') {
  return fetch(`${h.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ query }),
  });
}

async function floods(): Promise<number> {
  const data = await h.ok<{ accounts: { totalCount: number } }>(
    '{ accounts(filter: { name: { eq: "Flood" } }) { totalCount } }',
  );
  return data.accounts.totalCount;
}

describe('rate limit per address', () => {
  it('answers the sixth request of a burst of 5 with 429, Retry-After and RATE_LIMITED, and runs none of it', async () => {
    for (let i = 0; i < 5; i++) expect((await send('203.0.113.7')).status).toBe(200);
    const refused = await send('203.0.113.7');
    expect(refused.status).toBe(429);
    // One request refills in 2 s at 0.5 per second.
    expect(refused.headers.get('retry-after')).toBe('2');
    const body = (await refused.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', issues: [{ path: 'request' }] });
    expect(body.errors[0]!.message).toMatch(/at most 5 at once and 0.5 per second.*Try again in 2 s/);
    expect(await floods()).toBe(5);
  });

  it('counts each address on its own: another client is not throttled', async () => {
    expect((await send('198.51.100.20')).status).toBe(200);
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
    expect((await send('203.0.113.7')).status).toBe(200);
    expect((await send('203.0.113.7')).status).toBe(429);
    at += 60_000;
    for (let i = 0; i < 5; i++) expect((await send('203.0.113.7')).status).toBe(200);
    expect((await send('203.0.113.7')).status).toBe(429);
  });

  it('a clock put back refills nothing', async () => {
    at -= 3_600_000;
    expect((await send('203.0.113.7')).status).toBe(429);
    at += 3_600_000;
  });

  it('a hostile client cannot escape by odd requests: refused reads, bad media types and GETs count too', async () => {
    const address = '203.0.113.99';
    for (let i = 0; i < 3; i++) {
      const invalid = (await (await send(address, '{ nope }')).json()) as {
        errors: { extensions: { code: string } }[];
      };
      expect(invalid.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
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

  it('counts an IPv6 client by its /64 network: a new address in the same block does not get a new bucket', async () => {
    for (let i = 1; i <= 5; i++) expect((await send(`2001:db8:1:2::${i}`)).status).toBe(200);
    expect((await send('2001:db8:1:2:ffff:ffff:ffff:ffff')).status).toBe(429);
    expect((await send('2001:0db8:0001:0002:0000:0000:0000:0abc')).status).toBe(429);
    expect((await send('2001:db8:1:3::1')).status).toBe(200);
    // IPv4 written as IPv6 is the IPv4 address.
    for (let i = 0; i < 5; i++) expect((await send('::ffff:198.51.100.77')).status).toBe(200);
    expect((await send('198.51.100.77')).status).toBe(429);
  });

  it('leaves /healthz alone', async () => {
    expect((await fetch(`${h.url}/healthz`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(200);
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
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.50' },
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
