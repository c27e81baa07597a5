// Install, upgrade, enable, disable, uninstall. Everything that can be checked is checked before anything
// changes: the archive, the grants and settings, and the bundle itself (evaluated once in a scratch slot of
// the host). Only then does the metadata change go through the engine's planner, in one transaction; the
// code is switched after it committed. So a failed upgrade — bad manifest, failing migration, a bundle
// that does not load — leaves the old version installed and running.
import type { ChangeResult, Channel } from '@touchpoint/engine';
import { compareVersions, type JsonObject, type PluginManifest, parseVersion } from '@touchpoint/plugin-sdk';
import type { PluginGrants, PluginLimits } from '@touchpoint/sandbox';
import { TouchpointError, validationFailed } from '@touchpoint/schema';
import { fieldPrefix, prefixesClash } from './namespacing.ts';
import {
  type PluginPackage,
  readPackageOffThread,
  resolveGrants,
  resolvePluginLimits,
  resolveSettings,
} from './package.ts';
import type { LifecycleResult, PluginRuntime } from './runtime.ts';

/** The channel and token of a lifecycle request, for the audit rows of its metadata change. */
function auditedAs(options: { channel?: Channel; tokenId?: string }): { channel?: Channel; tokenId?: string } {
  return {
    ...(options.channel ? { channel: options.channel } : {}),
    ...(options.tokenId ? { tokenId: options.tokenId } : {}),
  };
}

export interface InstallOptions {
  /** What the admin grants (all or part of what the manifest asks for); default: everything it asks for. */
  grants?: unknown;
  settings?: unknown;
  limits?: unknown;
  actor?: string;
  /** Through what the request came, and its API token: recorded in the audit log. */
  channel?: Channel;
  tokenId?: string;
  /** Needed when the metadata change is destructive (an upgrade dropping a field archives it). */
  confirmDestructive?: boolean;
}

export interface UninstallOptions {
  /** Also delete the plugin's archived data for good. */
  purge?: boolean;
  confirmDestructive?: boolean;
  actor?: string;
  /** Through what the request came, and its API token: recorded in the audit log. */
  channel?: Channel;
  tokenId?: string;
}

export interface PluginPreview {
  id: string;
  version: string;
  labels: PluginManifest['labels'];
  description: PluginManifest['description'];
  touchpoint: string;
  capabilitiesRequested: NonNullable<PluginManifest['capabilities']>;
  settings: PluginManifest['settings'];
  installedVersion: string | null;
  /** What installing (or upgrading to) it would do to the workspace's tables. */
  change: ChangeResult;
}

/** Evaluates the bundle once in a slot no workspace slug can take (`~probe:<workspace>`), replacing nothing. */
async function probe(
  runtime: PluginRuntime,
  workspace: string,
  pkg: PluginPackage,
  limits: Partial<PluginLimits>,
): Promise<void> {
  const { id, version } = pkg.archive.manifest;
  const slot = `~probe:${workspace}`;
  try {
    await runtime.host.load({
      manifest: { id, version },
      bundle: pkg.archive.bundle,
      bundleHash: pkg.bundleHash,
      workspace: slot,
      limits,
    });
  } finally {
    runtime.host.unload(id, slot);
  }
}

/** Grants carried over to a new version: what was granted and the new manifest still asks for. */
function keptGrants(granted: PluginGrants, manifest: PluginManifest): PluginGrants {
  const asked = manifest.capabilities?.records ?? {};
  const records: Record<string, ('read' | 'create' | 'update')[]> = {};
  for (const [entity, ops] of Object.entries(granted.records ?? {})) {
    const kept = ops.filter((op) => asked[entity]?.includes(op));
    if (kept.length > 0) records[entity] = kept;
  }
  return { records };
}

export async function previewPlugin(
  runtime: PluginRuntime,
  workspace: string,
  archive: unknown,
): Promise<PluginPreview> {
  const pkg = await readPackageOffThread(archive);
  const { manifest } = pkg;
  const ws = await runtime.engine.getWorkspace(workspace);
  const current = await runtime.installations.get(ws.id, manifest.id);
  const change = await runtime.engine.applyPluginLayer(workspace, pkg.contribution, { actor: 'preview', dryRun: true });
  return {
    id: manifest.id,
    version: manifest.version,
    labels: manifest.labels,
    description: manifest.description,
    touchpoint: manifest.touchpoint,
    capabilitiesRequested: manifest.capabilities ?? {},
    settings: manifest.settings,
    installedVersion: current?.version ?? null,
    change,
  };
}

