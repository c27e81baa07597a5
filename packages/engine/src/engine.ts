// The engine's front door: workspaces, their effective metadata (cached per version), metadata changes,
// and the record service through which every read and write passes.
import {
  EMPTY_PERMISSIONS,
  type EntityDefinition,
  type Issue,
  isUuid,
  MAX_LABEL_LENGTH,
  type PermissionModel,
  TouchpointError,
  validationFailed,
} from '@touchpoint/schema';
import { AUDIT_APPEND_ONLY_SQL, type AuditEntry, appendAudit, CHANNELS, type Channel } from './audit/audit-log.ts';
import {
  type AuditFilter,
  type AuditPage,
  type FieldHistoryEntry,
  fieldHistory,
  listAudit,
  trackedFields,
} from './audit/audit-queries.ts';
import { type Clock, systemClock } from './clock.ts';
import type { Sql } from './db.ts';
import { Database } from './db.ts';
import { RecordEventBus } from './events.ts';
import { RecordHooks } from './hooks.ts';
import { checkPassword, EMAIL_SHAPE, Identity, normaliseEmail } from './identity/identity.ts';
import { People } from './identity/people.ts';
import { AUDIT_IDENTITY_NOTIFY_SQL, RevocationWatch } from './identity/revocations.ts';
import { ensureIdentityTables } from './identity/tables.ts';
import { checkChanges } from './metadata/change-shape.ts';
import type { MetadataChange } from './metadata/changes.ts';
import type { PluginContribution } from './metadata/layers.ts';
import { type ChangeOptions, type ChangeResult, MetadataStore } from './metadata/store.ts';
import { DEFAULT_MAX_TABLE_COLUMNS, POSTGRES_MAX_COLUMNS } from './migration/column-limit.ts';
import { type AccessGrants, isUserActor } from './permissions/grants.ts';
import { GrantsResolver, PRINCIPAL_ENTITIES } from './permissions/resolver.ts';
import { Sharing } from './permissions/shares.ts';
import { workspaceSchemaName } from './physical.ts';
import { QueryCompiler } from './query/index.ts';
import { RecordService, type RequestContext } from './records/service.ts';
import { type RequestScope, ScopedReader } from './scope.ts';
import {
  type ArchiveRow,
  type MetadataVersionRow,
  SYSTEM_ENTITIES,
  SYSTEM_SCHEMA,
  WorkspaceEntity,
  type WorkspaceRow,
} from './system-entities.ts';
import { ensureTextSearch } from './text-search.ts';

export interface EngineOptions {
  /** PostgreSQL URL; without one the embedded database under `dataDir` is used. */
  databaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
  /** The core layer: entities from `schemas/entities` (see `loadCoreEntities`). */
  coreEntities: EntityDefinition[];
  /**
   * The core layer's roles and sharing settings, from `schemas/permissions` (see `loadCorePermissions`).
   * Without them no role exists, so no user may read or write anything (the system actor still may).
   */
  corePermissions?: PermissionModel;
  /** How long one statement of the read path may run (default 30 s); see Database. */
  statementTimeoutMs?: number;
  /** What the engine takes to be now (relative dates, audit instants); default the machine's clock. */
  clock?: Clock;
  /**
   * Days after which an archive is listed as due for purging (`purgeDue`); default 90, `null` for never.
   * Listing only: archives are purged by an explicit, confirmed `purgeArchive` change, never on their own.
   */
  archiveRetentionDays?: number | null;
  /**
   * Most columns a metadata change may take a table to, dropped columns counted as PostgreSQL counts them
   * (default 1,400 of PostgreSQL's 1,600). At most 1,600.
   */
  maxTableColumns?: number;
  /**
   * Leaves record writes out of the audit log. Only for measuring what the audit trail costs
   * (tests/bench/audit.ts); never set it in a running system.
   */
  benchmarkWithoutRecordAudit?: boolean;
}

/** Days after which an archive is due for purging, unless `EngineOptions.archiveRetentionDays` says otherwise. */
export const DEFAULT_ARCHIVE_RETENTION_DAYS = 90;

