import { describe, expect, it } from 'vitest';
import { isTouchpointError, type TouchpointError } from './errors.ts';
import {
  checkFormula,
  compileFormula,
  FORMULA_FUNCTION_NAMES,
  type FormulaAst,
  type FormulaField,
  type FormulaIssue,
  type FormulaValueType,
  formulaReferences,
  parseFormula,
} from './formula.ts';

/** The tree as an S-expression, so precedence is visible at a glance. */
function tree(node: FormulaAst): string {
  switch (node.kind) {
    case 'number':
      return node.text;
    case 'text':
      return `'${node.value}'`;
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
    case 'field':
      return node.name;
    case 'unary':
      return `(${node.op} ${tree(node.operand)})`;
    case 'binary':
      return `(${node.op} ${tree(node.left)} ${tree(node.right)})`;
    case 'call':
      return `(${node.name}${node.args.map((a) => ` ${tree(a)}`).join('')})`;
  }
}

const FIELDS: Record<string, FormulaField> = {
  amount: { sql: '"t"."amount"', type: 'number' },
  quantity: { sql: '"t"."quantity"', type: 'number' },
  name: { sql: '"t"."name"', type: 'text' },
  city: { sql: '"t"."city"', type: 'text' },
  active: { sql: '"t"."active"', type: 'boolean' },
  closeDate: { sql: '"t"."close_date"', type: 'date' },
  createdAt: { sql: '"t"."created_at"', type: 'datetime' },
  total: { sql: '(SELECT sum(x) FROM y)', type: 'number' },
};
const resolveSql = (name: string) => FIELDS[name];
const resolveType = (name: string): FormulaValueType | undefined => FIELDS[name]?.type;

const sql = (expression: string) => compileFormula(expression, resolveSql).sql;
const typeOf = (expression: string) => {
  const result = checkFormula(expression, resolveType);
  if ('issues' in result) throw new Error(result.issues.map((i) => i.message).join('\n'));
  return result.type;
};
function issues(expression: string): FormulaIssue[] {
  const result = checkFormula(expression, resolveType);
  if (!('issues' in result)) throw new Error(`expected issues for ${expression}, got type ${result.type}`);
  return result.issues as FormulaIssue[];
}
function thrown(fn: () => unknown): TouchpointError {
  try {
    fn();
  } catch (error) {
    if (isTouchpointError(error)) return error;
    throw error;
  }
  throw new Error('expected a TouchpointError');
}

