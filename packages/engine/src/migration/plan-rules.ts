// Field rules and indexes: the parts of a migration plan that tighten or relax what values are allowed.
import type { EntityDefinition, FieldDefinition, Issue } from '@touchpoint/schema';
import { fieldColumns, ident, qualifiedTable, tableName } from '../physical.ts';
import { visibility } from '../scope.ts';
import {
  createDeclaredIndex,
  createUniqueIndex,
  declaredIndexName,
  dropIndex,
  objectName,
  uniqueIndexName,
} from './ddl.ts';
import type { PlanInput, StepInput } from './plan.ts';
import { fieldParams } from './step-text.ts';

/** What the rule planners need of the planner: its input, and where steps and blockers go. */
export interface PlanContext {
  readonly input: PlanInput;
  readonly blocking: Issue[];
  step(step: StepInput): void;
}

async function count(inspect: PlanInput['inspect'], text: string, params: unknown[] = []): Promise<number> {
  if (!inspect) return 0;
  const rows = await inspect.query<{ n: number }>(text, params);
  return rows[0]?.n ?? 0;
}

/** Records whose stored value the new definition of `field` would refuse (for same-storage changes). */
export async function countInvalid(
  planner: PlanContext,
  entity: EntityDefinition,
  field: FieldDefinition,
): Promise<number> {
  const { schema, inspect } = planner.input;
  const column = fieldColumns(field)[0];
  if (!column || !inspect) return 0;
  const table = qualifiedTable(schema, entity);
  const col = ident(column.name);
  if (field.type === 'select') {
    const values = (field.options ?? []).map((o) => o.value);
    return count(
      inspect,
      `select count(*)::int as n from ${table} where ${col} is not null and not (${col} = any($1))`,
      [values],
    );
  }
  if (field.type === 'multiSelect') {
    const values = (field.options ?? []).map((o) => o.value);
    return count(inspect, `select count(*)::int as n from ${table} where not (${col} <@ $1::text[])`, [values]);
  }
  const max = field.maxLength;
  if (max !== undefined && column.sqlType === 'text') {
    return count(inspect, `select count(*)::int as n from ${table} where length(${col}) > $1`, [max]);
  }
  return 0;
}

export async function planRuleChanges(
  planner: PlanContext,
  entity: EntityDefinition,
  old: FieldDefinition,
  field: FieldDefinition,
): Promise<void> {
  const { schema, inspect } = planner.input;
  const table = qualifiedTable(schema, entity);
  const params = fieldParams(entity, field);
  const column = fieldColumns(field)[0];
  if (field.required && !old.required && column) {
    const empty = await count(
      inspect,
      `select count(*)::int as n from ${table} t where t.${ident(column.name)} is null and ${visibility(entity, 't')}`,
    );
    planner.step({
      kind: 'tightenRule',
      destructive: empty > 0,
      entity: entity.name,
      field: field.name,
      code: empty > 0 ? 'makeRequiredWithEmptyValues' : 'makeRequired',
      params: empty > 0 ? { ...params, count: empty } : params,
      sql: [],
    });
  }
  if (field.unique && !old.unique) {
    const duplicates = column
      ? await count(
          inspect,
          `select count(*)::int as n from (select t.${ident(column.name)} from ${table} t where ${visibility(entity, 't')} and t.${ident(column.name)} is not null group by 1 having count(*) > 1) d`,
        )
      : 0;
    if (duplicates > 0) {
      planner.blocking.push({
        path: `${entity.name}.${field.name}.unique`,
        message: `${duplicates} value(s) occur in more than one record; make them distinct before requiring uniqueness`,
      });
    }
    planner.step({
      kind: 'addUnique',
      destructive: false,
      entity: entity.name,
      field: field.name,
      code: 'addUnique',
      params,
      sql: [{ text: createUniqueIndex(entity, field, schema) }],
    });
  } else if (!field.unique && old.unique) {
    planner.step({
      kind: 'dropUnique',
      destructive: false,
      entity: entity.name,
      field: field.name,
      code: 'dropUnique',
      params,
      sql: [{ text: dropIndex(schema, uniqueIndexName(entity, old)) }],
    });
  }
  const removed = (old.options ?? []).filter((o) => !(field.options ?? []).some((n) => n.value === o.value));
  if (old.type === field.type && removed.length > 0) {
    const invalid = await countInvalid(planner, entity, field);
    planner.step({
      kind: 'tightenRule',
      destructive: invalid > 0,
      entity: entity.name,
      field: field.name,
      code: 'removeOptions',
      params: { ...params, options: removed.map((o) => o.value), count: invalid },
      sql: [],
    });
  }
  if (
    old.type === field.type &&
    field.maxLength !== undefined &&
    (old.maxLength === undefined || field.maxLength < old.maxLength)
  ) {
    const tooLong = await countInvalid(planner, entity, { ...field, type: 'text' });
    if (tooLong > 0) {
      planner.step({
        kind: 'tightenRule',
        destructive: true,
        entity: entity.name,
        field: field.name,
        code: 'limitLength',
        params: { ...params, maxLength: field.maxLength, count: tooLong },
        sql: [],
      });
    }
  }
}

