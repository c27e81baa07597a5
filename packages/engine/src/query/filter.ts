// The filter language (documented in types.ts) compiled to one SQL boolean expression with bind parameters.
// Validation walks the whole filter and reports every problem with its path before anything runs.
import {
  FILTER_OPERATORS,
  MAX_FILTER_TEXT_LENGTH,
  NUL_MESSAGE,
  nulTextPaths,
  TouchpointError,
  tooLong,
} from '@touchpoint/schema';
import type { AccessGrants } from '../permissions/grants.ts';
import { ident } from '../physical.ts';
import { visibility } from '../scope.ts';
import type { QueryCompiler } from './compiler.ts';
import { isPlainObject, limitExceeded, MAX_FILTER_DEPTH, StatementContext } from './context.ts';
import { relationLink, scalarSql } from './expressions.ts';
import type { EntityModel, Family, RelationInfo, ScalarInfo } from './model.ts';
import { escapeLike, operatorSql } from './operators.ts';
import type { Filter } from './types.ts';

const COMBINATORS = ['and', 'or', 'not'];
const TO_MANY_QUANTIFIERS = ['some', 'none', 'every'];

export function operatorsOf(family: Family): readonly string[] {
  return family === 'id' ? ['eq', 'neq', 'in', 'notIn', 'isNull'] : FILTER_OPERATORS[family];
}

/** Names a filter on this entity may use, for error messages. */
export function filterableNames(entity: EntityModel): string[] {
  const scalars = [...entity.scalars.values()].filter((s) => operatorsOf(s.family).length > 0).map((s) => s.name);
  return [...scalars, ...entity.relations.keys(), ...COMBINATORS];
}

function join(parts: string[], operator: 'and' | 'or', empty: string): string {
  if (parts.length === 0) return empty;
  return parts.length === 1 ? parts[0]! : `(${parts.join(` ${operator} `)})`;
}

/**
 * A filter on the record at `alias` as a SQL condition. Problems are collected in `ctx.issues`; only limits
 * throw at once. The record's own soft-delete state is the caller's business; related records are
 * always only the live ones.
 */
export function filterSql(
  ctx: StatementContext,
  entity: EntityModel,
  filter: unknown,
  alias: string,
  path: string,
  depth = 1,
): string {
  if (depth > MAX_FILTER_DEPTH) throw limitExceeded(path, 'filter nesting depth', MAX_FILTER_DEPTH, depth);
  if (!isPlainObject(filter)) {
    ctx.issues.add(path, `must be an object of conditions on the fields of ${entity.def.name}`);
    return 'true';
  }
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    // A null condition is no condition: GraphQL clients send explicit nulls for inputs they leave empty.
    if (value === undefined || value === null) continue;
    const here = `${path}.${key}`;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) {
        ctx.issues.add(here, 'must be a list of filters');
        continue;
      }
      const items = value.map((item, i) => filterSql(ctx, entity, item, alias, `${here}[${i}]`, depth + 1));
      parts.push(join(items, key, key === 'and' ? 'true' : 'false'));
    } else if (key === 'not') {
      // Two-valued logic: what the inner filter does not positively match (NULLs included) passes `not`.
      parts.push(`not coalesce(${filterSql(ctx, entity, value, alias, here, depth + 1)}, false)`);
    } else if (entity.scalars.has(key)) {
      parts.push(scalarCondition(ctx, entity, entity.scalars.get(key)!, value, alias, here));
    } else if (entity.relations.has(key)) {
      parts.push(relationCondition(ctx, entity.relations.get(key)!, value, alias, here, depth));
    } else {
      ctx.issues.add(here, `is not a filterable field of ${entity.def.name}`, { allowed: filterableNames(entity) });
    }
  }
  return join(parts, 'and', 'true');
}

function scalarCondition(
  ctx: StatementContext,
  entity: EntityModel,
  scalar: ScalarInfo,
  value: unknown,
  alias: string,
  path: string,
): string {
  const allowed = operatorsOf(scalar.family);
  if (allowed.length === 0) {
    ctx.issues.add(path, `${scalar.name} cannot be filtered`, { allowed: filterableNames(entity) });
    return 'true';
  }
  if (!isPlainObject(value)) {
    ctx.issues.add(path, `must be an object of operators, e.g. { ${allowed[0]}: … }`, { allowed });
    return 'true';
  }
  const operand = {
    scalar,
    sql: scalarSql(ctx, entity, scalar, alias),
    currencySql: scalar.currencyColumn ? `${alias}.${ident(scalar.currencyColumn)}` : undefined,
  };
  const parts: string[] = [];
  for (const [operator, operatorValue] of Object.entries(value)) {
    if (operatorValue === undefined) continue;
    if (!allowed.includes(operator)) {
      ctx.issues.add(`${path}.${operator}`, `is not an operator of ${scalar.name}`, { allowed });
      continue;
    }
    if (!checkTexts(ctx, operatorValue, `${path}.${operator}`)) continue;
    parts.push(operatorSql(ctx, operand, operator, operatorValue, `${path}.${operator}`));
  }
  return join(parts, 'and', 'true');
}

