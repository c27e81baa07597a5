// Signing in and out, the viewer, their sessions and API tokens. Secrets never leave the server except a new
// API token, once, in the answer that created it; the session id travels only in an HttpOnly cookie.
import type { ApiTokenInfo, IdentityAudit, SessionInfo } from '@touchpoint/engine';
import { isUuid, TouchpointError, validationFailed } from '@touchpoint/schema';
import { clearedSessionCookie, requirePermission, sessionCookie, type Viewer, viewerOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import type { Builder } from './shared-types.ts';

/** Mutations every signed-in person may run on their own account (no admin needed). */
export const SELF_SERVICE_MUTATIONS = [
  'signIn',
  'signOut',
  'changePassword',
  'revokeSession',
  'signOutEverywhere',
  'createApiToken',
  'revokeApiToken',
] as const;

function signedIn(ctx: ApiContext): Viewer & { credentialId: number } {
  const principal = ctx.auth.principal;
  if (!ctx.viewer || !principal) throw new TouchpointError('UNAUTHENTICATED', 'Sign in first.');
  return { ...ctx.viewer, credentialId: principal.credentialId };
}

/**
 * Who acts, for the audit row an identity change writes: the viewer in the request's workspace, through
 * the browser session (`web`) or the API token (`api`), from the request's address and user agent.
 */
function actingAs(ctx: ApiContext, me: Viewer): IdentityAudit {
  const tokenId = ctx.auth.principal?.tokenId;
  return {
    workspace: me.workspace,
    actor: me.userId,
    channel: tokenId ? 'api' : 'web',
    ...(tokenId ? { tokenId } : {}),
    ...(ctx.auth.address ? { address: ctx.auth.address } : {}),
    ...(ctx.auth.userAgent ? { userAgent: ctx.auth.userAgent } : {}),
  };
}

/** The Viewer type, for the other fields that sign someone in (people-fields.ts). */
export type ViewerRef = ReturnType<typeof declareViewer>;

function declareViewer(builder: Builder) {
  return builder.objectRef<Viewer>('Viewer').implement({
    description: 'Who is signed in, in which workspace.',
    fields: (t) => ({
      id: t.id({ nullable: false, description: 'Their user record id.', resolve: (v) => v.userId }),
      name: t.string({ nullable: false, resolve: (v) => v.name }),
      email: t.string({ nullable: false, resolve: (v) => v.email }),
      role: t.string({ resolve: (v) => v.role }),
      isAdmin: t.boolean({
        nullable: false,
        description: 'Their roles give at least one system permission (the administration area is theirs).',
        resolve: (v) => v.isAdmin,
      }),
      roles: t.stringList({ nullable: false, description: 'Their roles in this workspace.', resolve: (v) => v.roles }),
      permissions: t.field({
        type: 'JSON',
        nullable: false,
        description:
          '{ system: [...], objects: { entity: { read, create, edit, delete, restore, export, viewAll, modifyAll } }, fields: { entity: { field: "hidden" | "readOnly" } } }',
        resolve: (v) => v.grants?.describe() ?? { system: [], objects: {}, fields: {} },
      }),
      workspace: t.string({ nullable: false, resolve: (v) => v.workspace }),
      workspaces: t.stringList({ nullable: false, resolve: (v) => v.workspaces }),
    }),
  });
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Adds the identity fields; answers the Viewer type for other fields that sign someone in. */
export function addIdentityFields(builder: Builder): ViewerRef {
  const viewer = declareViewer(builder);
  const session = builder.objectRef<SessionInfo & { current: boolean }>('Session').implement({
    fields: (t) => ({
      id: t.id({ nullable: false, resolve: (s) => s.id }),
      createdAt: t.field({ type: 'DateTime', nullable: false, resolve: (s) => iso(s.createdAt)! }),
      lastSeenAt: t.field({ type: 'DateTime', nullable: false, resolve: (s) => iso(s.lastSeenAt)! }),
      expiresAt: t.field({ type: 'DateTime', nullable: false, resolve: (s) => iso(s.expiresAt)! }),
      userAgent: t.string({ resolve: (s) => s.userAgent }),
      address: t.string({ resolve: (s) => s.address }),
      current: t.boolean({ nullable: false, description: 'The session of this request.', resolve: (s) => s.current }),
    }),
  });
  const apiToken = builder.objectRef<ApiTokenInfo>('ApiToken').implement({
    fields: (t) => ({
      id: t.id({ nullable: false, resolve: (k) => k.id }),
      name: t.string({ nullable: false, resolve: (k) => k.name }),
      createdAt: t.field({ type: 'DateTime', nullable: false, resolve: (k) => iso(k.createdAt)! }),
      expiresAt: t.field({ type: 'DateTime', nullable: false, resolve: (k) => iso(k.expiresAt)! }),
      lastUsedAt: t.field({ type: 'DateTime', resolve: (k) => iso(k.lastUsedAt) }),
    }),
  });
  const createdToken = builder.objectRef<{ token: string; info: ApiTokenInfo }>('CreatedApiToken').implement({
    fields: (t) => ({
      token: t.string({
        nullable: false,
        description: 'The secret, shown this once: send it as `Authorization: Bearer <token>`.',
        resolve: (c) => c.token,
      }),
      apiToken: t.field({ type: apiToken, nullable: false, resolve: (c) => c.info }),
    }),
  });

  builder.queryFields((t) => ({
    viewer: t.field({
      type: viewer,
      nullable: false,
      description: 'Who is signed in.',
      resolve: (_root, _args, ctx) => signedIn(ctx),
    }),
    mySessions: t.field({
      type: [session],
      nullable: false,
      description: 'Your sessions that are still open, most recently used first.',
      resolve: async (_root, _args, ctx) => {
        const me = signedIn(ctx);
        const sessions = await ctx.engine.identity.listSessions(me.credentialId);
        return sessions.map((s) => ({ ...s, current: s.id === ctx.auth.principal?.sessionId }));
      },
    }),
    myApiTokens: t.field({
      type: [apiToken],
      nullable: false,
      description: 'Your API tokens that still work (never their secrets).',
      resolve: (_root, _args, ctx) => ctx.engine.identity.listTokens(signedIn(ctx).credentialId),
    }),
  }));

  builder.mutationFields((t) => ({
    signIn: t.field({
      type: viewer,
      nullable: false,
      description: 'Signs in with email and password: sets the session cookie and answers who is signed in.',
      args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
      resolve: async (_root, args, ctx) => {
        try {
          const { token, principal } = await ctx.engine.identity.signIn(args.email, args.password, {
            address: ctx.auth.address,
            userAgent: ctx.auth.userAgent,
          });
          const signed = await viewerOf(
            ctx.engine,
            principal,
            ctx.viewer ? undefined : requestedOrNone(ctx, principal),
          );
          ctx.auth.setHeader('set-cookie', sessionCookie(token, ctx.auth.secure));
          return signed;
        } catch (error) {
          const retry = (error as TouchpointError).details?.retryAfterSeconds;
          if (typeof retry === 'number') ctx.auth.setHeader('retry-after', String(retry));
          throw error;
        }
      },
    }),
    signOut: t.boolean({
      nullable: false,
      description: "Ends this request's session and clears its cookie. False when it came with an API token.",
      resolve: async (_root, _args, ctx) => {
        const me = signedIn(ctx);
        ctx.auth.setHeader('set-cookie', clearedSessionCookie(ctx.auth.secure));
        const id = ctx.auth.principal?.sessionId;
        const ended = id
          ? await ctx.engine.identity.revokeSession(me.credentialId, id, actingAs(ctx, me), 'session.signedOut')
          : false;
        await ctx.auth.forget();
        return ended;
      },
    }),
    changePassword: t.boolean({
      nullable: false,
      description: 'Sets a new password after checking the current one; your other sessions end.',
      args: { current: t.arg.string({ required: true }), new: t.arg.string({ required: true }) },
      resolve: async (_root, args, ctx) => {
        const me = signedIn(ctx);
        await ctx.engine.identity.changePassword(
          me.credentialId,
          args.current,
          args.new,
          actingAs(ctx, me),
          ctx.auth.principal?.sessionId,
        );
        await ctx.auth.forget();
        return true;
      },
    }),
    revokeSession: t.boolean({
      nullable: false,
      description: 'Ends one of your sessions.',
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        const me = signedIn(ctx);
        const id = String(args.id);
        const ended = await ctx.engine.identity.revokeSession(me.credentialId, id, actingAs(ctx, me));
        await ctx.auth.forget();
        if (!ended) {
          throw new TouchpointError('NOT_FOUND', `You have no open session "${id}".`, {
            issues: [{ path: 'id', message: 'not one of your open sessions; mySessions lists them' }],
          });
        }
        return true;
      },
    }),
    signOutEverywhere: t.int({
      nullable: false,
      description: 'Ends every session of yours, this one included; answers how many.',
      resolve: async (_root, _args, ctx) => {
        const me = signedIn(ctx);
        ctx.auth.setHeader('set-cookie', clearedSessionCookie(ctx.auth.secure));
        const ended = await ctx.engine.identity.revokeSessions(me.credentialId, actingAs(ctx, me));
        await ctx.auth.forget();
        return ended;
      },
    }),
    createApiToken: t.field({
      type: createdToken,
      nullable: false,
      description:
        'Creates an API token for yourself, or (administrators) for another user of this workspace, such as a service user. The secret is answered once.',
      args: {
        name: t.arg.string({ required: true }),
        expiresInDays: t.arg.int({ required: true }),
        userId: t.arg.id({ description: 'Administrators only: the user the token is for (default: yourself).' }),
      },
      resolve: async (_root, args, ctx) => {
        const me = signedIn(ctx);
        let owner = me.credentialId;
        if (args.userId != null && String(args.userId) !== me.userId) {
          requirePermission(ctx.viewer, 'manageUsers', 'create API tokens for other users');
          const userId = String(args.userId);
          const credential = isUuid(userId)
            ? await ctx.engine.identity.credentialOfUser(ctx.metadata.workspace.id, userId)
            : undefined;
          if (!credential) {
            throw validationFailed('The API token cannot be created.', [
              { path: 'userId', message: `no user "${userId}" of this workspace can sign in; add them first` },
            ]);
          }
          owner = credential.id;
        }
        return ctx.engine.identity.createToken(
          owner,
          args.name,
          args.expiresInDays,
          me.credentialId,
          actingAs(ctx, me),
        );
      },
    }),
    revokeApiToken: t.boolean({
      nullable: false,
      description: 'Revokes an API token of yours (administrators: anyone’s).',
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        const me = signedIn(ctx);
        const id = String(args.id);
        const owner = await ctx.engine.identity.tokenOwner(id);
        if (owner === undefined) {
          throw new TouchpointError('NOT_FOUND', `There is no API token "${id}".`, {
            issues: [{ path: 'id', message: 'no such token; myApiTokens lists yours' }],
          });
        }
        if (owner !== me.credentialId) requirePermission(ctx.viewer, 'manageUsers', "revoke other users' API tokens");
        const revoked = await ctx.engine.identity.revokeToken(id, actingAs(ctx, me));
        await ctx.auth.forget();
        return revoked;
      },
    }),
  }));
  return viewer;
}

/** The workspace a sign-in asked for by header, when the person belongs to it; else their default. */
function requestedOrNone(ctx: ApiContext, principal: { memberships: { workspace: string }[] }): string | undefined {
  return principal.memberships.some((m) => m.workspace === ctx.workspace) ? ctx.workspace : undefined;
}
