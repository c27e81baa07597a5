// What a plugin costs: warm hook call overhead, isolate cold start, idle isolate memory.
//   node --no-node-snapshot packages/sandbox/bench/sandbox-bench.ts   (or: pnpm --filter @touchpoint/sandbox bench)
// Raw isolated-vm figures are printed beside ours so the overhead of the host itself is visible.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ivm from 'isolated-vm';
import { buildPlugin, PluginHost, sandboxProcesses } from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const RECORD = {
  name: 'Acme Industries',
  industry: 'manufacturing',
  type: 'customer',
  annualRevenue: 12_500_000,
  employees: 420,
  website: 'https://acme.example',
  phone: '+1 555 0100',
  ownerId: '00000000-0000-4000-8000-000000000001',
  active: true,
  rating: 4,
};

function stats(samples: number[]): { mean: number; p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, p50: at(0.5), p99: at(0.99) };
}

function line(label: string, s: { mean: number; p50: number; p99: number }, unit: string): void {
  const f = (n: number) => n.toFixed(unit === 'µs' ? 1 : 2).padStart(8);
  console.log(`${label.padEnd(52)} mean ${f(s.mean)} ${unit}   p50 ${f(s.p50)} ${unit}   p99 ${f(s.p99)} ${unit}`);
}

async function timeEach(n: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn();
    samples.push((performance.now() - start) * 1000);
  }
  return samples;
}

async function pluginBundle(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-'));
  try {
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'src/index.ts'),
      `import { definePlugin } from '@touchpoint/plugin-sdk';
export default definePlugin({ hooks: { account: {
  beforeCreate() {},
  beforeUpdate(ctx) { ctx.values.name = String(ctx.values.name).trim(); },
} } });`,
    );
    return (await buildPlugin(dir, { nodePaths: [resolve(here, '../node_modules')] })).bundle;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rawIsolateFigures(): Promise<void> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = await isolate.createContext();
  const fn = (await context.evalClosure('return (json) => json;', [], {
    result: { reference: true },
  })) as ivm.Reference<(json: string) => string>;
  const payload = JSON.stringify({ values: RECORD });
  const options = { arguments: { copy: true }, result: { copy: true } } as const;
  for (let i = 0; i < 2_000; i++) fn.applySync(undefined, [payload], options);
  line(
    'raw ivm applySync, record in and out',
    stats(await timeEach(20_000, () => fn.applySync(undefined, [payload], options))),
    'µs',
  );
  const asyncOptions = { ...options, result: { copy: true, promise: true } } as const;
  line(
    'raw ivm async apply, record in and out',
    stats(await timeEach(10_000, () => fn.apply(undefined, [payload], asyncOptions))),
    'µs',
  );
  isolate.dispose();
  const cold = await timeEach(200, async () => {
    const i = new ivm.Isolate({ memoryLimit: 64 });
    await i.createContext();
    i.dispose();
  });
  line('raw ivm new isolate + context', stats(cold.map((us) => us / 1000)), 'ms');
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, isolated-vm 7, ${(await import('node:os')).cpus().length} cores\n`);
  await rawIsolateFigures();
  const bundle = await pluginBundle();
  const host = new PluginHost();
  await host.load({ manifest: { id: 'bench.plugin', version: '1.0.0' }, bundle, workspace: 'w1' });

  const empty = () => host.runHook('bench.plugin', 'w1', 'account', 'beforeCreate', { values: {} });
  const record = () =>
    host.runHook('bench.plugin', 'w1', 'account', 'beforeUpdate', { id: RECORD.ownerId, values: RECORD });
  const skipped = () => host.runHook('bench.plugin', 'w1', 'account', 'afterCreate', {});
  for (let i = 0; i < 3_000; i++) await record();

  const cpuBefore = process.cpuUsage();
  const warm = await timeEach(20_000, empty);
  const cpu = process.cpuUsage(cpuBefore);
  line('warm hook call, empty values (PluginHost.runHook)', stats(warm), 'µs');
  console.log(
    `${''.padEnd(52)} process CPU per call, all threads ${((cpu.user + cpu.system) / warm.length).toFixed(1)} µs`,
  );
  line('warm hook call, 10-field record in and out', stats(await timeEach(20_000, record)), 'µs');
  line('hook the plugin does not have (no isolate entry)', stats(await timeEach(20_000, skipped)), 'µs');

  const cold = await timeEach(300, async () => {
    host.dispose('bench.plugin', 'w1');
    await empty();
  });
  line('cold start: isolate + runtime + bundle + first call', stats(cold.map((us) => us / 1000)), 'ms');

  const workspaces = 100;
  // Isolates live in the sandbox processes (one per workspace, up to maxProcesses): their resident memory is
  // what they cost, the processes' own included.
  const sandboxRss = () => sandboxProcesses().reduce((sum, p) => sum + p.rssBytes, 0);
  const rssBefore = sandboxRss();
  for (let i = 0; i < workspaces; i++) {
    await host.load({ manifest: { id: 'bench.plugin', version: '1.0.0' }, bundle, workspace: `idle${i}` });
    await host.runHook('bench.plugin', `idle${i}`, 'account', 'beforeCreate', { values: {} });
  }
  await new Promise((r) => setTimeout(r, 200)); // heap samples are taken asynchronously
  const heaps = host
    .metrics()
    .filter((m) => m.workspace.startsWith('idle'))
    .map((m) => m.memoryBytes / 1024 / 1024);
  const rss = (sandboxRss() - rssBefore) / workspaces / 1024 / 1024;
  line('idle isolate V8 heap (used + external)', stats(heaps), 'MB');
  console.log(
    `${'idle isolate sandbox-process RSS, 100 workspaces'.padEnd(52)} ${rss.toFixed(2).padStart(13)} MB each`,
  );
  host.close();
}

await main();
