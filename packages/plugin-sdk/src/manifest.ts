// The plugin manifest (`plugin.yaml` at the root of a plugin folder): who the plugin is, which Touchpoint
// versions it works with, and what it asks to be allowed to do. Pure: callers read and parse the file.
import { type InputSpec, type SpecIssue, validateInputSpec } from './input-spec.ts';
import { isVersion, isVersionRange, satisfies } from './semver.ts';

export interface LocalizedText {
  en: string;
  'zh-CN'?: string;
}

/** What a plugin may do with the records of one entity. `read` covers `get` and `list`. */
export const RECORD_OPERATIONS = ['read', 'create', 'update'] as const;
export type RecordOperation = (typeof RECORD_OPERATIONS)[number];

/**
 * What the plugin asks for. The admin grants all or part of it at install; the host checks every host
 * call against what was granted, never against what was asked.
 */
export interface PluginCapabilities {
  /** Entity name → operations, e.g. `{ account: ['read', 'update'], asset: ['read', 'create'] }`. */
  records?: { readonly [entity: string]: readonly RecordOperation[] };
}

export interface PluginManifest {
  /** `vendor.name`, lowercase: `acme.asset-sync`. Unique across all plugins. */
  id: string;
  /** Semantic version of this release: `1.4.0`, `2.0.0-beta.1`. */
  version: string;
  labels: { en: string; 'zh-CN': string };
  description: LocalizedText;
  /** Touchpoint versions this release works with, as a semver range: `^0.1.0`, `>=0.2.0 <1.0.0`. */
  touchpoint: string;
  capabilities?: PluginCapabilities;
  /** The plugin's settings, edited by the admin, read by the plugin as `ctx.host.settings`. */
  settings?: InputSpec;
  author?: string;
  homepage?: string;
  license?: string;
}

export const PLUGIN_ID_PATTERN = /^[a-z][a-z0-9-]{0,39}\.[a-z][a-z0-9-]{0,63}$/;
const ENTITY_NAME = /^[a-z][a-zA-Z0-9]{0,39}$/;
const KEYS = [
  'id',
  'version',
  'labels',
  'description',
  'touchpoint',
  'capabilities',
  'settings',
  'author',
  'homepage',
  'license',
] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkText(value: unknown, path: string, issues: SpecIssue[], required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value.trim() === '') issues.push({ path, message: 'must be a non-empty text' });
}

function checkLocalized(value: unknown, path: string, issues: SpecIssue[], languages: readonly string[]): void {
  if (!isObject(value)) {
    issues.push({ path, message: `must be a mapping of languages to texts: { ${languages.join(', ')} }` });
    return;
  }
  for (const lang of languages) checkText(value[lang], `${path}.${lang}`, issues, true);
  for (const key of Object.keys(value)) {
    if (key !== 'en' && key !== 'zh-CN')
      issues.push({ path: `${path}.${key}`, message: 'unknown language', allowed: ['en', 'zh-CN'] });
    else if (!languages.includes(key)) checkText(value[key], `${path}.${key}`, issues, true);
  }
}

function checkCapabilities(value: unknown, issues: SpecIssue[]): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    issues.push({ path: 'capabilities', message: 'must be a mapping, e.g. { records: { account: [read] } }' });
    return;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'records')
      issues.push({ path: `capabilities.${key}`, message: 'unknown capability', allowed: ['records'] });
  }
  if (value.records === undefined) return;
  if (!isObject(value.records)) {
    issues.push({ path: 'capabilities.records', message: 'must map entity names to lists of operations' });
    return;
  }
  for (const [entity, ops] of Object.entries(value.records)) {
    const path = `capabilities.records.${entity}`;
    if (!ENTITY_NAME.test(entity))
      issues.push({ path, message: 'is not an entity name (camelCase, up to 40 characters)' });
    if (!Array.isArray(ops) || ops.length === 0) {
      issues.push({ path, message: 'must be a non-empty list of operations', allowed: RECORD_OPERATIONS });
      continue;
    }
    ops.forEach((op, i) => {
      if (!(RECORD_OPERATIONS as readonly unknown[]).includes(op)) {
        issues.push({
          path: `${path}[${i}]`,
          message: `unknown operation ${JSON.stringify(op)}`,
          allowed: RECORD_OPERATIONS,
        });
      }
    });
  }
}

export interface ValidateManifestOptions {
  /** When given, a manifest whose `touchpoint` range excludes this version gets an issue. */
  touchpointVersion?: string;
}

/** Every problem of a parsed manifest, at once. Empty means `raw` is a valid `PluginManifest`. */
export function validateManifest(raw: unknown, options: ValidateManifestOptions = {}): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (!isObject(raw)) return [{ path: '', message: 'a plugin manifest must be a mapping with id, version, labels, …' }];
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key))
      issues.push({ path: key, message: 'unknown manifest key', allowed: KEYS });
  }
  if (typeof raw.id !== 'string' || !PLUGIN_ID_PATTERN.test(raw.id)) {
    issues.push({
      path: 'id',
      message: `must be "vendor.name" in lowercase letters, digits and dashes (e.g. acme.asset-sync), got ${JSON.stringify(raw.id)}`,
    });
  }
  if (!isVersion(raw.version)) {
    issues.push({
      path: 'version',
      message: `must be a semantic version such as 1.0.0, got ${JSON.stringify(raw.version)}`,
    });
  }
  checkLocalized(raw.labels, 'labels', issues, ['en', 'zh-CN']);
  checkLocalized(raw.description, 'description', issues, ['en']);
  if (!isVersionRange(raw.touchpoint)) {
    issues.push({
      path: 'touchpoint',
      message: `must be the range of Touchpoint versions the plugin works with, e.g. "^0.1.0" or ">=0.2.0 <1.0.0", got ${JSON.stringify(raw.touchpoint)}`,
    });
  } else if (options.touchpointVersion !== undefined && !satisfies(options.touchpointVersion, raw.touchpoint)) {
    issues.push({
      path: 'touchpoint',
      message: `this plugin works with Touchpoint ${raw.touchpoint}; this is Touchpoint ${options.touchpointVersion}`,
    });
  }
  checkCapabilities(raw.capabilities, issues);
  if (raw.settings !== undefined) issues.push(...validateInputSpec(raw.settings, 'settings'));
  for (const key of ['author', 'homepage', 'license'] as const) checkText(raw[key], key, issues, false);
  return issues;
}
