// The migration planner: compares the metadata the live tables were built from with the new effective
// metadata and says, step by step and in words, what will happen to the database — safe or destructive.
// Destructive steps never destroy: dropped fields and entities are renamed aside (archived) so a restore
// brings them back with their data, and a narrowing type change keeps a copy of the old values.
import type { EntityDefinition, FieldDefinition, Issue } from '@touchpoint/schema';
import { fieldType } from '@touchpoint/schema';
import type { Sql } from '../db.ts';
import { fieldColumns, ident, joinTableName, qualifiedTable, tableName } from '../physical.ts';
import type { ArchiveRow } from '../system-entities.ts';
import type { TextSearchSupport } from '../text-search.ts';
import {
  addAutonumberToExisting,
  addColumns,
  createTable,
  createUniqueIndex,
  qualifiedName,
  relationDdl,
} from './ddl.ts';
import { planDerivedIndexes } from './derived-indexes.ts';
import { countInvalid, type PlanContext, planIndexChanges, planRuleChanges, planSortIndex } from './plan-rules.ts';
import { planPurges } from './purge.ts';
import { describeStep, fieldParams, type StepCode, type StepParams } from './step-text.ts';

export type StepKind =
  | 'createTable'
  | 'renameTable'
  | 'archiveTable'
  | 'restoreTable'
  | 'addField'
  | 'renameField'
  | 'archiveField'
  | 'restoreField'
  | 'changeType'
  | 'addRelation'
  | 'addUnique'
  | 'dropUnique'
  | 'addIndex'
  | 'dropIndex'
  | 'tightenRule'
  | 'purgeArchive'
  | 'metadataOnly';

export interface SqlStatement {
  text: string;
  params?: unknown[];
}

export interface MigrationStep {
  kind: StepKind;
  destructive: boolean;
  /** What the step does, as data: a client words it in its user's language (`step-text.ts`). */
  code: StepCode;
  params: StepParams;
  /** One sentence an admin understands, in English, made from `code` and `params`. */
  description: string;
  entity: string;
  field?: string;
  sql: SqlStatement[];
  /** An archive this step creates (recorded in the same transaction). */
  archive?: Omit<
    ArchiveRow,
    'id' | 'workspaceId' | 'version' | 'archivedAt' | 'restoredAt' | 'purgedAt' | 'purgedVersion'
  >;
  /** An archive this step brings back. */
  restoresArchive?: number;
  /** Archives whose data this step deletes for good (an entity's takes its fields' archives with it). */
  purgesArchives?: number[];
}

export interface MigrationPlan {
  steps: MigrationStep[];
  destructive: boolean;
  /** Problems that stop the change whatever the confirmation, e.g. duplicates under a new unique rule. */
  blocking: Issue[];
}

export interface PlanInput {
  from: EntityDefinition[];
  to: EntityDefinition[];
  schema: string;
  /** The version the plan will create; archived names carry it. */
  version: number;
  /** Archives not yet restored, so a field or entity that comes back is renamed back, not re-created. */
  archives: ArchiveRow[];
  /** Reads the live data to tell how many records a step affects; absent for a new workspace. */
  inspect?: Sql;
  /** What the database offers substring indexes; without it they are left out (kept where they exist). */
  textSearch?: TextSearchSupport;
  /** Archives (among `archives`) whose data `purgeArchive` changes delete; planned last. */
  purges?: ArchiveRow[];
}

/** A step as the planners give it; its English sentence is made from its code and parameters. */
export type StepInput = Omit<MigrationStep, 'description'>;

const key = (x: { id?: string; name: string }) => x.id ?? x.name;

function archivedName(version: number, name: string): string {
  return `_archived_v${version}_${name}`.slice(0, 63);
}

function columnsSignature(field: FieldDefinition): string {
  return fieldColumns(field)
    .map((c) => `${c.suffix}:${c.sqlType}`)
    .join(',');
}

