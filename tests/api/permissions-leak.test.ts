// The randomized leak test of issue 12: several hundred records across owners, a management hierarchy, teams,
// territories (with child territories), manual shares, criteria sharing rules and partner companies; for each
// user the exact set of records they must read is computed by our own SQL (permission-oracle.ts, from the
// Semantics of PERMISSIONS.md), then thousands of generated GraphQL requests over real HTTP — lists with nested
// relations both ways, relation filters (some / none / every, and through a parent) used as oracles,
// aggregates grouped by several fields, totalCount, by-id gets of invisible ids, search with terms taken from
// hidden records, caller identification, the customer timeline, the pipeline report, and hidden fields named in
// selections, filters, sorts and groupings — and every answer is checked against that set.
//
// A LEAK is an answer that contains or reveals (by a count, a group, a filter match) something outside the set.
// A MISMATCH is an answer that leaves out something the user may read (a wrong answer, not a leak). Both fail.
//
// Deterministic (seeded PRNG, no wall clock). PERM_LEAK_QUERIES (requests per user, default 200) and
// PERM_LEAK_SEED (default 12) make a longer or different run.
import { fileURLToPath } from 'node:url';
import { loadCoreEntities, loadCorePermissions, SHARE_TABLE } from '@touchpoint/engine';
import type { EntityDefinition, PermissionModel } from '@touchpoint/schema';
import { entityRootFieldNames, snakeCase } from '@touchpoint/schema';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, CORE_SCHEMAS, type GraphQLResponse, type Harness, startHarness } from './harness.ts';
import { type Actor, type ActorContext, PermissionOracle, type Share } from './permission-oracle.ts';

const PER_USER = Number(process.env.PERM_LEAK_QUERIES ?? 200);
const SEED = Number(process.env.PERM_LEAK_SEED ?? 12);
const PERMISSIONS_DIR = fileURLToPath(new URL('../../schemas/permissions', import.meta.url));

/** mulberry32: a small seeded PRNG, so every run sends the same requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p: number) => next() < p,
  };
}
const rnd = prng(SEED);

/** The entities whose records the test seeds and checks, with their text field and the selects it varies. */
const TESTED: Record<string, { text: string; selects: Record<string, string[]> }> = {
  account: {
    text: 'name',
    selects: {
      industry: ['manufacturing', 'technology', 'finance', 'retail'],
      rating: ['hot', 'warm', 'cold'],
      type: ['customer', 'prospect'],
    },
  },
  contact: { text: 'lastName', selects: {} },
  opportunity: { text: 'name', selects: { stage: ['prospecting', 'qualification', 'proposal', 'closedWon'] } },
  lead: {
    text: 'lastName',
    selects: { status: ['new', 'contacted', 'qualified'], source: ['web', 'partner', 'email'] },
  },
  case: {
    text: 'subject',
    selects: { status: ['new', 'inProgress', 'closed'], priority: ['low', 'normal', 'urgent'] },
  },
  interaction: { text: 'subject', selects: { channel: ['phone', 'email', 'visit'] } },
  partner: { text: 'name', selects: { type: ['distributor', 'reseller'] } },
};

/** The sharing rules this test adds to the core model (PA's change ops are not needed: the core layer holds them). */
const RULES: PermissionModel['sharing']['rules'] = [
  {
    name: 'financeAccountsToReps',
    labels: { en: 'Finance accounts to reps', 'zh-CN': '金融客户共享给销售代表' },
    entity: 'account',
    condition: { industry: { eq: 'finance' } },
    role: 'salesRep',
    access: 'read',
  },
  {
    name: 'urgentCasesToReps',
    labels: { en: 'Urgent cases to reps', 'zh-CN': '紧急工单共享给销售代表' },
    entity: 'case',
    condition: { priority: { eq: 'urgent' } },
    role: 'salesRep',
    access: 'edit',
  },
  {
    name: 'partnerLeadsToService',
    labels: { en: 'Partner leads to service', 'zh-CN': '渠道线索共享给客服' },
    entity: 'lead',
    condition: { source: { in: ['partner'] } },
    role: 'serviceAgent',
    access: 'read',
  },
  {
    name: 'hotRetailToReadOnly',
    labels: { en: 'Hot retail accounts to read-only', 'zh-CN': '热门零售客户共享给只读用户' },
    entity: 'account',
    condition: { and: [{ industry: { eq: 'retail' } }, { rating: { eq: 'hot' } }] },
    role: 'readOnly',
    access: 'read',
  },
];

interface Person {
  key: string;
  actor: Actor;
  client: Client;
  context?: ActorContext;
  readable: Map<string, Set<string>>;
}

type Row = Record<string, unknown> & { id: string };

let h: Harness;
let db: pg.Client;
let oracle: PermissionOracle;
let entities: EntityDefinition[];
const people: Person[] = [];
const rows = new Map<string, Row[]>();
const shares: Share[] = [];
const capabilities = { setUserRoles: false, shareRecord: false, fields: new Set<string>() };
const leaks: { user: string; query: string; problem: string }[] = [];
const mismatches: { user: string; query: string; problem: string }[] = [];
let queries = 0;

const has = (entity: string, field: string) => capabilities.fields.has(`${entity}.${field}`);
const rel = (entity: string, field: string) =>
  entities.find((e) => e.name === entity)?.fields.find((f) => f.name === field);

beforeAll(async () => {
  entities = loadCoreEntities(CORE_SCHEMAS);
  const core = loadCorePermissions(PERMISSIONS_DIR, entities);
  const model: PermissionModel = {
    roles: core.roles,
    sharing: { ...core.sharing, rules: [...core.sharing.rules, ...RULES] },
  };
  h = await startHarness({ api: { rateLimit: false }, engine: { corePermissions: model } });
  for (const e of entities) for (const f of e.fields) capabilities.fields.add(`${e.name}.${f.name}`);
  const mutations = await h.ok<{ __schema: { mutationType: { fields: { name: string }[] } } }>(
    '{ __schema { mutationType { fields { name } } } }',
  );
  const names = new Set(mutations.__schema.mutationType.fields.map((f) => f.name));
  capabilities.setUserRoles = names.has('setUserRoles');
  capabilities.shareRecord = names.has('shareRecord');
  const metadata = await h.engine.metadata('default');
  db = new pg.Client({ connectionString: h.database.url });
  await db.connect();
  oracle = new PermissionOracle(model, entities, db, metadata.workspace.schemaName, shares);
  await seed();
}, 300_000);

