// Selections: value formats, nested relations with aliases in every direction, soft-deleted rows, reads by
// id, rollups, and the statement count that must not grow with the number of records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countStatements,
  getRecord,
  getRecordsByIds,
  listJson,
  listRecords,
  QueryCompiler,
  type Selection,
} from '../src/index.ts';
import {
  type AccountRow,
  type ContactRow,
  connect,
  createTables,
  type Dataset,
  ENTITIES,
  type Fixture,
  insertDataset,
  live,
  makeDataset,
  rejectionOf,
  seed,
} from './query-fixture.ts';

const SCHEMA = 'ws_select';
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
    makeDataset(40, (i) => i % 7),
  );
  accounts = live(data.accounts);
  contacts = live(data.contacts);
});
afterAll(async () => fx?.close());

const fields = (...names: string[]): Selection => ({ fields: names, relations: [] });
const ms = (iso: string | null) => (iso === null ? null : new Date(iso).toISOString());
const contactsOf = (id: string) => contacts.filter((c) => c.accountId === id);
const liveTagsOf = (c: ContactRow) =>
  data.contactTags
    .filter(([contactId]) => contactId === c.id)
    .map(([, tagId]) => data.tags.find((t) => t.id === tagId && t.deletedAt === null))
    .filter((t) => t !== undefined);

describe('values', () => {
  const all = fields(
    'id',
    'name',
    'industry',
    'segments',
    'revenue',
    'employees',
    'probability',
    'active',
    'foundedOn',
    'lastContactAt',
    'website',
    'notes',
    'profile',
    'parentId',
    'createdAt',
    'updatedAt',
    'createdBy',
    'updatedBy',
    'version',
    'deletedAt',
  );
  const expected = (a: AccountRow) => ({
    id: a.id,
    name: a.name,
    industry: a.industry,
    segments: a.segments,
    revenue: a.revenueAmount === null ? null : { amount: a.revenueAmount, currency: a.revenueCurrency },
    employees: a.employees,
    probability: a.probability,
    active: a.active,
    foundedOn: a.foundedOn,
    lastContactAt: ms(a.lastContactAt),
    website: a.website,
    notes: a.notes,
    profile: a.profile,
    parentId: a.parentId,
    createdAt: ms(a.createdAt),
    updatedAt: ms(a.createdAt),
    createdBy: null,
    updatedBy: null,
    version: 1,
    deletedAt: null,
  });

  it('renders every field type in its API form, whatever the session time zone', async () => {
    for (const account of accounts.slice(0, 12)) {
      expect(await getRecord(fx.db, compiler, 'account', account.id, all)).toEqual(expected(account));
    }
    const account = accounts.find((a) => a.lastContactAt !== null && a.foundedOn !== null)!;
    const inShanghai = await fx.db.transaction(async (tx) => {
      await tx.query("set local timezone = 'Asia/Shanghai'");
      return getRecord(tx, compiler, 'account', account.id, all);
    });
    expect(inShanghai).toEqual(expected(account));
  });

  it('hides soft-deleted records unless asked', async () => {
    const deleted = data.accounts.find((a) => a.deletedAt !== null)!;
    expect(await getRecord(fx.db, compiler, 'account', deleted.id, fields('id'))).toBeNull();
    expect(
      await getRecord(fx.db, compiler, 'account', deleted.id, fields('deletedAt'), { includeDeleted: true }),
    ).toEqual({
      deletedAt: '2024-06-01T00:00:00.000Z',
    });
    const listed = await listRecords(fx.db, compiler, { entity: 'account', first: 500, selection: fields('id') });
    expect(listed.nodes.map((n) => n['id']).sort()).toEqual(accounts.map((a) => a.id).sort());
    const all = await listRecords(fx.db, compiler, {
      entity: 'account',
      first: 500,
      includeDeleted: true,
      selection: fields('id'),
    });
    expect(all.nodes).toHaveLength(data.accounts.length);
  });

  it('reads many records by id in input order, null where none answers', async () => {
    const deleted = data.accounts.find((a) => a.deletedAt !== null)!;
    const [a, b] = accounts;
    const missing = '00000000-0000-4000-8000-000000000000';
    const { result, statements } = await countStatements(() =>
      getRecordsByIds(fx.db, compiler, 'account', [b!.id, missing, a!.id, deleted.id, b!.id], fields('name')),
    );
    expect(result).toEqual([{ name: b!.name }, null, { name: a!.name }, null, { name: b!.name }]);
    expect(statements).toBe(1);
    await expect(getRecordsByIds(fx.db, compiler, 'account', ['nope'], fields('id'))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'ids[0]' }],
    });
  });
});

