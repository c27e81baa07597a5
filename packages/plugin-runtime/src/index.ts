export type { EffectLink, EffectRoot } from './effects.ts';
export { EFFECT_LIMITS } from './effects.ts';
export type { Installation } from './installations.ts';
export { Installations } from './installations.ts';
export type { InstallOptions, PluginPreview, UninstallOptions } from './lifecycle.ts';
export { fieldPrefix, hasPrefix, namespaceIssues, prefixesClash } from './namespacing.ts';
export type { PluginFolderOptions } from './pack-folder.ts';
export { buildPluginFolder, packPluginFolder, SDK_NODE_PATHS, withPluginFolder } from './pack-folder.ts';
export type { PluginPackage } from './package.ts';
export {
  describeCapabilities,
  readPackage,
  resolveGrants,
  resolvePluginLimits,
  resolveSettings,
  TOUCHPOINT_VERSION,
} from './package.ts';
export type { HostCallUsage } from './records-bridge.ts';
export {
  fromPluginValues,
  pluginFieldName,
  RecordsBridge,
  recordSelection,
  toPluginValues,
} from './records-bridge.ts';
export type {
  InstalledPlugin,
  LifecycleResult,
  PluginRuntimeOptions,
  PluginUsage,
} from './runtime.ts';
export { hostCallShare, PluginRuntime } from './runtime.ts';
