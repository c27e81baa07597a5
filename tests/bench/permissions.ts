// What record-level permissions cost a read (issue 12 §5): accounts and contacts owned by the reps of a
// three-level management hierarchy (a director, managers, reps), 20 teams, territories with child territories
// and 50 criteria sharing rules; the nested list (50 accounts × 5 contacts) and the aggregate (accounts by
// industry) sent as a rep and as a manager — each against the same requests as an admin with "view all",
// measured interleaved (ABBA slices) at the given concurrency from a load process of their own. Then the
// latency of a permission-filtered count and first page as a rep (concurrency 1), and how soon a share or an
// owner change takes effect (the next request of the user, or how many requests later).
//
//   node --no-node-snapshot tests/bench/permissions.ts [--accounts 100000] [--contacts 5] [--duration 8000]
//        [--concurrency 16] [--write] [--out file]
//
// `--write` puts the figures in their own section of docs/benchmarks.md (or `--out <file>`), replacing that
// section if it is there and leaving the rest of the page alone.
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiServer } from '@touchpoint/api';
import {
  createTestDatabase,
  DEFAULT_WORKSPACE,
  Engine,
  loadCoreEntities,
  loadCorePermissions,
  SHARE_TABLE,
} from '@touchpoint/engine';
import type { PermissionModel, SharingRule } from '@touchpoint/schema';
import pg from 'pg';
import { percentile, runLoads } from './load.ts';
import { type LoadProcess, startLoadProcess } from './load-process.ts';
import { writePageSection } from './page-section.ts';
import { graphqlClient, QUERIES } from './scenarios.ts';

const HEADING = '## Permissions: record-level sharing on the read path';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '100000' },
    contacts: { type: 'string', default: '5' },
    duration: { type: 'string', default: '8000' },
    concurrency: { type: 'string', default: '16' },
    write: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const accounts = Number(values.accounts);