describe('nested selections', () => {
  it('follows relations in every direction, with aliases, filters, order and pages', async () => {
    const selection: Selection = {
      fields: ['id', 'contactCount', 'activeContactCount', 'totalScore'],
      relations: [
        {
          key: 'topScorers',
          field: 'contacts',
          orderBy: [{ field: 'score', direction: 'desc' }],
          first: 2,
          selection: { fields: ['id'], relations: [{ key: 'employer', field: 'account', selection: fields('id') }] },
        },
        {
          key: 'activeOnes',
          field: 'contacts',
          filter: { active: { eq: true } },
          offset: 1,
          selection: {
            fields: ['id', 'accountId'],
            relations: [
              {
                key: 'tags',
                field: 'tags',
                orderBy: [{ field: 'name', direction: 'asc' }],
                selection: {
                  fields: ['name'],
                  relations: [{ key: 'people', field: 'contacts', first: 1, selection: fields('id') }],
                },
              },
            ],
          },
        },
        {
          key: 'parent',
          field: 'parent',
          selection: { fields: ['id'], relations: [{ key: 'kids', field: 'children', selection: fields('id') }] },
        },
      ],
    };
    const result = await listRecords(fx.db, compiler, { entity: 'account', first: 500, selection });
    expect(result.nodes).toHaveLength(accounts.length);
    const byLastName = (x: ContactRow, y: ContactRow) =>
      x.lastName < y.lastName ? -1 : x.lastName > y.lastName ? 1 : x.id < y.id ? -1 : 1;
    const byScoreDesc = (x: ContactRow, y: ContactRow) =>
      x.score === y.score ? (x.id < y.id ? 1 : -1) : x.score === null ? -1 : y.score === null ? 1 : y.score - x.score;
    const firstContact = (tagId: string) =>
      contacts.filter((c) => data.contactTags.some(([cid, tid]) => cid === c.id && tid === tagId)).sort(byLastName)[0]!;
    for (const node of result.nodes) {
      const account = accounts.find((a) => a.id === node['id'])!;
      const own = contactsOf(account.id);
      const parent = accounts.find((a) => a.id === account.parentId);
      const scores = own.filter((c) => c.score !== null).map((c) => c.score!);
      expect(node).toEqual({
        id: account.id,
        contactCount: String(own.length),
        activeContactCount: String(own.filter((c) => c.active).length),
        totalScore: scores.length === 0 ? null : String(scores.reduce((s, n) => s + n, 0)),
        topScorers: own
          .sort(byScoreDesc)
          .slice(0, 2)
          .map((c) => ({ id: c.id, employer: { id: account.id } })),
        activeOnes: own
          .filter((c) => c.active)
          .sort(byLastName)
          .slice(1)
          .map((c) => ({
            id: c.id,
            accountId: account.id,
            tags: liveTagsOf(c)
              .sort((x, y) => (x.name < y.name ? -1 : 1))
              .map((t) => ({ name: t.name, people: [{ id: firstContact(t.id).id }] })),
          })),
        parent: parent
          ? { id: parent.id, kids: accounts.filter((a) => a.parentId === parent.id).map((a) => ({ id: a.id })) }
          : null,
        __cursor: expect.any(String),
      });
    }
  });

  it('shows a soft-deleted many-to-one target as null and leaves deleted related records out', async () => {
    const orphan = accounts.find((a) => data.accounts.some((p) => p.id === a.parentId && p.deletedAt !== null))!;
    const node = await getRecord(fx.db, compiler, 'account', orphan.id, {
      fields: ['parentId'],
      relations: [{ key: 'parent', field: 'parent', selection: fields('id') }],
    });
    expect(node).toEqual({ parentId: orphan.parentId, parent: null });
    const tagged = await listRecords(fx.db, compiler, {
      entity: 'tag',
      first: 10,
      includeDeleted: true,
      selection: {
        fields: ['name'],
        relations: [{ key: 'contacts', field: 'contacts', first: 500, selection: fields('id') }],
      },
    });
    const old = tagged.nodes.find((n) => n['name'] === 'old')!;
    const oldTag = data.tags.find((t) => t.name === 'old')!;
    const expectedIds = contacts.filter((c) =>
      data.contactTags.some(([cid, tid]) => cid === c.id && tid === oldTag.id),
    );
    expect(expectedIds.length).toBeGreaterThan(0);
    expect((old['contacts'] as { id: string }[]).map((c) => c.id).sort()).toEqual(expectedIds.map((c) => c.id).sort());
    const withTags = await listRecords(fx.db, compiler, {
      entity: 'contact',
      first: 500,
      selection: { fields: [], relations: [{ key: 'tags', field: 'tags', selection: fields('name') }] },
    });
    expect(withTags.nodes.flatMap((n) => (n['tags'] as { name: string }[]).map((t) => t.name))).not.toContain('old');
  });

  it('sorts by a rollup', async () => {
    const result = await listRecords(fx.db, compiler, {
      entity: 'account',
      orderBy: [{ field: 'contactCount', direction: 'desc' }],
      first: 500,
      selection: fields('contactCount'),
    });
    const counts = result.nodes.map((n) => Number(n['contactCount']));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(counts[0]).toBe(Math.max(...accounts.map((a) => contactsOf(a.id).length)));
  });

  it('builds objects wider than json_build_object’s 100 arguments', async () => {
    const relations = Array.from({ length: 60 }, (_, i) => ({
      key: `c${i}`,
      field: 'contacts',
      first: 1,
      selection: fields('id'),
    }));
    const node = await getRecord(fx.db, compiler, 'account', accounts[6]!.id, { fields: ['id', 'name'], relations });
    expect(Object.keys(node!)).toHaveLength(62);
    expect(node!['c59']).toEqual(node!['c0']);
  });
});

