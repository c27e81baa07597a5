// The plugin runtime of one Touchpoint process: one sandbox host, the installations of every workspace,
// the plugins' hooks on the engine and their actions. Lifecycle changes (lifecycle.ts) run one at a time
// per workspace; on start every installed plugin is loaded again, disabled ones staying disabled.
import type { ChangeResult, Engine, RecordService } from '@touchpoint/engine';
import { type InputSpec, type JsonValue, type PluginManifest, validateInput } from '@touchpoint/plugin-sdk';
import {
  type ActionDescriptor,
  DEFAULT_LIMITS,
  type DisableEvent,
  type HookName,
  type PluginFailureCause,
  PluginHost,
  type PluginLimits,
  type PluginLogEntry,
  type PluginMetrics,
  resolveLimits,
} from '@touchpoint/sandbox';
import { TouchpointError, validationFailed } from '@touchpoint/schema';
import { chainOf } from './effects.ts';
import { type Installation, Installations } from './installations.ts';
import {
  disablePlugin,
  enablePlugin,
  type InstallOptions,
  installPlugin,
  type PluginPreview,
  previewPlugin,
  type UninstallOptions,
  uninstallPlugin,
  upgradePlugin,
} from './lifecycle.ts';
import { type PluginPackage, readPackage, readPackageOffThread } from './package.ts';
import { RecordsBridge, recordSelection } from './records-bridge.ts';
import { callOptions, type Wiring, wirePlugins } from './wiring.ts';

