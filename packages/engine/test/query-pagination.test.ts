// Keyset pagination: walking every page forwards and backwards over data full of duplicate and NULL sort
// values must visit each record once, in the order an in-memory sort with the same rules gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_FIRST,
  decodeCursor,
  encodeCursor,
  type ListRequest,
  listRecords,
  type OrderBy,
  QueryCompiler,
} from '../src/index.ts';
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

const SCHEMA = 'ws_paging';
const compiler = new QueryCompiler(ENTITIES, SCHEMA);
let fx: Fixture;
let data: Dataset;
let accounts: AccountRow[];
/** Rank of each name in the database's collation, so the in-memory sort agrees with PostgreSQL on text. */
let nameRank: Map<string, number>;

beforeAll(async () => {
  fx = await connect();
  data = await seed(
    fx.db,
    SCHEMA,
    makeDataset(90, (i) => i % 4),
  );
  accounts = live(data.accounts);
  const names = [...new Set(accounts.map((a) => a.name))];
  const [row] = await fx.db.query<{ sorted: string[] }>(
    'select array_agg(n order by n) as sorted from unnest($1::text[]) n',
    [names],
  );
  nameRank = new Map(row!.sorted.map((n, i) => [n, i]));
});
afterAll(async () => fx?.close());

type Value = number | string | boolean | null;
const totalScore = (a: AccountRow): number | null =>
  live(data.contacts)
    .filter((c) => c.accountId === a.id)
    .reduce<number | null>((sum, c) => (c.score === null ? sum : (sum ?? 0) + c.score), null);
const VALUES: Record<string, (a: AccountRow) => Value> = {
  createdAt: (a) => a.createdAt,
  employees: (a) => a.employees,
  // A select sorts in the order of its options (it, finance, retail), not by the stored text.
  industry: (a) => (a.industry === null ? null : ['it', 'finance', 'retail'].indexOf(a.industry)),
  revenue: (a) => (a.revenueAmount === null ? null : Number(a.revenueAmount)),
  name: (a) => nameRank.get(a.name)!,
  foundedOn: (a) => a.foundedOn,
  active: (a) => a.active,
  probability: (a) => (a.probability === null ? null : Number(a.probability)),
  totalScore,
  lastContactAt: (a) => a.lastContactAt,
  // A multi-select: its first value in option order, then how many it has (fewer than 10 here); empty is null.
  segments: (a) => {
    const positions = (a.segments ?? []).map((v) => ['smb', 'enterprise', 'public'].indexOf(v));
    return positions.length === 0 ? null : Math.min(...positions) * 10 + positions.length;
  },
  // A many-to-one relation: the live parent's title.
  parent: (a) => {
    const parent = accounts.find((p) => p.id === a.parentId && p.deletedAt === null);
    return parent ? nameRank.get(parent.name)! : null;
  },
  id: (a) => a.id,
};

/** PostgreSQL's rules: NULL is greater than every value in both directions; id breaks ties. */
function sortInMemory(rows: AccountRow[], orderBy: OrderBy[]): AccountRow[] {
  const keys = [...orderBy, { field: 'id', direction: orderBy.at(-1)?.direction ?? 'asc' } as OrderBy];
  return [...rows].sort((x, y) => {
    for (const key of keys) {
      const a = VALUES[key.field]!(x);
      const b = VALUES[key.field]!(y);
      if (a === b) continue;
      const cmp = a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
      return key.direction === 'asc' ? cmp : -cmp;
    }
    return 0;
  });
}

const selection = { fields: ['id', 'name'], relations: [] };

async function walk(base: Omit<ListRequest, 'selection'>, size: number, backward: boolean): Promise<string[]> {
  const seen: string[][] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const req: ListRequest = backward
      ? { ...base, selection, last: size, ...(cursor ? { before: cursor } : {}) }
      : { ...base, selection, first: size, ...(cursor ? { after: cursor } : {}) };
    const result = await listRecords(fx.db, compiler, req);
    seen.push(result.nodes.map((n) => n['id'] as string));
    expect(result.nodes.length).toBeLessThanOrEqual(size);
    const { hasNextPage, hasPreviousPage, startCursor, endCursor } = result.pageInfo;
    expect(backward ? hasNextPage : hasPreviousPage).toBe(cursor !== undefined);
    if (!(backward ? hasPreviousPage : hasNextPage)) break;
    expect(result.nodes.length).toBe(size);
    cursor = (backward ? startCursor : endCursor) ?? undefined;
  }
  return (backward ? seen.reverse() : seen).flat();
}

