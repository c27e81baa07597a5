// The record service: the single door every read and write of records passes through. It carries the
// request context, validates (every error at once), applies defaults, keeps the audit columns, detects
// concurrent edits, soft-deletes with restore, runs the write hooks and publishes record events.
import type { EntityDefinition, ObjectRight } from '@touchpoint/schema';
import { IssueCollector, isUuid, TouchpointError, validationFailed } from '@touchpoint/schema';
import type { Channel } from '../audit/audit-log.ts';
import {
  auditCreated,
  audited,
  auditedFields,
  auditedInsert,
  auditOldValues,
  auditUpdated,
} from '../audit/record-audit.ts';
import type { Sql } from '../db.ts';
import type { Engine, WorkspaceMetadata } from '../engine.ts';
import type { RecordEvent, RecordEventType } from '../events.ts';
import { qualifiedName } from '../migration/ddl.ts';
import { type AccessGrants, isUserActor } from '../permissions/grants.ts';
import {
  fieldColumns,
  ident,
  JOIN_SOURCE_COLUMN,
  JOIN_TARGET_COLUMN,
  joinTableName,
  qualifiedTable,
} from '../physical.ts';
import { MAX_FIRST } from '../query/context.ts';
import { aggregateRecords, getRecord, listJson, listRecords } from '../query/index.ts';
import type { AggregateRequest, ListRequest, Selection } from '../query/types.ts';
import { type RequestScope, type VisibilityOptions, visibility } from '../scope.ts';
import { mapDatabaseError } from './database-errors.ts';
import { type CheckedValues, checkInput, sameValue, toColumns } from './values.ts';

/** The request scope (workspace, actor, reserved grants) plus what the writes of the request carry. */
export interface RequestContext extends RequestScope {
  /**
   * The writes bring their own history (an import of past records, the demo seed writing deals together with
   * their stage changes): behaviours that derive history from writes leave them alone. Carried on their events
   * as `ownHistory`; says what the writes are, whoever the actor is.
   */
  ownHistory?: boolean;
  /**
   * The chain of effects the originating request set off (plugin hooks and actions, and the writes they
   * make), with its budget. Opaque to the engine, which only carries it into the events of this context's
   * writes, so that effects those events set off (after-hooks) are charged to the same chain.
   */
  effects?: object;
  /** Through what the change came: a browser session (`web`), an API token (`api`), `plugin`, `import`, `workflow`, `cli`, `system`. Recorded in the audit log. */
  channel?: Channel;
  /** The API token the request signed in with, when it did. Recorded in the audit log. */
  tokenId?: string;
}

export interface WriteResult {
  id: string;
  version: number;
}

/**
 * Most records one `createMany` call accepts: the page size a read may return, so whatever a batch
 * created can be read back in one page (the API answers a batch create with the records it made).
 */
export const MAX_BATCH = MAX_FIRST;
/** Bind parameters per statement; PostgreSQL's protocol allows 65535. */
const MAX_PARAMETERS = 30_000;

export class RecordService {
  readonly engine: Engine;
  readonly context: RequestContext;

  constructor(engine: Engine, context: RequestContext) {
    this.engine = engine;
    this.context = context;
  }

  metadata(): Promise<WorkspaceMetadata> {
    return this.engine.metadata(this.context.workspace);
  }

  async entity(name: string): Promise<{ metadata: WorkspaceMetadata; entity: EntityDefinition }> {
    const metadata = await this.metadata();
    const entity = metadata.byName.get(name);
    if (!entity) {
      throw new TouchpointError('NOT_FOUND', `There is no entity "${name}" in workspace "${this.context.workspace}".`, {
        issues: [{ path: 'entity', message: `unknown entity "${name}"`, allowed: [...metadata.byName.keys()] }],
      });
    }
    return { metadata, entity };
  }

  /**
   * The actor's grants: those the context brought, else a user actor's from the engine's cache (read
   * again after a change to users, teams, territories or roles); none for actors acting for nobody.
   */
  async grants(metadata?: WorkspaceMetadata): Promise<AccessGrants | undefined> {
    if (this.context.grants) return this.context.grants;
    const user = this.context.onBehalfOf ?? this.context.actor;
    if (this.context.fullAccess || !isUserActor(user)) return undefined;
    return this.engine.grants(this.context.workspace, user, metadata);
  }

  /**
   * Refuses with FORBIDDEN, naming the entity and the right, unless the actor's roles give `right` on the
   * entity (export, for instance, which no single read or write checks by itself). Actors acting for nobody pass.
   */
  async requireRight(entityName: string, right: ObjectRight): Promise<void> {
    const { entity, metadata } = await this.entity(entityName);
    const grants = await this.grants(metadata);
    if (grants) assertRight(grants, entity, right);
  }