function isWidening(from: FieldDefinition, to: FieldDefinition): boolean {
  return from.type === to.type || fieldType(from).widensTo.includes(to.type);
}

function relationChanged(from: FieldDefinition, to: FieldDefinition): boolean {
  return (
    from.type === 'relation' &&
    to.type === 'relation' &&
    (from.relation?.target !== to.relation?.target || from.relation?.kind !== to.relation?.kind)
  );
}

async function count(inspect: Sql | undefined, text: string, params: unknown[] = []): Promise<number> {
  if (!inspect) return 0;
  const rows = await inspect.query<{ n: number }>(text, params);
  return rows[0]?.n ?? 0;
}

class Planner implements PlanContext {
  readonly steps: MigrationStep[] = [];
  readonly blocking: Issue[] = [];
  readonly input: PlanInput;
  readonly fromById: Map<string, EntityDefinition>;
  readonly toById: Map<string, EntityDefinition>;

  constructor(input: PlanInput) {
    this.input = input;
    this.fromById = new Map(input.from.map((e) => [key(e), e]));
    this.toById = new Map(input.to.map((e) => [key(e), e]));
  }

  step(step: StepInput): void {
    this.steps.push({ ...step, description: describeStep(step) });
  }

  entityByName(name: string): EntityDefinition | undefined {
    return this.input.to.find((e) => e.name === name);
  }

  async plan(): Promise<MigrationPlan> {
    const { to } = this.input;
    const created: EntityDefinition[] = [];
    // A restored table comes back as it was archived: later steps compare with that, not with nothing.
    const restored = new Map<string, EntityDefinition>();
    for (const entity of to) {
      const before = this.fromById.get(key(entity));
      if (!before) {
        const archive = this.input.archives.find((a) => a.kind === 'entity' && a.entityId === key(entity));
        if (archive) {
          this.restoreEntity(entity, archive);
          restored.set(key(entity), { ...(archive.definition as EntityDefinition), name: entity.name });
        } else {
          this.createEntity(entity);
          created.push(entity);
        }
      } else if (before.name !== entity.name) {
        this.renameEntity(before, entity);
      }
    }
    for (const entity of to) {
      const before = this.fromById.get(key(entity));
      const archived = restored.get(key(entity));
      if (before) await this.diffFields(before, entity);
      // Its table still has the archived name while planning, so its rows are not counted.
      else if (archived) await this.withoutInspection(() => this.diffFields(archived, entity));
    }
    // Relations of new entities last: their targets may be created in this same plan.
    for (const entity of created) {
      for (const field of entity.fields) if (field.type === 'relation') this.addRelation(entity, field);
    }
    for (const entity of to) {
      const before = this.fromById.get(key(entity)) ?? restored.get(key(entity));
      planIndexChanges(this, before, entity);
      planSortIndex(this, before, entity);
    }
    await planDerivedIndexes(this);
    for (const entity of this.input.from) {
      if (!this.toById.has(key(entity))) await this.archiveEntity(entity);
    }
    await planPurges(this, this.input.purges ?? []);
    return { steps: this.steps, destructive: this.steps.some((s) => s.destructive), blocking: this.blocking };
  }

  async withoutInspection(fn: () => Promise<void>): Promise<void> {
    const inspect = this.input.inspect;
    this.input.inspect = undefined;
    try {
      await fn();
    } finally {
      this.input.inspect = inspect;
    }
  }

  createEntity(entity: EntityDefinition): void {
    const { schema } = this.input;
    const sql = createTable(entity, schema).map((text) => ({ text }));
    for (const field of entity.fields) if (field.unique) sql.push({ text: createUniqueIndex(entity, field, schema) });
    this.step({
      kind: 'createTable',
      destructive: false,
      entity: entity.name,
      code: 'createTable',
      params: { ...fieldParams(entity), fieldCount: entity.fields.length },
      sql,
    });
  }

