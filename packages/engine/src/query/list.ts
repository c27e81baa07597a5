// Reads of records: a page of a list (Relay-style keyset pagination), one record, many records by id.
// Each is one statement whose single row holds the whole result as JSON (plus one count when asked).
import { isUuid, validationFailed } from '@touchpoint/schema';
import type { Sql } from '../db.ts';
import type { AccessGrants } from '../permissions/grants.ts';
import { assertReadable, visibility } from '../scope.ts';
import type { QueryCompiler } from './compiler.ts';
import {
  checkCount,
  DEFAULT_FIRST,
  limitExceeded,
  MAX_FIRST,
  MAX_IN_VALUES,
  type Statement,
  StatementContext,
} from './context.ts';
import { filterSql, searchSql } from './filter.ts';
import { cursorFromKeys, cursorKeysSql, keysetSql, orderClause, resolveOrder } from './pagination.ts';
import { objectSql, pagedRows } from './selection.ts';
import type { ListRequest, ListResult, Selection } from './types.ts';

export interface CompiledList {
  statement: Statement;
  /** The `count(*)` statement, when `withTotalCount` asks for it. */
  count?: Statement;
  /** Records asked for; the statement fetches one more to learn whether another page exists. */
  pageSize: number;
  /** Paging backwards (`last`/`before`): the extra row, if any, is the first one. */
  backward: boolean;
  hasAfter: boolean;
  hasBefore: boolean;
}

function rootConditions(ctx: StatementContext, req: ListRequest, alias: string): string[] {
  const entity = ctx.compiler.entityModel(req.entity);
  const conditions: string[] = [];
  conditions.push(visibility(entity.def, alias, { includeDeleted: req.includeDeleted === true }, ctx.grants));
  if (req.filter != null) conditions.push(filterSql(ctx, entity, req.filter, alias, 'filter'));
  if (req.search != null) conditions.push(searchSql(ctx, entity, req.search, alias));
  return conditions;
}

/**
 * `json`: the statement returns the page's nodes as JSON text, exactly `pageSize` of them (no look-ahead
 * row), without cursors — for `listJson`, whose callers splice it into an answer unread.
 */
export function compileList(
  compiler: QueryCompiler,
  req: ListRequest,
  json = false,
  grants?: AccessGrants,
): CompiledList {
  const entity = compiler.entityModel(req.entity);
  assertReadable(entity.def.name, grants);
  const ctx = new StatementContext(compiler, [], grants);
  if (req.first != null && req.last != null) {
    ctx.issues.add(
      'last',
      'cannot be combined with first: page forwards with first/after or backwards with last/before',
    );
  }
  // GraphQL hands over explicit nulls; they mean the same as an absent argument.
  const backward = req.last != null || (req.before != null && req.first == null);
  const pageSize = backward
    ? checkCount(ctx, req.last, 'last', DEFAULT_FIRST, MAX_FIRST)
    : checkCount(ctx, req.first, 'first', DEFAULT_FIRST, MAX_FIRST);
  const alias = ctx.alias();
  const conditions = rootConditions(ctx, req, alias);
  const keys = resolveOrder(ctx, entity, req.orderBy, alias, 'orderBy');
  const cursor: [string, string][] =
    json || req.withCursors === false ? [] : [['__cursor', cursorKeysSql(keys, alias)]];
  const node = objectSql(ctx, entity, req.selection, alias, 'selection', cursor);
  // Cursors are checked against valid keys only, so every other problem is reported first, all at once.
  ctx.issues.throwIfAny(`The list request for ${entity.def.name} is not valid`);
  if (req.after != null) conditions.push(keysetSql(ctx, keys, req.after, 'after', true));
  if (req.before != null) conditions.push(keysetSql(ctx, keys, req.before, 'before', false));
  const rows = pagedRows(
    entity,
    alias,
    keys,
    conditions,
    `limit ${ctx.param(json ? pageSize : pageSize + 1, 'integer')}`,
    backward,
    node,
  );
  const text = `select coalesce(json_agg(${node} order by ${orderClause(keys, alias)}), '[]'::json)${json ? '::text' : ''} as nodes from (${rows}) ${alias}`;
  const compiled: CompiledList = {
    statement: ctx.statement(text, `The list request for ${entity.def.name} is not valid`),
    pageSize,
    backward,
    hasAfter: req.after != null,
    hasBefore: req.before != null,
  };
  if (req.withTotalCount) {
    const countCtx = new StatementContext(compiler, [], grants);
    const countAlias = countCtx.alias();
    const where = rootConditions(countCtx, req, countAlias);
    compiled.count = countCtx.statement(
      `select count(*)::int as count from ${entity.table} ${countAlias}${where.length > 0 ? ` where ${where.join(' and ')}` : ''}`,
      `The list request for ${entity.def.name} is not valid`,
    );
  }
  return compiled;
}

