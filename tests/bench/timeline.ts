// `pnpm bench` part 3: the customer timeline's first page on one account with 10,000 items of every kind
// (interactions, tasks, cases and their status changes, stage changes, quotes, orders, campaign and survey
// responses), seeded through the record service by packages/crm/test/busy-account.ts — the same history the
// timeline volume test pages through. In process: the CRM service and its one SQL statement, no HTTP.
//
//   node --no-node-snapshot tests/bench/timeline.ts [--runs 300] [--write] [--out file]
//
// `--write` puts the figures in their own section of docs/benchmarks.md (or `--out <file>`), replacing that
// section if it is there and leaving the rest of the page alone.

import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crm } from '@touchpoint/crm';
import { countStatements, createTestDatabase, Engine, loadCoreEntities } from '@touchpoint/engine';
import { BUSY_ACCOUNT_EVENTS, seedBusyAccount } from '../../packages/crm/test/busy-account.ts';
import { type Recorded, recordingCrm } from '../../packages/crm/test/explain.ts';
import { writePageSection } from './page-section.ts';

const HEADING = '## Timeline: first page of a long customer history';
const PAGE = 20;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '300' },
    write: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 10)
  throw new Error(`--runs must be a whole number of at least 10, got '${values.runs}'`);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const ms = (n: number) => n.toFixed(2);

const database = await createTestDatabase('tp_bench_timeline');
const engine = await Engine.start({
  databaseUrl: database.url,
  dataDir: database.dataDir,
  coreEntities: loadCoreEntities(fileURLToPath(new URL('../../schemas/entities', import.meta.url))),
  poolSize: 2,
});
try {
  const seedStart = performance.now();
  const busy = await seedBusyAccount(engine);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const service = crm(engine, { workspace: 'default', actor: 'bench' });
  const page = () => service.timeline({ entity: 'account', id: busy.account, first: PAGE });

  const { result: first, statements } = await countStatements(page);
  if (first.items.length !== PAGE) throw new Error(`expected a first page of ${PAGE} items, got ${first.items.length}`);
  for (let i = 0; i < 30; i++) await page(); // warm-up: plans cached, pages in memory
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await page();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  // PostgreSQL's own time for the statement (EXPLAIN ANALYZE), without the round trip and Node: on a shared
  // machine the two together say whether a slow run was the query or the scheduling.
  const recorded: Recorded[] = [];
  await recordingCrm(engine, recorded).timeline({ entity: 'account', id: busy.account, first: PAGE });
  const server: number[] = [];
  for (let i = 0; i < 30; i++) {
    const [row] = await engine.db.query<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(
      `explain (analyze, timing off, format json) ${recorded[0]!.text}`,
      recorded[0]!.params,
    );
    server.push(row!['QUERY PLAN'][0]['Execution Time']);
  }
  server.sort((a, b) => a - b);
  // The same with the generic plan the service runs it with (engine Database.queryGeneric), and that plan's
  // planning time once (it is made once per connection, then reused).
  const literal = (v: unknown) => `'${(Array.isArray(v) ? `{${v.join(',')}}` : String(v)).replaceAll("'", "''")}'`;
  const generic: number[] = [];
  await engine.db.transaction(async (tx) => {
    await tx.query('set local plan_cache_mode = force_generic_plan');
    await tx.query(`prepare timeline_page as ${recorded[0]!.text}`);
    for (let i = 0; i < 31; i++) {
      const [row] = await tx.query<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(
        `explain (analyze, timing off, format json) execute timeline_page(${recorded[0]!.params.map(literal).join(', ')})`,
      );
      if (i > 0) generic.push(row!['QUERY PLAN'][0]['Execution Time']);
    }
    await tx.query('deallocate timeline_page');
  });
  generic.sort((a, b) => a - b);
  const kinds = [...new Set(first.items.map((i) => i.kind))].join(', ');
  const report = `${BUSY_ACCOUNT_EVENTS} timeline items on one account (and its 5 contacts), another account with 20,000 newer interactions
first page (${PAGE} items: ${kinds}), ${runs} runs after warm-up, one at a time:
  median ${ms(percentile(times, 50))} ms   p95 ${ms(percentile(times, 95))} ms   max ${ms(times.at(-1)!)} ms
  PostgreSQL execution, generic plan as served (EXPLAIN ANALYZE, timing off, 30 runs): median ${ms(percentile(generic, 50))} ms   p95 ${ms(percentile(generic, 95))} ms
  PostgreSQL execution, plan for these values (30 runs): median ${ms(percentile(server, 50))} ms   p95 ${ms(percentile(server, 95))} ms
  SQL statements per page: ${statements}
seeded through the record service in ${seedSeconds.toFixed(1)} s; ${database.kind}, Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), load ${loadavg()[0]!.toFixed(2)}`;
  console.log(report);

  if (values.write || values.out) {
    const file = values.out ?? fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    const section = `${HEADING}

\`node --no-node-snapshot tests/bench/timeline.ts\` (also part of \`pnpm bench\`). The customer history of
\`packages/crm/test/busy-account.ts\`, measured in process: \`crm.timeline({ entity: 'account', id, first: ${PAGE} })\`,
i.e. the CRM service and its one SQL statement on a pooled connection, prepared with a generic plan that each
connection makes once (the two \`set plan_cache_mode\` round trips around it included).

\`\`\`
${report}
\`\`\`
`;
    writePageSection(file, HEADING, section);
  }
} finally {
  await engine.close();
  await database.drop();
}
