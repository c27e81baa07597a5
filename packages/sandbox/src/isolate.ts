// One V8 isolate running one plugin bundle: creation (runtime, bundle, init), calls and disposal. Knows
// nothing of limits beyond passing them to V8; the host decides what a failure means.
import ivm from 'isolated-vm';
import { RUNTIME_SOURCE } from './runtime-source.ts';
import type { JsonObject } from './types.ts';

/** The bridge the isolate calls for host functions; answers with a JSON reply text, never throws. */
export type BridgeFunction = (callId: number, op: string, argsJson: string) => Promise<string>;
/** The log sink; answers `true` or the refusal the plugin's log call throws. */
export type LogFunction = (
  callId: number,
  level: string,
  message: string,
  dataJson: string | undefined,
) => true | { code: string; message: string };

export interface IsolateConfig {
  plugin: { id: string; version: string };
  workspace: string;
  settings: JsonObject;
  memoryMb: number;
  maxResultBytes: number;
  /** Host calls one call may have in flight before the runtime refuses more without asking the host. */
  maxHostCalls: number;
  startupTimeMs: number;
  bundle: string;
  /** V8's compiled code of the bundle, shared by every isolate running the same bundle. */
  bundleCache?: CodeCache;
  onCatastrophicError?: (message: string) => void;
  bridge: BridgeFunction;
  log: LogFunction;
}

/** Why V8 stopped a call, from isolated-vm's error text. */
export type StopReason = 'timeout' | 'memory' | 'disposed' | 'error';

export function stopReason(error: unknown, isolateDisposed: boolean): StopReason {
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out/i.test(message)) return 'timeout';
  if (/memory limit/i.test(message)) return 'memory';
  if (isolateDisposed || /disposed/i.test(message)) return 'disposed';
  return 'error';
}

const CALL_OPTIONS = { arguments: { copy: true }, result: { promise: true, copy: true } } as const;

/** Holds V8's code cache of one script once the first isolate compiled it. */
export interface CodeCache {
  data?: ivm.ExternalCopy<ArrayBuffer>;
}

const RUNTIME_CACHE: CodeCache = {};

/** Compiles with the cached code when there is some, producing it otherwise (saves ~0.4 ms per cold start). */
async function compile(isolate: ivm.Isolate, code: string, filename: string, cache: CodeCache): Promise<ivm.Script> {
  const options = cache.data ? { filename, cachedData: cache.data } : { filename, produceCachedData: true };
  const script = (await isolate.compileScript(code, options)) as ivm.Script & {
    cachedData?: ivm.ExternalCopy<ArrayBuffer>;
  };
  if (!cache.data && script.cachedData) cache.data = script.cachedData;
  return script;
}

export class PluginIsolate {
  readonly #isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  readonly #dispatch: ivm.Reference<(...args: unknown[]) => unknown>;
  readonly #references: ivm.Reference<unknown>[];
  /** CPU time used before `dispose`, kept because a disposed isolate cannot be asked. */
  #finalCpuNs: bigint | undefined;

  private constructor(
    isolate: ivm.Isolate,
    context: ivm.Context,
    dispatch: ivm.Reference<(...args: unknown[]) => unknown>,
    references: ivm.Reference<unknown>[],
  ) {
    this.#isolate = isolate;
    this.#context = context;
    this.#dispatch = dispatch;
    this.#references = references;
  }

  /**
   * Starts an isolate with the runtime and the bundle. Resolves with the isolate and the raw text of its
   * descriptor; rejects (with the isolate disposed) when the bundle cannot start.
   */
  static async create(config: IsolateConfig): Promise<{ isolate: PluginIsolate; descriptorJson: string }> {
    const isolate = new ivm.Isolate({
      memoryLimit: config.memoryMb,
      ...(config.onCatastrophicError ? { onCatastrophicError: config.onCatastrophicError } : {}),
    });
    try {
      const context = await isolate.createContext();
      const bridge = new ivm.Reference(config.bridge);
      const log = new ivm.Reference(config.log);
      const runtimeConfig = JSON.stringify({
        plugin: config.plugin,
        workspace: config.workspace,
        settings: config.settings,
        maxResultBytes: config.maxResultBytes,
        maxHostCalls: config.maxHostCalls,
      });
      // The runtime runs first, so it captures the built-ins before plugin code can touch them.
      const runtimeScript = await compile(isolate, RUNTIME_SOURCE, 'touchpoint:runtime.js', RUNTIME_CACHE);
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
      const script = await compile(isolate, config.bundle, filename, config.bundleCache ?? {});
      await script.run(context, { timeout: config.startupTimeMs });
      script.release();
      const descriptorJson = (await dispatch.apply(undefined, ['init', 0], {
        result: { copy: true },
        timeout: config.startupTimeMs,
      })) as unknown;
      if (typeof descriptorJson !== 'string') throw new Error('the runtime returned no descriptor');
      return { isolate: new PluginIsolate(isolate, context, dispatch, [bridge, log]), descriptorJson };
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw error;
    }
  }

  get disposed(): boolean {
    return this.#isolate.isDisposed;
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
    return this.#dispatch.apply(undefined, [op, callId, a, b, payloadJson, nowIso], {
      ...CALL_OPTIONS,
      timeout: timeoutMs,
    });
  }

  /** CPU time this isolate used so far, ns. */
  cpuTimeNs(): bigint {
    if (this.#finalCpuNs !== undefined) return this.#finalCpuNs;
    try {
      return this.#isolate.cpuTime;
    } catch {
      return 0n;
    }
  }

  /**
   * V8 heap in use (used + external), bytes; 0 once disposed. Asynchronous on purpose: the synchronous
   * variant waits for the isolate to be idle, which would stall the host behind a busy plugin.
   */
  async heapBytes(): Promise<number> {
    if (this.#isolate.isDisposed) return 0;
    try {
      const stats = await this.#isolate.getHeapStatistics();
      return stats.used_heap_size + stats.externally_allocated_size;
    } catch {
      return 0;
    }
  }

  /** Stops whatever runs in the isolate and frees it. Pending calls reject. */
  dispose(): void {
    if (this.#finalCpuNs !== undefined) return;
    this.#finalCpuNs = this.cpuTimeNs();
    for (const reference of this.#references) reference.release();
    if (!this.#isolate.isDisposed) {
      this.#dispatch.release();
      this.#context.release();
      this.#isolate.dispose();
    }
  }
}