/** A workspace's effective metadata at one version, with what is derived from it. */
export interface WorkspaceMetadata {
  workspace: WorkspaceRow;
  version: number;
  entities: EntityDefinition[];
  byName: Map<string, EntityDefinition>;
  /** Roles and sharing settings in effect at this version. */
  permissions: PermissionModel;
  compiler: QueryCompiler;
}

export const DEFAULT_WORKSPACE = 'default';

function checkArchiveOptions(options: EngineOptions): void {
  const days = options.archiveRetentionDays;
  if (days !== undefined && days !== null && !(Number.isInteger(days) && days >= 0)) {
    throw validationFailed('Engine options are not valid.', [
      {
        path: 'archiveRetentionDays',
        message: `must be a whole number of days from 0, or null for never, got ${days}`,
      },
    ]);
  }
  const max = options.maxTableColumns;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1 && max <= POSTGRES_MAX_COLUMNS)) {
    throw validationFailed('Engine options are not valid.', [
      { path: 'maxTableColumns', message: `must be a whole number from 1 to ${POSTGRES_MAX_COLUMNS}, got ${max}` },
    ]);
  }
}
const SLUG = /^[a-z][a-z0-9-]{1,30}$/;

const AUDIT_ACTION = /^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)+$/;

/** What `engine.audit.append` accepts: known channels, actions shaped `noun.verb`, an actor. */
function checkAuditEntries(entries: AuditEntry | AuditEntry[]): AuditEntry[] {
  const list = Array.isArray(entries) ? entries : [entries];
  const issues: Issue[] = [];
  list.forEach((entry, i) => {
    if (!CHANNELS.includes(entry.channel)) {
      issues.push({
        path: `entries[${i}].channel`,
        message: `is not a channel, got ${JSON.stringify(entry.channel)}`,
        allowed: [...CHANNELS],
      });
    }
    if (typeof entry.action !== 'string' || !AUDIT_ACTION.test(entry.action) || entry.action.length > 100) {
      issues.push({
        path: `entries[${i}].action`,
        message: 'must be a name like "token.created" (words joined by dots)',
      });
    }
    if (typeof entry.actor !== 'string' || entry.actor.length === 0 || entry.actor.length > 200) {
      issues.push({ path: `entries[${i}].actor`, message: 'must be a text of 1 to 200 characters' });
    }
  });
  if (issues.length > 0) throw validationFailed('The audit entries are not valid:', issues);
  return list;
}

export type MetadataListener = (event: { workspace: string; version: number }) => void;

/**
 * The audit log of the engine (audit/): append rows in the caller's transaction, read them back. Rows are
 * never changed or removed; see audit/audit-log.ts.
 */
export interface EngineAudit {
  /**
   * Appends entries with `sql` — pass the transaction of the change they describe, so they commit or roll
   * back with it. `at` is the engine clock's present. A bad channel or action is refused (VALIDATION_FAILED).
   */
  append(sql: Sql, entries: AuditEntry | AuditEntry[]): Promise<void>;
  /** A page of a workspace's log, newest first (admins only: gate it where it is exposed). */
  list(
    workspace: string,
    filter: AuditFilter,
    page: { first?: number | null; after?: string | null },
  ): Promise<AuditPage>;
  /** The changes of one record's tracked fields (`trackHistory`), newest first. */
  fieldHistory(
    workspace: string,
    entity: string,
    id: string,
    options?: { fields?: string[]; first?: number | null },
  ): Promise<FieldHistoryEntry[]>;
}

