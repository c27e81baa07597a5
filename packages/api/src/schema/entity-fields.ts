// Root query and mutation fields of one entity. Reads compile the request's selection into one SQL
// statement through the record service; writes go through the record service and re-read what was asked.
import {
  type AggregateFunction,
  type AggregateRequest,
  type Filter,
  MAX_BATCH,
  type OrderBy,
} from '@touchpoint/engine';
import { type EntityDefinition, entityRootFieldNames, relationInputName } from '@touchpoint/schema';
import type { GraphQLResolveInfo } from 'graphql';
import type { ApiContext } from '../context.ts';
import { collectFields, connectionSelection, recordSelection, type SelectionContext } from '../selection.ts';
import type { EntityTypes } from './entity-types.ts';
import type { Row } from './shared-types.ts';

// biome-ignore lint/suspicious/noExplicitAny: Pothos field builders of run-time types
type AnyFieldBuilder = any;

/** GraphQL input (`accountId`, `tagIds`) → record service input (`account`, `tags`). */
export function toRecordInput(entity: EntityDefinition, input: Row): Row {
  const result: Row = {};
  for (const [key, value] of Object.entries(input)) {
    const relation = entity.fields.find((f) => f.type === 'relation' && relationInputName(entity, f) === key);
    result[relation ? relation.name : key] = value;
  }
  return result;
}

export function addEntityQueries(
  t: AnyFieldBuilder,
  types: EntityTypes,
  selectionContext: SelectionContext,
  granularity: unknown,
): Record<string, unknown> {
  const { entity } = types;
  const names = entityRootFieldNames(entity);
  return {
    [names.one]: t.field({
      type: types.object,
      description: `One ${entity.name} by id, or null.`,
      args: { id: t.arg.id({ required: true }), includeDeleted: t.arg.boolean() },
      resolve: async (
        _: unknown,
        args: { id: string; includeDeleted?: boolean },
        ctx: ApiContext,
        info: GraphQLResolveInfo,
      ) =>
        ctx.records.get(
          entity.name,
          String(args.id),
          recordSelection(entity, info.fieldNodes, info, selectionContext),
          {
            includeDeleted: args.includeDeleted ?? false,
          },
        ),
    }),
    [names.many]: t.field({
      type: types.connection,
      nullable: false,
      description: `${entity.pluralLabels?.en ?? entity.labels.en}: a page of records (cursor pagination both ways).`,
      args: {
        filter: t.arg({ type: types.filter }),
        orderBy: t.arg({ type: [types.orderBy] }),
        search: t.arg.string({ description: 'Free text matched against names, numbers, e-mails and phones.' }),
        first: t.arg.int({ description: 'Page size going forwards (default 20, at most 500).' }),
        after: t.arg.string(),
        last: t.arg.int({ description: 'Page size going backwards (at most 500).' }),
        before: t.arg.string(),
        includeDeleted: t.arg.boolean({ description: 'Also list deleted records (to restore them).' }),
      },
      resolve: async (_: unknown, args: Row, ctx: ApiContext, info: GraphQLResolveInfo) => {
        const { selection, withTotalCount, withCursors } = connectionSelection(entity, info, selectionContext);
        const result = await ctx.records.list({
          entity: entity.name,
          filter: (args.filter ?? undefined) as Filter | undefined,
          orderBy: (args.orderBy ?? undefined) as OrderBy[] | undefined,
          search: (args.search ?? undefined) as string | undefined,
          first: (args.first ?? undefined) as number | undefined,
          after: (args.after ?? undefined) as string | undefined,
          last: (args.last ?? undefined) as number | undefined,
          before: (args.before ?? undefined) as string | undefined,
          includeDeleted: (args.includeDeleted ?? false) as boolean,
          selection,
          withTotalCount,
          withCursors,
        });
        return {
          nodes: result.nodes,
          edges: result.nodes.map((node) => ({ cursor: node.__cursor, node })),
          pageInfo: result.pageInfo,
          totalCount: result.totalCount,
        };
      },
    }),
    [names.aggregate]: t.field({
      type: [types.aggregateGroup],
      nullable: false,
      description: `Counts, sums, averages, minimums and maximums of ${entity.name} records, per group.`,
      args: {
        filter: t.arg({ type: types.filter }),
        ...(types.groupField ? { groupBy: t.arg({ type: [types.groupField] }) } : {}),
        dateGranularity: t.arg({ type: granularity, description: 'How date keys are grouped (default month).' }),
        limit: t.arg.int({ description: 'At most this many groups (default 100, at most 1000).' }),
      },
      resolve: async (_: unknown, args: Row, ctx: ApiContext, info: GraphQLResolveInfo) => {
        const aggregates: AggregateRequest['aggregates'] = [{ fn: 'count' }];
        for (const { name, nodes } of collectFields(info.fieldNodes, info).values()) {
          if (!['sum', 'avg', 'min', 'max'].includes(name)) continue;
          for (const sub of collectFields(nodes, info).values()) {
            if (sub.name !== '__typename') aggregates.push({ fn: name as AggregateFunction, field: sub.name });
          }
        }
        return ctx.records.aggregate({
          entity: entity.name,
          filter: (args.filter ?? undefined) as Filter | undefined,
          groupBy: (args.groupBy ?? undefined) as string[] | undefined,
          dateGranularity: (args.dateGranularity ?? undefined) as AggregateRequest['dateGranularity'],
          aggregates,
          limit: (args.limit ?? undefined) as number | undefined,
        });
      },
    }),
  };
}

