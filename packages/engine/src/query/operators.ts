// One filter operator applied to one value: the value is checked against the field's type and bound as a
// parameter; the operator becomes SQL with the NULL semantics the filter language promises.
import { isUuid } from '@touchpoint/schema';
import { describeValue, isPlainObject, limitExceeded, MAX_IN_VALUES, type StatementContext } from './context.ts';
import { CASTS } from './expressions.ts';
import type { ScalarInfo } from './model.ts';

export interface Operand {
  scalar: ScalarInfo;
  /** The comparable value (the amount, for money). */
  sql: string;
  /** The currency column, for money. */
  currencySql?: string | undefined;
}

type Checked = { ok: true; value: unknown } | { ok: false; message: string; allowed?: readonly string[] };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?(Z|[+-]\d{2}:\d{2})?$/;
const DECIMAL = /^-?\d{1,30}(\.\d{1,30})?$/;

/** Backslash-escapes LIKE wildcards so user text matches literally (backslash is LIKE's default escape). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

function optionValues(scalar: ScalarInfo): string[] {
  return (scalar.field?.options ?? []).map((o) => o.value);
}

function isRealDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Checks one comparison value against the scalar's type and returns what to bind. */
function checkValue(scalar: ScalarInfo, value: unknown): Checked {
  const fail = (what: string, allowed?: readonly string[]): Checked => ({
    ok: false,
    message: `must be ${what}, got ${describeValue(value)}`,
    ...(allowed ? { allowed } : {}),
  });
  switch (scalar.valueType) {
    case 'text':
      if (scalar.family === 'select' || scalar.family === 'multiSelect') {
        const options = optionValues(scalar);
        return typeof value === 'string' && options.includes(value)
          ? { ok: true, value }
          : fail(`one of ${options.join(', ')}`, options);
      }
      return typeof value === 'string' ? { ok: true, value } : fail('a text');
    case 'textArray': {
      const options = optionValues(scalar);
      return typeof value === 'string' && options.includes(value)
        ? { ok: true, value }
        : fail(`one of ${options.join(', ')}`, options);
    }
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2_147_483_647
        ? { ok: true, value }
        : fail('a whole number');
    case 'numeric':
    case 'money': {
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: String(value) };
      return typeof value === 'string' && DECIMAL.test(value.trim())
        ? { ok: true, value: value.trim() }
        : fail('a decimal number such as "1234.56"');
    }
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : fail('true or false');
    case 'date':
      return typeof value === 'string' && isRealDate(value) ? { ok: true, value } : fail('a date YYYY-MM-DD');
    case 'timestamp': {
      // A value without a zone is UTC, so the session TimeZone never decides what it means; the text goes
      // to PostgreSQL as given because a JavaScript Date would drop its microseconds.
      const match = typeof value === 'string' ? ISO_TIMESTAMP.exec(value) : null;
      const normalised = match ? `${match[1]}T${match[2] ?? '00:00:00'}${match[3] ?? 'Z'}` : '';
      return match && isRealDate(match[1]!) && !Number.isNaN(Date.parse(normalised))
        ? { ok: true, value: normalised }
        : fail('an ISO 8601 date and time such as 2026-03-01T09:30:00Z');
    }
    case 'uuid':
      return isUuid(value) ? { ok: true, value: value.toLowerCase() } : fail('a record id (UUID)');
    case 'json':
      return fail('nothing: JSON fields only offer isNull');
  }
}