describe('nodes as JSON text', () => {
  it('returns exactly the page, keys in the order asked at every level, the same records as listRecords', async () => {
    const request = {
      entity: 'account',
      first: 5,
      orderBy: [{ field: 'name' as const, direction: 'desc' as const }],
      selection: {
        fields: ['name', 'id'],
        keys: ['name', 'people', 'id'],
        relations: [
          {
            key: 'people',
            field: 'contacts',
            first: 2,
            selection: { fields: ['lastName', 'id'], keys: ['id', 'lastName'], relations: [] },
          },
        ],
      },
    };
    const text = await listJson(fx.db, compiler, request);
    expect(typeof text).toBe('string');
    const nodes = JSON.parse(text) as Record<string, unknown>[];
    const rows = await listRecords(fx.db, compiler, request);
    expect(nodes).toHaveLength(5);
    expect(nodes.map((n) => n['id'])).toEqual(rows.nodes.map((n) => n['id']));
    expect(Object.keys(nodes[0]!)).toEqual(['name', 'people', 'id']);
    const people = nodes.flatMap((n) => n['people'] as Record<string, unknown>[]);
    expect(people.length).toBeGreaterThan(0);
    for (const person of people) expect(Object.keys(person)).toEqual(['id', 'lastName']);
  });

  it('refuses keys that are not exactly the selected ones, and a total count', async () => {
    const selection = { fields: ['id', 'name'], keys: ['id', 'nope'], relations: [] };
    const error = await rejectionOf(listJson(fx.db, compiler, { entity: 'account', selection }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues.map((i) => i.path)).toEqual(['selection.keys']);
    await expect(
      listJson(fx.db, compiler, { entity: 'account', selection: fields('id'), withTotalCount: true }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'withTotalCount' }] });
  });
});

