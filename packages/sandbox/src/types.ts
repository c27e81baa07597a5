// The host's side of the plugin contract. These mirror the shapes of @touchpoint/plugin-sdk (which the
// sandbox may not import: see docs/architecture.md); only JSON crosses the sandbox boundary, so matching
// shapes are all the two sides share.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const HOOK_NAMES = [
  'beforeCreate',
  'beforeUpdate',
  'beforeDelete',
  'afterCreate',
  'afterUpdate',
  'afterDelete',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export const RECORD_OPERATIONS = ['read', 'create', 'update'] as const;
export type RecordOperation = (typeof RECORD_OPERATIONS)[number];

/** What the admin granted a plugin in one workspace: entity name → operations (`read` = get and list). */
export interface PluginGrants {
  records?: { readonly [entity: string]: readonly RecordOperation[] };
}

/** Limits of one plugin in one workspace. Each one broken gives `LIMIT_EXCEEDED` naming the plugin and it. */
export interface PluginLimits {
  /** V8 heap of the plugin's isolate, MB (min 8). A guideline to V8: hostile code may reach 2-3× before it is stopped. */
  memoryMb: number;
  /** CPU time one hook or action call may use, ms. */
  cpuTimeMs: number;
  /** Wall-clock time one call may take, waiting on host calls included, ms. */
  wallTimeMs: number;
  /** Size of what one call returns (its JSON text), bytes. */
  maxResultBytes: number;
  /** Host API calls (records and log) one request may make, across all calls of this plugin in that request. */
  hostCallsPerRequest: number;
  /**
   * Host API calls of this plugin (all its calls in the workspace) running at once; the rest wait, first
   * come first served. Its fair share of the database: each running call holds at most one connection.
   */
  hostCallConcurrency: number;
  /** Host API calls one hook or action call may have waiting for a slot; beyond, they are refused. */
  hostCallQueue: number;
  /** Time to start the isolate and evaluate the bundle, ms. */
  startupTimeMs: number;
  /** An isolate unused this long is disposed (the next call starts a new one), ms. */
  idleMs: number;
  /** Failures in a row after which the plugin is disabled in that workspace. */
  maxConsecutiveFailures: number;
}

/** What a call into the host is about: which plugin, in which workspace, for which request. */
export interface HostCall {
  plugin: string;
  version: string;
  workspace: string;
  /** The object passed as `request` to runHook/runAction, if any (e.g. the engine's request context). */
  request: object | undefined;
  /** What the caller passed as `effects` (opaque here): the chain the host functions' writes belong to. */
  effects?: object;
  /** Who caused the call (`ctx.actor`): the host functions read and write with that user's permissions. */
  actor?: string;
  /**
   * What the plugin was granted in this workspace. The host checked the call's own entity and operation;
   * a host function whose work reaches further entities (a filter through a relation, a roll-up) checks
   * those against this.
   */
  grants?: ReadonlyMap<string, ReadonlySet<RecordOperation>>;
  /**
   * Aborted (with the reason) when the hook or action call that made this host call ended: finished,
   * failed, timed out or aborted. A host function should start no further work once it is.
   */
  signal?: AbortSignal;
}

export interface ListArgs {
  filter?: JsonObject;
  orderBy?: { field: string; direction: 'asc' | 'desc' }[];
  first?: number;
  after?: string;
  fields?: string[];
}

/**
 * The host functions the caller provides: the engine integration implements them with the record service
 * (acting as `plugin:<id>`). They run only after the sandbox checked the grant and the budget, and are
 * given JSON from the plugin, type-checked but otherwise untrusted. What they return must be JSON.
 * A `TouchpointError` they throw reaches the plugin with its code, message and issues; any other error
 * reaches it as "internal error" and is reported through `onHostError`.
 */
export interface HostApi {
  records: {
    get(call: HostCall, entity: string, id: string, options: { fields?: string[] }): Promise<JsonObject | null>;
    list(
      call: HostCall,
      entity: string,
      options: ListArgs,
    ): Promise<{ records: JsonObject[]; hasNextPage: boolean; endCursor: string | null }>;
    create(call: HostCall, entity: string, values: JsonObject): Promise<{ id: string; version: number }>;
    update(call: HostCall, entity: string, id: string, values: JsonObject): Promise<{ id: string; version: number }>;
  };
}

export interface PluginLogEntry {
  plugin: string;
  workspace: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  data?: JsonValue;
  at: string;
}

/** The plugin's identity as the host needs it; validate the full manifest with plugin-sdk's validateManifest. */
export interface PluginIdentity {
  id: string;
  version: string;
}

