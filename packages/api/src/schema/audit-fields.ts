// The audit log over GraphQL: `auditLog(filter, first, after)` — every change of the workspace, newest first,
// for admins — and `fieldHistory(entity, id)`, the changes of a record's tracked fields (`trackHistory`).
//
// Gating: `auditLog` needs the system permission viewAuditLog; `fieldHistory` for anyone signed in, until record
// permissions decide who may see which record.
import { CHANNELS, type Channel, MAX_AUDIT_FIRST, type RequestContext } from '@touchpoint/engine';
import { requirePermission } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import type { AnyRef, Builder, Row, SharedTypes } from './shared-types.ts';

// biome-ignore lint/suspicious/noExplicitAny: Pothos field builders of run-time types
type AnyFieldBuilder = any;

export interface AuditTypes {
  connection: AnyRef;
  filter: AnyRef;
  historyEntry: AnyRef;
}

/** The channel and API token of a request, for changes that do not go through its record service. */
export function auditedAs(ctx: ApiContext): Pick<RequestContext, 'channel' | 'tokenId'> {
  const { channel, tokenId } = ctx.records.context;
  return { ...(channel ? { channel } : {}), ...(tokenId ? { tokenId } : {}) };
}

const changesList = (changes: unknown) =>
  Object.entries((changes ?? {}) as Record<string, { old: unknown; new: unknown }>).map(([field, change]) => ({
    field,
    old: change.old,
    new: change.new,
  }));

export function declareAuditTypes(builder: Builder, shared: SharedTypes): AuditTypes {
  const channel = builder.enumType('AuditChannel', {
    description:
      'Through what a change came: a browser session, an API token, a plugin, an import, a workflow, the command line, the system itself.',
    values: CHANNELS as unknown as Channel[],
  });
  const change = builder.objectRef<Row>('AuditFieldChange').implement({
    description: 'One changed field: its value before and after, in the stable JSON form of its type (null for empty).',
    fields: (t) => ({
      field: t.string({ nullable: false, resolve: (c) => c.field as string }),
      old: t.field({ type: 'JSON', resolve: (c) => c.old ?? null }),
      new: t.field({ type: 'JSON', resolve: (c) => c.new ?? null }),
    }),
  });
  const entry = builder.objectRef<Row>('AuditEntry').implement({
    description:
      'One change as the audit log keeps it: who, through what, when, what, and old → new per changed field.',
    fields: (t) => ({
      id: t.id({ nullable: false, resolve: (r) => r.id as string }),
      at: t.field({ type: 'DateTime', nullable: false, resolve: (r) => r.at as string }),
      actor: t.string({
        nullable: false,
        description: 'A user id, plugin:<id>, system, cli, …',
        resolve: (r) => r.actor as string,
      }),
      tokenId: t.string({
        description: 'The API token the request signed in with.',
        resolve: (r) => (r.tokenId as string) ?? null,
      }),
      channel: t.field({ type: channel, nullable: false, resolve: (r) => r.channel as never }),
      action: t.string({
        nullable: false,
        description:
          'record.created, record.updated, record.deleted, record.restored, metadata.changed, plugin.installed, plugin.upgraded, plugin.removed, and what sign-in and tokens record.',
        resolve: (r) => r.action as string,
      }),
      entity: t.string({ resolve: (r) => (r.entity as string) ?? null }),
      recordId: t.string({ resolve: (r) => (r.recordId as string) ?? null }),
      metadataVersion: t.int({ resolve: (r) => (r.metadataVersion as number) ?? null }),
      pluginId: t.string({ resolve: (r) => (r.pluginId as string) ?? null }),
      changes: t.field({ type: [change], nullable: false, resolve: (r) => changesList(r.changes) }),
      details: t.field({ type: 'JSON', resolve: (r) => r.details ?? null }),
    }),
  });
  const edge = builder.objectRef<Row>('AuditEntryEdge').implement({
    fields: (t) => ({
      cursor: t.string({ nullable: false, resolve: (e) => e.cursor as string }),
      node: t.field({ type: entry, nullable: false, resolve: (e) => e.node as Row }),
    }),
  });
  const connection = builder.objectRef<Row>('AuditEntryConnection').implement({
    fields: (t) => ({
      edges: t.field({ type: [edge], nullable: false, resolve: (c) => c.edges as Row[] }),
      nodes: t.field({ type: [entry], nullable: false, resolve: (c) => c.nodes as Row[] }),
      pageInfo: t.field({ type: shared.pageInfo, nullable: false, resolve: (c) => c.pageInfo as never }),
    }),
  });
  const filter = builder.inputRef<Row>('AuditFilter').implement({
    fields: (t) => ({
      actor: t.string(),
      entity: t.string(),
      recordId: t.string(),
      action: t.string(),
      channel: t.field({ type: channel }),
      from: t.field({ type: 'DateTime', description: 'From this instant on (inclusive).' }),
      to: t.field({ type: 'DateTime', description: 'Before this instant (exclusive).' }),
    }),
  });
  const historyEntry = builder.objectRef<Row>('FieldHistoryEntry').implement({
    description: 'One change of one tracked field of a record.',
    fields: (t) => ({
      id: t.id({ nullable: false, description: 'The audit entry it comes from.', resolve: (r) => r.id as string }),
      at: t.field({ type: 'DateTime', nullable: false, resolve: (r) => r.at as string }),
      actor: t.string({ nullable: false, resolve: (r) => r.actor as string }),
      tokenId: t.string({ resolve: (r) => (r.tokenId as string) ?? null }),
      channel: t.field({ type: channel, nullable: false, resolve: (r) => r.channel as never }),
      action: t.string({ nullable: false, resolve: (r) => r.action as string }),
      field: t.string({ nullable: false, resolve: (r) => r.field as string }),
      old: t.field({ type: 'JSON', resolve: (r) => r.old ?? null }),
      new: t.field({ type: 'JSON', resolve: (r) => r.new ?? null }),
    }),
  });
  return { connection, filter, historyEntry };
}