  /** The fields of an entity hidden from the actor (none for actors acting for nobody). */
  async hiddenFields(entityName: string): Promise<string[]> {
    const { metadata } = await this.entity(entityName);
    return (await this.grants(metadata))?.hiddenFields(entityName) ?? [];
  }

  async get(entityName: string, id: string, selection: Selection, options: { includeDeleted?: boolean } = {}) {
    const { metadata } = await this.entity(entityName);
    assertId(id);
    const grants = await this.grants(metadata);
    return getRecord(this.engine.db, metadata.compiler, entityName, id, selection, { ...options, grants });
  }

  async list(request: ListRequest) {
    const { metadata } = await this.entity(request.entity);
    return listRecords(this.engine.db, metadata.compiler, request, await this.grants(metadata));
  }

  /** A page's nodes as JSON text, for an answer that passes them on unread (see `listJson`). */
  async listJson(request: ListRequest): Promise<string> {
    const { metadata } = await this.entity(request.entity);
    return listJson(this.engine.db, metadata.compiler, request, await this.grants(metadata));
  }

  async aggregate(request: AggregateRequest) {
    const { metadata } = await this.entity(request.entity);
    return aggregateRecords(this.engine.db, metadata.compiler, request, await this.grants(metadata));
  }

  /**
   * Compiles the read of one record with `selection` without running it, so a write whose answer asks for
   * something the read would refuse (an unknown field, a nested page over the limit) is refused before it
   * writes anything.
   */
  async checkSelection(entityName: string, selection: Selection): Promise<void> {
    const { metadata } = await this.entity(entityName);
    metadata.compiler.compileGet(entityName, NIL_ID, selection, { grants: await this.grants(metadata) });
  }

  async create(entityName: string, input: unknown): Promise<WriteResult> {
    const [result] = await this.createMany(entityName, [input], 'input');
    return result!;
  }

  /** Creates records in one transaction: all or none. Problems are reported per row (`inputs[3].email`). */
  async createMany(entityName: string, inputs: unknown[], pathPrefix = 'inputs'): Promise<WriteResult[]> {
    const { metadata, entity } = await this.entity(entityName);
    if (inputs.length > MAX_BATCH) {
      const message = `at most ${MAX_BATCH} records can be created at once, got ${inputs.length}; send them in batches of ${MAX_BATCH}`;
      throw new TouchpointError('LIMIT_EXCEEDED', `${pathPrefix}: ${message}. Nothing was created.`, {
        issues: [{ path: pathPrefix, message }],
        details: { argument: pathPrefix, limit: MAX_BATCH, got: inputs.length },
      });
    }
    const path = (i: number) => (pathPrefix === 'input' ? 'input' : `${pathPrefix}[${i}]`);
    const grants = await this.grants(metadata);
    if (grants) {
      assertRight(grants, entity, 'create');
      for (const [i, input] of inputs.entries()) assertFields(grants, entity, input, path(i));
      inputs = inputs.map((input) => withDefaultOwner(grants, metadata, entity, input));
    }
    const issues = new IssueCollector();
    const rows = inputs.map((input, i) => checkInput(entity, input, 'create', issues, path(i)));
    issues.throwIfAny(`The ${entity.name} record(s) could not be created:`);
    for (const [i, values] of rows.entries()) {
      rows[i] = await this.runHook(entity, values, path(i), 'beforeCreate', (v) =>
        this.engine.hooks.beforeCreate({ context: this.context, entity, values: v }),
      );
    }
    await this.checkReferences(metadata, entity, rows, path, {}, grants);
    await this.checkUnique(metadata, entity, rows, path);
    const schema = metadata.workspace.schemaName;
    const results = await this.engine.db
      .transaction(async (tx) => {
        // The audit rows: written by the INSERTs themselves, or after the links when the batch sets some.
        const given = auditedFields(
          entity,
          rows.flatMap((values) => [...values.keys()]),
        );
        const links = given.some((name) => entity.fields.find((f) => f.name === name)?.relation?.kind === 'manyToMany');
        const audit = this.engine.auditRecordWrites && !links;
        const now = this.engine.clock.sql;
        const insert = audit ? auditedInsert(tx, now, metadata.workspace, this.context, entity, given) : tx;
        const created = await this.insertRows(insert, schema, entity, rows);
        await this.linkManyToMany(tx, schema, entity, created, rows);
        const ids = this.engine.auditRecordWrites && links ? created.map((r) => r.id) : [];
        await auditCreated(tx, now, metadata.workspace, this.context, entity, ids, given);
        return created;
      })
      .catch((error) => {
        throw mapDatabaseError(error, entity, pathPrefix);
      });
    await this.publish(
      'record.created',
      entity,
      results.map((r, i) => ({ ...r, changed: [...rows[i]!.keys()] })),
    );
    return results;
  }