describe('parseFormula: precedence and syntax', () => {
  it.each([
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['(1 + 2) * 3', '(* (+ 1 2) 3)'],
    ['10 - 4 - 3', '(- (- 10 4) 3)'],
    ['8 / 4 % 3', '(% (/ 8 4) 3)'],
    ['-2 * 3', '(* (- 2) 3)'],
    ['--2', '(- (- 2))'],
    ["name & ' ' & city", "(& (& name ' ') city)"],
    ["'n' & 1 + 2", "(& 'n' (+ 1 2))"],
    ["a & 'x' = 'yx'", "(= (& a 'x') 'yx')"],
    ['a + 1 > b * 2', '(> (+ a 1) (* b 2))'],
    ['a = 1 or b = 2 and c = 3', '(or (= a 1) (and (= b 2) (= c 3)))'],
    ['a || b && c', '(or a (and b c))'],
    ['not a = b', '(not (= a b))'],
    ['!a and b', '(and (not a) b)'],
    ['NOT NOT a', '(not (not a))'],
    ['a <> b', '(!= a b)'],
    ['a != b', '(!= a b)'],
    ['a <= b', '(<= a b)'],
    ['a >= b', '(>= a b)'],
    ['TRUE and False or NULL', '(or (and true false) null)'],
    ["'it''s'", "'it's'"],
    ["''", "''"],
    ['.5 + 1.25', '(+ .5 1.25)'],
    ['if(a, round(b), Max(1, 2, 3))', '(IF a (ROUND b) (MAX 1 2 3))'],
    ['TODAY()', '(TODAY)'],
    ['lenName', 'lenName'],
  ])('%s', (expression, expected) => {
    expect(tree(parseFormula(expression))).toBe(expected);
  });

  it('records character offsets on every node', () => {
    const ast = parseFormula('  amount *  2');
    expect(ast).toMatchObject({ kind: 'binary', start: 2, end: 13, left: { start: 2, end: 8 }, right: { start: 12 } });
  });

  it.each([
    ['1 +', 'the formula ends where a value was expected', 3],
    ['(1 + 2', 'expected ")" to close the "(" at offset 0 but found the end of the formula', 6],
    ['1 2', 'unexpected "2" after a complete expression', 2],
    ['a < b < c', 'comparisons cannot be chained', 6],
    ['1 == 1', 'use = to compare, not ==', 2],
    ['"text"', 'texts are written in single quotes', 0],
    ["'open", 'text is not closed', 0],
    ['1.2.3', 'malformed number "1.2."', 0],
    ['12abc', 'malformed number', 0],
    ['a and', 'the formula ends where a value was expected', 5],
    ['and', '"and" is an operator and needs a value before it', 0],
    ['f(1,)', 'expected a value but found ")"', 4],
    ['', 'the formula is empty', 0],
    ['#', 'unexpected character "#"', 0],
  ])('rejects %j', (expression, message, offset) => {
    const error = thrown(() => parseFormula(expression));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues).toHaveLength(1);
    const [issue] = error.issues as FormulaIssue[];
    expect(issue!.message).toContain(message);
    expect(issue!.message).toContain(`(at offset ${offset})`);
    expect(issue!.offset).toBe(offset);
    expect(issue!.path).toBe('expression');
  });

  it('type-checks what holds for any field: literals, functions and arity', () => {
    expect(thrown(() => parseFormula("1 + 'a'")).issues[0]!.message).toContain('"+" expects numbers');
    expect(thrown(() => parseFormula('UPPER(1)')).issues[0]!.message).toContain('UPPER expects a text');
    expect(thrown(() => parseFormula('nope(1)')).issues[0]!.message).toContain('unknown function "NOPE"');
    expect(tree(parseFormula('UPPER(anything) & other'))).toBe('(& (UPPER anything) other)');
  });

  it('limits the length to 2000 characters and the nesting to 32 levels', () => {
    expect(tree(parseFormula(`${'1 + '.repeat(499)}1`)).length).toBeGreaterThan(0);
    expect(thrown(() => parseFormula(`${'1 + '.repeat(500)}1`)).issues[0]!.message).toContain(
      'the formula is 2001 characters long; at most 2000 are allowed',
    );
    expect(parseFormula(`${'('.repeat(32)}1${')'.repeat(32)}`).kind).toBe('number');
    expect(thrown(() => parseFormula(`${'('.repeat(33)}1${')'.repeat(33)}`)).issues[0]!.message).toContain(
      'nests deeper than 32 levels',
    );
    expect(thrown(() => parseFormula(`${'ABS('.repeat(33)}1${')'.repeat(33)}`)).issues[0]!.message).toContain(
      'nests deeper than 32 levels',
    );
    expect(thrown(() => parseFormula(`${'-'.repeat(1000)}1`)).issues[0]!.message).toContain('nests deeper');
    expect(thrown(() => parseFormula(`${'not '.repeat(40)}true`)).issues[0]!.message).toContain('nests deeper');
  });
});

describe('formulaReferences', () => {
  it('lists each referenced field once, in order of first use', () => {
    expect(formulaReferences("firstName & ' ' & lastName & IF(ISBLANK(firstName), title, '')")).toEqual([
      'firstName',
      'lastName',
      'title',
    ]);
  });
  it('ignores function names, keywords and texts', () => {
    expect(formulaReferences("IF(true and not false, 'name', null)")).toEqual([]);
  });
  it('throws on syntax errors', () => {
    expect(thrown(() => formulaReferences('a +')).code).toBe('VALIDATION_FAILED');
  });
});

