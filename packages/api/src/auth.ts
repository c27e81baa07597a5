// Who is asking: the session cookie or the bearer token of a request, checked against PostgreSQL (see the
// engine's Identity), the workspace chosen among the person's memberships, and their `user` record. Nothing
// a client merely says about itself (a header naming an actor) is believed.
import type { IncomingMessage } from 'node:http';
import type { AccessGrants, Engine, Principal } from '@touchpoint/engine';
import { SESSION_ABSOLUTE_MS } from '@touchpoint/engine';
import { type SystemPermission, TouchpointError } from '@touchpoint/schema';
import { Kind, type OperationDefinitionNode, parse } from 'graphql';

export const SESSION_COOKIE = 'tp_session';
/**
 * Root fields a request without credentials may ask for: signing in, accepting an invitation, making the
 * first administrator (each proves a secret or is possible only once) and whether that first start is due.
 * Nothing else: tests/api/invitations.test.ts enumerates the schema to check it.
 */
export const OPEN_MUTATION_FIELDS: ReadonlySet<string> = new Set([
  'signIn',
  'acceptInvitation',
  'setupFirstAdmin',
  '__typename',
]);
export const OPEN_QUERY_FIELDS: ReadonlySet<string> = new Set(['setupNeeded']);
/** A sign-in document is tiny; anything longer is not one, and is not worth parsing for an anonymous client. */
const MAX_ANONYMOUS_TOKENS = 200;

/** The signed-in person, as every resolver sees them. */
export interface Viewer {
  /** Their `user` record's id in this workspace: the actor of their writes. */
  userId: string;
  name: string;
  email: string;
  role: string | null;
  workspace: string;
  /** Every workspace they are a member of. */
  workspaces: string[];
  /** Their roles in this workspace (role assignments, else what their `user.role` maps to). */
  roles: string[];
  /** The system permissions their roles give (manageMetadata, manageUsers, managePlugins, …). */
  system: SystemPermission[];
  /** Holds any system permission: the administration area is for them (each screen checks its own). */
  isAdmin: boolean;
  /** Their grants, as of this request (see `withPermissions`). */
  grants?: AccessGrants;
}

/** What a request carries about its caller, beyond the viewer: for sign-in, sessions and tokens. */
export interface RequestAuth {
  principal?: Principal;
  address?: string;
  userAgent?: string;
  /** The request came over HTTPS (directly or, by X-Forwarded-Proto, through a proxy). */
  secure: boolean;
  /**
   * The principal of the session or token the request carries, checked now, when it works; for the open
   * fields, which run without one, to notice who is signed in already.
   */
  presented(): Promise<Principal | undefined>;
  /**
   * Forgets every remembered credential (after a sign-out, revocation, password or membership change), here
   * and — waiting for them — on every other instance of the database (`engine.revocations.settle`).
   */
  forget(): Promise<void>;
  /** Adds a header to the answer (Set-Cookie, Retry-After). */
  setHeader(name: string, value: string): void;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** Whether a request carries a session cookie or an Authorization header (working or not). */
export function carriesCredentials(req: IncomingMessage): boolean {
  return req.headers.authorization !== undefined || cookieValue(req.headers.cookie, SESSION_COOKIE) !== undefined;
}

/** The principal of a request's bearer token or session cookie; undefined when it has neither that works. */
export async function authenticate(engine: Engine, req: IncomingMessage): Promise<Principal | undefined> {
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S{1,200})$/i.exec(authorization);
    return match ? engine.identity.authenticateToken(match[1]!) : undefined;
  }
  const session = cookieValue(req.headers.cookie, SESSION_COOKIE);
  return session && session.length <= 100 ? engine.identity.authenticateSession(session) : undefined;
}

export function isSecure(req: IncomingMessage): boolean {
  return (
    (req.socket as { encrypted?: boolean }).encrypted === true ||
    req.headers['x-forwarded-proto']?.toString().split(',')[0]?.trim() === 'https'
  );
}

export function sessionCookie(token: string, secure: boolean): string {
  const maxAge = Math.floor(SESSION_ABSOLUTE_MS / 1000);
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
}

/**
 * Whether a GraphQL request body asks for nothing but open fields (what an anonymous client may do): a
 * mutation of OPEN_MUTATION_FIELDS or a query of OPEN_QUERY_FIELDS. Parsed with a small token limit; any
 * doubt (another field, a fragment at the root, several operations) is a no.
 */
export function onlyOpenFields(body: Buffer | undefined, contentType: string | undefined): boolean {
  if (!body || contentType?.split(';')[0]?.trim().toLowerCase() !== 'application/json') return false;
  let query: unknown;
  try {
    query = (JSON.parse(body.toString('utf8')) as { query?: unknown }).query;
  } catch {
    return false;
  }
  if (typeof query !== 'string') return false;
  try {
    const document = parse(query, { maxTokens: MAX_ANONYMOUS_TOKENS });
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    if (operations.length !== 1 || document.definitions.length !== 1) return false;
    const [operation] = operations;
    const open =
      operation!.operation === 'mutation'
        ? OPEN_MUTATION_FIELDS
        : operation!.operation === 'query'
          ? OPEN_QUERY_FIELDS
          : undefined;
    return (
      open !== undefined &&
      operation!.selectionSet.selections.every((s) => s.kind === Kind.FIELD && open.has(s.name.value))
    );
  } catch {
    return false;
  }
}