afterAll(async () => {
  await db?.end();
  await h?.close();
});

const system = () => h.engine.records({ workspace: 'default', actor: 'system' });

async function createMany(entity: string, inputs: Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < inputs.length; i += 200) {
    ids.push(...(await system().createMany(entity, inputs.slice(i, i + 200))).map((r) => r.id));
  }
  return ids;
}

async function seed() {
  // People: the demo's shape (a manager with reps below, a service agent in a queue, a partner user) and a few
  // generated ones (a rep two levels down, a team manager, a territory owner, two roles at once).
  const spec: { key: string; roles: string[]; selectRole: string }[] = [
    { key: 'manager', roles: ['salesManager'], selectRole: 'salesManager' },
    { key: 'rep1', roles: ['salesRep'], selectRole: 'salesRep' },
    { key: 'rep2', roles: ['salesRep'], selectRole: 'salesRep' },
    { key: 'rep3', roles: ['salesRep'], selectRole: 'salesRep' },
    { key: 'rep4', roles: ['salesRep'], selectRole: 'salesRep' },
    { key: 'service', roles: ['serviceAgent'], selectRole: 'serviceAgent' },
    { key: 'marketing', roles: ['marketing'], selectRole: 'marketer' },
    { key: 'readonly', roles: ['readOnly'], selectRole: 'salesRep' },
    { key: 'teamlead', roles: ['readOnly'], selectRole: 'salesRep' },
    { key: 'multi', roles: ['marketing', 'salesRep'], selectRole: 'salesRep' },
    { key: 'partner1', roles: ['partnerUser'], selectRole: 'salesRep' },
    { key: 'partner2', roles: ['partnerUser'], selectRole: 'salesRep' },
  ];
  people.push({ key: 'admin', actor: { id: h.userId, roles: ['admin'] }, client: h, readable: new Map() });
  for (const s of spec) {
    const client = await h.addUser({ email: `${s.key}@leak.test`, name: `Leak ${s.key}`, role: s.selectRole });
    people.push({ key: s.key, actor: { id: client.userId, roles: s.roles }, client, readable: new Map() });
  }
  const id = (key: string) => people.find((p) => p.key === key)!.actor.id;
  if (capabilities.setUserRoles) {
    for (const p of people.slice(1)) {
      await h.ok('mutation($u: ID!, $r: [String!]!) { setUserRoles(userId: $u, roles: $r) { __typename } }', {
        u: p.actor.id,
        r: p.actor.roles,
      });
    }
  } else {
    // Until the API assigns roles: the role-assignment table of the design (PERMISSIONS.md, Storage).
    const workspace = await h.engine.getWorkspace('default');
    for (const p of people.slice(1))
      for (const role of p.actor.roles)
        await db.query('insert into touchpoint.role_assignment (workspace_id, user_id, role) values ($1, $2, $3)', [
          workspace.id,
          p.actor.id,
          role,
        ]);
    h.engine.permissions.invalidate('default');
  }

  const [t1, t2, t3] = await createMany('territory', [
    { name: 'T1 north', owner: id('readonly') },
    { name: 'T2 east' },
    { name: 'T3 south', owner: id('rep2') },
  ]);
  const [t1a, t2a] = await createMany('territory', [
    { name: 'T1a', parentTerritory: t1 },
    { name: 'T2a', parentTerritory: t2 },
  ]);
  const [t1a1] = await createMany('territory', [{ name: 'T1a1', parentTerritory: t1a }]);
  const territories = [t1, t2, t3, t1a, t2a, t1a1].map(String);
  const [teamA, teamB, queue] = await createMany('team', [
    { name: 'Team A', manager: id('teamlead'), territory: t2 },
    { name: 'Team B' },
    { name: 'Service queue' },
  ]);
  const teams = [teamA, teamB, queue].map(String);
  const [p1, p2, p3] = await createMany('partner', [
    { name: 'partner p1 华信', type: 'distributor' },
    { name: 'partner p2 远航', type: 'reseller' },
    { name: 'partner p3 无人', type: 'reseller' },
  ]);
  const partners = [p1, p2, p3].map(String);
  const [pipeline] = await createMany('pipeline', [{ name: 'Leak pipeline', type: 'expansion', isDefault: true }]);

  const update = (entity: string, recordId: string, values: Record<string, unknown>) =>
    system().update(entity, recordId, values);
  await update('user', id('rep1'), { manager: id('manager'), team: teamA });
  await update('user', id('rep2'), { manager: id('manager') });
  await update('user', id('rep3'), { manager: id('rep1') });
  await update('user', id('rep4'), { team: teamB });
  await update('user', id('service'), { team: queue });
  if (has('user', 'partner')) {
    await update('user', id('partner1'), { partner: p1 });
    await update('user', id('partner2'), { partner: p2 });
  }

  const owners = people.map((p) => p.actor.id);
  const maybe = <T>(p: number, value: () => T) => (rnd.chance(p) ? value() : undefined);
  const selects = (entity: string) =>
    Object.fromEntries(Object.entries(TESTED[entity]!.selects).map(([f, values]) => [f, rnd.pick(values)]));
  const withTeam = (entity: string, values: Record<string, unknown>) =>
    has(entity, 'team') && rel(entity, 'team')?.relation?.target === 'team'
      ? { ...values, team: maybe(0.3, () => rnd.pick(teams)) }
      : values;
  const phone = (i: number, base: number) => `138${String(base + i).padStart(8, '0')}`;

  const accounts = await createMany(
    'account',
    Array.from({ length: 140 }, (_, i) =>
      withTeam('account', {
        name: `acct a${String(i).padStart(4, '0')}x`,
        ...selects('account'),
        owner: maybe(0.9, () => rnd.pick(owners)),
        territory: maybe(0.4, () => rnd.pick(territories)),
        partner: maybe(0.25, () => rnd.pick(partners)),
        phone: phone(i, 10_000),
        annualProfit: { amount: String(1000 + i), currency: 'CNY' },
      }),
    ),
  );
  const contacts = await createMany(
    'contact',
    Array.from({ length: 260 }, (_, i) => ({
      firstName: '伟',
      lastName: `c${String(i).padStart(4, '0')}y`,
      account: maybe(0.9, () => rnd.pick(accounts)),
      owner: maybe(0.8, () => rnd.pick(owners)),
      mobile: phone(i, 20_000),
    })),
  );
  const opportunities = await createMany(
    'opportunity',
    Array.from({ length: 110 }, (_, i) =>
      withTeam('opportunity', {
        name: `opp o${String(i).padStart(4, '0')}z`,
        ...selects('opportunity'),
        pipeline,
        account: maybe(0.9, () => rnd.pick(accounts)),
        owner: maybe(0.9, () => rnd.pick(owners)),
        partner: maybe(0.25, () => rnd.pick(partners)),
        amount: { amount: String(10_000 + i * 100), currency: 'CNY' },
      }),
    ),
  );
  const leads = await createMany(
    'lead',
    Array.from({ length: 90 }, (_, i) =>
      withTeam('lead', {
        lastName: `l${String(i).padStart(4, '0')}w`,
        company: `lead company q${String(i).padStart(4, '0')}v`,
        ...selects('lead'),
        owner: maybe(0.9, () => rnd.pick(owners)),
        partner: maybe(0.3, () => rnd.pick(partners)),
        mobile: phone(i, 30_000),
      }),
    ),
  );
  const cases = await createMany(
    'case',
    Array.from({ length: 80 }, (_, i) =>
      withTeam('case', {
        subject: `case k${String(i).padStart(4, '0')}j`,
        ...selects('case'),
        openedAt: `2026-0${1 + (i % 9)}-1${i % 10}T08:00:00Z`,
        owner: maybe(0.85, () => rnd.pick(owners)),
        account: maybe(0.8, () => rnd.pick(accounts)),
        contact: maybe(0.5, () => rnd.pick(contacts)),
      }),
    ),
  );
  const interactions = await createMany(
    'interaction',
    Array.from({ length: 120 }, (_, i) => ({
      subject: `touch i${String(i).padStart(4, '0')}m`,
      ...selects('interaction'),
      occurredAt: `2026-0${1 + (i % 9)}-0${1 + (i % 9)}T09:00:00Z`,
      owner: maybe(0.8, () => rnd.pick(owners)),
      account: maybe(0.9, () => rnd.pick(accounts)),
      contact: maybe(0.6, () => rnd.pick(contacts)),
    })),
  );
  // Deleted records must never be seen by anybody through a read.
  for (const [entity, ids] of Object.entries({
    account: accounts,
    contact: contacts,
    opportunity: opportunities,
    lead: leads,
    case: cases,
    interaction: interactions,
  })) {
    for (let i = 0; i < ids.length; i += 17) await system().delete(entity, ids[i]!);
  }

  // Manual shares: to users and to teams, read and edit, on private and on child records.
  await h.engine.permissions.ensureShareTable(oracle.schema);
  {
    const targets: [string, string[]][] = [
      ['account', accounts],
      ['lead', leads],
      ['case', cases],
      ['opportunity', opportunities],
      ['contact', contacts],
    ];
    for (let i = 0; i < 40; i++) {
      const [entity, ids] = rnd.pick(targets);
      const recordId = rnd.pick(ids);
      const toTeam = rnd.chance(0.3);
      const principal = toTeam ? rnd.pick(teams) : rnd.pick(people.slice(1)).actor.id;
      const access = rnd.chance(0.5) ? 'read' : 'edit';
      const input = {
        entity,
        id: recordId,
        ...(toTeam ? { teamId: principal } : { userId: principal }),
        access,
        reason: 'leak test',
      };
      if (capabilities.shareRecord) {
        const result = await h.gql(`mutation { shareRecord(input: ${lit(input)}) { id } }`);
        if (result.errors) {
          // A share of a deleted record is refused; anything else is a failure of the setup.
          if (result.errors[0]?.extensions?.code === 'NOT_FOUND') continue;
          throw new Error(`shareRecord failed: ${JSON.stringify(result.errors)}`);
        }
      } else {
        // Until the API shares records: a row of the share table of the design (PERMISSIONS.md, Storage).
        if (
          await db
            .query(`select 1 from ${oracle.table(entity)} where id = $1 and deleted_at is not null`, [recordId])
            .then((r) => r.rowCount)
        )
          continue;
        await db.query(
          `insert into "${oracle.schema}"."${SHARE_TABLE}" (id, entity, record_id, user_id, team_id, access, reason, created_by, created_at)
           values (gen_random_uuid(), $1, $2, $3, $4, $5, 'leak test', 'system', now())`,
          [entity, recordId, toTeam ? null : principal, toTeam ? principal : null, access],
        );
      }
      shares.push({ entity, recordId, access, ...(toTeam ? { teamId: principal } : { userId: principal }) });
    }
  }

  // Everything as stored, for the filters' own evaluation.
  for (const entity of Object.keys(TESTED)) {
    const result = await db.query<Row>(`select * from ${oracle.table(entity)} where deleted_at is null`);
    rows.set(
      entity,
      result.rows.map((r) => ({ ...r, id: String(r.id) })),
    );
  }
  const roleHolders = new Map<string, string[]>();
  for (const p of people)
    for (const r of p.actor.roles) roleHolders.set(r, [...(roleHolders.get(r) ?? []), p.actor.id]);
  for (const p of people) {
    p.context = await oracle.context(p.actor, roleHolders);
    const memo = new Map<string, Set<string>>();
    for (const entity of Object.keys(TESTED))
      p.readable.set(entity, await oracle.allowed(p.actor, entity, 'read', p.context, memo));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Query generation

/** A value printed as a GraphQL literal; `{ enum: 'x' }` prints an enum value. */
type Lit = string | number | boolean | null | { enum: string } | Lit[] | { [key: string]: Lit };
function lit(value: Lit): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(lit).join(', ')}]`;
  if ('enum' in value && typeof value.enum === 'string' && Object.keys(value).length === 1) return value.enum;
  return `{ ${Object.entries(value)
    .map(([k, v]) => `${k}: ${lit(v as Lit)}`)
    .join(', ')} }`;
}

interface Filter {
  gql: Lit;
  test: (row: Row) => boolean;
  /** Uses `none` or `every` over children: a record missing from the answer reveals a hidden child too. */
  negative?: boolean;
}

/** Relations between tested entities: `entity.field` → target, and its inverse name on the target. */
function relations() {
  const out: { from: string; field: string; to: string; inverse?: string }[] = [];
  for (const entity of Object.keys(TESTED)) {
    for (const f of entities.find((e) => e.name === entity)!.fields) {
      if (f.type === 'relation' && f.relation?.kind === 'manyToOne' && TESTED[f.relation.target]) {
        out.push({ from: entity, field: f.name, to: f.relation.target, inverse: f.relation.inverse });
      }
    }
  }
  return out;
}

const col = (field: string) => snakeCase(field);
const fk = (field: string) => `${snakeCase(field)}_id`;

function visibleSelects(p: Person, entity: string): string[] {
  const hidden = new Set(oracle.hiddenFields(p.actor, entity));
  return Object.keys(TESTED[entity]!.selects).filter((f) => !hidden.has(f));
}

function scalarFilter(p: Person, entity: string): Filter {
  const all = rows.get(entity)!;
  const selects = visibleSelects(p, entity);
  const text = TESTED[entity]!.text;
  const kind = rnd.int(4);
  if (kind === 0 && selects.length > 0) {
    const field = rnd.pick(selects);
    const value = rnd.pick(TESTED[entity]!.selects[field]!);
    if (rnd.chance(0.3)) {
      const other = rnd.pick(TESTED[entity]!.selects[field]!);
      return {
        gql: { [field]: { in: [{ enum: value }, { enum: other }] } },
        test: (r) => r[col(field)] === value || r[col(field)] === other,
      };
    }
    return { gql: { [field]: { eq: { enum: value } } }, test: (r) => r[col(field)] === value };
  }
  if (kind === 1 && oracle.sharing(entity).ownerField === 'owner') {
    const owner = rnd.pick(people).actor.id;
    return { gql: { ownerId: { eq: owner } }, test: (r) => r.owner_id === owner };
  }
  // A token of a random record's text, visible or not: a hidden match must not count.
  const source = rnd.pick(all);
  const token = String(source[col(text)])
    .split(' ')
    .pop()!
    .slice(0, rnd.chance(0.5) ? 4 : 6);
  return {
    gql: { [text]: { contains: token } },
    test: (r) =>
      String(r[col(text)] ?? '')
        .toLowerCase()
        .includes(token.toLowerCase()),
  };
}

function filterFor(p: Person, entity: string, depth = 0): Filter {
  const choice = rnd.int(depth > 0 ? 2 : 6);
  if (choice <= 1) return scalarFilter(p, entity);
  const rels = relations();
  if (choice === 2) {
    // Through a parent: only a parent the user can read may match.
    const options = rels.filter(
      (r) =>
        r.from === entity && oracle.fieldLevel(p.actor, entity, r.field) !== 'hidden' && p.readable.get(r.to)!.size > 0,
    );
    if (options.length > 0) {
      const r = rnd.pick(options);
      const inner = filterFor(p, r.to, depth + 1);
      const parents = new Map(rows.get(r.to)!.map((x) => [x.id, x]));
      const visible = p.readable.get(r.to)!;
      return {
        gql: { [r.field]: inner.gql },
        negative: inner.negative,
        test: (row) => {
          const target = row[fk(r.field)] as string | null;
          return target !== null && visible.has(target) && inner.test(parents.get(target)!);
        },
      };
    }
  }
  if (choice === 3 || choice === 4) {
    // Over children: some / none / every count only children the user can read.
    const options = rels.filter(
      (r) =>
        r.to === entity &&
        r.inverse &&
        oracle.right(p.actor, r.from, 'read') &&
        oracle.fieldLevel(p.actor, r.from, r.field) !== 'hidden',
    );
    if (options.length > 0) {
      const r = rnd.pick(options);
      const inner = filterFor(p, r.from, depth + 1);
      const quantifier = rnd.pick(['some', 'none', 'every'] as const);
      const visible = p.readable.get(r.from)!;
      const children = new Map<string, Row[]>();
      for (const c of rows.get(r.from)!) {
        if (!visible.has(c.id)) continue;
        const parent = c[fk(r.field)] as string | null;
        if (parent) children.set(parent, [...(children.get(parent) ?? []), c]);
      }
      return {
        gql: { [r.inverse!]: { [quantifier]: inner.gql } },
        negative: quantifier !== 'some' || inner.negative,
        test: (row) => {
          const list = children.get(row.id) ?? [];
          if (quantifier === 'some') return list.some(inner.test);
          if (quantifier === 'none') return !list.some(inner.test);
          return list.every(inner.test);
        },
      };
    }
  }
  if (choice === 5) {
    const a = scalarFilter(p, entity);
    const b = filterFor(p, entity, depth + 1);
    return rnd.chance(0.5)
      ? { gql: { and: [a.gql, b.gql] }, negative: b.negative, test: (r) => a.test(r) && b.test(r) }
      : { gql: { or: [a.gql, b.gql] }, negative: b.negative, test: (r) => a.test(r) || b.test(r) };
  }
  return scalarFilter(p, entity);
}

function report(kind: 'leak' | 'mismatch', p: Person, query: string, problem: string) {
  (kind === 'leak' ? leaks : mismatches).push({ user: p.key, query, problem });
}

const explanations: Promise<string>[] = [];
/** Schedules the explanation of a record (entity guessed from `what`); the summary prints them. */
function explainLater(p: Person, what: string, id: string): string {
  const entity = Object.keys(TESTED).find((e) => what.startsWith(e) || what.includes(`.${e}`)) ?? guessEntity(id);
  if (entity) explanations.push(explain(p, entity, id).then((t) => `[${p.key}] ${t}`));
  return `(see explanation ${explanations.length})`;
}
function guessEntity(id: string): string | undefined {
  return Object.keys(TESTED).find((e) => rows.get(e)!.some((r) => r.id === id));
}

/** Who a user id is, for the report. */
function who(id: unknown): string {
  return people.find((x) => x.actor.id === id)?.key ?? (id === null || id === undefined ? '-' : String(id).slice(0, 8));
}

/** A record as stored, for the report of a leak: enough to tell why the oracle refuses it. */
async function explain(p: Person, entity: string, id: string): Promise<string> {
  const found = (await db.query<Row>(`select * from ${oracle.table(entity)} where id = $1`, [id])).rows[0];
  if (!found) return `${entity} ${id}: no such row`;
  const parts = [`${entity} ${id.slice(0, 8)}`];
  if (found.deleted_at) parts.push('DELETED');
  for (const [k, v] of Object.entries(found)) {
    if (!k.endsWith('_id') || v === null) continue;
    const target = k.slice(0, -3);
    const targetEntity = entities.find((e) => e.name === entity)?.fields.find((f) => snakeCase(f.name) === target)
      ?.relation?.target;
    if (targetEntity === 'user') parts.push(`${target}=${who(v)}`);
    else if (targetEntity && p.readable.has(targetEntity)) {
      const live = rows.get(targetEntity)!.some((r) => r.id === String(v));
      const state = p.readable.get(targetEntity)!.has(String(v)) ? 'readable' : live ? 'not readable' : 'DELETED';
      parts.push(`${target}=${String(v).slice(0, 8)}(${state})`);
    } else if (['team', 'territory'].includes(targetEntity ?? '')) parts.push(`${target}=${String(v).slice(0, 8)}`);
  }
  const shared = shares.filter((x) => x.entity === entity && x.recordId === id);
  if (shared.length)
    parts.push(
      `shares: ${shared.map((x) => `${x.access}→${x.userId ? who(x.userId) : `team ${x.teamId?.slice(0, 8)}`}`).join(',')}`,
    );
  return parts.join(' ');
}

async function send(p: Person, query: string): Promise<GraphQLResponse<Record<string, unknown>>> {
  queries++;
  return p.client.gql(query);
}

function expectSet(
  p: Person,
  query: string,
  what: string,
  got: Iterable<string>,
  allowed: Set<string>,
  exact: boolean,
  missingIsLeak = false,
) {
  const seen = new Set(got);
  const outside = [...seen].filter((x) => !allowed.has(x));
  if (outside.length > 0)
    report(
      'leak',
      p,
      query,
      `${what}: ${outside.length} record(s) outside the set, e.g. ${outside[0]} ${explainLater(p, what, outside[0]!)}`,
    );
  if (exact) {
    const missing = [...allowed].filter((x) => !seen.has(x));
    if (missing.length > 0)
      report(
        missingIsLeak ? 'leak' : 'mismatch',
        p,
        query,
        `${what}: ${missing.length} readable record(s) missing, e.g. ${missing[0]}`,
      );
  }
}

/** An entity the user cannot read at all: an error (unknown or forbidden), or nothing. */
function unreadable(p: Person, entity: string): boolean {
  return p.readable.get(entity) === undefined || !oracle.right(p.actor, entity, 'read');
}

async function listQuery(p: Person, entity: string) {
  const names = entityRootFieldNames(entities.find((e) => e.name === entity)!);
  const f = filterFor(p, entity);
  const rels = relations();
  const toOne = rels.filter((r) => r.from === entity && oracle.fieldLevel(p.actor, entity, r.field) !== 'hidden');
  const toMany = rels.filter(
    (r) =>
      r.to === entity &&
      r.inverse &&
      oracle.right(p.actor, r.from, 'read') &&
      oracle.fieldLevel(p.actor, r.from, r.field) !== 'hidden',
  );
  const one = toOne.length ? [rnd.pick(toOne)] : [];
  const many = toMany.length ? [rnd.pick(toMany)] : [];
  const selection = [
    'id',
    ...visibleSelects(p, entity).slice(0, 1),
    ...one.map((r) => `${r.field} { id }`),
    ...many.map((r) => `${r.inverse}(first: 50) { id }`),
  ].join(' ');
  const query = `{ ${names.many}(filter: ${lit(f.gql)}, first: 300) { totalCount nodes { ${selection} } } }`;
  const result = await send(p, query);
  const visible = p.readable.get(entity)!;
  const expected = new Set(
    rows
      .get(entity)!
      .filter((r) => visible.has(r.id) && f.test(r))
      .map((r) => r.id),
  );
  if (result.errors) {
    if (unreadable(p, entity)) return;
    report('mismatch', p, query, `error: ${result.errors[0]?.message}`);
    return;
  }
  const data = result.data![names.many] as { totalCount: number; nodes: Record<string, unknown>[] };
  if (unreadable(p, entity)) {
    if (data.totalCount > 0 || data.nodes.length > 0)
      report('leak', p, query, `entity without read answered ${data.totalCount}`);
    return;
  }
  if (data.totalCount > expected.size) report('leak', p, query, `totalCount ${data.totalCount} > ${expected.size}`);
  else if (data.totalCount < expected.size)
    report(f.negative ? 'leak' : 'mismatch', p, query, `totalCount ${data.totalCount} < ${expected.size}`);
  expectSet(
    p,
    query,
    `${entity} nodes`,
    data.nodes.map((n) => String(n.id)),
    expected,
    expected.size <= 300,
    f.negative,
  );
  const byId = new Map(rows.get(entity)!.map((r) => [r.id, r]));
  for (const node of data.nodes) {
    const row = byId.get(String(node.id));
    for (const r of one) {
      const target = (node[r.field] as { id: string } | null)?.id ?? null;
      const stored = (row?.[fk(r.field)] as string | null) ?? null;
      const readable = stored !== null && p.readable.get(r.to)!.has(stored);
      if (target !== null && (target !== stored || !readable))
        report('leak', p, query, `${entity}.${r.field} shows ${target} ${explainLater(p, r.to, target)}`);
      if (target === null && readable) report('mismatch', p, query, `${entity}.${r.field} null, ${stored} readable`);
    }
    for (const r of many) {
      const got = (node[r.inverse!] as { id: string }[]).map((c) => c.id);
      const childVisible = p.readable.get(r.from)!;
      const allowed = new Set(
        rows
          .get(r.from)!
          .filter((c) => c[fk(r.field)] === node.id && childVisible.has(c.id))
          .map((c) => c.id),
      );
      expectSet(p, query, `${r.from} via ${entity}.${r.inverse}`, got, allowed, allowed.size <= 50);
    }
  }
}

async function getQuery(p: Person, entity: string) {
  const names = entityRootFieldNames(entities.find((e) => e.name === entity)!);
  // Mostly invisible ids (and deleted ones): the interesting case.
  const visible = p.readable.get(entity)!;
  const all = rows.get(entity)!;
  const invisible = all.filter((r) => !visible.has(r.id));
  const target = invisible.length > 0 && rnd.chance(0.7) ? rnd.pick(invisible).id : rnd.pick(all).id;
  const query = `{ ${names.one}(id: ${JSON.stringify(target)}) { id } }`;
  const result = await send(p, query);
  const got = (result.data?.[names.one] as { id: string } | null | undefined)?.id;
  if (got !== undefined && got !== null && !visible.has(got))
    report('leak', p, query, `got invisible ${entity} ${got} ${explainLater(p, entity, got)}`);
  if (visible.has(target) && !got) report('mismatch', p, query, `readable ${entity} ${target} not found`);
  if (
    result.errors &&
    !['NOT_FOUND', 'FORBIDDEN'].includes(String(result.errors[0]?.extensions?.code)) &&
    !unreadable(p, entity)
  )
    report('mismatch', p, query, `error ${result.errors[0]?.extensions?.code}: ${result.errors[0]?.message}`);
}

async function aggregateQuery(p: Person, entity: string) {
  const names = entityRootFieldNames(entities.find((e) => e.name === entity)!);
  const f: Filter = rnd.chance(0.7) ? filterFor(p, entity) : { gql: {}, test: () => true };
  const options = [...visibleSelects(p, entity), ...(oracle.sharing(entity).ownerField === 'owner' ? ['ownerId'] : [])];
  const group: string[] = [];
  for (let i = 0, n = rnd.int(3); i < n && options.length > 0; i++) {
    const g = rnd.pick(options);
    if (!group.includes(g)) group.push(g);
  }
  const query = `{ ${names.aggregate}(filter: ${lit(f.gql as Lit)}${group.length ? `, groupBy: [${group.join(', ')}]` : ''}) { ${
    group.length ? `key { ${group.join(' ')} } ` : ''
  }count } }`;
  const result = await send(p, query);
  if (result.errors) {
    if (!unreadable(p, entity)) report('mismatch', p, query, `error: ${result.errors[0]?.message}`);
    return;
  }
  const visible = p.readable.get(entity)!;
  const keyOf = (values: Record<string, unknown>) => JSON.stringify(group.map((g) => values[g] ?? null));
  const expected = new Map<string, number>();
  if (!unreadable(p, entity))
    for (const r of rows.get(entity)!) {
      if (!visible.has(r.id) || !f.test(r)) continue;
      const k = keyOf(Object.fromEntries(group.map((g) => [g, g === 'ownerId' ? r.owner_id : r[col(g)]])));
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
  const groups = result.data![names.aggregate] as { key?: Record<string, unknown>; count: number }[];
  for (const g of groups) {
    const k = keyOf(g.key ?? {});
    const want = expected.get(k) ?? 0;
    if (g.count > want) report('leak', p, query, `group ${k}: count ${g.count} > ${want}`);
    else if (g.count < want)
      report(f.negative ? 'leak' : 'mismatch', p, query, `group ${k}: count ${g.count} < ${want}`);
    expected.delete(k);
  }
  for (const [k, n] of expected)
    if (n > 0) report(f.negative ? 'leak' : 'mismatch', p, query, `group ${k} (${n}) missing`);
}

async function searchQuery(p: Person) {
  const entity = rnd.pick(['account', 'contact', 'lead', 'case', 'opportunity']);
  const source = rnd.pick(rows.get(entity)!);
  const token = String(source[col(TESTED[entity]!.text)]).split(' ').pop()!;
  const query = `{ search(text: ${JSON.stringify(rnd.chance(0.3) ? token.slice(0, 3) : token)}, first: 100) { entity id } }`;
  const result = await send(p, query);
  if (result.errors) {
    report('mismatch', p, query, `error: ${result.errors[0]?.message}`);
    return;
  }
  for (const hit of result.data!.search as { entity: string; id: string }[]) {
    if (!p.readable.get(hit.entity)?.has(hit.id))
      report('leak', p, query, `hit ${hit.entity} ${hit.id} ${explainLater(p, hit.entity, hit.id)}`);
  }
}

async function callerQuery(p: Person) {
  const entity = rnd.pick(['account', 'contact', 'lead']);
  const source = rnd.pick(rows.get(entity)!);
  const number = String(source.phone ?? source.mobile);
  const query = `{ whoIsCalling(phone: ${JSON.stringify(number)}) { matches { entity id accountId openCases { id } latestTouchpoints { id } } } }`;
  const result = await send(p, query);
  if (result.errors) {
    report('mismatch', p, query, `error: ${result.errors[0]?.message}`);
    return;
  }
  type Match = {
    entity: string;
    id: string;
    accountId: string | null;
    openCases: { id: string }[];
    latestTouchpoints: { id: string }[];
  };
  for (const m of (result.data!.whoIsCalling as { matches: Match[] }).matches) {
    if (!p.readable.get(m.entity)?.has(m.id))
      report('leak', p, query, `match ${m.entity} ${m.id} ${explainLater(p, m.entity, m.id)}`);
    if (m.accountId && !p.readable.get('account')!.has(m.accountId))
      report('leak', p, query, `match account ${m.accountId} ${explainLater(p, 'account', m.accountId)}`);
    for (const c of m.openCases)
      if (!p.readable.get('case')!.has(c.id))
        report('leak', p, query, `open case ${c.id} ${explainLater(p, 'case', c.id)}`);
    for (const t of m.latestTouchpoints)
      if (!p.readable.get('interaction')!.has(t.id))
        report('leak', p, query, `touchpoint ${t.id} ${explainLater(p, 'interaction', t.id)}`);
  }
}

async function timelineQuery(p: Person) {
  const visible = p.readable.get('account')!;
  const all = rows.get('account')!;
  const account = rnd.chance(0.5) ? rnd.pick(all) : rnd.pick(all.filter((a) => visible.has(a.id)).concat(all));
  const query = `{ timeline(entity: account, id: ${JSON.stringify(account.id)}, first: 100) { nodes { sourceEntity id accountId contactId leadId } } }`;
  const result = await send(p, query);
  if (!visible.has(account.id)) {
    const nodes = (result.data?.timeline as { nodes: unknown[] } | undefined)?.nodes ?? [];
    if (nodes.length > 0) report('leak', p, query, `timeline of an invisible account answered ${nodes.length} items`);
    return;
  }
  if (result.errors) {
    report('mismatch', p, query, `error: ${result.errors[0]?.message}`);
    return;
  }
  type Item = {
    sourceEntity: string;
    id: string;
    accountId: string | null;
    contactId: string | null;
    leadId: string | null;
  };
  for (const item of (result.data!.timeline as { nodes: Item[] }).nodes) {
    const set = p.readable.get(item.sourceEntity);
    if (set && !set.has(item.id))
      report('leak', p, query, `item ${item.sourceEntity} ${item.id} ${explainLater(p, item.sourceEntity, item.id)}`);
    if (item.contactId && !p.readable.get('contact')!.has(item.contactId))
      report('leak', p, query, `item's contact ${item.contactId}`);
    if (item.leadId && !p.readable.get('lead')!.has(item.leadId))
      report('leak', p, query, `item's lead ${item.leadId}`);
  }
  // Every readable interaction of the account is on it (a timeline that hides too much is wrong too).
  const got = new Set(
    (result.data!.timeline as { nodes: Item[] }).nodes.filter((n) => n.sourceEntity === 'interaction').map((n) => n.id),
  );
  const mine = rows
    .get('interaction')!
    .filter((i) => i.account_id === account.id && p.readable.get('interaction')!.has(i.id));
  if (mine.length <= 100)
    for (const i of mine) if (!got.has(i.id)) report('mismatch', p, query, `interaction ${i.id} missing`);
}