  /**
   * Updates a record. With `expectedVersion`, a record changed by someone else since it was read is refused
   * with CONFLICT (and the version it has now), so no edit silently overwrites another.
   */
  async update(entityName: string, id: string, input: unknown, expectedVersion?: number): Promise<WriteResult> {
    const { metadata, entity } = await this.entity(entityName);
    assertId(id);
    const grants = await this.grants(metadata);
    if (grants) {
      assertRight(grants, entity, 'edit');
      assertFields(grants, entity, input, 'input');
      await this.assertEditable(metadata, grants, entity, [id], () => 'id');
    }
    const issues = new IssueCollector();
    const values = checkInput(entity, input, 'update', issues, 'input');
    issues.throwIfAny(`The ${entity.name} record could not be updated:`);
    const hooked = await this.runHook(entity, values, 'input', 'beforeUpdate', (v) =>
      this.engine.hooks.beforeUpdate({ context: this.context, entity, id, values: v }),
    );
    if (hooked !== values) {
      values.clear();
      for (const [k, v] of hooked) values.set(k, v);
    }
    await this.checkReferences(metadata, entity, [values], () => 'input', {}, grants);
    await this.checkUnique(metadata, entity, [values], () => 'input', id);
    const schema = metadata.workspace.schemaName;
    const table = qualifiedTable(schema, entity);
    const { result, changed } = await this.engine.db
      .transaction(async (tx) => {
        const [current] = await tx.query(`select * from ${table} where "id" = $1 for update`, [id]);
        this.assertLive(entity, id, current);
        if (expectedVersion !== undefined && expectedVersion !== null && current!.version !== expectedVersion) {
          throw new TouchpointError(
            'CONFLICT',
            `This ${entity.name} was changed by ${current!.updated_by ?? 'someone'} since you read it (your version ${expectedVersion}, now ${current!.version}). Reload it and apply your change again.`,
            {
              details: {
                currentVersion: current!.version,
                updatedBy: current!.updated_by,
                updatedAt: current!.updated_at,
              },
            },
          );
        }
        const changed = [...values.keys()].filter((name) => {
          const field = entity.fields.find((f) => f.name === name)!;
          return field.relation?.kind === 'manyToMany' || !sameValue(field, current!, values.get(name));
        });
        const audit = this.engine.auditRecordWrites ? auditedFields(entity, changed) : [];
        const oldValues = audit.length > 0 ? await auditOldValues(tx, schema, entity, id, audit) : '{}';
        const columns = toColumns(entity, values);
        const sets = columns.map((c, i) => `${ident(c.column)} = $${i + 3}::${c.cast}`);
        sets.push('"version" = "version" + 1', `"updated_at" = ${this.engine.clock.sql}`, '"updated_by" = $2');
        const [row] = await tx.query<WriteResult>(
          `update ${table} set ${sets.join(', ')} where "id" = $1 returning "id", "version"`,
          [id, this.context.actor, ...columns.map((c) => c.value)],
        );
        await this.writeManyToMany(tx, schema, entity, id, values, true);
        if (audit.length > 0) {
          await auditUpdated(tx, this.engine.clock.sql, metadata.workspace, this.context, entity, id, audit, oldValues);
        }
        return { result: row!, changed };
      })
      .catch((error) => {
        throw mapDatabaseError(error, entity, 'input');
      });
    await this.publish('record.updated', entity, [{ ...result, changed }]);
    return result;
  }

