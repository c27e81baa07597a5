// The functions of the formula language: for each, how its arguments are type-checked and how it becomes SQL.
// Keeping both halves in one table means a function cannot be checked one way and compiled another.

export type FormulaValueType = 'text' | 'number' | 'boolean' | 'date' | 'datetime';

/**
 * Types during checking: `null` is the type of the `null` literal (fits anywhere), `any` the type of a field
 * whose type is not known yet (parsing without metadata) or of a node already reported as wrong.
 */
export type CheckType = FormulaValueType | 'null' | 'any';

/** One argument after checking (`type`) or after compiling (`sql` too). */
export interface FormulaArg {
  type: CheckType;
  sql: string;
}

export interface FunctionContext {
  /** Reports a problem with argument `index` (0-based) of the call. */
  problem(index: number, message: string): void;
}

export interface FormulaFunction {
  /** How it is called, for messages: `LEFT(text, count)`. */
  signature: string;
  minArgs: number;
  maxArgs: number;
  check(args: readonly CheckType[], ctx: FunctionContext): CheckType;
  /** `type` is the checked result type of the call. */
  sql(args: readonly FormulaArg[], type: CheckType): string;
}

export const SQL_TYPES: Record<FormulaValueType, string> = {
  text: 'text',
  number: 'numeric',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamptz',
};

export function isConcrete(type: CheckType): type is FormulaValueType {
  return type !== 'null' && type !== 'any';
}

