export type { PluginDefinition } from './define-plugin.ts';
export { defineAction, definePlugin } from './define-plugin.ts';
export type {
  InputFieldSpec,
  InputOf,
  InputSpec,
  InputType,
  InputValue,
  ListFieldSpec,
  NumberFieldSpec,
  ScalarFieldSpec,
  SimpleFieldSpec,
  SpecIssue,
  StringFieldSpec,
} from './input-spec.ts';
export { INPUT_TYPES, validateInput, validateInputSpec } from './input-spec.ts';
export type {
  LocalizedText,
  PluginCapabilities,
  PluginManifest,
  RecordOperation,
  ValidateManifestOptions,
} from './manifest.ts';
export { PLUGIN_ID_PATTERN, RECORD_OPERATIONS, validateManifest } from './manifest.ts';
export type { Version } from './semver.ts';
export { compareVersions, isVersion, isVersionRange, parseVersion, satisfies } from './semver.ts';
export type {
  ActionContext,
  ActionDefinition,
  AfterWriteContext,
  BeforeDeleteContext,
  BeforeWriteContext,
  EntityHooks,
  FieldErrors,
  Filter,
  HookContext,
  HookName,
  HostApi,
  JsonObject,
  JsonValue,
  ListOptions,
  ListPage,
  RecordData,
  RecordValues,
  TouchpointPlugin,
  WriteResult,
} from './types.ts';
export { HOOK_NAMES } from './types.ts';
