// How metadata maps onto PostgreSQL: schema, table, column and constraint names. One place, so the
// migration planner, the record service and the query compiler can never disagree.
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';
import { fieldType, snakeCase } from '@touchpoint/schema';

/** Columns every record table has, besides the fields' own. */
export const SYSTEM_COLUMNS = {
  id: 'id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  createdBy: 'created_by',
  updatedBy: 'updated_by',
  version: 'version',
  deletedAt: 'deleted_at',
} as const;

export type SystemField = keyof typeof SYSTEM_COLUMNS;

/** Quotes an identifier for PostgreSQL. Names are validated before they get here; quoting is the second wall. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function workspaceSchemaName(slug: string): string {
  return `ws_${slug.replaceAll('-', '_')}`;
}

export function tableName(entity: Pick<EntityDefinition, 'name'>): string {
  return snakeCase(entity.name);
}

/** `"ws_default"."account"` */
export function qualifiedTable(schema: string, entity: Pick<EntityDefinition, 'name'>): string {
  return `${ident(schema)}.${ident(tableName(entity))}`;
}

/** Base column name of a field; a field with several columns appends each column's suffix. */
export function columnBase(field: Pick<FieldDefinition, 'name'>): string {
  return snakeCase(field.name);
}

/** Every physical column of a field, e.g. `amount_amount`, `amount_currency` for a currency field. */
export function fieldColumns(field: FieldDefinition): { name: string; sqlType: string; suffix: string }[] {
  return fieldType(field)
    .columns(field)
    .map((c) => ({ name: columnBase(field) + c.suffix, sqlType: c.sqlType, suffix: c.suffix }));
}

/** The column holding a many-to-one relation's target id. */
export function relationColumn(field: Pick<FieldDefinition, 'name'>): string {
  return `${columnBase(field)}_id`;
}

/** The join table of a many-to-many relation, in the owning entity's schema. */
export function joinTableName(entity: Pick<EntityDefinition, 'name'>, field: Pick<FieldDefinition, 'name'>): string {
  return `${tableName(entity)}__${columnBase(field)}`;
}

export const JOIN_SOURCE_COLUMN = 'source_id';
export const JOIN_TARGET_COLUMN = 'target_id';

export function autonumberSequence(
  entity: Pick<EntityDefinition, 'name'>,
  field: Pick<FieldDefinition, 'name'>,
): string {
  return `${tableName(entity)}_${columnBase(field)}_seq`;
}
