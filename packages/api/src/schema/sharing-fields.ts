// Manual shares and "who can see this record, and why" over GraphQL (the engine's Sharing). Sharing a record
// is for whoever may change it and for sharing administrators; the record's shares are listed to whoever may
// read it, the full listing and "why can this user see it" to holders of manageSharing.
import type { AccessEntry, RecordShare, SharingActor } from '@touchpoint/engine';
import type { ApiContext } from '../context.ts';
import type { Builder } from './shared-types.ts';

/** Mutations every signed-in user may call (each checks the record itself). */
export const SHARING_MUTATIONS = ['shareRecord', 'revokeShare'] as const;

function by(ctx: ApiContext): SharingActor {
  const { channel, tokenId } = ctx.records.context;
  return { workspace: ctx.workspace, actor: ctx.actor, channel: channel ?? 'web', tokenId: tokenId ?? null };
}

export function addSharingFields(builder: Builder): void {
  const share = builder.objectRef<RecordShare>('RecordShare').implement({
    description: 'A record shared by hand with a user or a team.',
    fields: (t) => ({
      id: t.id({ nullable: false, resolve: (s) => s.id }),
      entity: t.string({ nullable: false, resolve: (s) => s.entity }),
      recordId: t.id({ nullable: false, resolve: (s) => s.recordId }),
      userId: t.id({ resolve: (s) => s.userId }),
      teamId: t.id({ resolve: (s) => s.teamId }),
      access: t.string({ nullable: false, description: 'read or edit', resolve: (s) => s.access }),
      reason: t.string({ resolve: (s) => s.reason }),
      createdBy: t.string({ nullable: false, resolve: (s) => s.createdBy }),
      createdAt: t.field({
        type: 'DateTime',
        nullable: false,
        resolve: (s) => new Date(s.createdAt).toISOString() as never,
      }),
    }),
  });
  const entry = builder.objectRef<AccessEntry>('AccessEntry').implement({
    description: 'Who has access to a record, how much, and why.',
    fields: (t) => ({
      principalKind: t.string({
        nullable: false,
        description: 'user, team, role or everyone',
        resolve: (e) => e.principalKind,
      }),
      principalId: t.string({ resolve: (e) => e.principalId }),
      principalName: t.string({ resolve: (e) => e.principalName }),
      access: t.string({ nullable: false, description: 'read or edit', resolve: (e) => e.access }),
      reason: t.string({
        nullable: false,
        description: 'owner, hierarchy, team, territory, share, rule, default, viewAll, partner or parent',
        resolve: (e) => e.reason,
      }),
      detail: t.string({ resolve: (e) => e.detail }),
      shareId: t.id({ description: 'For a manual share: its id, to revoke it.', resolve: (e) => e.shareId }),
    }),
  });
  const input = builder.inputType('ShareRecordInput', {
    fields: (t) => ({
      entity: t.string({ required: true }),
      id: t.id({ required: true }),
      userId: t.id(),
      teamId: t.id(),
      access: t.string({ required: true, description: 'read or edit' }),
      reason: t.string(),
    }),
  });
  builder.queryFields((t) => ({
    recordAccess: t.field({
      type: [entry],
      nullable: false,
      description:
        'Who can see a record you can read, and why: its manual shares; everything (owners, teams, territories, rules, roles) for sharing administrators.',
      args: { entity: t.arg.string({ required: true }), id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) => ctx.engine.sharing.recordAccess(by(ctx), args.entity, String(args.id)),
    }),
    whyCanISee: t.field({
      type: [entry],
      nullable: false,
      description: 'Sharing administrators: why a user can see a record (empty: they cannot).',
      args: {
        entity: t.arg.string({ required: true }),
        id: t.arg.id({ required: true }),
        userId: t.arg.id({ required: true }),
      },
      resolve: (_root, args, ctx) =>
        ctx.engine.sharing.whyCanISee(by(ctx), args.entity, String(args.id), String(args.userId)),
    }),
  }));
  builder.mutationFields((t) => ({
    shareRecord: t.field({
      type: share,
      nullable: false,
      description:
        'Shares a record with a user or a team, read or edit; for whoever may change it and sharing administrators.',
      args: { input: t.arg({ type: input, required: true }) },
      resolve: (_root, args, ctx) => ctx.engine.sharing.share(by(ctx), args.input),
    }),
    revokeShare: t.boolean({
      nullable: false,
      description: 'Removes a manual share; for the same people who may make it.',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, args, ctx) => ctx.engine.sharing.revoke(by(ctx), String(args.id)),
    }),
  }));
}