export function planIndexChanges(
  planner: PlanContext,
  before: EntityDefinition | undefined,
  after: EntityDefinition,
): void {
  const { schema } = planner.input;
  const resolve = (entity: EntityDefinition, names: string[]) =>
    names.map((n) => entity.fields.find((f) => f.name === n)).filter((f): f is FieldDefinition => f !== undefined);
  const signature = (entity: EntityDefinition, index: { fields: string[]; unique?: boolean }) =>
    declaredIndexName(entity, resolve(entity, index.fields), index.unique ?? false);
  const oldIndexes = new Map((before?.indexes ?? []).map((i) => [signature(before!, i), i]));
  const newIndexes = new Map((after.indexes ?? []).map((i) => [signature(after, i), i]));
  for (const [name, index] of newIndexes) {
    if (oldIndexes.has(name)) continue;
    planner.step({
      kind: 'addIndex',
      destructive: false,
      entity: after.name,
      code: 'addIndex',
      params: { ...fieldParams(after), fields: index.fields, unique: index.unique ?? false },
      sql: [{ text: createDeclaredIndex(after, resolve(after, index.fields), index.unique ?? false, schema) }],
    });
  }
  for (const [name, index] of oldIndexes) {
    if (newIndexes.has(name)) continue;
    planner.step({
      kind: 'dropIndex',
      destructive: false,
      entity: after.name,
      code: 'dropIndex',
      params: { ...fieldParams(after), fields: index.fields, unique: index.unique ?? false },
      sql: [{ text: dropIndex(schema, name) }],
    });
  }
}

const SYSTEM_SORT_COLUMNS: Record<string, string> = { createdAt: 'created_at', updatedAt: 'updated_at' };

/**
 * The index behind an entity's default list order: its sort columns in their directions, then `id` as the
 * query compiler's tie-breaker, so the first page of a list is an index scan, not a sort of the table.
 * Only stored single-column fields qualify; computed ones (formula, rollup) cannot be indexed this way.
 */
function sortIndex(entity: EntityDefinition | undefined): { name: string; columns: string[]; fields: string[] } | null {
  const sort = entity?.defaultSort ?? [];
  if (!entity || sort.length === 0) return null;
  const columns: string[] = [];
  const identity: string[] = [];
  for (const { field: name, direction } of sort) {
    const field = entity.fields.find((f) => f.name === name);
    const stored = field ? fieldColumns(field) : [];
    const column = SYSTEM_SORT_COLUMNS[name] ?? (stored.length === 1 ? stored[0]!.name : undefined);
    if (!column) return null;
    columns.push(`${ident(column)} ${direction}`);
    identity.push(`${field?.id ?? name}:${direction}`);
  }
  columns.push(`"id" ${sort.at(-1)!.direction}`);
  const name = objectName('ix', `${tableName(entity)}_sort`, entity.id ?? entity.name, 'sort', ...identity);
  return { name, columns, fields: sort.map((s) => `${s.field} ${s.direction}`) };
}

export function planSortIndex(
  planner: PlanContext,
  before: EntityDefinition | undefined,
  after: EntityDefinition,
): void {
  const { schema } = planner.input;
  const old = sortIndex(before);
  const next = sortIndex(after);
  if (old?.name === next?.name) return;
  if (next) {
    planner.step({
      kind: 'addIndex',
      destructive: false,
      entity: after.name,
      code: 'addSortIndex',
      params: { ...fieldParams(after), fields: next.fields },
      sql: [
        { text: `create index ${ident(next.name)} on ${qualifiedTable(schema, after)} (${next.columns.join(', ')})` },
      ],
    });
  }
  if (old) {
    planner.step({
      kind: 'dropIndex',
      destructive: false,
      entity: after.name,
      code: 'dropSortIndex',
      params: fieldParams(after),
      sql: [{ text: dropIndex(schema, old.name) }],
    });
  }
}