export interface LoadOptions {
  manifest: PluginIdentity;
  /** The single script `buildPlugin` produced. */
  bundle: string;
  /**
   * The bundle's SHA-256 (hex) when the caller has it already, e.g. computed on a worker thread while the
   * archive was read; the host keys its code cache by it and hashes the bundle itself when it is missing.
   */
  bundleHash?: string;
  workspace: string;
  grants?: PluginGrants;
  limits?: Partial<PluginLimits>;
  /** Overrides the host's `hostApi` for this plugin. */
  hostApi?: HostApi;
  /** The plugin's settings in this workspace (`ctx.host.settings`). */
  settings?: JsonObject;
}

export interface ActionDescriptor {
  entity: string;
  /** The action's input spec (plugin-sdk `InputSpec`), checked by the host; GraphQL arguments follow from it. */
  input: JsonObject;
  labels?: { en: string; 'zh-CN'?: string };
  description?: string;
}

/** What a plugin bundle declares, read from it by the host when it is loaded. */
export interface PluginDescriptor {
  plugin: string;
  version: string;
  /** Entity name → hooks the plugin has on it. */
  hooks: Record<string, HookName[]>;
  actions: Record<string, ActionDescriptor>;
}

export interface CallOptions {
  /**
   * One object per request (the engine's request context will do). Calls given the same object share
   * the plugin's budget of host calls; without it each call has its own budget.
   */
  request?: object;
  /** Who caused the call (`ctx.actor`): a user id, `system`, `plugin:<id>`. */
  actor?: string;
  /** Passed on, untouched, to the host functions as `call.effects` (the plugin runtime's effect chain). */
  effects?: object;
}

/** What a before-hook produced: the values to write (create, update). */
export interface HookResult {
  values?: JsonObject;
}

export type PluginState = 'cold' | 'warm' | 'disabled';

export interface PluginMetrics {
  plugin: string;
  version: string;
  workspace: string;
  state: PluginState;
  calls: number;
  /** Calls that failed (PLUGIN_FAILED, LIMIT_EXCEEDED); a refusal through `reject` is not a failure. */
  errors: number;
  rejections: number;
  hostCalls: number;
  /** The most host calls that ran at once on the plugin's own slots (at most `hostCallConcurrency`). */
  hostCallsPeak: number;
  /** Host calls refused without running because the call that made them had ended while they waited. */
  hostCallsDropped: number;
  /** CPU time the plugin's isolates used, across restarts, ms. */
  cpuTimeMs: number;
  /** V8 heap in use by the warm isolate (used + external), bytes; 0 when cold. */
  memoryBytes: number;
  coldStarts: number;
  consecutiveFailures: number;
  lastError?: { code: string; message: string; at: string };
  disabled?: { reason: string; at: string };
}

export interface DisableEvent {
  plugin: string;
  workspace: string;
  reason: string;
  at: string;
}

export interface PluginHostOptions {
  /** The host functions plugins reach through `ctx.host.records`; a plugin's own `hostApi` wins. */
  hostApi?: HostApi;
  /** Defaults for every plugin (each plugin's `limits` apply on top). */
  limits?: Partial<PluginLimits>;
  onLog?(entry: PluginLogEntry): void;
  /** A plugin was disabled (by `disable` or after failing too often): persist it, tell the admin. */
  onDisable?(event: DisableEvent): void;
  /** A host function threw something other than a TouchpointError (the plugin saw "internal error"). */
  onHostError?(error: unknown, call: HostCall, op: string): void;
  /**
   * A call of the plugin failed (PLUGIN_FAILED, LIMIT_EXCEEDED). For the server log: when the plugin threw,
   * `error.cause` holds its whole text and its stack (`PluginFailureCause`), which no API answer carries.
   */
  onPluginFailure?(error: Error & { code: string; cause?: unknown }, plugin: { id: string; workspace: string }): void;
  /**
   * V8 lost control of a plugin's isolate. isolated-vm advises to stop serving, finish outstanding work and
   * end the process; the host cannot recover such an isolate.
   */
  onCatastrophicError?(message: string, plugin: { id: string; workspace: string }): void;
  /** How often the CPU watchdog looks at isolates with calls in flight, ms (default 10). */
  watchdogIntervalMs?: number;
  /** How often idle isolates are looked for, ms (default 30 s). */
  sweepIntervalMs?: number;
  /** The clock behind `ctx.host.now()`. */
  now?: () => Date;
}

/** What before-hooks get: the values about to be written; after-hooks: what the write event says. */
export interface HookPayload {
  id?: string;
  values?: JsonObject;
  version?: number;
  changed?: string[];
  at?: string;
}

export interface ActionPayload {
  /** The record the action runs against. */
  id: string;
  record?: JsonObject | null;
  input: JsonObject;
}
