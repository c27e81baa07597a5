// Every operator family of the filter language against real PostgreSQL, compared with the same predicate
// evaluated in memory over the inserted data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockStartingAt, type Filter, listRecords, QueryCompiler } from '../src/index.ts';
import {
  type AccountRow,
  connect,
  type Dataset,
  ENTITIES,
  type Fixture,
  live,
  makeDataset,
  seed,
} from './query-fixture.ts';

const SCHEMA = 'ws_filter';
// Relative dates count from one present, in the data and in SQL alike: noon UTC of a fixed day, so no
// boundary of today, this week or this year lies between writing the rows and reading them, whenever it runs.
const NOW = Date.parse('2026-06-17T12:00:00Z');
const CLOCK_SQL = clockStartingAt(new Date(NOW).toISOString()).sql;
const compiler = new QueryCompiler(ENTITIES, SCHEMA, { now: CLOCK_SQL });
let fx: Fixture;
let data: Dataset;
let accounts: AccountRow[];

beforeAll(async () => {
  fx = await connect();
  data = await seed(
    fx.db,
    SCHEMA,
    makeDataset(80, (i) => i % 5, 7, NOW),
  );
  accounts = live(data.accounts);
});
afterAll(async () => fx?.close());

async function ids(entity: string, filter: Filter, search?: string): Promise<string[]> {
  const result = await listRecords(fx.db, compiler, {
    entity,
    filter,
    ...(search === undefined ? {} : { search }),
    first: 500,
    selection: { fields: ['id'], relations: [] },
  });
  return result.nodes.map((n) => n['id'] as string).sort();
}

const idsOf = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

/** Checks the filter selects exactly the live accounts the predicate accepts, and that it selects some. */
async function expectAccounts(filter: Filter, predicate: (a: AccountRow) => boolean, allowEmpty = false) {
  const expected = idsOf(accounts.filter(predicate));
  if (!allowEmpty) expect(expected.length, 'the fixture should exercise this filter').toBeGreaterThan(0);
  expect(await ids('account', filter)).toEqual(expected);
}

const num = (v: string | null) => (v === null ? null : Number(v));
const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('string operators', () => {
  it('eq, neq (NULLs included), in, notIn (NULLs included)', async () => {
    await expectAccounts({ name: { eq: 'Acme 0' } }, (a) => a.name === 'Acme 0');
    await expectAccounts({ website: { neq: 'https://example3.com' } }, (a) => a.website !== 'https://example3.com');
    await expectAccounts({ name: { in: ['Acme 0', 'Hooli 1'] } }, (a) => ['Acme 0', 'Hooli 1'].includes(a.name));
    await expectAccounts({ notes: { notIn: ['Note 4', 'Note 6'] } }, (a) => !['Note 4', 'Note 6'].includes(a.notes!));
  });

  it('contains, startsWith, endsWith, notContains: case-insensitive, wildcards literal', async () => {
    await expectAccounts({ name: { contains: 'ACME' } }, (a) => a.name.toLowerCase().includes('acme'));
    await expectAccounts({ name: { startsWith: 'glo' } }, (a) => a.name.toLowerCase().startsWith('glo'));
    await expectAccounts({ name: { endsWith: ' 2' } }, (a) => a.name.endsWith(' 2'));
    await expectAccounts({ website: { notContains: 'EXAMPLE1' } }, (a) => !a.website?.includes('example1'));
    await expectAccounts({ name: { contains: '%' } }, (a) => a.name.includes('%'));
    await expectAccounts({ name: { contains: 'e_d' } }, (a) => a.name.toLowerCase().includes('e_d'));
    await expectAccounts({ name: { contains: '_' } }, (a) => a.name.includes('_'));
    await expectAccounts({ name: { contains: 'k\\s' } }, (a) => a.name.includes('k\\s'));
  });

  it('isNull', async () => {
    await expectAccounts({ website: { isNull: true } }, (a) => a.website === null);
    await expectAccounts({ website: { isNull: false } }, (a) => a.website !== null);
    await expectAccounts({ website: { eq: null } }, (a) => a.website === null);
  });

  it('binds values as parameters, never as SQL text', async () => {
    const evil = "x' or '1'='1";
    expect(await ids('account', { name: { eq: evil } })).toEqual([]);
    const statement = compiler.compileList({
      entity: 'account',
      filter: { name: { contains: evil } },
      selection: { fields: ['id'], relations: [] },
    });
    expect(statement.statement.text).not.toContain('1=1');
    expect(statement.statement.params).toContain(`%${evil}%`);
  });
});

