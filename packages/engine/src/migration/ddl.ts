// SQL text for the migration planner's steps. Identifiers are quoted; values that reach DDL (defaults,
// autonumber prefixes) are rendered as literals by `literal`, never spliced raw.
import { createHash } from 'node:crypto';
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';
import {
  autonumberSequence,
  fieldColumns,
  ident,
  JOIN_SOURCE_COLUMN,
  JOIN_TARGET_COLUMN,
  joinTableName,
  qualifiedTable,
  relationColumn,
  tableName,
} from '../physical.ts';

export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A stable object name (index, constraint) from the identity of what it serves, so it survives renames
 * and never collides with a name a renamed object left behind. PostgreSQL allows 63 bytes.
 */
export function objectName(kind: string, readable: string, ...identity: string[]): string {
  const hash = createHash('sha1').update(identity.join('\u0000')).digest('hex').slice(0, 8);
  return `${kind}_${readable.replace(/[^a-z0-9_]/g, '').slice(0, 40)}_${hash}`;
}

export function qualifiedName(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

/** The column default that numbers new records: `'CASE-' || lpad(nextval(seq)::text, 6, '0')`. */
export function autonumberDefault(entity: EntityDefinition, field: FieldDefinition, schema: string): string {
  const seq = qualifiedName(schema, autonumberSequence(entity, field));
  const digits = Math.max(1, Math.min(field.autonumber!.digits, 12));
  return `${literal(field.autonumber!.prefix)} || lpad(nextval(${literal(seq)}::regclass)::text, ${digits}, '0')`;
}

function columnDefault(entity: EntityDefinition, field: FieldDefinition, schema: string): string {
  if (field.type !== 'autonumber' || !field.autonumber) return '';
  return ` default ${autonumberDefault(entity, field, schema)}`;
}

/**
 * Adds an autonumber field to a table that already has records: they are numbered in the order they
 * were created, the sequence continues after them, and the default numbers every new record.
 */
export function addAutonumberToExisting(entity: EntityDefinition, field: FieldDefinition, schema: string): string[] {
  const table = qualifiedTable(schema, entity);
  const column = ident(fieldColumns(field)[0]!.name);
  const seq = literal(qualifiedName(schema, autonumberSequence(entity, field)));
  const digits = Math.max(1, Math.min(field.autonumber!.digits, 12));
  const offset = Math.max(1, Math.trunc(field.autonumber!.start ?? 1)) - 1;
  return [
    ...fieldPrerequisites(entity, field, schema),
    `alter table ${table} add column ${column} text`,
    `update ${table} t set ${column} = ${literal(field.autonumber!.prefix)} || lpad((o.r + ${offset})::text, ${digits}, '0') from (select "id", row_number() over (order by "created_at", "id") as r from ${table}) o where t."id" = o."id"`,
    `select setval(${seq}::regclass, (select count(*) from ${table}) + ${offset})`,
    `alter table ${table} alter column ${column} set default ${autonumberDefault(entity, field, schema)}`,
  ];
}

/** Statements that must run before the field's columns exist (sequences). */
export function fieldPrerequisites(entity: EntityDefinition, field: FieldDefinition, schema: string): string[] {
  if (field.type !== 'autonumber' || !field.autonumber) return [];
  const start = Math.max(1, Math.trunc(field.autonumber.start ?? 1));
  return [`create sequence if not exists ${qualifiedName(schema, autonumberSequence(entity, field))} start ${start}`];
}

export function columnDefinitions(entity: EntityDefinition, field: FieldDefinition, schema: string): string[] {
  return fieldColumns(field).map((c) => `${ident(c.name)} ${c.sqlType}${columnDefault(entity, field, schema)}`);
}

export function createTable(entity: EntityDefinition, schema: string): string[] {
  const columns = [
    `"id" uuid primary key default gen_random_uuid()`,
    `"created_at" timestamptz not null default now()`,
    `"updated_at" timestamptz not null default now()`,
    `"created_by" text`,
    `"updated_by" text`,
    `"version" integer not null default 1`,
    `"deleted_at" timestamptz`,
    ...entity.fields.flatMap((f) => columnDefinitions(entity, f, schema)),
  ];
  const table = qualifiedTable(schema, entity);
  const id = entity.id ?? entity.name;
  return [
    ...entity.fields.flatMap((f) => fieldPrerequisites(entity, f, schema)),
    `create table ${table} (\n  ${columns.join(',\n  ')}\n)`,
    // The default order of lists (newest first) and keyset pagination both walk this index.
    `create index ${ident(objectName('ix', `${tableName(entity)}_created`, id, 'created_at'))} on ${table} ("created_at" desc, "id" desc)`,
  ];
}

export function addColumns(entity: EntityDefinition, field: FieldDefinition, schema: string): string[] {
  const table = qualifiedTable(schema, entity);
  return [
    ...fieldPrerequisites(entity, field, schema),
    ...columnDefinitions(entity, field, schema).map((c) => `alter table ${table} add column ${c}`),
  ];
}

/** Foreign key and index of a many-to-one relation, or the join table of a many-to-many. */
export function relationDdl(
  entity: EntityDefinition,
  field: FieldDefinition,
  target: EntityDefinition,
  schema: string,
): string[] {
  const relation = field.relation!;
  const table = qualifiedTable(schema, entity);
  const targetTable = qualifiedTable(schema, target);
  const fieldId = field.id ?? field.name;
  if (relation.kind === 'manyToMany') {
    const join = qualifiedName(schema, joinTableName(entity, field));
    return [
      `create table ${join} (
  ${ident(JOIN_SOURCE_COLUMN)} uuid not null references ${table} ("id") on delete cascade,
  ${ident(JOIN_TARGET_COLUMN)} uuid not null references ${targetTable} ("id") on delete cascade,
  primary key (${ident(JOIN_SOURCE_COLUMN)}, ${ident(JOIN_TARGET_COLUMN)})
)`,
      `create index ${ident(objectName('ix', `${joinTableName(entity, field)}_target`, fieldId, 'target'))} on ${join} (${ident(JOIN_TARGET_COLUMN)})`,
    ];
  }
  const column = relationColumn(field);
  const onDelete =
    relation.onDelete === 'cascade' ? 'cascade' : relation.onDelete === 'restrict' ? 'restrict' : 'set null';
  return [
    `alter table ${table} add constraint ${ident(objectName('fk', `${tableName(entity)}_${column}`, fieldId))} foreign key (${ident(column)}) references ${targetTable} ("id") on delete ${onDelete}`,
    `create index ${ident(objectName('ix', `${tableName(entity)}_${column}`, fieldId))} on ${table} (${ident(column)})`,
  ];
}

export function uniqueIndexName(entity: EntityDefinition, field: FieldDefinition): string {
  return objectName('uq', `${tableName(entity)}_${field.name.toLowerCase()}`, field.id ?? field.name, 'unique');
}

/** Unique among live records: a soft-deleted record does not block its value being reused. */
export function createUniqueIndex(entity: EntityDefinition, field: FieldDefinition, schema: string): string {
  const columns = fieldColumns(field).map((c) => ident(c.name));
  return `create unique index ${ident(uniqueIndexName(entity, field))} on ${qualifiedTable(schema, entity)} (${columns.join(', ')}) where "deleted_at" is null`;
}

export function dropIndex(schema: string, name: string): string {
  return `drop index if exists ${qualifiedName(schema, name)}`;
}

/** Named after the fields' ids, so renaming a field keeps its index. */
export function declaredIndexName(entity: EntityDefinition, fields: FieldDefinition[], unique: boolean): string {
  const readable = `${tableName(entity)}_${fields.map((f) => f.name.toLowerCase()).join('_')}`;
  return objectName(
    unique ? 'uq' : 'ix',
    readable,
    entity.id ?? entity.name,
    ...fields.map((f) => f.id ?? f.name),
    String(unique),
  );
}

export function createDeclaredIndex(
  entity: EntityDefinition,
  fields: FieldDefinition[],
  unique: boolean,
  schema: string,
): string {
  const columns = fields.flatMap((f) => fieldColumns(f).map((c) => ident(c.name)));
  const name = declaredIndexName(entity, fields, unique);
  return `create ${unique ? 'unique ' : ''}index ${ident(name)} on ${qualifiedTable(schema, entity)} (${columns.join(', ')})${unique ? ' where "deleted_at" is null' : ''}`;
}