export class Engine {
  readonly db: Database;
  readonly events = new RecordEventBus();
  readonly hooks = new RecordHooks();
  readonly store: MetadataStore;
  readonly clock: Clock;
  /** The core layer's roles and sharing settings (empty when the engine was given none). */
  readonly corePermissions: PermissionModel;
  readonly audit: EngineAudit;
  /** False only under `EngineOptions.benchmarkWithoutRecordAudit`. */
  readonly auditRecordWrites: boolean;
  /** Credentials, memberships, sessions, API tokens: who may sign in (system tables, no record API). */
  readonly identity: Identity;
  /** Members, invitations and the first start's administrator (identity/people.ts). */
  readonly people: People;
  /** Revocations by any instance on the same database, as they commit (identity/revocations.ts). */
  readonly revocations: RevocationWatch;
  /** Days after which an archive is due for purging; null: never (see `EngineOptions.archiveRetentionDays`). */
  readonly archiveRetentionDays: number | null;
  /** Users' grants per workspace, read once and kept until what they derive from changes. */
  readonly permissions: GrantsResolver;
  /** Manual shares and "who can see this record, and why" (permissions/shares.ts). */
  readonly sharing: Sharing;
  readonly #cache = new Map<string, WorkspaceMetadata>();
  readonly #listeners = new Set<MetadataListener>();
  /** Bumped on every change, so a load that raced with a change never caches stale metadata. */
  #generation = 0;

  private constructor(db: Database, options: EngineOptions) {
    this.db = db;
    this.clock = options.clock ?? systemClock;
    this.corePermissions = options.corePermissions ?? EMPTY_PERMISSIONS;
    this.store = new MetadataStore(db, options.coreEntities, this.corePermissions);
    this.identity = new Identity(db, this.clock);
    this.people = new People(this);
    this.permissions = new GrantsResolver(db);
    this.sharing = new Sharing(this);
    // Users, teams and territories make the principal sets: a change to one counts on the next request.
    this.events.subscribe('*', (event) => {
      if (PRINCIPAL_ENTITIES.has(event.entity)) this.permissions.invalidate(event.workspace);
    });
    this.revocations = new RevocationWatch(db.embedded ? undefined : options.databaseUrl);
    // A membership, role assignment or user record changed on any instance: grants are read again too.
    this.revocations.subscribe(() => this.permissions.invalidateAll());
    this.store.maxTableColumns = options.maxTableColumns ?? DEFAULT_MAX_TABLE_COLUMNS;
    this.store.now = this.clock.sql;
    this.auditRecordWrites = options.benchmarkWithoutRecordAudit !== true;
    this.audit = {
      append: (sql, entries) => appendAudit(sql, this.clock.sql, checkAuditEntries(entries)),
      list: async (workspace, filter, page) => {
        await this.getWorkspace(workspace);
        return listAudit(this.db, workspace, filter, page);
      },
      fieldHistory: async (workspace, entityName, id, historyOptions) => {
        const metadata = await this.metadata(workspace);
        const entity = metadata.byName.get(entityName);
        if (!entity) {
          throw new TouchpointError('NOT_FOUND', `There is no entity "${entityName}" in workspace "${workspace}".`, {
            issues: [
              { path: 'entity', message: `unknown entity "${entityName}"`, allowed: [...metadata.byName.keys()] },
            ],
          });
        }
        if (!isUuid(id)) {
          throw validationFailed('The record id is not valid:', [
            { path: 'id', message: `must be a record id (UUID), got ${JSON.stringify(id)}` },
          ]);
        }
        if (trackedFields(entity).length === 0) {
          throw validationFailed(`The history of ${entity.name} is not kept:`, [
            { path: 'entity', message: `"${entity.name}" has no field marked trackHistory` },
          ]);
        }
        return fieldHistory(this.db, workspace, entity, id, historyOptions);
      },
    };
    this.archiveRetentionDays =
      options.archiveRetentionDays === undefined ? DEFAULT_ARCHIVE_RETENTION_DAYS : options.archiveRetentionDays;
  }

  static async start(options: EngineOptions): Promise<Engine> {
    checkArchiveOptions(options);
    const db = await Database.connect({
      url: options.databaseUrl,
      dataDir: options.dataDir,
      poolSize: options.poolSize,
      statementTimeoutMs: options.statementTimeoutMs,
      entities: SYSTEM_ENTITIES,
    });
    const engine = new Engine(db, options);
    try {
      await engine.ensureSystemTables();
      await engine.ensureWorkspace(DEFAULT_WORKSPACE, 'Default workspace');
      await engine.revocations.start();
    } catch (error) {
      await engine.revocations.close();
      await db.close();
      throw error;
    }
    return engine;
  }

