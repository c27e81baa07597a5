// A Touchpoint server as a user runs it, for tests: `touchpoint start` in a process of its own, reached over
// HTTP, measured from outside (/proc), stopped by signals.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPluginFolder } from '@touchpoint/plugin-runtime';

const bin = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));

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

/** The admin these tests sign in as: made with `touchpoint user add`, as an operator would. */
const TESTER = { email: 'tester@example.test', password: 'correct horse battery staple' };
/** The session cookie of each running server's tester, by URL. */
const sessions = new Map<string, string>();

/** `touchpoint user add` for the tester; a second run on the same data finds them there already. */
function addTester(env: Record<string, string>): void {
  const added = spawnSync(
    process.execPath,
    [
      '--no-node-snapshot',
      bin,
      'user',
      'add',
      '--email',
      TESTER.email,
      '--name',
      'Tester',
      '--role',
      'admin',
      '--password-stdin',
    ],
    { env: { ...process.env, ...env }, input: `${TESTER.password}\n`, encoding: 'utf8' },
  );
  if (added.status !== 0 && !/already/i.test(`${added.stdout}${added.stderr}`)) {
    throw new Error(`touchpoint user add failed:\n${added.stdout}${added.stderr}`);
  }
}

/** Signs the tester in over HTTP (the signIn mutation) and keeps the session cookie for gql. */
async function signIn(url: string): Promise<void> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { id } }',
      variables: { e: TESTER.email, p: TESTER.password },
    }),
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!response.ok || !cookie) throw new Error(`sign-in refused: ${response.status} ${await response.text()}`);
  sessions.set(url, cookie);
}

/** `touchpoint start` on a free port, with a signed-in admin for gql; resolves once it says it is ready. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  addTester(env);
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
  const url = `http://127.0.0.1:${port}`;
  await signIn(url);
  return {
    child,
    url,
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
      cookie: sessions.get(url) ?? '',
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown>;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

// The prober runs in a process of its own: in this one, building and sending a 9 MB request body holds the
// event loop too, and a probe waiting behind it would measure the client, not the server.
const PROBER = `
const url = process.argv[1] + '/healthz';
const latencies = [];
let done = false;
process.stdin.on('end', () => (done = true)).resume();
(async () => {
  process.send('ready');
  while (!done) {
    const started = performance.now();
    await (await fetch(url)).arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 20));
  }
  process.send(latencies);
})();
`;

/** `/healthz` answer times while `work` runs, ms, probed every 20 ms from a separate process. */
export async function healthzDuring<T>(
  url: string,
  work: () => Promise<T>,
): Promise<{ result: T; latencies: number[] }> {
  const prober = spawn(process.execPath, ['-e', PROBER, url], { stdio: ['pipe', 'inherit', 'inherit', 'ipc'] });
  const messages: unknown[] = [];
  const waiting: ((m: unknown) => void)[] = [];
  let exited: Error | undefined;
  prober.on('message', (m) => (waiting.length > 0 ? waiting.shift()!(m) : messages.push(m)));
  prober.once('exit', (code) => (exited = new Error(`the healthz prober exited (${code})`)));
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      if (messages.length > 0) return resolve(messages.shift());
      if (exited) return reject(exited);
      waiting.push(resolve);
      prober.once('exit', () => reject(exited));
    });
  await next();
  try {
    const result = await work();
    prober.stdin!.end();
    return { result, latencies: (await next()) as number[] };
  } finally {
    if (prober.exitCode === null) prober.kill();
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