async function pipelineQuery(p: Person) {
  const owner = rnd.chance(0.4) ? rnd.pick(people).actor.id : undefined;
  const query = `{ pipelineByStage${owner ? `(filter: { ownerId: ${JSON.stringify(owner)} })` : ''} { pipelineId stage count } }`;
  const result = await send(p, query);
  if (result.errors) {
    if (!unreadable(p, 'opportunity')) report('mismatch', p, query, `error: ${result.errors[0]?.message}`);
    return;
  }
  const visible = p.readable.get('opportunity')!;
  const expected = new Map<string, number>();
  for (const o of rows.get('opportunity')!) {
    if (!visible.has(o.id) || (owner && o.owner_id !== owner)) continue;
    const k = `${o.pipeline_id}/${o.stage}`;
    expected.set(k, (expected.get(k) ?? 0) + 1);
  }
  for (const r of result.data!.pipelineByStage as { pipelineId: string; stage: string; count: number }[]) {
    const want = expected.get(`${r.pipelineId}/${r.stage}`) ?? 0;
    if (r.count > want) report('leak', p, query, `${r.stage}: ${r.count} > ${want}`);
    else if (r.count < want) report('mismatch', p, query, `${r.stage}: ${r.count} < ${want}`);
  }
}

async function hotspotsQuery(p: Person) {
  const query = '{ caseHotspots(first: 500) { accounts { accountId cases } } }';
  const result = await send(p, query);
  if (result.errors) {
    if (!unreadable(p, 'case')) report('mismatch', p, query, `error: ${result.errors[0]?.message}`);
    return;
  }
  const accounts = p.readable.get('account')!;
  const cases = p.readable.get('case')!;
  const expected = new Map<string, number>();
  for (const k of rows.get('case')!) {
    const account = k.account_id as string | null;
    if (!cases.has(k.id) || !account || !accounts.has(account)) continue;
    expected.set(account, (expected.get(account) ?? 0) + 1);
  }
  const got = (result.data!.caseHotspots as { accounts: { accountId: string; cases: number }[] }).accounts;
  for (const row of got) {
    const want = expected.get(row.accountId) ?? 0;
    if (!accounts.has(row.accountId)) report('leak', p, query, `hotspot of invisible account ${row.accountId}`);
    else if (row.cases > want) report('leak', p, query, `account ${row.accountId}: ${row.cases} cases > ${want}`);
    else if (row.cases < want) report('mismatch', p, query, `account ${row.accountId}: ${row.cases} cases < ${want}`);
  }
  if (got.length < 500 && got.length !== expected.size)
    report(
      got.length > expected.size ? 'leak' : 'mismatch',
      p,
      query,
      `${got.length} accounts, expected ${expected.size}`,
    );
}

