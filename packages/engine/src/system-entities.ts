// Touchpoint's own tables, in the `touchpoint` schema, mapped with MikroORM. Records of workspaces live
// elsewhere (one PostgreSQL schema per workspace), in tables the migration planner makes from metadata.
import { EntitySchema } from '@mikro-orm/postgresql';
import type { EntityDefinition, PermissionModel } from '@touchpoint/schema';
import type { MetadataChange } from './metadata/changes.ts';
import type { PluginPermissions } from './metadata/permission-changes.ts';
import type { MigrationStep } from './migration/plan.ts';

export const SYSTEM_SCHEMA = 'touchpoint';

export interface WorkspaceRow {
  id: number;
  slug: string;
  name: string;
  schemaName: string;
  createdAt: Date;
}

/** A step as a version records it. Versions recorded before steps had codes keep only the sentence. */
export type StoredStep = Pick<MigrationStep, 'kind' | 'description' | 'destructive'> &
  Partial<Pick<MigrationStep, 'code' | 'params'>>;

export interface MetadataVersionRow {
  id: number;
  workspaceId: number;
  version: number;
  /** The admin's changes this version made (empty for a version caused by a core or plugin upgrade). */
  changes: MetadataChange[];
  /** Effective metadata after this version: what the live tables look like. */
  entities: EntityDefinition[];
  /**
   * Roles and sharing settings in effect after this version (core, plugins, the admin's changes). Null on
   * versions recorded before permissions were metadata: they read as the core model.
   */
  permissions?: PermissionModel | null;
  steps: StoredStep[];
  reason: string;
  actor: string;
  createdAt: Date;
}

export interface ArchiveRow {
  id: number;
  workspaceId: number;
  kind: 'field' | 'entity';
  entityId: string;
  fieldId: string | null;
  /** Archived table (entity) or archived column names by suffix (field). */
  physical: { table?: string; columns?: Record<string, string>; joinTable?: string };
  definition: unknown;
  version: number;
  archivedAt: Date;
  restoredAt: Date | null;
  /** When a `purgeArchive` change deleted its data for good, and the version that did; never restorable then. */
  purgedAt: Date | null;
  purgedVersion: number | null;
}

export interface PluginLayerRow {
  id: number;
  workspaceId: number;
  pluginId: string;
  pluginVersion: string;
  entities: EntityDefinition[];
  /** Fields added to entities of other layers: `{ entity, field }`. */
  fields: { entity: string; field: EntityDefinition['fields'][number] }[];
  /** The permission sets the plugin ships for its own entities (null: none, or installed before they existed). */
  permissions?: PluginPermissions | null;
  installedAt: Date;
}

export const WorkspaceEntity = new EntitySchema<WorkspaceRow>({
  name: 'Workspace',
  tableName: 'workspace',
  schema: SYSTEM_SCHEMA,
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    slug: { type: 'string', unique: true },
    name: { type: 'string' },
    schemaName: { type: 'string', unique: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

export const MetadataVersionEntity = new EntitySchema<MetadataVersionRow>({
  name: 'MetadataVersion',
  tableName: 'metadata_version',
  schema: SYSTEM_SCHEMA,
  uniques: [{ properties: ['workspaceId', 'version'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    workspaceId: { type: 'integer' },
    version: { type: 'integer' },
    changes: { type: 'json' },
    entities: { type: 'json' },
    permissions: { type: 'json', nullable: true },
    steps: { type: 'json' },
    reason: { type: 'string' },
    actor: { type: 'string' },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

export const ArchiveEntity = new EntitySchema<ArchiveRow>({
  name: 'Archive',
  tableName: 'archive',
  schema: SYSTEM_SCHEMA,
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    workspaceId: { type: 'integer', index: true },
    kind: { type: 'string' },
    entityId: { type: 'string' },
    fieldId: { type: 'string', nullable: true },
    physical: { type: 'json' },
    definition: { type: 'json' },
    version: { type: 'integer' },
    archivedAt: { type: 'datetime', onCreate: () => new Date() },
    restoredAt: { type: 'datetime', nullable: true },
    purgedAt: { type: 'datetime', nullable: true },
    purgedVersion: { type: 'integer', nullable: true },
  },
});

export const PluginLayerEntity = new EntitySchema<PluginLayerRow>({
  name: 'PluginLayer',
  tableName: 'plugin_layer',
  schema: SYSTEM_SCHEMA,
  uniques: [{ properties: ['workspaceId', 'pluginId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    workspaceId: { type: 'integer' },
    pluginId: { type: 'string' },
    pluginVersion: { type: 'string' },
    entities: { type: 'json' },
    fields: { type: 'json' },
    permissions: { type: 'json', nullable: true },
    installedAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

/** The audit log (audit/audit-log.ts): appended to, never updated or deleted. */
export interface AuditLogEntityRow {
  id: string;
  workspaceId: number | null;
  at: Date;
  actor: string;
  tokenId: string | null;
  channel: string;
  action: string;
  entity: string | null;
  recordId: string | null;
  metadataVersion: number | null;
  pluginId: string | null;
  changes: unknown;
  details: unknown;
}

export const AUDIT_TABLE = `${SYSTEM_SCHEMA}.audit_log`;

export const AuditLogEntity = new EntitySchema<AuditLogEntityRow>({
  name: 'AuditLog',
  tableName: 'audit_log',
  schema: SYSTEM_SCHEMA,
  indexes: [
    { properties: ['workspaceId', 'entity', 'recordId', 'id'] },
    { properties: ['workspaceId', 'at'] },
    { properties: ['workspaceId', 'actor', 'id'] },
  ],
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    workspaceId: { type: 'integer', nullable: true },
    at: { type: 'datetime' },
    actor: { type: 'string' },
    tokenId: { type: 'string', nullable: true },
    channel: { type: 'string' },
    action: { type: 'string' },
    entity: { type: 'string', nullable: true },
    recordId: { type: 'string', nullable: true },
    metadataVersion: { type: 'integer', nullable: true },
    pluginId: { type: 'string', nullable: true },
    changes: { type: 'json', nullable: true },
    details: { type: 'json', nullable: true },
  },
});

export const SYSTEM_ENTITIES = [
  WorkspaceEntity,
  MetadataVersionEntity,
  ArchiveEntity,
  PluginLayerEntity,
  AuditLogEntity,
];
