// Import and export throughput: 100,000 plain account rows imported from CSV and from XLSX through the
// record service (@touchpoint/transfer), against PostgreSQL's COPY of the same CSV into the same table in the
// same run; then an export of N rows to CSV and to XLSX with the process's peak RSS.
//
//   node --no-node-snapshot tests/bench/transfer.ts [--rows 100000] [--export-rows 1000000] [--write] [--out file]
//
// `--write` puts the figures in their own section of docs/benchmarks.md (or `--out <file>`).
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTestDatabase, Engine, loadCoreEntities } from '@touchpoint/engine';
import { exportRecords, importRecords } from '@touchpoint/transfer';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { writePageSection } from './page-section.ts';

const HEADING = '## Import and export';
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    'export-rows': { type: 'string', default: '1000000' },
    write: { type: 'boolean', default: false },
    out: { type: 'string' },
    skip: { type: 'string', default: '' },
  },
});
const ROWS = Number(values.rows);
const EXPORT_ROWS = Number(values['export-rows']);
const skip = new Set(values.skip.split(',').filter(Boolean));

const coreEntities = loadCoreEntities(fileURLToPath(new URL('../../schemas/entities', import.meta.url)));
const database = await createTestDatabase('tp_bench_transfer');
const engine = await Engine.start({ databaseUrl: database.url, dataDir: database.dataDir, coreEntities, poolSize: 6 });
const dir = mkdtempSync(join(tmpdir(), 'tp-bench-transfer-'));
const ctx = { workspace: 'default', actor: 'bench' };
const INDUSTRIES = ['Manufacturing', 'Technology', 'Finance', 'Retail', '医疗健康', '教育'];
const CITIES = ['Jinan', 'Qingdao', '北京', '上海', 'Shenzhen', 'Hangzhou'];

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20);

function row(i: number): [string, string, string, number, string] {
  return [
    `Company ${i}, Ltd`,
    `c${i}@example.com`,
    CITIES[i % CITIES.length]!,
    i % 5000,
    INDUSTRIES[i % INDUSTRIES.length]!,
  ];
}

// The files.
const csvPath = join(dir, 'accounts.csv');
{
  const lines = ['Account name,Email,City,Employees,Industry'];
  for (let i = 0; i < ROWS; i++) {
    const [n, e, c, m, ind] = row(i);
    lines.push(`"${n}",${e},${c},${m},${ind}`);
  }
  writeFileSync(csvPath, `${lines.join('\n')}\n`);
}
const xlsxPath = join(dir, 'accounts.xlsx');
{
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsxPath, useSharedStrings: true });
  const sheet = workbook.addWorksheet('Accounts');
  sheet.addRow(['Account name', 'Email', 'City', 'Employees', 'Industry']).commit();
  for (let i = 0; i < ROWS; i++) sheet.addRow(row(i)).commit();
  sheet.commit();
  await workbook.commit();
}

const table = 'ws_default.account';
/** COPY of the CSV file into the table over the wire (psql's \\copy), on a connection of its own. */
async function copyCsv(): Promise<void> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const sink = client.query(
      copyFrom(`copy ${table} (name, email, city, employees, industry) from stdin with (format csv, header true)`),
    );
    await pipeline(createReadStream(csvPath), sink);
  } finally {
    await client.end();
  }
}
async function clear() {
  await engine.db.query(`truncate ${table} cascade`);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await fn();
  return { ms: performance.now() - started, result };
}

const results: { name: string; rows: number; ms: number }[] = [];
const loadStart = loadavg()[0]!;

// COPY: PostgreSQL reading the same CSV into the same table (server-side file; the server runs on this machine).
if (!skip.has('copy')) {
  await clear();
  const copy = await timed(copyCsv);
  results.push({ name: 'COPY (baseline)', rows: ROWS, ms: copy.ms });
  console.log(`COPY: ${ROWS} rows in ${copy.ms.toFixed(0)} ms`);
}

