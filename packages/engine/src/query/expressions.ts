// SQL for one value of one record: the comparable expression (filters, order, groups), its JSON rendering
// and its cursor rendering. Computed fields expand here: formulas inline, rollups as correlated subqueries.
import type { FormulaResultType, FormulaValueType } from '@touchpoint/schema';
import { compileFormula } from '@touchpoint/schema';
import { ident } from '../physical.ts';
import { visibility } from '../scope.ts';
import { literal, type StatementContext } from './context.ts';
import { filterSql } from './filter.ts';
import type { EntityModel, RelationInfo, ScalarInfo, ValueType } from './model.ts';

/** Timestamps leave as ISO 8601 UTC with milliseconds, whatever the session TimeZone. */
const ISO_MILLIS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
/** Cursors keep microseconds: a cursor rounded to milliseconds would skip or repeat rows. */
const ISO_MICROS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** The cast a bind parameter compared with a value of this type gets. */
export const CASTS: Record<ValueType, string> = {
  text: 'text',
  integer: 'integer',
  numeric: 'numeric',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamptz',
  uuid: 'uuid',
  textArray: 'text[]',
  json: 'jsonb',
  money: 'numeric',
};

export function isoTimestamp(expr: string, micros = false): string {
  return `to_char(${expr} at time zone 'UTC', ${micros ? ISO_MICROS : ISO_MILLIS})`;
}

export function isoDate(expr: string): string {
  return `to_char(${expr}, 'YYYY-MM-DD')`;
}

/** Renders a comparable value as JSON; numerics become strings so no precision is lost. */
export function jsonOf(valueType: ValueType, expr: string): string {
  switch (valueType) {
    case 'numeric':
    case 'money':
      return `(${expr})::text`;
    case 'date':
      return isoDate(expr);
    case 'timestamp':
      return isoTimestamp(expr);
    default:
      return expr;
  }
}

/** Renders a sort value for a cursor: like `jsonOf`, but timestamps keep every digit PostgreSQL stores. */
export function cursorOf(valueType: ValueType, expr: string): string {
  return valueType === 'timestamp' ? isoTimestamp(expr, true) : jsonOf(valueType, expr);
}

/** The value of a scalar of the record at `alias`, as a SQL expression (the amount, for money). */
export function scalarSql(ctx: StatementContext, entity: EntityModel, scalar: ScalarInfo, alias: string): string {
  switch (scalar.source) {
    case 'formula':
      return formulaSql(ctx, entity, scalar, alias);
    case 'rollup':
      return rollupSql(ctx, entity, scalar, alias);
    default:
      return `${alias}.${ident(scalar.column!)}`;
  }
}

/** The value of a scalar as it appears in a record's JSON. */
export function scalarJsonSql(ctx: StatementContext, entity: EntityModel, scalar: ScalarInfo, alias: string): string {
  if (scalar.valueType === 'money') {
    const amount = `${alias}.${ident(scalar.column!)}`;
    const currency = `${alias}.${ident(scalar.currencyColumn!)}`;
    return `case when ${amount} is null then null else json_build_object('amount', ${amount}::text, 'currency', ${currency}) end`;
  }
  return jsonOf(scalar.valueType, scalarSql(ctx, entity, scalar, alias));
}

/** `json_build_object` takes at most 100 arguments; wider objects are merged from chunks of 50 keys. */
export function jsonObject(pairs: readonly (readonly [string, string])[]): string {
  const args = (chunk: readonly (readonly [string, string])[]) =>
    chunk.map(([key, sql]) => `${literal(key)}, ${sql}`).join(', ');
  if (pairs.length <= 50) return `json_build_object(${args(pairs)})`;
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 50) chunks.push(`jsonb_build_object(${args(pairs.slice(i, i + 50))})`);
  return `(${chunks.join(' || ')})::json`;
}

/** The condition tying a related row at `child` to the record at `parent`. */
export function relationLink(ctx: StatementContext, relation: RelationInfo, child: string, parent: string): string {
  switch (relation.kind) {
    case 'manyToOne':
      return `${child}.id = ${parent}.${ident(relation.column)}`;
    case 'oneToMany':
      return `${child}.${ident(relation.column)} = ${parent}.id`;
    case 'manyToMany': {
      const j = ctx.alias();
      return `exists (select 1 from ${relation.joinTable} ${j} where ${j}.${ident(relation.ownColumn)} = ${parent}.id and ${j}.${ident(relation.otherColumn)} = ${child}.id)`;
    }
  }
}

