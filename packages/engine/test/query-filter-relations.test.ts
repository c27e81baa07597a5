// Relation filters in both directions, and/or/not, rollup filters, compileFilter reuse and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFilter, type Filter, listRecords, QueryCompiler } from '../src/index.ts';
import {
  type AccountRow,
  type ContactRow,
  connect,
  type Dataset,
  ENTITIES,
  type Fixture,
  live,
  makeDataset,
  seed,
} from './query-fixture.ts';

const SCHEMA = 'ws_relfilter';
const compiler = new QueryCompiler(ENTITIES, SCHEMA);
let fx: Fixture;
let data: Dataset;
let accounts: AccountRow[];
let contacts: ContactRow[];

beforeAll(async () => {
  fx = await connect();
  data = await seed(
    fx.db,
    SCHEMA,
    makeDataset(80, (i) => i % 6),
  );
  accounts = live(data.accounts);
  contacts = live(data.contacts);
});
afterAll(async () => fx?.close());

async function ids(entity: string, filter: Filter): Promise<string[]> {
  const selection = { fields: ['id'], relations: [] };
  const result = await listRecords(fx.db, compiler, { entity, filter, first: 500, selection });
  return result.nodes.map((n) => n['id'] as string).sort();
}
const idsOf = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
async function expectRows<T extends { id: string }>(
  entity: string,
  rows: T[],
  filter: Filter,
  predicate: (r: T) => boolean,
) {
  const expected = idsOf(rows.filter(predicate));
  expect(expected.length, 'the fixture should exercise this filter').toBeGreaterThan(0);
  expect(await ids(entity, filter)).toEqual(expected);
}
const contactsOf = (a: AccountRow) => contacts.filter((c) => c.accountId === a.id);
const liveAccount = (id: string | null) => accounts.find((a) => a.id === id);
const tagNames = (c: ContactRow) =>
  data.contactTags
    .filter(([contactId]) => contactId === c.id)
    .map(([, tagId]) => data.tags.find((t) => t.id === tagId && t.deletedAt === null)?.name)
    .filter((n) => n !== undefined);

async function failure(
  filter: unknown,
): Promise<{ code: string; issues: { path: string; allowed?: readonly string[] }[] }> {
  try {
    await listRecords(fx.db, compiler, {
      entity: 'account',
      filter: filter as Filter,
      selection: { fields: ['id'], relations: [] },
    });
  } catch (error) {
    return error as { code: string; issues: { path: string; allowed?: readonly string[] }[] };
  }
  throw new Error('expected the filter to be rejected');
}

describe('relation filters', () => {
  it('many-to-one: a filter on the live target, and the id', async () => {
    await expectRows(
      'contact',
      contacts,
      { account: { industry: { eq: 'it' } } },
      (c) => liveAccount(c.accountId)?.industry === 'it',
    );
    const deleted = data.accounts.find((a) => a.deletedAt !== null)!;
    expect(await ids('contact', { account: { id: { eq: deleted.id } } })).toEqual([]);
    expect((await ids('contact', { accountId: { eq: deleted.id } })).length).toBeGreaterThan(0);
    await expectRows(
      'account',
      accounts,
      { parent: { name: { startsWith: 'Acme' } } },
      (a) => !!liveAccount(a.parentId)?.name.startsWith('Acme'),
    );
  });

  it('to-many: some, none, every over live related records', async () => {
    await expectRows('account', accounts, { contacts: { some: { score: { gte: 10 } } } }, (a) =>
      contactsOf(a).some((c) => (c.score ?? 0) >= 10),
    );
    await expectRows(
      'account',
      accounts,
      { contacts: { none: { active: { eq: true } } } },
      (a) => !contactsOf(a).some((c) => c.active),
    );
    await expectRows('account', accounts, { contacts: { every: { active: { eq: true } } } }, (a) =>
      contactsOf(a).every((c) => c.active),
    );
    await expectRows('account', accounts, { contacts: { every: { score: { gt: 1 } }, some: {} } }, (a) => {
      const cs = contactsOf(a);
      return cs.length > 0 && cs.every((c) => c.score !== null && c.score > 1);
    });
    await expectRows('account', accounts, { children: { some: { employees: { gt: 100 } } } }, (a) =>
      accounts.some((child) => child.parentId === a.id && (child.employees ?? 0) > 100),
    );
  });

  it('many-to-many in both directions, through more than one level', async () => {
    await expectRows('contact', contacts, { tags: { some: { name: { eq: 'vip' } } } }, (c) =>
      tagNames(c).includes('vip'),
    );
    expect(await ids('contact', { tags: { some: { name: { eq: 'old' } } } })).toEqual([]);
    const tags = live(data.tags);
    await expectRows('tag', tags, { contacts: { some: { account: { industry: { eq: 'retail' } } } } }, (t) =>
      contacts.some((c) => tagNames(c).includes(t.name) && liveAccount(c.accountId)?.industry === 'retail'),
    );
    await expectRows(
      'account',
      accounts,
      { contacts: { some: { tags: { some: { name: { in: ['press', 'lead'] } } } } } },
      (a) => contactsOf(a).some((c) => tagNames(c).some((n) => n === 'press' || n === 'lead')),
    );
  });
});

