// Metadata versions: every change becomes a new version whose DDL and record commit in one transaction.
import type { EntityDefinition, Issue, PermissionModel } from '@touchpoint/schema';
import {
  checkPermissionReferences,
  EMPTY_PERMISSIONS,
  TouchpointError,
  validateMetadata,
  validatePermissionModel,
  validationFailed,
} from '@touchpoint/schema';
import { type AuditEntry, appendAudit, type Channel, type FieldChange } from '../audit/audit-log.ts';
import type { Database, Sql } from '../db.ts';
import { checkColumnLimit, DEFAULT_MAX_TABLE_COLUMNS, POSTGRES_MAX_COLUMNS } from '../migration/column-limit.ts';
import { type MigrationPlan, type MigrationStep, planMigration } from '../migration/plan.ts';
import { tableName } from '../physical.ts';
import {
  ArchiveEntity,
  type ArchiveRow,
  MetadataVersionEntity,
  type MetadataVersionRow,
  PluginLayerEntity,
  type PluginLayerRow,
  type StoredStep,
  type WorkspaceRow,
} from '../system-entities.ts';
import type { TextSearchSupport } from '../text-search.ts';
import { resolvePurges, resolveRestores } from './archive-changes.ts';
import { sameJson } from './canonical.ts';
import { applyChanges, type MetadataChange } from './changes.ts';
import { mergeLayers, type PluginContribution } from './layers.ts';
import { mergePermissionLayers, newIssues, samePermissions } from './permission-changes.ts';

/** A plugin layer to put in place (install, upgrade) or to take out (uninstall) with a change. */
export type PluginLayerChange = PluginContribution | { pluginId: string; remove: true };

function isRemoval(layer: PluginLayerChange | undefined): layer is { pluginId: string; remove: true } {
  return layer !== undefined && 'remove' in layer;
}

export interface ChangeOptions {
  actor: string;
  /** Through what the change came (recorded in the audit log; default `system`). */
  channel?: Channel;
  /** The API token the request signed in with, when it did (recorded in the audit log). */
  tokenId?: string;
  /** Apply destructive steps (archiving fields or entities, narrowing types). */
  confirmDestructive?: boolean;
  /** Plan only: nothing is written. */
  dryRun?: boolean;
  reason?: string;
  /**
   * Writes of the caller's own that must commit or roll back with this change (the plugin runtime's
   * installation row): run with the change's transaction after its version and audit row are written —
   * also when the change turns out to change nothing, never on a dry run. If it throws, nothing is kept.
   */
  alongside?: (tx: Sql) => Promise<void>;
}

export interface ChangeResult {
  plan: MigrationPlan;
  /** The new version, or the current one for a dry run or a change that changes nothing. */
  version: number;
  entities: EntityDefinition[];
  /** Roles and sharing settings after the change (or as they are, for a dry run or no change). */
  permissions: PermissionModel;
  applied: boolean;
}

type Em = Parameters<Parameters<Database['transaction']>[0]>[1];

/** What a version keeps of its steps (no SQL): enough to show them in any language later. */
function publicSteps(steps: MigrationStep[]): StoredStep[] {
  return steps.map((s) => ({
    kind: s.kind,
    code: s.code,
    params: s.params,
    description: s.description,
    destructive: s.destructive,
  }));
}

function toContribution(row: PluginLayerRow): PluginContribution {
  return {
    pluginId: row.pluginId,
    version: row.pluginVersion,
    entities: row.entities,
    fields: row.fields,
    ...(row.permissions ? { permissions: row.permissions } : {}),
  };
}

/** Everything wrong with a permission model against entities: its own shape and relations, then references. */
function permissionIssues(model: PermissionModel, entities: EntityDefinition[]): Issue[] {
  return [...validatePermissionModel(model), ...checkPermissionReferences(model, entities)];
}

/**
 * Entities of both versions, fields of both merged: what a permission entry may name without being refused.
 * An entry naming an entity or field this change removed stays (inert while it is gone, in force again when
 * its archive is restored, so a restore never widens access); one naming what never existed is a mistake.
 */
