// What the audit trail costs a batch create: `createAccounts` of 1,000 accounts over HTTP (two requests of
// 500, the most one call takes) with the audit trail as it runs, and with record writes left out of the log
// (`benchmarkWithoutRecordAudit`, an engine option for this measurement only). Both servers share one
// database and take turns, so drift on a shared machine falls on both alike.
//
//   node --no-node-snapshot tests/bench/audit.ts [--rounds 12] [--write] [--out file]
//
// `--write` puts the figures in their own section of docs/benchmarks.md (or `--out <file>`), replacing that
// section if it is there and leaving the rest of the page alone.
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiServer } from '@touchpoint/api';
import { createTestDatabase, Engine, loadCoreEntities, MAX_BATCH } from '@touchpoint/engine';
import { writePageSection } from './page-section.ts';

const HEADING = '## Audit trail: cost on createAccounts';
const ROWS = 1000;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '12' },
    write: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 3)
  throw new Error(`--rounds must be a whole number of at least 3, got '${values.rounds}'`);

const coreEntities = loadCoreEntities(fileURLToPath(new URL('../../schemas/entities', import.meta.url)));
const database = await createTestDatabase('tp_bench_audit');
const start = (benchmarkWithoutRecordAudit: boolean) =>
  Engine.start({
    databaseUrl: database.url,
    dataDir: database.dataDir,
    coreEntities,
    poolSize: 4,
    benchmarkWithoutRecordAudit,
  });
const audited = await start(false);
const unaudited = await start(true);

// Every request is signed in, as every client's must be: an admin's API token (the engines share the database,
// so one credential serves both servers). The rate limit is off: one client sending batches is what it stops.
const { credentialId } = await audited.addUser('default', {
  email: 'bench@example.test',
  name: 'Bench',
  role: 'admin',
});
const { token } = await audited.identity.createToken(credentialId, 'bench', 1, credentialId, { channel: 'system' });

async function serve(engine: Engine) {
  const server = createApiServer({ engine, rateLimit: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}
const servers = { with: await serve(audited), without: await serve(unaudited) };

const MUTATION = 'mutation($inputs: [AccountInput!]!) { createAccounts(inputs: $inputs) { id } }';
let serial = 0;
/** Creates 1,000 accounts in calls of MAX_BATCH; answers the seconds it took. */
async function createAccounts(url: string): Promise<number> {
  const began = performance.now();
  for (let done = 0; done < ROWS; done += MAX_BATCH) {
    const inputs = Array.from({ length: Math.min(MAX_BATCH, ROWS - done) }, () => {
      const n = ++serial;
      return {
        name: `Bench account ${n}`,
        phone: `+86 10 ${String(60000000 + n)}`,
        email: `account${n}@example.com`,
        city: 'Beijing',
      };
    });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: MUTATION, variables: { inputs } }),
    });
    const body = (await response.json()) as { errors?: unknown; data?: { createAccounts: unknown[] } };
    if (body.errors || body.data?.createAccounts.length !== inputs.length)
      throw new Error(`createAccounts failed: ${JSON.stringify(body.errors)}`);
  }
  return (performance.now() - began) / 1000;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
try {
  // Warm-up: metadata loaded, plans cached, JIT warm on both sides.
  for (let i = 0; i < 2; i++) {
    await createAccounts(servers.with.url);
    await createAccounts(servers.without.url);
  }
  const times = { with: [] as number[], without: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always meets the other's checkpoint or autovacuum.
    const order = round % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const);
    for (const side of order) times[side].push(await createAccounts(servers[side].url));
  }
  const [auditRows] = await audited.db.query<{ n: number }>(
    `select count(*)::int as n from touchpoint.audit_log where action = 'record.created' and entity = 'account'`,
  );
  const expected = (rounds + 2) * ROWS;
  if (auditRows!.n !== expected) throw new Error(`expected ${expected} audit rows, found ${auditRows!.n}`);
  const rate = (seconds: number[]) =>
    ROWS /
    percentile(
      [...seconds].sort((a, b) => a - b),
      50,
    );
  const withRate = rate(times.with);
  const withoutRate = rate(times.without);
  const best = (seconds: number[]) => ROWS / Math.min(...seconds);
  const report = `createAccounts of ${ROWS.toLocaleString('en')} accounts over HTTP (${ROWS / MAX_BATCH} calls of ${MAX_BATCH}), ${rounds} rounds each, taking turns:
  with the audit trail:     median ${Math.round(withRate).toLocaleString('en')} records/s   best ${Math.round(best(times.with)).toLocaleString('en')} records/s
  without (bench option):   median ${Math.round(withoutRate).toLocaleString('en')} records/s   best ${Math.round(best(times.without)).toLocaleString('en')} records/s
  ratio with / without:     ${(withRate / withoutRate).toFixed(2)}x (aim: at least 0.80x)
  audit rows written (with): ${auditRows!.n.toLocaleString('en')}, one per account, appended by each call's INSERT statement
${database.kind}, Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), load ${loadavg()[0]!.toFixed(2)}`;
  console.log(report);
  if (values.write || values.out) {
    const file = values.out ?? fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    writePageSection(
      file,
      HEADING,
      `${HEADING}

\`node --no-node-snapshot tests/bench/audit.ts\` (also part of \`pnpm bench\`). The GraphQL \`createAccounts\`
mutation over HTTP against two servers on one database: one as it runs (each batch appends one audit row per
account with every given field as \`{ old: null, new }\`, built in SQL from the inserted rows by the
batch's own INSERT statement, a data-modifying CTE), one with record writes left out of the audit log
(\`benchmarkWithoutRecordAudit\`, an engine option for this measurement only).

\`\`\`
${report}
\`\`\`
`,
    );
  }
} finally {
  for (const { server } of Object.values(servers)) server.close();
  await audited.close();
  await unaudited.close();
  await database.drop();
}
