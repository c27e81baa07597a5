// scratch: server CPU per request for one scenario, with optional CPU profile of the server.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { startLoadProcess } from '../load-process.ts';
import type { ScenarioKey } from '../scenarios.ts';
import { seed } from '../seed.ts';
import { startTouchpoint } from '../touchpoint.ts';

const scenario = (process.argv[2] ?? 'listWithContacts') as ScenarioKey;
const concurrency = Number(process.argv[3] ?? 16);
const ms = Number(process.argv[4] ?? 5000);
const profile = process.argv.includes('--profile');
const tp = await startTouchpoint({ poolSize: 16 });
try {
  const data = await seed(tp.engine, { accounts: 10000, via: 'sql' });
  const load = await startLoadProcess({
    url: tp.url,
    databaseUrl: tp.database.url!,
    poolSize: 16,
    accountIds: data.accountIds,
    expected: { pageSize: 50, accounts: 10000 },
  });
  const tpSide = load.side({ kind: 'touchpoint', scenario });
  const base = load.side({ kind: 'baseline', scenario });
  await tpSide.run(concurrency, 1500);
  await base.run(concurrency, 500);
  const session = new Session();
  if (profile) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  for (let round = 0; round < 2; round++) {
    const c0 = process.cpuUsage();
    const r = await tpSide.run(concurrency, ms);
    const c = process.cpuUsage(c0);
    const n = r.latencies.length;
    const sorted = r.latencies.sort((a, b) => a - b);
    const b = await base.run(concurrency, ms / 2);
    console.log(
      `${scenario} c${concurrency}: tp ${((n / r.elapsedMs) * 1000).toFixed(0)} req/s p95 ${sorted[Math.floor(n * 0.95)]!.toFixed(1)} ` +
        `server ${((c.user + c.system) / 1000 / n).toFixed(3)} ms/req client ${((r.clientCpuMs ?? 0) / n).toFixed(3)} ms/req errors ${r.errors} ${r.firstError ?? ''}` +
        ` | baseline ${((b.latencies.length / b.elapsedMs) * 1000).toFixed(0)} req/s`,
    );
  }
  if (profile) {
    const { profile: p } = await session.post('Profiler.stop');
    writeFileSync('/tmp/server.cpuprofile', JSON.stringify(p));
  }
  await load.close();
} finally {
  await tp.close();
}
