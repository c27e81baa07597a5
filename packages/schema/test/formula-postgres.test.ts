// Runs compiled formulas on the real PostgreSQL, so the SQL text asserted in src/formula.test.ts is also
// known to parse and to compute what the formula language promises. Read-only: no table is created.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFormula, type FormulaField } from '../src/formula.ts';

const URL = process.env.TOUCHPOINT_TEST_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const ROW = `SELECT 12::integer AS quantity, 0::integer AS zero, 7::integer AS seven, 10.50::numeric(20, 2) AS amount,
  'Acme'::text AS name, NULL::text AS city, ''::text AS empty, true AS active,
  DATE '2026-03-01' AS close_date, TIMESTAMPTZ '2026-03-01T23:30:00Z' AS created_at, 2147483647::integer AS big`;

const FIELDS: Record<string, FormulaField> = {
  quantity: { sql: '"t"."quantity"', type: 'number' },
  zero: { sql: '"t"."zero"', type: 'number' },
  seven: { sql: '"t"."seven"', type: 'number' },
  amount: { sql: '"t"."amount"', type: 'number' },
  name: { sql: '"t"."name"', type: 'text' },
  city: { sql: '"t"."city"', type: 'text' },
  empty: { sql: '"t"."empty"', type: 'text' },
  active: { sql: '"t"."active"', type: 'boolean' },
  closeDate: { sql: '"t"."close_date"', type: 'date' },
  createdAt: { sql: '"t"."created_at"', type: 'datetime' },
  big: { sql: '"t"."big"', type: 'number' },
};

let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: URL });
  await client.connect();
  // Fixed so that datetime parts and casts are the same on every machine.
  await client.query(`SET TIME ZONE 'UTC'`);
});

afterAll(async () => {
  await client?.end();
});

async function evaluate(expression: string): Promise<string | null> {
  const { sql } = compileFormula(expression, (name) => FIELDS[name]);
  const result = await client.query<{ v: string | null }>(`SELECT (${sql})::text AS v FROM (${ROW}) AS t`);
  return result.rows[0]!.v;
}

describe('compiled formulas on PostgreSQL', () => {
  it.each<[string, string | null]>([
    ['1 + 2 * 3', '7'],
    ['(1 + 2) * 3', '9'],
    ['10 - 4 - 3', '3'],
    ['-2 * 3', '-6'],
    ['1 -- 2', '3'],
    ['seven / 2', '3.5000000000000000'],
    ['ROUND(seven / 3, 2)', '2.33'],
    ['amount / zero', null],
    ['seven % 4', '3'],
    ['seven % zero', null],
    ['big + big', '4294967294'],
    ['big * big', '4611686014132420609'],
    ["name & ' ' & city & '!'", 'Acme !'],
    ["amount & '|' & active & '|' & closeDate & '|' & createdAt", '10.5|true|2026-03-01|2026-03-01T23:30:00Z'],
    ["CONCAT(city, null, 'x', 1.50)", 'x1.5'],
    ["name = 'Acme' and not (amount < 10)", 'true'],
    ['city = null', 'true'],
    ['name != null', 'true'],
    ["city = 'x'", null],
    ["IF(active, 'yes', 'no')", 'yes'],
    ["IF(city = 'x', 'yes', 'no')", 'no'],
    ['IF(active, closeDate, createdAt)', '2026-03-01 00:00:00+00'],
    ["IF(active, null, 'x')", null],
    ['AND(active, amount > 10, true)', 'true'],
    ['OR(false, city = null)', 'true'],
    ['NOT(active)', 'false'],
    ["UPPER(name) & LOWER(name) & TRIM('  x  ')", 'ACMEacmex'],
    ['LEN(name)', '4'],
    ['LEN(city)', null],
    ["LEFT(name, 2) & '-' & RIGHT(name, 3) & '-' & LEFT(name, -1)", 'Ac-cme-'],
    ['ROUND(amount) + ROUND(2.345, 2)', '13.35'],
    ['ABS(-amount)', '10.50'],
    ['FLOOR(amount) + CEIL(amount)', '21'],
    ['MIN(amount, 3, quantity)', '3'],
    ["MAX(name, 'Zeta')", 'Zeta'],
    ["COALESCE(city, empty, 'fallback')", ''],
    ['ISBLANK(city) and ISBLANK(empty) and not ISBLANK(name)', 'true'],
    ['ISBLANK(amount)', 'false'],
    ['YEAR(closeDate) * 10000 + MONTH(closeDate) * 100 + DAY(createdAt)', '20260301'],
    ['DAYS_BETWEEN(closeDate, ADD_DAYS(closeDate, 45))', '45'],
    ['ADD_DAYS(closeDate, 31)', '2026-04-01'],
    ['ADD_DAYS(createdAt, 1)', '2026-03-02 23:30:00+00'],
    ['TODAY() = ADD_DAYS(TODAY(), 0) and NOW() >= TODAY()', 'true'],
    ['DAY(null)', null],
    ['LOWER(null)', null],
    ['-null', null],
    ["'a'' or 1=1 --'", "a' or 1=1 --"],
    ["'x'' ; drop table t; --' & name", "x' ; drop table t; --Acme"],
    ["'back\\slash'", 'back\\slash'],
    ["'\\'''", "\\'"],
    ["'中文' & '客户'", '中文客户'],
  ])('%s → %s', async (expression, expected) => {
    expect(await evaluate(expression)).toBe(expected);
  });

  it('keeps texts intact when standard_conforming_strings is off', async () => {
    await client.query('SET standard_conforming_strings = off');
    try {
      expect(await evaluate("'back\\slash' & '\\'''")).toBe("back\\slash\\'");
    } finally {
      await client.query('SET standard_conforming_strings = on');
    }
  });

  it('runs the longest and the deepest formulas the limits allow', async () => {
    expect(await evaluate(`${'1 + '.repeat(499)}1`)).toBe('500');
    expect(await evaluate(`${'ABS('.repeat(31)}-1${')'.repeat(31)}`)).toBe('1');
  });
});