  /**
   * Updates many records at once, set-based: one locking read of them all, then one UPDATE per set of fields
   * written (each row's values unnested beside its id), in one transaction — with the validation, write
   * hooks, audit columns (updatedBy, updatedAt, version) and `record.updated` events of `update`. For the
   * bulk writes of a feature (lead conversion moving touchpoints, history links following their record).
   * Every problem is reported at once by row (`updates[3].values.contact`); nothing is written then.
   * `includeDeleted`: also soft-deleted rows, and references to deleted records, for maintenance that keeps
   * them consistent (a backfill mirroring links onto history rows).
   */
  async updateMany(
    entityName: string,
    updates: readonly { id: string; values: unknown }[],
    options: { includeDeleted?: boolean } = {},
  ): Promise<WriteResult[]> {
    const { metadata, entity } = await this.entity(entityName);
    if (updates.length > MAX_BATCH) {
      const message = `at most ${MAX_BATCH} records can be updated at once, got ${updates.length}; send them in batches of ${MAX_BATCH}`;
      throw new TouchpointError('LIMIT_EXCEEDED', `updates: ${message}. Nothing was updated.`, {
        issues: [{ path: 'updates', message }],
        details: { argument: 'updates', limit: MAX_BATCH, got: updates.length },
      });
    }
    if (updates.length === 0) return [];
    const issues = new IssueCollector();
    const path = (i: number) => `updates[${i}].values`;
    const seen = new Set<string>();
    updates.forEach((u, i) => {
      if (!isUuid(u.id)) issues.add(`updates[${i}].id`, `must be a record id (UUID), got ${JSON.stringify(u.id)}`);
      else if (seen.has(u.id)) issues.add(`updates[${i}].id`, `repeats ${u.id}; each record at most once per call`);
      seen.add(u.id);
    });
    const grants = await this.grants(metadata);
    if (grants && issues.empty) {
      assertRight(grants, entity, 'edit');
      for (const [i, u] of updates.entries()) assertFields(grants, entity, u.values, path(i));
      await this.assertEditable(
        metadata,
        grants,
        entity,
        updates.map((u) => u.id),
        (i) => `updates[${i}].id`,
      );
    }
    const rows = updates.map((u, i) => checkInput(entity, u.values, 'update', issues, path(i)));
    issues.throwIfAny(`The ${entity.name} records could not be updated:`);
    for (const [i, values] of rows.entries()) {
      rows[i] = await this.runHook(entity, values, path(i), 'beforeUpdate', (v) =>
        this.engine.hooks.beforeUpdate({ context: this.context, entity, id: updates[i]!.id, values: v }),
      );
    }
    await this.checkReferences(metadata, entity, rows, path, options, grants);
    for (const [i, values] of rows.entries()) {
      await this.checkUnique(metadata, entity, [values], () => path(i), updates[i]!.id);
    }
    const schema = metadata.workspace.schemaName;
    const table = qualifiedTable(schema, entity);
    const ids = updates.map((u) => u.id);
    const { results, changed } = await this.engine.db
      .transaction(async (tx) => {
        const current = new Map(
          (await tx.query(`select * from ${table} where "id" = any($1::uuid[]) for update`, [ids])).map((r) => [
            r.id as string,
            r,
          ]),
        );
        const missing = new IssueCollector();
        ids.forEach((id, i) => {
          const row = current.get(id);
          if (!row) missing.add(`updates[${i}].id`, `no ${entity.name} has this id`);
          else if (row.deleted_at !== null && !options.includeDeleted) {
            missing.add(`updates[${i}].id`, `the ${entity.name} is deleted; restore it first`);
          }
        });
        if (!missing.empty) {
          throw new TouchpointError('NOT_FOUND', `Some ${entity.name} records to update do not exist or are deleted.`, {
            issues: missing.issues,
          });
        }
        const changed = rows.map((values, i) =>
          [...values.keys()].filter((name) => {
            const field = entity.fields.find((f) => f.name === name)!;
            return field.relation?.kind === 'manyToMany' || !sameValue(field, current.get(ids[i]!)!, values.get(name));
          }),
        );
        // The audit rows, as `update` writes them: only the fields whose stored value changes, old values read
        // before the UPDATE and new ones after, in the same transaction.
        const audit = changed.map((names) => (this.engine.auditRecordWrites ? auditedFields(entity, names) : []));
        const oldValues: string[] = [];
        for (const [i, fields] of audit.entries()) {
          oldValues.push(fields.length > 0 ? await auditOldValues(tx, schema, entity, ids[i]!, fields) : '{}');
        }
        // Rows that write the same columns share one statement: their values travel as one array per column.
        const groups = new Map<string, { columns: { column: string; cast: string }[]; rows: number[] }>();
        const columnsOf = rows.map((values) => toColumns(entity, values));
        columnsOf.forEach((columns, i) => {
          const key = columns.map((c) => `${c.column}:${c.cast}`).join(',');
          const group = groups.get(key) ?? { columns: columns.map(({ column, cast }) => ({ column, cast })), rows: [] };
          group.rows.push(i);
          groups.set(key, group);
        });
        const written = new Map<string, WriteResult>();
        for (const group of groups.values()) {
          const params: unknown[] = [this.context.actor, group.rows.map((i) => ids[i])];
          // unnest flattens an array of arrays, so a column that is itself an array (a multi-select) travels
          // as one JSON text per row and is turned back into its array type in SET.
          const arrays = group.columns.map((c, k) => {
            const nested = c.cast.endsWith('[]');
            const values = group.rows.map((i) => columnsOf[i]![k]!.value);
            params.push(nested ? values.map((v) => (v === null ? null : JSON.stringify(v))) : values);
            return `$${params.length}::${nested ? 'text' : c.cast}[]`;
          });
          const sets = group.columns.map((c, k) =>
            c.cast.endsWith('[]')
              ? `${ident(c.column)} = case when v.c${k} is null then null else array(select e::${c.cast.slice(0, -2)} from jsonb_array_elements_text(v.c${k}::jsonb) e) end`
              : `${ident(c.column)} = v.c${k}`,
          );
          sets.push('"version" = t."version" + 1', `"updated_at" = ${this.engine.clock.sql}`, '"updated_by" = $1');
          const names = ['id', ...group.columns.map((_, k) => `c${k}`)].join(', ');
          const updated = await tx.query<WriteResult>(
            `update ${table} t set ${sets.join(', ')} from unnest($2::uuid[]${arrays.map((a) => `, ${a}`).join('')}) as v(${names}) where t."id" = v.id returning t."id", t."version"`,
            params,
          );
          for (const row of updated) written.set(row.id, row);
        }
        for (const [i, values] of rows.entries()) await this.writeManyToMany(tx, schema, entity, ids[i]!, values, true);
        for (const [i, fields] of audit.entries()) {
          if (fields.length === 0) continue;
          await auditUpdated(
            tx,
            this.engine.clock.sql,
            metadata.workspace,
            this.context,
            entity,
            ids[i]!,
            fields,
            oldValues[i]!,
          );
        }
        return { results: ids.map((id) => written.get(id)!), changed };
      })
      .catch((error) => {
        throw mapDatabaseError(error, entity, 'updates');
      });
    await this.publish(
      'record.updated',
      entity,
      results.map((r, i) => ({ ...r, changed: changed[i]! })),
    );
    return results;
  }

