// Who belongs to a workspace and how they get in: invitations (a one-time secret, stored as its hash, that
// lets the invitee set a password), memberships (listed, re-roled, deactivated, removed) and the first start
// (the first administrator, made only while no credential exists). Every membership change and invitation
// writes its audit row in the transaction of the change. The `user` record itself is written through the
// record service (so its own audit row and hooks apply); the membership is a system table (tables.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { type Issue, TouchpointError, validationFailed } from '@touchpoint/schema';
import argon2 from 'argon2';
import type { Channel } from '../audit/audit-log.ts';
import type { Sql } from '../db.ts';
import type { Engine } from '../engine.ts';
import { assignedRoles } from '../permissions/resolver.ts';
import type { RecordService } from '../records/service.ts';
import { type RecordTransaction, recordTransaction } from '../records/transaction.ts';
import { SYSTEM_SCHEMA } from '../system-entities.ts';
import { checkPassword, EMAIL_SHAPE, hashPassword, hashSecret, normaliseEmail } from './identity.ts';

const S = SYSTEM_SCHEMA;

/** How long an invitation link works. */
export const INVITATION_DAYS = 7;
const ADMIN_ROLE = 'admin';
/** First key of the advisory lock that serialises a workspace's membership changes (the second: its id). */
const MEMBERSHIP_LOCK = 0x7470_6d62; // "tpmb"
const INVITATION_REFUSED =
  'This invitation link does not work: it was already used, revoked, has expired, or was never issued. Ask an administrator for a new one.';

/** Who makes a change, for the audit log. */
export interface PeopleActor {
  actor: string;
  channel: Channel;
  tokenId?: string | null;
}

export interface MemberInfo {
  userId: string;
  name: string;
  email: string;
  role: string | null;
  /** Their roles: their role assignments, else the role their `user.role` maps to. */
  roles: string[];
  active: boolean;
  /** When they last signed in (opened a session), if ever. */
  lastSignInAt: Date | null;
}

export interface InvitationInfo {
  id: string;
  userId: string;
  email: string;
  role: string;
  /** The roles the invitee was given (assigned when invited); null: those `role` maps to. */
  roles: string[] | null;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
}

interface InvitationRow {
  id: string;
  workspace_id: number;
  user_id: string;
  email: string;
  role: string;
  accepted_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date;
}

function checkName(name: unknown, issues: Issue[]): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 100) {
    issues.push({ path: 'name', message: 'must be a name of 1 to 100 characters' });
    return '';
  }
  return name.trim();
}

function checkEmail(email: unknown, issues: Issue[]): string {
  const address = typeof email === 'string' ? normaliseEmail(email) : '';
  if (!EMAIL_SHAPE.test(address) || address.length > 254) {
    issues.push({ path: 'email', message: `${JSON.stringify(email)} is not an email address` });
  }
  return address;
}

