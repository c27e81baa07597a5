// One V8 isolate running one plugin bundle, as the host sees it: creation (runtime, bundle, init), calls
// and disposal. The isolate itself lives in the sandbox process (`isolate-process.ts`), so that a failure
// V8 cannot recover from costs a process the host kills, not the host's memory, a core, or its shutdown.
// Knows nothing of limits beyond passing them to V8; the host decides what a failure means.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ChildMessage, IsolateStartConfig, ParentMessage } from './isolate-protocol.ts';

/** The bridge the isolate calls for host functions; answers with a JSON reply text, never throws. */
export type BridgeFunction = (callId: number, op: string, argsJson: string) => Promise<string>;
/** The log sink; answers `true` or the refusal the plugin's log call throws. */
export type LogFunction = (
  callId: number,
  level: string,
  message: string,
  dataJson: string | undefined,
) => true | { code: string; message: string };

export interface IsolateConfig extends IsolateStartConfig {
  /** Kept for callers that share one per bundle; the sandbox process caches compiled code by content. */
  bundleCache?: CodeCache;
  onCatastrophicError?: (message: string) => void;
  bridge: BridgeFunction;
  log: LogFunction;
}

/** Compiled code of a bundle is cached in the sandbox process by content; this object only marks sharing. */
export type CodeCache = Record<string, never>;

/** Why V8 stopped a call, from isolated-vm's error text. */
export type StopReason = 'timeout' | 'memory' | 'disposed' | 'error';

export function stopReason(error: unknown, isolateDisposed: boolean): StopReason {
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out/i.test(message)) return 'timeout';
  if (/memory limit/i.test(message)) return 'memory';
  if (isolateDisposed || /disposed/i.test(message)) return 'disposed';
  return 'error';
}

export interface SandboxProcessOptions {
  /**
   * Resident memory the sandbox process may use, MB, before the host kills it (every isolate in it is
   * lost; the next call starts a new process). V8's per-isolate `memoryLimit` is a guideline an attacker
   * can pass several times over, so this is the bound that holds.
   */
  maxRssMb: number;
  /** How often the host reads the sandbox process's resident memory, ms. */
  rssCheckMs: number;
  /**
   * How long the sandbox process may take to confirm it disposed an isolate, ms. isolated-vm's dispose
   * waits for an isolate V8 cannot stop (for ~10 s, until "Script failed to terminate"); past this the
   * host kills the process instead of waiting.
   */
  disposeTimeoutMs: number;
  /** Added to an isolate's startup limit before the host gives up on a sandbox process that does not answer, ms. */
  startupGraceMs: number;
  /**
   * How long a new sandbox process may take to boot (Node and isolated-vm loaded, ~0.1 s quiet, seconds on a
   * loaded machine) before the host gives up on it, ms. Not counted in an isolate's startup.
   */
  bootTimeoutMs: number;
  /**
   * How many sandbox processes may run at once. Each workspace gets a process of its own while there are
   * fewer workspaces with live isolates than this; past it, a new workspace shares the process serving the
   * fewest workspaces (and a process killed for one of them fails the others' calls in flight too).
   */
  maxProcesses: number;
  /** How long a sandbox process with no isolate left lingers before it exits, ms. */
  idleProcessMs: number;
}

const processOptions: SandboxProcessOptions = {
  maxRssMb: 1_024,
  rssCheckMs: 100,
  disposeTimeoutMs: 3_000,
  startupGraceMs: 2_000,
  bootTimeoutMs: 15_000,
  maxProcesses: 8,
  idleProcessMs: 10_000,
};

/** Sets the bounds of the sandbox process (the next one started gets them; the running one at its next check). */
export function configureSandboxProcess(options: Partial<SandboxProcessOptions>): void {
  Object.assign(processOptions, options);
}

interface IsolateHandle {
  bridge: BridgeFunction;
  log: LogFunction;
  onCatastrophicError?: (message: string) => void;
  cpuNs: bigint;
  /** Set when the isolate is gone (disposed, or its process died), with the text calls reject with. */
  lost?: string;
}