describe('number, decimal, money, boolean, select, multiSelect, json and id operators', () => {
  it('integer comparisons', async () => {
    await expectAccounts({ employees: { eq: 50 } }, (a) => a.employees === 50);
    await expectAccounts({ employees: { neq: 50 } }, (a) => a.employees !== 50);
    await expectAccounts({ employees: { in: [10, 200] } }, (a) => a.employees === 10 || a.employees === 200);
    await expectAccounts({ employees: { notIn: [50] } }, (a) => a.employees !== 50);
    await expectAccounts({ employees: { lt: 50 } }, (a) => a.employees !== null && a.employees < 50);
    await expectAccounts({ employees: { lte: 50 } }, (a) => a.employees !== null && a.employees <= 50);
    await expectAccounts({ employees: { gt: 50, lte: 1000 } }, (a) => a.employees !== null && a.employees > 50);
    await expectAccounts({ employees: { gte: 200 } }, (a) => a.employees !== null && a.employees >= 200);
    await expectAccounts(
      { employees: { between: [50, 200] } },
      (a) => a.employees !== null && a.employees >= 50 && a.employees <= 200,
    );
    await expectAccounts({ employees: { isNull: true } }, (a) => a.employees === null);
  });

  it('decimals as strings or numbers', async () => {
    await expectAccounts({ probability: { gte: '50' } }, (a) => (num(a.probability) ?? -1) >= 50);
    await expectAccounts({ probability: { eq: 12.5 } }, (a) => a.probability === '12.50');
    await expectAccounts({ probability: { between: ['12.5', '50.00'] } }, (a) =>
      [12.5, 50].includes(num(a.probability)!),
    );
  });

  it('money compares the amount and matches the currency', async () => {
    await expectAccounts({ revenue: { gt: '50000' } }, (a) => (num(a.revenueAmount) ?? 0) > 50000);
    await expectAccounts({ revenue: { currency: 'EUR' } }, (a) => a.revenueCurrency === 'EUR');
    await expectAccounts(
      { revenue: { currency: 'USD', lt: '30000.5' } },
      (a) => a.revenueCurrency === 'USD' && num(a.revenueAmount)! < 30000.5,
    );
    await expectAccounts({ revenue: { isNull: true } }, (a) => a.revenueAmount === null);
    await expectAccounts({ revenue: { neq: '0' } }, () => true);
  });

  it('boolean and select', async () => {
    await expectAccounts({ active: { eq: true } }, (a) => a.active === true);
    await expectAccounts({ active: { neq: true } }, (a) => a.active !== true);
    await expectAccounts({ active: { isNull: true } }, (a) => a.active === null);
    await expectAccounts({ industry: { eq: 'it' } }, (a) => a.industry === 'it');
    await expectAccounts(
      { industry: { notIn: ['it', 'retail'] } },
      (a) => a.industry !== 'it' && a.industry !== 'retail',
    );
  });

  it('multiSelect containsAny, containsAll, isEmpty', async () => {
    await expectAccounts(
      { segments: { containsAny: ['public', 'smb'] } },
      (a) => !!a.segments?.some((s) => s === 'public' || s === 'smb'),
    );
    await expectAccounts(
      { segments: { containsAll: ['smb', 'public'] } },
      (a) => !!a.segments?.includes('smb') && a.segments.includes('public'),
    );
    await expectAccounts({ segments: { isEmpty: true } }, (a) => !a.segments?.length);
    await expectAccounts({ segments: { isEmpty: false } }, (a) => !!a.segments?.length);
  });

  it('json isNull, ids and many-to-one ids', async () => {
    await expectAccounts({ profile: { isNull: false } }, (a) => a.profile !== null);
    const some = accounts.slice(0, 3).map((a) => a.id);
    await expectAccounts({ id: { in: some } }, (a) => some.includes(a.id));
    await expectAccounts({ id: { notIn: some } }, (a) => !some.includes(a.id));
    await expectAccounts({ parentId: { isNull: false } }, (a) => a.parentId !== null);
    const parent = accounts.find((a) => a.parentId)!.parentId!;
    await expectAccounts({ parentId: { eq: parent.toUpperCase() } }, (a) => a.parentId === parent);
  });
});