  /** Soft-deletes: the record disappears from reads and can be restored with its data. */
  async delete(entityName: string, id: string): Promise<WriteResult> {
    const { metadata, entity } = await this.entity(entityName);
    assertId(id);
    const grants = await this.grants(metadata);
    if (grants) {
      assertRight(grants, entity, 'delete');
      await this.assertEditable(metadata, grants, entity, [id], () => 'id');
    }
    await this.engine.hooks.beforeDelete({ context: this.context, entity, id });
    const table = qualifiedTable(metadata.workspace.schemaName, entity);
    const [row] = await this.audited(metadata, entity, 'record.deleted').query<WriteResult>(
      `update ${table} set "deleted_at" = ${this.engine.clock.sql}, "version" = "version" + 1, "updated_at" = ${this.engine.clock.sql}, "updated_by" = $2 where "id" = $1 and "deleted_at" is null returning "id", "version"`,
      [id, this.context.actor],
    );
    if (!row)
      throw new TouchpointError('NOT_FOUND', `There is no ${entity.name} with id ${id} (or it is already deleted).`, {
        issues: [{ path: 'id', message: `no live ${entity.name} has this id` }],
      });
    await this.publish('record.deleted', entity, [{ ...row, changed: [] }]);
    return row;
  }

  async restore(entityName: string, id: string): Promise<WriteResult> {
    const { metadata, entity } = await this.entity(entityName);
    assertId(id);
    const grants = await this.grants(metadata);
    if (grants) {
      assertRight(grants, entity, 'restore');
      await this.assertEditable(metadata, grants, entity, [id], () => 'id');
    }
    const table = qualifiedTable(metadata.workspace.schemaName, entity);
    const [row] = await this.audited(metadata, entity, 'record.restored')
      .query<WriteResult>(
        `update ${table} set "deleted_at" = null, "version" = "version" + 1, "updated_at" = ${this.engine.clock.sql}, "updated_by" = $2 where "id" = $1 and "deleted_at" is not null returning "id", "version"`,
        [id, this.context.actor],
      )
      .catch((error) => {
        throw mapDatabaseError(error, entity, 'restore');
      });
    if (!row) {
      throw new TouchpointError('NOT_FOUND', `There is no deleted ${entity.name} with id ${id} to restore.`, {
        issues: [{ path: 'id', message: `no deleted ${entity.name} has this id` }],
      });
    }
    await this.publish('record.restored', entity, [{ ...row, changed: [] }]);
    return row;
  }

  /** The database, with each statement also appending one audit row per record it returns. */
  private audited(metadata: WorkspaceMetadata, entity: EntityDefinition, action: string): Sql {
    if (!this.engine.auditRecordWrites) return this.engine.db;
    return audited(this.engine.db, this.engine.clock.sql, metadata.workspace.id, this.context, entity, action);
  }