export async function installPlugin(
  runtime: PluginRuntime,
  workspace: string,
  archive: unknown,
  options: InstallOptions = {},
): Promise<LifecycleResult> {
  const pkg = await readPackageOffThread(archive);
  const { id, version } = pkg.manifest;
  const grants = resolveGrants(pkg.manifest, options.grants);
  const settings = resolveSettings(pkg.manifest, options.settings);
  const limits = resolvePluginLimits(options.limits);
  runtime.checkLimits(limits);
  const actor = options.actor ?? 'system';
  return runtime.serial(workspace, async () => {
    const ws = await runtime.engine.getWorkspace(workspace);
    const installed = await runtime.installations.list(ws.id);
    const same = installed.find((row) => row.pluginId === id);
    if (same) {
      throw new TouchpointError(
        'CONFLICT',
        `Plugin ${id} is already installed in workspace "${workspace}" (version ${same.version}); upgrade it instead.`,
      );
    }
    const clash = installed.find((row) => prefixesClash(fieldPrefix(row.pluginId), fieldPrefix(id)));
    if (clash) {
      throw new TouchpointError(
        'CONFLICT',
        `Plugin ${id} cannot be installed beside ${clash.pluginId}: their field prefixes "${fieldPrefix(id)}" and "${fieldPrefix(clash.pluginId)}" would let their fields collide.`,
      );
    }
    await probe(runtime, workspace, pkg, limits);
    // The installation row commits with the layer and its audit row, or neither does.
    const change = await runtime.engine.applyPluginLayer(workspace, pkg.contribution, {
      actor,
      ...auditedAs(options),
      ...(options.confirmDestructive ? { confirmDestructive: true } : {}),
      alongside: (tx) =>
        runtime.installations.save(
          {
            workspaceId: ws.id,
            pluginId: id,
            version,
            sha256: pkg.archive.sha256,
            archive: pkg.text,
            manifest: pkg.manifest,
            grants,
            limits,
            settings,
            installedBy: actor,
          },
          tx,
        ),
    });
    const row = await runtime.installation(workspace, id);
    try {
      await runtime.load(row, pkg);
    } catch (error) {
      // The probe loaded this bundle already, so this is rare: take the layer out again with its row (its
      // entities and fields archived, not dropped), so no layer is left without an installation.
      await runtime.engine.removePluginLayer(workspace, id, {
        actor,
        ...auditedAs(options),
        confirmDestructive: true,
        reason: `plugin ${id}@${version} could not be loaded after install`,
        alongside: (tx) => runtime.installations.delete(ws.id, id, tx),
      });
      throw error;
    }
    return { plugin: runtime.describe(row), change };
  });
}

export async function upgradePlugin(
  runtime: PluginRuntime,
  workspace: string,
  archive: unknown,
  options: InstallOptions = {},
): Promise<LifecycleResult> {
  const pkg = await readPackageOffThread(archive);
  const { id, version } = pkg.manifest;
  const actor = options.actor ?? 'system';
  return runtime.serial(workspace, async () => {
    const current = await runtime.installation(workspace, id);
    if (compareVersions(parseVersion(version)!, parseVersion(current.version)!) <= 0) {
      throw validationFailed(`Plugin ${id} ${version} cannot replace the installed ${current.version}:`, [
        { path: 'manifest.version', message: `must be newer than the installed version ${current.version}` },
      ]);
    }
    const grants =
      options.grants === undefined
        ? keptGrants(current.grants, pkg.manifest)
        : resolveGrants(pkg.manifest, options.grants);
    const settings: JsonObject = resolveSettings(pkg.manifest, options.settings ?? current.settings);
    const limits = options.limits === undefined ? current.limits : resolvePluginLimits(options.limits);
    runtime.checkLimits(limits);
    await probe(runtime, workspace, pkg, limits);
    const change = await runtime.engine.applyPluginLayer(workspace, pkg.contribution, {
      actor,
      ...auditedAs(options),
      ...(options.confirmDestructive ? { confirmDestructive: true } : {}),
      alongside: (tx) =>
        runtime.installations.save(
          {
            workspaceId: current.workspaceId,
            pluginId: id,
            version,
            sha256: pkg.archive.sha256,
            archive: pkg.text,
            manifest: pkg.manifest,
            grants,
            limits,
            settings,
            installedBy: current.installedBy,
          },
          tx,
        ),
    });
    const row = await runtime.installation(workspace, id);
    await runtime.load(row, pkg);
    return { plugin: runtime.describe(row), change };
  });
}

