// One plugin in one workspace: its registration, its isolate (started on first use, kept warm, stopped when
// idle, disabled or misbehaving), the calls in flight and the counters behind its metrics.
import { isTouchpointError, type TouchpointError } from '@touchpoint/schema';
import { type BridgeContext, type CallState, handleHostCall, handleLog, type LogLine } from './bridge.ts';
import { parseDescriptor } from './descriptor.ts';
import { HostCallGate, newInvocation } from './host-calls.ts';
import { type CodeCache, PluginIsolate, stopReason } from './isolate.ts';
import { limitExceeded, pluginFailed, pluginThrew } from './limits.ts';
import { type Reply, readReply } from './replies.ts';
import type {
  HostApi,
  HostCall,
  JsonObject,
  PluginDescriptor,
  PluginLimits,
  PluginLogEntry,
  RecordOperation,
} from './types.ts';

export interface Registration {
  plugin: { id: string; version: string };
  workspace: string;
  bundle: string;
  grants: ReadonlyMap<string, ReadonlySet<RecordOperation>>;
  limits: PluginLimits;
  hostApi: HostApi | undefined;
  settings: JsonObject;
  descriptor: PluginDescriptor;
  /** Shared by every instance of the same bundle. */
  bundleCache: CodeCache;
}

export interface InstanceHooks {
  onLog(entry: PluginLogEntry): void;
  onHostError?(error: unknown, call: HostCall, op: string): void;
  /** A call started: the host watches the instance's CPU time while it is `watched`. */
  onActivity(): void;
  /** The plugin misbehaved outside any call (work left running after its call ended). */
  onBackgroundFailure(error: TouchpointError): void;
  /** V8 lost control of an isolate (see isolated-vm's onCatastrophicError). */
  onCatastrophicError?(message: string): void;
}

const MAX_LOG_LINES = 200;
/** Host calls of calls that already ended after which the isolate is stopped. */
const MAX_STRAY_CALLS = 100;

export class PluginInstance {
  readonly reg: Registration;
  readonly calls = new Map<number, CallState>();
  readonly logs: PluginLogEntry[] = [];
  /** Its share of host calls running at once, across all its calls. */
  readonly gate: HostCallGate;
  #hooks: InstanceHooks;
  #isolate: PluginIsolate | undefined;
  #starting: Promise<PluginIsolate> | undefined;
  #nextCallId = 1;
  #retiredCpuNs = 0n;
  #heapBytes = 0;
  #heapSampledAt = 0;
  #strayCalls = 0;
  /** Bumped by `reset`, so an isolate that finishes starting after it is thrown away. */
  #generation = 0;
  /** After its last call ended, the isolate is watched this long (ms since epoch) for work left running. */
  #watchUntil = 0;
  #idleCpuStartNs = 0n;
  lastUsed = Date.now();
  disabled: { reason: string; at: string } | undefined;
  counters = { calls: 0, errors: 0, rejections: 0, hostCalls: 0, coldStarts: 0, consecutiveFailures: 0 };
  lastError: { code: string; message: string; at: string } | undefined;

  constructor(reg: Registration, hooks: InstanceHooks) {
    this.reg = reg;
    this.#hooks = hooks;
    this.gate = new HostCallGate(reg.limits);
  }

  get warm(): boolean {
    return this.#isolate !== undefined && !this.#isolate.disposed;
  }

  /** CPU time of every isolate this instance ran, ns. */
  cpuTimeNs(): bigint {
    return this.#retiredCpuNs + (this.#isolate?.cpuTimeNs() ?? 0n);
  }

  /** Heap of the warm isolate as last sampled (after start, then at most once a second after a call). */
  heapBytes(): number {
    return this.warm ? this.#heapBytes : 0;
  }

