// What another web site can make a visitor's browser do to the API (issue 11 §3). A page can send a form
// (urlencoded, multipart, text/plain) or a GET anywhere without asking, with the visitor's cookies: such
// requests must never run a mutation. A page can read an answer only when the API says so in CORS headers:
// it says so to its own origin and to the operator's allow-list, never to anyone else, and never with
// credentials to a wildcard. Each refusal changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

const ALLOWED = 'https://partner.example.com';
const FOREIGN = 'https://evil.example';
const CREATE = 'mutation { createAccount(input: { name: "Forged" }) { id } }';

let h: Harness;
let wildcard: Harness;
beforeAll(async () => {
  h = await startHarness({ api: { corsOrigins: [ALLOWED] } });
  wildcard = await startHarness({ api: { corsOrigins: ['*'] } });
});
afterAll(async () => {
  await h?.close();
  await wildcard?.close();
});

async function forged(): Promise<number> {
  const data = await h.ok<{ accounts: { totalCount: number } }>(
    '{ accounts(filter: { name: { eq: "Forged" } }) { totalCount } }',
  );
  return data.accounts.totalCount;
}

function post(body: BodyInit | undefined, headers: Record<string, string>, harness = h) {
  // Signed in, as a visitor's browser would be: what a forged request could ride on.
  return fetch(`${harness.url}/graphql`, { method: 'POST', headers: { ...harness.credentials, ...headers }, body });
}