  /** Lets the hooks see and change the values, then checks what they return as strictly as user input. */
  /**
   * Runs the write hooks on checked values. What a hook sets or changes is checked again like user input;
   * what it leaves alone was checked already and is not (objects and lists always are: a hook may have
   * changed them in place). Without hooks of this kind nothing can change, so nothing is checked twice.
   */
  private async runHook(
    entity: EntityDefinition,
    values: CheckedValues,
    path: string,
    kind: 'beforeCreate' | 'beforeUpdate',
    hook: (values: Record<string, unknown>) => Promise<void>,
  ): Promise<CheckedValues> {
    if (!this.engine.hooks.has(kind)) return values;
    const object = Object.fromEntries(values);
    try {
      await hook(object);
    } catch (error) {
      throw prefixIssues(error, path);
    }
    const untouched = (name: string, value: unknown) =>
      values.has(name) && Object.is(values.get(name), value) && (value === null || typeof value !== 'object');
    const changed = Object.fromEntries(Object.entries(object).filter(([name, value]) => !untouched(name, value)));
    const issues = new IssueCollector();
    const rechecked = checkInput(entity, changed, 'update', issues, path);
    issues.throwIfAny(`A hook produced values that are not valid for ${entity.name}:`);
    const result: CheckedValues = new Map();
    for (const [name, value] of Object.entries(object)) {
      if (name in changed) {
        if (rechecked.has(name)) result.set(name, rechecked.get(name));
      } else result.set(name, value);
    }
    return result;
  }

  /**
   * Record access of a write: every record must be one the user may read (else NOT_FOUND, as if it did not
   * exist: no write reveals a record the reads hide) and may edit (else FORBIDDEN naming the record).
   * Deleted rows count too (restore); whether a write may touch them is decided after.
   */
  private async assertEditable(
    metadata: WorkspaceMetadata,
    grants: AccessGrants,
    entity: EntityDefinition,
    ids: readonly string[],
    path: (i: number) => string,
  ): Promise<void> {
    const read = grants.read(entity.name, 't');
    const edit = grants.edit(entity.name, 't');
    if (read === undefined && edit === undefined) return;
    const rows = await this.engine.db.query<{ id: string; editable: boolean }>(
      `select t."id"::text as id, ${edit ?? 'true'} as editable from ${qualifiedTable(metadata.workspace.schemaName, entity)} t where t."id" = any($1::uuid[])${read ? ` and ${read}` : ''}`,
      [ids],
    );
    const found = new Map(rows.map((r) => [r.id, r.editable]));
    const missing = new IssueCollector();
    const refused = new IssueCollector();
    ids.forEach((id, i) => {
      const editable = found.get(id);
      if (editable === undefined) missing.add(path(i), `no ${entity.name} has this id`);
      else if (!editable) refused.add(path(i), `you may read this ${entity.name} but not change it`);
    });
    if (!missing.empty) {
      throw new TouchpointError(
        'NOT_FOUND',
        ids.length === 1
          ? `There is no ${entity.name} with id ${ids[0]}.`
          : `Some ${entity.name} records do not exist.`,
        { issues: missing.issues },
      );
    }
    if (!refused.empty) {
      const first = ids.find((id) => found.get(id) === false)!;
      throw new TouchpointError(
        'FORBIDDEN',
        `You may not change the ${entity.name} ${first}: it is not yours, your team's or shared with you for editing.`,
        { issues: refused.issues, details: { entity: entity.name, record: first } },
      );
    }
  }

  private assertLive(entity: EntityDefinition, id: string, row: Record<string, unknown> | undefined): void {
    if (!row) {
      throw new TouchpointError('NOT_FOUND', `There is no ${entity.name} with id ${id}.`, {
        issues: [{ path: 'id', message: `no ${entity.name} has this id` }],
      });
    }
    if (row.deleted_at !== null) {
      throw new TouchpointError('NOT_FOUND', `The ${entity.name} ${id} is deleted; restore it before changing it.`, {
        issues: [{ path: 'id', message: `the ${entity.name} is deleted; restore it first` }],
      });
    }
  }

  /** Every referenced record must exist and be live: one query per relation field, whatever the row count. */
  private async checkReferences(
    metadata: WorkspaceMetadata,
    entity: EntityDefinition,
    rows: CheckedValues[],
    path: (i: number) => string,
    options?: VisibilityOptions,
    grants?: AccessGrants,
  ): Promise<void> {
    const issues = new IssueCollector();
    for (const field of entity.fields) {
      if (field.type !== 'relation' || !field.relation) continue;
      const target = metadata.byName.get(field.relation.target);
      if (!target) continue;
      const wanted = new Set<string>();
      for (const values of rows) {
        const value = values.get(field.name);
        if (Array.isArray(value)) for (const v of value) wanted.add(v as string);
        else if (typeof value === 'string') wanted.add(value);
      }
      if (wanted.size === 0) continue;
      const found = await this.engine.db.query<{ id: string }>(
        `select t."id" from ${qualifiedTable(metadata.workspace.schemaName, target)} t where t."id" = any($1::uuid[]) and ${visibility(target, 't', options, grants)}`,
        [[...wanted]],
      );
      const existing = new Set(found.map((r) => r.id));
      rows.forEach((values, i) => {
        const value = values.get(field.name);
        const ids = Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
        for (const missing of ids.filter((v) => !existing.has(v))) {
          issues.add(`${path(i)}.${field.name}`, `there is no ${target.name} with id ${missing}`);
        }
      });
    }
    issues.throwIfAny(`The ${entity.name} record(s) refer to records that do not exist:`);
  }

