// `pnpm bench`: measures Touchpoint's read path against a hand-written SQL baseline on the same data.
//
//   pnpm bench [--accounts 10000] [--duration 5000] [--warmup 1000] [--concurrency 1,4,16] [--write] [--out file]
//
// Seeds a fresh database (createTestDatabase), runs each scenario closed-loop at each concurrency and prints
// a markdown table; `--write` also writes docs/benchmarks.md (or `--out <file>`) with the machine it ran on.
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countStatements, createTestDatabase, Database } from '@touchpoint/engine';
import { type Baseline, createBaseline } from './baseline.ts';
import { runLoad } from './load.ts';
import { benchmarksPage, type Measurement, resultTable } from './report.ts';
import { seed } from './seed.ts';

/**
 * One row group of the benchmark. `touchpoint` is the same read through Touchpoint (for the GraphQL API:
 * the query sent in-process with `yoga.fetch`, so the engine's statement counter still sees its SQL); it
 * stays undefined until that side exists, and the table says "not built yet".
 */
interface Scenario {
  name: string;
  touchpoint?: () => Promise<void>;
  baseline: () => Promise<void>;
}

function scenarios(baseline: Baseline): Scenario[] {
  return [
    { name: 'account by id', baseline: baseline.getById },
    { name: 'first 50 accounts (scalars)', baseline: baseline.listScalars },
    { name: '50 accounts × first 5 contacts', baseline: baseline.listWithContacts },
    { name: 'count accounts by industry', baseline: baseline.countByIndustry },
  ];
}

const USAGE =
  'usage: pnpm bench [--accounts N] [--duration ms] [--warmup ms] [--concurrency 1,4,16] [--write] [--out file]';

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
      duration: { type: 'string', default: '5000' },
      warmup: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '1,4,16' },
      write: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  return {
    accounts: positiveInteger('accounts', values.accounts),
    durationMs: positiveInteger('duration', values.duration),
    warmupMs: values.warmup === '0' ? 0 : positiveInteger('warmup', values.warmup),
    concurrency: values.concurrency.split(',').map((c) => positiveInteger('concurrency', c.trim())),
    out: values.out ? resolve(values.out) : values.write ? resolve(root, 'docs/benchmarks.md') : undefined,
  };
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function statementsPerRequest(request: () => Promise<void>): Promise<number> {
  return (await countStatements(request)).statements;
}

async function main(): Promise<number> {
  const opts = options();
  const testDb = await createTestDatabase('tp_bench');
  const db = await Database.connect({
    url: testDb.url,
    dataDir: testDb.dataDir,
    entities: [],
    poolSize: Math.max(...opts.concurrency),
  });
  try {
    const versionRows = await db.query<{ server_version: string }>('show server_version');
    const postgresVersion = versionRows[0]?.server_version ?? 'unknown';
    const seedStarted = performance.now();
    const dataset = await seed(db, { accounts: opts.accounts });
    progress(
      `seeded ${opts.accounts} accounts and ${dataset.contacts} contacts in ${Math.round(performance.now() - seedStarted)} ms (${testDb.kind})`,
    );

    const measurements: Measurement[] = [];
    for (const scenario of scenarios(createBaseline(db, dataset.accountIds))) {
      const sides = [
        { implementation: 'baseline' as const, request: scenario.baseline },
        { implementation: 'touchpoint' as const, request: scenario.touchpoint },
      ];
      const statements = new Map<string, number>();
      for (const side of sides) {
        if (side.request) statements.set(side.implementation, await statementsPerRequest(side.request));
      }
      for (const concurrency of opts.concurrency) {
        for (const side of sides) {
          if (!side.request) continue;
          progress(`${scenario.name} · ${side.implementation} · concurrency ${concurrency}`);
          const load = await runLoad(side.request, {
            concurrency,
            durationMs: opts.durationMs,
            warmupMs: opts.warmupMs,
          });
          if (load.firstError) progress(`  ${load.errors} errors, first: ${load.firstError}`);
          measurements.push({
            scenario: scenario.name,
            implementation: side.implementation,
            load,
            statementsPerRequest: statements.get(side.implementation),
          });
        }
      }
      if (!scenario.touchpoint) measurements.push({ scenario: scenario.name, implementation: 'touchpoint' });
    }

    console.log(resultTable(measurements));
    if (opts.out) {
      const page = benchmarksPage(
        {
          date: new Date().toISOString().slice(0, 10),
          cpus: availableParallelism(),
          cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
          node: process.version,
          postgres: `PostgreSQL ${postgresVersion}`,
          database: testDb.kind === 'postgresql' ? 'server on loopback' : 'embedded PGlite over loopback',
          accounts: opts.accounts,
          contacts: dataset.contacts,
          durationMs: opts.durationMs,
          warmupMs: opts.warmupMs,
          concurrency: opts.concurrency,
        },
        measurements,
      );
      writeFileSync(opts.out, page);
      progress(`wrote ${opts.out}`);
    }
    const failed = measurements.filter((m) => (m.load?.errors ?? 0) > 0);
    if (failed.length > 0) {
      progress(`errors in: ${failed.map((m) => `${m.scenario} (${m.implementation})`).join(', ')}`);
      return 1;
    }
    return 0;
  } finally {
    await db.close();
    await testDb.drop();
  }
}

process.exitCode = await main();