describe('checkFormula: result types', () => {
  it.each<[string, FormulaValueType]>([
    ['amount * quantity', 'number'],
    ["name & ' (' & amount & ')'", 'text'],
    ['amount > 100 and active', 'boolean'],
    ['closeDate', 'date'],
    ['createdAt', 'datetime'],
    ['IF(active, closeDate, null)', 'date'],
    ['IF(active, closeDate, createdAt)', 'datetime'],
    ['COALESCE(null, name)', 'text'],
    ['MIN(closeDate, TODAY())', 'date'],
    ['ADD_DAYS(createdAt, 1)', 'datetime'],
    ['name = null', 'boolean'],
    ['closeDate < NOW()', 'boolean'],
  ])('%s is %s', (expression, type) => {
    expect(typeOf(expression)).toBe(type);
  });

  it('every function has a signature and checks its arguments', () => {
    const ok: Record<string, string> = {
      IF: "IF(active, 'yes', 'no')",
      AND: 'AND(active, true, amount > 1)',
      OR: 'OR(active, false)',
      NOT: 'NOT(active)',
      CONCAT: 'CONCAT(name, 1, active, closeDate, createdAt, null)',
      UPPER: 'UPPER(name)',
      LOWER: 'LOWER(name)',
      TRIM: 'TRIM(name)',
      LEN: 'LEN(name)',
      LEFT: 'LEFT(name, 3)',
      RIGHT: 'RIGHT(name, 3)',
      ROUND: 'ROUND(amount) + ROUND(amount, 2)',
      ABS: 'ABS(amount)',
      FLOOR: 'FLOOR(amount)',
      CEIL: 'CEIL(amount)',
      MIN: 'MIN(amount, 1, 2)',
      MAX: 'MAX(name, city)',
      COALESCE: 'COALESCE(amount, quantity, 0)',
      ISBLANK: 'ISBLANK(name) or ISBLANK(amount)',
      TODAY: 'TODAY()',
      NOW: 'NOW()',
      YEAR: 'YEAR(closeDate)',
      MONTH: 'MONTH(createdAt)',
      DAY: 'DAY(closeDate)',
      DAYS_BETWEEN: 'DAYS_BETWEEN(closeDate, createdAt)',
      ADD_DAYS: 'ADD_DAYS(closeDate, 30)',
    };
    expect(Object.keys(ok).sort()).toEqual([...FORMULA_FUNCTION_NAMES]);
    for (const expression of Object.values(ok)) expect(() => typeOf(expression)).not.toThrow();
  });

  it('function names are case-insensitive, field names are not', () => {
    expect(typeOf('upper(name) & Lower(city)')).toBe('text');
    expect(issues('Name')[0]!.message).toBe('unknown field "Name" (at offset 0)');
  });
});

describe('checkFormula: clear type errors', () => {
  it.each([
    ["amount + 'x'", '"+" expects numbers on both sides, got a text; use & to join texts (at offset 9)'],
    ['closeDate + 1', '"+" expects numbers on both sides, got a date; use ADD_DAYS(date, days)'],
    ['-name', '"-" expects numbers, got a text (at offset 1)'],
    ['not amount', '"not" expects booleans, got a number (at offset 4)'],
    ['active and 1', '"and" expects booleans on both sides, got a number (at offset 11)'],
    ["amount = 'x'", 'cannot compare a number with a text (at offset 0)'],
    ['active < true', '"<" cannot order booleans; only numbers, texts, dates and datetimes have an order'],
    ['amount > null', 'null cannot be compared with ">"; use ISBLANK(value)'],
    ["IF(amount, 'a', 'b')", 'IF expects a boolean as its first argument, got a number (at offset 3)'],
    ["IF(active, 'a', 2)", 'IF needs both branches of one type, got a text and a number (at offset 16)'],
    ['UPPER(amount)', 'UPPER expects a text as its first argument, got a number (at offset 6)'],
    ["LEFT(name, 'x')", 'LEFT expects a number as its second argument, got a text'],
    ["ROUND(amount, 'x')", 'ROUND expects a number as its second argument'],
    ['YEAR(name)', 'YEAR expects a date or a datetime as its first argument, got a text'],
    ["MIN(amount, 'x')", 'MIN needs values of one type, got a number and a text'],
    ['MAX(active)', 'MAX expects a number, a text, a date or a datetime as its first argument, got a boolean'],
    ["COALESCE(amount, 'x')", 'COALESCE needs values of one type'],
    ['DAYS_BETWEEN(closeDate, 3)', 'DAYS_BETWEEN expects a date or a datetime as its second argument, got a number'],
    ['ADD_DAYS(closeDate, closeDate)', 'ADD_DAYS expects a number as its second argument, got a date'],
    ['UPPER(name, city)', 'UPPER(text) takes 1 argument, got 2 (at offset 0)'],
    ['IF(active, 1)', 'IF(condition, then, else) takes 3 arguments, got 2'],
    ['ROUND()', 'ROUND(number[, digits]) takes 1 to 2 arguments, got 0'],
    ['CONCAT()', 'CONCAT(value, …) takes at least 1 arguments, got 0'],
    ['TODAY(1)', 'TODAY() takes 0 arguments, got 1'],
    ['null', 'the formula always yields null; give it a value'],
  ])('%s', (expression, message) => {
    expect(issues(expression).map((i) => i.message)).toEqual([expect.stringContaining(message)]);
  });

  it('reports every type error, not only the first', () => {
    const found = issues('UPPER(amount) & LOWER(active) & missing & (name + 1)');
    expect(found.map((i) => i.offset)).toEqual([6, 22, 32, 43]);
  });

  it('reports an unknown function with the list of functions', () => {
    const [issue] = issues('SQRT(amount)');
    expect(issue!.message).toMatch(/^unknown function "SQRT"; the functions are ABS, ADD_DAYS, AND, /);
    expect(issue!.allowed).toEqual(FORMULA_FUNCTION_NAMES);
    expect([issue!.offset, issue!.end]).toEqual([0, 4]);
  });

  it('reports an unknown field with where it is', () => {
    expect(issues('amount * discount')).toEqual([
      { path: 'expression', message: 'unknown field "discount" (at offset 9)', offset: 9, end: 17 },
    ]);
  });
});

