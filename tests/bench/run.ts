// `pnpm bench`: measures Touchpoint's read path, over HTTP and GraphQL, against a hand-written SQL baseline
// on the same data.
//
//   pnpm bench [--accounts 10000] [--seed auto|records|sql] [--duration 5000] [--warmup 1000]
//              [--concurrency 1,4,16] [--scenarios a,b] [--skip-breakdown] [--write] [--out file]
//
// Starts a real Touchpoint on a fresh database, seeds it through Touchpoint, checks that baseline and
// Touchpoint return the same records, runs each scenario closed-loop at each concurrency and prints a
// markdown table; `--write` also writes docs/benchmarks.md (or `--out <file>`) with the machine it ran on.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BASELINE_SQL, baselineReads } from './baseline.ts';
import { breakdownMarkdown, measureLayers, nestedListLayers } from './breakdown.ts';
import { postgresCpuProbe } from './cpu.ts';
import { runLoads } from './load.ts';
import { startLoadProcess } from './load-process.ts';
import { type Aim, aimLines, benchmarksPage, type Measurement, resultTable } from './report.ts';
import {
  checkSameAnswers,
  graphqlClient,
  type ScenarioKey,
  statementsPerRequest,
  touchpointReads,
} from './scenarios.ts';
import { type SeedVia, seed } from './seed.ts';
import { startTouchpoint } from './touchpoint.ts';

const SCENARIOS: { key: ScenarioKey; name: string }[] = [
  { key: 'getById', name: 'account by id' },
  { key: 'listScalars', name: 'first 50 accounts (scalars)' },
  { key: 'listWithContacts', name: '50 accounts × first 5 contacts' },
  { key: 'countByIndustry', name: 'count accounts by industry' },
];

/** The issue's aim: the nested list at ≥ 50% of the baseline's throughput, p95 under 50 ms at concurrency 16. */
const AIMS: Aim[] = [{ scenario: '50 accounts × first 5 contacts', concurrency: 16, minRatio: 0.5, maxP95Ms: 50 }];

const USAGE = `usage: pnpm bench [options]
  --accounts N          accounts to seed (default 10000); contacts are 5 × N
  --seed auto|records|sql
                        how to seed: the record service, multi-row INSERTs, or auto (records up to 10000
                        accounts, INSERTs above; default)
  --duration ms         measured time per row (default 5000)
  --warmup ms           warm-up per row, not measured (default 1000; 0 skips it)
  --concurrency 1,4,16  requests in flight (default 1,4,16)
  --scenarios a,b       only these scenarios (${SCENARIOS.map((s) => s.key).join(', ')}; default all)
  --skip-breakdown      skip the layer-by-layer measurement of the nested list
  --write               write docs/benchmarks.md
  --out file            write the page to this file instead`;

function positiveInteger(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${value}'\n${USAGE}`);
  return n;
}

