// Members and invitations over GraphQL, and the first start. Administrators invite (the link is answered
// once and written to the server log until email sending exists), list members and pending invitations,
// revoke invitations, change roles, deactivate and remove members. Two mutations are open to requests
// without credentials (see OPEN_MUTATIONS and auth.ts): accepting an invitation and making the first
// administrator; `setupNeeded` is the one open query. All three sign the person in with a session cookie.
import type { InvitationInfo, MemberInfo, PeopleActor } from '@touchpoint/engine';
import { TouchpointError } from '@touchpoint/schema';
import { requirePermission, sessionCookie, type Viewer, viewerOf } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import type { ViewerRef } from './identity-fields.ts';
import type { Builder } from './shared-types.ts';

/** Mutations a request without a session or token may run (besides signIn). */
export const OPEN_MUTATIONS = ['acceptInvitation', 'setupFirstAdmin'] as const;
/** Queries a request without a session or token may run. */
export const OPEN_QUERIES = ['setupNeeded'] as const;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function actorOf(ctx: ApiContext): PeopleActor {
  const { channel, tokenId } = ctx.records.context;
  return { actor: ctx.actor, channel: channel ?? 'web', tokenId: tokenId ?? null };
}

/** Signs a credential in (a session cookie) and answers its viewer in the workspace it just joined. */
async function signInAs(ctx: ApiContext, credentialId: number, workspace: string): Promise<Viewer> {
  const { token, principal } = await ctx.engine.identity.openSession(credentialId, {
    address: ctx.auth.address,
    userAgent: ctx.auth.userAgent,
  });
  const viewer = await viewerOf(ctx.engine, principal, workspace);
  ctx.auth.setHeader('set-cookie', sessionCookie(token, ctx.auth.secure));
  return viewer;
}