function bothVersions(before: EntityDefinition[], after: EntityDefinition[]): EntityDefinition[] {
  const merged = after.map((e) => ({ ...e, fields: [...e.fields] }));
  for (const entity of before) {
    const kept = merged.find((e) => e.name === entity.name);
    if (!kept) merged.push(entity);
    else for (const f of entity.fields) if (!kept.fields.some((g) => g.name === f.name)) kept.fields.push(f);
  }
  return merged;
}

/** The role assignments table (issue 12, enforcement): present once the identity side has created it. */
const ROLE_ASSIGNMENT_TABLE = 'touchpoint.role_assignment';

export class MetadataStore {
  readonly db: Database;
  readonly core: EntityDefinition[];
  /** The core layer's roles and sharing settings (`schemas/permissions`). */
  readonly corePermissions: PermissionModel;

  /** What the database offers substring search (set by the engine at start); none until then. */
  textSearch: TextSearchSupport = { trigramOpclass: null, bigrams: false };

  /** The engine clock's present as SQL, for the audit rows of changes (set by the engine). */
  now = 'now()';

  /** Most columns a change may take a table to, dropped ones counted (`EngineOptions.maxTableColumns`). */
  maxTableColumns = DEFAULT_MAX_TABLE_COLUMNS;

  constructor(db: Database, core: EntityDefinition[], corePermissions: PermissionModel = EMPTY_PERMISSIONS) {
    this.db = db;
    this.core = core;
    this.corePermissions = corePermissions;
  }

  /** The roles and sharing settings a stored version holds; a version from before they were stored has the core's. */
  permissionsOf(row: MetadataVersionRow | null): PermissionModel {
    return row?.permissions ?? mergePermissionLayers(this.corePermissions, []);
  }

  async latest(workspaceId: number, em?: Em): Promise<MetadataVersionRow | null> {
    return (em ?? this.db.orm.em.fork()).findOne(
      MetadataVersionEntity,
      { workspaceId },
      { orderBy: { version: 'desc' } },
    );
  }

  async history(workspaceId: number): Promise<MetadataVersionRow[]> {
    return this.db.orm.em.fork().find(MetadataVersionEntity, { workspaceId }, { orderBy: { version: 'desc' } });
  }

  /** The archives that can still be restored or purged: neither restored nor purged. */
  async archives(workspaceId: number, em?: Em): Promise<ArchiveRow[]> {
    return (em ?? this.db.orm.em.fork()).find(
      ArchiveEntity,
      { workspaceId, restoredAt: null, purgedAt: null },
      { orderBy: { id: 'asc' } },
    );
  }

  /** One archive of a workspace whatever became of it (restored, purged), to say why it is gone. */
  async archive(workspaceId: number, id: number, em?: Em): Promise<ArchiveRow | null> {
    return (em ?? this.db.orm.em.fork()).findOne(ArchiveEntity, { workspaceId, id });
  }

  /** Core and plugin layers merged, before the workspace's own changes. */
  async baseLayers(workspaceId: number, em: Em, override?: PluginLayerChange): Promise<EntityDefinition[]> {
    return (await this.base(workspaceId, em, override)).entities;
  }

  /** Core and plugin layers merged, entities and permissions, before the workspace's own changes. */
  async base(
    workspaceId: number,
    em: Em,
    override?: PluginLayerChange,
  ): Promise<{ entities: EntityDefinition[]; permissions: PermissionModel }> {
    const rows = await em.find(PluginLayerEntity, { workspaceId }, { orderBy: { id: 'asc' } });
    const plugins = rows.map(toContribution).filter((p) => p.pluginId !== override?.pluginId);
    if (override && !isRemoval(override)) plugins.push(override);
    return {
      entities: mergeLayers(this.core, plugins),
      permissions: mergePermissionLayers(this.corePermissions, plugins),
    };
  }

