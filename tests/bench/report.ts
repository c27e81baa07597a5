// Renders benchmark results as markdown: the table for stdout and the page written to docs/benchmarks.md.
import type { LoadResult } from './load.ts';

export interface Measurement {
  scenario: string;
  implementation: 'touchpoint' | 'baseline';
  /** Undefined when that side of the scenario is not built yet. */
  load?: LoadResult;
  statementsPerRequest?: number;
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
  durationMs: number;
  warmupMs: number;
  concurrency: number[];
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);

export function resultTable(measurements: readonly Measurement[]): string {
  const lines = [
    '| scenario | implementation | concurrency | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/request | vs baseline |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const m of measurements) {
    const baseline = measurements.find(
      (b) =>
        b.scenario === m.scenario && b.implementation === 'baseline' && b.load?.concurrency === m.load?.concurrency,
    );
    const load = m.load;
    if (!load) {
      lines.push(`| ${m.scenario} | ${m.implementation} | — | not built yet | | | | | | |`);
      continue;
    }
    const ratio =
      m.implementation === 'baseline'
        ? '1.00×'
        : baseline?.load
          ? `${(load.requestsPerSecond / baseline.load.requestsPerSecond).toFixed(2)}×`
          : '—';
    const statements = m.statementsPerRequest === undefined ? '—' : String(m.statementsPerRequest);
    lines.push(
      `| ${m.scenario} | ${m.implementation} | ${load.concurrency} | ${Math.round(load.requestsPerSecond)} | ` +
        `${ms(load.p50)} | ${ms(load.p95)} | ${ms(load.p99)} | ${load.errors} | ${statements} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

export function benchmarksPage(env: Environment, measurements: readonly Measurement[]): string {
  return `# Benchmarks

Written by \`pnpm bench --write\` (tests/bench/run.ts); rerun it after a change to the read path and commit
the result with that change. Numbers are for comparison on one machine, not promises.

- Date: ${env.date}
- Machine: ${env.cpus} CPUs (${env.cpuModel}), Node ${env.node}, ${env.postgres} (${env.database})
- Data: ${env.accounts} accounts, ${env.contacts} contacts (deterministic, seeded PRNG)
- Load: closed loop, ${env.durationMs} ms measured after ${env.warmupMs} ms warm-up per row, at concurrency ${env.concurrency.join(' / ')}
- Baseline: one hand-written SQL statement per request through \`pg\` (PostgreSQL builds the JSON), no HTTP.
  Touchpoint rows include everything Touchpoint does per request, so the ratio is the whole overhead.
- SQL/request: statements counted by the engine's \`countStatements\` for one request.

${resultTable(measurements)}
`;
}