const COMPARISONS: Record<string, string> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };
const PATTERNS: Record<string, (text: string) => string> = {
  contains: (t) => `%${t}%`,
  notContains: (t) => `%${t}%`,
  startsWith: (t) => `${t}%`,
  endsWith: (t) => `%${t}`,
};
const UNITS: Record<string, string> = {
  day: "interval '1 day'",
  week: "interval '7 days'",
  month: "interval '1 month'",
  quarter: "interval '3 months'",
  year: "interval '1 year'",
};
const WINDOW_UNITS = ['day', 'week', 'month', 'year'];
/** Calendar periods as [unit to truncate to, how many units from the current one]. */
const PERIODS: Record<string, [string, number]> = {
  today: ['day', 0],
  yesterday: ['day', -1],
  tomorrow: ['day', 1],
  thisWeek: ['week', 0],
  lastWeek: ['week', -1],
  nextWeek: ['week', 1],
  thisMonth: ['month', 0],
  lastMonth: ['month', -1],
  nextMonth: ['month', 1],
  thisQuarter: ['quarter', 0],
  lastQuarter: ['quarter', -1],
  thisYear: ['year', 0],
  lastYear: ['year', -1],
};

/** The SQL of `operator: value` on the operand. The operator is known to be allowed for the field. */
export function operatorSql(
  ctx: StatementContext,
  operand: Operand,
  operator: string,
  value: unknown,
  path: string,
): string {
  const { scalar, sql: e } = operand;
  const cast = CASTS[scalar.valueType === 'textArray' ? 'text' : scalar.valueType];
  const bind = (v: unknown, at = path): string | undefined => {
    const checked = checkValue(scalar, v);
    if (checked.ok) return ctx.param(checked.value, cast);
    ctx.issues.add(at, checked.message, checked.allowed ? { allowed: checked.allowed } : {});
    return undefined;
  };
  const bindList = (): string | undefined => {
    if (!Array.isArray(value)) {
      ctx.issues.add(path, `must be a list, got ${describeValue(value)}`);
      return undefined;
    }
    if (value.length > MAX_IN_VALUES) throw limitExceeded(path, `${operator} list`, MAX_IN_VALUES, value.length);
    const values: unknown[] = [];
    value.forEach((v, i) => {
      const checked = checkValue(scalar, v);
      if (checked.ok) values.push(checked.value);
      else ctx.issues.add(`${path}[${i}]`, checked.message, checked.allowed ? { allowed: checked.allowed } : {});
    });
    return values.length === value.length ? ctx.param(values, `${cast}[]`) : undefined;
  };
  const flag = (): boolean | undefined => {
    if (typeof value === 'boolean') return value;
    ctx.issues.add(path, `must be true or false, got ${describeValue(value)}`);
    return undefined;
  };
  const or = (sql: string | undefined, make: (p: string) => string) => (sql === undefined ? 'true' : make(sql));

  switch (operator) {
    case 'eq':
      return value === null ? `${e} is null` : or(bind(value), (p) => `${e} = ${p}`);
    case 'neq':
      return value === null ? `${e} is not null` : or(bind(value), (p) => `${e} is distinct from ${p}`);
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return or(bind(value), (p) => `${e} ${COMPARISONS[operator]} ${p}`);
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2) {
        ctx.issues.add(path, `must be a list of two values [from, to], got ${describeValue(value)}`);
        return 'true';
      }
      const from = bind(value[0], `${path}[0]`);
      const to = bind(value[1], `${path}[1]`);
      return from && to ? `${e} between ${from} and ${to}` : 'true';
    }
    case 'in':
      return or(bindList(), (p) => `${e} = any(${p})`);
    case 'notIn':
      return or(bindList(), (p) => `(${e} is null or not (${e} = any(${p})))`);
    case 'isNull': {
      const isNull = flag();
      return isNull === undefined ? 'true' : `${e} is ${isNull ? '' : 'not '}null`;
    }
    case 'contains':
    case 'notContains':
    case 'startsWith':
    case 'endsWith': {
      if (typeof value !== 'string') {
        ctx.issues.add(path, `must be a text, got ${describeValue(value)}`);
        return 'true';
      }
      const p = ctx.param(PATTERNS[operator]!(escapeLike(value)), 'text');
      return operator === 'notContains' ? `(${e} is null or ${e} not ilike ${p})` : `${e} ilike ${p}`;
    }
    case 'containsAny':
      return or(bindList(), (p) => `coalesce(${e} && ${p}, false)`);
    case 'containsAll':
      return or(bindList(), (p) => `coalesce(${e} @> ${p}, false)`);
    case 'isEmpty': {
      const empty = flag();
      if (empty === undefined) return 'true';
      return empty ? `coalesce(cardinality(${e}), 0) = 0` : `cardinality(${e}) > 0`;
    }
    case 'currency': {
      if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value) || !operand.currencySql) {
        ctx.issues.add(path, `must be an ISO 4217 currency code such as USD, got ${describeValue(value)}`);
        return 'true';
      }
      return `${operand.currencySql} = ${ctx.param(value, 'bpchar')}`;
    }
    case 'inLast':
    case 'inNext':
      return windowSql(ctx, operand, operator, value, path);
    case 'relative':
      return periodSql(ctx, operand, value, path);
    default:
      ctx.issues.add(path, `operator ${operator} is not supported by the query compiler`);
      return 'true';
  }
}