function options() {
  // `pnpm bench -- --accounts 100` hands the `--` through; it is not an argument.
  const args = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
  const { values } = parseArgs({
    args,
    options: {
      accounts: { type: 'string', default: '10000' },
      seed: { type: 'string', default: 'auto' },
      duration: { type: 'string', default: '5000' },
      warmup: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '1,4,16' },
      scenarios: { type: 'string' },
      'skip-breakdown': { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!['auto', 'records', 'sql'].includes(values.seed)) {
    throw new Error(`--seed must be auto, records or sql, got '${values.seed}'\n${USAGE}`);
  }
  const scenarios = values.scenarios?.split(',').map((s) => s.trim()) ?? SCENARIOS.map((s) => s.key);
  const unknown = scenarios.filter((key) => !SCENARIOS.some((s) => s.key === key));
  if (unknown.length > 0) throw new Error(`--scenarios: unknown ${unknown.join(', ')}\n${USAGE}`);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  return {
    accounts: positiveInteger('accounts', values.accounts),
    seed: values.seed as SeedVia | 'auto',
    durationMs: positiveInteger('duration', values.duration),
    warmupMs: values.warmup === '0' ? 0 : positiveInteger('warmup', values.warmup),
    concurrency: values.concurrency.split(',').map((c) => positiveInteger('concurrency', c.trim())),
    scenarios: SCENARIOS.filter((s) => scenarios.includes(s.key)),
    breakdown: !values['skip-breakdown'],
    out: values.out ? resolve(values.out) : values.write ? resolve(root, 'docs/benchmarks.md') : undefined,
    command: `pnpm bench ${args.join(' ')}`.trim(),
    root,
  };
}

/** `commit abc1234`, plus a note when the core schemas on disk are not the committed ones. */
function revision(root: string): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  try {
    const schemasChanged = git('status', '--porcelain', '--', 'schemas/entities') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${schemasChanged ? ' with uncommitted changes in schemas/entities' : ''}`;
  } catch {
    return 'unknown revision (no git)';
  }
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<number> {
  const opts = options();
  const loadAtStart = loadavg()[0]!;
  const poolSize = Math.max(...opts.concurrency);
  const touchpoint = await startTouchpoint({ poolSize });
  let loadProcess: Awaited<ReturnType<typeof startLoadProcess>> | undefined;
  try {
    const { engine } = touchpoint;
    const versionRows = await engine.db.query<{ server_version: string }>('show server_version');
    const postgresVersion = versionRows[0]?.server_version ?? 'unknown';
    const columnRows = await engine.db.query<{ table_name: string; columns: number }>(
      `select table_name, count(*)::int as columns from information_schema.columns
       where table_schema = 'ws_default' and table_name in ('account', 'contact') group by table_name`,
    );
    const columns = (table: string) => columnRows.find((r) => r.table_name === table)?.columns ?? 0;
    progress(`seeding ${opts.accounts} accounts and ${opts.accounts * 5} contacts through Touchpoint …`);
    const dataset = await seed(engine, { accounts: opts.accounts, via: opts.seed });
    progress(
      `seeded ${dataset.accounts} accounts and ${dataset.contacts} contacts via ${dataset.via} in ${(dataset.ms / 1000).toFixed(1)} s (${touchpoint.database.kind})`,
    );

    const baseline = baselineReads(engine.db.pool);
    const reads = touchpointReads(graphqlClient(touchpoint.url, touchpoint.token));
    await checkSameAnswers(baseline, reads, dataset.accountIds[0]!);
    progress('baseline and Touchpoint return the same records');

    const databaseCpu = await postgresCpuProbe(engine.db.pool);
    if (!databaseCpu) progress('PostgreSQL CPU cannot be read from /proc here; the PG CPU columns stay empty');
    const expected = { pageSize: Math.min(50, dataset.accounts), accounts: dataset.accounts };
    // Requests are sent from a process of their own; the baseline's pg pool there has Touchpoint's pool size,
    // so both sides wait for connections alike. It connects like any client, which the embedded database
    // (one session, reached through the engine) does not offer.
    const databaseUrl = touchpoint.database.url;
    if (!databaseUrl)
      throw new Error('the bench needs a PostgreSQL server at 127.0.0.1:5432 (the embedded one serves one session)');
    loadProcess = await startLoadProcess({
      url: touchpoint.url,
      token: touchpoint.token,
      databaseUrl,
      poolSize,
      accountIds: dataset.accountIds,
      expected,
    });
    const load = loadProcess;
    const samples: Record<ScenarioKey, (debug: boolean) => Promise<{ extensions?: { sqlStatements?: number } }>> = {
      getById: (debug) => reads.getById(dataset.accountIds[0]!, debug),
      listScalars: (debug) => reads.listScalars(debug),
      listWithContacts: (debug) => reads.listWithContacts(debug),
      countByIndustry: (debug) => reads.countByIndustry(debug),
    };

    const measurements: Measurement[] = [];
    for (const scenario of opts.scenarios) {
      const sides = [
        {
          implementation: 'baseline' as const,
          request: load.side({ kind: 'baseline', scenario: scenario.key }),
          statements: '1',
        },
        {
          implementation: 'touchpoint' as const,
          request: load.side({ kind: 'touchpoint', scenario: scenario.key }),
          statements: await statementsPerRequest(samples[scenario.key]),
        },
      ];
      for (const concurrency of opts.concurrency) {
        progress(`${scenario.name} · concurrency ${concurrency}`);
        const loads = await runLoads(
          sides.map((side) => side.request),
          { concurrency, durationMs: opts.durationMs, warmupMs: opts.warmupMs, databaseCpu },
        );
        sides.forEach((side, i) => {
          const load = loads[i]!;
          if (load.firstError) progress(`  ${side.implementation}: ${load.errors} errors, first: ${load.firstError}`);
          measurements.push({
            scenario: scenario.name,
            implementation: side.implementation,
            load,
            statementsPerRequest: side.statements,
          });
        });
      }
    }

    let breakdown = 'Not measured in this run (`--skip-breakdown`).';
    if (opts.breakdown) {
      const layers = await nestedListLayers(engine, load, BASELINE_SQL.listWithContacts);
      const levels = [...new Set([Math.min(...opts.concurrency), poolSize])];
      const results = await measureLayers(
        layers,
        levels,
        { durationMs: opts.durationMs, warmupMs: opts.warmupMs, databaseCpu },
        progress,
      );
      breakdown = breakdownMarkdown('50 accounts × first 5 contacts', results);
    }

    console.log(resultTable(measurements));
    console.log(`\n${aimLines(measurements, AIMS).join('\n')}`);
    console.log(`\n${breakdown}`);
    if (opts.out) {
      const page = benchmarksPage(
        {
          date: new Date().toISOString().slice(0, 10),
          cpus: availableParallelism(),
          cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
          node: process.version,
          postgres: `PostgreSQL ${postgresVersion}`,
          database: touchpoint.database.kind === 'postgresql' ? 'server on loopback' : 'embedded PGlite over loopback',
          accounts: dataset.accounts,
          contacts: dataset.contacts,
          accountColumns: columns('account'),
          contactColumns: columns('contact'),
          revision: revision(opts.root),
          loadAverage: [loadAtStart, loadavg()[0]!],
          seedVia: dataset.via,
          seedMs: dataset.ms,
          durationMs: opts.durationMs,
          warmupMs: opts.warmupMs,
          concurrency: opts.concurrency,
          command: opts.command,
        },
        measurements,
        AIMS,
        breakdown,
      );
      writeFileSync(opts.out, page);
      progress(`wrote ${opts.out}`);
    }
    const failed = measurements.filter((m) => m.load.errors > 0);
    if (failed.length > 0) {
      progress(`errors in: ${failed.map((m) => `${m.scenario} (${m.implementation})`).join(', ')}`);
      return 1;
    }
    return 0;
  } finally {
    await loadProcess?.close();
    await touchpoint.close();
  }
}

process.exitCode = await main();