  private async ensureSystemTables(): Promise<void> {
    await this.db.query(`create schema if not exists ${SYSTEM_SCHEMA}`);
    // Safe update: creates what is missing, never drops (the workspace schemas are not MikroORM's).
    await this.db.orm.schema.update({ safe: true, dropTables: false, schema: SYSTEM_SCHEMA });
    await this.db.query(AUDIT_APPEND_ONLY_SQL);
    await this.db.query(AUDIT_IDENTITY_NOTIFY_SQL);
    this.store.textSearch = await ensureTextSearch(this.db);
    await ensureIdentityTables(this.db);
  }

  /**
   * Makes someone able to sign in to a workspace: their `user` record (found by email, or created with the
   * given name and role), a credential for the email (with the password, when given) and the membership
   * linking the two, audited as `membership.added` in the membership's transaction (the user record's
   * creation is audited by the record service, in its own). `by` says who adds them and through what
   * (default the actor `system` on the channel `system`; the CLI passes `{ actor: 'cli', channel: 'cli' }`;
   * a bare string is taken as the actor). Returns the user record's id, which is the actor of their writes.
   */
  async addUser(
    slug: string,
    input: {
      email: string;
      name: string;
      role?: string;
      /** Role assignments (names of the permission model's roles); without them, `role` decides. */
      roles?: string[];
      password?: string;
      values?: Record<string, unknown>;
    },
    by: string | { actor?: string; channel?: Channel; tokenId?: string } = {},
  ): Promise<{ userId: string; credentialId: number }> {
    const { actor = 'system', channel = 'system', tokenId } = typeof by === 'string' ? { actor: by } : by;
    const workspace = await this.getWorkspace(slug);
    if (input.password !== undefined) checkPassword(input.password);
    const email = normaliseEmail(input.email);
    if (!EMAIL_SHAPE.test(email)) {
      throw validationFailed('The email is not valid.', [
        { path: 'email', message: `"${input.email}" is not an address` },
      ]);
    }
    // Whoever calls it checked the right to add users (manageUsers); the actor is recorded, not restricted.
    const records = this.records({
      workspace: slug,
      actor,
      channel,
      fullAccess: true,
      ...(tokenId ? { tokenId } : {}),
    });
    const found = await records.list({
      entity: 'user',
      filter: { email: { eq: email } },
      selection: { fields: ['id'], relations: [] },
      first: 1,
    });
    const userId =
      (found.nodes[0]?.id as string | undefined) ??
      (await records.create('user', { ...input.values, name: input.name, email, role: input.role ?? 'salesRep' })).id;
    const credentialId = await this.identity.addMember(
      { email, password: input.password, workspaceId: workspace.id, userId, role: input.role },
      { actor, channel, ...(tokenId ? { tokenId } : {}) },
    );
    if (input.roles) await this.people.setRoles(slug, userId, input.roles, { actor, channel, tokenId });
    return { userId, credentialId };
  }

  async listWorkspaces(): Promise<WorkspaceRow[]> {
    return this.db.orm.em.fork().find(WorkspaceEntity, {}, { orderBy: { id: 'asc' } });
  }

  async getWorkspace(slug: string): Promise<WorkspaceRow> {
    const row = await this.db.orm.em.fork().findOne(WorkspaceEntity, { slug });
    if (!row)
      throw new TouchpointError('NOT_FOUND', `There is no workspace "${slug}".`, {
        details: { workspace: slug },
        issues: [{ path: 'workspace', message: `no workspace "${slug}"; workspaces lists them` }],
      });
    return row;
  }

  /** Creates a workspace (its own PostgreSQL schema, tables for the core and plugin layers) if missing. */
  async ensureWorkspace(slug: string, name: string, actor = 'system'): Promise<WorkspaceRow> {
    const existing = await this.db.orm.em.fork().findOne(WorkspaceEntity, { slug });
    if (existing) {
      await this.syncLayers(existing, actor);
      return existing;
    }
    return this.createWorkspace(slug, name, actor);
  }

