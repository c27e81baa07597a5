// Audit rows of record writes, built in SQL from the stored rows, so both sides of a change have the same
// stable JSON form whatever the input looked like: texts, integers and booleans as themselves, decimals and
// money amounts as decimal text with the field's scale (`"1200.50"`), money as `{ amount, currency }`,
// dates as `YYYY-MM-DD`, instants as UTC ISO text with milliseconds, multi-selects and many-to-many relations
// as lists (the latter sorted ids), to-one relations as the target's id, JSON fields as their value.
//
// The rows of a whole batch are written at once. A `createMany` chunk's INSERT is wrapped in a CTE that also
// appends one row per inserted record from the inserted rows (`auditedInsert`: one statement, no second
// read); a batch that sets many-to-many fields gets one INSERT … SELECT after its links (`auditCreated`).
// An update reads the old values of its changed fields, then appends one row; delete and restore wrap their
// own UPDATE in a CTE, so the audit row and the change are one statement.
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';
import type { Sql } from '../db.ts';
import { qualifiedName } from '../migration/ddl.ts';
import {
  fieldColumns,
  ident,
  JOIN_SOURCE_COLUMN,
  JOIN_TARGET_COLUMN,
  joinTableName,
  qualifiedTable,
} from '../physical.ts';
import type { RequestContext } from '../records/service.ts';
import { AUDIT_TABLE } from '../system-entities.ts';
import { AUDIT_COLUMNS, type Channel } from './audit-log.ts';

/** jsonb_build_object takes at most 100 arguments: objects of more fields are built in parts and joined. */
const PAIRS_PER_CALL = 40;

/** The SQL expression of one field's value of the row `alias`, in the audit's JSON form. */
export function fieldJsonSql(schema: string, entity: EntityDefinition, field: FieldDefinition, alias: string): string {
  if (field.relation?.kind === 'manyToMany') {
    const join = qualifiedName(schema, joinTableName(entity, field));
    return `(select coalesce(jsonb_agg(j.${ident(JOIN_TARGET_COLUMN)} order by j.${ident(JOIN_TARGET_COLUMN)}), '[]'::jsonb) from ${join} j where j.${ident(JOIN_SOURCE_COLUMN)} = ${alias}."id")`;
  }
  const columns = fieldColumns(field);
  const col = (i: number) => `${alias}.${ident(columns[i]!.name)}`;
  switch (field.type) {
    case 'currency':
      return `case when ${col(0)} is null then null else jsonb_build_object('amount', ${col(0)}::text, 'currency', ${col(1)}) end`;
    case 'decimal':
    case 'percent':
      return `to_jsonb(${col(0)}::text)`;
    case 'datetime':
      return `to_jsonb(to_char(${col(0)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
    case 'date':
      return `to_jsonb(to_char(${col(0)}, 'YYYY-MM-DD'))`;
    default:
      return columns.length === 1 ? `to_jsonb(${col(0)})` : 'null::jsonb';
  }
}

/** A jsonb object of the given fields' values of the row `alias`, keyed by field name. */
export function valuesObjectSql(schema: string, entity: EntityDefinition, fields: string[], alias: string): string {
  const pairs = fields.map((name) => {
    const field = entity.fields.find((f) => f.name === name)!;
    return `'${name.replaceAll("'", "''")}', ${fieldJsonSql(schema, entity, field, alias)}`;
  });
  if (pairs.length === 0) return `'{}'::jsonb`;
  const parts: string[] = [];
  for (let i = 0; i < pairs.length; i += PAIRS_PER_CALL) {
    parts.push(`jsonb_build_object(${pairs.slice(i, i + PAIRS_PER_CALL).join(', ')})`);
  }
  return parts.join(' || ');
}

/** Whether one field of the row `alias` is empty (null, or no many-to-many link). */
function fieldEmptySql(schema: string, entity: EntityDefinition, field: FieldDefinition, alias: string): string {
  if (field.relation?.kind === 'manyToMany') {
    const join = qualifiedName(schema, joinTableName(entity, field));
    return `not exists (select 1 from ${join} j where j.${ident(JOIN_SOURCE_COLUMN)} = ${alias}."id")`;
  }
  const column = fieldColumns(field)[0];
  return column ? `${alias}.${ident(column.name)} is null` : 'true';
}

/**
 * `{ field: { old: null, new } }` of a created row's non-empty fields. Built directly, then the empty fields'
 * keys taken out — cheaper per row than comparing each value with its old one as an update does.
 */
function createdChangesSql(schema: string, entity: EntityDefinition, fields: string[], alias: string): string {
  if (fields.length === 0) return `'{}'::jsonb`;
  const defs = fields.map((name) => entity.fields.find((f) => f.name === name)!);
  const quote = (name: string) => `'${name.replaceAll("'", "''")}'`;
  const pairs = defs.map(
    (f) => `${quote(f.name)}, jsonb_build_object('old', null, 'new', ${fieldJsonSql(schema, entity, f, alias)})`,
  );
  const parts: string[] = [];
  for (let i = 0; i < pairs.length; i += PAIRS_PER_CALL) {
    parts.push(`jsonb_build_object(${pairs.slice(i, i + PAIRS_PER_CALL).join(', ')})`);
  }
  const empty = defs.map((f) => `case when ${fieldEmptySql(schema, entity, f, alias)} then ${quote(f.name)} end`);
  return `((${parts.join(' || ')}) - array_remove(array[${empty.join(', ')}]::text[], null))`;
}

/** `{ field: { old, new } }` of the fields whose value differs between `oldObject` and `newObject` (jsonb). */
function changesSql(newObject: string, oldObject: string): string {
  return `(select coalesce(jsonb_object_agg(n.key, jsonb_build_object('old', coalesce(${oldObject} -> n.key, 'null'::jsonb), 'new', n.value)), '{}'::jsonb)
    from jsonb_each(${newObject}) n where n.value is distinct from coalesce(${oldObject} -> n.key, 'null'::jsonb))`;
}