export function addPeopleFields(builder: Builder, viewer: ViewerRef): void {
  const member = builder.objectRef<MemberInfo>('Member').implement({
    description: 'A member of the workspace: a user record that can sign in.',
    fields: (t) => ({
      userId: t.id({ nullable: false, resolve: (m) => m.userId }),
      name: t.string({ nullable: false, resolve: (m) => m.name }),
      email: t.string({ nullable: false, resolve: (m) => m.email }),
      role: t.string({ description: 'A value of the user entity’s role field.', resolve: (m) => m.role }),
      roles: t.stringList({
        nullable: false,
        description: 'Their roles: their role assignments, else the role their `role` value maps to.',
        resolve: (m) => m.roles,
      }),
      active: t.boolean({ nullable: false, resolve: (m) => m.active }),
      lastSignInAt: t.field({ type: 'DateTime', resolve: (m) => iso(m.lastSignInAt) }),
    }),
  });
  const invitation = builder.objectRef<InvitationInfo>('Invitation').implement({
    description: 'A pending invitation (never its secret, which only the answer to inviteUser carries).',
    fields: (t) => ({
      id: t.id({ nullable: false, resolve: (i) => i.id }),
      userId: t.id({ nullable: false, resolve: (i) => i.userId }),
      email: t.string({ nullable: false, resolve: (i) => i.email }),
      role: t.string({ nullable: false, resolve: (i) => i.role }),
      roles: t.stringList({ description: 'The roles given with the invitation, if any.', resolve: (i) => i.roles }),
      createdBy: t.string({ nullable: false, description: 'The inviting user’s id.', resolve: (i) => i.createdBy }),
      createdAt: t.field({ type: 'DateTime', nullable: false, resolve: (i) => iso(i.createdAt)! }),
      expiresAt: t.field({ type: 'DateTime', nullable: false, resolve: (i) => iso(i.expiresAt)! }),
    }),
  });
  const created = builder.objectRef<{ invitation: InvitationInfo; path: string }>('CreatedInvitation').implement({
    fields: (t) => ({
      invitation: t.field({ type: invitation, nullable: false, resolve: (c) => c.invitation }),
      path: t.string({
        nullable: false,
        description: 'The one-time link’s path (`/invite/<secret>`) on the web app; shown this once.',
        resolve: (c) => c.path,
      }),
    }),
  });

  builder.queryFields((t) => ({
    members: t.field({
      type: [member],
      nullable: false,
      description: 'Administrators: the members of this workspace.',
      resolve: (_root, _args, ctx) => {
        requirePermission(ctx.viewer, 'manageUsers', 'list members');
        return ctx.engine.people.members(ctx.workspace);
      },
    }),
    invitations: t.field({
      type: [invitation],
      nullable: false,
      description: 'Administrators: the invitations of this workspace that can still be accepted.',
      resolve: (_root, _args, ctx) => {
        requirePermission(ctx.viewer, 'manageUsers', 'list invitations');
        return ctx.engine.people.invitations(ctx.workspace);
      },
    }),
    setupNeeded: t.boolean({
      nullable: false,
      description: 'Whether Touchpoint waits for its first administrator (no account exists). Open without sign-in.',
      resolve: (_root, _args, ctx) => ctx.engine.people.setupNeeded(),
    }),
  }));

  builder.mutationFields((t) => ({
    inviteUser: t.field({
      type: created,
      nullable: false,
      description:
        'Administrators: invites someone by email with a role. Their user record is made if missing; the answer carries the one-time link (valid 7 days), also written to the server log.',
      args: {
        email: t.arg.string({ required: true }),
        name: t.arg.string({ required: true }),
        role: t.arg.string({ required: true }),
        roles: t.arg.stringList({ description: 'Roles to assign (else the one `role` maps to).' }),
      },
      resolve: async (_root, args, ctx) => {
        const { secret, invitation: made } = await ctx.engine.people.invite(ctx.workspace, args, actorOf(ctx));
        if (args.roles) ctx.auth.forget();
        const path = `/invite/${secret}`;
        // Until email sending exists, the log is the other way the link reaches someone.
        console.info(
          `[touchpoint] Invitation for ${made.email} (${made.role}) to workspace "${ctx.workspace}": ${path} (valid until ${made.expiresAt.toISOString()})`,
        );
        return { invitation: made, path };
      },
    }),
    revokeInvitation: t.boolean({
      nullable: false,
      description: 'Administrators: revokes a pending invitation; its link stops working.',
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        await ctx.engine.people.revokeInvitation(ctx.workspace, String(args.id), actorOf(ctx));
        return true;
      },
    }),
    changeMemberRole: t.boolean({
      nullable: false,
      description: 'Administrators: gives a member another role. The last active administrator keeps theirs.',
      args: { userId: t.arg.id({ required: true }), role: t.arg.string({ required: true }) },
      resolve: async (_root, args, ctx) => {
        await ctx.engine.people.changeRole(ctx.workspace, String(args.userId), args.role, actorOf(ctx));
        await ctx.auth.forget();
        return true;
      },
    }),
    setUserRoles: t.field({
      type: member,
      description:
        'Administrators (manageUsers): gives a member exactly these roles; audited. The last active administrator keeps admin. Counts on their next request.',
      args: { userId: t.arg.id({ required: true }), roles: t.arg.stringList({ required: true }) },
      resolve: async (_root, args, ctx) => {
        const userId = String(args.userId);
        await ctx.engine.people.setRoles(ctx.workspace, userId, args.roles, actorOf(ctx));
        ctx.auth.forget();
        return (await ctx.engine.people.members(ctx.workspace)).find((m) => m.userId === userId) ?? null;
      },
    }),
    deactivateMember: t.boolean({
      nullable: false,
      description:
        'Administrators: deactivates a member; their requests are refused at once (and, when this is their only workspace, their sessions and tokens are revoked).',
      args: { userId: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        await ctx.engine.people.setActive(ctx.workspace, String(args.userId), false, actorOf(ctx));
        await ctx.auth.forget();
        return true;
      },
    }),
    reactivateMember: t.boolean({
      nullable: false,
      description: 'Administrators: lets a deactivated member in again (they sign in anew).',
      args: { userId: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        await ctx.engine.people.setActive(ctx.workspace, String(args.userId), true, actorOf(ctx));
        await ctx.auth.forget();
        return true;
      },
    }),
    removeMember: t.boolean({
      nullable: false,
      description:
        'Administrators: removes a member from this workspace (their user record stays as the owner of their records).',
      args: { userId: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        await ctx.engine.people.removeMember(ctx.workspace, String(args.userId), actorOf(ctx));
        await ctx.auth.forget();
        return true;
      },
    }),
    acceptInvitation: t.field({
      type: viewer,
      nullable: false,
      description:
        'Open without sign-in: accepts an invitation with its secret and a new password (8 to 256 characters), then signs in.',
      args: { secret: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
      resolve: async (_root, args, ctx) => {
        // Someone signed in as another person must sign out first: the link is not theirs, and accepting
        // would silently swap whose session the browser holds.
        const present = await ctx.auth.presented();
        if (present) {
          const invited = await ctx.engine.people.invitationEmail(args.secret);
          if (invited !== undefined && invited !== present.email) {
            throw new TouchpointError(
              'FORBIDDEN',
              `You are signed in as ${present.email}; sign out first to accept an invitation for someone else.`,
              { issues: [{ path: 'secret', message: 'the invitation is for another email than the signed-in one' }] },
            );
          }
        }
        const accepted = await ctx.engine.people.acceptInvitation(args.secret, args.password);
        await ctx.auth.forget();
        return signInAs(ctx, accepted.credentialId, accepted.workspace);
      },
    }),
    setupFirstAdmin: t.field({
      type: viewer,
      nullable: false,
      description:
        'Open only while no account exists (the first start without demo data): makes the first administrator and signs them in.',
      args: {
        name: t.arg.string({ required: true }),
        email: t.arg.string({ required: true }),
        password: t.arg.string({ required: true }),
      },
      resolve: async (_root, args, ctx) => {
        const { credentialId } = await ctx.engine.people.setupFirstAdmin(ctx.workspace, args);
        return signInAs(ctx, credentialId, ctx.workspace);
      },
    }),
  }));
}
