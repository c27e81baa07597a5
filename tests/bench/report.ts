// Renders benchmark results as markdown: the table for stdout and the page written to docs/benchmarks.md.
import { MAX_BATCH } from '@touchpoint/engine';
import type { LoadResult } from './load.ts';

export interface Measurement {
  scenario: string;
  implementation: 'touchpoint' | 'baseline';
  load: LoadResult;
  /** SQL statements one request sent: "1", or "1–2" when samples differed. */
  statementsPerRequest: string;
}

export interface Environment {
  date: string;
  cpus: number;
  cpuModel: string;
  node: string;
  postgres: string;
  database: string;
  accounts: number;
  contacts: number;
  /** Physical columns of the account and contact tables: the core schemas change, and row width matters. */
  accountColumns: number;
  contactColumns: number;
  /** 1-minute load average when the bench started and when it ended: how busy the machine was otherwise. */
  loadAverage: [number, number];
  /** The commit the run was made on, and whether schemas/entities differed from it. */
  revision: string;
  seedVia: 'records' | 'sql';
  seedMs: number;
  durationMs: number;
  warmupMs: number;
  concurrency: number[];
  command: string;
}

/** The issue's aim for the nested list, checked at one concurrency. */
export interface Aim {
  scenario: string;
  concurrency: number;
  minRatio: number;
  maxP95Ms: number;
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);

/** Node CPU of a request on both sides of the wire: the server's process and the load generator's. */
export function nodeCpuMs(load: LoadResult): number {
  return load.serverCpuMs + load.clientCpuMs;
}

function baselineOf(measurements: readonly Measurement[], m: Measurement): Measurement | undefined {
  return measurements.find(
    (b) => b.scenario === m.scenario && b.implementation === 'baseline' && b.load.concurrency === m.load.concurrency,
  );
}

/** Touchpoint req/s ÷ baseline req/s at the same concurrency. */
export function ratioOf(measurements: readonly Measurement[], m: Measurement): number | undefined {
  const baseline = baselineOf(measurements, m);
  return baseline ? m.load.requestsPerSecond / baseline.load.requestsPerSecond : undefined;
}

export function resultTable(measurements: readonly Measurement[]): string {
  const lines = [
    '| scenario | implementation | concurrency | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/request | vs baseline | Node CPU ms/req | of which server | PG CPU ms/req |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const m of measurements) {
    const { load } = m;
    const ratio = m.implementation === 'baseline' ? 1 : ratioOf(measurements, m);
    lines.push(
      `| ${m.scenario} | ${m.implementation} | ${load.concurrency} | ${Math.round(load.requestsPerSecond)} | ` +
        `${ms(load.p50)} | ${ms(load.p95)} | ${ms(load.p99)} | ${load.errors} | ${m.statementsPerRequest} | ` +
        `${ratio === undefined ? '—' : `${ratio.toFixed(2)}×`} | ${ms(nodeCpuMs(load))} | ` +
        `${m.implementation === 'baseline' ? '—' : ms(load.serverCpuMs)} | ${load.databaseCpuMs === undefined ? '—' : ms(load.databaseCpuMs)} |`,
    );
  }
  return lines.join('\n');
}

/** One line per aim: what was asked, what was measured, met or not. */
export function aimLines(measurements: readonly Measurement[], aims: readonly Aim[]): string[] {
  return aims.map((aim) => {
    const m = measurements.find(
      (x) => x.scenario === aim.scenario && x.implementation === 'touchpoint' && x.load.concurrency === aim.concurrency,
    );
    const asked = `${aim.scenario} at concurrency ${aim.concurrency}: ≥ ${Math.round(aim.minRatio * 100)}% of the baseline's throughput, p95 < ${aim.maxP95Ms} ms`;
    const ratio = m && ratioOf(measurements, m);
    if (!m || ratio === undefined) return `- ${asked} — not measured in this run.`;
    const ratioMet = ratio >= aim.minRatio;
    const p95Met = m.load.p95 < aim.maxP95Ms;
    const missed = [ratioMet ? '' : 'throughput', p95Met ? '' : 'p95'].filter(Boolean).join(' and ');
    const baseline = baselineOf(measurements, m)!.load;
    const cpu = (load: LoadResult) =>
      load.databaseCpuMs === undefined ? undefined : nodeCpuMs(load) + load.databaseCpuMs;
    const cpuTouchpoint = cpu(m.load);
    const cpuBaseline = cpu(baseline);
    const cpuNote =
      cpuTouchpoint === undefined || cpuBaseline === undefined
        ? ''
        : ` By CPU per request (Node + PostgreSQL, which other load on the machine hardly moves; Touchpoint's ` +
          `HTTP client counted against it) Touchpoint costs ${ms(cpuTouchpoint)} ms (server ${ms(m.load.serverCpuMs)}, ` +
          `client ${ms(m.load.clientCpuMs)}, PostgreSQL ${ms(m.load.databaseCpuMs ?? 0)}) against ${ms(cpuBaseline)} ms: ` +
          `on a machine whose CPUs are the limit, at most ${Math.round((cpuBaseline / cpuTouchpoint) * 100)}% of the ` +
          `baseline's throughput.`;
    return (
      `- ${asked} — measured ${Math.round(ratio * 100)}% (${Math.round(m.load.requestsPerSecond)} vs ` +
      `${Math.round(baseline.requestsPerSecond)} req/s), p95 ${ms(m.load.p95)} ms (the baseline's own p95: ` +
      `${ms(baseline.p95)} ms): ${missed ? `**not met** (${missed})` : '**met**'}.${cpuNote}`
    );
  });
}

