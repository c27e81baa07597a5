// Signing in, sessions and API tokens, over real HTTP against real PostgreSQL. Expiry is tested by moving
// the engine's clock, never by waiting.
import type { Clock } from '@touchpoint/engine';
import { FREE_FAILURES, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type GraphQLResponse, type Harness, startHarness, TEST_PASSWORD } from './harness.ts';

/** Real time plus an offset the tests move forward. */
let offset = 0;
const clock: Clock = {
  now: () => new Date(Date.now() + offset),
  get sql() {
    return `(now() + interval '${offset} milliseconds')`;
  },
};
const HOUR = 3_600_000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clock });
});
afterAll(async () => {
  await h?.close();
});

const SIGN_IN =
  'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { id name email role workspace } }';
const VIEWER = '{ viewer { id name email role isAdmin workspace workspaces } }';

const codeOf = (result: GraphQLResponse) => result.errors?.[0]?.extensions?.code;

async function attempt(email: string, password: string) {
  const started = performance.now();
  const response = await h.anonymous.post(SIGN_IN, { e: email, p: password });
  const body = (await response.json()) as GraphQLResponse<{ signIn: { id: string } }>;
  return { response, body, ms: performance.now() - started };
}

describe('sign-in', () => {
  it('signs in with email and password: an HttpOnly, SameSite=Lax session cookie and the signed-in user', async () => {
    const rep = await h.addUser({ email: 'Rep.One@example.test', name: 'Rep One', role: 'salesRep' });
    const { response, body } = await attempt('rep.one@EXAMPLE.test', TEST_PASSWORD);
    expect(body.errors).toBeUndefined();
    expect(body.data?.signIn).toMatchObject({ id: rep.userId, name: 'Rep One', email: 'rep.one@example.test' });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('tp_session='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    const viewer = await rep.ok(VIEWER);
    expect(viewer).toEqual({
      viewer: {
        id: rep.userId,
        name: 'Rep One',
        email: 'rep.one@example.test',
        role: 'salesRep',
        isAdmin: false,
        workspace: 'default',
        workspaces: ['default'],
      },
    });
  });

  it('marks the cookie Secure when the request came over HTTPS (through a proxy saying so)', async () => {
    const response = await h.anonymous.post(
      SIGN_IN,
      { e: 'admin@example.test', p: TEST_PASSWORD },
      { headers: { 'x-forwarded-proto': 'https' } },
    );
    expect(response.headers.getSetCookie().find((c) => c.startsWith('tp_session='))).toMatch(/; Secure/);
  });

  it('refuses a wrong password and an unknown email alike: same status, code and message, similar time', async () => {
    await h.addUser({ email: 'same@example.test', name: 'Same', role: 'salesRep' });
    const wrong = [];
    const unknown = [];
    for (let i = 0; i < 3; i++) {
      wrong.push(await attempt('same@example.test', 'not the password'));
      unknown.push(await attempt(`nobody${i}@example.test`, 'not the password'));
    }
    for (const a of [...wrong, ...unknown]) {
      expect(a.body.errors?.[0]).toMatchObject({
        message: 'The email or password is not right.',
        extensions: { code: 'UNAUTHENTICATED' },
      });
      expect(a.response.status).toBe(401);
      expect(a.response.headers.getSetCookie()).toEqual([]);
    }
    // Both paths verify an argon2id hash (an unknown email against a decoy), so neither is the quick one.
    const median = (xs: { ms: number }[]) => xs.map((x) => x.ms).sort((a, b) => a - b)[1]!;
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(2.5);
  });

  it('slows down repeated failures per account with a retry-after, even for the right password, then lets it in', async () => {
    await h.addUser({ email: 'guessed@example.test', name: 'Guessed', role: 'salesRep' });
    for (let i = 0; i < FREE_FAILURES.account - 1; i++) {
      expect(codeOf((await attempt('guessed@example.test', `guess ${i}`)).body)).toBe('UNAUTHENTICATED');
    }
    // The failure that uses up the free ones already says when to try again.
    const last = await attempt('guessed@example.test', 'guess 5');
    expect(codeOf(last.body)).toBe('UNAUTHENTICATED');
    expect(Number(last.response.headers.get('retry-after'))).toBe(30);
    const locked = await attempt('guessed@example.test', TEST_PASSWORD);
    expect(codeOf(locked.body)).toBe('LIMIT_EXCEEDED');
    expect(locked.body.errors?.[0]?.message).toMatch(/Too many failed sign-ins\. Try again in \d+ seconds\./);
    expect(Number(locked.response.headers.get('retry-after'))).toBeGreaterThan(0);
    // An unknown email is throttled the same way: the lock says nothing about whether the account exists.
    for (let i = 0; i < FREE_FAILURES.account; i++) await attempt('ghost@example.test', `guess ${i}`);
    const ghost = await attempt('ghost@example.test', 'guess');
    expect(ghost.body.errors?.[0]?.message).toBe(locked.body.errors?.[0]?.message.replace(/\d+/, '30'));
    offset += 31_000;
    expect((await attempt('guessed@example.test', TEST_PASSWORD)).body.errors).toBeUndefined();
  });
});

describe('sessions', () => {
  it('ends a session after 12 hours without a request, and keeps a used one until its absolute expiry', async () => {
    await h.addUser({ email: 'idle@example.test', name: 'Idle', role: 'salesRep' });
    const idle = await h.signIn('idle@example.test');
    const busy = await h.signIn('idle@example.test');
    offset += SESSION_IDLE_MS / 2;
    expect((await busy.gql(VIEWER)).errors).toBeUndefined();
    offset += SESSION_IDLE_MS / 2 - 60_000;
    expect((await busy.gql(VIEWER)).errors).toBeUndefined();
    // Unused for a minute short of the idle limit: still open.
    expect((await idle.gql(VIEWER)).errors).toBeUndefined();
    offset += SESSION_IDLE_MS + 1000;
    const expired = await idle.post(VIEWER);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as GraphQLResponse).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // `busy` was used 12 hours ago too: gone as well. A session used every 6 hours lives to its absolute end.
    expect((await busy.post(VIEWER)).status).toBe(401);
    const steady = await h.signIn('idle@example.test');
    const from = offset;
    while (offset + 6 * HOUR < from + SESSION_ABSOLUTE_MS - 60_000) {
      offset += 6 * HOUR;
      expect((await steady.gql(VIEWER)).errors).toBeUndefined();
    }
    offset = from + SESSION_ABSOLUTE_MS + 1000;
    expect(codeOf(await steady.gql(VIEWER))).toBe('UNAUTHENTICATED');
  });

  it('lists your sessions, revokes one, signs out (clearing the cookie) and signs out everywhere', async () => {
    await h.addUser({ email: 'many@example.test', name: 'Many', role: 'salesRep' });
    const a = await h.signIn('many@example.test');
    const b = await h.signIn('many@example.test');
    const c = await h.signIn('many@example.test');
    const d = await h.signIn('many@example.test');
    const { mySessions } = await a.ok<{ mySessions: { id: string; current: boolean }[] }>(
      '{ mySessions { id current lastSeenAt expiresAt userAgent address } }',
    );
    expect(mySessions.length).toBeGreaterThanOrEqual(5);
    const current = mySessions.filter((s) => s.current);
    expect(current).toHaveLength(1);
    const ofB = (await b.ok<{ mySessions: { id: string; current: boolean }[] }>('{ mySessions { id current } }'))
      .mySessions;
    const bId = ofB.find((s) => s.current)!.id;
    await a.ok('mutation($id: ID!) { revokeSession(id: $id) }', { id: bId });
    expect((await b.post(VIEWER)).status).toBe(401);
    // Another person's session cannot be revoked by id.
    const other = await h.addUser({ email: 'other@example.test', name: 'Other', role: 'salesRep' });
    expect(codeOf(await other.gql('mutation($id: ID!) { revokeSession(id: $id) }', { id: current[0]!.id }))).toBe(
      'NOT_FOUND',
    );
    expect((await a.gql(VIEWER)).errors).toBeUndefined();

    const out = await c.post('mutation { signOut }');
    expect(out.headers.getSetCookie()[0]).toMatch(/^tp_session=; .*Max-Age=0/);
    expect((await c.post(VIEWER)).status).toBe(401);
    expect((await a.gql(VIEWER)).errors).toBeUndefined();

    const everywhere = await d.ok<{ signOutEverywhere: number }>('mutation { signOutEverywhere }');
    expect(everywhere.signOutEverywhere).toBeGreaterThanOrEqual(3);
    for (const gone of [a, d]) expect((await gone.post(VIEWER)).status).toBe(401);
    expect((await other.gql(VIEWER)).errors).toBeUndefined();
  });

  it('changes the password only with the current one, ending the other sessions', async () => {
    await h.addUser({ email: 'pw@example.test', name: 'Pw', role: 'salesRep' });
    const here = await h.signIn('pw@example.test');
    const elsewhere = await h.signIn('pw@example.test');
    const change = 'mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) }';
    const wrong = await here.gql(change, { c: 'not it', n: 'a new password' });
    expect(wrong.errors?.[0]).toMatchObject({
      extensions: { code: 'VALIDATION_FAILED', issues: [{ path: 'current' }] },
    });
    const short = await here.gql(change, { c: TEST_PASSWORD, n: 'short' });
    expect(short.errors?.[0]).toMatchObject({ extensions: { code: 'VALIDATION_FAILED', issues: [{ path: 'new' }] } });
    await here.ok(change, { c: TEST_PASSWORD, n: 'a new password' });
    expect((await here.gql(VIEWER)).errors).toBeUndefined();
    expect((await elsewhere.post(VIEWER)).status).toBe(401);
    expect(codeOf((await attempt('pw@example.test', TEST_PASSWORD)).body)).toBe('UNAUTHENTICATED');
    await h.signIn('pw@example.test', 'a new password');
  });
});