/** A segment preview: the filter language of lists over accounts, contacts or leads, counted. */
async function segmentQuery(p: Person) {
  const entity = rnd.pick(['account', 'contact', 'lead']);
  const f = scalarFilter(p, entity);
  const json = JSON.parse(JSON.stringify(f.gql, (_k, v) => (v && typeof v === 'object' && 'enum' in v ? v.enum : v)));
  const query = `{ previewSegment(targetEntity: ${entity}, filter: ${lit(json)}, first: 100) { count members { id } } }`;
  const result = await send(p, query);
  const visible = p.readable.get(entity)!;
  const expected = new Set(
    rows
      .get(entity)!
      .filter((r) => visible.has(r.id) && f.test(r))
      .map((r) => r.id),
  );
  if (result.errors) {
    if (!unreadable(p, entity)) report('mismatch', p, query, `error: ${result.errors[0]?.message}`);
    return;
  }
  const page = result.data!.previewSegment as { count: number; members: { id: string }[] };
  if (page.count > expected.size) report('leak', p, query, `count ${page.count} > ${expected.size}`);
  else if (page.count < expected.size) report('mismatch', p, query, `count ${page.count} < ${expected.size}`);
  expectSet(
    p,
    query,
    `${entity} members`,
    page.members.map((m) => m.id),
    expected,
    expected.size <= 100,
  );
}