const contactsPer = Number(values.contacts);
const durationMs = Number(values.duration);
const concurrency = Number(values.concurrency);
for (const [name, value, min] of [
  ['accounts', accounts, 1000],
  ['contacts', contactsPer, 1],
  ['duration', durationMs, 1000],
  ['concurrency', concurrency, 1],
] as const) {
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min}`);
}

const MANAGERS = 4;
const REPS = 40;
const TEAMS = 20;
const TOP_TERRITORIES = 10;
const RULES = 50;
const INDUSTRIES = [
  'manufacturing',
  'technology',
  'finance',
  'retail',
  'healthcare',
  'education',
  'government',
  'other',
];
const TYPES = ['customer', 'prospect', 'partner', 'competitor'];
const RATINGS = ['hot', 'warm', 'cold'];

const progress = (message: string) => process.stderr.write(`[bench permissions] ${message}\n`);
const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

// 50 criteria rules: most for the roles nobody of the hierarchy holds (they must cost the rep nothing), a few
// for the reps' own role (they add to what a rep, and so a manager, sees: rare combinations of three selects).
const rules: SharingRule[] = Array.from({ length: RULES }, (_, i) => {
  const role = i % 10 === 0 ? 'salesRep' : ['readOnly', 'serviceAgent', 'marketing'][i % 3]!;
  return {
    name: `benchRule${i}`,
    labels: { en: `Bench rule ${i}`, 'zh-CN': `测试规则 ${i}` },
    entity: 'account',
    condition: {
      industry: { eq: INDUSTRIES[i % INDUSTRIES.length]! },
      type: { eq: TYPES[Math.floor(i / 8) % TYPES.length]! },
      rating: { eq: RATINGS[i % RATINGS.length]! },
    },
    role,
    access: i % 2 === 0 ? 'read' : 'edit',
  };
});

const entities = loadCoreEntities(root('schemas/entities'));
const core = loadCorePermissions(root('schemas/permissions'), entities);
const model: PermissionModel = {
  roles: core.roles,
  sharing: { ...core.sharing, rules: [...core.sharing.rules, ...rules] },
};

const database = await createTestDatabase('tp_bench_permissions');
const engine = await Engine.start({
  databaseUrl: database.url,
  dataDir: database.dataDir,
  coreEntities: entities,
  corePermissions: model,
  poolSize: concurrency,
});
const server = createApiServer({ engine, rateLimit: false });
const loads: LoadProcess[] = [];
try {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started = performance.now();

  // People: an admin, a director, managers reporting to the director, reps reporting to the managers.
  const person = async (key: string, role: string) => {
    const { userId, credentialId } = await engine.addUser(DEFAULT_WORKSPACE, {
      email: `${key}@bench.test`,
      name: `Bench ${key}`,
      role,
    });
    const { token } = await engine.identity.createToken(credentialId, 'bench', 1, credentialId, { channel: 'system' });
    return { userId, token, role };
  };
  const admin = await person('admin', 'admin');
  const director = await person('director', 'salesManager');
  const managers = [];
  for (let i = 0; i < MANAGERS; i++) managers.push(await person(`manager${i}`, 'salesManager'));
  const reps = [];
  for (let i = 0; i < REPS; i++) reps.push(await person(`rep${i}`, 'salesRep'));
  const records = engine.records({ workspace: DEFAULT_WORKSPACE, actor: 'system' });
  for (const m of managers) await records.update('user', m.userId, { manager: director.userId });

  const adminClient = graphqlClient(url, admin.token);
  const mutations = new Set(
    (
      await adminClient.post<{ __schema: { mutationType: { fields: { name: string }[] } } }>(
        '{ __schema { mutationType { fields { name } } } }',
      )
    ).data!.__schema.mutationType.fields.map((f) => f.name),
  );
  const enforced = typeof (engine as { permissions?: unknown }).permissions === 'object';
  if (mutations.has('setUserRoles')) {
    for (const p of [director, ...managers, ...reps]) {
      await adminClient.post(
        'mutation($u: ID!, $r: [String!]!) { setUserRoles(userId: $u, roles: $r) { __typename } }',
        {
          u: p.userId,
          r: [p.role],
        },
      );
    }
  } else if (enforced) {
    // Until the API assigns roles: the role-assignment table of the design (PERMISSIONS.md, Storage).
    const workspace = await engine.getWorkspace(DEFAULT_WORKSPACE);
    for (const p of [director, ...managers, ...reps])
      await engine.db.query(
        'insert into touchpoint.role_assignment (workspace_id, user_id, role) values ($1, $2, $3)',
        [workspace.id, p.userId, p.role],
      );
    engine.permissions.invalidate(DEFAULT_WORKSPACE);
  } else progress('permissions are not enforced on this branch: the figures compare equal work');

  // Territories (10 top, 3 children each), teams (each managed by a manager, with a territory), reps in teams.
  const territoryIds: string[] = [];
  for (let i = 0; i < TOP_TERRITORIES; i++) {
    const top = (await records.create('territory', { name: `Territory ${i}`, owner: managers[i % MANAGERS]!.userId }))
      .id;
    territoryIds.push(top);
    for (let c = 0; c < 3; c++)
      territoryIds.push((await records.create('territory', { name: `Territory ${i}.${c}`, parentTerritory: top })).id);
  }
  const teamIds: string[] = [];
  for (let i = 0; i < TEAMS; i++) {
    teamIds.push(
      (
        await records.create('team', {
          name: `Team ${i}`,
          manager: managers[i % MANAGERS]!.userId,
          territory: i % 2 === 0 ? territoryIds[i * 2] : undefined,
        })
      ).id,
    );
  }
  for (const [i, r] of reps.entries()) {
    await records.update('user', r.userId, { manager: managers[i % MANAGERS]!.userId, team: teamIds[i % TEAMS] });
  }

  // Accounts and contacts by INSERT … SELECT generate_series: every account owned by a rep, a fifth with a
  // territory; contacts spread over the accounts, owned by their account's owner.
  progress(`inserting ${accounts} accounts and ${accounts * contactsPer} contacts …`);
  const metadata = await engine.metadata(DEFAULT_WORKSPACE);
  const schema = `"${metadata.workspace.schemaName}"`;
  const repIds = reps.map((r) => r.userId);
  // A connection of its own, without the engine's statement time limit: a bulk load is not a request.
  const bulk = new pg.Client({ connectionString: database.url });
  await bulk.connect();
  try {
    const CHUNK = 20_000;
    for (let from = 0; from < accounts; from += CHUNK) {
      await bulk.query(
        `insert into ${schema}."account" (id, name, owner_id, territory_id, industry, type, rating, created_by, updated_by)
         select gen_random_uuid(), 'Bench account ' || i, ($1::uuid[])[1 + (i * 7919) % $2],
           case when i % 5 = 0 then ($3::uuid[])[1 + i % $4] end,
           ($5::text[])[1 + i % 8], ($6::text[])[1 + (i / 8) % 4], ($7::text[])[1 + (i / 3) % 3], 'bench', 'bench'
         from generate_series($8::int, $9::int - 1) i`,
        [
          repIds,
          repIds.length,
          territoryIds,
          territoryIds.length,
          INDUSTRIES,
          TYPES,
          RATINGS,
          from,
          Math.min(accounts, from + CHUNK),
        ],
      );
    }
    await bulk.query(
      `create temporary table bench_accounts as
       select id, owner_id, row_number() over (order by id) as r from ${schema}."account"`,
    );
    for (let from = 0; from < accounts; from += CHUNK) {
      await bulk.query(
        `insert into ${schema}."contact" (id, first_name, last_name, email, account_id, owner_id, created_by, updated_by)
         select gen_random_uuid(), 'Ada', 'Contact ' || n, 'c' || n || '@bench.example', a.id, a.owner_id, 'bench', 'bench'
         from bench_accounts a, generate_series(1, $1::int) k, lateral (select (a.r - 1) * $1 + k as n) x
         where a.r > $2 and a.r <= $3`,
        [contactsPer, from, from + CHUNK],
      );
    }
    await bulk.query(`vacuum (analyze) ${schema}."account"`);
    await bulk.query(`vacuum (analyze) ${schema}."contact"`);
  } finally {
    await bulk.end();
  }
  const seedMs = performance.now() - started;
  progress(`seeded in ${(seedMs / 1000).toFixed(1)} s`);

  const rep = reps[0]!;
  const manager = managers[0]!;
  const count = async (token: string) =>
    (
      await graphqlClient(url, token).post<{ accounts: { totalCount: number } }>(
        '{ accounts(first: 1) { totalCount } }',
      )
    ).data!.accounts.totalCount;
  const visible = { rep: await count(rep.token), manager: await count(manager.token), admin: await count(admin.token) };
  progress(`accounts visible: rep ${visible.rep}, manager ${visible.manager}, admin ${visible.admin}`);

  const load = await startLoadProcess({
    url,
    token: admin.token,
    databaseUrl: database.url ?? '',
    poolSize: concurrency,
    accountIds: [],
    expected: { pageSize: 50, accounts },
  });
  loads.push(load);
  const side = (token: string, query: string) => load.side({ kind: 'graphql', token, query });
  const scenarios = [
    ['nested list (50 accounts × 5 contacts)', QUERIES.listWithContacts],
    ['aggregate (accounts by industry)', QUERIES.countByIndustry],
  ] as const;
  const rows: string[] = [];
  const ratios: number[] = [];
  for (const [label, query] of scenarios) {
    for (const [who, p] of [
      ['rep', rep],
      ['manager', manager],
    ] as const) {
      progress(`${label} · ${who} vs admin · concurrency ${concurrency} · ${durationMs} ms per side`);
      const [user, viewAll] = await runLoads([side(p.token, query), side(admin.token, query)], {
        concurrency,
        durationMs,
      });
      for (const r of [user!, viewAll!]) {
        if (r.errors > 0) throw new Error(`${label} as ${who}: ${r.errors} failed requests, first: ${r.firstError}`);
      }
      const ratio = user!.requestsPerSecond / viewAll!.requestsPerSecond;
      ratios.push(ratio);
      rows.push(
        `| ${label} | ${who} | ${Math.round(user!.requestsPerSecond)} | ${user!.p50.toFixed(1)} / ${user!.p95.toFixed(1)} | ` +
          `${Math.round(viewAll!.requestsPerSecond)} | ${viewAll!.p50.toFixed(1)} / ${viewAll!.p95.toFixed(1)} | **${ratio.toFixed(2)}×** |`,
      );
    }
  }

  // A permission-filtered count and first page as a rep, one at a time: the latency a user waits.
  const latency = async (token: string, query: string, n = 300) => {
    const client = graphqlClient(url, token);
    for (let i = 0; i < 30; i++) await client.post(query);
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await client.post(query);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p95: percentile(times, 95) };
  };
  const COUNT = '{ accounts(first: 1) { totalCount } }';
  const FIRST_PAGE = '{ accounts(first: 50, orderBy: [{ field: name }]) { nodes { id name industry } } }';
  const latencies = [
    ['count (totalCount)', 'rep', await latency(rep.token, COUNT)],
    ['count (totalCount)', 'manager', await latency(manager.token, COUNT)],
    ['count (totalCount)', 'admin', await latency(admin.token, COUNT)],
    ['first page (50 by name)', 'rep', await latency(rep.token, FIRST_PAGE)],
    ['first page (50 by name)', 'manager', await latency(manager.token, FIRST_PAGE)],
    ['first page (50 by name)', 'admin', await latency(admin.token, FIRST_PAGE)],
  ] as const;

  // How soon a change takes effect: after the admin's mutation answers, the rep's very next request.
  const changeRows: string[] = [];
  const repClient = graphqlClient(url, rep.token);
  const sees = async (id: string) =>
    (
      await repClient.post<{ accountsAggregate: { count: number }[] }>(
        `{ accountsAggregate(filter: { id: { eq: ${JSON.stringify(id)} } }) { count } }`,
      )
    ).data!.accountsAggregate[0]?.count === 1;
  const others = await engine.db.query<{ id: string }>(
    `select id::text as id from ${schema}."account" where owner_id <> $1 and territory_id is null order by id limit 400`,
    [rep.userId],
  );
  const trial = async (
    label: string,
    change: (id: string) => Promise<unknown>,
    expectVisible: boolean,
    ids: string[],
  ) => {
    let next = 0;
    let later = 0;
    let never = 0;
    const mutationMs: number[] = [];
    for (const id of ids) {
      await sees(id); // the rep's grants are cached as they would be in use
      const t0 = performance.now();
      await change(id);
      mutationMs.push(performance.now() - t0);
      let attempts = 0;
      while (attempts < 20 && (await sees(id)) !== expectVisible) attempts++;
      if (attempts === 0) next++;
      else if (attempts < 20) later++;
      else never++;
    }
    mutationMs.sort((a, b) => a - b);
    changeRows.push(
      `| ${label} | ${ids.length} | ${next} | ${later} | ${never} | ${percentile(mutationMs, 50).toFixed(1)} |`,
    );
  };
  // Accounts the rep cannot see now (no rule, team or territory of theirs reaches them either).
  const ids: string[] = [];
  for (const r of others) if (ids.length < 40 && !(await sees(r.id))) ids.push(r.id);
  const viaApi = mutations.has('shareRecord');
  if (enforced) {
    const shareIds = new Map<string, string>();
    const shareTable = `${schema}."${SHARE_TABLE}"`;
    if (!viaApi) await engine.permissions.ensureShareTable(metadata.workspace.schemaName);
    await trial(
      viaApi
        ? 'share with the rep (read)'
        : 'share with the rep (read; the share row written in SQL: no shareRecord yet)',
      async (id) => {
        if (viaApi) {
          const answer = await adminClient.post<{ shareRecord: { id: string } }>(
            `mutation($i: ShareRecordInput!) { shareRecord(input: $i) { id } }`,
            { i: { entity: 'account', id, userId: rep.userId, access: 'read', reason: 'bench' } },
          );
          shareIds.set(id, answer.data!.shareRecord.id);
        } else {
          const [row] = await engine.db.query<{ id: string }>(
            `insert into ${shareTable} (id, entity, record_id, user_id, access, reason, created_by, created_at)
             values (gen_random_uuid(), 'account', $1, $2, 'read', 'bench', 'bench', now()) returning id::text as id`,
            [id, rep.userId],
          );
          shareIds.set(id, row!.id);
        }
      },
      true,
      ids.slice(0, 20),
    );
    await trial(
      viaApi ? 'revoke that share' : 'revoke that share (the row deleted in SQL)',
      (id) =>
        viaApi
          ? adminClient.post('mutation($id: ID!) { revokeShare(id: $id) }', { id: shareIds.get(id) })
          : engine.db.query(`delete from ${shareTable} where id = $1`, [shareIds.get(id)]),
      false,
      ids.slice(0, 20),
    );
  }
  if (enforced) {
    await trial(
      'owner changed to the rep',
      (id) =>
        adminClient.post('mutation($id: ID!, $o: ID!) { updateAccount(id: $id, input: { ownerId: $o }) { id } }', {
          id,
          o: rep.userId,
        }),
      true,
      ids.slice(20, 40),
    );
  }

  const load1 = loadavg().map((l) => l.toFixed(2));
  const minRatio = Math.min(...ratios);
  const section = `${HEADING}