  /**
   * How many users hold a role. The assignments live in `touchpoint.role_assignment` (created by the identity
   * side of permissions); before that table exists nobody holds a role through it and this answers 0.
   */
  private async roleHolders(tx: Sql, workspaceId: number, role: string): Promise<number> {
    const [exists] = await tx.query<{ t: string | null }>(`select to_regclass('${ROLE_ASSIGNMENT_TABLE}')::text as t`);
    if (!exists?.t) return 0;
    const [row] = await tx.query<{ n: number }>(
      `select count(*)::int as n from ${ROLE_ASSIGNMENT_TABLE} where workspace_id = $1 and role = $2`,
      [workspaceId, role],
    );
    return row?.n ?? 0;
  }

  async workspaceChanges(workspaceId: number, em: Em): Promise<MetadataChange[]> {
    const versions = await em.find(MetadataVersionEntity, { workspaceId }, { orderBy: { version: 'asc' } });
    return versions.flatMap((v) => v.changes);
  }

  /**
   * Applies metadata changes to a workspace: layers them, validates the result (every problem at once),
   * plans the migration, refuses destructive steps without confirmation, then runs the DDL and records
   * the new version in ONE transaction — a failure anywhere leaves tables and metadata as they were.
   */
  async change(
    workspace: WorkspaceRow,
    changes: MetadataChange[],
    options: ChangeOptions,
    plugin?: PluginLayerChange,
  ): Promise<ChangeResult> {
    return this.db.transaction(
      async (tx, em) => {
        // Serialises metadata changes of one workspace across requests and processes.
        await tx.query('select id from touchpoint.workspace where id = $1 for update', [workspace.id]);
        const current = await this.latest(workspace.id, em);
        const archives = await this.archives(workspace.id, em);
        const find = (id: number) => this.archive(workspace.id, id, em);
        const resolvedInput = await resolveRestores(changes, archives, find);
        const purges = await resolvePurges(resolvedInput, archives, find);
        const base = await this.base(workspace.id, em, plugin);
        const replayed = applyChanges(base.entities, await this.workspaceChanges(workspace.id, em), {
          permissions: base.permissions,
        });
        const previous = replayed.entities;
        const next = applyChanges(previous, resolvedInput, { record: true, permissions: replayed.permissions });
        const issues: Issue[] = validateMetadata(next.entities);
        if (changes.length > 0 || (plugin !== undefined && !isRemoval(plugin))) {
          // Only what this change (or the plugin installed) introduces: an entry left inert by a plugin's
          // removal does not block the admin.
          // Against the version in force (a plugin being installed is in `replayed` already).
          const both = bothVersions(current?.entities ?? previous, next.entities);
          const before = current ? this.permissionsOf(current) : replayed.permissions;
          issues.push(...newIssues(permissionIssues(before, both), permissionIssues(next.permissions, both)));
          for (const [i, change] of next.changes.entries()) {
            if (change.op !== 'removeRole') continue;
            const holders = await this.roleHolders(tx, workspace.id, change.role);
            if (holders > 0) {
              issues.push({
                path: `changes[${i}].role`,
                message: `"${change.role}" is held by ${holders} user${holders === 1 ? '' : 's'}; give them another role first`,
              });
            }
          }
        }
        if (issues.length > 0) throw validationFailed('The metadata change is not valid:', issues);
        const version = (current?.version ?? 0) + 1;
        const plan = await planMigration({
          from: current?.entities ?? [],
          to: next.entities,
          schema: workspace.schemaName,
          version,
          archives,
          inspect: current ? tx : undefined,
          textSearch: this.textSearch,
          purges,
        });
        if (plan.blocking.length > 0) throw validationFailed('The metadata change cannot be applied:', plan.blocking);
        if (current) {
          // A core upgrade synced at start (no changes, no plugin) may use the room kept below PostgreSQL's
          // limit: refusing it would keep the server from starting. Admin changes and plugins may not.
          const layerSync = changes.length === 0 && plugin === undefined;
          await checkColumnLimit(
            tx,
            workspace.schemaName,
            plan,
            layerSync ? POSTGRES_MAX_COLUMNS : this.maxTableColumns,
            (table) => next.entities.find((e) => tableName(e) === table)?.name,
          );
        }
        const layer = plugin
          ? await em.findOne(PluginLayerEntity, { workspaceId: workspace.id, pluginId: plugin.pluginId })
          : null;
        // A plugin version that changes no metadata is still a version: it is recorded, and the API reloads.
        const layerChanged = isRemoval(plugin)
          ? layer !== null
          : plugin !== undefined && layer?.pluginVersion !== plugin.version;
        const previousPluginVersion = layer?.pluginVersion ?? null;
        const unchanged =
          current !== null &&
          plan.steps.length === 0 &&
          !layerChanged &&
          sameJson(current.entities, next.entities) &&
          samePermissions(this.permissionsOf(current), next.permissions);
        if (options.dryRun || unchanged) {
          if (!options.dryRun) await options.alongside?.(tx);
          return {
            plan,
            version: current?.version ?? 0,
            entities: current?.entities ?? next.entities,
            permissions: current ? this.permissionsOf(current) : next.permissions,
            applied: false,
          };
        }
        if (plan.destructive && !options.confirmDestructive) {
          throw new TouchpointError(
            'CONFIRMATION_REQUIRED',
            `This change is destructive and needs explicit confirmation (confirmDestructive: true):\n${plan.steps
              .filter((s) => s.destructive)
              .map((s) => `  - ${s.description}`)
              .join('\n')}`,
            {
              details: { steps: publicSteps(plan.steps) },
              // Each destructive step is what confirmDestructive would allow.
              issues: plan.steps
                .filter((s) => s.destructive)
                .map((s) => ({ path: 'confirmDestructive', message: s.description })),
            },
          );
        }
        await this.execute(tx, plan);
        em.create(MetadataVersionEntity, {
          workspaceId: workspace.id,
          version,
          changes: next.changes,
          entities: next.entities,
          permissions: next.permissions,
          steps: publicSteps(plan.steps),
          reason: options.reason ?? (changes.length > 0 ? 'metadata change' : 'layer update'),
          actor: options.actor,
          createdAt: new Date(),
        });
        for (const step of plan.steps) {
          if (step.archive) {
            em.create(ArchiveEntity, {
              ...step.archive,
              fieldId: step.archive.fieldId ?? null,
              workspaceId: workspace.id,
              version,
              archivedAt: new Date(),
              restoredAt: null,
              purgedAt: null,
              purgedVersion: null,
            });
          }
          if (step.restoresArchive !== undefined) {
            const archive = archives.find((a) => a.id === step.restoresArchive);
            if (archive) archive.restoredAt = new Date();
          }
          // A purged archive stays as a row, so a later restore can say it was purged and when.
          for (const id of step.purgesArchives ?? []) {
            const archive = archives.find((a) => a.id === id);
            if (archive) {
              archive.purgedAt = new Date();
              archive.purgedVersion = version;
            }
          }
        }
        if (isRemoval(plugin)) {
          if (layer) em.remove(layer);
        } else if (plugin) {
          if (layer) {
            layer.pluginVersion = plugin.version;
            layer.entities = plugin.entities;
            layer.fields = plugin.fields;
            layer.permissions = plugin.permissions ?? null;
          } else {
            em.create(PluginLayerEntity, {
              workspaceId: workspace.id,
              pluginId: plugin.pluginId,
              pluginVersion: plugin.version,
              entities: plugin.entities,
              fields: plugin.fields,
              permissions: plugin.permissions ?? null,
              installedAt: new Date(),
            });
          }
        }
        await em.flush();
        await appendAudit(tx, this.now, [
          auditEntry(workspace, options, plugin, previousPluginVersion, {
            version,
            previous: current?.version ?? null,
            changes,
            plan,
          }),
        ]);
        await options.alongside?.(tx);
        return { plan, version, entities: next.entities, permissions: next.permissions, applied: true };
      },
      { unlimited: true },
    );
  }