  #sampleHeap(isolate: PluginIsolate, force = false): void {
    const now = Date.now();
    if (!force && now - this.#heapSampledAt < 1_000) return;
    this.#heapSampledAt = now;
    void isolate.heapBytes().then((bytes) => {
      if (this.#isolate === isolate) this.#heapBytes = bytes;
    });
  }

  #bridgeContext(): BridgeContext {
    return {
      plugin: this.reg.plugin.id,
      workspace: this.reg.workspace,
      limits: this.reg.limits,
      grants: this.reg.grants,
      hostApi: this.reg.hostApi,
      calls: this.calls,
      gate: this.gate,
      onBudgetExceeded: (state, error) => this.#failCall(state, error),
      onStrayCall: () => {
        if (++this.#strayCalls === MAX_STRAY_CALLS) {
          this.#condemn();
          const message = `it kept calling the host API after its calls ended (${MAX_STRAY_CALLS} times); its sandbox was stopped`;
          this.#hooks.onBackgroundFailure(
            pluginFailed(this.reg.plugin.id, this.reg.workspace, 'the background', message),
          );
        }
      },
      ...(this.#hooks.onHostError ? { onHostError: this.#hooks.onHostError } : {}),
    };
  }

  async #start(): Promise<PluginIsolate> {
    const { reg } = this;
    const bridge = this.#bridgeContext();
    try {
      const { isolate, descriptorJson } = await PluginIsolate.create({
        plugin: reg.plugin,
        workspace: reg.workspace,
        settings: reg.settings,
        memoryMb: reg.limits.memoryMb,
        maxResultBytes: reg.limits.maxResultBytes,
        maxHostCalls: reg.limits.hostCallsPerRequest,
        startupTimeMs: reg.limits.startupTimeMs,
        bundle: reg.bundle,
        bundleCache: reg.bundleCache,
        ...(this.#hooks.onCatastrophicError ? { onCatastrophicError: this.#hooks.onCatastrophicError } : {}),
        bridge: (callId, op, argsJson) => handleHostCall(bridge, callId, op, argsJson),
        log: (callId, level, message, dataJson) => {
          const { line, reply } = handleLog(bridge, callId, level, message, dataJson);
          if (line) this.#log(line);
          return reply;
        },
      });
      const reply = readReply(descriptorJson, {
        plugin: reg.plugin.id,
        workspace: reg.workspace,
        where: 'startup',
        maxResultBytes: reg.limits.maxResultBytes,
      }) as { ok: true; descriptor?: unknown };
      if (!parseDescriptor(reply.descriptor, reg.plugin).descriptor) {
        isolate.dispose();
        throw pluginFailed(
          reg.plugin.id,
          reg.workspace,
          'startup',
          'the bundle no longer describes valid hooks and actions',
        );
      }
      this.counters.coldStarts++;
      return isolate;
    } catch (error) {
      throw startupError(error, reg.plugin.id, reg.workspace, reg.limits);
    }
  }

