// What an admin hands over to install or upgrade a plugin, checked before anything runs: the archive's
// seal, the manifest (with the Touchpoint version range), the metadata files and their names, and what the
// admin grants and sets against what the manifest asks for and accepts.

import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { PluginContribution } from '@touchpoint/engine';
import {
  type JsonObject,
  type PluginManifest,
  type SpecIssue,
  validateInput,
  validateManifest,
} from '@touchpoint/plugin-sdk';
import {
  normalizeGrants,
  type PluginArchive,
  type PluginGrants,
  type PluginLimits,
  pluginMetadata,
  readPluginArchive,
  resolveLimits,
} from '@touchpoint/sandbox';
import { type ErrorCode, type Issue, TouchpointError, validationFailed } from '@touchpoint/schema';
import { namespaceIssues } from './namespacing.ts';

/** The Touchpoint version plugins are checked against (their manifest's `touchpoint` range); = package.json. */
export const TOUCHPOINT_VERSION = '0.1.0';

/** A plugin archive, read and checked. */
export interface PluginPackage {
  archive: PluginArchive;
  /** The archive as JSON text, as it is stored. */
  text: string;
  /** SHA-256 (hex) of the bundle, for the sandbox's code cache: hashed where the archive is read. */
  bundleHash: string;
  manifest: PluginManifest;
  contribution: PluginContribution;
}

function asIssues(issues: readonly SpecIssue[], prefix: string, file?: string): Issue[] {
  return issues.map((i) => ({
    path: prefix ? (i.path ? `${prefix}.${i.path}` : prefix) : i.path,
    message: i.message,
    ...(i.allowed ? { allowed: i.allowed } : {}),
    ...(file ? { file } : {}),
  }));
}

/** Reads an archive given as its JSON text or as the parsed object; throws naming every problem. */
export function readPackage(input: unknown): PluginPackage {
  if (input === null || input === undefined || (typeof input !== 'string' && typeof input !== 'object')) {
    throw new TouchpointError(
      'BAD_REQUEST',
      'Give the plugin archive: the content of a .tpplugin.json file (`touchpoint plugin pack`).',
    );
  }
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  const archive = readPluginArchive(text);
  const { id, version } = archive.manifest;
  const manifestIssues = validateManifest(archive.manifest, { touchpointVersion: TOUCHPOINT_VERSION });
  if (manifestIssues.length > 0) {
    throw validationFailed(
      `The manifest of plugin ${id}@${version} is not valid:`,
      asIssues(manifestIssues, 'manifest', 'plugin.yaml'),
    );
  }
  const metadata = pluginMetadata(archive.metadata);
  const names = namespaceIssues(id, metadata);
  if (names.length > 0) throw validationFailed(`Plugin ${id}@${version} cannot be installed:`, names);
  return {
    archive,
    text,
    bundleHash: createHash('sha256').update(archive.bundle).digest('hex'),
    manifest: archive.manifest as unknown as PluginManifest,
    contribution: {
      pluginId: id,
      version,
      entities: metadata.entities,
      fields: metadata.fields,
      ...(metadata.permissions ? { permissions: metadata.permissions } : {}),
    },
  };
}

/**
 * `readPackage` on a worker thread, for requests: reading a bundle of several MB takes ~300 ms of CPU that
 * would otherwise stall every other request of the server. Refusals come back as the same TouchpointError.
 */
export async function readPackageOffThread(input: unknown): Promise<PluginPackage> {
  if (input === null || input === undefined || (typeof input !== 'string' && typeof input !== 'object')) {
    return readPackage(input);
  }
  const worker = new Worker(new URL('./package-worker.ts', import.meta.url));
  try {
    const reply = await new Promise<
      | { ok: true; pkg: PluginPackage }
      | { ok: false; refusal: { code: string; message: string; issues?: Issue[]; details?: Record<string, unknown> } }
    >((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`The plugin archive reader stopped (exit code ${code}).`)));
      worker.postMessage(input);
    });
    if (reply.ok) return reply.pkg;
    const { code, message, issues, details } = reply.refusal;
    if (code === 'INTERNAL') throw new Error(message);
    throw new TouchpointError(code as ErrorCode, message, {
      ...(issues ? { issues } : {}),
      ...(details ? { details } : {}),
    });
  } finally {
    void worker.terminate();
  }
}

/**
 * What the admin grants: all or part of what the manifest asks for (all of it when not given). Asking for
 * more than the plugin requested is refused, naming the entity and operation.
 */
export function resolveGrants(manifest: PluginManifest, given: unknown): PluginGrants {
  const requested = manifest.capabilities?.records ?? {};
  if (given === undefined || given === null) return { records: structuredClone(requested) };
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw validationFailed('The grants are not valid:', [
      { path: 'grants', message: 'must be { records: { <entity>: [read, create, update] } }' },
    ]);
  }
  const grants = given as PluginGrants;
  const unknown = Object.keys(grants).filter((k) => k !== 'records');
  const normalized = normalizeGrants(grants);
  const issues: Issue[] = unknown.map((k) => ({
    path: `grants.${k}`,
    message: 'unknown capability',
    allowed: ['records'],
  }));
  for (const [entity, ops] of normalized) {
    for (const op of ops) {
      if (requested[entity]?.includes(op)) continue;
      issues.push({
        path: `grants.records.${entity}`,
        message: `plugin ${manifest.id} did not ask to ${op} ${entity} records, so it cannot be granted`,
        allowed: [...(requested[entity] ?? [])],
      });
    }
  }
  if (issues.length > 0) throw validationFailed(`The grants for plugin ${manifest.id} are not valid:`, issues);
  return { records: Object.fromEntries([...normalized].map(([entity, ops]) => [entity, [...ops]])) };
}

/** The plugin's settings in a workspace, checked against the manifest's `settings` spec. */
export function resolveSettings(manifest: PluginManifest, given: unknown): JsonObject {
  const value = given ?? {};
  const issues = validateInput(manifest.settings ?? {}, value, 'settings');
  if (issues.length > 0)
    throw validationFailed(`The settings for plugin ${manifest.id} are not valid:`, asIssues(issues, ''));
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

export function resolvePluginLimits(given: unknown): Partial<PluginLimits> {
  if (given === undefined || given === null) return {};
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw validationFailed('The limits are not valid:', [{ path: 'limits', message: 'must be a mapping of limits' }]);
  }
  resolveLimits(given as Partial<PluginLimits>);
  return given as Partial<PluginLimits>;
}

/** What a manifest asks for, as the admin sees it. */
export function describeCapabilities(manifest: PluginManifest): string[] {
  return Object.entries(manifest.capabilities?.records ?? {}).map(
    ([entity, ops]) => `${ops.join(', ')} ${entity} records`,
  );
}