  /**
   * Deletes for good what removing a plugin's layer archived: its archived tables (with the archives of their
   * fields), and its archived columns on other entities — as `purgeArchive` changes, so the purge is planned,
   * needs `confirmDestructive` and is recorded as a version like any other. Answers what it deletes (or would).
   */
  async purgePluginArchives(
    workspace: WorkspaceRow,
    pluginId: string,
    options: Pick<ChangeOptions, 'confirmDestructive' | 'dryRun' | 'channel' | 'tokenId'> & { actor?: string },
  ): Promise<{ purged: string[] }> {
    const all = await this.archives(workspace.id);
    // Plugin entities have the id `<plugin>:<name>`; their fields and the plugin's fields elsewhere too.
    const own = (id: string | null) => id?.startsWith(`${pluginId}:`) ?? false;
    const tables = all.filter((a) => a.kind === 'entity' && own(a.entityId));
    const columns = all.filter(
      (a) => a.kind === 'field' && own(a.fieldId) && !tables.some((t) => t.entityId === a.entityId),
    );
    const changes = [...tables, ...columns].map((a): MetadataChange => ({ op: 'purgeArchive', archiveId: a.id }));
    if (changes.length === 0) return { purged: [] };
    const result = await this.change(workspace, changes, {
      actor: options.actor ?? 'system',
      confirmDestructive: options.confirmDestructive,
      dryRun: options.dryRun,
      ...(options.channel ? { channel: options.channel } : {}),
      ...(options.tokenId ? { tokenId: options.tokenId } : {}),
      reason: `plugin ${pluginId} purged`,
    });
    return { purged: result.plan.steps.filter((s) => s.kind === 'purgeArchive').map((s) => s.description) };
  }