interface Pending {
  id: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

const CHILD_PATH = new URL('./isolate-process.ts', import.meta.url);
const PAGE_BYTES = 4096;

/** The child process holding the isolates of one workspace (or of a few, past `maxProcesses`), with the requests waiting on it. */
class SandboxProcess {
  readonly child: ChildProcess;
  readonly handles = new Map<number, IsolateHandle>();
  /** The workspaces whose isolates it runs (a probe slot `~probe:<workspace>` counts as its workspace). */
  readonly workspaces = new Set<string>();
  #idleTimer: NodeJS.Timeout | undefined;
  /** Settles when the process has booted (its `ready`), or failed to. */
  readonly booted: Promise<void>;
  #markBooted: (error?: Error) => void = () => {};
  readonly #pending = new Map<number, Pending>();
  #nextRequest = 1;
  #dead = false;
  /** Why the process is being stopped, per isolate (catastrophic) or for all (memory). */
  #blame: { id?: number; message: string } | undefined;
  #rssTimer: NodeJS.Timeout;
  #referenced = false;
  /** Disposals not yet confirmed, by request id: the timer that kills the process if none comes. */
  readonly #disposing = new Map<number, NodeJS.Timeout>();

  constructor() {
    this.child = fork(CHILD_PATH, [], {
      execArgv: ['--no-node-snapshot'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.booted = new Promise<void>((resolve, reject) => {
      this.#markBooted = (error) => (error ? reject(error) : resolve());
    });
    this.booted.catch(() => {});
    const boot = setTimeout(
      () => this.kill({ message: 'Isolate was disposed: its sandbox process did not start in time' }),
      processOptions.bootTimeoutMs,
    ).unref();
    void this.booted.then(
      () => clearTimeout(boot),
      () => clearTimeout(boot),
    );
    this.child.on('message', (message: ChildMessage) => this.#receive(message));
    this.child.on('exit', (code, signal) => this.#died(code, signal));
    this.child.on('error', () => {});
    this.#unref();
    this.#rssTimer = setInterval(() => this.#checkRss(), processOptions.rssCheckMs).unref();
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** Resident memory of the process, bytes (Linux; 0 where /proc is missing). */
  rssBytes(): number {
    if (this.#dead || this.child.pid === undefined) return 0;
    try {
      const statm = readFileSync(`/proc/${this.child.pid}/statm`, 'utf8');
      return Number(statm.split(' ')[1]) * PAGE_BYTES;
    } catch {
      return 0;
    }
  }

  #checkRss(): void {
    const rss = this.rssBytes();
    if (rss > processOptions.maxRssMb * 1024 * 1024) {
      this.kill({
        message: `Isolate was disposed during execution due to memory limit: its sandbox process used ${Math.round(rss / 1024 / 1024)} MB, more than the ${processOptions.maxRssMb} MB it may use`,
      });
    }
  }

  // The channel keeps the host's event loop alive only while something waits on the sandbox.
  #ref(): void {
    if (this.#referenced || this.#dead) return;
    this.#referenced = true;
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  #unref(): void {
    this.#referenced = false;
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  send(message: ParentMessage): void {
    if (this.#dead) return;
    try {
      this.child.send(message);
    } catch {
      // The channel closed: `exit` follows and fails whatever waits.
    }
  }

  /** Sends a message answered by one `req`; rejects when the process dies first. */
  request<T>(id: number, build: (req: number) => ParentMessage, fixedReq?: number): Promise<T> {
    const req = fixedReq ?? this.#nextRequest++;
    return new Promise<T>((resolve, reject) => {
      const handle = this.handles.get(id);
      if (this.#dead || handle?.lost) {
        reject(new Error(handle?.lost ?? 'Isolate is disposed'));
        return;
      }
      this.#pending.set(req, { id, resolve: resolve as (value: unknown) => void, reject });
      this.#ref();
      this.send(build(req));
    });
  }

  #settle(req: number, outcome: { value: unknown } | { error: Error }): void {
    const pending = this.#pending.get(req);
    if (!pending) return;
    this.#pending.delete(req);
    if (this.#pending.size === 0) this.#unref();
    if ('error' in outcome) pending.reject(outcome.error);
    else pending.resolve(outcome.value);
  }

  /** Starts counting towards the process's exit once it holds no isolate; a new isolate stops it. */
  noteIsolates(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.#dead || this.handles.size > 0) return;
    this.#idleTimer = setTimeout(() => {
      if (this.handles.size === 0 && this.#pending.size === 0 && this.#disposing.size === 0) this.kill();
      else this.noteIsolates();
    }, processOptions.idleProcessMs).unref();
  }

  /** Disposes an isolate in the process; kills the process when it does not confirm in time. */
  dispose(id: number): void {
    if (this.#dead) return;
    const req = this.#nextRequest++;
    const timer = setTimeout(() => {
      this.kill({ id, message: 'Isolate was disposed: V8 could not stop it, so its sandbox process was stopped' });
    }, processOptions.disposeTimeoutMs).unref();
    this.#disposing.set(req, timer);
    this.send({ t: 'dispose', id, req });
  }

  /** Fails the requests of one isolate (it was disposed) without waiting for the process. */
  failIsolate(id: number, message: string): void {
    for (const [req, pending] of this.#pending) if (pending.id === id) this.#settle(req, { error: new Error(message) });
  }

  #receive(message: ChildMessage): void {
    switch (message.t) {
      case 'ready':
        this.#markBooted();
        break;
      case 'created':
        this.#settle(-message.id, { value: message });
        break;
      case 'failed':
        this.#settle(-message.id, { error: Object.assign(new Error(message.message), { stack: message.stack }) });
        break;
      case 'result': {
        const handle = this.handles.get(this.#pending.get(message.req)?.id ?? -1);
        if (handle && message.cpuNs > handle.cpuNs) handle.cpuNs = message.cpuNs;
        if (message.ok) this.#settle(message.req, { value: message.value });
        else {
          const error = new Error(message.message);
          error.stack = message.stack ?? message.message;
          this.#settle(message.req, { error });
        }
        break;
      }
      case 'heap':
        this.#settle(message.req, { value: message.bytes });
        break;
      case 'disposed':
        clearTimeout(this.#disposing.get(message.req));
        this.#disposing.delete(message.req);
        break;
      case 'cpu':
        for (const [id, ns] of message.cpu) {
          const handle = this.handles.get(id);
          if (handle && ns > handle.cpuNs) handle.cpuNs = ns;
        }
        break;
      case 'bridge': {
        const handle = this.handles.get(message.id);
        const answer = handle
          ? handle.bridge(message.callId, message.op, message.argsJson)
          : Promise.resolve(JSON.stringify({ ok: false, error: { code: 'PLUGIN_FAILED', message: 'stopped' } }));
        void answer.then((text) => this.send({ t: 'reply', req: message.req, text }));
        break;
      }
      case 'log': {
        const handle = this.handles.get(message.id);
        const reply = handle ? handle.log(message.callId, message.level, message.message, message.dataJson) : true;
        this.send({ t: 'reply', req: message.req, text: JSON.stringify(reply) });
        break;
      }
      case 'catastrophic': {
        this.handles.get(message.id)?.onCatastrophicError?.(message.message);
        this.kill({
          id: message.id,
          message: `Isolate was disposed during execution due to memory limit: V8 could not stop it (${message.message})`,
        });
        break;
      }
    }
  }

  /** Stops the process at once; the isolates in it are lost and their calls fail. */
  kill(blame?: { id?: number; message: string }): void {
    if (this.#dead) return;
    this.#blame ??= blame;
    // The server log says why every plugin call in flight failed at once.
    if (blame) console.warn(`[touchpoint] sandbox process ${this.child.pid} stopped: ${blame.message}`);
    this.child.kill('SIGKILL');
    this.#died(null, 'SIGKILL');
  }

  #died(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#markBooted(
      new Error(this.#blame?.message ?? 'Isolate was disposed: its sandbox process ended while it started'),
    );
    clearInterval(this.#rssTimer);
    clearTimeout(this.#idleTimer);
    for (const timer of this.#disposing.values()) clearTimeout(timer);
    this.#disposing.clear();
    for (const workspace of this.workspaces) if (assigned.get(workspace) === this) assigned.delete(workspace);
    running.delete(this);
    const blame = this.#blame;
    const others = `Isolate was disposed: its sandbox process ended (${signal ?? `exit code ${code}`}) because of another plugin`;
    for (const [id, handle] of this.handles) {
      handle.lost ??= blame && (blame.id === undefined || blame.id === id) ? blame.message : others;
    }
    for (const [req, pending] of this.#pending) {
      const handle = this.handles.get(pending.id);
      this.#settle(req, { error: new Error(handle?.lost ?? blame?.message ?? others) });
    }
    this.#unref();
  }
}

/** Every live sandbox process. */
const running = new Set<SandboxProcess>();
/** Which process serves which workspace. */
const assigned = new Map<string, SandboxProcess>();
let nextIsolate = 1;

/** The workspace a slot belongs to: a probe of an archive being installed runs beside its workspace's plugins. */
function workspaceOf(slot: string): string {
  return slot.startsWith('~probe:') ? slot.slice('~probe:'.length) : slot;
}

/**
 * The process for a workspace's isolates: its own, started on first use, so one workspace's plugins that
 * get their process killed (a runaway allocation, memory past the bound) cost no other workspace anything.
 * Past `maxProcesses` live processes, the one serving the fewest workspaces is shared.
 */
function sandboxProcess(slot: string): SandboxProcess {
  const workspace = workspaceOf(slot);
  let sandbox = assigned.get(workspace);
  if (!sandbox || sandbox.dead) {
    if (running.size < Math.max(1, processOptions.maxProcesses)) {
      sandbox = new SandboxProcess();
      running.add(sandbox);
    } else {
      sandbox = [...running].reduce((a, b) => (b.workspaces.size < a.workspaces.size ? b : a));
    }
    sandbox.workspaces.add(workspace);
    assigned.set(workspace, sandbox);
  }
  return sandbox;
}

// Whatever way the host ends, its sandbox processes end with it (a child also exits when its channel closes).
process.on('exit', () => {
  for (const sandbox of running) sandbox.child.kill('SIGKILL');
});

export interface SandboxProcessInfo {
  pid: number;
  /** Resident memory, bytes. */
  rssBytes: number;
  /** The workspaces it serves. */
  workspaces: string[];
}

function info(sandbox: SandboxProcess | undefined): SandboxProcessInfo | undefined {
  if (!sandbox || sandbox.dead || sandbox.child.pid === undefined) return undefined;
  return { pid: sandbox.child.pid, rssBytes: sandbox.rssBytes(), workspaces: [...sandbox.workspaces] };
}

/**
 * The sandbox process running a workspace's isolates, if one runs (its pid, resident memory and the
 * workspaces it serves); without a workspace, the first one running. For tests and metrics.
 */
export function sandboxProcessInfo(workspace?: string): SandboxProcessInfo | undefined {
  if (workspace !== undefined) return info(assigned.get(workspaceOf(workspace)));
  return info([...running][0]);
}

/** Every live sandbox process. */
export function sandboxProcesses(): SandboxProcessInfo[] {
  return [...running].map(info).filter((i): i is SandboxProcessInfo => i !== undefined);
}

/** Stops the sandbox process of a workspace, or every one (isolates in it are lost; the next call starts another). */
export function stopSandboxProcess(workspace?: string): void {
  if (workspace !== undefined) assigned.get(workspaceOf(workspace))?.kill();
  else for (const sandbox of [...running]) sandbox.kill();
}

export class PluginIsolate {
  readonly #process: SandboxProcess;
  readonly #id: number;
  readonly #handle: IsolateHandle;

  private constructor(sandbox: SandboxProcess, id: number, handle: IsolateHandle) {
    this.#process = sandbox;
    this.#id = id;
    this.#handle = handle;
  }

  /**
   * Starts an isolate with the runtime and the bundle. Resolves with the isolate and the raw text of its
   * descriptor; rejects (with the isolate disposed) when the bundle cannot start.
   */
  static async create(config: IsolateConfig): Promise<{ isolate: PluginIsolate; descriptorJson: string }> {
    const sandbox = sandboxProcess(config.workspace);
    const id = nextIsolate++;
    const handle: IsolateHandle = {
      bridge: config.bridge,
      log: config.log,
      ...(config.onCatastrophicError ? { onCatastrophicError: config.onCatastrophicError } : {}),
      cpuNs: 0n,
    };
    sandbox.handles.set(id, handle);
    sandbox.noteIsolates();
    const { bridge: _b, log: _l, onCatastrophicError: _o, bundleCache: _c, ...start } = config;
    // A process just forked boots first (bounded by bootTimeoutMs): that is not the isolate's startup.
    try {
      await sandbox.booted;
    } catch (error) {
      sandbox.handles.delete(id);
      throw error;
    }
    // V8 bounds the startup inside the process; this bounds a process that no longer answers at all.
    const guard = setTimeout(
      () => sandbox.kill({ id, message: 'Isolate was disposed: its sandbox process did not answer while it started' }),
      config.startupTimeMs + processOptions.startupGraceMs,
    );
    try {
      // Creation is answered under the request id -id (a `created` or `failed` message).
      const created = await sandbox.request<{ descriptorJson: string; cpuNs: bigint }>(
        id,
        () => ({ t: 'create', id, config: start }),
        -id,
      );
      clearTimeout(guard);
      handle.cpuNs = created.cpuNs;
      return { isolate: new PluginIsolate(sandbox, id, handle), descriptorJson: created.descriptorJson };
    } catch (error) {
      clearTimeout(guard);
      sandbox.handles.delete(id);
      sandbox.dispose(id);
      sandbox.noteIsolates();
      throw error;
    }
  }

  get disposed(): boolean {
    return this.#handle.lost !== undefined || this.#process.dead;
  }

  /**
   * Runs a hook or an action. `timeoutMs` bounds the synchronous part (V8 terminates it); the host's
   * watchdog bounds what runs after an await.
   */
  async call(
    op: 'hook' | 'action',
    callId: number,
    a: string,
    b: string,
    payloadJson: string,
    nowIso: string,
    timeoutMs: number,
  ): Promise<unknown> {
    const args = [op, callId, a, b, payloadJson, nowIso];
    return this.#process.request(this.#id, (req) => ({ t: 'call', id: this.#id, req, args, timeoutMs }));
  }

  /** CPU time this isolate used so far, ns, as last reported by the sandbox process (every 5 ms during calls). */
  cpuTimeNs(): bigint {
    return this.#handle.cpuNs;
  }

  /** V8 heap in use (used + external), bytes; 0 once disposed. */
  async heapBytes(): Promise<number> {
    if (this.disposed) return 0;
    try {
      return await this.#process.request<number>(this.#id, (req) => ({ t: 'heap', id: this.#id, req }));
    } catch {
      return 0;
    }
  }

  /** Stops whatever runs in the isolate and frees it. Pending calls reject. */
  dispose(): void {
    if (this.#handle.lost !== undefined) return;
    this.#handle.lost = 'Isolate is disposed';
    this.#process.failIsolate(this.#id, this.#handle.lost);
    this.#process.handles.delete(this.#id);
    this.#process.dispose(this.#id);
    this.#process.noteIsolates();
  }
}