  renameEntity(before: EntityDefinition, after: EntityDefinition): void {
    const { schema } = this.input;
    const sql = [{ text: `alter table ${qualifiedTable(schema, before)} rename to ${ident(tableName(after))}` }];
    for (const field of after.fields) {
      if (field.relation?.kind !== 'manyToMany') continue;
      sql.push({
        text: `alter table ${qualifiedName(schema, joinTableName(before, field))} rename to ${ident(joinTableName(after, field))}`,
      });
    }
    this.step({
      kind: 'renameTable',
      destructive: false,
      entity: after.name,
      code: 'renameTable',
      params: { ...fieldParams(after), from: before.name },
      sql,
    });
  }

  restoreEntity(entity: EntityDefinition, archive: ArchiveRow): void {
    const { schema } = this.input;
    this.step({
      kind: 'restoreTable',
      destructive: false,
      entity: entity.name,
      code: 'restoreTable',
      params: fieldParams(entity),
      sql: [
        { text: `alter table ${qualifiedName(schema, archive.physical.table!)} rename to ${ident(tableName(entity))}` },
      ],
      restoresArchive: archive.id,
    });
  }

  async archiveEntity(entity: EntityDefinition): Promise<void> {
    const { schema, version, inspect } = this.input;
    const archived = archivedName(version, tableName(entity));
    const rows = await count(inspect, `select count(*)::int as n from ${qualifiedTable(schema, entity)}`);
    this.step({
      kind: 'archiveTable',
      destructive: true,
      entity: entity.name,
      code: 'archiveTable',
      params: { ...fieldParams(entity), count: rows, archivedAs: archived },
      sql: [{ text: `alter table ${qualifiedTable(schema, entity)} rename to ${ident(archived)}` }],
      archive: {
        kind: 'entity',
        entityId: key(entity),
        fieldId: null,
        physical: { table: archived },
        definition: entity,
      },
    });
  }

  async diffFields(before: EntityDefinition, after: EntityDefinition): Promise<void> {
    const oldFields = new Map(before.fields.map((f) => [key(f), f]));
    const newIds = new Set(after.fields.map(key));
    for (const field of after.fields) {
      const old = oldFields.get(key(field));
      if (!old) {
        const archive = this.input.archives.find((a) => a.kind === 'field' && a.fieldId === key(field));
        if (archive) this.restoreField(after, field, archive);
        else await this.addField(after, field);
        continue;
      }
      if (old.name !== field.name) this.renameField(after, old, field);
      await this.changeField(after, old, field);
    }
    for (const field of before.fields) {
      if (!newIds.has(key(field))) await this.archiveField(after, field);
    }
  }

  async addField(entity: EntityDefinition, field: FieldDefinition): Promise<void> {
    const { schema, inspect } = this.input;
    const sql = addColumns(entity, field, schema).map((text) => ({ text }) as SqlStatement);
    const table = qualifiedTable(schema, entity);
    const rows = await count(inspect, `select count(*)::int as n from ${table}`);
    if (field.type === 'autonumber' && rows > 0) {
      sql.splice(0, sql.length, ...addAutonumberToExisting(entity, field, schema).map((text) => ({ text })));
    }
    let destructive = false;
    let code: StepCode = 'addField';
    if (field.default !== undefined && field.default !== null && rows > 0 && fieldColumns(field).length === 1) {
      sql.push({
        text: `update ${table} set ${ident(fieldColumns(field)[0]!.name)} = $1`,
        params: [this.storable(field, field.default)],
      });
      code = 'addFieldWithDefault';
    } else if (field.required && rows > 0 && field.type !== 'autonumber') {
      destructive = true;
      code = 'addRequiredFieldToFilledTable';
    }
    if (field.unique) sql.push({ text: createUniqueIndex(entity, field, schema) });
    this.step({
      kind: 'addField',
      destructive,
      entity: entity.name,
      field: field.name,
      code,
      params: { ...fieldParams(entity, field), type: field.type, ...(destructive ? { count: rows } : {}) },
      sql,
    });
    if (field.type === 'relation') this.addRelation(entity, field);
  }