export function addEntityMutations(
  t: AnyFieldBuilder,
  types: EntityTypes,
  selectionContext: SelectionContext,
): Record<string, unknown> {
  const { entity } = types;
  const names = entityRootFieldNames(entity);
  // Every mutation answers with the records it wrote, read back after the write commits. The read is
  // compiled first, so a selection the read would refuse (a nested page over the limit) refuses the
  // mutation before anything is written, instead of failing after it committed.
  const selectionOf = async (ctx: ApiContext, info: GraphQLResolveInfo) => {
    const selection = recordSelection(entity, info.fieldNodes, info, selectionContext);
    await ctx.records.checkSelection(entity.name, selection);
    return selection;
  };
  /** Checks the answer's selection, runs the write (which returns the written record's id), reads it back. */
  const write = async (
    ctx: ApiContext,
    info: GraphQLResolveInfo,
    run: () => Promise<{ id: string }>,
    includeDeleted = false,
  ) => {
    const selection = await selectionOf(ctx, info);
    const { id } = await run();
    return ctx.records.get(entity.name, id, selection, { includeDeleted });
  };
  return {
    [names.create]: t.field({
      type: types.object,
      description: `Create a ${entity.name}. Every invalid field is reported at once (VALIDATION_FAILED).`,
      args: { input: t.arg({ type: types.input, required: true }) },
      resolve: async (_: unknown, args: { input: Row }, ctx: ApiContext, info: GraphQLResolveInfo) => {
        return write(ctx, info, () => ctx.records.create(entity.name, toRecordInput(entity, args.input)));
      },
    }),
    [names.createMany]: t.field({
      type: [types.object],
      nullable: false,
      description: `Create several ${entity.name} records (at most ${MAX_BATCH}) in one transaction: all or none; errors name the row.`,
      args: {
        inputs: t.arg({
          type: [types.input],
          required: true,
          description: `At most ${MAX_BATCH}; more is refused (LIMIT_EXCEEDED) before anything is written.`,
        }),
      },
      resolve: async (_: unknown, args: { inputs: Row[] }, ctx: ApiContext, info: GraphQLResolveInfo) => {
        // createMany refuses more than MAX_BATCH (= MAX_FIRST) inputs before writing, so the page
        // below always holds every record it created.
        const selection = await selectionOf(ctx, info);
        const created = await ctx.records.createMany(
          entity.name,
          args.inputs.map((input) => toRecordInput(entity, input)),
        );
        const result = await ctx.records.list({
          entity: entity.name,
          filter: { id: { in: created.map((c) => c.id) } },
          first: created.length,
          selection,
        });
        const byId = new Map(result.nodes.map((n) => [n.id, n]));
        return created.map((c) => byId.get(c.id));
      },
    }),
    [names.update]: t.field({
      type: types.object,
      description: `Change a ${entity.name}. With expectedVersion, a record changed meanwhile is refused with CONFLICT.`,
      args: {
        id: t.arg.id({ required: true }),
        input: t.arg({ type: types.input, required: true }),
        expectedVersion: t.arg.int(),
      },
      resolve: async (
        _: unknown,
        args: { id: string; input: Row; expectedVersion?: number | null },
        ctx: ApiContext,
        info: GraphQLResolveInfo,
      ) => {
        return write(ctx, info, () =>
          ctx.records.update(
            entity.name,
            String(args.id),
            toRecordInput(entity, args.input),
            args.expectedVersion ?? undefined,
          ),
        );
      },
    }),
    [names.delete]: t.field({
      type: types.object,
      description: `Delete a ${entity.name}; it can be restored with ${names.restore}.`,
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_: unknown, args: { id: string }, ctx: ApiContext, info: GraphQLResolveInfo) => {
        return write(ctx, info, () => ctx.records.delete(entity.name, String(args.id)), true);
      },
    }),
    [names.restore]: t.field({
      type: types.object,
      description: `Bring back a deleted ${entity.name} with all its data.`,
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_: unknown, args: { id: string }, ctx: ApiContext, info: GraphQLResolveInfo) => {
        return write(ctx, info, () => ctx.records.restore(entity.name, String(args.id)));
      },
    }),
  };
}
