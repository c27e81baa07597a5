// A small CRM for the query compiler's tests: metadata, tables made with plain DDL that follows physical.ts
// (the migration planner is tested on its own), and deterministic data kept in memory to compare against.
import { randomUUID } from 'node:crypto';
import type { EntityDefinition, FieldDefinition, TouchpointError } from '@touchpoint/schema';
import { isTouchpointError } from '@touchpoint/schema';
import { createTestDatabase, Database, physical, planMigration, type Sql, type TestDatabase } from '../src/index.ts';

const labels = (en: string) => ({ en, 'zh-CN': en });
const options = (...values: string[]) => values.map((value) => ({ value, labels: labels(value) }));
const field = (name: string, type: FieldDefinition['type'], extra: Partial<FieldDefinition> = {}): FieldDefinition => ({
  name,
  type,
  labels: labels(name),
  ...extra,
});

export const ENTITIES: EntityDefinition[] = [
  {
    name: 'account',
    labels: labels('Account'),
    titleField: 'name',
    fields: [
      field('name', 'text', { required: true }),
      field('industry', 'select', { options: options('it', 'finance', 'retail') }),
      field('segments', 'multiSelect', { options: options('smb', 'enterprise', 'public') }),
      field('revenue', 'currency', { scale: 2, currencyCode: 'USD' }),
      field('employees', 'integer'),
      field('probability', 'percent', { scale: 2 }),
      field('active', 'boolean'),
      field('foundedOn', 'date'),
      field('lastContactAt', 'datetime'),
      field('website', 'url'),
      field('notes', 'longText'),
      field('profile', 'json'),
      field('parent', 'relation', { relation: { target: 'account', kind: 'manyToOne', inverse: 'children' } }),
      field('contactCount', 'rollup', { rollup: { relation: 'contacts', fn: 'count' } }),
      field('activeContactCount', 'rollup', {
        rollup: { relation: 'contacts', fn: 'count', filter: { active: { eq: true } } },
      }),
      field('totalScore', 'rollup', { rollup: { relation: 'contacts', fn: 'sum', field: 'score' } }),
      field('doubleEmployees', 'formula', { formula: { expression: 'employees * 2', resultType: 'number' } }),
    ],
  },
  {
    name: 'contact',
    labels: labels('Contact'),
    titleField: 'lastName',
    defaultSort: [{ field: 'lastName', direction: 'asc' }],
    fields: [
      field('firstName', 'text'),
      field('lastName', 'text'),
      field('email', 'email'),
      field('account', 'relation', { relation: { target: 'account', kind: 'manyToOne', inverse: 'contacts' } }),
      field('score', 'integer'),
      field('active', 'boolean'),
      field('birthday', 'date'),
      field('tags', 'relation', { relation: { target: 'tag', kind: 'manyToMany', inverse: 'contacts' } }),
    ],
  },
  {
    name: 'tag',
    labels: labels('Tag'),
    titleField: 'name',
    fields: [field('name', 'text'), field('color', 'select', { options: options('red', 'blue', 'green') })],
  },
];

/** Creates the workspace schema and its tables with the real migration planner, so the DDL is the product's. */
export async function createTables(sql: Sql, schema: string, entities: EntityDefinition[] = ENTITIES): Promise<void> {
  await sql.query(`create schema ${physical.ident(schema)}`);
  const plan = await planMigration({ from: [], to: entities, schema, version: 1, archives: [] });
  for (const step of plan.steps)
    for (const statement of step.sql) await sql.query(statement.text, statement.params ?? []);
}

/** Multi-row INSERT of rows keyed by column name, chunked below PostgreSQL's parameter limit. */
export async function insertRows(sql: Sql, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const perChunk = Math.floor(60_000 / columns.length);
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const params: unknown[] = [];
    const values = chunk.map(
      (row) => `(${columns.map((c) => `$${params.push(row[c] === undefined ? null : row[c])}`).join(', ')})`,
    );
    await sql.query(
      `insert into ${table} (${columns.map(physical.ident).join(', ')}) values ${values.join(', ')}`,
      params,
    );
  }
}