describe('bad selections', () => {
  it('names the path and the allowed names', async () => {
    const error = await rejectionOf(
      listRecords(fx.db, compiler, {
        entity: 'account',
        selection: {
          fields: ['name', 'nope', 'contacts'],
          relations: [
            { key: 'parent', field: 'parent', first: 3, selection: fields('id') },
            { key: 'x', field: 'friends', selection: fields('id') },
            { key: 'bad key', field: 'contacts', selection: fields('id') },
            { key: 'name', field: 'contacts', selection: fields('id') },
            { key: 'deep', field: 'contacts', selection: fields('shoeSize') },
          ],
        },
      }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues.map((i) => i.path)).toEqual([
      'selection.fields[1]',
      'selection.fields[2]',
      'selection.parent.first',
      'selection.relations[1].field',
      'selection.relations[2].key',
      'selection.relations[3].key',
      'selection.deep.selection.fields[0]',
    ]);
    expect(error.issues[0]!.allowed).toEqual(expect.arrayContaining(['name', 'revenue', 'parentId', 'contactCount']));
    expect(error.issues[3]!.allowed).toEqual(expect.arrayContaining(['parent', 'children', 'contacts']));
    await expect(listRecords(fx.db, compiler, { entity: 'lead', selection: fields('id') })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'entity', allowed: ['account', 'contact', 'tag'] }],
    });
  });
});

describe('statement count', () => {
  it('is the same for 10 and 500 accounts with their first 5 contacts each', async () => {
    const schema = 'ws_count';
    const full = makeDataset(500, () => 7, 11);
    const slice = (from: number, to: number): Dataset => {
      const accountIds = new Set(full.accounts.slice(from, to).map((a) => a.id));
      const sliceContacts = full.contacts.filter((c) => accountIds.has(c.accountId!));
      const contactIds = new Set(sliceContacts.map((c) => c.id));
      return {
        accounts: full.accounts.slice(from, to).map((a) => ({ ...a, deletedAt: null, parentId: null })),
        contacts: sliceContacts.map((c) => ({ ...c, deletedAt: null })),
        tags: from === 0 ? full.tags : [],
        contactTags: full.contactTags.filter(([cid]) => contactIds.has(cid)),
      };
    };
    const countCompiler = new QueryCompiler(ENTITIES, schema);
    const read = () =>
      countStatements(() =>
        listRecords(fx.db, countCompiler, {
          entity: 'account',
          first: 500,
          selection: {
            fields: ['id', 'name', 'revenue', 'contactCount'],
            relations: [
              {
                key: 'contacts',
                field: 'contacts',
                first: 5,
                selection: {
                  fields: ['id', 'email'],
                  relations: [{ key: 'tags', field: 'tags', selection: fields('name') }],
                },
              },
            ],
          },
        }),
      );
    await createTables(fx.db, schema);
    await insertDataset(fx.db, schema, slice(0, 10));
    const small = await read();
    await insertDataset(fx.db, schema, slice(10, 500));
    const large = await read();
    expect(small.result.nodes).toHaveLength(10);
    expect(large.result.nodes).toHaveLength(500);
    expect(large.result.nodes.every((n) => (n['contacts'] as unknown[]).length === 5)).toBe(true);
    expect(small.statements).toBe(1);
    expect(large.statements).toBe(small.statements);
    const counted = await countStatements(() =>
      listRecords(fx.db, countCompiler, {
        entity: 'account',
        first: 500,
        withTotalCount: true,
        selection: fields('id'),
      }),
    );
    expect(counted.statements).toBe(2);
    expect(counted.result.totalCount).toBe(500);
  });
});