  storable(field: FieldDefinition, value: unknown): unknown {
    if (field.type === 'multiSelect' || field.type === 'json') return JSON.stringify(value);
    return value;
  }

  addRelation(entity: EntityDefinition, field: FieldDefinition): void {
    const target = this.entityByName(field.relation!.target);
    if (!target) return; // validation reports the missing target
    this.step({
      kind: 'addRelation',
      destructive: false,
      entity: entity.name,
      field: field.name,
      code: field.relation!.kind === 'manyToMany' ? 'linkManyToMany' : 'addReference',
      params: { ...fieldParams(entity, field), target: target.name, targetLabels: target.labels },
      sql: relationDdl(entity, field, target, this.input.schema).map((text) => ({ text })),
    });
  }

  renameField(entity: EntityDefinition, old: FieldDefinition, field: FieldDefinition): void {
    const { schema } = this.input;
    const table = qualifiedTable(schema, entity);
    const sql: SqlStatement[] = [];
    if (old.relation?.kind === 'manyToMany') {
      sql.push({
        text: `alter table ${qualifiedName(schema, joinTableName(entity, old))} rename to ${ident(joinTableName(entity, field))}`,
      });
    }
    const oldColumns = fieldColumns(old);
    const newColumns = fieldColumns({ ...old, name: field.name });
    oldColumns.forEach((c, i) => {
      sql.push({ text: `alter table ${table} rename column ${ident(c.name)} to ${ident(newColumns[i]!.name)}` });
    });
    this.step({
      kind: 'renameField',
      destructive: false,
      entity: entity.name,
      field: field.name,
      code: 'renameField',
      params: { ...fieldParams(entity, field), from: old.name },
      sql,
    });
  }

  restoreField(entity: EntityDefinition, field: FieldDefinition, archive: ArchiveRow): void {
    const { schema } = this.input;
    const table = qualifiedTable(schema, entity);
    const sql: SqlStatement[] = [];
    if (archive.physical.joinTable) {
      sql.push({
        text: `alter table ${qualifiedName(schema, archive.physical.joinTable)} rename to ${ident(joinTableName(entity, field))}`,
      });
    }
    for (const column of fieldColumns(field)) {
      const archived = archive.physical.columns?.[column.suffix];
      if (archived)
        sql.push({ text: `alter table ${table} rename column ${ident(archived)} to ${ident(column.name)}` });
    }
    this.step({
      kind: 'restoreField',
      destructive: false,
      entity: entity.name,
      field: field.name,
      code: 'restoreField',
      params: fieldParams(entity, field),
      sql,
      restoresArchive: archive.id,
    });
  }

  async archiveField(entity: EntityDefinition, field: FieldDefinition): Promise<void> {
    const { schema, version, inspect } = this.input;
    const table = qualifiedTable(schema, entity);
    const sql: SqlStatement[] = [];
    const columns: Record<string, string> = {};
    for (const column of fieldColumns(field)) {
      columns[column.suffix] = archivedName(version, column.name);
      sql.push({
        text: `alter table ${table} rename column ${ident(column.name)} to ${ident(columns[column.suffix]!)}`,
      });
    }
    let joinTable: string | undefined;
    if (field.relation?.kind === 'manyToMany') {
      joinTable = archivedName(version, joinTableName(entity, field));
      sql.push({
        text: `alter table ${qualifiedName(schema, joinTableName(entity, field))} rename to ${ident(joinTable)}`,
      });
    }
    const first = fieldColumns(field)[0];
    const filled = first
      ? await count(inspect, `select count(*)::int as n from ${table} where ${ident(first.name)} is not null`)
      : 0;
    this.step({
      kind: 'archiveField',
      destructive: sql.length > 0,
      entity: entity.name,
      field: field.name,
      code: sql.length === 0 ? 'removeFieldStoringNothing' : 'archiveField',
      params: { ...fieldParams(entity, field), ...(sql.length === 0 ? {} : { count: filled }) },
      sql,
      archive:
        sql.length > 0
          ? {
              kind: 'field',
              entityId: key(entity),
              fieldId: key(field),
              physical: { columns, joinTable },
              definition: field,
            }
          : undefined,
    });
  }