/** A plugin's stack may carry control and direction characters meant for a terminal: written escaped. */
function escapeInvisible(text: string): string {
  return text.replace(/[^\P{C}\n]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

export interface PluginRuntimeOptions {
  engine: Engine;
  /** Defaults for every plugin's limits (each installation's own limits apply on top). */
  limits?: Partial<PluginLimits>;
  /** Every line a plugin logs, and the runtime's own warnings about plugins. Default: console. */
  onLog?(entry: PluginLogEntry): void;
  /** How often the sandbox's CPU watchdog looks at busy isolates, ms. */
  watchdogIntervalMs?: number;
}

export interface PluginUsage extends Omit<PluginMetrics, 'plugin' | 'version' | 'workspace'> {
  /** After-hooks that failed (they cannot refuse a write; they are logged and counted). */
  afterHookErrors: number;
}

/** An installed plugin as an admin sees it. */
export interface InstalledPlugin {
  id: string;
  version: string;
  workspace: string;
  labels: PluginManifest['labels'];
  description: PluginManifest['description'];
  /** The Touchpoint versions it works with. */
  touchpoint: string;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  capabilitiesRequested: NonNullable<PluginManifest['capabilities']>;
  capabilitiesGranted: Installation['grants'];
  settings: Installation['settings'];
  limits: PluginLimits;
  sha256: string;
  installedBy: string;
  installedAt: string;
  updatedAt: string;
  hooks: Record<string, HookName[]>;
  actions: Record<string, ActionDescriptor>;
  metrics: PluginUsage;
}

export interface LifecycleResult {
  plugin: InstalledPlugin | null;
  /** The metadata change it made (null when it made none). */
  change: ChangeResult | null;
  /** What a purge deleted for good. */
  purged?: string[];
}

const EMPTY_USAGE: Omit<PluginUsage, 'afterHookErrors'> = {
  state: 'cold',
  calls: 0,
  errors: 0,
  rejections: 0,
  hostCalls: 0,
  hostCallsPeak: 0,
  hostCallsDropped: 0,
  cpuTimeMs: 0,
  memoryBytes: 0,
  coldStarts: 0,
  consecutiveFailures: 0,
};

/**
 * The most host calls one plugin may have running at once on a database pool of `poolSize` connections:
 * half of it, at least one, so a plugin flooding its host calls leaves the other half to everyone else.
 */
export function hostCallShare(poolSize: number): number {
  return Math.max(1, Math.floor(poolSize / 2));
}

export class PluginRuntime {
  readonly engine: Engine;
  /** `hostCallShare` of the engine's pool: no plugin's `hostCallConcurrency` goes above it. */
  readonly maxHostCallConcurrency: number;
  readonly host: PluginHost;
  readonly installations: Installations;
  readonly bridge: RecordsBridge;
  readonly #options: PluginRuntimeOptions;
  readonly #wiring: Wiring;
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #afterHookErrors = new Map<string, number>();
  readonly #pending = new Set<Promise<unknown>>();
  /** Set while the runtime itself disables a plugin, so the host's notice is not persisted twice. */
  #quiet = false;

  private constructor(options: PluginRuntimeOptions) {
    this.#options = options;
    this.engine = options.engine;
    this.installations = new Installations(options.engine.db);
    this.bridge = new RecordsBridge(options.engine);
    const poolSize = (options.engine.db.pool as { options?: { max?: number } }).options?.max ?? 10;
    this.maxHostCallConcurrency = hostCallShare(poolSize);
    const asked = options.limits?.hostCallConcurrency;
    if (asked !== undefined && asked > this.maxHostCallConcurrency) {
      throw validationFailed('The plugin limits do not fit the database pool:', [
        {
          path: 'limits.hostCallConcurrency',
          message: `is ${asked}; with a database pool of ${poolSize} connections a plugin may run at most ${this.maxHostCallConcurrency} host calls at once, so other clients keep the rest`,
        },
      ]);
    }
    // The default share (4) is lowered to what the pool allows (1 on the embedded database's pool of 1).
    const limits = {
      ...options.limits,
      hostCallConcurrency: Math.min(asked ?? DEFAULT_LIMITS.hostCallConcurrency, this.maxHostCallConcurrency),
    };
    this.host = new PluginHost({
      hostApi: this.bridge.hostApi(),
      limits,
      ...(options.watchdogIntervalMs ? { watchdogIntervalMs: options.watchdogIntervalMs } : {}),
      onLog: (entry) => this.log(entry),
      onDisable: (event) => this.#persistDisable(event),
      onHostError: (error, call, op) =>
        console.error(`[touchpoint] plugin ${call.plugin} (${call.workspace}): host call ${op} failed:`, error),
      // The plugin's whole text and its stack go to the server log only; answers carry neither.
      onPluginFailure: (error, plugin) => {
        const cause = error.cause as PluginFailureCause | undefined;
        if (cause?.text === undefined) return;
        console.error(
          `[touchpoint] plugin ${plugin.id} (${plugin.workspace}) failed: ${error.message}\n  its text: ${JSON.stringify(cause.text)}${cause.stack ? `\n  its stack: ${escapeInvisible(cause.stack)}` : ''}`,
        );
      },
      onCatastrophicError: (message, plugin) =>
        console.error(`[touchpoint] plugin ${plugin.id} (${plugin.workspace}): isolate lost: ${message}`),
    });
    this.#wiring = wirePlugins({
      engine: this.engine,
      host: this.host,
      onAfterHookError: (plugin, workspace, where, error) => {
        const key = `${workspace}\u0000${plugin}`;
        this.#afterHookErrors.set(key, (this.#afterHookErrors.get(key) ?? 0) + 1);
        const message = error instanceof Error ? error.message : String(error);
        this.log({
          plugin,
          workspace,
          level: 'error',
          message: `${where} failed: ${message}`,
          at: new Date().toISOString(),
        });
      },
    });
  }

  /** Creates the runtime, its table, and loads every installed plugin of every workspace. */
  static async start(options: PluginRuntimeOptions): Promise<PluginRuntime> {
    const runtime = new PluginRuntime(options);
    try {
      await runtime.installations.ensureTable();
      for (const row of await runtime.installations.list()) await runtime.#reload(row);
    } catch (error) {
      await runtime.close();
      throw error;
    }
    return runtime;
  }

  log(entry: PluginLogEntry): void {
    if (this.#options.onLog) this.#options.onLog(entry);
    else if (entry.level !== 'info')
      console.warn(`[touchpoint] plugin ${entry.plugin} (${entry.workspace}): ${entry.message}`);
  }

  async #reload(row: Installation): Promise<void> {
    try {
      const archive = await this.installations.archive(row.workspaceId, row.pluginId);
      if (archive === undefined) return; // uninstalled meanwhile
      const pkg = readPackage(archive);
      // The row and the layer commit together (ChangeOptions.alongside); this re-applies the layer only where
      // they disagree (a database put together by hand or restored in parts), a no-op otherwise.
      await this.engine.applyPluginLayer(row.workspace, pkg.contribution, { actor: 'system' });
      await this.load(row, pkg);
    } catch (error) {
      const reason = `it could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
      this.log({
        plugin: row.pluginId,
        workspace: row.workspace,
        level: 'error',
        message: reason,
        at: new Date().toISOString(),
      });
      if (row.enabled) await this.installations.setEnabled(row.workspaceId, row.pluginId, false, reason);
    }
  }

  /** An installation's limits with its host-call share lowered to what the pool allows (one stored before). */
  fitLimits(limits: Partial<PluginLimits>): Partial<PluginLimits> {
    const share = limits.hostCallConcurrency;
    return share !== undefined && share > this.maxHostCallConcurrency
      ? { ...limits, hostCallConcurrency: this.maxHostCallConcurrency }
      : limits;
  }

  /** Refuses an admin's limits whose host-call share would take more than the plugin's part of the pool. */
  checkLimits(limits: Partial<PluginLimits>): void {
    const share = limits.hostCallConcurrency;
    if (share === undefined || share <= this.maxHostCallConcurrency) return;
    throw validationFailed('The plugin limits are not valid:', [
      {
        path: 'limits.hostCallConcurrency',
        message: `is ${share}; this server's database pool allows a plugin at most ${this.maxHostCallConcurrency} host calls at once (half its connections), so other clients keep the rest`,
      },
    ]);
  }

  /**
   * Loads an installation into the sandbox host, disabled again if it was. Without `pkg`, its archive is read
   * from the database and checked off the event loop.
   */
  async load(row: Installation, given?: PluginPackage): Promise<void> {
    let pkg = given;
    if (!pkg) {
      const archive = await this.installations.archive(row.workspaceId, row.pluginId);
      if (archive === undefined) {
        throw new TouchpointError(
          'NOT_FOUND',
          `Plugin ${row.pluginId} is not installed in workspace "${row.workspace}".`,
        );
      }
      pkg = await readPackageOffThread(archive);
    }
    await this.host.load({
      manifest: { id: pkg.archive.manifest.id, version: pkg.archive.manifest.version },
      bundle: pkg.archive.bundle,
      bundleHash: pkg.bundleHash,
      workspace: row.workspace,
      grants: row.grants,
      limits: this.fitLimits(row.limits),
      settings: row.settings,
    });
    if (!row.enabled)
      this.quietly(() => this.host.disable(row.pluginId, row.workspace, row.disabledReason ?? 'disabled'));
  }

  quietly(fn: () => void): void {
    this.#quiet = true;
    try {
      fn();
    } finally {
      this.#quiet = false;
    }
  }

  /** A plugin the host disabled (too many failures in a row): remembered, with the reason, across restarts. */
  #persistDisable(event: DisableEvent): void {
    if (this.#quiet) return;
    const task = (async () => {
      const workspace = await this.engine.getWorkspace(event.workspace);
      await this.installations.setEnabled(workspace.id, event.plugin, false, event.reason);
    })().catch((error) => console.error(`[touchpoint] could not record that ${event.plugin} was disabled:`, error));
    this.#pending.add(task);
    void task.finally(() => this.#pending.delete(task));
  }

  /** What installing an archive would do: manifest, capabilities asked for, the migration plan. Changes nothing. */
  preview(workspace: string, archive: unknown): Promise<PluginPreview> {
    return previewPlugin(this, workspace, archive);
  }

  install(workspace: string, archive: unknown, options?: InstallOptions): Promise<LifecycleResult> {
    return installPlugin(this, workspace, archive, options);
  }

  upgrade(workspace: string, archive: unknown, options?: InstallOptions): Promise<LifecycleResult> {
    return upgradePlugin(this, workspace, archive, options);
  }

  enable(workspace: string, pluginId: string): Promise<LifecycleResult> {
    return enablePlugin(this, workspace, pluginId);
  }

  disable(workspace: string, pluginId: string, reason?: string, actor?: string): Promise<LifecycleResult> {
    return disablePlugin(this, workspace, pluginId, reason, actor);
  }

  uninstall(workspace: string, pluginId: string, options?: UninstallOptions): Promise<LifecycleResult> {
    return uninstallPlugin(this, workspace, pluginId, options);
  }

  /** Runs lifecycle changes of one workspace one after the other. */
  serial<T>(workspace: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(workspace) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.#queues.set(workspace, settled);
    void settled.then(() => {
      if (this.#queues.get(workspace) === settled) this.#queues.delete(workspace);
    });
    return next;
  }

  async list(workspace: string): Promise<InstalledPlugin[]> {
    const { id } = await this.engine.getWorkspace(workspace);
    return (await this.installations.list(id)).map((row) => this.describe(row));
  }

  async get(workspace: string, pluginId: string): Promise<InstalledPlugin> {
    return this.describe(await this.installation(workspace, pluginId));
  }

  async installation(workspace: string, pluginId: string): Promise<Installation> {
    const { id } = await this.engine.getWorkspace(workspace);
    const row = await this.installations.get(id, pluginId);
    if (!row) {
      throw new TouchpointError('NOT_FOUND', `Plugin ${pluginId} is not installed in workspace "${workspace}".`, {
        details: { plugin: pluginId, workspace },
      });
    }
    return row;
  }

  describe(row: Installation): InstalledPlugin {
    const { manifest } = row;
    const descriptor = this.host.descriptors(row.workspace).find((d) => d.plugin === row.pluginId);
    const metrics = this.host.metrics({ plugin: row.pluginId, workspace: row.workspace })[0];
    const {
      plugin: _p,
      version: _v,
      workspace: _w,
      ...usage
    } = metrics ?? { ...EMPTY_USAGE, plugin: '', version: '', workspace: '' };
    return {
      id: row.pluginId,
      version: row.version,
      workspace: row.workspace,
      labels: manifest.labels,
      description: manifest.description,
      touchpoint: manifest.touchpoint,
      enabled: row.enabled,
      disabledReason: row.disabledReason,
      disabledAt: row.disabledAt,
      capabilitiesRequested: manifest.capabilities ?? {},
      capabilitiesGranted: row.grants,
      settings: row.settings,
      limits: resolveLimits(this.#options.limits, row.limits),
      sha256: row.sha256,
      installedBy: row.installedBy,
      installedAt: row.installedAt,
      updatedAt: row.updatedAt,
      hooks: descriptor?.hooks ?? {},
      actions: descriptor?.actions ?? {},
      metrics: {
        ...usage,
        afterHookErrors: this.#afterHookErrors.get(`${row.workspace}\u0000${row.pluginId}`) ?? 0,
      },
    };
  }

  /** The last lines a plugin logged in a workspace (empty when it is not loaded). */
  logs(workspace: string, pluginId: string): PluginLogEntry[] {
    try {
      return this.host.logs(pluginId, workspace);
    } catch {
      return [];
    }
  }

  /**
   * Runs a plugin action on a record for a caller: the input is checked against the action's spec, and the
   * record is read with the caller's record service first, so nobody acts on a record they cannot read.
   */
  async runAction(
    records: RecordService,
    pluginId: string,
    action: string,
    recordId: string,
    input: unknown,
  ): Promise<JsonValue> {
    const workspace = records.context.workspace;
    const descriptor = this.host.descriptors(workspace).find((d) => d.plugin === pluginId);
    if (!descriptor) {
      throw new TouchpointError('NOT_FOUND', `Plugin ${pluginId} is not installed in workspace "${workspace}".`);
    }
    const spec = Object.hasOwn(descriptor.actions, action) ? descriptor.actions[action] : undefined;
    if (!spec) {
      throw new TouchpointError('NOT_FOUND', `Plugin ${pluginId} has no action "${action}".`, {
        issues: [{ path: 'action', message: 'unknown action', allowed: Object.keys(descriptor.actions) }],
      });
    }
    const value = input ?? {};
    const issues = validateInput(spec.input as unknown as InputSpec, value, 'input');
    if (issues.length > 0) throw validationFailed(`The input of action ${action} is not valid:`, issues);
    const { entity } = await records.entity(spec.entity);
    const record = await records.get(spec.entity, recordId, recordSelection(entity));
    if (!record) throw new TouchpointError('NOT_FOUND', `There is no ${spec.entity} with id ${recordId}.`);
    return this.host.runAction(
      pluginId,
      workspace,
      action,
      { id: recordId, record: JSON.parse(JSON.stringify(record)), input: value as never },
      callOptions(
        chainOf(records.context, `running ${pluginId} action ${action}`),
        `${pluginId} action ${action}`,
        records.context.actor,
      ),
    );
  }

  /** Waits for after-hooks and bookkeeping in flight. */
  async drain(): Promise<void> {
    await this.#wiring.drain();
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async close(): Promise<void> {
    this.#wiring.dispose();
    await this.drain().catch(() => undefined);
    this.host.close();
  }
}