/** True when `sql` is one identifier, column path or number, or one parenthesised group as a whole. */
export function isAtomic(sql: string): boolean {
  if (/^[A-Za-z0-9_".]+$/.test(sql) || /^E?'(?:[^']|'')*'$/.test(sql)) return true;
  if (!sql.startsWith('(')) return false;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i === sql.length - 1;
  }
  return false;
}

/** `x::type`, parenthesising `x` unless it is atomic; nothing to do when `x` is already such a cast. */
export function cast(sql: string, type: string): string {
  const suffix = `::${type}`;
  if (sql.endsWith(suffix) && isAtomic(sql.slice(0, -suffix.length))) return sql;
  return `${isAtomic(sql) ? sql : `(${sql})`}${suffix}`;
}

/** A typed NULL where PostgreSQL could not infer the type of a bare one. */
export function typedNull(type: CheckType): string {
  return isConcrete(type) ? `NULL::${SQL_TYPES[type]}` : 'NULL';
}

/** Text form of any value for concatenation; dates are ISO 8601 whatever the session's DateStyle. */
export function asText(arg: FormulaArg): string {
  switch (arg.type) {
    case 'number':
      return cast(`trim_scale(${arg.sql})`, 'text');
    case 'boolean':
      return cast(arg.sql, 'text');
    case 'date':
      return `to_char(${arg.sql}, 'YYYY-MM-DD')`;
    case 'datetime':
      return `to_char(${arg.sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    default:
      return arg.sql;
  }
}

/**
 * The common type of values that meet in one place (IF branches, COALESCE, MIN): a date meeting a
 * datetime becomes a datetime; `null` fits anything. Returns undefined when two types cannot meet.
 */
export function unify(types: readonly CheckType[]): CheckType | undefined {
  const concrete = [...new Set(types.filter(isConcrete))];
  if (concrete.length === 0) return types.includes('any') ? 'any' : 'null';
  if (concrete.length === 1) return concrete[0];
  if (concrete.length === 2 && concrete.includes('date') && concrete.includes('datetime')) return 'datetime';
  return undefined;
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];
export const ordinal = (index: number): string => ORDINALS[index] ?? `${index + 1}th`;

function a(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** `a text`, `a number or a date`, `a number, a text or a date`. */
export function typeList(types: readonly string[], joiner = 'or'): string {
  if (types.length === 1) return a(types[0]!);
  return `${types.slice(0, -1).map(a).join(', ')} ${joiner} ${a(types.at(-1)!)}`;
}

function expectArg(
  name: string,
  args: readonly CheckType[],
  index: number,
  allowed: readonly FormulaValueType[],
  ctx: FunctionContext,
): void {
  const type = args[index];
  if (type === undefined || !isConcrete(type) || allowed.includes(type)) return;
  ctx.problem(index, `${name} expects ${typeList(allowed)} as its ${ordinal(index)} argument, got ${a(type)}`);
}

/** A function whose arguments each have fixed allowed types and whose result type is fixed. */
function fixed(
  name: string,
  signature: string,
  params: readonly (readonly FormulaValueType[])[],
  optional: number,
  result: FormulaValueType,
  sql: (args: readonly FormulaArg[]) => string,
): FormulaFunction {
  return {
    signature: `${name}(${signature})`,
    minArgs: params.length - optional,
    maxArgs: params.length,
    check(args, ctx) {
      for (const [i, allowed] of params.entries()) expectArg(name, args, i, allowed, ctx);
      return result;
    },
    // A bare NULL argument gets the parameter's type, or PostgreSQL may not know which function is meant.
    sql: (args) =>
      sql(args.map((arg, i) => (arg.type === 'null' ? { ...arg, sql: typedNull(params[i]?.[0] ?? 'any') } : arg))),
  };
}

/** A function over any number of values that must share one type (COALESCE, MIN, MAX). */
function sameType(name: string, allowed: readonly FormulaValueType[] | undefined, sqlName: string): FormulaFunction {
  return {
    signature: `${name}(value, …)`,
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    check(args, ctx) {
      if (allowed) for (let i = 0; i < args.length; i++) expectArg(name, args, i, allowed, ctx);
      const type = unify(args);
      if (type === undefined) {
        ctx.problem(
          -1,
          `${name} needs values of one type, got ${typeList([...new Set(args.filter(isConcrete))], 'and')}`,
        );
        return 'any';
      }
      return type;
    },
    sql: (args, type) =>
      args.length === 1
        ? args[0]!.sql
        : `${sqlName}(${args.map((arg) => (arg.type === 'null' ? typedNull(type) : arg.sql)).join(', ')})`,
  };
}

function booleans(name: string, joiner: string): FormulaFunction {
  return {
    signature: `${name}(condition, …)`,
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    check(args, ctx) {
      for (let i = 0; i < args.length; i++) expectArg(name, args, i, ['boolean'], ctx);
      return 'boolean';
    },
    sql: (args) => `(${args.map((arg) => arg.sql).join(` ${joiner} `)})`,
  };
}

const DATES: readonly FormulaValueType[] = ['date', 'datetime'];
const datePart = (part: string) => (args: readonly FormulaArg[]) =>
  cast(`EXTRACT(${part} FROM ${args[0]!.sql})`, 'numeric');

export const FORMULA_FUNCTIONS: Readonly<Record<string, FormulaFunction>> = {
  IF: {
    signature: 'IF(condition, then, else)',
    minArgs: 3,
    maxArgs: 3,
    check(args, ctx) {
      expectArg('IF', args, 0, ['boolean'], ctx);
      const type = unify(args.slice(1));
      if (type !== undefined) return type;
      ctx.problem(2, `IF needs both branches of one type, got ${typeList([args[1]!, args[2]!], 'and')}`);
      return 'any';
    },
    sql: ([cond, then, otherwise], type) =>
      `CASE WHEN ${cond!.sql} THEN ${then!.type === 'null' ? typedNull(type) : then!.sql} ELSE ${
        otherwise!.type === 'null' ? typedNull(type) : otherwise!.sql
      } END`,
  },
  AND: booleans('AND', 'AND'),
  OR: booleans('OR', 'OR'),
  NOT: fixed('NOT', 'condition', [['boolean']], 0, 'boolean', ([x]) => `(NOT ${x!.sql})`),
  CONCAT: {
    signature: 'CONCAT(value, …)',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    check: () => 'text',
    sql: (args) => `concat(${args.map(asText).join(', ')})`,
  },
  UPPER: fixed('UPPER', 'text', [['text']], 0, 'text', ([x]) => `upper(${x!.sql})`),
  LOWER: fixed('LOWER', 'text', [['text']], 0, 'text', ([x]) => `lower(${x!.sql})`),
  TRIM: fixed('TRIM', 'text', [['text']], 0, 'text', ([x]) => `btrim(${x!.sql})`),
  LEN: fixed('LEN', 'text', [['text']], 0, 'number', ([x]) => cast(`char_length(${x!.sql})`, 'numeric')),
  LEFT: fixed('LEFT', 'text, count', [['text'], ['number']], 0, 'text', ([s, n]) => {
    return `left(${s!.sql}, greatest(${cast(n!.sql, 'integer')}, 0))`;
  }),
  RIGHT: fixed('RIGHT', 'text, count', [['text'], ['number']], 0, 'text', ([s, n]) => {
    return `right(${s!.sql}, greatest(${cast(n!.sql, 'integer')}, 0))`;
  }),
  ROUND: fixed('ROUND', 'number[, digits]', [['number'], ['number']], 1, 'number', ([x, digits]) =>
    digits === undefined ? `round(${x!.sql})` : `round(${x!.sql}, ${cast(digits.sql, 'integer')})`,
  ),
  ABS: fixed('ABS', 'number', [['number']], 0, 'number', ([x]) => `abs(${x!.sql})`),
  FLOOR: fixed('FLOOR', 'number', [['number']], 0, 'number', ([x]) => `floor(${x!.sql})`),
  CEIL: fixed('CEIL', 'number', [['number']], 0, 'number', ([x]) => `ceil(${x!.sql})`),
  MIN: sameType('MIN', ['number', 'text', 'date', 'datetime'], 'LEAST'),
  MAX: sameType('MAX', ['number', 'text', 'date', 'datetime'], 'GREATEST'),
  COALESCE: sameType('COALESCE', undefined, 'COALESCE'),
  ISBLANK: {
    signature: 'ISBLANK(value)',
    minArgs: 1,
    maxArgs: 1,
    check: () => 'boolean',
    sql: ([x]) => (x!.type === 'text' ? `(coalesce(${x!.sql}, '') = '')` : `(${x!.sql} IS NULL)`),
  },
  TODAY: fixed('TODAY', '', [], 0, 'date', () => 'CURRENT_DATE'),
  NOW: fixed('NOW', '', [], 0, 'datetime', () => 'CURRENT_TIMESTAMP'),
  YEAR: fixed('YEAR', 'date', [DATES], 0, 'number', datePart('YEAR')),
  MONTH: fixed('MONTH', 'date', [DATES], 0, 'number', datePart('MONTH')),
  DAY: fixed('DAY', 'date', [DATES], 0, 'number', datePart('DAY')),
  DAYS_BETWEEN: fixed('DAYS_BETWEEN', 'from, to', [DATES, DATES], 0, 'number', ([from, to]) =>
    cast(`${cast(to!.sql, 'date')} - ${cast(from!.sql, 'date')}`, 'numeric'),
  ),
  ADD_DAYS: {
    signature: 'ADD_DAYS(date, days)',
    minArgs: 2,
    maxArgs: 2,
    check(args, ctx) {
      expectArg('ADD_DAYS', args, 0, DATES, ctx);
      expectArg('ADD_DAYS', args, 1, ['number'], ctx);
      return args[0] === 'datetime' ? 'datetime' : args[0] === 'any' ? 'any' : 'date';
    },
    sql: ([d, n]) =>
      d!.type === 'datetime'
        ? `(${d!.sql} + make_interval(days => ${cast(n!.sql, 'integer')}))`
        : `(${d!.type === 'null' ? typedNull('date') : d!.sql} + ${cast(n!.sql, 'integer')})`,
  },
};

export const FORMULA_FUNCTION_NAMES: readonly string[] = Object.keys(FORMULA_FUNCTIONS).sort();
