// The benchmark's data set, written through Touchpoint into the core `account` and `contact` tables of the
// default workspace. Values come from a seeded PRNG, and select values from the metadata's own options, so
// every run and every machine measures the same data. Two ways in: the record service (validation, hooks,
// events — what an import does) or, for large sets, multi-row INSERTs into the same tables, named by
// `physical` so they cannot drift from what the migration planner created.
import { DEFAULT_WORKSPACE, type Engine, MAX_BATCH, physical, type Sql } from '@touchpoint/engine';
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';

export type SeedVia = 'records' | 'sql';

/**
 * Above this many accounts `auto` seeds with INSERTs: on the bench machine the record service writes about
 * 12k rows/s (validation, unique and reference checks, events), plain INSERTs about 20k rows/s.
 */
export const RECORDS_SEED_LIMIT = 10_000;

const FIRST_NAMES = ['Ada', 'Li', 'Grace', 'Wei', 'Alan', 'Mei', 'Linus', 'Fang', 'Barbara', 'Jun', 'Ken', 'Yan'];
const LAST_NAMES = ['Lovelace', 'Zhang', 'Hopper', 'Wang', 'Turing', 'Chen', 'Torvalds', 'Liu', 'Liskov', 'Zhao'];
const TITLES = ['CEO', 'CTO', 'Buyer', 'Engineer', 'Account manager', 'Analyst', null];
const NAME_PARTS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Tyrell', 'Hooli', 'Vandelay'];
const NAME_SUFFIXES = ['Ltd', 'GmbH', 'Inc', 'Group', 'Holdings', 'Labs', 'Partners', 'Co'];
const BATCH = 1000;

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

/** A version-4-shaped uuid from the PRNG, so ids written with INSERTs are reproducible too. */
function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function entityOf(entities: Map<string, EntityDefinition>, name: string): EntityDefinition {
  const entity = entities.get(name);
  if (!entity)
    throw new Error(`the bench needs the core entity "${name}"; schemas/entities has ${[...entities.keys()]}`);
  return entity;
}

/** The option values of a select field, read from the metadata so the data always fits the schema. */
export function optionValues(entity: EntityDefinition, fieldName: string): string[] {
  const field = entity.fields.find((f) => f.name === fieldName);
  const values = field?.options?.map((o) => o.value) ?? [];
  if (field?.type !== 'select' || values.length === 0) {
    throw new Error(`${entity.name}.${fieldName} must be a select field with options for the bench`);
  }
  return values;
}

type Input = Record<string, unknown>;

function accountInputs(account: EntityDefinition, count: number, random: () => number): Input[] {
  const industries = optionValues(account, 'industry');
  const types = optionValues(account, 'type');
  const stages = optionValues(account, 'lifecycleStage');
  return Array.from({ length: count }, (_, i) => {
    const name = `${pick(random, NAME_PARTS)} ${pick(random, NAME_PARTS)} ${pick(random, NAME_SUFFIXES)} ${i + 1}`;
    const slug = name.split(' ')[0]!.toLowerCase();
    return {
      name,
      type: pick(random, types),
      // A few accounts without an industry, so the aggregate has a null group like real data does.
      industry: random() < 0.05 ? null : pick(random, industries),
      lifecycleStage: pick(random, stages),
      annualRevenue: { amount: (Math.floor(random() * 100_000_000) / 100).toFixed(2), currency: 'CNY' },
      employees: Math.floor(random() * 5000) + 1,
      phone: `+86 10 ${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
      email: `info@${slug}-${i + 1}.example`,
      website: `https://${slug}-${i + 1}.example`,
    };
  });
}

function contactInputs(count: number, accountIds: readonly string[], random: () => number): Input[] {
  return Array.from({ length: count }, (_, i) => {
    const firstName = pick(random, FIRST_NAMES);
    const lastName = pick(random, LAST_NAMES);
    return {
      firstName,
      lastName,
      account: pick(random, accountIds),
      title: pick(random, TITLES),
      // contact.email is unique: the running number keeps it so.
      email: `${firstName}.${lastName}.${i + 1}@example.com`.toLowerCase(),
      phone: `+1-555-${String(i % 10_000).padStart(4, '0')}`,
      doNotCall: random() < 0.1,
    };
  });
}