const ORDERS: OrderBy[][] = [
  [],
  [{ field: 'employees', direction: 'asc' }],
  [{ field: 'employees', direction: 'desc' }],
  [
    { field: 'industry', direction: 'desc' },
    { field: 'revenue', direction: 'asc' },
  ],
  [
    { field: 'name', direction: 'asc' },
    { field: 'foundedOn', direction: 'desc' },
  ],
  [
    { field: 'active', direction: 'asc' },
    { field: 'probability', direction: 'desc' },
    { field: 'createdAt', direction: 'asc' },
  ],
  [{ field: 'totalScore', direction: 'desc' }],
  [{ field: 'lastContactAt', direction: 'asc' }],
  [{ field: 'segments', direction: 'asc' }],
  [
    { field: 'parent', direction: 'desc' },
    { field: 'name', direction: 'asc' },
  ],
];

describe('keyset pagination', () => {
  for (const orderBy of ORDERS) {
    const label = orderBy.map((o) => `${o.field} ${o.direction}`).join(', ') || 'default order (createdAt desc)';
    it(`walks every page both ways: ${label}`, async () => {
      const expected = sortInMemory(
        accounts,
        orderBy.length > 0 ? orderBy : [{ field: 'createdAt', direction: 'desc' }],
      ).map((a) => a.id);
      const base = orderBy.length > 0 ? { entity: 'account', orderBy } : { entity: 'account' };
      expect(await walk(base, 7, false)).toEqual(expected);
      expect(await walk(base, 7, true)).toEqual(expected);
    });
  }

  it('combines cursors with a filter and a total count', async () => {
    const orderBy: OrderBy[] = [{ field: 'employees', direction: 'desc' }];
    const filter = { industry: { notIn: ['it'] } };
    const matching = accounts.filter((a) => a.industry !== 'it');
    expect(await walk({ entity: 'account', orderBy, filter }, 5, false)).toEqual(
      sortInMemory(matching, orderBy).map((a) => a.id),
    );
    const counted = await listRecords(fx.db, compiler, {
      entity: 'account',
      filter,
      first: 2,
      withTotalCount: true,
      selection,
    });
    expect(counted.totalCount).toBe(matching.length);
    expect(counted.nodes).toHaveLength(2);
  });

  it('takes after and before together as a window', async () => {
    const req = { entity: 'account', orderBy: [{ field: 'name', direction: 'asc' }] as OrderBy[], selection };
    const page1 = await listRecords(fx.db, compiler, { ...req, first: 4 });
    const page2 = await listRecords(fx.db, compiler, { ...req, first: 4, after: page1.pageInfo.endCursor! });
    const page3 = await listRecords(fx.db, compiler, { ...req, first: 4, after: page2.pageInfo.endCursor! });
    const window = await listRecords(fx.db, compiler, {
      ...req,
      first: 10,
      after: page1.pageInfo.endCursor!,
      before: page3.pageInfo.startCursor!,
    });
    expect(window.nodes.map((n) => n['id'])).toEqual(page2.nodes.map((n) => n['id']));
    expect(window.nodes[0]!['__cursor']).toBe(page2.pageInfo.startCursor);
  });

  it('leaves cursors out when the request asks for none, and still knows whether another page exists', async () => {
    const req = { entity: 'account', orderBy: [{ field: 'name', direction: 'asc' }] as OrderBy[], selection, first: 4 };
    const full = await listRecords(fx.db, compiler, req);
    const bare = await listRecords(fx.db, compiler, { ...req, withCursors: false });
    expect(bare.nodes.map((n) => n['id'])).toEqual(full.nodes.map((n) => n['id']));
    expect(bare.nodes.every((n) => !('__cursor' in n))).toBe(true);
    expect(bare.pageInfo).toEqual({ ...full.pageInfo, startCursor: null, endCursor: null });
    expect(bare.pageInfo.hasNextPage).toBe(true);
    // The cursors of the full request are the same ones PostgreSQL's own base64 of the keys gives.
    const [row] = await fx.db.query<{ cursor: string }>(
      "select replace(replace(rtrim(encode(convert_to(json_build_array($1::text, $2::uuid)::text, 'UTF8'), 'base64'), '='), '+', '-'), '/', '_') as cursor",
      [full.nodes[0]!['name'], full.nodes[0]!['id']],
    );
    expect(full.pageInfo.startCursor).toBe(row!.cursor.replaceAll('\n', ''));
  });

  it('returns an empty page with no cursors past the end', async () => {
    const last = await listRecords(fx.db, compiler, { entity: 'account', last: 1, selection });
    const after = await listRecords(fx.db, compiler, {
      entity: 'account',
      first: 3,
      after: last.pageInfo.endCursor!,
      selection,
    });
    expect(after.nodes).toEqual([]);
    expect(after.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });
});

describe('the keyset on the id', () => {
  it('is a plain range on the primary key (an id is never null), so a deep page costs what the first does', async () => {
    const byId = { entity: 'account', orderBy: [], first: 2, selection };
    const first = await listRecords(fx.db, compiler, byId);
    const compiled = compiler.compileList({ ...byId, after: first.pageInfo.endCursor! });
    expect(compiled.statement.text).not.toMatch(/id is null/);
    // The fixture is small: without seq scans the planner shows whether the index can serve the range.
    const plan = await fx.db.transaction(async (tx) => {
      await tx.query('set local enable_seqscan = off');
      return tx.query<{ 'QUERY PLAN': string }>(
        `explain ${compiled.statement.text}`,
        compiled.statement.params as unknown[],
      );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Cond: \(id > /);
  });
});

describe('cursors and paging arguments', () => {
  const reject = async (req: Partial<ListRequest>) => {
    try {
      await listRecords(fx.db, compiler, { entity: 'account', selection, ...req });
    } catch (error) {
      return error as { code: string; message: string; issues: { path: string; message: string }[] };
    }
    throw new Error('expected the request to be rejected');
  };

  it('round-trips and rejects tampered cursors', async () => {
    expect(decodeCursor(encodeCursor(['a', 1, null]))).toEqual(['a', 1, null]);
    const page = await listRecords(fx.db, compiler, { entity: 'account', first: 2, selection });
    const cursor = page.pageInfo.endCursor!;
    const values = decodeCursor(cursor);
    expect(values).toHaveLength(2);
    for (const bad of [
      'not a cursor!',
      `${cursor.slice(0, -3)}x`,
      encodeCursor({ a: 1 } as unknown as unknown[]),
      encodeCursor(['2024-05-01T10:00:00.123456Z', 'not-an-id']),
      encodeCursor(['yesterday', values[1]]),
      encodeCursor([values[1]]),
    ]) {
      const error = await reject({ first: 2, after: bad });
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.issues[0]!.path).toBe('after');
    }
    const other = await reject({
      last: 2,
      before: cursor,
      orderBy: [
        { field: 'name', direction: 'asc' },
        { field: 'employees', direction: 'asc' },
      ],
    });
    expect(other.issues[0]!.path).toBe('before');
  });

  it('caps first and last at 500 and checks their form', async () => {
    const cases: [Partial<ListRequest>, string][] = [
      [{ first: 501 }, 'first'],
      [{ last: 1000 }, 'last'],
      [
        {
          first: 1,
          selection: {
            fields: [],
            relations: [
              { key: 'contacts', field: 'contacts', first: 501, selection: { fields: ['id'], relations: [] } },
            ],
          },
        },
        'selection.contacts.first',
      ],
    ];
    for (const [req, path] of cases) {
      const error = await reject(req);
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(error.issues[0]!.path).toBe(path);
      expect(error.message).toContain('500');
    }
    expect((await reject({ first: -1 })).issues[0]!.path).toBe('first');
    expect((await reject({ first: 2, last: 2 })).issues[0]!.path).toBe('last');
    expect((await listRecords(fx.db, compiler, { entity: 'account', first: 0, selection })).nodes).toEqual([]);
    const nulls = { first: null, last: null, after: null, before: null, orderBy: null, filter: null, search: null };
    const defaults = await listRecords(fx.db, compiler, {
      entity: 'account',
      selection,
      ...nulls,
    } as unknown as ListRequest);
    expect(defaults.nodes).toHaveLength(DEFAULT_FIRST);
    expect(defaults.pageInfo.hasNextPage).toBe(true);
  });

  it('names the sortable fields when an order is wrong', async () => {
    const error = await reject({
      orderBy: [
        { field: 'profile', direction: 'asc' },
        { field: 'name', direction: 'up' as 'asc' },
      ],
    });
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues.map((i) => i.path)).toEqual(['orderBy[0].field', 'orderBy[1].direction']);
    expect((error.issues[0] as { allowed?: string[] }).allowed).toEqual(
      expect.arrayContaining(['name', 'createdAt', 'totalScore', 'industry', 'segments', 'parent']),
    );
    expect((error.issues[0] as { allowed?: string[] }).allowed).not.toContain('profile');
  });
});
