// The versioned archive a plugin is distributed as: one JSON file holding the manifest, the metadata
// files and the bundle, sealed with a SHA-256 of that content. JSON rather than a tarball: nothing to
// unpack, readable in a review, and a single hash covers exactly what gets installed.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type EntityDefinition,
  type FieldDefinition,
  type Issue,
  type PluginPermissionSet,
  parseEntityFile,
  readPluginPermissionDocuments,
  validateEntity,
  validationFailed,
} from '@touchpoint/schema';
import { parse as parseYaml } from 'yaml';
import { type BuildOptions, buildPlugin, type PluginFile, readPluginSource } from './build.ts';

export const ARCHIVE_FORMAT = 'touchpoint-plugin/1' as const;
export const ARCHIVE_EXTENSION = '.tpplugin.json';

export interface PluginArchive {
  format: typeof ARCHIVE_FORMAT;
  /** The manifest as written in `plugin.yaml`. */
  manifest: { id: string; version: string; [key: string]: unknown };
  metadata: PluginFile[];
  bundle: string;
  /** SHA-256 (hex) of format, manifest, metadata and bundle. */
  sha256: string;
}

/** What a plugin adds to a workspace's metadata (the engine's PluginContribution without id and version). */
export interface PluginMetadata {
  entities: EntityDefinition[];
  fields: { entity: string; field: FieldDefinition }[];
  /** Roles, grants and sharing settings for its own entities (`metadata/permissions/`), when it ships any. */
  permissions?: PluginPermissionSet;
}

/**
 * What one archive may hold, checked before it is parsed further or hashed: an archive is read on the
 * server's event loop, so its size is bounded, as is the number and size of the files it would unpack.
 */
export const ARCHIVE_LIMITS = Object.freeze({
  /** The archive's JSON text, characters. */
  maxArchiveChars: 12_000_000,
  /** The bundle, characters. */
  maxBundleChars: 10_000_000,
  /** Metadata files. */
  maxFiles: 200,
  /** All metadata files together, characters. */
  maxMetadataChars: 2_000_000,
  /** A metadata file's path, characters. */
  maxPathChars: 200,
});

const PATH_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Why a metadata file's path is not allowed, or undefined. A path is relative, uses `/`, and each of its
 * segments starts with a letter or digit and holds only letters, digits, `.`, `_`, `-` — so no `..`, no
 * absolute path, no backslash, NUL or other control character can be smuggled in; it lies under
 * `metadata/entities/`, `metadata/fields/` or `metadata/permissions/` and ends in `.yaml` or `.yml`.
 */
