// Who someone is: credentials (email + argon2id password hash), workspace memberships (a credential is a
// `user` record in each workspace it belongs to), sessions and API tokens, and the counters that slow down
// guessing. Everything is in PostgreSQL (see tables.ts), so any number of API instances serve the same users.
// Every instant comes from the engine's clock, so expiry is testable without waiting.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isUuid, TouchpointError, validationFailed } from '@touchpoint/schema';
import argon2 from 'argon2';
import { type AuditEntry, appendAudit, type Channel } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { Database, Sql } from '../db.ts';
import { SYSTEM_SCHEMA } from '../system-entities.ts';

const S = SYSTEM_SCHEMA;

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and in any case this long after sign-in. */
export const SESSION_ABSOLUTE_MS = 14 * 24 * 60 * 60 * 1000;
/** A session's or token's last use is written at most this often (a write per request would cost more). */
const TOUCH_EVERY_MS = 60 * 1000;
/** Failed sign-ins free of delay, per account and per address, before each further one locks for longer. */
export const FREE_FAILURES = { account: 5, address: 20 } as const;
/** The first lock, doubled with each further failure, up to the longest. */
const FIRST_LOCK_S = 30;
const LONGEST_LOCK_S = 15 * 60;
/** Failures older than this are forgotten. */
const FAILURE_MEMORY_MS = 60 * 60 * 1000;
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;
export const MAX_TOKEN_DAYS = 366;
export const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface Membership {
  workspace: string;
  userId: string;
}

/** Who a request is, once its session cookie or bearer token checked out. */
export interface Principal {
  credentialId: number;
  email: string;
  memberships: Membership[];
  /** The session it came with (a browser), or the API token. */
  sessionId?: string;
  tokenId?: string;
}

export interface SessionInfo {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  address: string | null;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
}

/**
 * Who changes an identity, for the audit row the change writes in its own transaction. With `workspace`, one
 * row goes to that workspace (a signed-in request acting in it); without, one row goes to each workspace of
 * the credential concerned, with its user id there as the actor unless `actor` names someone else (`cli`).
 */
export interface IdentityAudit {
  channel: Channel;
  workspace?: string;
  actor?: string;
  tokenId?: string;
  address?: string;
  userAgent?: string;
}

/** The longest email a failed sign-in's audit row keeps of what was typed. */
export const AUDITED_EMAIL_LENGTH = 200;

/**
 * What a failed sign-in's row names as its actor: the email as typed, capped — unless it is not shaped like an
 * address at all, which is how a password typed into the email box looks, and must not be kept.
 */
export function attemptedEmail(email: string): string {
  const typed = email.trim().replaceAll('\u0000', '');
  if (!EMAIL_SHAPE.test(typed)) return '(not an email address)';
  return typed.length > AUDITED_EMAIL_LENGTH ? `${typed.slice(0, AUDITED_EMAIL_LENGTH - 1)}…` : typed;
}

const SIGN_IN_REFUSED = 'The email or password is not right.';

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkPassword(password: unknown, path = 'password'): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw validationFailed('The password is not acceptable.', [
      {
        path,
        message: `must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, got ${typeof password === 'string' ? password.length : typeof password}`,
      },
    ]);
  }
  return password;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

interface PrincipalRow {
  id: string;
  credential_id: number;
  email: string;
  last_seen: Date;
  expires_at: Date;
  memberships: Membership[];
}

export class Identity {
  readonly #db: Database;
  readonly #clock: Clock;
  /** Verified against when the email is unknown, so both refusals cost the same time. */
  #decoy: Promise<string> | undefined;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Makes a credential for an email (or sets a new password on it); returns its id. */
  async setCredential(email: string, password?: string, sql: Sql = this.#db): Promise<number> {
    const address = normaliseEmail(email);
    if (!EMAIL_SHAPE.test(address)) {
      throw validationFailed('The email is not valid.', [{ path: 'email', message: `"${email}" is not an address` }]);
    }
    const hash = password === undefined ? null : await hashPassword(checkPassword(password));
    const now = this.#clock.now();
    const [row] = await sql.query<{ id: number }>(
      `insert into ${S}.credential (email, password_hash, created_at, updated_at) values ($1, $2, $3, $3)
       on conflict (email) do update set password_hash = coalesce(excluded.password_hash, ${S}.credential.password_hash),
         updated_at = excluded.updated_at
       returning id`,
      [address, hash, now],
    );
    return row!.id;
  }