describe('and / or / not', () => {
  it('combine arbitrarily, with not including NULLs', async () => {
    await expectRows('account', accounts, { not: { active: { eq: true } } }, (a) => a.active !== true);
    await expectRows(
      'account',
      accounts,
      { or: [{ industry: { eq: 'it' } }, { employees: { gt: 100 } }] },
      (a) => a.industry === 'it' || (a.employees ?? 0) > 100,
    );
    await expectRows(
      'account',
      accounts,
      {
        and: [
          { or: [{ industry: { eq: 'it' } }, { industry: { isNull: true } }] },
          { not: { or: [{ employees: { eq: 50 } }, { active: { eq: false } }] } },
        ],
      },
      (a) => (a.industry === 'it' || a.industry === null) && a.employees !== 50 && a.active !== false,
    );
    await expectRows('account', accounts, { contacts: { some: { not: { score: { gte: 5 } } } } }, (a) =>
      contactsOf(a).some((c) => !(c.score !== null && c.score >= 5)),
    );
    expect(await ids('account', { or: [] })).toEqual([]);
    expect(await ids('account', { name: null, and: null, contacts: { some: null } })).toEqual(idsOf(accounts));
    expect(await ids('account', { and: [] })).toEqual(idsOf(accounts));
  });
});

describe('rollup fields in filters', () => {
  it('count, filtered count and sum over live related records', async () => {
    await expectRows('account', accounts, { contactCount: { gte: 3 } }, (a) => contactsOf(a).length >= 3);
    await expectRows(
      'account',
      accounts,
      { activeContactCount: { eq: 0 } },
      (a) => !contactsOf(a).some((c) => c.active),
    );
    const total = (a: AccountRow) =>
      contactsOf(a).reduce<number | null>((sum, c) => (c.score === null ? sum : (sum ?? 0) + c.score), null);
    await expectRows('account', accounts, { totalScore: { gt: 10 } }, (a) => (total(a) ?? 0) > 10);
    await expectRows('account', accounts, { totalScore: { isNull: true } }, (a) => total(a) === null);
  });
});

describe('compileFilter', () => {
  it('compiles into a caller statement, numbering parameters after the caller’s', async () => {
    const filter = { industry: { eq: 'it' }, contacts: { some: { score: { gt: 1 } } } };
    const { sql, params } = compileFilter(compiler, 'account', filter, { alias: 'a', params: ['Acme 0'] });
    expect(params[0]).toBe('Acme 0');
    const rows = await fx.db.query<{ n: number }>(
      `select count(*)::int as n from "${SCHEMA}"."account" a where a.deleted_at is null and a.name <> $1 and ${sql}`,
      params,
    );
    const expected = accounts.filter(
      (a) => a.name !== 'Acme 0' && a.industry === 'it' && contactsOf(a).some((c) => (c.score ?? 0) > 1),
    );
    expect(rows[0]!.n).toBe(expected.length);
    expect(compileFilter(compiler, 'account', undefined).sql).toBe('true');
  });
});

describe('bad filters', () => {
  it('names the path and what is allowed', async () => {
    const error = await failure({
      nme: { eq: 'x' },
      name: { like: 'x' },
      employees: { eq: '5' },
      industry: { eq: 'mining' },
    });
    expect(error.code).toBe('VALIDATION_FAILED');
    const byPath = Object.fromEntries(error.issues.map((i) => [i.path, i]));
    expect(Object.keys(byPath).sort()).toEqual([
      'filter.employees.eq',
      'filter.industry.eq',
      'filter.name.like',
      'filter.nme',
    ]);
    expect(byPath['filter.nme']!.allowed).toEqual(expect.arrayContaining(['name', 'contacts', 'parentId', 'and']));
    expect(byPath['filter.name.like']!.allowed).toContain('contains');
    expect(byPath['filter.industry.eq']!.allowed).toEqual(['it', 'finance', 'retail']);
  });

  it('reports nested paths', async () => {
    const paths = async (filter: unknown) => (await failure(filter)).issues.map((i) => i.path);
    expect(await paths({ contacts: { some: { email: { contains: 5 } } } })).toEqual([
      'filter.contacts.some.email.contains',
    ]);
    expect(await paths({ contacts: { any: {} } })).toEqual(['filter.contacts.any']);
    expect(await paths({ or: [{ name: { eq: 'a' } }, { profile: { eq: {} } }] })).toEqual(['filter.or[1].profile.eq']);
    expect(await paths({ and: { name: { eq: 'a' } } })).toEqual(['filter.and']);
    expect(
      await paths({ foundedOn: { relative: 'someday' }, lastContactAt: { inLast: { amount: 0, unit: 'hour' } } }),
    ).toEqual(['filter.foundedOn.relative', 'filter.lastContactAt.inLast']);
    expect(await paths({ segments: { containsAny: ['smb', 'huge'] } })).toEqual(['filter.segments.containsAny[1]']);
    expect(await paths({ employees: { between: [1] } })).toEqual(['filter.employees.between']);
    expect(await paths({ id: { eq: 'not-a-uuid' } })).toEqual(['filter.id.eq']);
  });

  it('caps nesting depth and list sizes', async () => {
    let ten: Filter = { name: { eq: 'x' } };
    for (let i = 1; i < 10; i++) ten = { not: ten };
    expect(await ids('account', ten)).toBeInstanceOf(Array);
    const deep = await failure({ not: ten });
    expect(deep.code).toBe('LIMIT_EXCEEDED');
    const long = await failure({ employees: { in: Array.from({ length: 1001 }, (_, i) => i) } });
    expect(long.code).toBe('LIMIT_EXCEEDED');
    expect(long.issues[0]!.path).toBe('filter.employees.in');
  });
});
