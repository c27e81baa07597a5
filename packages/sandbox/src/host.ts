// The plugin host: which plugins are loaded in which workspace, and the one door through which the engine
// runs their hooks and actions. Every failure of plugin code comes out as a TouchpointError naming the
// plugin (PLUGIN_FAILED, LIMIT_EXCEEDED, VALIDATION_FAILED for a refusal); none takes the host down.
import { webcrypto } from 'node:crypto';
import { type Issue, TouchpointError } from '@touchpoint/schema';
import { parseDescriptor } from './descriptor.ts';
import { normalizeGrants } from './grants.ts';
import { type InstanceHooks, PluginInstance, startupError } from './instance.ts';
import { type CodeCache, PluginIsolate } from './isolate.ts';
import { pluginFailed, resolveLimits } from './limits.ts';
import { readReply, rejectionError } from './replies.ts';
import {
  type ActionPayload,
  type CallOptions,
  HOOK_NAMES,
  type HookName,
  type HookPayload,
  type HookResult,
  type HostCall,
  type JsonObject,
  type JsonValue,
  type LoadOptions,
  type PluginDescriptor,
  type PluginHostOptions,
  type PluginLimits,
  type PluginLogEntry,
  type PluginMetrics,
} from './types.ts';

const PLUGIN_ID = /^[a-z][a-z0-9-]{0,39}\.[a-z][a-z0-9-]{0,63}$/;

function key(plugin: string, workspace: string): string {
  return `${workspace}\u0000${plugin}`;
}