  /**
   * Lets an email sign in to a workspace as one of its users: the credential (with the password, when given)
   * and the membership, with a `membership.added` audit row, in one transaction. Returns the credential id.
   */
  async addMember(
    input: { email: string; password?: string; workspaceId: number; userId: string; role?: string },
    by: IdentityAudit,
  ): Promise<number> {
    const hash = input.password === undefined ? undefined : await hashPassword(checkPassword(input.password));
    return this.#db.transaction(async (tx) => {
      const credentialId = await this.setCredential(input.email, undefined, tx);
      if (hash !== undefined) {
        await tx.query(`update ${S}.credential set password_hash = $2 where id = $1`, [credentialId, hash]);
      }
      const [row] = await tx.query<{ slug: string; previous: string | null }>(
        `with previous as (select user_id from ${S}.membership where credential_id = $1 and workspace_id = $2)
         insert into ${S}.membership (credential_id, workspace_id, user_id, created_at) values ($1, $2, $3, $4)
         on conflict (credential_id, workspace_id) do update set user_id = excluded.user_id
         returning (select slug from ${S}.workspace where id = $2) as slug,
           (select user_id::text from previous) as previous`,
        [credentialId, input.workspaceId, input.userId, this.#clock.now()],
      );
      const details: Record<string, unknown> = { email: normaliseEmail(input.email), passwordSet: hash !== undefined };
      if (row!.previous && row!.previous !== input.userId) details.previousUserId = row!.previous;
      await this.#append(tx, [
        {
          ...this.#entry(by, 'membership.added', details),
          workspace: row!.slug,
          actor: by.actor ?? input.userId,
          entity: 'user',
          recordId: input.userId,
        },
      ]);
      return credentialId;
    });
  }

  /** The credential of a workspace's user, or undefined when the user cannot sign in. */
  async credentialOfUser(workspaceId: number, userId: string): Promise<{ id: number; email: string } | undefined> {
    const [row] = await this.#db.query<{ id: number; email: string }>(
      `select c.id, c.email from ${S}.membership m join ${S}.credential c on c.id = m.credential_id
       where m.workspace_id = $1 and m.user_id = $2`,
      [workspaceId, userId],
    );
    return row;
  }

  async credentialByEmail(email: string): Promise<{ id: number; email: string } | undefined> {
    const [row] = await this.#db.query<{ id: number; email: string }>(
      `select id, email from ${S}.credential where email = $1`,
      [normaliseEmail(email)],
    );
    return row;
  }

  /** The address and user agent of the request, for an audit row's details. */
  #details(by: IdentityAudit): Record<string, unknown> {
    return {
      ...(by.address ? { address: by.address } : {}),
      ...(by.userAgent ? { userAgent: by.userAgent.slice(0, 300) } : {}),
    };
  }

  #entry(by: IdentityAudit, action: string, details: Record<string, unknown> = {}): AuditEntry {
    return {
      actor: by.actor ?? 'system',
      channel: by.channel,
      action,
      ...(by.tokenId ? { tokenId: by.tokenId } : {}),
      details: { ...this.#details(by), ...details },
    };
  }

  #append(sql: Sql, entries: AuditEntry[]): Promise<void> {
    return appendAudit(sql, this.#clock.sql, entries);
  }

  /**
   * Appends an identity event about a credential: in `by.workspace` when a signed-in request acts there,
   * else once in each workspace the credential belongs to (with its user id there as the actor), else — a
   * credential of no workspace yet — once without a workspace.
   */
  async #audit(
    sql: Sql,
    credentialId: number | undefined,
    action: string,
    by: IdentityAudit,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    const entry = this.#entry(by, action, details);
    if (by.workspace) {
      await this.#append(sql, [{ ...entry, workspace: by.workspace }]);
      return;
    }
    const members =
      credentialId === undefined
        ? []
        : await sql.query<{ slug: string; user_id: string }>(
            `select w.slug, m.user_id from ${S}.membership m join ${S}.workspace w on w.id = m.workspace_id
             where m.credential_id = $1 order by w.id`,
            [credentialId],
          );
    await this.#append(
      sql,
      members.length === 0
        ? [{ ...entry, actor: by.actor ?? (credentialId === undefined ? 'system' : `credential:${credentialId}`) }]
        : members.map((m) => ({ ...entry, workspace: m.slug, actor: by.actor ?? m.user_id })),
    );
  }

  /**
   * Checks an email and password and opens a session. Refusals never say whether the email exists: the same
   * message, and an unknown email is verified against a decoy hash so it takes as long. Failures are counted
   * per account and per address; past the free ones, sign-in is refused with a retry-after until the lock ends.
   * A session opened writes `session.signedIn` in its transaction; every refusal appends
   * `session.signInFailed` naming the email as typed (see attemptedEmail), never the password.
   */
  async signIn(
    email: string,
    password: string,
    meta: { address?: string; userAgent?: string } = {},
  ): Promise<{ token: string; sessionId: string; principal: Principal }> {
    const address = normaliseEmail(email);
    const by: IdentityAudit = { channel: 'web', ...meta };
    const keys = [`account:${address}`, ...(meta.address ? [`address:${meta.address}`] : [])];
    const [row] = await this.#db.query<{ id: number; password_hash: string | null }>(
      `select id, password_hash from ${S}.credential where email = $1`,
      [address],
    );
    const failed = (reason: string) =>
      this.#audit(this.#db, row?.id, 'session.signInFailed', { ...by, actor: attemptedEmail(email) }, { reason });
    try {
      await this.#checkThrottle(keys);
    } catch (error) {
      await failed('paused');
      throw error;
    }
    let ok = false;
    if (row?.password_hash) {
      ok = await argon2.verify(row.password_hash, password).catch(() => false);
    } else {
      this.#decoy ??= hashPassword(randomBytes(16).toString('hex'));
      await argon2.verify(await this.#decoy, password).catch(() => false);
    }
    if (!ok || !row) {
      const retryAfter = await this.#countFailure(keys);
      // A failure changes nothing that could roll back: its row is appended on its own.
      await failed(row ? 'wrongPassword' : 'unknownEmail');
      throw new TouchpointError('UNAUTHENTICATED', SIGN_IN_REFUSED, {
        issues: [{ path: 'password', message: 'the email and password do not match an account' }],
        ...(retryAfter > 0 ? { details: { retryAfterSeconds: retryAfter } } : {}),
      });
    }
    return this.openSession(row.id, meta, { clearThrottle: keys[0] });
  }

  /**
   * Opens a session for a credential whose secret was just proven some other way (a password at sign-in, an
   * invitation's secret, the first start's setup). Never call it for a credential nobody proved. Writes
   * `session.signedIn` in its transaction; `clearThrottle` forgets the account's failed sign-ins there too.
   */
  async openSession(
    credentialId: number,
    meta: { address?: string; userAgent?: string } = {},
    options: { clearThrottle?: string } = {},
  ): Promise<{ token: string; sessionId: string; principal: Principal }> {
    const by: IdentityAudit = { channel: 'web', ...meta };
    const token = randomBytes(32).toString('base64url');
    const sessionId = randomUUID();
    const now = this.#clock.now();
    await this.#db.transaction(async (tx) => {
      if (options.clearThrottle) {
        await tx.query(`delete from ${S}.signin_throttle where key = $1`, [options.clearThrottle]);
      }
      await tx.query(
        `insert into ${S}.session (id, token_hash, credential_id, created_at, last_seen_at, expires_at, user_agent, address)
         values ($1, $2, $3, $4, $4, $5, $6, $7)`,
        [
          sessionId,
          hashSecret(token),
          credentialId,
          now,
          new Date(now.getTime() + SESSION_ABSOLUTE_MS),
          meta.userAgent?.slice(0, 300) ?? null,
          meta.address ?? null,
        ],
      );
      await this.#audit(tx, credentialId, 'session.signedIn', by, { sessionId });
    });
    const principal = await this.authenticateSession(token);
    if (!principal) throw new Error('A session just opened did not authenticate.');
    return { token, sessionId, principal };
  }

  async #checkThrottle(keys: string[]): Promise<void> {
    const now = this.#clock.now();
    const rows = await this.#db.query<{ locked_until: Date }>(
      `select locked_until from ${S}.signin_throttle where key = any($1) and locked_until > $2`,
      [keys, now],
    );
    const until = Math.max(0, ...rows.map((r) => new Date(r.locked_until).getTime()));
    if (until > 0) {
      const retryAfterSeconds = Math.ceil((until - now.getTime()) / 1000);
      throw new TouchpointError(
        'LIMIT_EXCEEDED',
        `Too many failed sign-ins. Try again in ${retryAfterSeconds} seconds.`,
        {
          issues: [
            { path: 'email', message: `sign-in is paused for ${retryAfterSeconds} seconds after repeated failures` },
          ],
          details: { limit: 'signInAttempts', retryAfterSeconds },
        },
      );
    }
  }

  /** Counts a failure on each key; returns the seconds until the next attempt is allowed (0: now). */
  async #countFailure(keys: string[]): Promise<number> {
    const now = this.#clock.now();
    let lock = 0;
    for (const key of keys) {
      const [row] = await this.#db.query<{ failures: number }>(
        `insert into ${S}.signin_throttle (key, failures, last_failure_at) values ($1, 1, $2)
         on conflict (key) do update set
           failures = case when ${S}.signin_throttle.last_failure_at < $3 then 1 else ${S}.signin_throttle.failures + 1 end,
           last_failure_at = $2
         returning failures`,
        [key, now, new Date(now.getTime() - FAILURE_MEMORY_MS)],
      );
      const free = key.startsWith('account:') ? FREE_FAILURES.account : FREE_FAILURES.address;
      const over = row!.failures - free;
      if (over < 0) continue;
      const seconds = Math.min(FIRST_LOCK_S * 2 ** over, LONGEST_LOCK_S);
      await this.#db.query(`update ${S}.signin_throttle set locked_until = $2 where key = $1`, [
        key,
        new Date(now.getTime() + seconds * 1000),
      ]);
      lock = Math.max(lock, seconds);
    }
    return lock;
  }

  /** The principal of a live session (not revoked, not idle too long, not past its absolute expiry). */
  async authenticateSession(token: string): Promise<Principal | undefined> {
    const row = await this.#principalRow('session', 'last_seen_at', token);
    if (!row) return undefined;
    const now = this.#clock.now().getTime();
    const lastSeen = new Date(row.last_seen).getTime();
    if (now >= new Date(row.expires_at).getTime() || now >= lastSeen + SESSION_IDLE_MS) return undefined;
    if (now - lastSeen >= TOUCH_EVERY_MS) {
      await this.#db.query(`update ${S}.session set last_seen_at = $2 where id = $1`, [row.id, new Date(now)]);
    }
    return { credentialId: row.credential_id, email: row.email, memberships: row.memberships, sessionId: row.id };
  }

  /** The principal of a live API token (not revoked, not expired). */
  async authenticateToken(token: string): Promise<Principal | undefined> {
    const row = await this.#principalRow('api_token', 'coalesce(s.last_used_at, s.created_at)', token);
    if (!row) return undefined;
    const now = this.#clock.now().getTime();
    if (now >= new Date(row.expires_at).getTime()) return undefined;
    if (now - new Date(row.last_seen).getTime() >= TOUCH_EVERY_MS) {
      await this.#db.query(`update ${S}.api_token set last_used_at = $2 where id = $1`, [row.id, new Date(now)]);
    }
    return { credentialId: row.credential_id, email: row.email, memberships: row.memberships, tokenId: row.id };
  }

  async #principalRow(table: 'session' | 'api_token', lastSeen: string, token: string) {
    // One statement per request: the secret's row, its credential and every membership.
    const [row] = await this.#db.query<PrincipalRow>(
      `select s.id, s.credential_id, ${lastSeen.startsWith('coalesce') ? lastSeen : `s.${lastSeen}`} as last_seen,
         s.expires_at, c.email,
         coalesce((select json_agg(json_build_object('workspace', w.slug, 'userId', m.user_id) order by w.id)
           from ${S}.membership m join ${S}.workspace w on w.id = m.workspace_id
           where m.credential_id = c.id), '[]'::json) as memberships
       from ${S}.${table} s join ${S}.credential c on c.id = s.credential_id
       where s.token_hash = $1 and s.revoked_at is null`,
      [hashSecret(token)],
    );
    return row;
  }

  async listSessions(credentialId: number): Promise<SessionInfo[]> {
    const now = this.#clock.now();
    const rows = await this.#db.query<SessionInfo>(
      `select id, created_at as "createdAt", last_seen_at as "lastSeenAt", expires_at as "expiresAt",
         user_agent as "userAgent", address
       from ${S}.session
       where credential_id = $1 and revoked_at is null and expires_at > $2 and last_seen_at > $3
       order by last_seen_at desc`,
      [credentialId, now, new Date(now.getTime() - SESSION_IDLE_MS)],
    );
    return rows;
  }

  /**
   * Ends one of a credential's sessions; false when it has no such live session. Audited as `action`
   * (`session.revoked`, or `session.signedOut` when it is the request's own) in the same transaction.
   */
  async revokeSession(
    credentialId: number,
    sessionId: string,
    by: IdentityAudit,
    action: 'session.revoked' | 'session.signedOut' = 'session.revoked',
  ): Promise<boolean> {
    if (!isUuid(sessionId)) return false;
    return this.#db.transaction(async (tx) => {
      const rows = await tx.query(
        `update ${S}.session set revoked_at = $3 where id = $2 and credential_id = $1 and revoked_at is null returning id`,
        [credentialId, sessionId, this.#clock.now()],
      );
      if (rows.length === 0) return false;
      await this.#audit(tx, credentialId, action, by, { sessionId });
      return true;
    });
  }

  /** Ends every session of a credential (but `except`) with `sql`; returns how many. */
  async #revokeSessions(sql: Sql, credentialId: number, except?: string): Promise<number> {
    const rows = await sql.query(
      `update ${S}.session set revoked_at = $2
       where credential_id = $1 and revoked_at is null and ($3::uuid is null or id <> $3::uuid) returning id`,
      [credentialId, this.#clock.now(), except ?? null],
    );
    return rows.length;
  }

  /** Ends every session of a credential ("sign out everywhere"), audited in the same transaction; how many. */
  async revokeSessions(credentialId: number, by: IdentityAudit): Promise<number> {
    return this.#db.transaction(async (tx) => {
      const ended = await this.#revokeSessions(tx, credentialId);
      await this.#audit(tx, credentialId, 'session.signedOutEverywhere', by, { sessionsEnded: ended });
      return ended;
    });
  }

  /**
   * Sets a new password after checking the current one; every other session of the credential ends, and
   * `password.changed` is written, all in one transaction. A wrong current password changes nothing.
   */
  async changePassword(
    credentialId: number,
    current: string,
    next: string,
    by: IdentityAudit,
    keepSession?: string,
  ): Promise<void> {
    const [row] = await this.#db.query<{ email: string; password_hash: string | null }>(
      `select email, password_hash from ${S}.credential where id = $1`,
      [credentialId],
    );
    const ok = row?.password_hash ? await argon2.verify(row.password_hash, current).catch(() => false) : false;
    if (!ok) {
      throw validationFailed('The current password is not right.', [
        { path: 'current', message: 'does not match the password of this account' },
      ]);
    }
    const hash = await hashPassword(checkPassword(next, 'new'));
    await this.#db.transaction(async (tx) => {
      await tx.query(`update ${S}.credential set password_hash = $2, updated_at = $3 where id = $1`, [
        credentialId,
        hash,
        this.#clock.now(),
      ]);
      const ended = await this.#revokeSessions(tx, credentialId, keepSession);
      await this.#audit(tx, credentialId, 'password.changed', by, { sessionsEnded: ended });
    });
  }

  /**
   * A new API token for a credential: the secret is returned here once and stored only as its hash. Writes
   * `token.created` (its id, name, expiry, never the secret) in the same transaction.
   */
  async createToken(
    credentialId: number,
    name: string,
    expiresInDays: number,
    createdBy: number,
    by: IdentityAudit,
  ): Promise<{ token: string; info: ApiTokenInfo }> {
    const issues = [];
    if (typeof name !== 'string' || name.trim() === '' || name.length > 100)
      issues.push({ path: 'name', message: 'must be a name of 1 to 100 characters' });
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_TOKEN_DAYS)
      issues.push({
        path: 'expiresInDays',
        message: `must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}, got ${expiresInDays}`,
      });
    if (issues.length > 0) throw validationFailed('The API token cannot be created.', issues);
    const token = `tp_${randomBytes(32).toString('base64url')}`;
    const now = this.#clock.now();
    const info: ApiTokenInfo = {
      id: randomUUID(),
      name: name.trim(),
      createdAt: now,
      expiresAt: new Date(now.getTime() + expiresInDays * 86_400_000),
      lastUsedAt: null,
    };
    await this.#db.transaction(async (tx) => {
      await tx.query(
        `insert into ${S}.api_token (id, token_hash, credential_id, name, created_by, created_at, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [info.id, hashSecret(token), credentialId, info.name, createdBy, now, info.expiresAt],
      );
      await this.#audit(tx, credentialId, 'token.created', by, {
        apiTokenId: info.id,
        name: info.name,
        expiresAt: info.expiresAt.toISOString(),
        ...(createdBy !== credentialId ? { forCredential: credentialId } : {}),
      });
    });
    return { token, info };
  }

  /** A credential's tokens that still work. */
  async listTokens(credentialId: number): Promise<ApiTokenInfo[]> {
    return this.#db.query<ApiTokenInfo>(
      `select id, name, created_at as "createdAt", expires_at as "expiresAt", last_used_at as "lastUsedAt"
       from ${S}.api_token where credential_id = $1 and revoked_at is null and expires_at > $2
       order by created_at desc`,
      [credentialId, this.#clock.now()],
    );
  }

  /** The credential a token belongs to (revoked or not), to decide who may revoke it. */
  async tokenOwner(tokenId: string): Promise<number | undefined> {
    if (!isUuid(tokenId)) return undefined;
    const [row] = await this.#db.query<{ credential_id: number }>(
      `select credential_id from ${S}.api_token where id = $1`,
      [tokenId],
    );
    return row?.credential_id;
  }

  /** Revokes every API token of a credential; returns how many. */
  async revokeTokens(credentialId: number): Promise<number> {
    const rows = await this.#db.query(
      `update ${S}.api_token set revoked_at = $2 where credential_id = $1 and revoked_at is null returning id`,
      [credentialId, this.#clock.now()],
    );
    return rows.length;
  }

  /** Revokes a token (false when it is unknown or already revoked); `token.revoked` in the same transaction. */
  async revokeToken(tokenId: string, by: IdentityAudit): Promise<boolean> {
    if (!isUuid(tokenId)) return false;
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query<{ credential_id: number; name: string }>(
        `update ${S}.api_token set revoked_at = $2 where id = $1 and revoked_at is null returning credential_id, name`,
        [tokenId, this.#clock.now()],
      );
      if (!row) return false;
      await this.#audit(tx, row.credential_id, 'token.revoked', by, { apiTokenId: tokenId, name: row.name });
      return true;
    });
  }
}