/** Fields a write records: those stored in the record's table or its join tables (not computed ones). */
export function auditedFields(entity: EntityDefinition, names: Iterable<string>): string[] {
  const stored = new Set(
    entity.fields.filter((f) => f.relation?.kind === 'manyToMany' || fieldColumns(f).length > 0).map((f) => f.name),
  );
  return [...new Set(names)].filter((n) => stored.has(n));
}

/** Who, through what and where: the first five parameters of every statement here. */
function whoParams(workspaceId: number, context: RequestContext, entity: EntityDefinition): unknown[] {
  return [workspaceId, context.actor, context.tokenId ?? null, channelOf(context), entity.name];
}

export function channelOf(context: Pick<RequestContext, 'channel'>): Channel {
  return context.channel ?? 'system';
}

/** The columns of one audit row up to the record id: workspace, at, actor, token, channel, action, entity. */
const who = (now: string, action: string) => `$1::integer, ${now}, $2::text, $3::text, $4::text, '${action}', $5::text`;

/** One `record.created` row per created record, with every field it was given as `{ old: null, new }`. */
export async function auditCreated(
  tx: Sql,
  now: string,
  workspace: { id: number; schemaName: string },
  context: RequestContext,
  entity: EntityDefinition,
  ids: string[],
  fields: string[],
): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    `insert into ${AUDIT_TABLE} (${AUDIT_COLUMNS})
     select ${who(now, 'record.created')}, r."id"::text, null, null, ${createdChangesSql(workspace.schemaName, entity, fields, 'r')}, null
     from unnest($6::uuid[]) with ordinality as k(id, n) join ${qualifiedTable(workspace.schemaName, entity)} r on r."id" = k.id
     order by k.n`,
    [...whoParams(workspace.id, context, entity), ids],
  );
}

const RETURNING = 'returning "id", "version"';

/**
 * Wraps the multi-row INSERTs of a batch create (`insert … returning "id", "version"`) so that the same
 * statement appends one `record.created` row per inserted record, built from the inserted rows themselves:
 * no second statement, no second read. Only for batches that set no many-to-many field (those links are
 * written after the insert; `auditCreated` records them).
 */
export function auditedInsert(
  sql: Sql,
  now: string,
  workspace: { id: number; schemaName: string },
  context: RequestContext,
  entity: EntityDefinition,
  fields: string[],
): Sql {
  const changes = createdChangesSql(workspace.schemaName, entity, fields, 'r');
  return {
    query<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      if (!text.endsWith(RETURNING))
        throw new Error(`auditedInsert wraps an INSERT … ${RETURNING}, got: ${text.slice(0, 80)}`);
      const n = params.length;
      const at = (i: number) => `$${n + i}`;
      return sql.query<T>(
        `with w as (${text.slice(0, -RETURNING.length)}returning *),
           a as (insert into ${AUDIT_TABLE} (${AUDIT_COLUMNS})
             select ${at(1)}::integer, ${now}, ${at(2)}::text, ${at(3)}::text, ${at(4)}::text, 'record.created', ${at(5)}::text,
               r."id"::text, null, null, ${changes}, null from w r)
         select "id", "version" from w`,
        [...params, ...whoParams(workspace.id, context, entity)],
      );
    },
  };
}

/** The current values of `fields` of one record as jsonb text, read before an update changes them. */
export async function auditOldValues(
  tx: Sql,
  schema: string,
  entity: EntityDefinition,
  id: string,
  fields: string[],
): Promise<string> {
  const [row] = await tx.query<{ v: string }>(
    `select (${valuesObjectSql(schema, entity, fields, 'r')})::text as v from ${qualifiedTable(schema, entity)} r where r."id" = $1`,
    [id],
  );
  return row?.v ?? '{}';
}

/** The `record.updated` row of one update: the fields whose stored value changed, old → new; none if none did. */
export async function auditUpdated(
  tx: Sql,
  now: string,
  workspace: { id: number; schemaName: string },
  context: RequestContext,
  entity: EntityDefinition,
  id: string,
  fields: string[],
  oldValues: string,
): Promise<void> {
  const values = valuesObjectSql(workspace.schemaName, entity, fields, 'r');
  await tx.query(
    `insert into ${AUDIT_TABLE} (${AUDIT_COLUMNS})
     select * from (select ${who(now, 'record.updated')}, r."id"::text, null::integer, null::text, ${changesSql(values, '$7::jsonb')} as changes, null::jsonb
       from ${qualifiedTable(workspace.schemaName, entity)} r where r."id" = $6::uuid) x
     where x.changes <> '{}'::jsonb`,
    [...whoParams(workspace.id, context, entity), id, oldValues],
  );
}

/**
 * Wraps a statement that changes records and returns their `"id"` (delete, restore) so that the same
 * statement appends one row per changed record with `action`: the change and its audit row are one.
 */
export function audited(
  sql: Sql,
  now: string,
  workspaceId: number,
  context: RequestContext,
  entity: EntityDefinition,
  action: string,
): Sql {
  return {
    query<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      const n = params.length;
      const extra = whoParams(workspaceId, context, entity);
      const at = (i: number) => `$${n + i}`;
      return sql.query<T>(
        `with w as (${text}),
           a as (insert into ${AUDIT_TABLE} (${AUDIT_COLUMNS})
             select ${at(1)}::integer, ${now}, ${at(2)}::text, ${at(3)}::text, ${at(4)}::text, '${action}', ${at(5)}::text, w."id"::text, null, null, null, null from w)
         select * from w`,
        [...params, ...extra],
      );
    },
  };
}
