// Metadata versions: every change becomes a new version whose DDL and record commit in one transaction.
import type { EntityDefinition, Issue } from '@touchpoint/schema';
import { TouchpointError, validateMetadata, validationFailed } from '@touchpoint/schema';
import type { Database, Sql } from '../db.ts';
import { type MigrationPlan, type MigrationStep, planMigration } from '../migration/plan.ts';
import {
  ArchiveEntity,
  type ArchiveRow,
  MetadataVersionEntity,
  type MetadataVersionRow,
  PluginLayerEntity,
  type PluginLayerRow,
  type WorkspaceRow,
} from '../system-entities.ts';
import { applyChanges, type MetadataChange } from './changes.ts';
import { mergeLayers, type PluginContribution } from './layers.ts';

export interface ChangeOptions {
  actor: string;
  /** Apply destructive steps (archiving fields or entities, narrowing types). */
  confirmDestructive?: boolean;
  /** Plan only: nothing is written. */
  dryRun?: boolean;
  reason?: string;
}

export interface ChangeResult {
  plan: MigrationPlan;
  /** The new version, or the current one for a dry run or a change that changes nothing. */
  version: number;
  entities: EntityDefinition[];
  applied: boolean;
}

type Em = Parameters<Parameters<Database['transaction']>[0]>[1];

function publicSteps(steps: MigrationStep[]) {
  return steps.map((s) => ({ kind: s.kind, description: s.description, destructive: s.destructive }));
}

function toContribution(row: PluginLayerRow): PluginContribution {
  return { pluginId: row.pluginId, version: row.pluginVersion, entities: row.entities, fields: row.fields };
}

export class MetadataStore {
  readonly db: Database;
  readonly core: EntityDefinition[];

  constructor(db: Database, core: EntityDefinition[]) {
    this.db = db;
    this.core = core;
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

  async archives(workspaceId: number, em?: Em): Promise<ArchiveRow[]> {
    return (em ?? this.db.orm.em.fork()).find(
      ArchiveEntity,
      { workspaceId, restoredAt: null },
      { orderBy: { id: 'asc' } },
    );
  }

  /** Core and plugin layers merged, before the workspace's own changes. */
  async baseLayers(workspaceId: number, em: Em, override?: PluginContribution): Promise<EntityDefinition[]> {
    const rows = await em.find(PluginLayerEntity, { workspaceId }, { orderBy: { id: 'asc' } });
    const plugins = rows.map(toContribution).filter((p) => p.pluginId !== override?.pluginId);
    if (override) plugins.push(override);
    return mergeLayers(this.core, plugins);
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
    plugin?: PluginContribution,
  ): Promise<ChangeResult> {
    return this.db.transaction(async (tx, em) => {
      // Serialises metadata changes of one workspace across requests and processes.
      await tx.query('select id from touchpoint.workspace where id = $1 for update', [workspace.id]);
      const current = await this.latest(workspace.id, em);
      const archives = await this.archives(workspace.id, em);
      const resolvedInput = await this.resolveRestores(changes, archives, workspace);
      const base = await this.baseLayers(workspace.id, em, plugin);
      const previous = applyChanges(base, await this.workspaceChanges(workspace.id, em)).entities;
      const next = applyChanges(previous, resolvedInput, { record: true });
      const issues: Issue[] = validateMetadata(next.entities);
      if (issues.length > 0) throw validationFailed('The metadata change is not valid:', issues);
      const version = (current?.version ?? 0) + 1;
      const plan = await planMigration({
        from: current?.entities ?? [],
        to: next.entities,
        schema: workspace.schemaName,
        version,
        archives,
        inspect: current ? tx : undefined,
      });
      if (plan.blocking.length > 0) throw validationFailed('The metadata change cannot be applied:', plan.blocking);
      const unchanged = current !== null && plan.steps.length === 0 && sameMetadata(current.entities, next.entities);
      if (options.dryRun || unchanged) {
        return { plan, version: current?.version ?? 0, entities: current?.entities ?? next.entities, applied: false };
      }
      if (plan.destructive && !options.confirmDestructive) {
        throw new TouchpointError(
          'CONFIRMATION_REQUIRED',
          `This change is destructive and needs explicit confirmation (confirmDestructive: true):\n${plan.steps
            .filter((s) => s.destructive)
            .map((s) => `  - ${s.description}`)
            .join('\n')}`,
          { details: { steps: publicSteps(plan.steps) } },
        );
      }
      await this.execute(tx, plan);
      em.create(MetadataVersionEntity, {
        workspaceId: workspace.id,
        version,
        changes: next.changes,
        entities: next.entities,
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
          });
        }
        if (step.restoresArchive !== undefined) {
          const archive = archives.find((a) => a.id === step.restoresArchive);
          if (archive) archive.restoredAt = new Date();
        }
      }
      if (plugin) {
        const existing = await em.findOne(PluginLayerEntity, { workspaceId: workspace.id, pluginId: plugin.pluginId });
        if (existing) {
          existing.pluginVersion = plugin.version;
          existing.entities = plugin.entities;
          existing.fields = plugin.fields;
        } else {
          em.create(PluginLayerEntity, {
            workspaceId: workspace.id,
            pluginId: plugin.pluginId,
            pluginVersion: plugin.version,
            entities: plugin.entities,
            fields: plugin.fields,
            installedAt: new Date(),
          });
        }
      }
      await em.flush();
      return { plan, version, entities: next.entities, applied: true };
    });
  }

  private async execute(tx: Sql, plan: MigrationPlan): Promise<void> {
    for (const [index, step] of plan.steps.entries()) {
      for (const statement of step.sql) {
        try {
          await tx.query(statement.text, statement.params ?? []);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new TouchpointError(
            'MIGRATION_FAILED',
            `Step ${index + 1} failed — ${step.description} The database said: ${reason}. Nothing was changed.`,
            { details: { step: index + 1, entity: step.entity, field: step.field }, cause: error },
          );
        }
      }
    }
  }

  /** Fills restore changes with what the archive holds, so they replay without the archive table. */
  private async resolveRestores(changes: MetadataChange[], archives: ArchiveRow[], workspace: WorkspaceRow) {
    return changes.map((change, index) => {
      if (change.op !== 'restoreField' && change.op !== 'restoreEntity') return change;
      const archive = archives.find((a) => a.id === change.archiveId && a.workspaceId === workspace.id);
      const wanted = change.op === 'restoreField' ? 'field' : 'entity';
      if (!archive || archive.kind !== wanted || (archive.fieldId ?? '').includes('@v')) {
        throw validationFailed('The metadata change cannot be applied:', [
          {
            path: `changes[${index}].archiveId`,
            message: `no restorable ${wanted} archive with id ${change.archiveId}`,
          },
        ]);
      }
      return change.op === 'restoreField'
        ? { ...change, entityId: archive.entityId, definition: archive.definition as never }
        : { ...change, definition: archive.definition as never };
    });
  }
}

/** Key order does not count: jsonb stores object keys sorted, so a stored version reads back reordered. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)]),
  );
}

function sameMetadata(a: EntityDefinition[], b: EntityDefinition[]): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