for (const [name, file] of [
  ['import CSV', csvPath],
  ['import XLSX', xlsxPath],
] as const) {
  if (skip.has(name)) continue;
  await clear();
  const run = await timed(() => importRecords(engine, ctx, { entity: 'account', file }));
  if (run.result.status !== 'done' || run.result.created !== ROWS) {
    throw new Error(`${name}: ${JSON.stringify({ ...run.result, problems: run.result.problems.slice(0, 3) })}`);
  }
  results.push({ name, rows: ROWS, ms: run.ms });
  console.log(`${name}: ${ROWS} rows in ${run.ms.toFixed(0)} ms (${Math.round(ROWS / (run.ms / 1000))} rows/s)`);
}

// Export: fill the table to EXPORT_ROWS with COPY (the export's speed is what is measured), then stream it out.
const exports: { name: string; rows: number; ms: number; bytes: number; rssBefore: number; peak: number }[] = [];
if (!skip.has('export')) {
  await clear();
  const copies = Math.ceil(EXPORT_ROWS / ROWS);
  for (let i = 0; i < copies; i++) await copyCsv();
  // Fresh statistics, as autovacuum would have them by now on a live table: without them the planner takes a
  // million freshly copied rows for an empty table and scans it whole for every page.
  await engine.db.query(`analyze ${table}`);
  const [{ n }] = (await engine.db.query<{ n: string }>(`select count(*) as n from ${table}`)) as [{ n: string }];
  for (const format of ['csv', 'xlsx'] as const) {
    global.gc?.();
    const rssBefore = process.memoryUsage.rss();
    peakRss = rssBefore;
    const path = join(dir, `export.${format}`);
    const run = await timed(() =>
      exportRecords(engine, ctx, createWriteStream(path), {
        entity: 'account',
        format,
        columns: ['name', 'email', 'city', 'employees', 'industry'],
        orderBy: [],
      }),
    );
    exports.push({
      name: `export ${format.toUpperCase()}`,
      rows: run.result.rows,
      ms: run.ms,
      bytes: statSync(path).size,
      rssBefore,
      peak: peakRss,
    });
    console.log(
      `export ${format}: ${run.result.rows} of ${n} rows in ${run.ms.toFixed(0)} ms, peak RSS ${(peakRss / 1e6).toFixed(0)} MB (before ${(rssBefore / 1e6).toFixed(0)} MB)`,
    );
  }
}

clearInterval(sampler);
await engine.close();
await database.drop();
rmSync(dir, { recursive: true, force: true });

const copyMs = results.find((r) => r.name.startsWith('COPY'))?.ms;
const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
const lines = [
  `${HEADING}`,
  '',
  `\`node --no-node-snapshot tests/bench/transfer.ts --write\` (PostgreSQL on this machine, ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'cpu'}).`,
  `Load average ${loadStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (other work on the machine slows PostgreSQL`,
  'and COPY alike: compare the ratio to COPY, measured in the same run, rather than rows/s across runs).',
  `${ROWS.toLocaleString('en')} plain account rows (name, email, city, employees, industry as a label) imported through the record`,
  'service (validation, hooks, audit rows with channel `import`, the import log for undo), against COPY of the same CSV',
  'into the same table in the same run:',
  '',
  '| step | rows | time | rows/s | × COPY |',
  '|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.rows.toLocaleString('en')} | ${(r.ms / 1000).toFixed(2)} s | ${Math.round(r.rows / (r.ms / 1000)).toLocaleString('en')} | ${copyMs ? (copyMs / r.ms).toFixed(2) : '—'} |`,
  ),
  '',
  'Export of a list (5 columns, pages of 500 through the query compiler with keyset cursors) to a file, with the',
  "process's resident memory before and at its peak during the export:",
  '',
  '| step | rows | time | rows/s | file | RSS before | peak RSS |',
  '|---|---|---|---|---|---|---|',
  ...exports.map(
    (e) =>
      `| ${e.name} | ${e.rows.toLocaleString('en')} | ${(e.ms / 1000).toFixed(1)} s | ${Math.round(e.rows / (e.ms / 1000)).toLocaleString('en')} | ${mb(e.bytes)} | ${mb(e.rssBefore)} | ${mb(e.peak)} |`,
  ),
  '',
];
console.log(lines.join('\n'));
if (values.write) {
  const file = values.out ?? fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
  writePageSection(file, HEADING, lines.join('\n'));
}