export class People {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  get #db() {
    return this.#engine.db;
  }

  /** The role values the workspace's `user` entity allows (its select options). */
  async #roles(slug: string): Promise<string[]> {
    const metadata = await this.#engine.metadata(slug);
    const field = metadata.byName.get('user')?.fields.find((f) => f.name === 'role') as
      | { options?: { value: string }[] }
      | undefined;
    return (field?.options ?? []).map((o) => o.value);
  }

  async #checkRole(slug: string, role: unknown, issues: Issue[]): Promise<string> {
    const roles = await this.#roles(slug);
    if (typeof role !== 'string' || !roles.includes(role)) {
      issues.push({ path: 'role', message: `${JSON.stringify(role)} is not a role`, allowed: roles });
      return '';
    }
    return role;
  }

  /** The workspace's members: membership rows joined to their `user` records. */
  async members(slug: string): Promise<MemberInfo[]> {
    const workspace = await this.#engine.getWorkspace(slug);
    const rows = await this.#db.query<{ user_id: string; email: string; last_sign_in: Date | null }>(
      `select m.user_id, c.email,
         (select max(s.created_at) from ${S}.session s where s.credential_id = c.id) as last_sign_in
       from ${S}.membership m join ${S}.credential c on c.id = m.credential_id
       where m.workspace_id = $1 order by c.email`,
      [workspace.id],
    );
    if (rows.length === 0) return [];
    const records = this.#engine.records({ workspace: slug, actor: 'system', channel: 'system' });
    const users = await records.list({
      entity: 'user',
      filter: { id: { in: rows.map((r) => r.user_id) } },
      selection: { fields: ['id', 'name', 'role', 'active'], relations: [] },
      first: rows.length,
    });
    const byId = new Map(users.nodes.map((u) => [u.id as string, u]));
    const roles = await assignedRoles(this.#db, await this.#engine.metadata(slug), [...byId.keys()]);
    return rows.flatMap((r) => {
      const user = byId.get(r.user_id);
      if (!user) return [];
      return [
        {
          userId: r.user_id,
          name: user.name as string,
          email: r.email,
          role: (user.role as string | null) ?? null,
          roles: roles.get(r.user_id) ?? [],
          active: user.active !== false,
          lastSignInAt: r.last_sign_in ? new Date(r.last_sign_in) : null,
        },
      ];
    });
  }

  /** Invitations of the workspace that can still be accepted, newest first. */
  async invitations(slug: string): Promise<InvitationInfo[]> {
    const workspace = await this.#engine.getWorkspace(slug);
    return this.#db.query<InvitationInfo>(
      `select id, user_id as "userId", email, role, roles, created_by as "createdBy", created_at as "createdAt",
         expires_at as "expiresAt"
       from ${S}.invitation
       where workspace_id = $1 and accepted_at is null and revoked_at is null and expires_at > $2
       order by created_at desc`,
      [workspace.id, this.#engine.clock.now()],
    );
  }

  /**
   * Invites someone by email with a role: finds or creates their `user` record (giving it the role), and
   * makes a one-time invitation valid for INVITATION_DAYS. An earlier pending invitation of the same email
   * is revoked. The secret is answered here once; only its hash is kept.
   */
  async invite(
    slug: string,
    input: { email: string; name: string; role: string; roles?: string[] | null },
    by: PeopleActor,
  ): Promise<{ secret: string; invitation: InvitationInfo }> {
    const workspace = await this.#engine.getWorkspace(slug);
    const issues: Issue[] = [];
    const email = checkEmail(input.email, issues);
    const name = checkName(input.name, issues);
    const role = await this.#checkRole(slug, input.role, issues);
    const roles = input.roles == null ? null : await this.#checkRoles(slug, input.roles, issues);
    if (issues.length > 0) throw validationFailed('The invitation cannot be made.', issues);
    const [member] = await this.#db.query<{ user_id: string }>(
      `select m.user_id from ${S}.membership m join ${S}.credential c on c.id = m.credential_id
       where m.workspace_id = $1 and c.email = $2 and c.password_hash is not null`,
      [workspace.id, email],
    );
    if (member) {
      throw new TouchpointError('CONFLICT', `${email} is already a member of this workspace.`, {
        issues: [{ path: 'email', message: 'already a member; change their role on the users screen instead' }],
      });
    }
    const records = this.#engine.records({
      workspace: slug,
      actor: by.actor,
      channel: by.channel,
      // The API checked manageUsers; the user records are written for the administrator, not as them.
      fullAccess: true,
      ...(by.tokenId ? { tokenId: by.tokenId } : {}),
    });
    const found = await records.list({
      entity: 'user',
      filter: { email: { eq: email } },
      selection: { fields: ['id', 'role', 'active'], relations: [] },
      first: 1,
    });
    const existing = found.nodes[0];
    let userId: string;
    if (existing) {
      userId = existing.id as string;
      if (existing.role !== role || existing.active === false) {
        await records.update('user', userId, { role, active: true });
      }
    } else {
      userId = (await records.create('user', { name, email, role, active: true })).id;
    }
    const secret = randomBytes(32).toString('base64url');
    const now = this.#engine.clock.now();
    const invitation: InvitationInfo = {
      id: randomUUID(),
      userId,
      email,
      role,
      roles,
      createdBy: by.actor,
      createdAt: now,
      expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000),
    };
    await this.#db.transaction(async (tx) => {
      const replaced = await tx.query<{ id: string }>(
        `update ${S}.invitation set revoked_at = $3
         where workspace_id = $1 and email = $2 and accepted_at is null and revoked_at is null returning id`,
        [workspace.id, email, now],
      );
      await tx.query(
        `insert into ${S}.invitation (id, secret_hash, workspace_id, user_id, email, role, roles, created_by, created_at, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          invitation.id,
          hashSecret(secret),
          workspace.id,
          userId,
          email,
          role,
          roles,
          by.actor,
          now,
          invitation.expiresAt,
        ],
      );
      if (roles) await this.#writeRoles(tx, workspace, slug, userId, roles, by);
      await this.#audit(tx, slug, by, 'invitation.created', userId, {
        invitation: invitation.id,
        email,
        role,
        ...(roles ? { roles } : {}),
        expiresAt: invitation.expiresAt.toISOString(),
        ...(replaced.length > 0 ? { replaced: replaced.map((r) => r.id) } : {}),
      });
    });
    if (roles) this.#engine.permissions.invalidate(slug);
    return { secret, invitation };
  }

  /** Revokes a pending invitation of the workspace; NOT_FOUND when there is none by that id. */
  async revokeInvitation(slug: string, id: string, by: PeopleActor): Promise<void> {
    const workspace = await this.#engine.getWorkspace(slug);
    const done = await this.#db.transaction(async (tx) => {
      const rows = /^[0-9a-f-]{36}$/i.test(id)
        ? await tx.query<{ user_id: string; email: string }>(
            `update ${S}.invitation set revoked_at = $3
             where id = $1 and workspace_id = $2 and accepted_at is null and revoked_at is null
             returning user_id, email`,
            [id, workspace.id, this.#engine.clock.now()],
          )
        : [];
      const [row] = rows;
      if (!row) return false;
      await this.#audit(tx, slug, by, 'invitation.revoked', row.user_id, { invitation: id, email: row.email });
      return true;
    });
    if (!done) {
      throw new TouchpointError('NOT_FOUND', `There is no pending invitation "${id}".`, {
        issues: [{ path: 'id', message: 'not a pending invitation of this workspace; invitations lists them' }],
      });
    }
  }

  /** The email an invitation secret was issued for, while it can still be accepted; undefined otherwise. */
  async invitationEmail(secret: string): Promise<string | undefined> {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 100) return undefined;
    const [row] = await this.#db.query<{ email: string }>(
      `select email from ${S}.invitation
       where secret_hash = $1 and accepted_at is null and revoked_at is null and expires_at > $2`,
      [hashSecret(secret), this.#engine.clock.now()],
    );
    return row?.email;
  }

  /**
   * Accepts an invitation: sets the password of the invitee's credential (made if missing), adds the
   * membership and spends the invitation, in one transaction. An email that already has a password (a member
   * of another workspace) must give that password: an invitation never replaces a password someone set.
   * Every refusal of the secret says the same thing, whatever the reason.
   */
  async acceptInvitation(
    secret: string,
    password: string,
  ): Promise<{ credentialId: number; workspace: string; userId: string; email: string }> {
    checkPassword(password);
    const refused = () =>
      new TouchpointError('NOT_FOUND', INVITATION_REFUSED, {
        issues: [{ path: 'secret', message: 'not an invitation that can be accepted' }],
      });
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 100) throw refused();
    const hash = await hashPassword(password);
    return this.#db.transaction(async (tx) => {
      const [invitation] = await tx.query<InvitationRow & { slug: string }>(
        `select i.*, w.slug from ${S}.invitation i join ${S}.workspace w on w.id = i.workspace_id
         where i.secret_hash = $1 for update of i`,
        [hashSecret(secret)],
      );
      const now = this.#engine.clock.now();
      if (
        !invitation ||
        invitation.accepted_at !== null ||
        invitation.revoked_at !== null ||
        new Date(invitation.expires_at).getTime() <= now.getTime()
      ) {
        throw refused();
      }
      const [credential] = await tx.query<{ id: number; password_hash: string | null }>(
        `select id, password_hash from ${S}.credential where email = $1 for update`,
        [invitation.email],
      );
      let credentialId: number;
      if (credential?.password_hash) {
        const ok = await argon2.verify(credential.password_hash, password).catch(() => false);
        if (!ok) {
          throw validationFailed('This email already has a password: enter it to join the workspace.', [
            { path: 'password', message: 'does not match the password this email already signs in with' },
          ]);
        }
        credentialId = credential.id;
      } else if (credential) {
        await tx.query(`update ${S}.credential set password_hash = $2, updated_at = $3 where id = $1`, [
          credential.id,
          hash,
          now,
        ]);
        credentialId = credential.id;
      } else {
        const [row] = await tx.query<{ id: number }>(
          `insert into ${S}.credential (email, password_hash, created_at, updated_at) values ($1, $2, $3, $3) returning id`,
          [invitation.email, hash, now],
        );
        credentialId = row!.id;
      }
      await tx.query(
        `insert into ${S}.membership (credential_id, workspace_id, user_id, created_at) values ($1, $2, $3, $4)
         on conflict (credential_id, workspace_id) do update set user_id = excluded.user_id`,
        [credentialId, invitation.workspace_id, invitation.user_id, now],
      );
      await tx.query(`update ${S}.invitation set accepted_at = $2 where id = $1`, [invitation.id, now]);
      const common = {
        workspace: invitation.slug,
        actor: invitation.user_id,
        channel: 'web' as const,
        entity: 'user',
        recordId: invitation.user_id,
      };
      await this.#engine.audit.append(tx, [
        { ...common, action: 'invitation.accepted', details: { invitation: invitation.id, email: invitation.email } },
        { ...common, action: 'membership.added', details: { email: invitation.email, role: invitation.role } },
      ]);
      return { credentialId, workspace: invitation.slug, userId: invitation.user_id, email: invitation.email };
    });
  }

  /** The credential of a workspace member, or NOT_FOUND. */
  async #member(sql: Sql, workspaceId: number, userId: string): Promise<{ credentialId: number; email: string }> {
    const [row] = /^[0-9a-f-]{36}$/i.test(userId)
      ? await sql.query<{ credential_id: number; email: string }>(
          `select m.credential_id, c.email from ${S}.membership m join ${S}.credential c on c.id = m.credential_id
           where m.workspace_id = $1 and m.user_id = $2`,
          [workspaceId, userId],
        )
      : [];
    if (!row) {
      throw new TouchpointError('NOT_FOUND', `There is no member "${userId}" in this workspace.`, {
        issues: [{ path: 'userId', message: 'not a member of this workspace; members lists them' }],
      });
    }
    return { credentialId: row.credential_id, email: row.email };
  }

  /** Appends the audit row of a change `by` someone to a `user` of workspace `slug`, in the change's `sql`. */
  #audit(sql: Sql, slug: string, by: PeopleActor, action: string, userId: string, details: Record<string, unknown>) {
    return this.#engine.audit.append(sql, {
      workspace: slug,
      actor: by.actor,
      tokenId: by.tokenId ?? null,
      channel: by.channel,
      action,
      entity: 'user',
      recordId: userId,
      details,
    });
  }

  /**
   * One change of a member, all in one transaction: the workspace's membership changes are serialised by an
   * advisory lock of the transaction (so two admins demoting each other at the same moment take turns), the
   * member is looked up, `write` makes the change (through the transaction's record service, so the `user`
   * record's own audit row, hooks and events apply) and appends its `membership.*` row, and then — after the
   * write, seeing it — the workspace must still have an active administrator if the member was one, or the
   * whole change, audit rows included, rolls back with CONFLICT.
   */
  async #memberChange(
    slug: string,
    userId: string,
    by: PeopleActor,
    what: string,
    write: (
      change: RecordTransaction & { sql: Sql; workspaceId: number; member: { credentialId: number; email: string } },
    ) => Promise<void>,
  ): Promise<void> {
    const workspace = await this.#engine.getWorkspace(slug);
    const context = {
      workspace: slug,
      actor: by.actor,
      channel: by.channel,
      // The API checked manageUsers; the user records are written for the administrator, not as them.
      fullAccess: true,
      ...(by.tokenId ? { tokenId: by.tokenId } : {}),
    };
    await recordTransaction(this.#engine, context, async (change) => {
      const sql = change.reader;
      await sql.query('select pg_advisory_xact_lock($1, $2)', [MEMBERSHIP_LOCK, workspace.id]);
      const member = await this.#member(sql, workspace.id, userId);
      const before = await this.#activeAdmins(change.records, sql, slug, workspace.id);
      await write({ ...change, sql, workspaceId: workspace.id, member });
      if (!before.includes(userId)) return;
      const after = await this.#activeAdmins(change.records, sql, slug, workspace.id);
      if (after.length === 0) {
        throw new TouchpointError(
          'CONFLICT',
          `${member.email} is the last active administrator of this workspace and cannot be ${what}.`,
          { issues: [{ path: 'userId', message: 'make another member an administrator first' }] },
        );
      }
    });
  }

  /**
   * The user ids of the workspace's active members holding the `admin` role (by assignment, or by the role
   * their `user.role` maps to), as the transaction sees them.
   */
  async #activeAdmins(records: RecordService, sql: Sql, slug: string, workspaceId: number): Promise<string[]> {
    const rows = await sql.query<{ user_id: string }>(`select user_id from ${S}.membership where workspace_id = $1`, [
      workspaceId,
    ]);
    if (rows.length === 0) return [];
    const active = await records.list({
      entity: 'user',
      filter: { id: { in: rows.map((r) => r.user_id) }, active: { eq: true } },
      selection: { fields: ['id'], relations: [] },
      first: rows.length,
    });
    const ids = active.nodes.map((u) => u.id as string);
    const roles = await assignedRoles(sql, await this.#engine.metadata(slug), ids);
    return ids.filter((id) => roles.get(id)?.includes(ADMIN_ROLE));
  }

  /**
   * Gives a member another role: a write of their `user` record (audited as such) and `membership.roleChanged`,
   * in one transaction. The last active administrator cannot be given another role.
   */
  async changeRole(slug: string, userId: string, role: string, by: PeopleActor): Promise<void> {
    const issues: Issue[] = [];
    const checked = await this.#checkRole(slug, role, issues);
    if (issues.length > 0) throw validationFailed('The role cannot be changed.', issues);
    await this.#memberChange(slug, userId, by, 'given another role', async ({ records, sql, workspaceId, member }) => {
      const current = await records.get('user', userId, { fields: ['role'], relations: [] });
      await records.update('user', userId, { role: checked });
      const from = (current?.role as string | null | undefined) ?? null;
      await this.#audit(sql, slug, by, 'membership.roleChanged', userId, { email: member.email, from, to: checked });
      // The role they now have is the one this value maps to: assignments made before give way to it.
      const [had] = await sql.query<{ n: number }>(
        `select count(*)::int as n from ${S}.role_assignment where workspace_id = $1 and user_id = $2`,
        [workspaceId, userId],
      );
      if (had!.n > 0) await this.#writeRoles(sql, { id: workspaceId }, slug, userId, [], by);
    });
    this.#engine.permissions.invalidate(slug);
  }

  /**
   * Gives a member exactly these roles (role assignments, audited as `membership.roles` with the roles
   * before and after), in one transaction under the membership lock. Every role must exist; at least one is
   * needed; the last active administrator keeps `admin`. Counts on the member's next request.
   */
  async setRoles(slug: string, userId: string, roles: unknown, by: PeopleActor): Promise<string[]> {
    const issues: Issue[] = [];
    const checked = await this.#checkRoles(slug, roles, issues);
    if (issues.length > 0) throw validationFailed('The roles cannot be given.', issues);
    const what = `given the roles ${checked.join(', ')}`;
    await this.#memberChange(slug, userId, by, what, ({ sql, workspaceId }) =>
      this.#writeRoles(sql, { id: workspaceId }, slug, userId, checked, by),
    );
    this.#engine.permissions.invalidate(slug);
    return checked;
  }

  /** Roles must be a non-empty list of role names of the workspace's permission model, each once. */
  async #checkRoles(slug: string, roles: unknown, issues: Issue[]): Promise<string[]> {
    const known = (await this.#engine.metadata(slug)).permissions.roles.map((r) => r.name);
    if (!Array.isArray(roles) || roles.length === 0) {
      issues.push({ path: 'roles', message: 'must be a list of at least one role', allowed: known });
      return [];
    }
    const result: string[] = [];
    roles.forEach((role, i) => {
      if (typeof role !== 'string' || !known.includes(role)) {
        issues.push({ path: `roles[${i}]`, message: `${JSON.stringify(role)} is not a role`, allowed: known });
      } else if (!result.includes(role)) result.push(role);
    });
    return result.sort();
  }

  /** Replaces a user's role assignments in `tx` and writes the `membership.roles` audit row. */
  async #writeRoles(
    tx: Sql,
    workspace: { id: number },
    slug: string,
    userId: string,
    roles: readonly string[],
    by: PeopleActor,
  ): Promise<void> {
    const before = await tx.query<{ role: string }>(
      `delete from ${S}.role_assignment where workspace_id = $1 and user_id = $2 returning role`,
      [workspace.id, userId],
    );
    if (roles.length > 0) {
      await tx.query(
        `insert into ${S}.role_assignment (workspace_id, user_id, role) select $1, $2, unnest($3::text[])`,
        [workspace.id, userId, roles],
      );
    }
    await this.#audit(tx, slug, by, 'membership.roles', userId, {
      before: before.map((r) => r.role).sort(),
      after: [...roles],
    });
  }

  /**
   * Deactivates or reactivates a member. Deactivated, their user record is marked inactive (so no request
   * of theirs is served in this workspace) and, when this is their only workspace, their sessions and API
   * tokens are revoked — all in the transaction that writes the audit row.
   */
  async setActive(slug: string, userId: string, active: boolean, by: PeopleActor): Promise<void> {
    await this.#memberChange(slug, userId, by, 'deactivated', async ({ records, sql, workspaceId, member }) => {
      await records.update('user', userId, { active });
      const ended = active ? undefined : await this.#endAccess(sql, member.credentialId, workspaceId);
      const action = active ? 'membership.reactivated' : 'membership.deactivated';
      await this.#audit(sql, slug, by, action, userId, { email: member.email, ...(ended ?? {}) });
    });
    this.#engine.permissions.invalidate(slug);
  }

  /**
   * Removes a member from the workspace: the membership goes (their user record stays, since records name
   * it as owner), pending invitations for them are revoked, and — when this was their only workspace — their
   * sessions and API tokens, all in one transaction with the audit row.
   */
  async removeMember(slug: string, userId: string, by: PeopleActor): Promise<void> {
    await this.#memberChange(slug, userId, by, 'removed', async ({ sql, workspaceId, member }) => {
      await sql.query(`delete from ${S}.membership where workspace_id = $1 and user_id = $2`, [workspaceId, userId]);
      await sql.query(
        `update ${S}.invitation set revoked_at = $3
         where workspace_id = $1 and user_id = $2 and accepted_at is null and revoked_at is null`,
        [workspaceId, userId, this.#engine.clock.now()],
      );
      const ended = await this.#endAccess(sql, member.credentialId, workspaceId);
      await this.#audit(sql, slug, by, 'membership.removed', userId, { email: member.email, ...ended });
    });
  }

  /** Revokes a credential's sessions and tokens unless it is a member of another workspace. */
  async #endAccess(
    tx: Sql,
    credentialId: number,
    workspaceId: number,
  ): Promise<{ sessionsEnded: number; tokensRevoked: number }> {
    const [other] = await tx.query(
      `select 1 from ${S}.membership where credential_id = $1 and workspace_id <> $2 limit 1`,
      [credentialId, workspaceId],
    );
    if (other) return { sessionsEnded: 0, tokensRevoked: 0 };
    const now = this.#engine.clock.now();
    const sessions = await tx.query(
      `update ${S}.session set revoked_at = $2 where credential_id = $1 and revoked_at is null returning id`,
      [credentialId, now],
    );
    const tokens = await tx.query(
      `update ${S}.api_token set revoked_at = $2 where credential_id = $1 and revoked_at is null returning id`,
      [credentialId, now],
    );
    return { sessionsEnded: sessions.length, tokensRevoked: tokens.length };
  }

  /** Whether Touchpoint still waits for its first administrator: no credential exists at all. */
  async setupNeeded(): Promise<boolean> {
    const [row] = await this.#db.query<{ any: boolean }>(`select exists (select 1 from ${S}.credential) as any`);
    return !row?.any;
  }

  /**
   * Makes the first administrator, only while no credential exists. The check and the credential's insert
   * run under an exclusive lock of the credential table, so of two concurrent calls one makes the
   * administrator and the other is refused.
   */
  async setupFirstAdmin(
    slug: string,
    input: { name: string; email: string; password: string },
  ): Promise<{ credentialId: number; userId: string }> {
    const issues: Issue[] = [];
    const name = checkName(input.name, issues);
    const email = checkEmail(input.email, issues);
    try {
      checkPassword(input.password);
    } catch (error) {
      issues.push(...((error as TouchpointError).issues ?? []));
    }
    if (issues.length > 0) throw validationFailed('The first administrator cannot be made.', issues);
    const workspace = await this.#engine.getWorkspace(slug);
    const hash = await hashPassword(input.password);
    const now = this.#engine.clock.now();
    const credentialId = await this.#db.transaction(async (tx) => {
      await tx.query(`lock table ${S}.credential in exclusive mode`);
      const [any] = await tx.query(`select 1 from ${S}.credential limit 1`);
      if (any) {
        throw new TouchpointError('FORBIDDEN', 'Touchpoint is already set up: sign in instead.', {
          issues: [{ path: 'setup', message: 'an account exists already; the setup runs only on the first start' }],
        });
      }
      const [row] = await tx.query<{ id: number }>(
        `insert into ${S}.credential (email, password_hash, created_at, updated_at) values ($1, $2, $3, $3) returning id`,
        [email, hash, now],
      );
      return row!.id;
    });
    const records = this.#engine.records({ workspace: slug, actor: 'system', channel: 'web' });
    const found = await records.list({
      entity: 'user',
      filter: { email: { eq: email } },
      selection: { fields: ['id'], relations: [] },
      first: 1,
    });
    const existing = found.nodes[0]?.id as string | undefined;
    if (existing) await records.update('user', existing, { role: ADMIN_ROLE, active: true });
    const userId = existing ?? (await records.create('user', { name, email, role: ADMIN_ROLE, active: true })).id;
    await this.#db.transaction(async (tx) => {
      await tx.query(
        `insert into ${S}.membership (credential_id, workspace_id, user_id, created_at) values ($1, $2, $3, $4)`,
        [credentialId, workspace.id, userId, now],
      );
      const details = { email, role: ADMIN_ROLE, firstAdministrator: true };
      await this.#audit(tx, slug, { actor: userId, channel: 'web' }, 'membership.added', userId, details);
    });
    return { credentialId, userId };
  }
}
