// A selection compiled to one JSON-building SQL expression per record: scalars via json_build_object,
// a many-to-one as a scalar subquery, a to-many as a correlated, limited subquery aggregated with json_agg.
// Nesting is recursion, so a request costs one statement whatever its depth and however many rows it returns.
import { ident } from '../physical.ts';
import { visibility } from '../scope.ts';
import { checkCount, DEFAULT_NESTED_FIRST, isPlainObject, MAX_FIRST, type StatementContext } from './context.ts';
import { jsonObject, relationLink, scalarJsonSql } from './expressions.ts';
import { filterSql } from './filter.ts';
import type { EntityModel, RelationInfo } from './model.ts';
import { keyColumns, type OrderKey, orderClause, resolveOrder } from './pagination.ts';
import type { RelationSelection } from './types.ts';

/** GraphQL names: what a response key (alias) may be. */
const RESPONSE_KEY = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

/**
 * JSON of the record at `alias` shaped as `selection` asks. `extra` pairs (like `__cursor`) are appended.
 * `alias` must be a row the statement's grants let it read (filtered with `visibility`): nested to-many
 * lists rely on it (`AccessGrants.readUnder`).
 */
export function objectSql(
  ctx: StatementContext,
  entity: EntityModel,
  selection: unknown,
  alias: string,
  path: string,
  extra: readonly (readonly [string, string])[] = [],
): string {
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  const claim = (key: string, where: string): boolean => {
    if (seen.has(key)) {
      ctx.issues.add(where, `selects "${key}" twice; give one of them another alias`);
      return false;
    }
    seen.add(key);
    return true;
  };
  if (!isPlainObject(selection)) {
    ctx.issues.add(path, 'must be { fields: string[], relations: RelationSelection[] }');
    return 'null';
  }
  const fields = selection['fields'] ?? [];
  const relations = selection['relations'] ?? [];
  if (!Array.isArray(fields)) ctx.issues.add(`${path}.fields`, 'must be a list of field names');
  else {
    fields.forEach((name: unknown, i) => {
      const where = `${path}.fields[${i}]`;
      const scalar = typeof name === 'string' ? entity.scalars.get(name) : undefined;
      if (!scalar) {
        const hint =
          typeof name === 'string' && entity.relations.has(name) ? ' (a relation: select it under relations)' : '';
        ctx.issues.add(where, `${String(name)} is not a field of ${entity.def.name}${hint}`, {
          allowed: [...entity.scalars.keys()],
        });
      } else if (claim(scalar.name, where)) {
        pairs.push([scalar.name, scalarJsonSql(ctx, entity, scalar, alias)]);
      }
    });
  }
  if (!Array.isArray(relations)) ctx.issues.add(`${path}.relations`, 'must be a list of relation selections');
  else {
    relations.forEach((item: unknown, i) => {
      const where = `${path}.relations[${i}]`;
      if (!isPlainObject(item)) {
        ctx.issues.add(where, 'must be { key, field, selection, … }');
        return;
      }
      const selected = item as unknown as RelationSelection;
      const relation = typeof selected.field === 'string' ? entity.relations.get(selected.field) : undefined;
      if (!relation) {
        ctx.issues.add(`${where}.field`, `${String(selected.field)} is not a relation of ${entity.def.name}`, {
          allowed: [...entity.relations.keys()],
        });
        return;
      }
      const key = selected.key ?? selected.field;
      if (typeof key !== 'string' || !RESPONSE_KEY.test(key)) {
        ctx.issues.add(`${where}.key`, 'must be a GraphQL name: letters, digits and _, not starting with a digit');
        return;
      }
      if (claim(key, `${where}.key`))
        pairs.push([key, relationSql(ctx, entity, relation, selected, alias, `${path}.${key}`)]);
    });
  }
  const keys = selection['keys'];
  if (keys !== undefined) {
    if (!Array.isArray(keys) || keys.length !== pairs.length || pairs.some(([key]) => !keys.includes(key))) {
      ctx.issues.add(`${path}.keys`, 'must list every selected field and relation key, once each');
    } else {
      pairs.sort(([a], [b]) => keys.indexOf(a) - keys.indexOf(b));
      // jsonb (used past 50 keys) orders keys its own way.
      if (pairs.length + extra.length > 50) ctx.issues.add(`${path}.keys`, 'keeps its order for at most 50 keys');
    }
  }
  return jsonObject([...pairs, ...extra]);
}

