// The CRM's reads on a seeded demo dataset (`touchpoint seed --size M` into DATABASE_URL): caller lookup in
// several phone formats, search, the busiest account's first timeline page and every report, each through the
// CRM service in process, timed one at a time after a warm-up. The figures go in packages/crm/README.md.
//
//   DATABASE_URL=postgres://… node --no-node-snapshot tests/bench/crm-dataset.ts [--runs 20]

import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crm } from '@touchpoint/crm';
import { Engine, loadCoreEntities } from '@touchpoint/engine';
import { type Recorded, recordingCrm } from '../../packages/crm/test/explain.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL must name the seeded database');

const engine = await Engine.start({
  databaseUrl: process.env.DATABASE_URL,
  coreEntities: loadCoreEntities(fileURLToPath(new URL('../../schemas/entities', import.meta.url))),
  poolSize: 2,
});
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));

try {
  const service = crm(engine, { workspace: 'default', actor: 'bench' });
  const [counts] = await engine.db.query<Record<string, number>>(
    `select (select count(*)::int from ws_default.account) as accounts, (select count(*)::int from ws_default.contact) as contacts,
       (select count(*)::int from ws_default.interaction) as interactions`,
  );
  // The busiest account: the most interactions of its own (the timeline's largest source).
  const [busiest] = await engine.db.query<{ id: string; n: number }>(
    'select account_id as id, count(*)::int as n from ws_default.interaction where account_id is not null group by 1 order by 2 desc limit 1',
  );
  const [items] = await engine.db.query<{ n: number }>(
    `select (select count(*) from ws_default.interaction where account_id = $1 or contact_id in (select id from ws_default.contact where account_id = $1))
       + (select count(*) from ws_default.case_status_change where account_id = $1)
       + (select count(*) from ws_default.opportunity_stage_change where account_id = $1)
       + (select count(*) from ws_default.task where account_id = $1)
       + (select count(*) from ws_default."case" where account_id = $1)
       + (select count(*) from ws_default."order" where account_id = $1)
       + (select count(*) from ws_default.quote where account_id = $1) as n`,
    [busiest!.id],
  );
  // A contact's mobile, written three ways as a caller would present it.
  const [phone] = await engine.db.query<{ mobile: string }>(
    `select mobile from ws_default.contact where mobile ~ '^1[3-9][0-9]{9}$' order by id limit 1`,
  );
  const m = phone!.mobile;
  const formats = [
    m,
    `+86 ${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`,
    `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`,
  ];
  const year = new Date().getUTCFullYear();
  const range = { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` };

  const operations: [string, () => Promise<unknown>][] = [
    ...formats.map(
      (f) => [`whoIsCalling('${f}')`, () => service.whoIsCalling({ phone: f })] as [string, () => Promise<unknown>],
    ),
    ...['华远', '科技有限', 'hy-cnc', formats[1]!, m.slice(-8)].map(
      (text) => [`search('${text}')`, () => service.search({ text })] as [string, () => Promise<unknown>],
    ),
    [
      `timeline, busiest account (${items!.n} items), first 20`,
      () => service.timeline({ entity: 'account', id: busiest!.id, first: 20 }),
    ],
    [`pipelineByStage ${range.from}..${range.to}`, () => service.pipelineByStage(range)],
    ['salesForecast (all)', () => service.salesForecast()],
    [`winRate ${range.from}..${range.to}`, () => service.winRate(range)],
    ['campaignRoi (all)', () => service.campaignRoi()],
    ['customerValue (all)', () => service.customerValue()],
    ['churnByTier (all)', () => service.churnByTier()],
    ['satisfaction (all, by month)', () => service.satisfaction()],
    ['caseHotspots (all)', () => service.caseHotspots()],
  ];
  console.log(
    `${counts!.accounts} accounts, ${counts!.contacts} contacts, ${counts!.interactions} interactions; ${runs} runs each after 3 warm-up runs, load ${loadavg()[0]!.toFixed(2)}`,
  );
  for (const [name, run] of operations) {
    for (let i = 0; i < 3; i++) await run();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(58)} median ${ms(percentile(times, 50)).padStart(6)} ms   p95 ${ms(percentile(times, 95)).padStart(6)} ms`,
    );
  }
  // PostgreSQL's own time for the timeline's statement (without the round trip and Node).
  const recorded: Recorded[] = [];
  await recordingCrm(engine, recorded).timeline({ entity: 'account', id: busiest!.id, first: 20 });
  const server: number[] = [];
  for (let i = 0; i < 10; i++) {
    const [row] = await engine.db.query<{ 'QUERY PLAN': [{ 'Execution Time': number; 'Planning Time': number }] }>(
      `explain (analyze, timing off, format json) ${recorded[0]!.text}`,
      recorded[0]!.params,
    );
    server.push(row!['QUERY PLAN'][0]['Execution Time']);
  }
  server.sort((a, b) => a - b);
  console.log(
    `  timeline statement, PostgreSQL execution, plan for these values (EXPLAIN ANALYZE, 10 runs): median ${ms(percentile(server, 50))} ms`,
  );
  console.log(`load at the end ${loadavg()[0]!.toFixed(2)}`);
} finally {
  await engine.close();
}
