// Aggregates: counts, sums, averages, minima and maxima per group, in one statement returning JSON groups.
import type { Sql } from '../db.ts';
import type { AccessGrants } from '../permissions/grants.ts';
import { ident } from '../physical.ts';
import { assertReadable, visibility } from '../scope.ts';
import type { QueryCompiler } from './compiler.ts';
import {
  checkCount,
  DEFAULT_AGGREGATE_GROUPS,
  describeValue,
  isPlainObject,
  MAX_AGGREGATE_GROUPS,
  type Statement,
  StatementContext,
} from './context.ts';
import { jsonObject, jsonOf, scalarSql } from './expressions.ts';
import { filterSql } from './filter.ts';
import type { ScalarInfo, ValueType } from './model.ts';
import type { AggregateFunction, AggregateGroup, AggregateRequest } from './types.ts';

export type CompiledAggregate = Statement;

const FUNCTIONS: readonly AggregateFunction[] = ['count', 'sum', 'avg', 'min', 'max'];
const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'];
/** Per-currency statistics of a money amount, as decimal text. */
const MONEY_SQL: Partial<Record<AggregateFunction, (amount: string) => string>> = {
  sum: (a) => `sum(${a})::text`,
  avg: (a) => `trim_scale(avg(${a}))::text`,
  min: (a) => `min(${a})::text`,
  max: (a) => `max(${a})::text`,
};
/** min/max need an ordered type PostgreSQL can aggregate. */
const MIN_MAX_TYPES = new Set<ValueType>(['text', 'integer', 'numeric', 'money', 'date', 'timestamp']);

interface Column {
  sql: string;
  name: string;
}