export async function listRecords(
  sql: Sql,
  compiler: QueryCompiler,
  req: ListRequest,
  grants?: AccessGrants,
): Promise<ListResult> {
  const compiled = compiler.compileList(req, grants);
  const [rows, counted] = await Promise.all([
    sql.query<{ nodes: Record<string, unknown>[] }>(compiled.statement.text, compiled.statement.params),
    compiled.count ? sql.query<{ count: number }>(compiled.count.text, compiled.count.params) : undefined,
  ]);
  const nodes = rows[0]?.nodes ?? [];
  const more = nodes.length > compiled.pageSize;
  if (more) {
    if (compiled.backward) nodes.shift();
    else nodes.pop();
  }
  if (req.withCursors !== false)
    for (const node of nodes) node['__cursor'] = cursorFromKeys(node['__cursor'] as string);
  const cursor = (node: Record<string, unknown> | undefined) => (node?.['__cursor'] as string | undefined) ?? null;
  const result: ListResult = {
    nodes,
    pageInfo: {
      // The direction not walked is answered by whether a cursor bounds it: cheap, and what Relay allows.
      hasNextPage: compiled.backward ? compiled.hasBefore : more,
      hasPreviousPage: compiled.backward ? more : compiled.hasAfter,
      startCursor: cursor(nodes[0]),
      endCursor: cursor(nodes.at(-1)),
    },
  };
  if (counted) result.totalCount = counted[0]?.count ?? 0;
  return result;
}

/**
 * The nodes of one page as PostgreSQL's JSON text, keys as `selection.keys` order them (at every level):
 * for a caller that passes the records on without reading them (an API answer), so Node neither parses
 * nor serialises them. No cursors and no pageInfo; `withTotalCount` is not supported.
 */
export async function listJson(
  sql: Sql,
  compiler: QueryCompiler,
  req: ListRequest,
  grants?: AccessGrants,
): Promise<string> {
  const compiled = compiler.compileListJson(req, grants);
  const rows = await sql.query<{ nodes: string }>(compiled.statement.text, compiled.statement.params);
  return rows[0]?.nodes ?? '[]';
}

export interface GetOptions {
  includeDeleted?: boolean;
  /** Whose read it is (see `visibility`); none: every live record. */
  grants?: AccessGrants;
}

function checkIds(ids: readonly unknown[], path: (i: number) => string): void {
  const issues = ids.flatMap((id, i) =>
    isUuid(id) ? [] : [{ path: path(i), message: `must be a record id (UUID), got ${JSON.stringify(id)}` }],
  );
  if (issues.length > 0) throw validationFailed('Record ids are not valid', issues);
}

export function compileGetMany(
  compiler: QueryCompiler,
  entityName: string,
  ids: readonly string[],
  selection: Selection,
  opts: GetOptions = {},
): Statement {
  const entity = compiler.entityModel(entityName);
  if (ids.length > MAX_IN_VALUES) throw limitExceeded('ids', 'ids', MAX_IN_VALUES, ids.length);
  checkIds(ids, (i) => `ids[${i}]`);
  assertReadable(entity.def.name, opts.grants);
  const ctx = new StatementContext(compiler, [], opts.grants);
  const list = ctx.param(ids, 'uuid[]');
  const alias = ctx.alias();
  const live = ` and ${visibility(entity.def, alias, opts, opts.grants)}`;
  const node = objectSql(ctx, entity, selection, alias, 'selection');
  // A left join keeps one slot per requested id, in order, with null where no record answers.
  const text = `select coalesce(json_agg(case when ${alias}.id is null then null else ${node} end order by x.ord), '[]'::json) as nodes from unnest(${list}) with ordinality as x(id, ord) left join ${entity.table} ${alias} on ${alias}.id = x.id${live}`;
  return ctx.statement(text, `The read of ${entity.def.name} records is not valid`);
}

export async function getRecordsByIds(
  sql: Sql,
  compiler: QueryCompiler,
  entity: string,
  ids: readonly string[],
  selection: Selection,
  opts: GetOptions = {},
): Promise<(Record<string, unknown> | null)[]> {
  if (ids.length === 0) return [];
  const statement = compileGetMany(compiler, entity, ids, selection, opts);
  const rows = await sql.query<{ nodes: (Record<string, unknown> | null)[] }>(statement.text, statement.params);
  return rows[0]?.nodes ?? [];
}

export function compileGet(
  compiler: QueryCompiler,
  entityName: string,
  id: string,
  selection: Selection,
  opts: GetOptions = {},
): Statement {
  const entity = compiler.entityModel(entityName);
  checkIds([id], () => 'id');
  assertReadable(entity.def.name, opts.grants);
  const ctx = new StatementContext(compiler, [], opts.grants);
  const alias = ctx.alias();
  const live = ` and ${visibility(entity.def, alias, opts, opts.grants)}`;
  const where = `${alias}.id = ${ctx.param(id, 'uuid')}${live}`;
  const node = objectSql(ctx, entity, selection, alias, 'selection');
  return ctx.statement(
    `select ${node} as node from ${entity.table} ${alias} where ${where}`,
    `The read of ${entity.def.name} is not valid`,
  );
}

export async function getRecord(
  sql: Sql,
  compiler: QueryCompiler,
  entity: string,
  id: string,
  selection: Selection,
  opts: GetOptions = {},
): Promise<Record<string, unknown> | null> {
  const statement = compileGet(compiler, entity, id, selection, opts);
  const rows = await sql.query<{ node: Record<string, unknown> }>(statement.text, statement.params);
  return rows[0]?.node ?? null;
}