/**
 * The viewer of a principal in the workspace the request asks for (`requested`), or — when it names none —
 * in `default` if they belong to it, else their first workspace. FORBIDDEN when they are no member of it,
 * or their user record is gone or inactive.
 */
export async function viewerOf(engine: Engine, principal: Principal, requested: string | undefined): Promise<Viewer> {
  const workspaces = principal.memberships.map((m) => m.workspace);
  const membership = requested
    ? principal.memberships.find((m) => m.workspace === requested)
    : (principal.memberships.find((m) => m.workspace === 'default') ?? principal.memberships[0]);
  if (!membership) {
    throw new TouchpointError(
      'FORBIDDEN',
      requested
        ? `You are not a member of workspace "${requested}".`
        : 'You are not a member of any workspace. An administrator can add you to one.',
      {
        issues: [{ path: 'workspace', message: 'not one of your workspaces', allowed: workspaces }],
      },
    );
  }
  const records = engine.records({ workspace: membership.workspace, actor: membership.userId });
  const user = (await records.get('user', membership.userId, {
    fields: ['id', 'name', 'email', 'role', 'active'],
    relations: [],
  })) as { name: string; email: string; role: string | null; active: boolean | null } | null;
  if (!user || user.active === false) {
    throw new TouchpointError(
      'FORBIDDEN',
      `Your user in workspace "${membership.workspace}" is ${user ? 'inactive' : 'deleted'}; an administrator can restore it.`,
      { issues: [{ path: 'user', message: user ? 'the user is marked inactive' : 'the user record was deleted' }] },
    );
  }
  return withPermissions(engine, {
    userId: membership.userId,
    name: user.name,
    email: principal.email,
    role: user.role,
    workspace: membership.workspace,
    workspaces,
    roles: [],
    system: [],
    isAdmin: false,
  });
}

/**
 * The viewer with the roles and system permissions they hold now: from the engine's grants cache, which
 * forgets a user's grants when their roles, user record, teams or territories change, so a change counts
 * on their next request even while the viewer itself is remembered (IdentityCache).
 */
export async function withPermissions(engine: Engine, viewer: Viewer): Promise<Viewer> {
  const grants = await engine.grants(viewer.workspace, viewer.userId);
  if (grants && grants === viewer.grants) return viewer;
  const system = grants ? [...grants.rights.system] : [];
  return { ...viewer, roles: [...(grants?.roles ?? [])], system, isAdmin: system.length > 0, grants };
}

/** How long (by the engine's clock) a checked credential is believed without asking PostgreSQL again. */
export const IDENTITY_CACHE_MS = 2000;
const MAX_CACHED = 10_000;

/**
 * Who a credential is, remembered for IDENTITY_CACHE_MS: checking it costs two statements (the session or
 * token with its memberships, the user record), more than many reads cost themselves. Every revocation —
 * through this instance or another on the same database (sign-out, a session or token revoked, sign-out
 * everywhere, a password change, a membership or `user` record change) — empties it when it commits
 * (`engine.revocations`, PostgreSQL LISTEN/NOTIFY); while the engine cannot listen, nothing is remembered.
 * Expiry is by the engine's clock, like the sessions'.
 */
export class IdentityCache {
  readonly #engine: Engine;
  readonly #entries = new Map<string, { principal: Principal; viewer: Viewer; until: number }>();

  constructor(engine: Engine) {
    this.#engine = engine;
    // The engine lives as long as the server that made this cache; the subscription ends with both.
    engine.revocations.subscribe(() => this.#entries.clear());
  }

  /** The principal and viewer of a request, from the cache or from PostgreSQL; undefined: no credential. */
  async identify(
    req: IncomingMessage,
    requested: string | undefined,
  ): Promise<{ principal: Principal; viewer: Viewer } | undefined> {
    const secret = req.headers.authorization ?? cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!secret) return undefined;
    const key = `${requested ?? ''}\u0000${secret}`;
    const now = this.#engine.clock.now().getTime();
    const reliable = this.#engine.revocations.reliable;
    const hit = reliable ? this.#entries.get(key) : undefined;
    if (hit && hit.until > now) return hit;
    if (hit) this.#entries.delete(key);
    const principal = await authenticate(this.#engine, req);
    if (!principal) return undefined;
    const viewer = await viewerOf(this.#engine, principal, requested);
    const entry = { principal, viewer, until: now + IDENTITY_CACHE_MS };
    if (!reliable || !this.#engine.revocations.reliable) return entry;
    if (this.#entries.size >= MAX_CACHED) this.#entries.clear();
    this.#entries.set(key, entry);
    return entry;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Refuses a viewer whose roles do not give `permission`, saying what was refused and why. */
export function requirePermission(viewer: Viewer | undefined, permission: SystemPermission, what: string): Viewer {
  if (!viewer) throw new TouchpointError('UNAUTHENTICATED', 'Sign in first.');
  if (!viewer.system.includes(permission)) {
    throw new TouchpointError(
      'FORBIDDEN',
      `Only administrators may ${what}; you are signed in as ${viewer.email} with the roles ${viewer.roles.join(', ') || 'none'}, which do not give the system permission "${permission}".`,
      { details: { refused: what, permission, roles: viewer.roles } },
    );
  }
  return viewer;
}

export const UNAUTHENTICATED_ERROR = {
  message: 'Sign in first: this request has no valid session or API token.',
  extensions: { code: 'UNAUTHENTICATED' },
};
