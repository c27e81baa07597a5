// The sandbox process: a child process that holds every plugin isolate of its parent. isolated-vm runs
// isolates on threads of the process that created them, and some failures cannot be undone there: an
// allocation V8 cannot stop (`new Array(2 ** 27).fill(0)` in a 64 MB isolate) ends in "Script failed to
// terminate", after which the process keeps the gigabytes, a busy thread, and cannot exit cleanly
// (isolated-vm's README: log, stop serving and abort the process). In a process of its own, the parent
// kills it and the operating system takes everything back. Run by `isolate-client.ts`; speaks only IPC.
import { createHash } from 'node:crypto';
import ivm from 'isolated-vm';
import type { ChildMessage, ParentMessage } from './isolate-protocol.ts';
import { RUNTIME_SOURCE } from './runtime-source.ts';

interface Held {
  isolate: ivm.Isolate;
  context: ivm.Context;
  dispatch: ivm.Reference<(...args: unknown[]) => unknown>;
  references: ivm.Reference<unknown>[];
  calls: number;
  /** Calls in flight, settled when V8 has stopped running them. */
  running: Set<Promise<unknown>>;
  reportedCpuNs: bigint;
}

const held = new Map<number, Held>();
const codeCaches = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();
const MAX_CODE_CACHES = 64;
let nextRequest = 1;
const waiting = new Map<number, (text: string) => void>();

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Asks the parent (host call or log line) and waits for its JSON reply text. */
function ask(message: ChildMessage & { req: number }): Promise<string> {
  return new Promise((resolve) => {
    waiting.set(message.req, resolve);
    send(message);
  });
}

async function compile(isolate: ivm.Isolate, code: string, filename: string): Promise<ivm.Script> {
  const hash = createHash('sha256').update(code).digest('hex');
  const cached = codeCaches.get(hash);
  const options = cached ? { filename, cachedData: cached } : { filename, produceCachedData: true };
  const script = (await isolate.compileScript(code, options)) as ivm.Script & {
    cachedData?: ivm.ExternalCopy<ArrayBuffer>;
  };
  if (!cached && script.cachedData) {
    if (codeCaches.size >= MAX_CODE_CACHES) codeCaches.delete(codeCaches.keys().next().value as string);
    codeCaches.set(hash, script.cachedData);
  }
  return script;
}

async function create(message: Extract<ParentMessage, { t: 'create' }>): Promise<void> {
  const { id, config } = message;
  const isolate = new ivm.Isolate({
    memoryLimit: config.memoryMb,
    onCatastrophicError: (text: string) => {
      // V8 lost the isolate: tell the parent, which kills this process; kill it ourselves if that fails.
      send({ t: 'catastrophic', id, message: text });
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 200);
    },
  });
  try {
    const context = await isolate.createContext();
    const bridge = new ivm.Reference((callId: number, op: string, argsJson: string) =>
      ask({ t: 'bridge', id, req: nextRequest++, callId, op, argsJson }),
    );
    const log = new ivm.Reference((callId: number, level: string, text: string, dataJson: string | undefined) =>
      ask({ t: 'log', id, req: nextRequest++, callId, level, message: text, dataJson }),
    );
    const runtimeConfig = JSON.stringify({
      plugin: config.plugin,
      workspace: config.workspace,
      settings: config.settings,
      maxResultBytes: config.maxResultBytes,
      maxHostCalls: config.maxHostCalls,
    });
    // The runtime runs first, so it captures the built-ins before plugin code can touch them.
    const runtimeScript = await compile(isolate, RUNTIME_SOURCE, 'touchpoint:runtime.js');
    const runtime = (await runtimeScript.run(context, { reference: true })) as ivm.Reference<
      (...args: unknown[]) => unknown
    >;
    runtimeScript.release();
    const dispatch = (await runtime.apply(undefined, [bridge, log, runtimeConfig], {
      result: { reference: true },
      timeout: config.startupTimeMs,
    })) as ivm.Reference<(...args: unknown[]) => unknown>;
    runtime.release();
    const filename = `plugin:${config.plugin.id}@${config.plugin.version}/bundle.js`;
    const script = await compile(isolate, config.bundle, filename);
    await script.run(context, { timeout: config.startupTimeMs });
    script.release();
    const descriptorJson = (await dispatch.apply(undefined, ['init', 0], {
      result: { copy: true },
      timeout: config.startupTimeMs,
    })) as unknown;
    if (typeof descriptorJson !== 'string') throw new Error('the runtime returned no descriptor');
    held.set(id, {
      isolate,
      context,
      dispatch,
      references: [bridge, log],
      calls: 0,
      running: new Set(),
      reportedCpuNs: 0n,
    });
    send({ t: 'created', id, descriptorJson, cpuNs: isolate.cpuTime });
  } catch (error) {
    if (!isolate.isDisposed) isolate.dispose();
    send({ t: 'failed', id, ...describe(error) });
  }
}

