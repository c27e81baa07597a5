export type { BuildOptions, BuiltPlugin, PluginFile, PluginSource } from './build.ts';
export { BUNDLE_GLOBAL, buildPlugin, ENTRY_FILE, MANIFEST_FILE, readPluginSource } from './build.ts';
export { describeGrants, normalizeGrants } from './grants.ts';
export { PluginHost } from './host.ts';
export type { SandboxProcessInfo, SandboxProcessOptions } from './isolate.ts';
export { configureSandboxProcess, sandboxProcesses, sandboxProcessInfo, stopSandboxProcess } from './isolate.ts';
export type { PluginFailureCause } from './limits.ts';
export { DEFAULT_LIMITS, describeLimit, LIMIT_RANGES, resolveLimits } from './limits.ts';
export type { PackOptions, PluginArchive, PluginMetadata } from './pack.ts';
export {
  ARCHIVE_EXTENSION,
  ARCHIVE_FORMAT,
  ARCHIVE_LIMITS,
  archiveHash,
  metadataPathProblem,
  packPlugin,
  pluginMetadata,
  readPluginArchive,
} from './pack.ts';
export { LINK_REMOVED, MAX_PLUGIN_TEXT, pluginText } from './plugin-text.ts';
export type {
  ActionDescriptor,
  ActionPayload,
  CallOptions,
  DisableEvent,
  HookName,
  HookPayload,
  HookResult,
  HostApi,
  HostCall,
  JsonObject,
  JsonValue,
  ListArgs,
  LoadOptions,
  PluginDescriptor,
  PluginGrants,
  PluginHostOptions,
  PluginIdentity,
  PluginLimits,
  PluginLogEntry,
  PluginMetrics,
  PluginState,
  RecordOperation,
} from './types.ts';
export { HOOK_NAMES, RECORD_OPERATIONS } from './types.ts';