/** A seeded generator, so every run sees the same data and a failure can be replayed. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface AccountRow {
  id: string;
  name: string;
  industry: string | null;
  segments: string[] | null;
  revenueAmount: string | null;
  revenueCurrency: string | null;
  employees: number | null;
  probability: string | null;
  active: boolean | null;
  foundedOn: string | null;
  lastContactAt: string | null;
  website: string | null;
  notes: string | null;
  profile: unknown;
  parentId: string | null;
  createdAt: string;
  deletedAt: string | null;
}

export interface ContactRow {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  accountId: string | null;
  score: number | null;
  active: boolean;
  birthday: string | null;
  createdAt: string;
  deletedAt: string | null;
}

export interface TagRow {
  id: string;
  name: string;
  color: string;
  deletedAt: string | null;
}

export interface Dataset {
  accounts: AccountRow[];
  contacts: ContactRow[];
  tags: TagRow[];
  /** [contactId, tagId] */
  contactTags: [string, string][];
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

/**
 * Accounts with duplicate and NULL values in every sortable column, a few soft-deleted; each account gets
 * `contactsPer(i)` contacts; contacts carry tags. Timestamps repeat on purpose, with microseconds.
 */
export function makeDataset(
  count: number,
  contactsPer: (i: number) => number,
  seed = 7,
  /** The present the dates are placed around (a test that filters by relative dates passes its clock's). */
  now = Date.now(),
): Dataset {
  const rnd = random(seed);
  const accounts: AccountRow[] = [];
  const names = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'];
  for (let i = 0; i < count; i++) {
    const special = i === 1 ? '100% Pure_Data' : i === 2 ? 'Back\\slash Co' : undefined;
    const revenue = rnd() < 0.2 ? null : (Math.floor(rnd() * 10_000_000) / 100).toFixed(2);
    accounts.push({
      id: randomUUID(),
      name: special ?? `${names[i % names.length]} ${Math.floor(i / 5) % 4}`,
      industry: pick(rnd, ['it', 'finance', 'retail', null]),
      segments: pick(rnd, [null, [], ['smb'], ['enterprise'], ['smb', 'public'], ['enterprise', 'public']]),
      revenueAmount: revenue,
      revenueCurrency: revenue === null ? null : pick(rnd, ['USD', 'EUR']),
      employees: pick(rnd, [null, 10, 50, 50, 200, 1000]),
      probability: pick(rnd, [null, '12.50', '50.00', '99.99']),
      active: pick(rnd, [true, false, null]),
      foundedOn: pick(rnd, [null, isoDay(now), isoDay(now - DAY), isoDay(now - 20 * DAY), '2001-02-03']),
      lastContactAt: pick(rnd, [
        null,
        new Date(now - 2 * DAY).toISOString(),
        new Date(now - 40 * DAY).toISOString(),
        new Date(now + 3 * DAY).toISOString(),
      ]),
      website: rnd() < 0.5 ? `https://example${i}.com` : null,
      notes: rnd() < 0.5 ? `Note ${i}` : null,
      profile: rnd() < 0.5 ? { tier: i % 3 } : null,
      parentId: i > 3 && i % 4 === 0 ? accounts[i - 4]!.id : null,
      createdAt: `2024-05-01T10:00:${String(i % 17).padStart(2, '0')}.123456Z`,
      // Account 8 is the deleted parent of account 12.
      deletedAt: i % 13 === 5 || i === 8 ? '2024-06-01T00:00:00.000Z' : null,
    });
  }
  const tags: TagRow[] = ['vip', 'partner', 'press', 'lead', 'old'].map((name) => ({
    id: randomUUID(),
    name,
    color: pick(rnd, ['red', 'blue', 'green']),
    deletedAt: name === 'old' ? '2024-06-01T00:00:00.000Z' : null,
  }));
  const contacts: ContactRow[] = [];
  const contactTags: [string, string][] = [];
  const lastNames = ['Smith', 'Jones', 'Brown', 'Lee'];
  accounts.forEach((account, i) => {
    for (let j = 0; j < contactsPer(i); j++) {
      const n = contacts.length;
      const contact: ContactRow = {
        id: randomUUID(),
        firstName: pick(rnd, ['Ann', 'Bob', 'Cid', 'Dee']),
        lastName: pick(rnd, lastNames),
        email: `c${n}@example.com`,
        accountId: account.id,
        score: pick(rnd, [null, 1, 5, 10]),
        active: rnd() < 0.6,
        birthday: pick(rnd, [null, '1990-01-01', '1985-06-15']),
        createdAt: `2024-05-02T10:00:${String(n % 23).padStart(2, '0')}.000001Z`,
        deletedAt: n % 11 === 3 ? '2024-06-01T00:00:00.000Z' : null,
      };
      contacts.push(contact);
      for (const tag of tags) if (rnd() < 0.3) contactTags.push([contact.id, tag.id]);
    }
  });
  return { accounts, contacts, tags, contactTags };
}

