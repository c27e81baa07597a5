// Deterministic demo data: the same seed and anchor day always give the same companies, people, deals,
// orders, cases and touchpoints. Everything goes through the record service, so seeded data obeys the same
// rules as user input. Accounts are generated in chunks; each chunk plans its accounts in memory, then
// writes them and everything hanging off them, so memory stays flat whatever the size. On a PostgreSQL
// server two chunks overlap (one is validated in Node while the other is inserted); each table still
// fills in chunk order, so autonumbers are the same on every run.
import type { Engine } from '@touchpoint/engine';
import { accountRow, contactRow, type GroupAccount, makeBranch, planAccount } from './seed-accounts.ts';
import { writeActivities } from './seed-activities.ts';
import { planLeads, writeLeads } from './seed-leads.ts';
import { addDemoLogins } from './seed-logins.ts';
import { type Chunk, SCALES, type SeedContext, type SeedSize } from './seed-model.ts';
import { planOrders, writeOrders } from './seed-orders.ts';
import { CompanyNamer } from './seed-places.ts';
import { Clock, Random, subSeed } from './seed-random.ts';
import { createReference } from './seed-reference.ts';
import { planOpportunities, writeOpportunities } from './seed-sales.ts';
import { planCases, writeCases } from './seed-service.ts';
import { type Lane, SeedWriter } from './seed-writer.ts';

export { SEED_SIZES, type SeedSize } from './seed-model.ts';
export { prng } from './seed-random.ts';

/** Accounts planned and written together. */
const CHUNK = 500;
/** Share of accounts that are branches (分公司) of a group company seen earlier. */
const BRANCHES = 0.04;
/** Most group companies kept to choose parents from. */
const MAX_GROUPS = 2000;

export interface SeedOptions {
  workspace: string;
  size: SeedSize;
  seed: number;
  /** Do nothing when the workspace already has accounts. */
  onlyIfEmpty?: boolean;
  /**
   * Where the data set ends: an instant (ISO 8601) or a day (`YYYY-MM-DD`, taken as 08:00 UTC that day). What
   * lies before it is history, what lies after it is planned. Default: the engine's clock, now.
   */
  anchor?: string;
  /** Called after each chunk with the number of accounts written so far. */
  onProgress?: (accounts: number, total: number) => void;
}

/** Records created per entity, by plural name; `accounts` and `contacts` are always there. */
export type SeedCounts = Record<string, number> & { accounts: number; contacts: number };

interface Names {
  accounts: CompanyNamer;
  leads: CompanyNamer;
  groups: GroupAccount[];
}

export async function seedDemoData(engine: Engine, options: SeedOptions): Promise<SeedCounts | null> {
  const metadata = await engine.metadata(options.workspace);
  if (!metadata.byName.has('account') || !metadata.byName.has('contact')) return null;
  // The seed writes deals and cases with their past stage and status changes: its writes bring their own history.
  const records = engine.records({ workspace: options.workspace, actor: 'seed', channel: 'cli', ownHistory: true });
  if (options.onlyIfEmpty) {
    const existing = await records.list({ entity: 'account', first: 1, selection: { fields: ['id'], relations: [] } });
    if (existing.nodes.length > 0) return null;
  }
  // The embedded database serves one statement at a time; overlapping writes there only queue (or worse).
  const parallel = !engine.db.embedded;
  const writer = new SeedWriter(records, metadata, parallel);
  const clock = new Clock(options.anchor ?? engine.clock.now().toISOString());
  const scale = SCALES[options.size];
  const ref = await createReference(writer, clock, new Random(subSeed(options.seed, 0)), scale);
  const ctx: SeedContext = { writer, clock, scale, ref };
  const names: Names = { accounts: new CompanyNamer(0), leads: new CompanyNamer(1201), groups: [] };
  const total = scale.accounts - ref.partners.length;
  const running: Promise<void>[] = [];
  let lane: Lane | undefined;
  let accountsWritten: Promise<void> = Promise.resolve();
  let written = ref.partners.length;
  for (let start = 0, n = 0; start < total; start += CHUNK, n++) {
    // The next chunk may pick the group companies of this one as parents, so it plans once they exist.
    await accountsWritten;
    if (running.length >= (parallel ? 2 : 1)) await running.shift();
    lane = writer.lane(lane);
    const chunk: Chunk = {
      ctx,
      random: new Random(subSeed(options.seed, n + 1)),
      writer: lane,
      accounts: [],
      leads: [],
      responses: [],
    };
    const parents = planChunk(chunk, names, start, Math.min(CHUNK, total - start));
    let signal!: () => void;
    accountsWritten = new Promise((resolve) => {
      signal = resolve;
    });
    const finished = lane;
    const run = writeChunk(chunk, parents, names, signal).finally(() => {
      signal();
      finished.finish();
      written += chunk.accounts.length;
      options.onProgress?.(written, scale.accounts);
    });
    // Awaited in turn below; marked handled now so a failure waits for its turn instead of crashing.
    run.catch(() => {});
    running.push(run);
  }
  for (const run of running) await run;
  await addDemoLogins(engine, options.workspace, records, ref.users, ref.partners[0]);
  await analyzeWorkspace(engine, metadata.workspace.schemaName);
  return writer.counts as SeedCounts;
}