describe('hostile input', () => {
  it.each([
    ['1; drop table x', 'unexpected character ";" (at offset 1)'],
    ["'a'' or 1=1 --", 'text is not closed; add the closing quote (at offset 0)'],
    ["name = 'x' --", 'the formula ends where a value was expected'],
    ['name /* comment */', 'expected a value but found "*"'],
    ['amount; select 1', 'unexpected character ";"'],
    ['"t"."amount"', 'unexpected character """'],
    ['pg_sleep(10)', 'unknown function "PG_SLEEP"'],
    ['`x`', 'unexpected character "`"'],
    ['$1', 'unexpected character "$"'],
    ["'a\u0000b'", 'a text cannot contain the NUL character'],
  ])('%j is refused', (expression, message) => {
    expect(thrown(() => compileFormula(expression, resolveSql)).issues[0]!.message).toContain(message);
  });

  it('keeps quotes, backslashes and comment markers inside the text literal', () => {
    expect(sql("'a'' or 1=1 --'")).toBe("'a'' or 1=1 --'::text");
    expect(sql("'x'' ; drop table t; --' & name")).toBe(`('x'' ; drop table t; --' || coalesce("t"."name", ''))::text`);
    expect(sql("'back\\slash'")).toBe("E'back\\\\slash'::text");
    expect(sql("'\\'''")).toBe("E'\\\\'''::text");
  });

  it('never lets two minus signs touch, so no SQL comment can start', () => {
    expect(sql('1 - -2')).toBe('(1::numeric - (-2::numeric))::numeric');
    expect(sql('1--2')).not.toContain('--');
    expect(sql('amount---amount')).not.toContain('--');
  });

  it('uses only the SQL the resolver gives for fields, never the name as written', () => {
    const seen: string[] = [];
    const field = compileFormula('drop', (name) => {
      seen.push(name);
      return { sql: '"t"."c1"', type: 'text' };
    });
    expect(seen).toEqual(['drop']);
    expect(field.sql).toBe('"t"."c1"::text');
  });
});

