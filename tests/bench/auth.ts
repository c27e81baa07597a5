// What checking credentials costs a read: the read scenarios sent with an admin's API token to two API
// servers of one engine, one as it runs (the token checked, remembered for IDENTITY_CACHE_MS by the
// IdentityCache) and one with `benchmarkWithoutAuthentication` (a bench-only server option: the first
// request's token is checked, every later one is taken to be the same person unseen). The two are measured
// interleaved (ABBA slices, see load.ts) from their own load processes, so the server's CPU per request on
// each side is this process's CPU over its slices; the difference is what authentication costs, plus noise.
// The check itself (IdentityCache.identify, a hit and a miss) is also timed alone in this process.
//
//   node --no-node-snapshot tests/bench/auth.ts [--accounts 1000] [--duration 6000] [--concurrency 4] [--write] [--out file]
//
// `--write` puts the figures in their own section of docs/benchmarks.md (or `--out <file>`), replacing that
// section if it is there and leaving the rest of the page alone.
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiServer, IDENTITY_CACHE_MS, IdentityCache } from '@touchpoint/api';
import { createTestDatabase, Engine, loadCoreEntities } from '@touchpoint/engine';
import { runLoads } from './load.ts';
import { type LoadProcess, startLoadProcess } from './load-process.ts';
import { writePageSection } from './page-section.ts';
import type { ScenarioKey } from './scenarios.ts';
import { seed } from './seed.ts';

const HEADING = '## Authentication: cost per request';
const SCENARIOS: ScenarioKey[] = ['getById', 'listWithContacts'];

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '4' },
    write: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const accounts = Number(values.accounts);
const durationMs = Number(values.duration);
const concurrency = Number(values.concurrency);
for (const [name, value, min] of [
  ['accounts', accounts, 50],
  ['duration', durationMs, 1000],
  ['concurrency', concurrency, 1],
] as const) {
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min}`);
}

const progress = (message: string) => process.stderr.write(`[bench auth] ${message}\n`);
const database = await createTestDatabase('tp_bench_auth');
const engine = await Engine.start({
  databaseUrl: database.url,
  dataDir: database.dataDir,
  coreEntities: loadCoreEntities(fileURLToPath(new URL('../../schemas/entities', import.meta.url))),
  poolSize: concurrency,
});
const servers: ReturnType<typeof createApiServer>[] = [];
const loads: LoadProcess[] = [];
try {
  progress(`seeding ${accounts} accounts and ${accounts * 5} contacts …`);
  const dataset = await seed(engine, { accounts });
  const { credentialId } = await engine.addUser('default', {
    email: 'bench@example.test',
    name: 'Bench',
    role: 'admin',
  });
  const { token } = await engine.identity.createToken(credentialId, 'bench', 1, credentialId, { channel: 'system' });

  const serve = async (benchmarkWithoutAuthentication: boolean) => {
    const server = createApiServer({ engine, rateLimit: false, benchmarkWithoutAuthentication });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const load = await startLoadProcess({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token,
      databaseUrl: database.url ?? '',
      poolSize: concurrency,
      accountIds: dataset.accountIds,
      expected: { pageSize: Math.min(50, dataset.accounts), accounts: dataset.accounts },
    });
    loads.push(load);
    return load;
  };
  const checked = await serve(false);
  const unchecked = await serve(true);

  const rows: string[] = [];
  const figures: Record<string, { with: number; without: number; rps: [number, number] }> = {};
  for (const scenario of SCENARIOS) {
    progress(`${scenario} · concurrency ${concurrency} · ${durationMs} ms per side`);
    const [withAuth, withoutAuth] = await runLoads(
      [checked.side({ kind: 'touchpoint', scenario }), unchecked.side({ kind: 'touchpoint', scenario })],
      { concurrency, durationMs },
    );
    for (const r of [withAuth!, withoutAuth!]) {
      if (r.errors > 0) throw new Error(`${scenario}: ${r.errors} failed requests, first: ${r.firstError}`);
    }
    figures[scenario] = {
      with: withAuth!.serverCpuMs,
      without: withoutAuth!.serverCpuMs,
      rps: [withAuth!.requestsPerSecond, withoutAuth!.requestsPerSecond],
    };
    const diff = withAuth!.serverCpuMs - withoutAuth!.serverCpuMs;
    rows.push(
      `| ${scenario} | ${withAuth!.requests} / ${withoutAuth!.requests} | ${Math.round(withAuth!.requestsPerSecond)} / ${Math.round(withoutAuth!.requestsPerSecond)} | ` +
        `${withAuth!.serverCpuMs.toFixed(3)} | ${withoutAuth!.serverCpuMs.toFixed(3)} | **${diff.toFixed(3)}** |`,
    );
  }

  // The check alone, in this process: what the server runs per request to know who asks. A hit is what
  // nearly every request pays; a miss (the token with its credential and memberships, then the viewer's user
  // record: two statements) once per credential per IDENTITY_CACHE_MS.
  const request = { headers: { authorization: `Bearer ${token}` } } as IncomingMessage;
  const timed = async (times: number, fn: () => Promise<unknown>) => {
    for (let i = 0; i < Math.min(times, 1000); i++) await fn();
    const before = process.cpuUsage();
    const began = performance.now();
    for (let i = 0; i < times; i++) await fn();
    const cpu = process.cpuUsage(before);
    return { cpuMs: (cpu.user + cpu.system) / 1000 / times, wallMs: (performance.now() - began) / times };
  };
  const warm = new IdentityCache(engine);
  const hit = await timed(200_000, () => warm.identify(request, undefined));
  const miss = await timed(300, () => new IdentityCache(engine).identify(request, undefined));

  const load = loadavg().map((l) => l.toFixed(2));
  const section = `${HEADING}