export function metadataPathProblem(path: string): string | undefined {
  if (path.length > ARCHIVE_LIMITS.maxPathChars) return `is longer than ${ARCHIVE_LIMITS.maxPathChars} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and other controls are what is refused
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'contains a NUL byte or another control character';
  if (path.includes('\\')) return 'contains a backslash; paths use /';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is absolute; paths are relative to the plugin folder';
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) return 'contains ".."';
  if (segments.some((s) => !PATH_SEGMENT.test(s))) {
    return 'has an empty, "." or hidden segment, or characters other than letters, digits, ".", "_", "-"';
  }
  if (!/^metadata\/(entities|fields|permissions)\/.+\.ya?ml$/.test(path)) {
    return 'must be a .yaml file under metadata/entities/, metadata/fields/ or metadata/permissions/';
  }
  return undefined;
}

/** Every problem with the size and the file paths of an archive's content. */
function contentIssues(metadata: readonly { path: string; text: string }[], bundle: string): Issue[] {
  const issues: Issue[] = [];
  if (bundle.length > ARCHIVE_LIMITS.maxBundleChars) {
    issues.push({
      path: 'bundle',
      message: `is ${bundle.length} characters; at most ${ARCHIVE_LIMITS.maxBundleChars} are allowed`,
    });
  }
  if (metadata.length > ARCHIVE_LIMITS.maxFiles) {
    issues.push({
      path: 'metadata',
      message: `holds ${metadata.length} files; at most ${ARCHIVE_LIMITS.maxFiles} are allowed`,
    });
    return issues;
  }
  const total = metadata.reduce((sum, f) => sum + f.text.length, 0);
  if (total > ARCHIVE_LIMITS.maxMetadataChars) {
    issues.push({
      path: 'metadata',
      message: `unpacks to ${total} characters; at most ${ARCHIVE_LIMITS.maxMetadataChars} are allowed`,
    });
  }
  const seen = new Set<string>();
  metadata.forEach(({ path }, i) => {
    const shown = JSON.stringify(path.slice(0, ARCHIVE_LIMITS.maxPathChars));
    const problem = metadataPathProblem(path);
    if (problem) issues.push({ path: `metadata[${i}].path`, message: `the entry ${shown} ${problem}` });
    else if (seen.has(path.toLowerCase()))
      issues.push({ path: `metadata[${i}].path`, message: `the entry ${shown} appears twice` });
    seen.add(path.toLowerCase());
  });
  return issues;
}

export function archiveHash(archive: Omit<PluginArchive, 'sha256'>): string {
  const content = JSON.stringify([archive.format, archive.manifest, archive.metadata, archive.bundle]);
  return createHash('sha256').update(content).digest('hex');
}

export interface PackOptions extends BuildOptions {
  /** Checks the parsed manifest (pass plugin-sdk's `validateManifest`); its issues refuse the pack. */
  validateManifest?: (manifest: unknown) => readonly Issue[];
  /** Writes `<id>-<version>.tpplugin.json` there. */
  outDir?: string;
}

/** Builds a plugin folder into a sealed archive (and writes it when `outDir` is given). */
export async function packPlugin(
  dir: string,
  options: PackOptions = {},
): Promise<{ archive: PluginArchive; file?: string }> {
  const source = readPluginSource(dir);
  const manifestIssues = [...(options.validateManifest?.(source.manifest) ?? [])];
  const manifest = source.manifest as Partial<PluginArchive['manifest']> | null;
  if (typeof manifest?.id !== 'string' || typeof manifest.version !== 'string') {
    manifestIssues.push({ path: 'id', message: 'the manifest needs an id and a version' });
  }
  if (manifestIssues.length > 0) {
    throw validationFailed(
      `The manifest of ${dir} is not valid:`,
      manifestIssues.map((i) => ({ ...i, file: 'plugin.yaml' })),
    );
  }
  pluginMetadata(source.metadata);
  const { bundle } = await buildPlugin(dir, options);
  const content = contentIssues(source.metadata, bundle);
  if (content.length > 0) throw validationFailed(`The plugin in ${dir} cannot be packed:`, content);
  const unsealed = {
    format: ARCHIVE_FORMAT,
    manifest: manifest as PluginArchive['manifest'],
    metadata: source.metadata,
    bundle,
  };
  const archive: PluginArchive = { ...unsealed, sha256: archiveHash(unsealed) };
  if (!options.outDir) return { archive };
  mkdirSync(options.outDir, { recursive: true });
  const file = join(options.outDir, `${archive.manifest.id}-${archive.manifest.version}${ARCHIVE_EXTENSION}`);
  writeFileSync(file, `${JSON.stringify(archive)}\n`);
  return { archive, file };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses an archive's text and checks its shape and its seal. Throws VALIDATION_FAILED naming what is wrong. */
export function readPluginArchive(text: string): PluginArchive {
  if (text.length > ARCHIVE_LIMITS.maxArchiveChars) {
    throw validationFailed('The plugin archive is not valid:', [
      { path: '', message: `is ${text.length} characters; at most ${ARCHIVE_LIMITS.maxArchiveChars} are allowed` },
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw validationFailed('The plugin archive is not valid:', [{ path: '', message: 'is not JSON' }]);
  }
  const issues: Issue[] = [];
  if (!isObject(raw)) issues.push({ path: '', message: 'must be a mapping' });
  else {
    if (raw.format !== ARCHIVE_FORMAT)
      issues.push({ path: 'format', message: `must be "${ARCHIVE_FORMAT}"`, allowed: [ARCHIVE_FORMAT] });
    const m = raw.manifest;
    if (!isObject(m) || typeof m.id !== 'string' || typeof m.version !== 'string') {
      issues.push({ path: 'manifest', message: 'must be the manifest with id and version' });
    }
    const files = raw.metadata;
    if (
      !Array.isArray(files) ||
      !files.every((f) => isObject(f) && typeof f.path === 'string' && typeof f.text === 'string')
    ) {
      issues.push({ path: 'metadata', message: 'must be a list of { path, text }' });
    }
    if (typeof raw.bundle !== 'string') issues.push({ path: 'bundle', message: 'must be the plugin script' });
    if (typeof raw.sha256 !== 'string') issues.push({ path: 'sha256', message: 'must be the archive hash' });
    if (issues.length === 0) issues.push(...contentIssues(files as PluginFile[], raw.bundle as string));
    if (issues.length === 0 && archiveHash(raw as unknown as PluginArchive) !== raw.sha256) {
      issues.push({
        path: 'sha256',
        message: 'does not match the content: the archive was changed after it was packed',
      });
    }
  }
  if (issues.length > 0) throw validationFailed('The plugin archive is not valid:', issues);
  return raw as unknown as PluginArchive;
}

/**
 * Parses a plugin's metadata files: `metadata/entities/*.yaml` are entity files (as in `schemas/`),
 * `metadata/fields/*.yaml` add fields to existing entities (`entity: account`, `fields: { … }`). Each entity
 * and field is checked on its own; the engine checks them against the workspace when the layer is applied.
 */
export function pluginMetadata(files: readonly PluginFile[]): PluginMetadata {
  const issues: Issue[] = [];
  const result: PluginMetadata = { entities: [], fields: [] };
  const permissionDocuments: { file: string; value: unknown }[] = [];
  for (const { path, text } of files) {
    if (path.startsWith('metadata/entities/')) {
      const parsed = parseEntityFile(text, path);
      issues.push(...parsed.issues);
      if (parsed.entity && parsed.issues.length === 0) result.entities.push(parsed.entity);
    } else if (path.startsWith('metadata/fields/')) {
      result.fields.push(...fieldContributions(text, path, issues));
    } else if (path.startsWith('metadata/permissions/')) {
      try {
        permissionDocuments.push({ file: path, value: parseYaml(text) });
      } catch (error) {
        issues.push({ path: '', message: `malformed YAML: ${(error as Error).message.split('\n')[0]}`, file: path });
      }
    } else {
      issues.push({
        path,
        message:
          'put entity files in metadata/entities/, field additions in metadata/fields/ and permission sets in metadata/permissions/',
        file: path,
      });
    }
  }
  if (permissionDocuments.length > 0) {
    const read = readPluginPermissionDocuments(permissionDocuments);
    issues.push(...read.issues);
    result.permissions = read.set;
  }
  if (issues.length > 0) throw validationFailed('The plugin metadata is not valid:', issues);
  return result;
}

function fieldContributions(text: string, file: string, issues: Issue[]): PluginMetadata['fields'] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    issues.push({ path: '', message: `malformed YAML: ${(error as Error).message.split('\n')[0]}`, file });
    return [];
  }
  if (!isObject(raw) || typeof raw.entity !== 'string' || !isObject(raw.fields)) {
    issues.push({ path: '', message: 'a field file is { entity: <name>, fields: { <name>: <field> } }', file });
    return [];
  }
  const entity = raw.entity;
  const fields = Object.entries(raw.fields).map(
    ([name, def]) => ({ ...(isObject(def) ? def : {}), name }) as FieldDefinition,
  );
  // Checked as the fields of a stand-in entity: only the issues about the fields themselves count.
  const standIn = {
    name: entity,
    labels: { en: entity, 'zh-CN': entity },
    titleField: fields[0]?.name ?? 'id',
    fields,
  };
  for (const issue of validateEntity(standIn)) {
    const m = /^fields\[(\d+)\](.*)$/.exec(issue.path);
    if (!m) continue;
    issues.push({ ...issue, path: `fields.${fields[Number(m[1])]?.name}${m[2]}`, file });
  }
  return fields.map((field) => ({ entity, field }));
}
