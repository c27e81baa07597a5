// Identity events in the audit log, through real HTTP and the real `touchpoint` command: each sign-in (and
// refused one), sign-out, revocation, password change, token and membership writes its row in the same
// transaction as the change; a refused change writes none; a failed sign-in never keeps the password.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Harness, startHarness, TEST_PASSWORD } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface Entry {
  actor: string;
  tokenId: string | null;
  channel: string;
  action: string;
  entity: string | null;
  recordId: string | null;
  details: Record<string, unknown> | null;
}

const log = async (action: string, first = 20) =>
  (
    await h.ok<{ auditLog: { nodes: Entry[] } }>(
      `query($filter: AuditFilter, $first: Int) {
        auditLog(filter: $filter, first: $first) { nodes { actor tokenId channel action entity recordId details } }
      }`,
      { filter: { action }, first },
    )
  ).auditLog.nodes;

/** Every audit row of the database as text (any workspace or none), to show what is never kept. */
const everything = async () =>
  (
    await h.engine.db.query<{ t: string }>(
      `select coalesce(string_agg(a::text, '\n'), '') as t from touchpoint.audit_log a`,
    )
  )[0]!.t;
const count = async () =>
  Number((await h.engine.db.query<{ n: string }>('select count(*) as n from touchpoint.audit_log'))[0]!.n);

const UA = 'auth-audit-test/1.0';

async function signInWith(email: string, password: string) {
  return h.anonymous.post(
    'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { id } }',
    { e: email, p: password },
    { headers: { 'user-agent': UA } },
  );
}