  /** Unique fields: clashes within the batch and with live records, reported per row before writing. */
  private async checkUnique(
    metadata: WorkspaceMetadata,
    entity: EntityDefinition,
    rows: CheckedValues[],
    path: (i: number) => string,
    exceptId?: string,
  ): Promise<void> {
    const issues = new IssueCollector();
    for (const field of entity.fields) {
      const column = fieldColumns(field)[0];
      if (!field.unique || !column || fieldColumns(field).length !== 1) continue;
      const seen = new Map<string, number>();
      rows.forEach((values, i) => {
        const value = values.get(field.name);
        if (value === null || value === undefined) return;
        const key = String(value);
        if (seen.has(key))
          issues.add(
            `${path(i)}.${field.name}`,
            `repeats the value of row ${seen.get(key)} ("${key}"); it must be unique`,
          );
        else seen.set(key, i);
      });
      if (seen.size === 0) continue;
      const clashes = await this.engine.db.query<{ v: string }>(
        `select t.${ident(column.name)}::text as v from ${qualifiedTable(metadata.workspace.schemaName, entity)} t where t.${ident(column.name)}::text = any($1::text[]) and ${visibility(entity, 't')}${exceptId ? ' and t."id" <> $2' : ''}`,
        exceptId ? [[...seen.keys()], exceptId] : [[...seen.keys()]],
      );
      for (const clash of clashes) {
        issues.add(
          `${path(seen.get(clash.v) ?? 0)}.${field.name}`,
          `another ${entity.name} already has "${clash.v}"; it must be unique`,
        );
      }
    }
    issues.throwIfAny(`The ${entity.name} record(s) break a uniqueness rule:`);
  }

  /**
   * Inserts rows with multi-row INSERTs (one statement per few thousand values, not one per record).
   * Columns a row does not set take their DEFAULT, so autonumbers number every row.
   */
  private async insertRows(
    tx: Sql,
    schema: string,
    entity: EntityDefinition,
    rows: CheckedValues[],
  ): Promise<WriteResult[]> {
    const perRow = rows.map((values) => new Map(toColumns(entity, values).map((c) => [c.column, c])));
    const columns = new Map<string, string>();
    for (const row of perRow) for (const [name, c] of row) columns.set(name, c.cast);
    const names = [...columns.keys()];
    const rowsPerStatement = Math.max(1, Math.floor(MAX_PARAMETERS / (names.length + 2)));
    const created: WriteResult[] = [];
    const now = this.engine.clock.sql;
    for (let start = 0; start < perRow.length; start += rowsPerStatement) {
      const params: unknown[] = [];
      const tuples = perRow.slice(start, start + rowsPerStatement).map((row) => {
        const cells = names.map((name) => {
          const column = row.get(name);
          if (!column) return 'default';
          params.push(column.value);
          return `$${params.length}::${column.cast}`;
        });
        params.push(this.context.actor);
        cells.push(`$${params.length}`, `$${params.length}`, now, now);
        return `(${cells.join(', ')})`;
      });
      const inserted = await tx.query<WriteResult>(
        `insert into ${qualifiedTable(schema, entity)} (${[...names.map(ident), '"created_by"', '"updated_by"', '"created_at"', '"updated_at"'].join(', ')}) values ${tuples.join(', ')} returning "id", "version"`,
        params,
      );
      created.push(...inserted);
    }
    return created;
  }

  /** Many-to-many links of newly created records: one statement per relation field. */
  private async linkManyToMany(
    tx: Sql,
    schema: string,
    entity: EntityDefinition,
    created: WriteResult[],
    rows: CheckedValues[],
  ): Promise<void> {
    for (const field of entity.fields) {
      if (field.relation?.kind !== 'manyToMany') continue;
      const sources: string[] = [];
      const targets: string[] = [];
      rows.forEach((values, i) => {
        for (const target of (values.get(field.name) as string[] | undefined) ?? []) {
          sources.push(created[i]!.id);
          targets.push(target);
        }
      });
      if (sources.length === 0) continue;
      await tx.query(
        `insert into ${qualifiedName(schema, joinTableName(entity, field))} (${ident(JOIN_SOURCE_COLUMN)}, ${ident(JOIN_TARGET_COLUMN)}) select unnest($1::uuid[]), unnest($2::uuid[]) on conflict do nothing`,
        [sources, targets],
      );
    }
  }