/** Record-service input → column values, the way the record service stores them (see `fieldColumns`). */
function columnValues(entity: EntityDefinition, input: Input): Map<string, unknown> {
  const columns = new Map<string, unknown>();
  for (const [name, value] of Object.entries(input)) {
    const field = entity.fields.find((f) => f.name === name) as FieldDefinition;
    for (const column of physical.fieldColumns(field)) {
      if (field.type !== 'currency' || value === null) columns.set(column.name, value);
      else columns.set(column.name, (value as Record<string, string>)[column.suffix.slice(1)]);
    }
  }
  return columns;
}

/** Multi-row INSERTs of BATCH rows each into the entity's table, with the audit columns the service would set. */
async function insertRows(sql: Sql, schema: string, entity: EntityDefinition, rows: { id: string; input: Input }[]) {
  for (let start = 0; start < rows.length; start += BATCH) {
    const chunk = rows.slice(start, start + BATCH).map((r) => ({ id: r.id, columns: columnValues(entity, r.input) }));
    const names = ['id', ...chunk[0]!.columns.keys(), 'created_by', 'updated_by'];
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const values = [row.id, ...row.columns.values(), 'bench', 'bench'];
      return `(${values.map((v) => `$${params.push(v)}`).join(', ')})`;
    });
    await sql.query(
      `insert into ${physical.qualifiedTable(schema, entity)} (${names.map(physical.ident).join(', ')}) values ${tuples.join(', ')}`,
      params,
    );
  }
}

export interface Dataset {
  /** Ids of the live accounts, in creation order: the get-by-id scenario picks from them. */
  accountIds: string[];
  accounts: number;
  contacts: number;
  via: SeedVia;
  ms: number;
}

/** Fills the default workspace; `contacts` defaults to five per account, spread at random over them. */
export async function seed(
  engine: Engine,
  options: { accounts: number; contacts?: number; seed?: number; via?: SeedVia | 'auto' },
): Promise<Dataset> {
  const started = performance.now();
  const random = prng(options.seed ?? 20240601);
  // Ids from their own stream, so both ways in write the same values (the record service makes its own ids).
  const ids = prng((options.seed ?? 20240601) ^ 0x5eed);
  const contactCount = options.contacts ?? options.accounts * 5;
  const via: SeedVia =
    options.via === undefined || options.via === 'auto'
      ? options.accounts > RECORDS_SEED_LIMIT
        ? 'sql'
        : 'records'
      : options.via;
  const metadata = await engine.metadata(DEFAULT_WORKSPACE);
  const account = entityOf(metadata.byName, 'account');
  const contact = entityOf(metadata.byName, 'contact');
  const schema = metadata.workspace.schemaName;
  const accounts = accountInputs(account, options.accounts, random);

  let accountIds: string[] = [];
  if (via === 'records') {
    const records = engine.records({ workspace: DEFAULT_WORKSPACE, actor: 'bench' });
    for (let start = 0; start < accounts.length; start += MAX_BATCH) {
      const created = await records.createMany('account', accounts.slice(start, start + MAX_BATCH));
      accountIds.push(...created.map((c) => c.id));
    }
    const contacts = contactInputs(contactCount, accountIds, random);
    for (let start = 0; start < contacts.length; start += MAX_BATCH) {
      await records.createMany('contact', contacts.slice(start, start + MAX_BATCH));
    }
  } else {
    accountIds = accounts.map(() => uuid(ids));
    await insertRows(
      engine.db,
      schema,
      account,
      accounts.map((input, i) => ({ id: accountIds[i]!, input })),
    );
    const contacts = contactInputs(contactCount, accountIds, random);
    await insertRows(
      engine.db,
      schema,
      contact,
      contacts.map((input) => ({ id: uuid(ids), input })),
    );
  }
  // Settle the tables before measuring: statistics for the planner, and a vacuum so the first reads do not
  // pay for setting hint bits and the visibility map, nor race autovacuum waking up after the bulk load.
  await engine.db.query(`vacuum (analyze) ${physical.qualifiedTable(schema, account)}`);
  await engine.db.query(`vacuum (analyze) ${physical.qualifiedTable(schema, contact)}`);
  return { accountIds, accounts: options.accounts, contacts: contactCount, via, ms: performance.now() - started };
}
