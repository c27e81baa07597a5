// The HTTP layer in front of GraphQL: how bodies are read and limited, which workspace answers, what
// malformed requests get — through a real server and real PostgreSQL, like any client sees it.
import { request } from 'node:http';
import { MAX_BODY_BYTES } from '@touchpoint/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...h.credentials, ...headers },
    body,
    duplex: 'half',
  } as RequestInit);

describe('HTTP', () => {
  it('answers a POST whose body arrives in many chunks', async () => {
    const text = JSON.stringify({ query: '{ accounts(first: 1) { totalCount } }' });
    const encoder = new TextEncoder();
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < text.length; i += 7) controller.enqueue(encoder.encode(text.slice(i, i + 7)));
        controller.close();
      },
    });
    const response = await post(chunked);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { accounts: { totalCount: 0 } } });
  });

  it('refuses a body over the limit, announced by content-length or not, with LIMIT_EXCEEDED', async () => {
    // fetch sets content-length itself; node:http lets a client announce a length it never sends.
    const announced = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${h.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"query":');
    });
    expect(announced.status).toBe(413);
    expect(JSON.parse(announced.body).errors[0].extensions.code).toBe('LIMIT_EXCEEDED');

    // Chunked: no length up front, so the limit applies while reading. The client keeps sending until the
    // answer comes; the server answers without reading the rest.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${h.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      const chunk = Buffer.alloc(1024 * 1024, 32);
      let answered = false;
      let sent = 0;
      req.on('response', (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (part: string) => {
          body += part;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      // Writes after the server stopped reading may fail; only the answer matters.
      req.on('error', (error) => (answered ? undefined : reject(error)));
      const more = () => {
        while (!answered && sent <= MAX_BODY_BYTES + chunk.length) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', more);
        }
        if (!answered) req.end();
      };
      more();
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
    // The server is fine afterwards.
    expect((await h.gql('{ accounts(first: 1) { totalCount } }')).errors).toBeUndefined();
  });

  it('drops a request whose client goes away in the middle of the body, and serves the next ones', async () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await new Promise<void>((resolve) => {
        const req = request(`${h.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': '1000' },
        });
        req.on('error', () => resolve());
        req.write('{"query": "{ accounts { totalCount } }"', () => setTimeout(() => req.destroy(), 50));
        req.on('close', () => resolve());
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await h.gql('{ accounts(first: 1) { totalCount } }')).errors).toBeUndefined();
      expect(errors).toEqual([]);
    } finally {
      console.error = original;
    }
  });

  it('answers malformed JSON with 400 and a message, and GET queries too', async () => {
    const malformed = await post('{"query": ');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).errors[0].message).toMatch(/JSON/);
    // A body of 1 MB or more is parsed on a worker thread: a broken one gets the same answer, and a good one
    // runs like any other (its variables intact).
    const large = await post(
      `{"query": "{ accounts { totalCount } }", "variables": {"pad": "${'x'.repeat(1_200_000)}"`,
    );
    expect(large.status).toBe(400);
    expect((await large.json()).errors[0].message).toMatch(/JSON/);
    const padded = await post(
      JSON.stringify({
        query: 'query($pad: String!) { accounts(filter: { name: { eq: $pad } }) { totalCount } }',
        variables: { pad: 'y'.repeat(1_200_000) },
      }),
    );
    expect(await padded.json()).toMatchObject({ errors: [{ extensions: { code: 'VALIDATION_FAILED' } }] });

    const query = encodeURIComponent('{ accounts(first: 1) { totalCount } }');
    const viaGet = await fetch(`${h.url}/graphql?query=${query}`, {
      headers: { accept: 'application/json', ...h.credentials },
    });
    expect(viaGet.status).toBe(200);
    expect(await viaGet.json()).toEqual({ data: { accounts: { totalCount: 0 } } });
  });

  it('answers a workspace the user is no member of (here: none exists) with 403 FORBIDDEN, by header or by query parameter', async () => {
    const byHeader = await post(JSON.stringify({ query: '{ entities { name } }' }), {
      'x-touchpoint-workspace': 'nowhere',
    });
    expect(byHeader.status).toBe(403);
    expect((await byHeader.json()).errors[0].extensions.code).toBe('FORBIDDEN');

    const byParameter = await fetch(`${h.url}/graphql?workspace=nowhere`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.credentials },
      body: JSON.stringify({ query: '{ entities { name } }' }),
    });
    expect(byParameter.status).toBe(403);
  });

  it('reports SQL statements only when the debug header asks', async () => {
    const query = '{ accounts(first: 5) { nodes { id contacts(first: 2) { id } } } }';
    expect((await h.gql(query)).extensions).toBeUndefined();
    expect((await h.gql(query, {}, { debug: true })).extensions?.sqlStatements).toBe(1);
  });
});