  /** The warm isolate, starting one if needed (concurrent callers share the start). */
  async isolate(): Promise<PluginIsolate> {
    if (this.#isolate && !this.#isolate.disposed) return this.#isolate;
    if (this.#isolate) this.#retire();
    const generation = this.#generation;
    this.#starting ??= this.#start();
    const starting = this.#starting;
    let isolate: PluginIsolate;
    try {
      isolate = await starting;
    } finally {
      if (this.#starting === starting) this.#starting = undefined;
    }
    if (generation !== this.#generation) {
      // Reset (disabled, upgraded, unloaded) while starting: this isolate must not outlive that.
      isolate.dispose();
      throw pluginFailed(this.reg.plugin.id, this.reg.workspace, 'startup', 'it was stopped while starting');
    }
    if (this.#isolate !== isolate) {
      if (this.#isolate) this.#retire();
      this.#isolate = isolate;
      this.#strayCalls = 0;
      this.#sampleHeap(isolate, true);
    }
    return isolate;
  }

  #retire(): void {
    if (!this.#isolate) return;
    this.#isolate.dispose();
    this.#retiredCpuNs += this.#isolate.cpuTimeNs();
    this.#isolate = undefined;
  }

  /** Stops the isolate now; calls in flight (and a start under way) fail. The next call starts a fresh one. */
  reset(): void {
    this.#generation++;
    this.#starting = undefined;
    this.#retire();
  }

  /**
   * Takes the isolate out of service at once (new calls get a fresh one) and stops it just after: we may be
   * inside a synchronous call from it right now. Calls still running in it fail.
   */
  #condemn(): void {
    const isolate = this.#isolate;
    if (!isolate) return;
    this.#isolate = undefined;
    setImmediate(() => {
      isolate.dispose();
      this.#retiredCpuNs += isolate.cpuTimeNs();
    });
  }

  #failCall(state: CallState, error: TouchpointError): void {
    if (state.failure) return;
    state.failure = error;
    state.abort(error);
    // The plugin may still be running (a loop after an await, a flood of host calls): stop it.
    this.#condemn();
  }

  /** Whether the watchdog should look at this instance: calls in flight, or one ended only just. */
  watched(now = Date.now()): boolean {
    return this.calls.size > 0 || (this.#isolate !== undefined && now < this.#watchUntil);
  }

  /**
   * Called by the host's watchdog: fails calls whose isolate used more CPU than allowed since they began,
   * and stops an isolate that keeps working after its last call ended.
   */
  checkCpu(): void {
    if (!this.#isolate) return;
    const now = this.#isolate.cpuTimeNs();
    const { cpuTimeMs } = this.reg.limits;
    const limitNs = BigInt(cpuTimeMs) * 1_000_000n;
    if (this.calls.size === 0) {
      if (now - this.#idleCpuStartNs > limitNs) {
        this.#condemn();
        const where = 'the background (after its call ended)';
        this.#hooks.onBackgroundFailure(
          limitExceeded(this.reg.plugin.id, this.reg.workspace, 'cpuTimeMs', cpuTimeMs, where),
        );
      }
      return;
    }
    for (const state of this.calls.values()) {
      if (now - state.cpuStartNs > limitNs) {
        this.#failCall(
          state,
          limitExceeded(this.reg.plugin.id, this.reg.workspace, 'cpuTimeMs', cpuTimeMs, state.where),
        );
      }
    }
  }

  #log(entry: LogLine): void {
    const line: PluginLogEntry = {
      plugin: this.reg.plugin.id,
      workspace: this.reg.workspace,
      level: entry.level,
      message: entry.message,
      ...(entry.data === undefined ? {} : { data: entry.data as PluginLogEntry['data'] }),
      at: new Date().toISOString(),
    };
    this.logs.push(line);
    if (this.logs.length > MAX_LOG_LINES) this.logs.shift();
    this.#hooks.onLog(line);
  }

  /**
   * Runs one hook or action in the isolate under the limits and returns its checked reply. Throws
   * LIMIT_EXCEEDED or PLUGIN_FAILED naming the plugin, the limit and where.
   */
  async call(
    op: 'hook' | 'action',
    names: [string, string],
    where: string,
    payloadJson: string,
    call: HostCall,
    budget: { used: number },
    now: Date,
  ): Promise<Reply> {
    const { limits } = this.reg;
    // Read before any await: the host call this call was started in, if any, lends it its slot.
    const invocation = newInvocation();
    let isolate: PluginIsolate;
    try {
      isolate = await this.isolate();
    } catch (error) {
      this.gate.end(invocation, error as TouchpointError);
      throw error;
    }
    const id = this.#nextCallId++;
    let abort!: (error: TouchpointError) => void;
    const aborted = new Promise<never>((_, reject) => {
      abort = reject;
    });
    aborted.catch(() => {}); // an abort after the call settled has nobody left to tell
    const state: CallState = {
      id,
      where,
      call: { ...call, signal: invocation.controller.signal },
      budget,
      cpuStartNs: isolate.cpuTimeNs(),
      hostCalls: 0,
      invocation,
      abort,
    };
    let failed: TouchpointError | undefined;
    // Past its wall clock the call may be stuck where V8 cannot interrupt it (a huge allocation): the isolate
    // is stopped with it, so the next call gets a fresh one instead of queueing behind it.
    const wall = setTimeout(() => {
      this.#failCall(
        state,
        limitExceeded(this.reg.plugin.id, this.reg.workspace, 'wallTimeMs', limits.wallTimeMs, where),
      );
    }, limits.wallTimeMs);
    this.calls.set(id, state);
    this.#hooks.onActivity();
    try {
      const pending = isolate.call(op, id, names[0], names[1], payloadJson, now.toISOString(), limits.cpuTimeMs);
      pending.catch(() => {}); // when the race is lost to `aborted`, its rejection is expected
      const raw = await Promise.race([pending, aborted]);
      if (state.failure) throw state.failure;
      return readReply(raw, {
        plugin: this.reg.plugin.id,
        workspace: this.reg.workspace,
        where,
        maxResultBytes: limits.maxResultBytes,
        ...(state.refusal ? { refusal: state.refusal } : {}),
        ...(state.limit ? { limit: state.limit } : {}),
      });
    } catch (error) {
      failed = this.#callError(error, state, isolate);
      throw failed;
    } finally {
      clearTimeout(wall);
      this.calls.delete(id);
      // Its host calls still waiting never run; those running finish (see README), new ones are refused.
      this.gate.end(
        invocation,
        failed ??
          state.failure ??
          pluginFailed(
            this.reg.plugin.id,
            this.reg.workspace,
            where,
            'the call ended before this host call ran: await every host call you start',
          ),
      );
      this.#sampleHeap(isolate);
      if (this.calls.size === 0 && this.#isolate === isolate) {
        this.#watchUntil = Date.now() + limits.wallTimeMs;
        this.#idleCpuStartNs = isolate.cpuTimeNs();
      }
      this.counters.hostCalls += state.hostCalls;
      this.lastUsed = Date.now();
    }
  }