describe('API tokens', () => {
  const CREATE =
    'mutation($n: String!, $d: Int!, $u: ID) { createApiToken(name: $n, expiresInDays: $d, userId: $u) { token apiToken { id name expiresAt } } }';
  type Created = { createApiToken: { token: string; apiToken: { id: string; name: string; expiresAt: string } } };
  const bearer = (token: string, as: Client): Client => ({
    ...as,
    credentials: { authorization: `Bearer ${token}` },
    post: (q, v, o) => h.anonymous.post(q, v, { ...o, headers: { ...o?.headers, authorization: `Bearer ${token}` } }),
    gql: async (q, v, o) =>
      (await (
        await h.anonymous.post(q, v, { ...o, headers: { ...o?.headers, authorization: `Bearer ${token}` } })
      ).json()) as never,
  });

  it('creates a token shown once, works as Bearer, is listed without its secret, and stops when revoked', async () => {
    const rep = await h.addUser({ email: 'tokens@example.test', name: 'Tokens', role: 'salesRep' });
    const { createApiToken } = await rep.ok<Created>(CREATE, { n: 'CI import', d: 30 });
    expect(createApiToken.token).toMatch(/^tp_[\w-]{43}$/);
    const api = bearer(createApiToken.token, rep);
    expect((await api.ok<{ viewer: { id: string } }>(VIEWER)).viewer.id).toBe(rep.userId);
    const created = await api.ok<{ createAccount: { createdBy: string } }>(
      'mutation { createAccount(input: { name: "Via token" }) { createdBy } }',
    );
    expect(created.createAccount.createdBy).toBe(rep.userId);
    const listed = JSON.stringify(await rep.ok('{ myApiTokens { id name createdAt expiresAt lastUsedAt } }'));
    expect(listed).toContain('CI import');
    expect(listed).not.toContain(createApiToken.token);
    await rep.ok('mutation($id: ID!) { revokeApiToken(id: $id) }', { id: createApiToken.apiToken.id });
    expect((await api.post(VIEWER)).status).toBe(401);
    // A token that never existed, or is malformed, is no credential either.
    expect((await bearer('tp_nothing', rep).post(VIEWER)).status).toBe(401);
  });

  it('expires a token after its days', async () => {
    const rep = await h.addUser({ email: 'expiry@example.test', name: 'Expiry', role: 'salesRep' });
    const api = bearer((await rep.ok<Created>(CREATE, { n: 'short', d: 1 })).createApiToken.token, rep);
    offset += 23 * HOUR;
    expect((await api.gql(VIEWER)).errors).toBeUndefined();
    offset += 2 * HOUR;
    expect((await api.post(VIEWER)).status).toBe(401);
  });

  it('refuses bad names and durations, and tokens for others unless an admin makes them', async () => {
    const rep = await h.addUser({ email: 'nosy@example.test', name: 'Nosy', role: 'salesRep' });
    const service = await h.addUser({ email: 'service@example.test', name: 'Service', role: 'salesRep' });
    const bad = await rep.gql(CREATE, { n: ' ', d: 0 });
    expect(bad.errors?.[0]?.extensions?.issues?.map((i) => i.path)).toEqual(['name', 'expiresInDays']);
    const forOther = await rep.gql(CREATE, { n: 'x', d: 1, u: service.userId });
    expect(forOther.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(forOther.errors?.[0]?.message).toMatch(/Only administrators may create API tokens for other users/);
    // The harness's own admin session has idled out while earlier tests moved the clock: sign in afresh.
    const admin = await h.signIn('admin@example.test');
    const byAdmin = await admin.ok<Created>(CREATE, { n: 'integration', d: 7, u: service.userId });
    const api = bearer(byAdmin.createApiToken.token, service);
    expect((await api.ok<{ viewer: { email: string } }>(VIEWER)).viewer.email).toBe('service@example.test');
    const revokeOther = await rep.gql('mutation($id: ID!) { revokeApiToken(id: $id) }', {
      id: byAdmin.createApiToken.apiToken.id,
    });
    expect(codeOf(revokeOther)).toBe('FORBIDDEN');
    expect((await api.gql(VIEWER)).errors).toBeUndefined();
  });
});

describe('who acts', () => {
  it('ignores x-touchpoint-actor: the actor of every write is the signed-in user', async () => {
    const rep = await h.addUser({ email: 'actor@example.test', name: 'Actor', role: 'salesRep' });
    const forged = { 'x-touchpoint-actor': h.userId };
    const made = await rep.ok<{ createAccount: { id: string; createdBy: string } }>(
      'mutation { createAccount(input: { name: "Forged?" }) { id createdBy } }',
      {},
      { headers: forged },
    );
    expect(made.createAccount.createdBy).toBe(rep.userId);
    const updated = await rep.ok<{ updateAccount: { updatedBy: string } }>(
      'mutation($id: ID!) { updateAccount(id: $id, input: { name: "Still me" }) { updatedBy } }',
      { id: made.createAccount.id },
      { headers: forged },
    );
    expect(updated.updateAccount.updatedBy).toBe(rep.userId);
    // Without credentials the header opens nothing.
    expect((await h.anonymous.post('{ accounts { totalCount } }', {}, { headers: forged })).status).toBe(401);
  });

  it('takes the workspace from the memberships: FORBIDDEN for another, chosen by header among several', async () => {
    const admin = await h.signIn('admin@example.test');
    await admin.ok('mutation { createWorkspace(slug: "second", name: "Second") { slug } }');
    const rep = await h.addUser({ email: 'one-ws@example.test', name: 'One', role: 'salesRep' });
    const refused = await rep.post('{ accounts { totalCount } }', {}, { workspace: 'second' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as GraphQLResponse).errors?.[0]).toMatchObject({
      message: 'You are not a member of workspace "second".',
      extensions: { code: 'FORBIDDEN' },
    });
    // The admin who created it is a member of both and chooses by header.
    const there = await admin.ok<{ viewer: { workspace: string; workspaces: string[] } }>(
      VIEWER,
      {},
      { workspace: 'second' },
    );
    expect(there.viewer).toMatchObject({ workspace: 'second', workspaces: ['default', 'second'] });
    await admin.ok('mutation { createAccount(input: { name: "Only in second" }) { id } }', {}, { workspace: 'second' });
    const inDefault = await admin.ok<{ accounts: { totalCount: number } }>(
      '{ accounts(filter: { name: { eq: "Only in second" } }) { totalCount } }',
    );
    expect(inDefault.accounts.totalCount).toBe(0);
  });
});

describe('sign-in throttling per address', () => {
  it('slows down an address that fails on many accounts', async () => {
    offset += 2 * HOUR; // earlier failures of this file are forgotten
    for (let i = 0; i < FREE_FAILURES.address; i++) await attempt(`spray${i}@example.test`, 'password1');
    const next = await attempt('admin@example.test', TEST_PASSWORD);
    expect(codeOf(next.body)).toBe('LIMIT_EXCEEDED');
    expect(Number(next.response.headers.get('retry-after'))).toBeGreaterThan(0);
    offset += 16 * 60_000;
    expect((await attempt('admin@example.test', TEST_PASSWORD)).body.errors).toBeUndefined();
  });
});