describe('identity events in the audit log', () => {
  it('a sign-in writes session.signedIn with the user, the web channel, the address and the user agent', async () => {
    const rep = await h.addUser({ email: 'in@auth-audit.test', name: 'In', role: 'salesRep' });
    const answer = await signInWith('IN@auth-audit.test', TEST_PASSWORD);
    expect(answer.status).toBe(200);
    const [row] = (await log('session.signedIn')).filter((r) => r.actor === rep.userId);
    expect(row).toMatchObject({ channel: 'web', action: 'session.signedIn', tokenId: null });
    expect(row!.details).toMatchObject({ userAgent: UA, sessionId: expect.any(String) });
    expect(String(row!.details!.address)).toMatch(/127\.0\.0\.1/);
  });

  it('a refused sign-in writes session.signInFailed with the email as typed, never the password', async () => {
    await h.addUser({ email: 'guess@auth-audit.test', name: 'Guess', role: 'salesRep' });
    const password = 'Wrong-Password-7f3a9c';
    const answer = await signInWith('Guess@auth-audit.test', password);
    expect(((await answer.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'UNAUTHENTICATED',
    );
    const [row] = (await log('session.signInFailed')).filter((r) => r.actor === 'Guess@auth-audit.test');
    expect(row).toMatchObject({ channel: 'web', details: { reason: 'wrongPassword', userAgent: UA } });
    expect(await everything()).not.toContain(password);
  });

  it('an unknown email is recorded without a workspace and without making a user or a credential', async () => {
    const before = await count();
    await signInWith('nobody@auth-audit.test', 'whatever-password-1');
    expect(await count()).toBe(before + 1);
    const [row] = await h.engine.db.query<{ workspace_id: number | null; actor: string; details: { reason: string } }>(
      `select workspace_id, actor, details from touchpoint.audit_log where action = 'session.signInFailed' order by id desc limit 1`,
    );
    expect(row).toMatchObject({
      workspace_id: null,
      actor: 'nobody@auth-audit.test',
      details: { reason: 'unknownEmail' },
    });
    expect(await h.engine.identity.credentialByEmail('nobody@auth-audit.test')).toBeUndefined();
    const users = await h.ok<{ users: { totalCount: number } }>(
      `query { users(filter: { email: { eq: "nobody@auth-audit.test" } }) { totalCount } }`,
    );
    expect(users.users.totalCount).toBe(0);
  });

  it('a password typed into the email box is not kept, and a long email is capped', async () => {
    const secret = 'my-Secret-Passphrase-9';
    await signInWith(secret, 'anything-at-all');
    const long = `${'x'.repeat(400)}@auth-audit.test`;
    await signInWith(long, 'anything-at-all');
    const text = await everything();
    expect(text).not.toContain(secret);
    expect(text).toContain('(not an email address)');
    const [row] = await h.engine.db.query<{ actor: string }>(
      `select actor from touchpoint.audit_log where action = 'session.signInFailed' order by id desc limit 1`,
    );
    expect(row!.actor.length).toBe(200);
    expect(row!.actor.startsWith('xxxx')).toBe(true);
  });

  it('sign-out, revoking a session and signing out everywhere each write their row; a refused revoke none', async () => {
    const first = await h.addUser({ email: 'out@auth-audit.test', name: 'Out', role: 'salesRep' });
    const second = await h.signIn('out@auth-audit.test');
    const third = await h.signIn('out@auth-audit.test');
    const { mySessions } = await second.ok<{ mySessions: { id: string; current: boolean }[] }>(
      '{ mySessions { id current } }',
    );
    const secondSession = mySessions.find((s) => s.current)!.id;
    const before = await count();
    const refused = await first.gql(`mutation { revokeSession(id: "00000000-0000-4000-8000-000000000000") }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await count()).toBe(before);

    await first.ok('mutation($id: ID!) { revokeSession(id: $id) }', { id: secondSession });
    const [revoked] = (await log('session.revoked')).filter((r) => r.actor === first.userId);
    expect(revoked).toMatchObject({ channel: 'web', details: { sessionId: secondSession } });

    await first.ok('mutation { signOut }');
    expect((await log('session.signedOut')).filter((r) => r.actor === first.userId)).toHaveLength(1);

    const { signOutEverywhere } = await third.ok<{ signOutEverywhere: number }>('mutation { signOutEverywhere }');
    expect(signOutEverywhere).toBe(1);
    const everywhere = (await log('session.signedOutEverywhere')).filter((r) => r.actor === first.userId);
    expect(everywhere).toHaveLength(1);
    expect(everywhere[0]!.details).toMatchObject({ sessionsEnded: 1 });
  });

  it('a password change writes password.changed; a wrong current password changes nothing and writes nothing', async () => {
    const rep = await h.addUser({ email: 'pw@auth-audit.test', name: 'Pw', role: 'salesRep' });
    const before = await count();
    const wrong = await rep.gql(`mutation { changePassword(current: "not-the-password", new: "a-new-password-1") }`);
    expect(wrong.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const short = await rep.gql(`mutation($c: String!) { changePassword(current: $c, new: "short") }`, {
      c: TEST_PASSWORD,
    });
    expect(short.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(await count()).toBe(before);
    await rep.ok(`mutation($c: String!) { changePassword(current: $c, new: "a-new-password-1") }`, {
      c: TEST_PASSWORD,
    });
    const [row] = (await log('password.changed')).filter((r) => r.actor === rep.userId);
    expect(row).toMatchObject({ channel: 'web', details: { sessionsEnded: 0 } });
    expect(await everything()).not.toContain('a-new-password-1');
  });

  it('tokens: created and revoked, through the browser (web) and with a token (api); refused ones write nothing', async () => {
    const rep = await h.addUser({ email: 'tok@auth-audit.test', name: 'Tok', role: 'salesRep' });
    const before = await count();
    const bad = await rep.gql(`mutation { createApiToken(name: "", expiresInDays: 9999) { token } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(await count()).toBe(before);

    const made = await rep.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      `mutation { createApiToken(name: "integration", expiresInDays: 30) { token apiToken { id } } }`,
    );
    const { token, apiToken } = made.createApiToken;
    const [created] = (await log('token.created')).filter((r) => r.actor === rep.userId);
    expect(created).toMatchObject({
      channel: 'web',
      tokenId: null,
      details: { apiTokenId: apiToken.id, name: 'integration' },
    });
    expect(await everything()).not.toContain(token);

    const viaToken: Client = { ...rep, credentials: { authorization: `Bearer ${token}` } };
    const bearer = (query: string) =>
      fetch(`${h.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      }).then((r) => r.json() as Promise<{ data?: Record<string, { apiToken: { id: string } }>; errors?: unknown }>);
    const second = await bearer(
      `mutation { createApiToken(name: "second", expiresInDays: 1) { token apiToken { id } } }`,
    );
    expect(second.errors, JSON.stringify(second.errors)).toBeUndefined();
    const [apiRow] = (await log('token.created')).filter((r) => r.details?.name === 'second');
    expect(apiRow).toMatchObject({ channel: 'api', tokenId: apiToken.id, actor: viaToken.userId });

    const refused = await h.addUser({ email: 'other@auth-audit.test', name: 'Other', role: 'salesRep' });
    const beforeRefusal = await count();
    const forbidden = await refused.gql('mutation($id: ID!) { revokeApiToken(id: $id) }', { id: apiToken.id });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await count()).toBe(beforeRefusal);

    await rep.ok('mutation($id: ID!) { revokeApiToken(id: $id) }', { id: apiToken.id });
    const [revoked] = (await log('token.revoked')).filter((r) => r.details?.apiTokenId === apiToken.id);
    expect(revoked).toMatchObject({ actor: rep.userId, channel: 'web' });
  });

  it('an audit row that cannot be written rolls its change back: the token still works', async () => {
    const rep = await h.addUser({ email: 'atomic@auth-audit.test', name: 'Atomic', role: 'salesRep' });
    const made = await rep.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      `mutation { createApiToken(name: "kept", expiresInDays: 30) { token apiToken { id } } }`,
    );
    // A trigger of the test's own makes the audit insert of this one action fail, inside the transaction.
    await h.engine.db.query(`create or replace function touchpoint.test_refuse_audit() returns trigger language plpgsql as $$
      begin raise exception 'audit refused by the test'; end $$`);
    await h.engine.db.query(`create trigger test_refuse_audit before insert on touchpoint.audit_log for each row
      when (new.action = 'token.revoked') execute function touchpoint.test_refuse_audit()`);
    try {
      const failed = await rep.gql('mutation($id: ID!) { revokeApiToken(id: $id) }', {
        id: made.createApiToken.apiToken.id,
      });
      expect(failed.errors).toBeDefined();
    } finally {
      await h.engine.db.query('drop trigger test_refuse_audit on touchpoint.audit_log');
    }
    expect((await h.engine.identity.authenticateToken(made.createApiToken.token))?.email).toBe(
      'atomic@auth-audit.test',
    );
    const tokens = await rep.ok<{ myApiTokens: { id: string }[] }>('{ myApiTokens { id } }');
    expect(tokens.myApiTokens.map((t) => t.id)).toContain(made.createApiToken.apiToken.id);
  });

  it('touchpoint user add and token create are audited with the channel cli', () => {
    if (!h.database.url) throw new Error('This test runs the CLI against the PostgreSQL server of the harness.');
    const bin = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));
    const run = (input: string | undefined, ...args: string[]) =>
      spawnSync(process.execPath, ['--no-node-snapshot', bin, ...args], {
        encoding: 'utf8',
        input,
        env: { ...process.env, DATABASE_URL: h.database.url },
        timeout: 120_000,
      });
    const added = run(
      'a long enough password',
      ...['user', 'add', '--email', 'ops@auth-audit.test', '--name', 'Ops', '--role', 'admin', '--password-stdin'],
    );
    expect(added.status, added.stderr).toBe(0);
    const token = run(undefined, 'token', 'create', '--user', 'ops@auth-audit.test', '--name', 'cli-made');
    expect(token.status, token.stderr).toBe(0);
    return (async () => {
      const [member] = (await log('membership.added')).filter((r) => r.details?.email === 'ops@auth-audit.test');
      expect(member).toMatchObject({ actor: 'cli', channel: 'cli', entity: 'user', details: { passwordSet: true } });
      const [record] = (await log('record.created')).filter((r) => r.recordId === member!.recordId);
      expect(record).toMatchObject({ actor: 'cli', channel: 'cli', entity: 'user' });
      const [made] = (await log('token.created')).filter((r) => r.details?.name === 'cli-made');
      expect(made).toMatchObject({ actor: 'cli', channel: 'cli' });
      expect(await everything()).not.toContain('a long enough password');
    })();
  });

  it('only admins read these rows', async () => {
    const rep = await h.addUser({ email: 'nosy@auth-audit.test', name: 'Nosy', role: 'salesRep' });
    const refused = await rep.gql(`{ auditLog(filter: { action: "session.signedIn" }) { nodes { actor } } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await log('session.signedIn')).length).toBeGreaterThan(0);
  });
});