/**
 * Freshly filled tables have no planner statistics until autovacuum reaches them, and a plan made before
 * that can walk the wrong index (seen on S). The seed analyzes what it wrote, table by table.
 */
async function analyzeWorkspace(engine: Engine, schema: string): Promise<void> {
  const tables = await engine.db.query<{ name: string }>(
    'select tablename as name from pg_tables where schemaname = $1 order by tablename',
    [schema],
  );
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  for (const { name } of tables) await engine.db.query(`analyze ${quote(schema)}.${quote(name)}`);
}

/** Plans the chunk's accounts and everything about them in memory; returns which are branches of whom. */
function planChunk(chunk: Chunk, names: Names, start: number, count: number): Map<number, GroupAccount> {
  const { ctx, random } = chunk;
  const parents = new Map<number, GroupAccount>();
  for (let i = 0; i < count; i++) {
    const account = planAccount(ctx, random, names.accounts, start + i);
    if (names.groups.length > 0 && random.chance(BRANCHES)) {
      const group = random.pick(names.groups);
      if (makeBranch(account, group)) parents.set(i, group);
    }
    planOpportunities(ctx, random, account);
    planOrders(ctx, random, account);
    planCases(ctx, random, account);
    chunk.accounts.push(account);
  }
  planLeads(chunk, names.leads);
  return parents;
}

async function writeChunk(
  chunk: Chunk,
  parents: Map<number, GroupAccount>,
  names: Names,
  accountsWritten: () => void,
): Promise<void> {
  const { ctx, random, writer } = chunk;
  const rows = chunk.accounts.map((a, i) => accountRow(ctx, a, random, parents.get(i)?.id));
  const ids = await writer.create('account', rows);
  chunk.accounts.forEach((a, i) => {
    a.id = ids[i];
    // Big Chinese customers become group companies later accounts can be branches of.
    if (a.chinese && (a.tier === 'A' || a.tier === 'B') && !parents.has(i) && names.groups.length < MAX_GROUPS) {
      names.groups.push({ id: a.id, name: a.name, domain: a.domain, branches: new Set() });
    }
  });
  accountsWritten();
  const people = chunk.accounts.flatMap((a) =>
    a.contacts.map((c, i) => ({ c, row: contactRow(ctx, a, c, random, i) })),
  );
  const contactIds = await writer.create(
    'contact',
    people.map((p) => p.row),
  );
  people.forEach((p, i) => {
    p.c.id = contactIds[i];
  });
  await writeOpportunities(chunk);
  await writeLeads(chunk);
  await writeOrders(chunk);
  await writeCases(chunk);
  await writeActivities(chunk);
}