  async createWorkspace(slug: string, name: string, actor = 'system'): Promise<WorkspaceRow> {
    if (!SLUG.test(slug)) {
      throw new TouchpointError('VALIDATION_FAILED', `Workspace slug "${slug}" is not valid.`, {
        issues: [
          {
            path: 'slug',
            message: 'must be 2-31 characters: lower-case letters, digits and -, starting with a letter',
          },
        ],
      });
    }
    if (name.trim() === '' || name.length > MAX_LABEL_LENGTH || name.includes('\u0000')) {
      throw validationFailed(`Workspace name is not valid.`, [
        {
          path: 'name',
          message: `must be a text of 1 to ${MAX_LABEL_LENGTH} characters without the NUL character, got ${name.length} characters`,
        },
      ]);
    }
    const em = this.db.orm.em.fork();
    if (await em.findOne(WorkspaceEntity, { slug })) {
      throw new TouchpointError('CONFLICT', `A workspace "${slug}" already exists.`, {
        issues: [{ path: 'slug', message: 'is taken' }],
      });
    }
    const workspace = em.create(WorkspaceEntity, {
      slug,
      name,
      schemaName: workspaceSchemaName(slug),
      createdAt: new Date(),
    });
    await em.flush();
    try {
      await this.db.query(`create schema if not exists "${workspace.schemaName}"`);
      await this.store.change(workspace, [], { actor, reason: 'workspace created' });
    } catch (error) {
      await this.db.query(`drop schema if exists "${workspace.schemaName}" cascade`);
      await em.nativeDelete(WorkspaceEntity, { id: workspace.id });
      throw error;
    }
    return workspace;
  }

  /** Brings a workspace up to date with the core and plugin layers (e.g. after an upgrade added fields). */
  async syncLayers(workspace: WorkspaceRow, actor: string): Promise<ChangeResult> {
    const result = await this.store.change(workspace, [], { actor, reason: 'layer update' });
    if (result.applied) this.invalidate(workspace.slug, result.version);
    return result;
  }