  private async execute(tx: Sql, plan: MigrationPlan): Promise<void> {
    for (const [index, step] of plan.steps.entries()) {
      for (const statement of step.sql) {
        try {
          await tx.query(statement.text, statement.params ?? []);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          // 54011: too many columns. Only reached past the checked limit (a table this same plan created).
          if ((error as { code?: string }).code === '54011') {
            throw new TouchpointError(
              'LIMIT_EXCEEDED',
              `Step ${index + 1} would take a table past PostgreSQL's ${POSTGRES_MAX_COLUMNS} columns — ${step.description} Nothing was changed.`,
              {
                issues: [{ path: 'changes', message: reason }],
                details: { step: index + 1, entity: step.entity, limit: POSTGRES_MAX_COLUMNS },
                cause: error,
              },
            );
          }
          throw new TouchpointError(
            'MIGRATION_FAILED',
            `Step ${index + 1} failed — ${step.description} The database said: ${reason}. Nothing was changed.`,
            { details: { step: index + 1, entity: step.entity, field: step.field }, cause: error },
          );
        }
      }
    }
  }
}

/** The audit row of an applied version: a plugin's install, upgrade or removal, or a metadata change. */
function auditEntry(
  workspace: WorkspaceRow,
  options: ChangeOptions,
  plugin: PluginLayerChange | undefined,
  previousPluginVersion: string | null,
  applied: { version: number; previous: number | null; changes: MetadataChange[]; plan: MigrationPlan },
): AuditEntry {
  const action = isRemoval(plugin)
    ? 'plugin.removed'
    : plugin
      ? previousPluginVersion !== null
        ? 'plugin.upgraded'
        : 'plugin.installed'
      : 'metadata.changed';
  const changes: Record<string, FieldChange> = { version: { old: applied.previous, new: applied.version } };
  if (plugin && (isRemoval(plugin) || previousPluginVersion !== plugin.version)) {
    changes.pluginVersion = { old: previousPluginVersion, new: isRemoval(plugin) ? null : plugin.version };
  }
  return {
    workspace: workspace.slug,
    actor: options.actor,
    tokenId: options.tokenId ?? null,
    channel: options.channel ?? ('system' as const),
    action,
    metadataVersion: applied.version,
    pluginId: plugin?.pluginId ?? null,
    changes,
    details: {
      reason: options.reason ?? null,
      changes: applied.changes,
      steps: applied.plan.steps.map((s) => s.description),
    },
  };
}