export function compileAggregate(
  compiler: QueryCompiler,
  req: AggregateRequest,
  grants?: AccessGrants,
): CompiledAggregate {
  const entity = compiler.entityModel(req.entity);
  assertReadable(entity.def.name, grants);
  const ctx = new StatementContext(compiler, [], grants);
  const alias = ctx.alias();
  let granularity = req.dateGranularity ?? 'month';
  if (!GRANULARITIES.includes(granularity)) {
    ctx.issues.add('dateGranularity', `must be one of ${GRANULARITIES.join(', ')}`, { allowed: GRANULARITIES });
    granularity = 'month';
  }
  const groupable = [...entity.scalars.values()].filter((s) => s.groupable).map((s) => s.name);

  const groupScalars: ScalarInfo[] = [];
  (req.groupBy ?? []).forEach((name, i) => {
    const scalar = entity.scalars.get(name);
    if (!scalar?.groupable) {
      ctx.issues.add(`groupBy[${i}]`, `${String(name)} cannot group ${entity.def.name} records`, {
        allowed: groupable,
      });
      return;
    }
    if (!groupScalars.some((g) => g.name === name)) groupScalars.push(scalar);
  });
  /** The group keys over the rows at `on`. */
  const groupColumns = (on: string): Column[] =>
    groupScalars.map((scalar) => {
      const e = scalarSql(ctx, entity, scalar, on);
      let sql = e;
      // Date keys are the first day of their bucket as YYYY-MM-DD; datetimes are bucketed in the compiler's time zone.
      if (scalar.valueType === 'date') sql = `to_char(date_trunc('${granularity}', ${e}::timestamp), 'YYYY-MM-DD')`;
      if (scalar.valueType === 'timestamp') {
        sql = `to_char(date_trunc('${granularity}', ${e} at time zone ${ctx.param(compiler.timeZone, 'text')}), 'YYYY-MM-DD')`;
      }
      return { name: scalar.name, sql };
    });
  const groups = groupColumns(alias);

  const values: { fn: AggregateFunction; field: string; column: Column }[] = [];
  // Money is aggregated per currency (there are no exchange rates): field → the functions asked of it.
  const money = new Map<string, { scalar: ScalarInfo; fns: Set<AggregateFunction> }>();
  (req.aggregates ?? []).forEach((item, i) => {
    const path = `aggregates[${i}]`;
    const fn = isPlainObject(item) ? item.fn : undefined;
    const field = isPlainObject(item) ? item.field : undefined;
    if (!fn || !FUNCTIONS.includes(fn)) {
      ctx.issues.add(`${path}.fn`, `must be one of ${FUNCTIONS.join(', ')}, got ${describeValue(fn)}`, {
        allowed: FUNCTIONS,
      });
      return;
    }
    if (fn === 'count' && field == null) return;
    const scalar = typeof field === 'string' ? entity.scalars.get(field) : undefined;
    const fits =
      scalar &&
      (fn === 'count' ||
        ((fn === 'sum' || fn === 'avg') && scalar.summable) ||
        ((fn === 'min' || fn === 'max') && scalar.sortable && MIN_MAX_TYPES.has(scalar.valueType)));
    if (!scalar || !fits) {
      const allowed = [...entity.scalars.values()]
        .filter((s) =>
          fn === 'sum' || fn === 'avg' ? s.summable : fn === 'count' || (s.sortable && MIN_MAX_TYPES.has(s.valueType)),
        )
        .map((s) => s.name);
      ctx.issues.add(`${path}.field`, `${fn} cannot aggregate ${String(field)} of ${entity.def.name}`, { allowed });
      return;
    }
    if (scalar.valueType === 'money' && fn !== 'count') {
      const entry = money.get(scalar.name) ?? { scalar, fns: new Set<AggregateFunction>() };
      entry.fns.add(fn);
      money.set(scalar.name, entry);
      return;
    }
    if (values.some((v) => v.fn === fn && v.field === scalar.name)) return;
    const e = scalarSql(ctx, entity, scalar, alias);
    const sql =
      fn === 'count'
        ? `count(${e})::int`
        : fn === 'sum'
          ? `sum(${e})::text`
          : fn === 'avg'
            ? `trim_scale(avg(${e}))::text`
            : jsonOf(scalar.valueType, `${fn}(${e})`);
    values.push({ fn, field: scalar.name, column: { sql, name: `a${values.length}` } });
  });

  const sortable = [...groups.map((g) => g.name), 'count'];
  const order: string[] = [];
  (req.orderBy ?? []).forEach((item, i) => {
    const index = groups.findIndex((g) => g.name === item?.key);
    const column = item?.key === 'count' ? '"c"' : index >= 0 ? `"g${index}"` : undefined;
    if (!column) {
      ctx.issues.add(`orderBy[${i}].key`, `${String(item?.key)} is not a group key or count`, { allowed: sortable });
    } else if (item.direction !== 'asc' && item.direction !== 'desc') {
      ctx.issues.add(`orderBy[${i}].direction`, 'must be asc or desc', { allowed: ['asc', 'desc'] });
    } else {
      order.push(`${column} ${item.direction} nulls ${item.direction === 'asc' ? 'last' : 'first'}`);
    }
  });
  // Group keys break ties, so equal counts still come back in a stable order.
  for (let i = 0; i < groups.length; i++) order.push(`"g${i}" asc nulls last`);
  const limit = checkCount(ctx, req.limit, 'limit', DEFAULT_AGGREGATE_GROUPS, MAX_AGGREGATE_GROUPS);

  const conditionsOn = (on: string) => {
    const list = [visibility(entity.def, on, undefined, ctx.grants)];
    if (req.filter != null) list.push(filterSql(ctx, entity, req.filter, on, 'filter'));
    return list;
  };
  const conditions = conditionsOn(alias);
  const select = [
    ...groups.map((g, i) => `${g.sql} as "g${i}"`),
    'count(*)::int as "c"',
    ...values.map((v) => `${v.column.sql} as "${v.column.name}"`),
  ];
  const groupBy = groups.length > 0 ? ` group by ${groups.map((_, i) => i + 1).join(', ')}` : '';
  const orderBy = order.length > 0 ? ` order by ${order.join(', ')}` : '';
  const inner = `select ${select.join(', ')} from ${entity.table} ${alias} where ${conditions.join(' and ')}${groupBy}${orderBy} limit ${ctx.param(limit, 'integer')}`;

  const g = ctx.alias();
  const byFunction = new Map<AggregateFunction, [string, string][]>();
  for (const v of values) byFunction.set(v.fn, [...(byFunction.get(v.fn) ?? []), [v.field, `${g}."${v.column.name}"`]]);
  // Per money field, a second pass over the same rows grouped by the same keys and the currency, joined to
  // its group: `values[fn][field]` is a list of { currency, amount, count }, one per currency, by code.
  const joins: string[] = [];
  if (ctx.issues.empty) {
    for (const { scalar, fns } of money.values()) {
      const b = ctx.alias();
      const m = ctx.alias();
      const amount = `${b}.${ident(scalar.column!)}`;
      const keys = groupColumns(b);
      const keyList = keys.map((k, i) => `${k.sql} as "k${i}"`);
      const stats = [...fns].map((fn) => `${MONEY_SQL[fn]!(amount)} as "${fn}"`);
      const perCurrency = `select ${[...keyList, `${b}.${ident(scalar.currencyColumn!)}::text as "currency"`, `count(${amount})::int as "n"`, ...stats].join(', ')} from ${entity.table} ${b} where ${[...conditionsOn(b), `${amount} is not null`].join(' and ')} group by ${keys
        .map((_, i) => i + 1)
        .concat(keys.length + 1)
        .join(', ')}`;
      const x = ctx.alias();
      const lists = [...fns].map(
        (fn) =>
          `json_agg(json_build_object('currency', ${x}."currency", 'amount', ${x}."${fn}", 'count', ${x}."n") order by ${x}."currency") as "${fn}"`,
      );
      const grouped = `select ${[...keys.map((_, i) => `${x}."k${i}"`), ...lists].join(', ')} from (${perCurrency}) ${x}${keys.length > 0 ? ` group by ${keys.map((_, i) => i + 1).join(', ')}` : ''}`;
      const on =
        keys.length > 0 ? keys.map((_, i) => `${m}."k${i}" is not distinct from ${g}."g${i}"`).join(' and ') : 'true';
      joins.push(` left join (${grouped}) ${m} on ${on}`);
      for (const fn of fns) {
        byFunction.set(fn, [...(byFunction.get(fn) ?? []), [scalar.name, `coalesce(${m}."${fn}", '[]'::json)`]]);
      }
    }
  }
  const group = jsonObject([
    ['keys', jsonObject(groups.map((k, i) => [k.name, `${g}."g${i}"`]))],
    ['count', `${g}."c"`],
    ['values', jsonObject([...byFunction].map(([fn, pairs]) => [fn, jsonObject(pairs)]))],
  ]);
  const outerOrder = order.length > 0 ? ` order by ${order.map((o) => `${g}.${o}`).join(', ')}` : '';
  const text = `select coalesce(json_agg(${group}${outerOrder}), '[]'::json) as groups from (${inner}) ${g}${joins.join('')}`;
  return ctx.statement(text, `The aggregate request for ${entity.def.name} is not valid`);
}

export async function aggregateRecords(
  sql: Sql,
  compiler: QueryCompiler,
  req: AggregateRequest,
  grants?: AccessGrants,
): Promise<AggregateGroup[]> {
  const statement = compiler.compileAggregate(req, grants);
  const rows = await sql.query<{ groups: AggregateGroup[] }>(statement.text, statement.params);
  return rows[0]?.groups ?? [];
}