export function benchmarksPage(
  env: Environment,
  measurements: readonly Measurement[],
  aims: readonly Aim[],
  breakdown: string,
): string {
  return `# Benchmarks

Written by \`pnpm bench --write\` (tests/bench/run.ts); rerun it after a change to the read path and commit
the result with that change. Numbers are for comparison on one machine, not promises: the load generator,
Touchpoint and PostgreSQL share the machine's CPUs (in three processes).

## How to reproduce

\`\`\`sh
pnpm bench --write                  # this page: ${env.accounts} accounts, concurrency ${env.concurrency.join(',')}, ${env.durationMs / 1000} s per row
pnpm bench --accounts 100000        # a larger data set (seeded with INSERTs above 10000 accounts)
pnpm bench --help                   # every flag
\`\`\`

This run: \`${env.command}\`.

## Setup

- Date: ${env.date}
- Machine: ${env.cpus} CPUs (${env.cpuModel}), Node ${env.node}, ${env.postgres} (${env.database}); 1-minute
  load average ${env.loadAverage[0].toFixed(1)} at the start, ${env.loadAverage[1].toFixed(1)} at the end (which includes the bench's own load)
- Code: ${env.revision}; the \`account\` table has ${env.accountColumns} columns, \`contact\` ${env.contactColumns}
- Data: ${env.accounts} accounts, ${env.contacts} contacts in the core \`account\` / \`contact\` tables of the default
  workspace, deterministic (seeded PRNG), select values from the metadata's options. Seeded through
  ${env.seedVia === 'records' ? `Touchpoint's record service (\`createMany\`, batches of ${MAX_BATCH})` : 'multi-row INSERTs of 1000 rows into the tables Touchpoint created'} in ${(env.seedMs / 1000).toFixed(1)} s.
- Touchpoint: the engine with the repository's core schemas and the HTTP server on loopback, started like the
  API tests start it. Each request is a GraphQL POST to \`/graphql\` over keep-alive HTTP (node:http) from the
  load generator's own process (forked by the bench), so the client never runs on the server's event loop;
  its answer is checked (no errors, the expected number of records), so a failed request never counts as speed.
- Baseline: one hand-written SQL statement per request through \`pg\` (PostgreSQL builds the JSON with
  json_build_object / json_agg) on the same tables, no HTTP, sent from the load generator's process through a
  pg pool of Touchpoint's size (JIT off, like Touchpoint's). Before measuring, the bench checks that it returns
  the same records in the same order as the Touchpoint request — the practical limit.
- Load: closed loop (each of N workers sends its next request when the previous one answered), at
  concurrency ${env.concurrency.join(' / ')}, connection pool size ${Math.max(...env.concurrency)}. Per row ${env.durationMs} ms measured after
  ${env.warmupMs} ms warm-up; baseline and Touchpoint are measured interleaved in slices of about a second (ABBA), so
  other work on the machine slows both alike instead of deciding the ratio. Pages written before 2026-11-23
  ran the load generator (with fetch) inside the server's process, so their Touchpoint figures also carried
  the client's CPU on the server's event loop; they are not comparable with these.
- SQL/request: counted by the server (\`x-touchpoint-debug: statements\` → \`extensions.sqlStatements\`) on
  sample requests; 1 for the baseline by construction.
- CPU per request: *Node* is both Node processes — the load generator's (for the baseline: its pg calls; for
  Touchpoint: the HTTP client) and the server's; *of which server* is the Touchpoint server's process alone;
  *PG* is the CPU of the PostgreSQL backends of the bench's database (from /proc, so other programs on the
  machine do not count). Together they say which side a request's cost sits on.

Scenarios: *account by id* — \`account(id)\` with 13 fields, a random id per request; *first 50 accounts* —
\`accounts(first: 50)\` with the same scalars; *50 accounts × first 5 contacts* — \`accounts(first: 50) { nodes
{ id name contacts(first: 5) { id firstName lastName email } } }\`; *count accounts by industry* —
\`accountsAggregate(groupBy: [industry]) { key { industry } count }\`. The nested list selects only ids and
texts, so Touchpoint answers it with PostgreSQL's JSON text, unparsed (docs/architecture.md, *Execution of a
GraphQL request*); the other scenarios select numbers, dates, money or enums, or are not lists, and run
through graphql-jit.

## Results

${resultTable(measurements)}

## Aims

${aimLines(measurements, aims).join('\n')}

## Where the time goes

${breakdown}
`;
}