  private async writeManyToMany(
    tx: Sql,
    schema: string,
    entity: EntityDefinition,
    id: string,
    values: CheckedValues,
    replace = false,
  ): Promise<void> {
    for (const field of entity.fields) {
      if (field.relation?.kind !== 'manyToMany' || !values.has(field.name)) continue;
      const join = qualifiedName(schema, joinTableName(entity, field));
      if (replace) await tx.query(`delete from ${join} where ${ident(JOIN_SOURCE_COLUMN)} = $1`, [id]);
      const targets = values.get(field.name) as string[];
      if (targets.length === 0) continue;
      await tx.query(
        `insert into ${join} (${ident(JOIN_SOURCE_COLUMN)}, ${ident(JOIN_TARGET_COLUMN)}) select $1, unnest($2::uuid[]) on conflict do nothing`,
        [id, targets],
      );
    }
  }

  private async publish(
    type: RecordEventType,
    entity: EntityDefinition,
    records: { id: string; version: number; changed: string[] }[],
  ): Promise<void> {
    const at = this.engine.clock.now().toISOString();
    const events: RecordEvent[] = records.map((r) => ({
      type,
      workspace: this.context.workspace,
      entity: entity.name,
      id: r.id,
      actor: this.context.actor,
      version: r.version,
      changed: r.changed,
      at,
      ...(this.context.ownHistory ? { ownHistory: true } : {}),
      ...(this.context.effects ? { effects: this.context.effects } : {}),
    }));
    await this.engine.events.publish(events);
  }
}

/** FORBIDDEN naming the entity and the right when the user's roles do not give it. */
function assertRight(grants: AccessGrants, entity: EntityDefinition, right: ObjectRight): void {
  if (grants.can(entity.name, right)) return;
  const verb = { create: 'create', edit: 'change', delete: 'delete', restore: 'restore' }[right as string] ?? right;
  throw new TouchpointError('FORBIDDEN', `You may not ${verb} ${entity.name} records.`, {
    details: { entity: entity.name, right },
    issues: [
      {
        path: 'entity',
        message: `your roles (${grants.roles.join(', ') || 'none'}) do not give ${right} on ${entity.name}`,
      },
    ],
  });
}

/** FORBIDDEN naming every field of the input the user may not set (read-only or hidden for them). */
function assertFields(grants: AccessGrants, entity: EntityDefinition, input: unknown, path: string): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
  const refused = Object.keys(input).filter((name) => grants.field(entity.name, name) !== 'editable');
  if (refused.length === 0) return;
  throw new TouchpointError(
    'FORBIDDEN',
    `You may not set ${refused.map((f) => `${entity.name}.${f}`).join(', ')}: ${refused.length === 1 ? 'it is' : 'they are'} read-only for you.`,
    {
      details: { entity: entity.name, fields: refused },
      issues: refused.map((f) => ({
        path: `${path}.${f}`,
        message: grants.field(entity.name, f) === 'hidden' ? 'is not a field you may see' : 'is read-only for you',
      })),
    },
  );
}

/**
 * A user who may not edit every record creates theirs with themselves as the owner when the input names
 * none, so what they create is theirs to see (Salesforce does the same).
 */
function withDefaultOwner(
  grants: AccessGrants,
  metadata: WorkspaceMetadata,
  entity: EntityDefinition,
  input: unknown,
): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  if (grants.can(entity.name, 'modifyAll')) return input;
  const name = metadata.permissions.sharing.entities[entity.name]?.ownerField ?? 'owner';
  const field = entity.fields.find((f) => f.name === name);
  if (field?.relation?.kind !== 'manyToOne' || field.relation.target !== 'user' || name in input) return input;
  return { ...input, [name]: grants.actor };
}

/** A well-formed id no record has, for compiling a read that is not run. */
const NIL_ID = '00000000-0000-0000-0000-000000000000';

function assertId(id: string): void {
  if (!isUuid(id)) {
    throw validationFailed('The record id is not valid:', [
      { path: 'id', message: `must be a record id (UUID), got ${JSON.stringify(id)}` },
    ]);
  }
}

function prefixIssues(error: unknown, path: string): unknown {
  if (!(error instanceof TouchpointError) || error.issues.length === 0) return error;
  return validationFailed(
    error.message.split('\n')[0] ?? error.message,
    error.issues.map((i) => ({ ...i, path: i.path.startsWith(path) ? i.path : `${path}.${i.path}` })),
  );
}