/** The current date and time in the compiler's time zone, as a timestamp without time zone. */
function localNow(ctx: StatementContext): { now: string; tz: string } {
  const tz = ctx.param(ctx.compiler.timeZone, 'text');
  return { now: `(${ctx.compiler.now} at time zone ${tz})`, tz };
}

function windowSql(ctx: StatementContext, operand: Operand, operator: string, value: unknown, path: string): string {
  const amount = isPlainObject(value) ? value['amount'] : undefined;
  const unit = isPlainObject(value) ? value['unit'] : undefined;
  const problems: string[] = [];
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > 10_000) {
    problems.push(`amount must be a whole number from 1 to 10000, got ${describeValue(amount)}`);
  }
  if (typeof unit !== 'string' || !WINDOW_UNITS.includes(unit)) {
    problems.push(`unit must be one of ${WINDOW_UNITS.join(', ')}, got ${describeValue(unit)}`);
  }
  if (problems.length > 0) {
    ctx.issues.add(path, `must be { amount, unit }: ${problems.join('; ')}`, { allowed: WINDOW_UNITS });
    return 'true';
  }
  const e = operand.sql;
  const span = `${ctx.param(amount, 'integer')} * ${UNITS[unit as string]}`;
  const past = operator === 'inLast';
  if (operand.scalar.valueType === 'date') {
    const { now } = localNow(ctx);
    return past
      ? `(${e} >= (${now} - ${span})::date and ${e} <= ${now}::date)`
      : `(${e} >= ${now}::date and ${e} <= (${now} + ${span})::date)`;
  }
  const now = ctx.compiler.now;
  return past ? `(${e} >= ${now} - ${span} and ${e} <= ${now})` : `(${e} >= ${now} and ${e} <= ${now} + ${span})`;
}

function periodSql(ctx: StatementContext, operand: Operand, value: unknown, path: string): string {
  // Own keys only: `constructor` or `toString` must not find Object.prototype's members.
  const period = typeof value === 'string' && Object.hasOwn(PERIODS, value) ? PERIODS[value] : undefined;
  if (!period) {
    const allowed = Object.keys(PERIODS);
    ctx.issues.add(path, `must be one of ${allowed.join(', ')}, got ${describeValue(value)}`, { allowed });
    return 'true';
  }
  const [unit, offset] = period;
  const { now, tz } = localNow(ctx);
  const start = `(date_trunc('${unit}', ${now}) + (${offset}) * ${UNITS[unit]})`;
  const end = `(${start} + ${UNITS[unit]})`;
  const e = operand.sql;
  if (operand.scalar.valueType === 'date') return `(${e} >= ${start}::date and ${e} < ${end}::date)`;
  return `(${e} >= ${start} at time zone ${tz} and ${e} < ${end} at time zone ${tz})`;
}