function describe(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return { message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { message: String(error) };
}

function cpuOf(entry: Held): bigint {
  try {
    return entry.isolate.cpuTime;
  } catch {
    return 0n;
  }
}

async function call(message: Extract<ParentMessage, { t: 'call' }>): Promise<void> {
  const entry = held.get(message.id);
  if (!entry) {
    send({ t: 'result', req: message.req, ok: false, message: 'Isolate is disposed', cpuNs: 0n });
    return;
  }
  entry.calls++;
  const running = entry.dispatch.apply(undefined, message.args, {
    arguments: { copy: true },
    result: { promise: true, copy: true },
    timeout: message.timeoutMs,
  });
  entry.running.add(running);
  try {
    const value = await running;
    send({ t: 'result', req: message.req, ok: true, value, cpuNs: cpuOf(entry) });
  } catch (error) {
    send({ t: 'result', req: message.req, ok: false, ...describe(error), cpuNs: cpuOf(entry) });
  } finally {
    entry.calls--;
    entry.running.delete(running);
  }
}

/**
 * Disposes an isolate and confirms once V8 has stopped what ran in it. A call V8 cannot stop never settles:
 * then no confirmation comes and the parent kills this process.
 */
function dispose(id: number, req: number): void {
  const entry = held.get(id);
  if (!entry) {
    send({ t: 'disposed', req });
    return;
  }
  const running = [...entry.running];
  held.delete(id);
  for (const reference of entry.references) reference.release();
  if (!entry.isolate.isDisposed) {
    entry.dispatch.release();
    entry.context.release();
    entry.isolate.dispose();
  }
  void Promise.allSettled(running).then(() => send({ t: 'disposed', req }));
}

async function heap(message: Extract<ParentMessage, { t: 'heap' }>): Promise<void> {
  const entry = held.get(message.id);
  let bytes = 0;
  if (entry && !entry.isolate.isDisposed) {
    try {
      const stats = await entry.isolate.getHeapStatistics();
      bytes = stats.used_heap_size + stats.externally_allocated_size;
    } catch {
      bytes = 0;
    }
  }
  send({ t: 'heap', req: message.req, bytes });
}

process.on('message', (message: ParentMessage) => {
  switch (message.t) {
    case 'create':
      void create(message);
      break;
    case 'call':
      void call(message);
      break;
    case 'dispose':
      dispose(message.id, message.req);
      break;
    case 'heap':
      void heap(message);
      break;
    case 'reply': {
      const resolve = waiting.get(message.req);
      waiting.delete(message.req);
      resolve?.(message.text);
      break;
    }
  }
});

// CPU time of isolates that used some since the last report, for the parent's watchdog (which cannot ask
// synchronously): work left running after a call ended counts too.
setInterval(() => {
  const cpu: [number, bigint][] = [];
  for (const [id, entry] of held) {
    const ns = cpuOf(entry);
    if (ns === entry.reportedCpuNs) continue;
    entry.reportedCpuNs = ns;
    cpu.push([id, ns]);
  }
  if (cpu.length > 0) send({ t: 'cpu', cpu });
}, 5).unref();

// The parent went away (exit, kill -9): nothing here is of use to anyone.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