  async changeField(entity: EntityDefinition, old: FieldDefinition, field: FieldDefinition): Promise<void> {
    const { schema, version } = this.input;
    const table = qualifiedTable(schema, entity);
    const typeChange = { ...fieldParams(entity, field), fromType: old.type, type: field.type };
    const storageChanged = columnsSignature(old) !== columnsSignature(field);
    if (relationChanged(old, field) || (storageChanged && fieldColumns(old).length !== fieldColumns(field).length)) {
      // Nothing converts between these shapes: keep the old values aside and start the new field empty.
      const renamed = { ...old, name: field.name };
      const columns: Record<string, string> = {};
      const sql: SqlStatement[] = fieldColumns(renamed).map((c) => {
        columns[c.suffix] = archivedName(version, c.name);
        return { text: `alter table ${table} rename column ${ident(c.name)} to ${ident(columns[c.suffix]!)}` };
      });
      sql.push(...addColumns(entity, field, schema).map((text) => ({ text })));
      this.step({
        kind: 'changeType',
        destructive: true,
        entity: entity.name,
        field: field.name,
        code: 'changeTypeArchivingValues',
        params: typeChange,
        sql,
        archive: {
          kind: 'field',
          entityId: key(entity),
          fieldId: `${key(field)}@v${version}`,
          physical: { columns },
          definition: old,
        },
      });
      if (field.type === 'relation') this.addRelation(entity, field);
      return;
    }
    if (storageChanged) {
      const [oldColumn] = fieldColumns({ ...old, name: field.name });
      const [newColumn] = fieldColumns(field);
      const widening = isWidening(old, field) && !(old.scale !== undefined && (field.scale ?? 2) < old.scale);
      const sql: SqlStatement[] = [];
      let archive: MigrationStep['archive'];
      if (!widening) {
        const copy = archivedName(version, oldColumn!.name);
        sql.push({ text: `alter table ${table} add column ${ident(copy)} ${oldColumn!.sqlType}` });
        sql.push({ text: `update ${table} set ${ident(copy)} = ${ident(oldColumn!.name)}` });
        archive = {
          kind: 'field',
          entityId: key(entity),
          fieldId: `${key(field)}@v${version}`,
          physical: { columns: { [oldColumn!.suffix]: copy } },
          definition: old,
        };
      }
      sql.push({
        text: `alter table ${table} alter column ${ident(newColumn!.name)} type ${newColumn!.sqlType} using ${ident(newColumn!.name)}::${newColumn!.sqlType}`,
      });
      this.step({
        kind: 'changeType',
        destructive: !widening,
        entity: entity.name,
        field: field.name,
        code: widening ? 'changeTypeWidening' : 'changeTypeNarrowing',
        params: typeChange,
        sql,
        archive,
      });
    } else if (old.type !== field.type) {
      const invalid = await countInvalid(this, entity, field);
      this.step({
        kind: 'metadataOnly',
        destructive: invalid > 0,
        entity: entity.name,
        field: field.name,
        code: invalid > 0 ? 'changeTypeInvalidValues' : 'changeTypeKeepingValues',
        params: invalid > 0 ? { ...typeChange, count: invalid } : typeChange,
        sql: [],
      });
    }
    await planRuleChanges(this, entity, old, field);
  }
}

export async function planMigration(input: PlanInput): Promise<MigrationPlan> {
  return new Planner(input).plan();
}