  #callError(error: unknown, state: CallState, isolate: PluginIsolate): TouchpointError {
    if (state.failure) return state.failure;
    if (isTouchpointError(error)) return error as TouchpointError;
    const { id: plugin } = this.reg.plugin;
    const { workspace, limits } = this.reg;
    switch (stopReason(error, isolate.disposed)) {
      case 'timeout':
        return limitExceeded(plugin, workspace, 'cpuTimeMs', limits.cpuTimeMs, state.where);
      case 'memory':
        this.reset();
        return limitExceeded(plugin, workspace, 'memoryMb', limits.memoryMb, state.where);
      case 'disposed':
        return pluginFailed(
          plugin,
          workspace,
          state.where,
          'its sandbox was stopped while the call ran (another call of the plugin broke a limit, or it was disabled)',
        );
      default:
        // What the isolate threw may carry the plugin's words.
        return pluginThrew(plugin, workspace, state.where, error instanceof Error ? error.message : String(error), {
          ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
        });
    }
  }
}

/** Why an isolate could not start, as LIMIT_EXCEEDED or PLUGIN_FAILED. */
export function startupError(error: unknown, plugin: string, workspace: string, limits: PluginLimits): TouchpointError {
  if (isTouchpointError(error)) return error as TouchpointError;
  switch (stopReason(error, false)) {
    case 'timeout':
      return limitExceeded(plugin, workspace, 'startupTimeMs', limits.startupTimeMs, 'startup');
    case 'memory':
      return limitExceeded(plugin, workspace, 'memoryMb', limits.memoryMb, 'startup');
    case 'disposed':
      // The host stopped it (its sandbox process did not boot or answer in time): Touchpoint's words, not the plugin's.
      return pluginFailed(
        plugin,
        workspace,
        'startup',
        (error instanceof Error ? error.message : String(error)).replace(/^Isolate was disposed: /, ''),
      );
    default: {
      // An error thrown while the bundle is evaluated is the plugin's text.
      const message = error instanceof Error ? error.message : String(error);
      return pluginThrew(plugin, workspace, 'startup', message, {
        ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
      });
    }
  }
}