function loaded(runtime: PluginRuntime, workspace: string, id: string): boolean {
  return runtime.host.descriptors(workspace).some((d) => d.plugin === id);
}

export async function enablePlugin(runtime: PluginRuntime, workspace: string, id: string): Promise<LifecycleResult> {
  return runtime.serial(workspace, async () => {
    const row = await runtime.installation(workspace, id);
    // A plugin that failed to load at start gets another try.
    if (loaded(runtime, workspace, id)) runtime.host.enable(id, workspace);
    else await runtime.load({ ...row, enabled: true });
    await runtime.installations.setEnabled(row.workspaceId, id, true, null);
    return { plugin: await runtime.get(workspace, id), change: null };
  });
}

export async function disablePlugin(
  runtime: PluginRuntime,
  workspace: string,
  id: string,
  reason: string | undefined,
  actor = 'system',
): Promise<LifecycleResult> {
  return runtime.serial(workspace, async () => {
    const row = await runtime.installation(workspace, id);
    const why = reason?.trim() ? reason.trim() : `disabled by ${actor}`;
    if (loaded(runtime, workspace, id)) runtime.quietly(() => runtime.host.disable(id, workspace, why));
    await runtime.installations.setEnabled(row.workspaceId, id, false, why);
    return { plugin: await runtime.get(workspace, id), change: null };
  });
}

/**
 * Uninstalls: the plugin's entities and fields are archived by the planner (data kept; installing the
 * plugin again restores them), which needs `confirmDestructive` when there is anything to archive.
 * `purge` deletes the archived data for good and always needs `confirmDestructive`. A plugin uninstalled
 * earlier can still be purged.
 */
export async function uninstallPlugin(
  runtime: PluginRuntime,
  workspace: string,
  id: string,
  options: UninstallOptions = {},
): Promise<LifecycleResult> {
  const actor = options.actor ?? 'system';
  return runtime.serial(workspace, async () => {
    const ws = await runtime.engine.getWorkspace(workspace);
    const row = await runtime.installations.get(ws.id, id);
    if (options.purge && !options.confirmDestructive) {
      const archive = row ? await runtime.installations.archive(ws.id, id) : undefined;
      const contribution = archive ? (await readPackageOffThread(archive)).contribution : undefined;
      const what = contribution
        ? [
            ...contribution.entities.map((e) => `the records of "${e.name}"`),
            ...contribution.fields.map((f) => `the values of "${f.entity}.${f.field.name}"`),
          ]
        : (await runtime.engine.purgePluginArchives(workspace, id, { dryRun: true })).purged;
      throw new TouchpointError(
        'CONFIRMATION_REQUIRED',
        `Purging plugin ${id} deletes its data for good and needs explicit confirmation (confirmDestructive: true):\n${what.map((w) => `  - ${w}`).join('\n') || '  - nothing is archived'}`,
        { details: { plugin: id, purge: what } },
      );
    }
    let change: ChangeResult | null = null;
    if (row) {
      change = await runtime.engine.removePluginLayer(workspace, id, {
        actor,
        ...auditedAs(options),
        ...(options.confirmDestructive ? { confirmDestructive: true } : {}),
        alongside: (tx) => runtime.installations.delete(ws.id, id, tx),
      });
      // Only once the removal committed: a refused one leaves the plugin running as it was.
      runtime.host.unload(id, workspace);
    } else if (!options.purge) {
      await runtime.installation(workspace, id); // throws NOT_FOUND naming the plugin
    }
    if (!options.purge) return { plugin: null, change };
    const { purged } = await runtime.engine.purgePluginArchives(workspace, id, {
      confirmDestructive: true,
      actor,
      ...auditedAs(options),
    });
    if (!row && purged.length === 0) {
      throw new TouchpointError(
        'NOT_FOUND',
        `Plugin ${id} is not installed in workspace "${workspace}" and left no archived data.`,
      );
    }
    return { plugin: null, change, purged };
  });
}