function relationSql(
  ctx: StatementContext,
  entity: EntityModel,
  relation: RelationInfo,
  selected: RelationSelection,
  parent: string,
  path: string,
): string {
  const target = relation.target;
  const a = ctx.alias();
  if (relation.kind === 'manyToOne') {
    for (const argument of ['filter', 'orderBy', 'first', 'offset'] as const) {
      if (selected[argument] != null) {
        ctx.issues.add(
          `${path}.${argument}`,
          `${relation.name} is a many-to-one relation; only to-many relations take ${argument}`,
        );
      }
    }
    const object = objectSql(ctx, target, selected.selection, a, `${path}.selection`);
    return `(select ${object} from ${target.table} ${a} where ${a}.id = ${parent}.${ident(relation.column)} and ${visibility(target.def, a, undefined, ctx.grants)})`;
  }
  const first = checkCount(ctx, selected.first, `${path}.first`, DEFAULT_NESTED_FIRST, MAX_FIRST);
  const offset = checkCount(ctx, selected.offset, `${path}.offset`, 0, Number.MAX_SAFE_INTEGER);
  const keys = resolveOrder(ctx, target, selected.orderBy, a, `${path}.orderBy`);
  // `parent` is a row this statement's grants already let it read (every alias `objectSql` is given is).
  const under =
    relation.kind === 'oneToMany'
      ? { parentEntity: entity.def.name, parentAlias: parent, column: relation.column }
      : undefined;
  const conditions = [relationLink(ctx, relation, a, parent), visibility(target.def, a, { under }, ctx.grants)];
  if (selected.filter != null) conditions.push(filterSql(ctx, target, selected.filter, a, `${path}.filter`));
  const page = `limit ${ctx.param(first, 'integer')}${offset > 0 ? ` offset ${ctx.param(offset, 'bigint')}` : ''}`;
  const object = objectSql(ctx, target, selected.selection, a, `${path}.selection`);
  const rows = pagedRows(target, a, keys, conditions, page, false, object);
  return `coalesce((select json_agg(${object} order by ${orderClause(keys, a)}) from (${rows}) ${a}), '[]'::json)`;
}

/**
 * The rows of one page, with their sort keys materialised, under the same alias as the base table, so the
 * JSON built over them is computed only for the rows of the page and refers to columns by their usual names.
 * Only the columns `usedBy` (the SQL built over the page) refers to are carried: sorting wide rows costs.
 */
export function pagedRows(
  entity: EntityModel,
  alias: string,
  keys: readonly OrderKey[],
  conditions: readonly string[],
  page: string,
  reverse: boolean,
  usedBy: string,
): string {
  const where = conditions.length > 0 ? ` where ${conditions.join(' and ')}` : '';
  const columns = referencedColumns(alias, usedBy).map((c) => `${alias}.${ident(c)}`);
  return `select ${columns.join(', ')}${keyColumns(keys)} from ${entity.table} ${alias}${where} order by ${orderClause(keys, alias, { inner: true, reverse })} ${page}`;
}

/**
 * Columns of `alias` that compiled SQL refers to (`tp1."first_name"`, `tp1.id`), always including `id`.
 * Aliases are unique per statement and every column reference is written as `alias.column`, so reading
 * them back from the SQL is exact; materialised sort keys (`__k0`) are not table columns and are skipped.
 */
export function referencedColumns(alias: string, sql: string): string[] {
  const found = new Set<string>(['id']);
  const pattern = new RegExp(`(?<![\\w"])${alias}\\.(?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_]*))`, 'g');
  for (const match of sql.matchAll(pattern)) {
    const column = match[1]?.replaceAll('""', '"') ?? match[2]!;
    if (!/^__k\d+$/.test(column)) found.add(column);
  }
  return [...found];
}