export class PluginHost {
  readonly #options: PluginHostOptions;
  readonly #instances = new Map<string, PluginInstance>();
  readonly #descriptors = new Map<string, PluginDescriptor>();
  /** V8 code caches by bundle hash: the compiled bundle is reused by every workspace's isolate. */
  readonly #codeCaches = new Map<string, CodeCache>();
  readonly #budgets = new WeakMap<object, Map<string, { used: number }>>();
  readonly #active = new Set<PluginInstance>();
  readonly #recorded = new WeakSet<object>();
  #watchdog: NodeJS.Timeout | undefined;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: PluginHostOptions = {}) {
    this.#options = options;
    resolveLimits(options.limits);
  }

  /**
   * Loads (or upgrades) a plugin in a workspace and returns what it declares. The bundle is evaluated once
   * per content to read its descriptor; the workspace's isolate starts on the first call.
   */
  async load(options: LoadOptions): Promise<PluginDescriptor> {
    const { manifest, bundle, workspace } = options;
    const issues: Issue[] = [];
    if (typeof manifest?.id !== 'string' || !PLUGIN_ID.test(manifest.id)) {
      issues.push({ path: 'manifest.id', message: 'must be "vendor.name" (lowercase letters, digits, dashes)' });
    }
    if (typeof manifest?.version !== 'string' || manifest.version.trim() === '') {
      issues.push({ path: 'manifest.version', message: 'must be a version' });
    }
    if (typeof workspace !== 'string' || workspace === '')
      issues.push({ path: 'workspace', message: 'must be a workspace slug' });
    if (typeof bundle !== 'string' || bundle === '')
      issues.push({ path: 'bundle', message: 'must be the plugin script' });
    if (issues.length > 0) throw new TouchpointError('BAD_REQUEST', 'The plugin cannot be loaded.', { issues });
    const limits = resolveLimits(this.#options.limits, options.limits);
    const grants = normalizeGrants(options.grants);
    const settings = JSON.parse(JSON.stringify(options.settings ?? {})) as JsonObject;
    const plugin = { id: manifest.id, version: manifest.version };
    // Web Crypto digests on libuv's thread pool: hashing a bundle of several MB on the main thread stalled
    // every other request of the server for ~30-100 ms during an install.
    const hash =
      options.bundleHash ??
      Buffer.from(await webcrypto.subtle.digest('SHA-256', Buffer.from(bundle, 'utf8'))).toString('hex');
    const bundleCache = this.#codeCaches.get(hash) ?? {};
    this.#codeCaches.set(hash, bundleCache);
    const descriptor = await this.#describe(plugin, bundle, hash, bundleCache, workspace, limits);
    const hostApi = options.hostApi ?? this.#options.hostApi;
    const reg = { plugin, workspace, bundle, bundleCache, grants, limits, hostApi, settings, descriptor };
    this.#instances.get(key(plugin.id, workspace))?.reset();
    // Re-inserting keeps load order stable for a new plugin and moves an upgraded one to the end.
    this.#instances.delete(key(plugin.id, workspace));
    const { hooks, bind } = this.#instanceHooks();
    this.#instances.set(key(plugin.id, workspace), bind(new PluginInstance(reg, hooks)));
    this.#sweeper ??= setInterval(() => this.sweepIdle(), this.#options.sweepIntervalMs ?? 30_000).unref();
    return descriptor;
  }

  async #describe(
    plugin: { id: string; version: string },
    bundle: string,
    hash: string,
    bundleCache: CodeCache,
    workspace: string,
    limits: PluginLimits,
  ): Promise<PluginDescriptor> {
    const cacheKey = `${plugin.id}@${plugin.version}:${hash}`;
    const cached = this.#descriptors.get(cacheKey);
    if (cached) return cached;
    let created: Awaited<ReturnType<typeof PluginIsolate.create>>;
    try {
      created = await PluginIsolate.create({
        plugin,
        workspace,
        settings: {},
        memoryMb: limits.memoryMb,
        maxResultBytes: limits.maxResultBytes,
        maxHostCalls: limits.hostCallsPerRequest,
        startupTimeMs: limits.startupTimeMs,
        bundle,
        bundleCache,
        bridge: async () =>
          JSON.stringify({ ok: false, error: { code: 'PLUGIN_FAILED', message: 'no host calls at startup' } }),
        log: () => true,
      });
    } catch (error) {
      throw startupError(error, plugin.id, workspace, limits);
    }
    const { isolate, descriptorJson } = created;
    isolate.dispose();
    const reply = readReply(descriptorJson, {
      plugin: plugin.id,
      workspace,
      where: 'startup',
      maxResultBytes: limits.maxResultBytes,
    });
    const parsed = parseDescriptor((reply as { descriptor?: unknown }).descriptor, plugin);
    if (!parsed.descriptor) {
      throw new TouchpointError(
        'PLUGIN_FAILED',
        `Plugin ${plugin.id} declares hooks or actions that are not valid:\n${parsed.issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
        { issues: parsed.issues, details: { plugin: plugin.id } },
      );
    }
    this.#descriptors.set(cacheKey, parsed.descriptor);
    return parsed.descriptor;
  }

  #instanceHooks(): { hooks: InstanceHooks; bind(instance: PluginInstance): PluginInstance } {
    let instance: PluginInstance | undefined;
    const hooks: InstanceHooks = {
      onLog: (entry) => this.#options.onLog?.(entry),
      onActivity: () => {
        if (instance) this.#watch(instance);
      },
      onBackgroundFailure: (error) => {
        if (instance) this.#recordFailure(instance, error);
      },
    };
    if (this.#options.onHostError) hooks.onHostError = this.#options.onHostError;
    const onCatastrophicError = this.#options.onCatastrophicError;
    if (onCatastrophicError) {
      hooks.onCatastrophicError = (message) =>
        instance && onCatastrophicError(message, { id: instance.reg.plugin.id, workspace: instance.reg.workspace });
    }
    return { hooks, bind: (created: PluginInstance) => (instance = created) };
  }

  /** Runs the CPU watchdog while any instance has calls in flight or has just finished one. */
  #watch(instance: PluginInstance): void {
    this.#active.add(instance);
    this.#watchdog ??= setInterval(() => {
      const now = Date.now();
      for (const watched of this.#active) {
        watched.checkCpu();
        if (!watched.watched(now)) this.#active.delete(watched);
      }
      if (this.#active.size === 0) {
        clearInterval(this.#watchdog);
        this.#watchdog = undefined;
      }
    }, this.#options.watchdogIntervalMs ?? 10).unref();
  }

  #instance(plugin: string, workspace: string): PluginInstance {
    const instance = this.#instances.get(key(plugin, workspace));
    if (!instance) throw new TouchpointError('NOT_FOUND', `Plugin ${plugin} is not loaded in workspace ${workspace}.`);
    return instance;
  }

  #budget(request: object | undefined, instanceKey: string): { used: number } {
    if (!request) return { used: 0 };
    const budgets = this.#budgets.get(request) ?? new Map<string, { used: number }>();
    this.#budgets.set(request, budgets);
    const budget = budgets.get(instanceKey) ?? { used: 0 };
    budgets.set(instanceKey, budget);
    return budget;
  }

  async #run(
    instance: PluginInstance,
    op: 'hook' | 'action',
    names: [string, string],
    where: string,
    payload: JsonObject,
    options: CallOptions,
  ) {
    const { plugin, workspace } = instance.reg;
    if (instance.disabled) {
      throw pluginFailed(plugin.id, workspace, where, `it is disabled: ${instance.disabled.reason}`, {
        disabled: true,
      });
    }
    let payloadJson: string;
    try {
      payloadJson = JSON.stringify(payload);
    } catch (error) {
      // The caller's data, not the plugin's fault: refused without counting against the plugin.
      throw new TouchpointError('BAD_REQUEST', `The payload for ${where} is not JSON: ${(error as Error).message}`);
    }
    instance.counters.calls++;
    const call: HostCall = {
      plugin: plugin.id,
      version: plugin.version,
      workspace,
      request: options.request,
      grants: instance.reg.grants,
      ...(options.effects ? { effects: options.effects } : {}),
      ...(options.actor ? { actor: options.actor } : {}),
    };
    const budget = this.#budget(options.request, key(plugin.id, workspace));
    const now = this.#options.now?.() ?? new Date();
    try {
      const reply = await instance.call(op, names, where, payloadJson, call, budget, now);
      if (!reply.ok) instance.counters.rejections++;
      instance.counters.consecutiveFailures = 0;
      return reply;
    } catch (error) {
      this.#recordFailure(instance, error as TouchpointError);
      throw error;
    }
  }

  #recordFailure(instance: PluginInstance, error: TouchpointError): void {
    // A limit passed up through nested calls of the plugin (a chain of hooks) is one failure, not one per level.
    if (this.#recorded.has(error)) return;
    this.#recorded.add(error);
    this.#options.onPluginFailure?.(error, { id: instance.reg.plugin.id, workspace: instance.reg.workspace });
    instance.counters.errors++;
    instance.counters.consecutiveFailures++;
    instance.lastError = { code: error.code, message: error.message, at: new Date().toISOString() };
    const max = instance.reg.limits.maxConsecutiveFailures;
    if (instance.counters.consecutiveFailures >= max && !instance.disabled) {
      this.disable(
        instance.reg.plugin.id,
        instance.reg.workspace,
        `it failed ${max} times in a row; last: ${error.message}`,
      );
    }
  }

  /** Enabled plugins of a workspace with this hook on this entity, in load order. */
  hooksFor(workspace: string, entity: string, hook: HookName): string[] {
    const found: string[] = [];
    for (const instance of this.#instances.values()) {
      const { reg } = instance;
      if (reg.workspace === workspace && !instance.disabled && reg.descriptor.hooks[entity]?.includes(hook)) {
        found.push(reg.plugin.id);
      }
    }
    return found;
  }

  /** What each plugin loaded in a workspace declares (for GraphQL generation). */
  descriptors(workspace: string): PluginDescriptor[] {
    return [...this.#instances.values()].filter((i) => i.reg.workspace === workspace).map((i) => i.reg.descriptor);
  }

  /**
   * Runs a hook. Before-hooks resolve with the values to write (create, update) or reject with
   * VALIDATION_FAILED when the plugin refuses; a plugin without this hook resolves with `{}`.
   */
  async runHook(
    plugin: string,
    workspace: string,
    entity: string,
    hook: HookName,
    payload: HookPayload,
    options: CallOptions = {},
  ): Promise<HookResult> {
    const instance = this.#instance(plugin, workspace);
    if (!(HOOK_NAMES as readonly string[]).includes(hook)) {
      throw new TouchpointError('BAD_REQUEST', `There is no hook "${hook}".`, {
        issues: [{ path: 'hook', message: 'unknown hook', allowed: HOOK_NAMES }],
      });
    }
    if (!instance.reg.descriptor.hooks[entity]?.includes(hook)) return {};
    const body = { ...payload, actor: options.actor ?? 'system' } as JsonObject;
    const reply = await this.#run(instance, 'hook', [entity, hook], `${entity}.${hook}`, body, options);
    if (!reply.ok) throw rejectionError(reply.rejected, plugin, `the ${entity} record`, '');
    return reply.values ? { values: reply.values } : {};
  }

  /** Runs an action on one record; resolves with what the action returned (JSON). */
  async runAction(
    plugin: string,
    workspace: string,
    action: string,
    payload: ActionPayload,
    options: CallOptions = {},
  ): Promise<JsonValue> {
    const instance = this.#instance(plugin, workspace);
    const declared = instance.reg.descriptor.actions;
    if (!Object.hasOwn(declared, action)) {
      throw new TouchpointError('NOT_FOUND', `Plugin ${plugin} has no action "${action}".`, {
        issues: [{ path: 'action', message: 'unknown action', allowed: Object.keys(declared) }],
      });
    }
    if (typeof payload?.id !== 'string' || payload.id === '') {
      throw new TouchpointError('BAD_REQUEST', `Action ${action} of plugin ${plugin} runs on a record: give its id.`);
    }
    const body = { ...payload, actor: options.actor ?? 'system' } as JsonObject;
    const reply = await this.#run(instance, 'action', [action, ''], `action ${action}`, body, options);
    if (!reply.ok) throw rejectionError(reply.rejected, plugin, `the action ${action}`, 'input');
    return reply.result ?? null;
  }

  /** Disables a plugin in a workspace: its isolate stops, its calls fail with the reason until enabled. */
  disable(plugin: string, workspace: string, reason: string): void {
    const instance = this.#instance(plugin, workspace);
    const at = new Date().toISOString();
    instance.disabled = { reason, at };
    instance.reset();
    this.#options.onDisable?.({ plugin, workspace, reason, at });
  }

  enable(plugin: string, workspace: string): void {
    const instance = this.#instance(plugin, workspace);
    instance.disabled = undefined;
    instance.counters.consecutiveFailures = 0;
  }

  /** Stops a plugin's isolate (it starts again on the next call). */
  dispose(plugin: string, workspace: string): void {
    this.#instance(plugin, workspace).reset();
  }

  /** Forgets a plugin in a workspace (uninstall). */
  unload(plugin: string, workspace: string): boolean {
    const instance = this.#instances.get(key(plugin, workspace));
    instance?.reset();
    const removed = this.#instances.delete(key(plugin, workspace));
    // A bundle no workspace runs any more needs no compiled code.
    const bundles = new Set([...this.#instances.values()].map((i) => i.reg.bundleCache));
    for (const [hash, cache] of this.#codeCaches) if (!bundles.has(cache)) this.#codeCaches.delete(hash);
    return removed;
  }

  /** Stops isolates unused for their `idleMs`; returns how many. */
  sweepIdle(now = Date.now()): number {
    let stopped = 0;
    for (const instance of this.#instances.values()) {
      if (instance.warm && instance.calls.size === 0 && now - instance.lastUsed >= instance.reg.limits.idleMs) {
        instance.reset();
        stopped++;
      }
    }
    return stopped;
  }

  metrics(filter: { plugin?: string; workspace?: string } = {}): PluginMetrics[] {
    const rows: PluginMetrics[] = [];
    for (const instance of this.#instances.values()) {
      const { reg, counters } = instance;
      if (filter.plugin && filter.plugin !== reg.plugin.id) continue;
      if (filter.workspace && filter.workspace !== reg.workspace) continue;
      rows.push({
        plugin: reg.plugin.id,
        version: reg.plugin.version,
        workspace: reg.workspace,
        state: instance.disabled ? 'disabled' : instance.warm ? 'warm' : 'cold',
        ...counters,
        hostCallsPeak: instance.gate.peak,
        hostCallsDropped: instance.gate.dropped,
        cpuTimeMs: Number(instance.cpuTimeNs()) / 1e6,
        memoryBytes: instance.heapBytes(),
        ...(instance.lastError ? { lastError: instance.lastError } : {}),
        ...(instance.disabled ? { disabled: instance.disabled } : {}),
      });
    }
    return rows;
  }

  /** The last lines a plugin logged in a workspace (also streamed to `onLog`). */
  logs(plugin: string, workspace: string): PluginLogEntry[] {
    return [...this.#instance(plugin, workspace).logs];
  }

  /** Stops every isolate and timer. */
  close(): void {
    for (const instance of this.#instances.values()) instance.reset();
    this.#instances.clear();
    this.#codeCaches.clear();
    clearInterval(this.#watchdog);
    clearInterval(this.#sweeper);
    this.#watchdog = undefined;
    this.#sweeper = undefined;
  }
}
