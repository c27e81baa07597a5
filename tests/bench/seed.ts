// The benchmark's data set: `account` and `contact` tables shaped like the record tables Touchpoint makes
// (uuid ids, system columns, soft delete, an index on the relation column), filled with deterministic
// data from a seeded PRNG so every run and every machine measures the same rows.
import type { Sql } from '@touchpoint/engine';

export const INDUSTRIES = [
  'technology',
  'finance',
  'healthcare',
  'retail',
  'manufacturing',
  'education',
  'energy',
  'media',
  'logistics',
  'government',
] as const;

const FIRST_NAMES = ['Ada', 'Li', 'Grace', 'Wei', 'Alan', 'Mei', 'Linus', 'Fang', 'Barbara', 'Jun', 'Ken', 'Yan'];
const LAST_NAMES = ['Lovelace', 'Zhang', 'Hopper', 'Wang', 'Turing', 'Chen', 'Torvalds', 'Liu', 'Liskov', 'Zhao'];
const NAME_PARTS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Tyrell', 'Hooli', 'Vandelay'];
const NAME_SUFFIXES = ['Ltd', 'GmbH', 'Inc', 'Group', 'Holdings', 'Labs', 'Partners', 'Co'];

/** mulberry32: tiny, fast and good enough to make reproducible test data (not for anything secret). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A version-4-shaped uuid from the PRNG, so ids are reproducible too. */
function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const DDL = `
  create table account (
    id uuid primary key,
    name text not null,
    industry text,
    annual_revenue numeric(18, 2),
    employees integer,
    website text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    deleted_at timestamptz
  );
  create table contact (
    id uuid primary key,
    account_id uuid references account (id),
    first_name text not null,
    last_name text not null,
    email text,
    phone text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version integer not null default 1,
    deleted_at timestamptz
  );
  create index contact_account_id_idx on contact (account_id);
  create index account_industry_idx on account (industry);
`;

/** Multi-row INSERTs of `batch` rows each: 50-80k rows/s here, and no extra dependency for COPY. */
async function insertRows(sql: Sql, table: string, columns: string[], rows: unknown[][], batch = 1000): Promise<void> {
  for (let start = 0; start < rows.length; start += batch) {
    const chunk = rows.slice(start, start + batch);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const placeholders = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await sql.query(`insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`, params);
  }
}

export interface Dataset {
  accountIds: string[];
  contacts: number;
}

/** Creates and fills the tables; `contacts` defaults to five per account, spread at random over them. */
export async function seed(
  sql: Sql,
  options: { accounts: number; contacts?: number; seed?: number },
): Promise<Dataset> {
  const random = prng(options.seed ?? 20240601);
  const contactCount = options.contacts ?? options.accounts * 5;
  const epoch = Date.UTC(2024, 0, 1);
  const day = 86_400_000;
  await sql.query(DDL);

  const accountIds: string[] = [];
  const accounts: unknown[][] = [];
  for (let i = 0; i < options.accounts; i++) {
    const id = uuid(random);
    accountIds.push(id);
    const name = `${pick(random, NAME_PARTS)} ${pick(random, NAME_PARTS)} ${pick(random, NAME_SUFFIXES)} ${i + 1}`;
    const created = new Date(epoch + Math.floor(random() * 365 * day));
    accounts.push([
      id,
      name,
      random() < 0.05 ? null : pick(random, INDUSTRIES),
      (Math.floor(random() * 100_000_000) / 100).toFixed(2),
      Math.floor(random() * 5000) + 1,
      `https://${name.split(' ')[0]!.toLowerCase()}-${i + 1}.example`,
      created,
      created,
    ]);
  }
  const accountColumns = [
    'id',
    'name',
    'industry',
    'annual_revenue',
    'employees',
    'website',
    'created_at',
    'updated_at',
  ];
  await insertRows(sql, 'account', accountColumns, accounts);

  const contacts: unknown[][] = [];
  for (let i = 0; i < contactCount; i++) {
    const first = pick(random, FIRST_NAMES);
    const last = pick(random, LAST_NAMES);
    const created = new Date(epoch + Math.floor(random() * 365 * day));
    contacts.push([
      uuid(random),
      pick(random, accountIds),
      first,
      last,
      `${first}.${last}.${i + 1}@example.com`.toLowerCase(),
      `+1-555-${String(i % 10_000).padStart(4, '0')}`,
      created,
      created,
    ]);
  }
  const contactColumns = ['id', 'account_id', 'first_name', 'last_name', 'email', 'phone', 'created_at', 'updated_at'];
  await insertRows(sql, 'contact', contactColumns, contacts);
  await sql.query('analyze account');
  await sql.query('analyze contact');
  return { accountIds, contacts: contactCount };
}