function relationCondition(
  ctx: StatementContext,
  relation: RelationInfo,
  value: unknown,
  alias: string,
  path: string,
  depth: number,
): string {
  const target = relation.target;
  const exists = (filter: unknown, here: string, negateInner = false): string => {
    const a = ctx.alias();
    const inner = filterSql(ctx, target, filter, a, here, depth + 1);
    const condition = negateInner ? `not coalesce(${inner}, false)` : inner;
    return `exists (select 1 from ${target.table} ${a} where ${relationLink(ctx, relation, a, alias)} and ${visibility(target.def, a, undefined, ctx.grants)} and ${condition})`;
  };
  if (relation.kind === 'manyToOne') return exists(value, path);
  if (!isPlainObject(value)) {
    ctx.issues.add(path, `must be { some: … }, { none: … } or { every: … }`, { allowed: TO_MANY_QUANTIFIERS });
    return 'true';
  }
  const parts: string[] = [];
  for (const [quantifier, filter] of Object.entries(value)) {
    if (filter === undefined || filter === null) continue;
    const here = `${path}.${quantifier}`;
    if (quantifier === 'some') parts.push(exists(filter, here));
    else if (quantifier === 'none') parts.push(`not ${exists(filter, here)}`);
    else if (quantifier === 'every') parts.push(`not ${exists(filter, here, true)}`);
    else ctx.issues.add(here, `is not a quantifier of a to-many relation`, { allowed: TO_MANY_QUANTIFIERS });
  }
  return join(parts, 'and', 'true');
}

/**
 * Texts PostgreSQL cannot take (U+0000) or no search needs (past MAX_FILTER_TEXT_LENGTH) in an operator's
 * value or a search: reported at their paths; false when there was any.
 */
function checkTexts(ctx: StatementContext, value: unknown, path: string): boolean {
  const before = ctx.issues.issues.length;
  for (const where of nulTextPaths(value, path)) ctx.issues.add(where, NUL_MESSAGE);
  const texts = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  texts.forEach((text, i) => {
    const long = typeof text === 'string' && tooLong(text, MAX_FILTER_TEXT_LENGTH, 'a filter or search text');
    if (long) ctx.issues.add(typeof value === 'string' ? path : `${path}[${i}]`, long);
  });
  return ctx.issues.issues.length === before;
}

/** Matches `text` case-insensitively in any searchable field; LIKE wildcards in it match literally. */
export function searchSql(ctx: StatementContext, entity: EntityModel, text: unknown, alias: string): string {
  if (text === undefined || text === null || text === '') return 'true';
  if (typeof text !== 'string') {
    ctx.issues.add('search', 'must be a text');
    return 'true';
  }
  if (!checkTexts(ctx, text, 'search')) return 'true';
  const fields = [...entity.scalars.values()].filter((s) => s.searchable);
  if (fields.length === 0) return 'false';
  const pattern = ctx.param(`%${escapeLike(text)}%`, 'text');
  return join(
    fields.map((s) => `${scalarSql(ctx, entity, s, alias)} ilike ${pattern}`),
    'or',
    'false',
  );
}

export interface CompileFilterOptions {
  /** Alias (or unquoted table name) of the filtered table in the caller's statement; default `t`. */
  alias?: string;
  /** The caller's bind parameters; the filter's are appended and numbered after them. */
  params?: unknown[];
  /** Where the filter sits in the caller's input, for error paths; default `filter`. */
  path?: string;
  /** Whose read it is: relation conditions see only the related rows these grants may read. */
  grants?: AccessGrants;
}

/**
 * Compiles a filter for use in a caller's own statement (rollup filters, bulk updates, saved views).
 * Soft-deleted rows of the filtered table itself are not excluded: add the engine's `visibility(entity, alias)` if wanted.
 * Throws VALIDATION_FAILED (every problem, with paths) or LIMIT_EXCEEDED.
 */
export function compileFilter(
  compiler: QueryCompiler,
  entity: string,
  filter: Filter | undefined,
  options: CompileFilterOptions = {},
): { sql: string; params: unknown[] } {
  const alias = options.alias ?? 't';
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) {
    throw new TouchpointError('BAD_REQUEST', `compileFilter: alias "${alias}" must be a plain lower-case name`);
  }
  const ctx = new StatementContext(compiler, options.params ?? [], options.grants);
  const model = compiler.entityModel(entity);
  const path = options.path ?? 'filter';
  const sql = filter === undefined ? 'true' : filterSql(ctx, model, filter, alias, path);
  ctx.issues.throwIfAny(`The filter on ${entity} is not valid`);
  return { sql, params: ctx.params };
}