export function auditQueries(t: AnyFieldBuilder, types: AuditTypes): Record<string, unknown> {
  return {
    auditLog: t.field({
      type: types.connection,
      nullable: false,
      description: `Every change of the workspace, newest first (for admins). first: 1 to ${MAX_AUDIT_FIRST}, default 50.`,
      args: { filter: t.arg({ type: types.filter }), first: t.arg.int(), after: t.arg.string() },
      resolve: async (
        _: unknown,
        args: { filter?: Row | null; first?: number | null; after?: string | null },
        ctx: ApiContext,
      ) => {
        requirePermission(ctx.viewer, 'viewAuditLog', 'read the audit log');
        const page = await ctx.engine.audit.list(ctx.workspace, (args.filter ?? {}) as never, args);
        return {
          edges: page.rows.map((node) => ({ cursor: node.cursor, node })),
          nodes: page.rows,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: Boolean(args.after),
            startCursor: page.rows[0]?.cursor ?? null,
            endCursor: page.endCursor,
          },
        };
      },
    }),
    fieldHistory: t.field({
      type: [types.historyEntry],
      nullable: false,
      description: `The changes of a record's tracked fields (trackHistory), newest first; first: 1 to ${MAX_AUDIT_FIRST}, default 50.`,
      args: {
        entity: t.arg.string({ required: true }),
        id: t.arg.id({ required: true }),
        fields: t.arg.stringList(),
        first: t.arg.int(),
      },
      resolve: (
        _: unknown,
        args: { entity: string; id: string; fields?: string[] | null; first?: number | null },
        ctx: ApiContext,
      ) =>
        ctx.engine.audit.fieldHistory(ctx.workspace, args.entity, String(args.id), {
          ...(args.fields ? { fields: args.fields } : {}),
          first: args.first ?? null,
        }),
    }),
  };
}