  /** The effective metadata of a workspace, cached until it changes. */
  async metadata(slug: string): Promise<WorkspaceMetadata> {
    const cached = this.#cache.get(slug);
    if (cached) return cached;
    const generation = this.#generation;
    const workspace = await this.getWorkspace(slug);
    const latest = await this.store.latest(workspace.id);
    if (!latest) throw new TouchpointError('NOT_FOUND', `Workspace "${slug}" has no metadata yet.`);
    const metadata = this.buildMetadata(workspace, latest);
    if (generation === this.#generation) this.#cache.set(slug, metadata);
    return metadata;
  }

  private buildMetadata(workspace: WorkspaceRow, latest: MetadataVersionRow): WorkspaceMetadata {
    return {
      workspace,
      version: latest.version,
      entities: latest.entities,
      byName: new Map(latest.entities.map((e) => [e.name, e])),
      // Core, plugin permission sets and the admin's changes, as stored with this version.
      permissions: this.store.permissionsOf(latest),
      compiler: new QueryCompiler(latest.entities, workspace.schemaName, { now: this.clock.sql }),
    };
  }

  async changeMetadata(slug: string, changes: MetadataChange[], options: ChangeOptions): Promise<ChangeResult> {
    // Changes arrive from outside (API JSON, CLI files): their shape is checked, every problem at once.
    checkChanges(changes);
    const workspace = await this.getWorkspace(slug);
    const result = await this.store.change(workspace, changes, options);
    if (result.applied) this.invalidate(slug, result.version);
    return result;
  }

  /** Installs or upgrades a plugin's metadata layer in a workspace (same planner, same transaction rules). */
  async applyPluginLayer(
    slug: string,
    contribution: PluginContribution,
    options: ChangeOptions,
  ): Promise<ChangeResult> {
    const workspace = await this.getWorkspace(slug);
    const result = await this.store.change(
      workspace,
      [],
      { reason: `plugin ${contribution.pluginId}@${contribution.version}`, ...options },
      contribution,
    );
    if (result.applied) this.invalidate(slug, result.version);
    return result;
  }

  /**
   * Takes a plugin's metadata layer out of a workspace (uninstall), through the same planner and transaction:
   * its entities and fields are archived — data kept, restored when the plugin is installed again — so the
   * change is destructive and needs `confirmDestructive`.
   */
  async removePluginLayer(slug: string, pluginId: string, options: ChangeOptions): Promise<ChangeResult> {
    const workspace = await this.getWorkspace(slug);
    const result = await this.store.change(
      workspace,
      [],
      { reason: `plugin ${pluginId} uninstalled`, ...options },
      { pluginId, remove: true },
    );
    if (result.applied) this.invalidate(slug, result.version);
    return result;
  }

  /**
   * Deletes for good the archived tables and columns of a plugin whose layer was removed: `purgeArchive`
   * changes, planned, confirmed (`confirmDestructive`) and recorded as a version.
   */
  async purgePluginArchives(
    slug: string,
    pluginId: string,
    options: Pick<ChangeOptions, 'confirmDestructive' | 'dryRun' | 'channel' | 'tokenId'> & { actor?: string },
  ): Promise<{ purged: string[] }> {
    return this.store.purgePluginArchives(await this.getWorkspace(slug), pluginId, options);
  }

  async history(slug: string): Promise<MetadataVersionRow[]> {
    return this.store.history((await this.getWorkspace(slug)).id);
  }

  async archives(slug: string) {
    return this.store.archives((await this.getWorkspace(slug)).id);
  }

  /** One archive whatever became of it (restored, purged), or null: to say why it cannot be restored. */
  async archive(slug: string, id: number): Promise<ArchiveRow | null> {
    return this.store.archive((await this.getWorkspace(slug)).id, id);
  }

  /** From when an archive is due for purging under the retention setting; null when archives never are. */
  purgeDueFrom(archive: Pick<ArchiveRow, 'archivedAt'>): Date | null {
    if (this.archiveRetentionDays === null) return null;
    return new Date(new Date(archive.archivedAt).getTime() + this.archiveRetentionDays * 86_400_000);
  }

  /** Whether an archive is older than the retention period (listed as due; purging stays an explicit change). */
  purgeDue(archive: Pick<ArchiveRow, 'archivedAt'>): boolean {
    const from = this.purgeDueFrom(archive);
    return from !== null && from.getTime() <= this.clock.now().getTime();
  }

  private invalidate(slug: string, version: number): void {
    this.#generation++;
    this.#cache.delete(slug);
    for (const listener of this.#listeners) listener({ workspace: slug, version });
  }

  /** Called after a workspace's metadata changed (after commit). Returns an unsubscribe function. */
  onMetadataChange(listener: MetadataListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The SQL reads of one request outside the query compiler (the CRM's reports, timeline, search): the
   * workspace's tables only as the scope may see them (see scope.ts). Never `db` directly.
   */
  async reader(scope: RequestScope): Promise<ScopedReader> {
    const metadata = await this.metadata(scope.workspace);
    return new ScopedReader(this.db, metadata, await this.withGrants(scope, metadata));
  }

  /**
   * The grants of an actor in a workspace: a user's (from the cache, read again after a change to users,
   * teams, territories, role assignments or the metadata); undefined for `system`, `cli`, `plugin:<id>` and
   * other actors that act for nobody, which keep full access.
   */
  async grants(workspace: string, actor: string, metadata?: WorkspaceMetadata): Promise<AccessGrants | undefined> {
    if (!isUserActor(actor)) return undefined;
    return this.permissions.grants(metadata ?? (await this.metadata(workspace)), actor);
  }

  /** The scope with its actor's grants filled in (kept when the caller brought them). */
  async withGrants<S extends RequestScope>(scope: S, metadata?: WorkspaceMetadata): Promise<S> {
    const user = scope.onBehalfOf ?? scope.actor;
    if (scope.grants || scope.fullAccess || !isUserActor(user)) return scope;
    const grants = await this.grants(scope.workspace, user, metadata);
    return grants ? { ...scope, grants } : scope;
  }

  /** The record service for one request: every read and write of records goes through it. */
  records(context: RequestContext): RecordService {
    return new RecordService(this, context);
  }

  async close(): Promise<void> {
    await this.revocations.close();
    await this.db.close();
  }
}