\`node --no-node-snapshot tests/bench/permissions.ts\`, ${new Date().toISOString().slice(0, 10)}: ${accounts.toLocaleString('en')} accounts,
${(accounts * contactsPer).toLocaleString('en')} contacts (controlled by their account), every account owned by one of ${REPS} reps; a three-level
management hierarchy (1 director, ${MANAGERS} managers, ${REPS} reps by \`user.manager\`), ${TEAMS} teams (reps as members,
managers as team managers, half with a territory), ${TOP_TERRITORIES * 4} territories (${TOP_TERRITORIES} owned by managers, 3 children each; a fifth of
the accounts in one), ${RULES} criteria sharing rules on account (5 for salesRep, the rest for roles nobody here holds).
Seeded in ${(seedMs / 1000).toFixed(0)} s. ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), PostgreSQL on the same machine
(${database.kind}); load (1/5/15 min) at the end: ${load1.join(' / ')}. ${enforced ? '' : '**Permissions were not enforced on this branch: every side did the same work.** '}${mutations.has('setUserRoles') ? '' : 'Roles assigned in the role-assignment table (no `setUserRoles` in the API yet). '}Accounts visible: rep ${visible.rep.toLocaleString('en')}, manager ${visible.manager.toLocaleString('en')} (the salesManager role is above salesRep, so a
manager sees every rep's accounts), admin ${visible.admin.toLocaleString('en')} (view all).

Closed loop, concurrency ${concurrency}, ${durationMs / 1000} s per side in interleaved slices, each user with an API token; the admin holds
"view all", so their requests carry no sharing predicate. Aim: ≥ 0.8× the admin's throughput.

| request | as | req/s | p50 / p95 ms | admin req/s | admin p50 / p95 ms | ratio |
|---|---|--:|--:|--:|--:|--:|
${rows.join('\n')}

Lowest ratio: **${minRatio.toFixed(2)}×**.

One request at a time (300 after 30 to warm up), the latency a user waits. Aim: a permission-filtered count or first page
under 20 ms p95.

| request | as | p50 ms | p95 ms |
|---|---|--:|--:|
${latencies.map(([what, who, l]) => `| ${what} | ${who} | ${l.p50.toFixed(2)} | ${l.p95.toFixed(2)} |`).join('\n')}

When a change takes effect: the admin changes access to an account the rep could not see, then the rep asks for it
(\`accountsAggregate(filter: { id })\`); *next request* counts the changes the rep's very next request reflected.

| change | trials | next request | a later request | not within 20 | mutation p50 ms |
|---|--:|--:|--:|--:|--:|
${changeRows.length ? changeRows.join('\n') : '| (shareRecord / setUserRoles not in the API on this branch) | 0 | 0 | 0 | 0 | 0 |'}
`;
  process.stdout.write(`${section}\n`);
  if (values.write || values.out) {
    writePageSection(values.out ?? root('docs/benchmarks.md'), HEADING, section);
  }
} finally {
  for (const load of loads) await load.close();
  await new Promise((resolve) => server.close(resolve));
  await engine.close();
  await database.drop();
}
