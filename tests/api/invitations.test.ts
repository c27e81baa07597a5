// Members, invitations and the first start, over real HTTP against real PostgreSQL. Expiry is tested by
// moving the engine's clock, never by waiting. Each refusal is checked to change nothing.
import type { Clock } from '@touchpoint/engine';
import { INVITATION_DAYS } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type GraphQLResponse, type Harness, startHarness, TEST_PASSWORD } from './harness.ts';

let offset = 0;
const clock: Clock = {
  now: () => new Date(Date.now() + offset),
  get sql() {
    return `(now() + interval '${offset} milliseconds')`;
  },
};
const DAY = 86_400_000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ clock });
});
afterAll(async () => {
  await h?.close();
});

const INVITE = `mutation($e: String!, $n: String!, $r: String!) {
  inviteUser(email: $e, name: $n, role: $r) { path invitation { id userId email role expiresAt } } }`;
const ACCEPT = 'mutation($s: String!, $p: String!) { acceptInvitation(secret: $s, password: $p) { id email role } }';
const MEMBERS = '{ members { userId name email role active lastSignInAt } }';
const codeOf = (result: GraphQLResponse) => result.errors?.[0]?.extensions?.code;

interface Invited {
  inviteUser: {
    path: string;
    invitation: { id: string; userId: string; email: string; role: string; expiresAt: string };
  };
}

async function invite(email: string, role = 'salesRep', by: Client = h) {
  const { inviteUser } = await by.ok<Invited>(INVITE, { e: email, n: `Person ${email}`, r: role });
  return { ...inviteUser, secret: inviteUser.path.slice('/invite/'.length) };
}

/** Accepts over HTTP; answers the body and the session cookie, if one was set. */
async function accept(secret: string, password: string, headers: Record<string, string> = {}) {
  const response = await h.anonymous.post(ACCEPT, { s: secret, p: password }, { headers });
  const body = (await response.json()) as GraphQLResponse<{ acceptInvitation: { id: string; email: string } }>;
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith('tp_session='))
    ?.split(';')[0];
  return { response, body, cookie };
}

async function auditActions(recordId: string): Promise<string[]> {
  const { auditLog } = await h.ok<{ auditLog: { nodes: { action: string }[] } }>(
    'query($id: String!) { auditLog(filter: { recordId: $id }) { nodes { action } } }',
    { id: recordId },
  );
  return auditLog.nodes.map((n) => n.action);
}