const OPERAND_TYPES: Partial<Record<ValueType, FormulaValueType>> = {
  text: 'text',
  integer: 'number',
  numeric: 'number',
  money: 'number',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'datetime',
  uuid: 'text',
};

/** Casts pin a formula's SQL type, so JSON rendering, comparisons and cursors never guess. */
const FORMULA_CASTS: Record<FormulaResultType, string> = {
  text: 'text',
  number: 'numeric',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamptz',
};

function expand<T>(ctx: StatementContext, entity: EntityModel, scalar: ScalarInfo, fallback: T, fn: () => T): T {
  const key = `${entity.def.name}.${scalar.name}`;
  if (ctx.expanding.has(key)) {
    ctx.issues.add(`${key}`, `refers to itself through ${[...ctx.expanding].join(' → ')}`);
    return fallback;
  }
  ctx.expanding.add(key);
  try {
    return fn();
  } finally {
    ctx.expanding.delete(key);
  }
}

function formulaSql(ctx: StatementContext, entity: EntityModel, scalar: ScalarInfo, alias: string): string {
  const options = scalar.field?.formula;
  if (!options) {
    ctx.issues.add(`${entity.def.name}.${scalar.name}`, 'a formula field needs formula options');
    return 'null';
  }
  return expand(ctx, entity, scalar, 'null', () => {
    const compiled = compileFormula(options.expression, (name) => {
      const operand = entity.scalars.get(name);
      const type = operand && OPERAND_TYPES[operand.valueType];
      if (!operand || !type) return undefined;
      const sql = scalarSql(ctx, entity, operand, alias);
      return { sql: operand.valueType === 'uuid' ? `${sql}::text` : sql, type };
    });
    if (compiled.type !== options.resultType) {
      ctx.issues.add(
        `${entity.def.name}.${scalar.name}.formula.resultType`,
        `is ${options.resultType} but the expression yields ${compiled.type}`,
      );
      return 'null';
    }
    return `(${compiled.sql})::${FORMULA_CASTS[options.resultType]}`;
  });
}

const ROLLUP_FUNCTIONS = new Set(['count', 'sum', 'min', 'max', 'avg']);
const NUMERIC_TYPES = new Set<ValueType>(['integer', 'numeric', 'money']);

function rollupSql(ctx: StatementContext, entity: EntityModel, scalar: ScalarInfo, alias: string): string {
  const path = `${entity.def.name}.${scalar.name}.rollup`;
  const options = scalar.field?.rollup;
  const relation = options && entity.relations.get(options.relation);
  if (!options || !relation || relation.kind === 'manyToOne' || !ROLLUP_FUNCTIONS.has(options.fn)) {
    ctx.issues.add(path, 'needs a to-many relation of the entity and one of count, sum, min, max, avg');
    return 'null';
  }
  return expand(ctx, entity, scalar, 'null', () => {
    const target = relation.target;
    const a = ctx.alias();
    let aggregate = 'count(*)';
    if (options.field !== undefined) {
      const operand = target.scalars.get(options.field);
      if (!operand || !NUMERIC_TYPES.has(operand.valueType)) {
        ctx.issues.add(`${path}.field`, `must be a number field of ${target.def.name}`);
        return 'null';
      }
      aggregate = `${options.fn}(${scalarSql(ctx, target, operand, a)})`;
      if (operand.valueType === 'money' && options.fn !== 'count') {
        // No exchange rates: only amounts in the field's currency are aggregated (others are left out); a
        // field without one (refused by validation since) answers only when every amount has one currency.
        const amount = scalarSql(ctx, target, operand, a);
        const currency = `${a}.${ident(operand.currencyColumn!)}`;
        const code = operand.field?.currencyCode;
        aggregate = code
          ? `${options.fn}(case when ${currency} = ${literal(code)} then ${amount} end)`
          : `case when count(distinct ${currency}) <= 1 then ${options.fn}(${amount}) end`;
      }
    } else if (options.fn !== 'count') {
      ctx.issues.add(`${path}.field`, `${options.fn} needs a field to aggregate`);
      return 'null';
    }
    const conditions = [relationLink(ctx, relation, a, alias), visibility(target.def, a, undefined, ctx.grants)];
    if (options.filter) conditions.push(filterSql(ctx, target, options.filter, a, `${path}.filter`));
    return `(select ${aggregate}::numeric from ${target.table} ${a} where ${conditions.join(' and ')})`;
  });
}