const probeOk = new Map<string, boolean>();

/** A hidden field named in a selection, a filter, a sort or a grouping: refused as unknown, nothing answered. */
async function hiddenQuery(p: Person, entity: string): Promise<boolean> {
  const hidden = oracle.hiddenFields(p.actor, entity).filter((f) => !['id'].includes(f));
  if (hidden.length === 0 || unreadable(p, entity)) return false;
  const field = rnd.pick(hidden);
  const definition = entities.find((e) => e.name === entity)!.fields.find((f) => f.name === field)!;
  const names = entityRootFieldNames(entities.find((e) => e.name === entity)!);
  const name = definition.type === 'relation' && definition.relation?.kind === 'manyToOne' ? `${field}Id` : field;
  const sub = definition.type === 'relation' ? ' { id }' : definition.type === 'currency' ? ' { amount currency }' : '';
  const probes = [
    `{ ${names.many}(first: 1) { nodes { id ${field}${sub} } } }`,
    `{ ${names.many}(filter: { ${definition.type === 'relation' ? name : field}: { isNull: false } }, first: 1) { totalCount } }`,
    `{ ${names.many}(orderBy: [{ field: ${field} }], first: 1) { totalCount } }`,
    `{ ${names.aggregate}(groupBy: [${name}]) { count } }`,
  ];
  // Only a probe the admin (who sees every field) gets answered can show the field is missing for this user.
  const valid: string[] = [];
  for (const probe of probes) {
    let ok = probeOk.get(probe);
    if (ok === undefined) {
      ok = !(await h.gql(probe)).errors;
      probeOk.set(probe, ok);
    }
    if (ok) valid.push(probe);
  }
  if (valid.length === 0) return false;
  const query = rnd.pick(valid);
  const result = await send(p, query);
  // Refused as an unknown name would be — not for a wrong shape, which would mean the field is there.
  const unknown = [field, name].flatMap((n) => [
    `Cannot query field "${n}"`,
    `Field "${n}" is not defined`,
    `Value "${n}" does not exist`,
  ]);
  if (!result.errors || result.data) {
    report('leak', p, query, `hidden field ${entity}.${field} answered: ${JSON.stringify(result.data).slice(0, 200)}`);
  } else if (!result.errors.some((e) => unknown.some((u) => e.message.includes(u)))) {
    report(
      'leak',
      p,
      query,
      `hidden field ${entity}.${field} is in the schema (refused for another reason): ${result.errors[0]?.message}`,
    );
  }
  return true;
}
describe('permissions: randomized leak test', () => {
  it('answers every generated query within the oracle set, for every user', async () => {
    const tested = Object.keys(TESTED);
    for (const p of people) {
      for (let i = 0; i < PER_USER; i++) {
        const entity = rnd.pick(tested);
        const kind = rnd.int(20);
        if (kind < 7) await listQuery(p, entity);
        else if (kind < 10) await getQuery(p, entity);
        else if (kind < 13) await aggregateQuery(p, entity);
        else if (kind < 14) await searchQuery(p);
        else if (kind < 15) await callerQuery(p);
        else if (kind < 16) await timelineQuery(p);
        else if (kind < 17) await [pipelineQuery, hotspotsQuery, segmentQuery][rnd.int(3)]!(p);
        else if (!(await hiddenQuery(p, entity))) await listQuery(p, entity);
      }
    }
    const sizes = people
      .map((p) => `${p.key} ${tested.map((e) => `${e}:${p.readable.get(e)!.size}`).join(',')}`)
      .join('; ');
    console.log(
      `permissions leak test: ${queries} queries, ${people.length} users, ${shares.length} shares, ${RULES.length} rules, ` +
        `${leaks.length} leaks, ${mismatches.length} mismatches (seed ${SEED}) — readable: ${sizes}`,
    );
    if (!capabilities.setUserRoles || !capabilities.shareRecord) {
      console.log(
        `permissions leak test: setUserRoles ${capabilities.setUserRoles}, shareRecord ${capabilities.shareRecord}`,
      );
    }
    const show = (list: typeof leaks) =>
      list
        .slice(0, 15)
        .map((l) => `[${l.user}] ${l.problem}\n    ${l.query}`)
        .join('\n');
    if (leaks.length) console.log(`LEAKS:\n${show(leaks)}`);
    if (explanations.length)
      console.log(
        `EXPLANATIONS:\n${(await Promise.all(explanations.slice(0, 30))).map((e, i) => `${i + 1}. ${e}`).join('\n')}`,
      );
    if (mismatches.length) console.log(`MISMATCHES:\n${show(mismatches)}`);
    expect(leaks).toEqual([]);
    expect(mismatches).toEqual([]);
  }, 600_000);

  it('assigns roles and shares records through the API (setUserRoles, shareRecord)', () => {
    expect(capabilities.setUserRoles, 'setUserRoles mutation').toBe(true);
    expect(capabilities.shareRecord, 'shareRecord mutation').toBe(true);
  });

  it('makes a share, its revocation, an owner change and a hierarchy change count on the very next request', async () => {
    const rep2 = people.find((p) => p.key === 'rep2')!;
    const rep4 = people.find((p) => p.key === 'rep4')!;
    const sees = async (id: string) => {
      const result = await rep2.client.gql<{ account: { id: string } | null }>(
        'query($id: ID!) { account(id: $id) { id } }',
        { id },
      );
      return result.data?.account?.id === id;
    };
    const hidden = rows.get('account')!.filter((a) => !rep2.readable.get('account')!.has(a.id));
    expect(hidden.length).toBeGreaterThan(3);
    const [shared, owned] = hidden;
    expect(await sees(shared!.id)).toBe(false);
    if (capabilities.shareRecord) {
      const share = await h.ok<{ shareRecord: { id: string } }>(
        `mutation { shareRecord(input: ${lit({ entity: 'account', id: shared!.id, userId: rep2.actor.id, access: 'read', reason: 'next request' })}) { id } }`,
      );
      expect(await sees(shared!.id), 'shared: the next request sees it').toBe(true);
      await h.ok('mutation($id: ID!) { revokeShare(id: $id) }', { id: share.shareRecord.id });
      expect(await sees(shared!.id), 'revoked: the next request does not').toBe(false);
    }
    const before = owned!.owner_id as string | null;
    await h.ok('mutation($id: ID!, $o: ID) { updateAccount(id: $id, input: { ownerId: $o }) { id } }', {
      id: owned!.id,
      o: rep2.actor.id,
    });
    expect(await sees(owned!.id), 'owner changed: the next request sees it').toBe(true);
    await h.ok('mutation($id: ID!, $o: ID) { updateAccount(id: $id, input: { ownerId: $o }) { id } }', {
      id: owned!.id,
      o: before,
    });
    expect(await sees(owned!.id), 'owner changed back: the next request does not').toBe(false);
    // rep4 starts reporting to rep2: rep4's private accounts become rep2's to see, at once.
    const ofRep4 = hidden.find((a) => a.owner_id === rep4.actor.id);
    if (ofRep4) {
      await h.ok('mutation($id: ID!, $m: ID) { updateUser(id: $id, input: { managerId: $m }) { id } }', {
        id: rep4.actor.id,
        m: rep2.actor.id,
      });
      expect(await sees(ofRep4.id), 'hierarchy changed: the next request sees it').toBe(true);
      await h.ok('mutation($id: ID!, $m: ID) { updateUser(id: $id, input: { managerId: $m }) { id } }', {
        id: rep4.actor.id,
        m: null,
      });
      expect(await sees(ofRep4.id), 'hierarchy changed back: the next request does not').toBe(false);
    }
  });
});