\`node --no-node-snapshot tests/bench/auth.ts\` (also part of \`pnpm bench\`), ${new Date().toISOString().slice(0, 10)}: ${accounts}
accounts, ${accounts * 5} contacts; ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), PostgreSQL on
the same machine (${database.kind}); machine load (1/5/15 min) at the end: ${load.join(' / ')}. Closed loop,
concurrency ${concurrency}, ${durationMs / 1000} s per side in interleaved slices. Every request carries an admin's
API token (\`Authorization: Bearer …\`). *checked*: the server as it runs — the token checked and remembered
for 2 s by the IdentityCache (engine clock; forgotten on every instance when a revocation commits, by
PostgreSQL LISTEN/NOTIFY, which costs a request nothing), so nearly every request is a cache hit; *unchecked*: the same server
code with the bench-only \`benchmarkWithoutAuthentication\` option (the first request checked, every later one
taken as the same person unseen). Server CPU is the Touchpoint server process's (this bench's) user + system CPU
over its slices, per request; the load generators run in their own processes.

| scenario | requests checked / unchecked | req/s checked / unchecked | server CPU ms/req checked | unchecked | authentication ms/req |
|---|--:|--:|--:|--:|--:|
${rows.join('\n')}

The check alone, timed in the server's process: a cache hit (what nearly every request runs: the header read,
one map lookup, the engine clock, whether the revocation watch listens) **${(hit.cpuMs * 1000).toFixed(2)} µs** of CPU (mean of 200,000); a miss (once
per token or session per ${IDENTITY_CACHE_MS / 1000} s per server: the token with its credential and memberships, then the
viewer's user record, two statements) ${miss.cpuMs.toFixed(3)} ms of CPU and ${miss.wallMs.toFixed(3)} ms of wall time
(mean of 300), which spread over the ${Math.round(IDENTITY_CACHE_MS / 1000)} s of requests at the getById rate above is
${(miss.cpuMs / ((figures.getById?.rps[0] ?? 1) * (IDENTITY_CACHE_MS / 1000))).toFixed(5)} ms per request for one client. The aim is under 0.05 ms of server CPU per request. The HTTP columns differ by the check plus the
noise of a shared machine (the table's difference can come out larger, or below zero, than the check itself);
the in-process figure is the check's own cost.
`;
  process.stdout.write(`${section}\n`);
  if (values.write || values.out) {
    writePageSection(
      values.out ?? fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url)),
      HEADING,
      section,
    );
  }
} finally {
  for (const load of loads) await load.close();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await engine.close();
  await database.drop();
}
