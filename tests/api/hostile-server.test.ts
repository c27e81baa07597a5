// A hostile plugin against the server as a user runs it: `touchpoint start` in a process of its own, the
// plugin installed and triggered over HTTP. The case: an allocation V8 cannot stop inside a 64 MB isolate
// (`new Array(2 ** 27).fill(1)`). In the server's own process this ended in "Script failed to terminate":
// the server grew by 0.6-2.8 GB per call and kept it, a core stayed busy for ~10 s, and SIGTERM no longer
// ended it. Now isolates live in a sandbox process the server kills; the server's own memory stays put, it
// keeps answering, and SIGTERM ends it (and its sandbox process) within seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alive,
  bigArchive,
  bombArchive,
  childrenOf,
  gql,
  healthzDuring,
  rssOf,
  startServer,
} from './server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'tp-hostile-server-'));
let database: TestDatabase;

const INSTALL = `mutation($a: JSON!) { installPlugin(archive: $a) { applied } }`;
const CREATE = `mutation($n: String!) { createAccount(input: { name: $n }) { id name } }`;

beforeAll(async () => {
  database = await createTestDatabase('tp_hostile_server');
});
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a hostile plugin against a real server process', () => {
  it('Array(2 ** 27).fill in a 64 MB isolate: refused, the server keeps its memory, answers, and stops on SIGTERM', async () => {
    const server = await startServer({
      DATABASE_URL: database.url ?? '',
      TOUCHPOINT_DATA_DIR: database.dataDir ?? join(dir, 'data'),
    });
    try {
      const installed = await gql(server.url, INSTALL, { a: await bombArchive(dir) });
      expect(installed.errors).toBeUndefined();
      // Warm: the first call starts the sandbox process and the isolate.
      expect((await gql(server.url, CREATE, { n: 'warm' })).errors).toBeUndefined();
      const pid = server.child.pid!;
      const rssBefore = rssOf(pid);
      for (let round = 0; round < 2; round++) {
        const { result, latencies } = await healthzDuring(server.url, () => gql(server.url, CREATE, { n: 'bomb' }));
        expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED' });
        expect(result.errors?.[0]?.message).toContain('Plugin evil.bomb exceeded its');
        expect(Math.max(...latencies)).toBeLessThan(1_000);
        // The server answers and the plugin works again (in a fresh sandbox process).
        await expect(gql(server.url, CREATE, { n: `after ${round}` })).resolves.toMatchObject({
          data: { createAccount: { name: `after ${round}` } },
        });
      }
      // What the server itself holds stays within 100 MB of where it was (it grew by 0.6-2.8 GB per call).
      expect(rssOf(pid) - rssBefore).toBeLessThan(100 * 1024 * 1024);
      const sandboxes = childrenOf(pid);
      expect(sandboxes.length).toBeGreaterThan(0);
      const ms = await server.stop('SIGTERM', 5_000);
      expect(ms).toBeLessThan(5_000);
      // Its sandbox process ends with it (killed on exit, and it leaves when its channel closes).
      const deadline = Date.now() + 2_000;
      while (sandboxes.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(sandboxes.filter(alive)).toEqual([]);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });

  // Reading the archive (~300 ms of CPU for 9 MB) and hashing the bundle run on a worker thread, the request
  // body is parsed on another (JSON.parse of 9 MB: 40-90 ms at load 15), the bundle compiles in the workspace's
  // sandbox process, and an install that changes no entity keeps the GraphQL schema (a rebuild: ~60 ms of CPU).
  // What is left on the main thread is copying the archive's texts between threads and processes, writing it
  // to the database, and the garbage collection of those strings. Measured from a separate process on 2
  // shared cores: worst /healthz 200-500 ms at first; 81-108 ms quiet and 146-426 ms at load 9-15 after the
  // archive moved to a worker; the Robustness section of docs/benchmarks.md has today's p99 beside an idle
  // server's. The bound catches a regression to the earlier stalls; the median shows the loop stays free.
  it('installing a 9 MB bundle does not stall other clients', async () => {
    const server = await startServer({
      DATABASE_URL: database.url ?? '',
      TOUCHPOINT_DATA_DIR: database.dataDir ?? join(dir, 'data'),
    });
    try {
      const archive = await bigArchive(dir);
      const { result, latencies } = await healthzDuring(server.url, () => gql(server.url, INSTALL, { a: archive }));
      expect(result.errors).toBeUndefined();
      const sorted = [...latencies].sort((a, b) => a - b);
      const worst = sorted.at(-1)!;
      const median = sorted[Math.floor(sorted.length / 2)]!;
      const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
      console.log(
        `healthz during a 9 MB install: ${latencies.length} answers, median ${median.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, worst ${worst.toFixed(0)} ms`,
      );
      expect(median).toBeLessThan(20);
      expect(worst).toBeLessThan(600);
      await server.stop('SIGTERM', 5_000);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });
});