describe('CSRF: only application/json POSTs run', () => {
  const multipart = new FormData();
  multipart.set('operations', JSON.stringify({ query: CREATE }));
  multipart.set('map', '{}');
  const cases: [string, () => Promise<Response>][] = [
    [
      'a form (application/x-www-form-urlencoded)',
      () =>
        post(new URLSearchParams({ query: CREATE }).toString(), {
          'content-type': 'application/x-www-form-urlencoded',
        }),
    ],
    ['a multipart form (multipart/form-data)', () => post(multipart, {})],
    ['text/plain carrying JSON', () => post(JSON.stringify({ query: CREATE }), { 'content-type': 'text/plain' })],
    ['no content type', () => post(new Blob([JSON.stringify({ query: CREATE })]), {})],
    ['application/graphql (a document as the body)', () => post(CREATE, { 'content-type': 'application/graphql' })],
    [
      'a look-alike media type (application/json-patch+json)',
      () => post(JSON.stringify({ query: CREATE }), { 'content-type': 'application/json-patch+json' }),
    ],
    [
      'two media types in one header',
      () => post(JSON.stringify({ query: CREATE }), { 'content-type': 'text/plain, application/json' }),
    ],
  ];
  it.each(cases)('refuses %s with 415 before parsing, and writes nothing', async (_, send) => {
    const response = await send();
    expect(response.status).toBe(415);
    expect(response.headers.get('accept')).toBe('application/json');
    const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      issues: [{ path: 'content-type' }],
    });
    expect(body.errors[0]!.message).toMatch(/must be application\/json/);
    expect(await forged()).toBe(0);
  });

  it('accepts application/json in any casing and with parameters', async () => {
    for (const type of ['Application/JSON; charset=UTF-8', 'application/json;charset=utf-8', 'APPLICATION/JSON']) {
      const response = await post(JSON.stringify({ query: '{ accounts { totalCount } }' }), { 'content-type': type });
      expect(response.status, type).toBe(200);
      expect(((await response.json()) as { data: unknown }).data).toEqual({ accounts: { totalCount: 0 } });
    }
  });

  it('answers application/graphql-response+json when the client accepts it', async () => {
    const response = await post(JSON.stringify({ query: '{ accounts { totalCount } }' }), {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
  });

  it('never runs a mutation over GET (405), and refuses other methods', async () => {
    const get = await fetch(`${h.url}/graphql?query=${encodeURIComponent(CREATE)}`, {
      headers: { accept: 'application/json', ...h.credentials },
    });
    expect(get.status).toBe(405);
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${h.url}/graphql`, {
        method,
        headers: { 'content-type': 'application/json', ...h.credentials },
        body: JSON.stringify({ query: CREATE }),
      });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS');
      expect(
        ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      ).toBe('METHOD_NOT_ALLOWED');
    }
    expect(await forged()).toBe(0);
  });

  it('answers a query in the URL of a GET (reads have no effect)', async () => {
    const response = await fetch(`${h.url}/graphql?query=${encodeURIComponent('{ accounts { totalCount } }')}`, {
      headers: { accept: 'application/json', ...h.credentials },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown }).data).toEqual({ accounts: { totalCount: 0 } });
  });
});

describe('CORS: same-origin by default, other origins from the allow-list', () => {
  const json = { 'content-type': 'application/json' };
  const query = JSON.stringify({ query: '{ accounts { totalCount } }' });

  it('answers its own web app (Origin of the same host) without CORS headers, on the short lane too', async () => {
    const host = new URL(h.url).host;
    // A list of ids is answered by the short lane once yoga has run the same text (see passthrough.ts).
    const list = JSON.stringify({ query: '{ accounts(first: 5) { nodes { id name } } }' });
    for (let i = 0; i < 2; i++) {
      const response = await post(list, { ...json, origin: `http://${host}` });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(((await response.json()) as { data: unknown }).data).toEqual({ accounts: { nodes: [] } });
    }
  });

  it('refuses a foreign origin (403, no CORS headers) and its mutation writes nothing', async () => {
    for (const body of [query, JSON.stringify({ query: CREATE })]) {
      const response = await post(body, { ...json, origin: FOREIGN });
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      const error = ((await response.json()) as { errors: { extensions: Record<string, unknown> }[] }).errors[0]!;
      expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', issues: [{ path: 'origin' }] });
    }
    expect(await forged()).toBe(0);
  });

  it('refuses the `null` origin (sandboxed frames, file: pages) and a look-alike of an allowed one', async () => {
    for (const origin of [
      'null',
      `${ALLOWED}.evil.example`,
      'https://partner.example.com:8443',
      'HTTPS://PARTNER.EXAMPLE.COM',
    ]) {
      const response = await post(query, { ...json, origin });
      expect(response.status, origin).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('refuses a preflight from a foreign origin (no CORS headers) and answers an allowed one', async () => {
    const preflight = (origin: string, harness = h) =>
      fetch(`${harness.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const foreign = await preflight(FOREIGN);
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('access-control-allow-methods')).toBeNull();

    const allowed = await preflight(ALLOWED);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('content-type');
    expect(allowed.headers.get('vary')).toBe('Origin');
  });

  it('lets an allowed origin read, with credentials, named exactly', async () => {
    const response = await post(query, { ...json, origin: ALLOWED });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('vary')).toBe('Origin');
    expect(((await response.json()) as { data: unknown }).data).toEqual({ accounts: { totalCount: 0 } });
  });

  it('a wildcard lets any origin read, but never with credentials', async () => {
    for (const origin of [FOREIGN, 'null']) {
      const response = await post(query, { ...json, origin }, wildcard);
      expect(response.status, origin).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('takes the allow-list from TOUCHPOINT_CORS_ORIGINS when the options give none', async () => {
    process.env.TOUCHPOINT_CORS_ORIGINS = ' https://a.example , https://b.example/ ';
    const fromEnv = await startHarness();
    delete process.env.TOUCHPOINT_CORS_ORIGINS;
    try {
      for (const [origin, status] of [
        ['https://a.example', 200],
        ['https://b.example', 200],
        [FOREIGN, 403],
      ] as const) {
        const response = await post(query, { ...json, origin }, fromEnv);
        expect(response.status, origin).toBe(status);
      }
    } finally {
      await fromEnv.close();
    }
  });
});

describe('security headers', () => {
  it('every answer of the API says: no rendering, framing or sniffing, no referrer', async () => {
    const answers = [
      await post(JSON.stringify({ query: '{ accounts { totalCount } }' }), { 'content-type': 'application/json' }),
      await post('x', { 'content-type': 'text/plain' }),
      await fetch(`${h.url}/healthz`),
      await fetch(`${h.url}/nothing-here`),
    ];
    for (const response of answers) {
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });
});