describe('inviting and accepting', () => {
  it('invites by email with a role, accepts with a password and signs the invitee in, audited', async () => {
    const made = await invite('new.rep@example.test');
    expect(made.path).toMatch(/^\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(made.invitation).toMatchObject({ email: 'new.rep@example.test', role: 'salesRep' });
    expect(new Date(made.invitation.expiresAt).getTime() - Date.now()).toBeGreaterThan((INVITATION_DAYS - 1) * DAY);
    const pending = await h.ok<{ invitations: { id: string }[] }>('{ invitations { id email } }');
    expect(pending.invitations.map((i) => i.id)).toContain(made.invitation.id);

    const { body, cookie } = await accept(made.secret, 'a good new password');
    expect(body.errors).toBeUndefined();
    expect(body.data?.acceptInvitation).toMatchObject({ id: made.invitation.userId, email: 'new.rep@example.test' });
    expect(cookie).toBeDefined();
    const viewer = await h.anonymous.gql<{ viewer: { email: string; isAdmin: boolean } }>(
      '{ viewer { email isAdmin } }',
      {},
      {
        headers: { cookie: cookie! },
      },
    );
    expect(viewer.data?.viewer).toEqual({ email: 'new.rep@example.test', isAdmin: false });
    // The password works for sign-in from now on.
    await h.signIn('new.rep@example.test', 'a good new password');
    const { members } = await h.ok<{ members: { email: string; role: string; lastSignInAt: string | null }[] }>(
      MEMBERS,
    );
    expect(members.find((m) => m.email === 'new.rep@example.test')).toMatchObject({ role: 'salesRep' });
    expect(members.find((m) => m.email === 'new.rep@example.test')?.lastSignInAt).not.toBeNull();
    const after = await h.ok<{ invitations: { id: string }[] }>('{ invitations { id } }');
    expect(after.invitations.map((i) => i.id)).not.toContain(made.invitation.id);
    expect(await auditActions(made.invitation.userId)).toEqual(
      expect.arrayContaining(['invitation.created', 'invitation.accepted', 'membership.added']),
    );
  });

  it('refuses a reused, expired, revoked or forged secret with one message that says nothing of which', async () => {
    const used = await invite('used@example.test');
    expect((await accept(used.secret, 'first password')).body.errors).toBeUndefined();
    const expired = await invite('expired@example.test');
    const revoked = await invite('revoked@example.test');
    await h.ok('mutation($id: ID!) { revokeInvitation(id: $id) }', { id: revoked.invitation.id });
    offset += (INVITATION_DAYS + 1) * DAY;
    const messages = new Set<string>();
    try {
      // The admin's own session idled out meanwhile: they sign in again, later.
      const admin = await h.signIn('admin@example.test');
      const live = await invite('live@example.test', 'salesRep', admin);
      const forged = `${live.secret.slice(0, -1)}${live.secret.endsWith('A') ? 'B' : 'A'}`;
      for (const secret of [used.secret, expired.secret, revoked.secret, forged, 'x', 'a'.repeat(5000)]) {
        const { body, cookie } = await accept(secret, 'another password');
        expect(codeOf(body)).toBe('NOT_FOUND');
        expect(cookie).toBeUndefined();
        messages.add(body.errors![0]!.message);
      }
    } finally {
      offset = 0;
    }
    expect(messages.size).toBe(1);
    // The reused one kept its first password: the second attempt changed nothing.
    await h.signIn('used@example.test', 'first password');
    // Revoking twice, or an unknown id, is NOT_FOUND.
    const again = await h.gql('mutation($id: ID!) { revokeInvitation(id: $id) }', { id: revoked.invitation.id });
    expect(codeOf(again)).toBe('NOT_FOUND');
  });

  it('refuses a weak password without spending the invitation', async () => {
    const made = await invite('weak@example.test');
    for (const password of ['short', '', 'x'.repeat(257)]) {
      const { body, cookie } = await accept(made.secret, password);
      expect(codeOf(body)).toBe('VALIDATION_FAILED');
      expect(body.errors![0]!.extensions!.issues![0]!.path).toBe('password');
      expect(cookie).toBeUndefined();
    }
    expect((await accept(made.secret, 'long enough now')).body.errors).toBeUndefined();
  });

  it('refuses to accept while signed in as someone else, and leaves the invitation usable', async () => {
    const rep = await h.addUser({ email: 'someone.else@example.test', name: 'Else' });
    const made = await invite('meant.for@example.test');
    const { body, cookie } = await accept(made.secret, 'password one', rep.credentials);
    expect(codeOf(body)).toBe('FORBIDDEN');
    expect(body.errors![0]!.message).toContain('someone.else@example.test');
    expect(cookie).toBeUndefined();
    expect((await accept(made.secret, 'password one')).body.errors).toBeUndefined();
  });

  it('never replaces the password of an email that already signs in elsewhere', async () => {
    await h.engine.ensureWorkspace('second', 'Second');
    await h.engine.addUser('second', { email: 'victim@example.test', name: 'Victim', password: TEST_PASSWORD });
    const made = await invite('victim@example.test');
    const wrong = await accept(made.secret, 'attacker password');
    expect(codeOf(wrong.body)).toBe('VALIDATION_FAILED');
    expect(wrong.cookie).toBeUndefined();
    await h.signIn('victim@example.test', TEST_PASSWORD, 'second');
    // With their own password they join this workspace too.
    const right = await accept(made.secret, TEST_PASSWORD);
    expect(right.body.errors).toBeUndefined();
    await h.signIn('victim@example.test', TEST_PASSWORD, 'default');
  });

  it('refuses a non-admin every people operation, and bad input clearly', async () => {
    const rep = await h.addUser({ email: 'plain.rep@example.test', name: 'Plain rep' });
    const before = await h.ok<{ invitations: unknown[] }>('{ invitations { id } }');
    for (const [query, variables] of [
      [INVITE, { e: 'sneak@example.test', n: 'Sneak', r: 'admin' }],
      ['mutation($id: ID!) { changeMemberRole(userId: $id, role: "admin") }', { id: rep.userId }],
      [MEMBERS, {}],
      ['{ invitations { id } }', {}],
    ] as const) {
      const result = await rep.gql(query, variables);
      expect(codeOf(result)).toBe('FORBIDDEN');
    }
    expect(await h.ok('{ invitations { id } }')).toEqual(before);
    const bad = await h.gql(INVITE, { e: 'not-an-address', n: '', r: 'emperor' });
    expect(codeOf(bad)).toBe('VALIDATION_FAILED');
    expect(bad.errors![0]!.extensions!.issues!.map((i) => i.path).sort()).toEqual(['email', 'name', 'role']);
    const member = await h.gql(INVITE, { e: 'plain.rep@example.test', n: 'Again', r: 'salesRep' });
    expect(codeOf(member)).toBe('CONFLICT');
  });
});

describe('members', () => {
  it('changes a role, deactivates (sessions and tokens stop at once) and removes, audited', async () => {
    const rep = await h.addUser({ email: 'to.change@example.test', name: 'To change' });
    const { createApiToken } = await rep.ok<{ createApiToken: { token: string } }>(
      'mutation { createApiToken(name: "sync", expiresInDays: 30) { token } }',
    );
    const bearer = { authorization: `Bearer ${createApiToken.token}` };
    await h.ok('mutation($id: ID!) { changeMemberRole(userId: $id, role: "salesManager") }', { id: rep.userId });
    expect((await rep.ok<{ viewer: { role: string } }>('{ viewer { role } }')).viewer.role).toBe('salesManager');
    const badRole = await h.gql('mutation($id: ID!) { changeMemberRole(userId: $id, role: "king") }', {
      id: rep.userId,
    });
    expect(codeOf(badRole)).toBe('VALIDATION_FAILED');

    await h.ok('mutation($id: ID!) { deactivateMember(userId: $id) }', { id: rep.userId });
    expect((await rep.post('{ viewer { id } }')).status).toBe(401);
    expect((await h.anonymous.post('{ viewer { id } }', {}, { headers: bearer })).status).toBe(401);
    const { members } = await h.ok<{ members: { userId: string; active: boolean }[] }>(MEMBERS);
    expect(members.find((m) => m.userId === rep.userId)?.active).toBe(false);
    await h.ok('mutation($id: ID!) { reactivateMember(userId: $id) }', { id: rep.userId });
    const back = await h.signIn('to.change@example.test');
    await h.ok('mutation($id: ID!) { removeMember(userId: $id) }', { id: rep.userId });
    expect((await back.post('{ viewer { id } }')).status).toBe(401);
    const gone = await h.ok<{ members: { userId: string }[] }>(MEMBERS);
    expect(gone.members.map((m) => m.userId)).not.toContain(rep.userId);
    expect(await auditActions(rep.userId)).toEqual(
      expect.arrayContaining([
        'record.updated',
        'membership.deactivated',
        'membership.reactivated',
        'membership.removed',
      ]),
    );
    const unknown = await h.gql('mutation($id: ID!) { removeMember(userId: $id) }', { id: rep.userId });
    expect(codeOf(unknown)).toBe('NOT_FOUND');
  });

  it('refuses to remove, deactivate or demote the last active administrator', async () => {
    const refusals = [
      'mutation($id: ID!) { removeMember(userId: $id) }',
      'mutation($id: ID!) { deactivateMember(userId: $id) }',
      'mutation($id: ID!) { changeMemberRole(userId: $id, role: "salesRep") }',
    ];
    for (const query of refusals) {
      const result = await h.gql(query, { id: h.userId });
      expect(codeOf(result)).toBe('CONFLICT');
      expect(result.errors![0]!.message).toContain('last active administrator');
    }
    expect((await h.ok<{ viewer: { isAdmin: boolean } }>('{ viewer { isAdmin } }')).viewer.isAdmin).toBe(true);
    // With a second administrator, the first may step down.
    const second = await h.addUser({ email: 'second.admin@example.test', name: 'Second', role: 'admin' });
    await second.ok('mutation($id: ID!) { changeMemberRole(userId: $id, role: "salesManager") }', { id: h.userId });
    await second.ok('mutation($id: ID!) { changeMemberRole(userId: $id, role: "admin") }', { id: h.userId });
  });
});

describe('membership changes are atomic', () => {
  it('two admins demoting, deactivating or removing each other at the same moment: one wins, one admin stays (8 rounds)', async () => {
    await h.engine.createWorkspace('race', 'Race');
    const clients = new Map<string, Client>();
    const first = await h.addUser({ email: 'race.0@example.test', name: 'Racer 0', role: 'admin', workspace: 'race' });
    clients.set(first.userId, first);
    let survivor = first;
    const moves = [
      (id: string) => `mutation { changeMemberRole(userId: "${id}", role: "salesRep") }`,
      (id: string) => `mutation { deactivateMember(userId: "${id}") }`,
      (id: string) => `mutation { removeMember(userId: "${id}") }`,
    ];
    let conflicts = 0;
    for (let round = 1; round <= 8; round++) {
      const other = await h.addUser({
        email: `race.${round}@example.test`,
        name: `Racer ${round}`,
        role: 'admin',
        workspace: 'race',
      });
      clients.set(other.userId, other);
      const [a, b] = [survivor, other];
      const answers = await Promise.all([
        a.gql(moves[round % 3]!(b.userId), {}, { workspace: 'race' }),
        b.gql(moves[(round + 1) % 3]!(a.userId), {}, { workspace: 'race' }),
      ]);
      const won = answers.filter((r) => !r.errors);
      expect(won, JSON.stringify(answers)).toHaveLength(1);
      const lost = answers.find((r) => r.errors)!;
      // Refused as the last administrator, or — when the winner's change was already in — as no admin at all.
      expect(['CONFLICT', 'FORBIDDEN', 'UNAUTHENTICATED']).toContain(codeOf(lost));
      if (codeOf(lost) === 'CONFLICT') conflicts++;
      const members = await h.engine.people.members('race');
      const admins = members.filter((m) => m.role === 'admin' && m.active);
      expect(admins).toHaveLength(1);
      survivor = clients.get(admins[0]!.userId)!;
    }
    // The two requests did overlap: at least once the loser got past the admin check and met the lock.
    expect(conflicts).toBeGreaterThan(0);

    // The last admin's own demotion is refused after its record update and audit rows were written in the
    // transaction: the refusal rolls them back with it, and leaves no row.
    const actions = async () =>
      (
        await survivor.ok<{ auditLog: { nodes: { action: string }[] } }>(
          'query($id: String!) { auditLog(filter: { recordId: $id }) { nodes { action } } }',
          { id: survivor.userId },
          { workspace: 'race' },
        )
      ).auditLog.nodes.map((n) => n.action);
    const before = await actions();
    for (const move of moves) {
      const refused = await survivor.gql(move(survivor.userId), {}, { workspace: 'race' });
      expect(codeOf(refused)).toBe('CONFLICT');
      expect(refused.errors![0]!.message).toContain('last active administrator');
    }
    expect(await actions()).toEqual(before);
    const viewer = await survivor.ok<{ viewer: { isAdmin: boolean } }>(
      '{ viewer { isAdmin } }',
      {},
      { workspace: 'race' },
    );
    expect(viewer.viewer.isAdmin).toBe(true);
  });

  it('writes membership.roleChanged in the transaction of the record update', async () => {
    const rep = await h.addUser({ email: 'audited.role@example.test', name: 'Audited role' });
    await h.ok('mutation($id: ID!) { changeMemberRole(userId: $id, role: "salesManager") }', { id: rep.userId });
    const rows = await h.ok<{ auditLog: { nodes: { action: string; details: Record<string, unknown> }[] } }>(
      'query($id: String!) { auditLog(filter: { recordId: $id, action: "membership.roleChanged" }) { nodes { action details } } }',
      { id: rep.userId },
    );
    expect(rows.auditLog.nodes).toHaveLength(1);
    expect(rows.auditLog.nodes[0]!.details).toMatchObject({ from: 'salesRep', to: 'salesManager' });
  });
});

describe('first start', () => {
  it('makes the first administrator once: two concurrent calls make one, later calls are refused', async () => {
    const fresh = await startHarness({ withoutAdmin: true });
    try {
      expect((await fresh.anonymous.ok<{ setupNeeded: boolean }>('{ setupNeeded }')).setupNeeded).toBe(true);
      const SETUP =
        'mutation($n: String!, $e: String!, $p: String!) { setupFirstAdmin(name: $n, email: $e, password: $p) { id email isAdmin } }';
      const weak = await fresh.anonymous.gql(SETUP, { n: 'A', e: 'a@example.test', p: 'short' });
      expect(codeOf(weak)).toBe('VALIDATION_FAILED');
      const answers = await Promise.all(
        ['one', 'two'].map((who) =>
          fresh.anonymous.post(SETUP, { n: who, e: `${who}@example.test`, p: 'first admin pw' }),
        ),
      );
      const bodies = await Promise.all(answers.map((r) => r.json() as Promise<GraphQLResponse>));
      const made = bodies.filter((b) => !b.errors);
      expect(made).toHaveLength(1);
      expect(bodies.filter((b) => codeOf(b) === 'FORBIDDEN')).toHaveLength(1);
      const winner = answers[bodies.indexOf(made[0]!)]!;
      const cookie = winner.headers
        .getSetCookie()
        .find((c) => c.startsWith('tp_session='))!
        .split(';')[0]!;
      const viewer = await fresh.anonymous.ok<{ viewer: { isAdmin: boolean } }>(
        '{ viewer { isAdmin } }',
        {},
        {
          headers: { cookie },
        },
      );
      expect(viewer.viewer.isAdmin).toBe(true);
      expect((await fresh.anonymous.ok<{ setupNeeded: boolean }>('{ setupNeeded }')).setupNeeded).toBe(false);
      const late = await fresh.anonymous.gql(SETUP, { n: 'Late', e: 'late@example.test', p: 'late admin pw' });
      expect(codeOf(late)).toBe('FORBIDDEN');
      const { members } = await fresh.anonymous.ok<{ members: unknown[] }>(MEMBERS, {}, { headers: { cookie } });
      expect(members).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('is refused on a server where someone can already sign in', async () => {
    expect((await h.anonymous.ok<{ setupNeeded: boolean }>('{ setupNeeded }')).setupNeeded).toBe(false);
    const result = await h.anonymous.gql(
      'mutation { setupFirstAdmin(name: "X", email: "x@example.test", password: "long enough") { id } }',
    );
    expect(codeOf(result)).toBe('FORBIDDEN');
    // An open field cannot carry another one along.
    const smuggled = await h.anonymous.post(
      'mutation { setupFirstAdmin(name: "X", email: "x@example.test", password: "long enough") { id } inviteUser(email: "a@b.c", name: "a", role: "admin") { path } }',
    );
    expect(smuggled.status).toBe(401);
    const query = await h.anonymous.post('{ setupNeeded members { email } }');
    expect(query.status).toBe(401);
  });
});
