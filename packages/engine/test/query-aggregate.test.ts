// Aggregates: groups by every groupable kind of field, every function, order, limit and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AggregateRequest, aggregateRecords, countStatements, QueryCompiler } from '../src/index.ts';
import {
  type AccountRow,
  connect,
  type Dataset,
  ENTITIES,
  type Fixture,
  live,
  makeDataset,
  rejectionOf,
  seed,
} from './query-fixture.ts';

const SCHEMA = 'ws_aggregate';
const compiler = new QueryCompiler(ENTITIES, SCHEMA);
let fx: Fixture;
let data: Dataset;
let accounts: AccountRow[];

beforeAll(async () => {
  fx = await connect();
  data = await seed(
    fx.db,
    SCHEMA,
    makeDataset(70, (i) => i % 3),
  );
  accounts = live(data.accounts);
});
afterAll(async () => fx?.close());

const aggregate = (req: Omit<AggregateRequest, 'entity'>) =>
  aggregateRecords(fx.db, compiler, { entity: 'account', ...req });
const cents = (v: string | null) => (v === null ? 0 : Math.round(Number(v) * 100));
function groupBy<K>(rows: AccountRow[], key: (a: AccountRow) => K): Map<K, AccountRow[]> {
  const groups = new Map<K, AccountRow[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

describe('aggregates', () => {
  it('counts, sums, averages and extremes per group, in one statement; money per currency, never USD + EUR (issue 9)', async () => {
    const { result: groups, statements } = await countStatements(() =>
      aggregate({
        groupBy: ['industry'],
        aggregates: [
          { fn: 'count' },
          { fn: 'sum', field: 'revenue' },
          { fn: 'avg', field: 'probability' },
          { fn: 'sum', field: 'employees' },
          { fn: 'min', field: 'foundedOn' },
          { fn: 'max', field: 'lastContactAt' },
          { fn: 'min', field: 'employees' },
          { fn: 'max', field: 'revenue' },
          { fn: 'count', field: 'website' },
        ],
      }),
    );
    expect(statements).toBe(1);
    const expected = groupBy(accounts, (a) => a.industry);
    expect(groups.map((g) => g.keys['industry'])).toEqual(['finance', 'it', 'retail', null]);
    for (const group of groups) {
      const rows = expected.get(group.keys['industry'] as string | null)!;
      const some = <T>(values: (T | null)[]) => values.filter((v): v is T => v !== null);
      const revenues = some(rows.map((a) => a.revenueAmount));
      const probabilities = some(rows.map((a) => a.probability)).map(Number);
      const employees = some(rows.map((a) => a.employees));
      const founded = some(rows.map((a) => a.foundedOn)).sort();
      const contacted = some(rows.map((a) => a.lastContactAt)).sort();
      expect(group.count).toBe(rows.length);
      // Money per currency, never added across currencies (the fixture mixes USD and EUR).
      const perCurrency = (pick: (amounts: string[]) => string) =>
        ['EUR', 'USD']
          .map((currency) => {
            const amounts = rows
              .filter((a) => a.revenueAmount !== null && a.revenueCurrency === currency)
              .map((a) => a.revenueAmount!);
            return { currency, amount: amounts.length ? pick(amounts) : '', count: amounts.length };
          })
          .filter((c) => c.count > 0);
      expect(group.values.sum!['revenue']).toEqual(
        perCurrency((amounts) => (amounts.reduce((s, v) => s + cents(v), 0) / 100).toFixed(2)),
      );
      expect(new Set(rows.filter((a) => a.revenueAmount !== null).map((a) => a.revenueCurrency)).size).toBe(
        (group.values.sum!['revenue'] as unknown[]).length,
      );
      expect(Number(group.values.avg!['probability'])).toBeCloseTo(
        probabilities.reduce((s, v) => s + v, 0) / probabilities.length,
        10,
      );
      expect(group.values.sum!['employees']).toBe(String(employees.reduce((s, v) => s + v, 0)));
      expect(group.values.min!['foundedOn']).toBe(founded[0] ?? null);
      expect(group.values.max!['lastContactAt']).toBe(
        contacted.at(-1) ? new Date(contacted.at(-1)!).toISOString() : null,
      );
      expect(group.values.min!['employees']).toBe(Math.min(...employees));
      expect(
        (group.values.max!['revenue'] as { currency: string; amount: string; count: number }[]).map((c) => ({
          ...c,
          amount: Number(c.amount),
        })),
      ).toEqual(
        perCurrency((amounts) => String(Math.max(...amounts.map(Number)))).map((c) => ({
          ...c,
          amount: Number(c.amount),
        })),
      );
      expect(revenues.length).toBe(perCurrency(() => '').reduce((n, c) => n + c.count, 0));
      expect(group.values.count!['website']).toBe(rows.filter((a) => a.website !== null).length);
    }
  });

  it('groups by several keys of every groupable kind', async () => {
    const groups = await aggregate({ groupBy: ['active', 'employees', 'parentId'], aggregates: [] });
    const expected = groupBy(accounts, (a) => JSON.stringify([a.active, a.employees, a.parentId]));
    expect(groups).toHaveLength(expected.size);
    for (const g of groups) {
      expect(g.count).toBe(
        expected.get(JSON.stringify([g.keys['active'], g.keys['employees'], g.keys['parentId']]))!.length,
      );
      expect(g.values).toEqual({});
    }
  });

  it('truncates dates and datetimes to the granularity, keys as YYYY-MM-DD', async () => {
    const byMonth = await aggregate({ groupBy: ['foundedOn'], dateGranularity: 'month', aggregates: [] });
    const expected = groupBy(accounts, (a) => (a.foundedOn ? `${a.foundedOn.slice(0, 7)}-01` : null));
    expect(Object.fromEntries(byMonth.map((g) => [String(g.keys['foundedOn']), g.count]))).toEqual(
      Object.fromEntries([...expected].map(([k, rows]) => [String(k), rows.length])),
    );
    const byYear = await aggregate({ groupBy: ['createdAt'], dateGranularity: 'year', aggregates: [] });
    expect(byYear).toEqual([{ keys: { createdAt: '2024-01-01' }, count: accounts.length, values: {} }]);
    const byDay = await aggregate({ groupBy: ['createdAt'], dateGranularity: 'day', aggregates: [] });
    expect(byDay.map((g) => g.keys['createdAt'])).toEqual(['2024-05-01']);
    expect(await aggregate({ groupBy: ['foundedOn'], aggregates: [] })).toEqual(byMonth);
  });

  it('orders by count or keys and honours the limit', async () => {
    const groups = await aggregate({
      groupBy: ['employees'],
      aggregates: [],
      orderBy: [{ key: 'count', direction: 'desc' }],
      limit: 3,
    });
    const counts = [...groupBy(accounts, (a) => a.employees).values()].map((rows) => rows.length).sort((a, b) => b - a);
    expect(groups.map((g) => g.count)).toEqual(counts.slice(0, 3));
    const byKey = await aggregate({
      groupBy: ['employees'],
      aggregates: [],
      orderBy: [{ key: 'employees', direction: 'desc' }],
    });
    expect(byKey.map((g) => g.keys['employees'])).toEqual([null, 1000, 200, 50, 10]);
  });

  it('gives one group without groupBy, even when nothing matches', async () => {
    expect(await aggregate({ aggregates: [{ fn: 'sum', field: 'revenue' }] })).toEqual([
      {
        keys: {},
        count: accounts.length,
        values: {
          sum: {
            revenue: [
              { currency: 'EUR', amount: expect.any(String), count: expect.any(Number) },
              { currency: 'USD', amount: expect.any(String), count: expect.any(Number) },
            ],
          },
        },
      },
    ]);
    expect(
      await aggregate({ filter: { name: { eq: 'nobody' } }, aggregates: [{ fn: 'sum', field: 'revenue' }] }),
    ).toEqual([{ keys: {}, count: 0, values: { sum: { revenue: [] } } }]);
  });

  it('rejects what cannot be grouped, summed or ordered', async () => {
    const error = await rejectionOf(
      aggregate({
        groupBy: ['revenue', 'industry'],
        aggregates: [
          { fn: 'sum', field: 'name' },
          { fn: 'median' as 'sum', field: 'employees' },
          { fn: 'min', field: 'segments' },
        ],
        orderBy: [{ key: 'employees', direction: 'asc' }],
      }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues.map((i) => i.path)).toEqual([
      'groupBy[0]',
      'aggregates[0].field',
      'aggregates[1].fn',
      'aggregates[2].field',
      'orderBy[0].key',
    ]);
    expect(error.issues[0]!.allowed).toEqual(
      expect.arrayContaining(['industry', 'active', 'employees', 'parentId', 'createdAt']),
    );
    expect(error.issues[1]!.allowed).toEqual(expect.arrayContaining(['revenue', 'employees', 'probability']));
    expect(error.issues[4]!.allowed).toEqual(['industry', 'count']);
    await expect(aggregate({ aggregates: [], limit: 1001 })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      issues: [{ path: 'limit' }],
    });
  });
});