describe('compileFormula: the SQL produced', () => {
  it.each([
    ['amount * 2 + 1', '(("t"."amount"::numeric * 2::numeric) + 1::numeric)::numeric'],
    ['amount / quantity', '("t"."amount"::numeric / NULLIF("t"."quantity"::numeric, 0))::numeric'],
    ['amount % 3', '(mod("t"."amount"::numeric, NULLIF(3::numeric, 0)))::numeric'],
    ['-amount', '(-"t"."amount"::numeric)::numeric'],
    ['0.5 * .25', '(0.5 * 0.25)::numeric'],
    ['total + 1', '((SELECT sum(x) FROM y)::numeric + 1::numeric)::numeric'],
    // `||` over coalesced texts, not concat() (only stable): a text formula can be indexed.
    ["name & ' ' & city", `(coalesce("t"."name", '') || ' ' || coalesce("t"."city", ''))::text`],
    [
      "amount & '/' & active & '/' & closeDate & '/' & createdAt",
      `(concat((trim_scale("t"."amount"::numeric))::text, '/', "t"."active"::text, '/', to_char("t"."close_date", 'YYYY-MM-DD'), '/', to_char("t"."created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))::text`,
    ],
    ["name = 'Acme'", `("t"."name" = 'Acme')::boolean`],
    ["name <> 'Acme'", `("t"."name" <> 'Acme')::boolean`],
    ['name = null', '("t"."name" IS NULL)::boolean'],
    ['null != name', '("t"."name" IS NOT NULL)::boolean'],
    ['amount >= 10 and not active', '(("t"."amount"::numeric >= 10::numeric) AND (NOT "t"."active"))::boolean'],
    ['active || false', '("t"."active" OR FALSE)::boolean'],
    ["IF(active, 'yes', null)", `(CASE WHEN "t"."active" THEN 'yes' ELSE NULL::text END)::text`],
    ['AND(active, true)', '("t"."active" AND TRUE)::boolean'],
    ['OR(active, false, active)', '("t"."active" OR FALSE OR "t"."active")::boolean'],
    ['NOT(active)', '(NOT "t"."active")::boolean'],
    ['CONCAT(name, null, 7)', `(concat("t"."name", NULL, (trim_scale(7::numeric))::text))::text`],
    ['UPPER(name)', '(upper("t"."name"))::text'],
    ['LOWER(null)', '(lower(NULL::text))::text'],
    ['TRIM(name)', '(btrim("t"."name"))::text'],
    ['LEN(name)', '(char_length("t"."name"))::numeric'],
    ['LEFT(name, 2)', '(left("t"."name", greatest((2::numeric)::integer, 0)))::text'],
    ['RIGHT(name, quantity)', '(right("t"."name", greatest(("t"."quantity"::numeric)::integer, 0)))::text'],
    ['ROUND(amount)', '(round("t"."amount"::numeric))::numeric'],
    ['ROUND(amount, 2)', '(round("t"."amount"::numeric, (2::numeric)::integer))::numeric'],
    ['ABS(amount)', '(abs("t"."amount"::numeric))::numeric'],
    ['FLOOR(amount)', '(floor("t"."amount"::numeric))::numeric'],
    ['CEIL(amount)', '(ceil("t"."amount"::numeric))::numeric'],
    ['MIN(amount, 0)', '(LEAST("t"."amount"::numeric, 0::numeric))::numeric'],
    ['MAX(amount)', '"t"."amount"::numeric'],
    ['COALESCE(name, null)', '(COALESCE("t"."name", NULL::text))::text'],
    ['ISBLANK(name)', `(coalesce("t"."name", '') = '')::boolean`],
    ['ISBLANK(amount)', '("t"."amount"::numeric IS NULL)::boolean'],
    ['TODAY()', 'CURRENT_DATE::date'],
    ['NOW()', 'CURRENT_TIMESTAMP::timestamptz'],
    ['YEAR(closeDate)', '(EXTRACT(YEAR FROM "t"."close_date"))::numeric'],
    ['MONTH(createdAt)', '(EXTRACT(MONTH FROM "t"."created_at"))::numeric'],
    ['DAY(null)', '(EXTRACT(DAY FROM NULL::date))::numeric'],
    ['DAYS_BETWEEN(closeDate, TODAY())', '(CURRENT_DATE::date - "t"."close_date"::date)::numeric'],
    ['ADD_DAYS(closeDate, 7)', '("t"."close_date" + (7::numeric)::integer)::date'],
    ['ADD_DAYS(createdAt, 7)', '("t"."created_at" + make_interval(days => (7::numeric)::integer))::timestamptz'],
  ])('%s', (expression, expected) => {
    expect(sql(expression)).toBe(expected);
  });

  it('returns the result type beside the SQL', () => {
    expect(compileFormula('closeDate', resolveSql)).toEqual({ sql: '"t"."close_date"::date', type: 'date' });
  });

  it('parenthesises field SQL that is more than a column path', () => {
    const field = compileFormula("a & 'x'", () => ({ sql: "coalesce(x, 'y')", type: 'text' }));
    expect(field.sql).toBe(`(coalesce((coalesce(x, 'y')), '') || 'x')::text`);
  });

  it('throws VALIDATION_FAILED listing every issue', () => {
    const error = thrown(() => compileFormula('UPPER(amount) + missing', resolveSql));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues.map((i) => i.message)).toEqual([
      'UPPER expects a text as its first argument, got a number (at offset 6)',
      'unknown field "missing" (at offset 16)',
      '"+" expects numbers on both sides, got a text; use & to join texts (at offset 0)',
    ]);
  });
});
