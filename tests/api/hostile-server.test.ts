// A hostile plugin against the server as a user runs it: `touchpoint start` in a process of its own, the
// plugin installed and triggered over HTTP. The case: an allocation V8 cannot stop inside a 64 MB isolate
// (`new Array(2 ** 27).fill(1)`). In the server's own process this ended in "Script failed to terminate":
// the server grew by 0.6-2.8 GB per call and kept it, a core stayed busy for ~10 s, and SIGTERM no longer
// ended it. Now isolates live in a sandbox process the server kills; the server's own memory stays put, it
// keeps answering, and SIGTERM ends it (and its sandbox process) within seconds.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@touchpoint/engine';
import { packPluginFolder } from '@touchpoint/plugin-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tp-hostile-server-'));
let database: TestDatabase;

/** Resident memory of a process, bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** The processes a process started (Linux /proc). */
export function childrenOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Sends a signal and resolves with the ms until the process exited (rejects after `ms`). */
  stop(signal: NodeJS.Signals, ms: number): Promise<number>;
}

/** `touchpoint start` on a free port; resolves once it says it is ready. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--no-node-snapshot', bin, 'start', '--port', String(port)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 60_000);
    const check = () => {
      if (output.includes('Touchpoint is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', () => reject(new Error(`the server exited:\n${output}`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop(signal, ms) {
      const started = performance.now();
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running ${ms} ms after ${signal}`)), ms);
      });
      try {
        await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
      return performance.now() - started;
    },
  };
}

export async function gql(url: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-touchpoint-workspace': 'default',
      'x-touchpoint-actor': 'tester',
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown>;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

/** `/healthz` answer times while `work` runs, ms. */
export async function healthzDuring<T>(
  url: string,
  work: () => Promise<T>,
): Promise<{ result: T; latencies: number[] }> {
  const latencies: number[] = [];
  let done = false;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    return { result: await work(), latencies };
  } finally {
    done = true;
    await probe;
  }
}

export async function bombArchive(workDir: string) {
  const plugin = join(workDir, 'bomb');
  const files: Record<string, string> = {
    'plugin.yaml':
      'id: evil.bomb\nversion: 1.0.0\nlabels: { en: Bomb, zh-CN: 炸弹 }\ndescription: { en: Allocates what V8 cannot stop. }\ntouchpoint: "^0.1.0"\ncapabilities:\n  records: { account: [read] }\n',
    'src/index.ts': `import { definePlugin } from '@touchpoint/plugin-sdk';\nexport default definePlugin({ hooks: { account: { async beforeCreate(ctx) { if (ctx.values.name === 'bomb') new Array(2 ** 27).fill(1); } } } });\n`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(plugin, path)), { recursive: true });
    writeFileSync(join(plugin, path), text);
  }
  return (await packPluginFolder(plugin)).archive;
}

/** A plugin whose bundle is ~9 MB (the archive limit allows 10 MB). */
export async function bigArchive(workDir: string, id = 'big.plugin') {
  const plugin = join(workDir, id);
  const blob = 'x'.repeat(9_000_000);
  const files: Record<string, string> = {
    'plugin.yaml': `id: ${id}\nversion: 1.0.0\nlabels: { en: Big, zh-CN: 大 }\ndescription: { en: A large bundle. }\ntouchpoint: "^0.1.0"\ncapabilities:\n  records: { account: [read] }\n`,
    'src/index.ts': `import { definePlugin } from '@touchpoint/plugin-sdk';\nconst BLOB = '${blob}';\nexport default definePlugin({ hooks: { account: { async beforeCreate(ctx) { if (ctx.values.name === BLOB) return; } } } });\n`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(plugin, path)), { recursive: true });
    writeFileSync(join(plugin, path), text);
  }
  return (await packPluginFolder(plugin)).archive;
}

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

  // Reading the archive (~300 ms of CPU for 9 MB) runs on a worker thread and the bundle compiles in the
  // sandbox process. What still runs on the main thread: the request body's JSON parse, hashing the bundle
  // when it is loaded, storing the archive, and the garbage collection of those strings. Measured here on 2
  // loaded cores: worst /healthz ~500 ms before, 200-500 ms after; the bound below catches a regression to
  // whole-second stalls, not the remainder.
  it('installing a 9 MB bundle does not stall other clients', async () => {
    const server = await startServer({
      DATABASE_URL: database.url ?? '',
      TOUCHPOINT_DATA_DIR: database.dataDir ?? join(dir, 'data'),
    });
    try {
      const archive = await bigArchive(dir);
      const { result, latencies } = await healthzDuring(server.url, () => gql(server.url, INSTALL, { a: archive }));
      expect(result.errors).toBeUndefined();
      const worst = Math.max(...latencies);
      console.log(`healthz during a 9 MB install: ${latencies.length} answers, worst ${worst.toFixed(0)} ms`);
      expect(worst).toBeLessThan(1_000);
      await server.stop('SIGTERM', 5_000);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });
});