describe('date and datetime operators', () => {
  const now = NOW;
  const today = isoDay(now);
  it('absolute comparisons', async () => {
    await expectAccounts({ foundedOn: { eq: '2001-02-03' } }, (a) => a.foundedOn === '2001-02-03');
    await expectAccounts({ foundedOn: { lt: today } }, (a) => a.foundedOn !== null && a.foundedOn < today);
    await expectAccounts({ foundedOn: { between: ['2000-01-01', '2001-12-31'] } }, (a) => a.foundedOn === '2001-02-03');
    await expectAccounts(
      { createdAt: { gte: '2024-05-01T10:00:10.123456Z' } },
      (a) => a.createdAt >= '2024-05-01T10:00:10.123456Z',
    );
    await expectAccounts(
      { createdAt: { gt: '2024-05-01T10:00:10.123456Z' } },
      (a) => a.createdAt > '2024-05-01T10:00:10.123456Z',
    );
    await expectAccounts(
      { lastContactAt: { lt: new Date(now).toISOString() } },
      (a) => !!a.lastContactAt && a.lastContactAt < new Date(now).toISOString(),
    );
  });

  it('relative periods and windows', async () => {
    await expectAccounts({ foundedOn: { relative: 'today' } }, (a) => a.foundedOn === today);
    await expectAccounts({ foundedOn: { relative: 'yesterday' } }, (a) => a.foundedOn === isoDay(now - DAY));
    await expectAccounts({ foundedOn: { relative: 'tomorrow' } }, () => false, true);
    const year = today.slice(0, 4);
    await expectAccounts({ foundedOn: { relative: 'thisYear' } }, (a) => a.foundedOn?.slice(0, 4) === year);
    await expectAccounts(
      { foundedOn: { inLast: { amount: 30, unit: 'day' } } },
      (a) => !!a.foundedOn && a.foundedOn >= isoDay(now - 30 * DAY) && a.foundedOn <= today,
    );
    const within = (a: AccountRow, from: number, to: number) =>
      !!a.lastContactAt && Date.parse(a.lastContactAt) >= from && Date.parse(a.lastContactAt) <= to;
    await expectAccounts({ lastContactAt: { inLast: { amount: 1, unit: 'week' } } }, (a) =>
      within(a, now - 7 * DAY, now),
    );
    await expectAccounts({ lastContactAt: { inNext: { amount: 7, unit: 'day' } } }, (a) =>
      within(a, now, now + 7 * DAY),
    );
    await expectAccounts({ lastContactAt: { inLast: { amount: 2, unit: 'month' } } }, (a) =>
      within(a, now - 60 * DAY, now),
    );
    await expectAccounts({ createdAt: { relative: 'lastYear' } }, () => false, true);
  });

  it('takes "today" in the compiler’s time zone', async () => {
    for (const timeZone of ['Pacific/Kiritimati', 'America/Adak']) {
      const zoned = new QueryCompiler(ENTITIES, SCHEMA, { timeZone, now: CLOCK_SQL });
      const todayThere = new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(NOW));
      const result = await listRecords(fx.db, zoned, {
        entity: 'account',
        filter: { foundedOn: { relative: 'today' } },
        first: 500,
        selection: { fields: ['id'], relations: [] },
      });
      expect(result.nodes.map((n) => n['id']).sort()).toEqual(
        idsOf(accounts.filter((a) => a.foundedOn === todayThere)),
      );
    }
    expect(() => new QueryCompiler(ENTITIES, SCHEMA, { timeZone: 'Mars/Olympus' })).toThrow(/time zone/);
  });
});

describe('search', () => {
  it('matches any searchable field case-insensitively, wildcards literal', async () => {
    const match = (a: AccountRow, text: string) =>
      [a.name, a.website, a.notes].some((v) => v?.toLowerCase().includes(text.toLowerCase()));
    expect(await ids('account', {}, 'EXAMPLE1')).toEqual(idsOf(accounts.filter((a) => match(a, 'example1'))));
    expect(await ids('account', {}, 'pure_')).toEqual(idsOf(accounts.filter((a) => match(a, 'pure_'))));
    expect(await ids('account', {}, '_')).toEqual(idsOf(accounts.filter((a) => match(a, '_'))));
    expect(await ids('account', { industry: { eq: 'it' } }, 'note')).toEqual(
      idsOf(accounts.filter((a) => a.industry === 'it' && match(a, 'note'))),
    );
  });
});