export async function insertDataset(sql: Sql, schema: string, data: Dataset): Promise<void> {
  const [account, contact, tag] = ENTITIES as [EntityDefinition, EntityDefinition, EntityDefinition];
  const table = (e: EntityDefinition) => physical.qualifiedTable(schema, e);
  await insertRows(
    sql,
    table(account),
    data.accounts.map((a) => ({
      id: a.id,
      name: a.name,
      industry: a.industry,
      segments: a.segments,
      revenue_amount: a.revenueAmount,
      revenue_currency: a.revenueCurrency,
      employees: a.employees,
      probability: a.probability,
      active: a.active,
      founded_on: a.foundedOn,
      last_contact_at: a.lastContactAt,
      website: a.website,
      notes: a.notes,
      profile: a.profile === null ? null : JSON.stringify(a.profile),
      parent_id: a.parentId,
      created_at: a.createdAt,
      updated_at: a.createdAt,
      deleted_at: a.deletedAt,
    })),
  );
  await insertRows(
    sql,
    table(contact),
    data.contacts.map((c) => ({
      id: c.id,
      first_name: c.firstName,
      last_name: c.lastName,
      email: c.email,
      account_id: c.accountId,
      score: c.score,
      active: c.active,
      birthday: c.birthday,
      created_at: c.createdAt,
      deleted_at: c.deletedAt,
    })),
  );
  await insertRows(
    sql,
    table(tag),
    data.tags.map((t) => ({ id: t.id, name: t.name, color: t.color, deleted_at: t.deletedAt })),
  );
  const tagsField = contact.fields.find((f) => f.name === 'tags')!;
  await insertRows(
    sql,
    `${physical.ident(schema)}.${physical.ident(physical.joinTableName(contact, tagsField))}`,
    data.contactTags.map(([source_id, target_id]) => ({ source_id, target_id })),
  );
}

export interface Fixture {
  db: Database;
  testDb: TestDatabase;
  close(): Promise<void>;
}

export async function connect(): Promise<Fixture> {
  const testDb = await createTestDatabase('tp_query');
  const db = await Database.connect({ url: testDb.url, dataDir: testDb.dataDir, entities: [] });
  return {
    db,
    testDb,
    async close() {
      await db.close();
      await testDb.drop();
    },
  };
}

/** Creates `schema` with the fixture's tables and data; returns the data as inserted. */
export async function seed(db: Database, schema: string, data: Dataset): Promise<Dataset> {
  await createTables(db, schema);
  await insertDataset(db, schema, data);
  return data;
}

export const live = <T extends { deletedAt: string | null }>(rows: T[]): T[] =>
  rows.filter((r) => r.deletedAt === null);

/** The TouchpointError a call rejects with; fails the test when it resolves or throws anything else. */
export async function rejectionOf(promise: Promise<unknown>): Promise<TouchpointError> {
  try {
    await promise;
  } catch (error) {
    if (isTouchpointError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to be rejected');
}
