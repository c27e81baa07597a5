// The web app in a real browser (Debian's Chromium): how soon a list of 50 records is interactive after a
// navigation, and how much JavaScript the screens ship. Touchpoint runs as `touchpoint start --demo` does
// (web app and API on one port, demo data S) on a fresh PostgreSQL database, or the embedded one without it.
//
//   node --no-node-snapshot tests/bench/web.ts [--write]    (also part of `pnpm bench`)
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createTestDatabase } from '@touchpoint/engine';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';
import { writePageSection } from './page-section.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const write = process.argv.includes('--write');
const RUNS = 15;
const HEADING = '## Web app';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function clientJs(dir: string): { files: number; raw: number; gzip: number } {
  let files = 0;
  let raw = 0;
  let gzip = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js')) {
        const bytes = readFileSync(path);
        files += 1;
        raw += bytes.length;
        gzip += gzipSync(bytes).length;
      }
    }
  };
  walk(dir);
  return { files, raw, gzip };
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`touchpoint start exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('touchpoint start did not answer /healthz within 300 s');
}

if (!existsSync(join(root, 'apps/web/build/handler.js'))) {
  const built = spawnSync('pnpm', ['build:web'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const database = await createTestDatabase('tp_bench_web');
const port = 3400 + (process.pid % 500);
const url = `http://127.0.0.1:${port}`;
const child = spawn(
  process.execPath,
  ['--no-node-snapshot', 'packages/cli/src/bin.ts', 'start', '--demo', '--port', String(port)],
  {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database.url ?? '', TOUCHPOINT_DATA_DIR: database.dataDir ?? '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);

try {
  await waitForHealth(url, child);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  // Warm-up: the first request builds the workspace's GraphQL schema and compiles the list query.
  await page.goto(`${url}/accounts`);
  await page.locator('[data-testid="record-table"] tbody tr').nth(49).waitFor();

  // 1. A full page load (server-rendered, then hydrated) of the 50-row account list, with a cold browser
  // cache each time (a new context), so every script is fetched.
  const fullLoad: number[] = [];
  let transferred = 0;
  // One cold run first, unmeasured: Chromium's first fresh profile and the server's first cookie-less
  // session (the language preference lookup) are paid once, not per user.
  for (let i = -1; i < RUNS; i++) {
    const cold = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const fresh = await cold.newPage();
    let js = 0;
    fresh.on('response', async (response) => {
      if (response.url().endsWith('.js')) js += Number((await response.allHeaders())['content-length'] ?? 0);
    });
    const started = performance.now();
    await fresh.goto(`${url}/accounts`, { waitUntil: 'commit' });
    await fresh.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await fresh.locator('[data-testid="record-table"] tbody tr').nth(49).waitFor();
    if (i >= 0) fullLoad.push(performance.now() - started);
    transferred = Math.max(transferred, js);
    await cold.close();
  }

  // 2. Client-side navigation from another list to the 50-row account list (the common case).
  const navigation: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto(`${url}/contacts`);
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    const started = performance.now();
    await page.locator('aside a[data-entity="account"]').click();
    await page.waitForURL(/\/accounts$/);
    await page.locator('[data-testid="record-table"] tbody tr').nth(49).waitFor();
    navigation.push(performance.now() - started);
  }
  await browser.close();

  const build = clientJs(join(root, 'apps/web/build/client/_app/immutable'));
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const kb = (v: number) => `${(v / 1024).toFixed(1)} KiB`;
  const lines = [
    `| measure | median | p95 |`,
    `|---|--:|--:|`,
    `| full load of /accounts (cold cache) until hydrated with 50 rows | ${ms(percentile(fullLoad, 50))} | ${ms(percentile(fullLoad, 95))} |`,
    `| client-side navigation to /accounts until 50 rows show | ${ms(percentile(navigation, 50))} | ${ms(percentile(navigation, 95))} |`,
    '',
    `| JavaScript | size |`,
    `|---|--:|`,
    `| transferred for a full load of /accounts (compressed) | ${kb(transferred)} |`,
    `| whole client build: ${build.files} files, raw | ${kb(build.raw)} |`,
    `| whole client build, gzip | ${kb(build.gzip)} |`,
  ];
  const table = lines.join('\n');
  console.log(`\nWeb app (${RUNS} runs each, Chromium ${browser.version()}, 1440×900):\n${table}`);
  console.log(`full loads (ms): ${fullLoad.map((v) => v.toFixed(0)).join(' ')}`);
  console.log(`navigations (ms): ${navigation.map((v) => v.toFixed(0)).join(' ')}`);
  if (write) {
    writePageSection(
      join(root, 'docs/benchmarks.md'),
      HEADING,
      `${HEADING}\n\n\`node --no-node-snapshot tests/bench/web.ts\` (also part of \`pnpm bench\`): Touchpoint started as\n\`touchpoint start --demo\` starts it (web app and API on one port, demo data S on PostgreSQL), driven by\nDebian's Chromium ${browser.version()} at 1440×900, ${RUNS} runs of each after a warm-up; machine load ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores. The aim: a list of 50\nrecords is interactive within 1 s of navigation on localhost.\n\n${table}\n\nThe dashboard's chart library (Chart.js, only the bar and line pieces registered) is loaded by the dashboard\nroute alone; list, record and designer screens do not ship it.\n`,
    );
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await database.drop();
}
