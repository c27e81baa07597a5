// Order and keyset pagination. Every list is ordered by its sort keys and then `id`, so the order is total;
// NULLs sort as the greatest value in either direction (PostgreSQL's default), and the keyset predicate
// follows the same rule, so walking pages forwards or backwards meets every record exactly once.
import { isUuid, validationFailed } from '@touchpoint/schema';
import { ident } from '../physical.ts';
import { visibility } from '../scope.ts';
import { isPlainObject, literal, type StatementContext } from './context.ts';
import { CASTS, cursorOf, scalarSql } from './expressions.ts';
import type { EntityModel, ScalarInfo, ValueType } from './model.ts';
import type { OrderBy } from './types.ts';

export interface OrderKey {
  name: string;
  valueType: ValueType;
  direction: 'asc' | 'desc';
  /** The value over the base table. */
  sql: string;
  /** Output column holding the value in the paged subquery; `id` for the tie-breaker. */
  column: string;
}

/** Names an orderBy may use, for error messages. */
export function sortableNames(entity: EntityModel): string[] {
  return [
    ...[...entity.scalars.values()].filter((s) => s.sortable || s.field?.type === 'multiSelect').map((s) => s.name),
    ...[...entity.relations.values()].filter((r) => r.kind === 'manyToOne' && titleOf(r.target)).map((r) => r.name),
  ];
}

/** The title scalar of an entity, when it can be sorted by. */
function titleOf(entity: EntityModel): ScalarInfo | undefined {
  const title = entity.scalars.get(entity.def.titleField ?? '');
  return title?.sortable && title.valueType !== 'money' ? title : undefined;
}

/** The option values of a select or multi-select field, in declared order, as a SQL text array. */
function optionArray(scalar: ScalarInfo): string {
  const values = (scalar.field?.options ?? []).map((o) => literal(o.value));
  return `array[${values.join(', ')}]::text[]`;
}

/**
 * What one orderBy item sorts by: one or more (value type, SQL) parts over the record at `alias`.
 * - a select field: the position of its value among the options as declared (`low, mid, high`), not the
 *   stored text; a value no option has any more sorts with the nulls;
 * - a multi-select field: its first value in option order, then how many values it has;
 * - a many-to-one relation: the related record's title (nulls for none or a deleted one);
 * - anything else sortable: its value.
 */
function sortParts(
  ctx: StatementContext,
  entity: EntityModel,
  name: string,
  alias: string,
): { valueType: ValueType; sql: string }[] | undefined {
  const relation = entity.relations.get(name);
  if (relation?.kind === 'manyToOne') {
    const title = titleOf(relation.target);
    if (!title) return undefined;
    const t = ctx.alias();
    const value = scalarSql(ctx, relation.target, title, t);
    return [
      {
        valueType: title.valueType,
        sql: `(select ${value} from ${relation.target.table} ${t} where ${t}.id = ${alias}.${ident(relation.column)} and ${visibility(relation.target.def, t, undefined, ctx.grants)})`,
      },
    ];
  }
  const scalar = entity.scalars.get(name);
  if (!scalar) return undefined;
  if (scalar.source === 'column' && scalar.field?.type === 'select') {
    return [
      { valueType: 'integer', sql: `array_position(${optionArray(scalar)}, ${scalarSql(ctx, entity, scalar, alias)})` },
    ];
  }
  if (scalar.source === 'column' && scalar.field?.type === 'multiSelect') {
    const column = scalarSql(ctx, entity, scalar, alias);
    return [
      { valueType: 'integer', sql: `(select min(array_position(${optionArray(scalar)}, v)) from unnest(${column}) v)` },
      { valueType: 'integer', sql: `nullif(cardinality(${column}), 0)` },
    ];
  }
  if (!scalar.sortable) return undefined;
  return [{ valueType: scalar.valueType, sql: scalarSql(ctx, entity, scalar, alias) }];
}

/** The request's order (or the entity's default, or createdAt desc) followed by `id`. */
export function resolveOrder(
  ctx: StatementContext,
  entity: EntityModel,
  orderBy: readonly OrderBy[] | undefined,
  alias: string,
  path: string,
): OrderKey[] {
  const requested = orderBy ?? entity.def.defaultSort ?? [{ field: 'createdAt', direction: 'desc' }];
  const keys: OrderKey[] = [];
  if (!Array.isArray(requested)) {
    ctx.issues.add(path, 'must be a list of { field, direction }');
  } else {
    requested.forEach((item: unknown, i) => {
      const here = `${path}[${i}]`;
      const field = isPlainObject(item) ? item['field'] : undefined;
      const direction = isPlainObject(item) ? (item['direction'] ?? 'asc') : undefined;
      const parts = typeof field === 'string' ? sortParts(ctx, entity, field, alias) : undefined;
      if (!parts) {
        ctx.issues.add(`${here}.field`, `${String(field)} is not a sortable field of ${entity.def.name}`, {
          allowed: sortableNames(entity),
        });
        return;
      }
      if (direction !== 'asc' && direction !== 'desc') {
        ctx.issues.add(`${here}.direction`, 'must be asc or desc', { allowed: ['asc', 'desc'] });
        return;
      }
      const name = field as string;
      if (keys.some((k) => k.name === name || k.name === 'id')) return;
      if (name === 'id') {
        keys.push({ name, valueType: 'uuid', direction, sql: `${alias}.id`, column: 'id' });
        return;
      }
      for (const [i, part] of parts.entries()) {
        keys.push({ name: i === 0 ? name : `${name}#${i}`, ...part, direction, column: `__k${keys.length}` });
      }
    });
  }
  if (!keys.some((k) => k.name === 'id')) {
    const direction = keys.at(-1)?.direction ?? 'asc';
    keys.push({ name: 'id', valueType: 'uuid', direction, sql: `${alias}.id`, column: 'id' });
  }
  return keys;
}

function flip(direction: 'asc' | 'desc'): 'asc' | 'desc' {
  return direction === 'asc' ? 'desc' : 'asc';
}

/** The reference to a key's value: its materialised column (bare inside the paged subquery), or the id. */
function keyRef(key: OrderKey, alias: string, inner: boolean): string {
  if (key.column === 'id') return `${alias}.id`;
  return inner ? `"${key.column}"` : `${alias}."${key.column}"`;
}

/**
 * ORDER BY items: `inner` orders the paged subquery by its output columns, otherwise its rows are ordered
 * from outside under `alias`; `reverse` walks backwards.
 */
export function orderClause(
  keys: readonly OrderKey[],
  alias: string,
  options: { inner?: boolean; reverse?: boolean } = {},
): string {
  return keys
    .map((k) => {
      const direction = options.reverse ? flip(k.direction) : k.direction;
      return `${keyRef(k, alias, options.inner ?? false)} ${direction} nulls ${direction === 'asc' ? 'last' : 'first'}`;
    })
    .join(', ');
}

/** The select-list items that materialise the sort keys in the paged subquery. */
export function keyColumns(keys: readonly OrderKey[]): string {
  return keys
    .filter((k) => k.column !== 'id')
    .map((k) => `, ${k.sql} as "${k.column}"`)
    .join('');
}

/**
 * The sort values and id of the row at `alias` (the paged subquery) as SQL: the JSON array's text, which
 * `cursorFromKeys` turns into the cursor. PostgreSQL formats the values (timestamps as cursors carry them);
 * the base64url step is left to Node, where it costs a fraction of what encode() and replace() cost per row.
 */
export function cursorKeysSql(keys: readonly OrderKey[], alias: string): string {
  const values = keys.map((k) => cursorOf(k.valueType, keyRef(k, alias, false)));
  return `json_build_array(${values.join(', ')})::text`;
}

/** The cursor of a row from the JSON text `cursorKeysSql` built for it. */
export function cursorFromKeys(keysJson: string): string {
  return Buffer.from(keysJson, 'utf8').toString('base64url');
}

export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

function invalidCursor(path: string, why: string) {
  return validationFailed('The cursor is not valid', [
    { path, message: `${why}; pass a cursor this list returned, with the same orderBy` },
  ]);
}

/** Decodes a cursor into its values (sort values, then id). Anything but a JSON array → VALIDATION_FAILED at `path`. */
export function decodeCursor(cursor: unknown, path = 'after'): unknown[] {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalidCursor(path, 'is not a cursor');
  }
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor(path, 'is not a cursor');
  }
  if (!Array.isArray(values) || values.length === 0) throw invalidCursor(path, 'is not a cursor');
  return values;
}

const CURSOR_FORMATS: Partial<Record<ValueType, RegExp>> = {
  numeric: /^-?\d+(\.\d+)?$/,
  money: /^-?\d+(\.\d+)?$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
};

function fitsKey(key: OrderKey, value: unknown): boolean {
  if (value === null) return key.name !== 'id';
  switch (key.valueType) {
    case 'uuid':
      return isUuid(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'text':
      return typeof value === 'string';
    default: {
      const format = CURSOR_FORMATS[key.valueType];
      return typeof value === 'string' && format !== undefined && format.test(value);
    }
  }
}

/**
 * The condition "comes after the cursor" (`towardsEnd`) or "comes before it" in the keys' order.
 * Expanded per key instead of a row comparison because directions mix and NULLs must count as greatest.
 */
export function keysetSql(
  ctx: StatementContext,
  keys: readonly OrderKey[],
  cursor: unknown,
  path: string,
  towardsEnd: boolean,
): string {
  const values = decodeCursor(cursor, path);
  if (values.length !== keys.length || !keys.every((k, i) => fitsKey(k, values[i]))) {
    throw invalidCursor(path, 'does not belong to this order');
  }
  let condition = '';
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    const value = values[i];
    const greater = (key.direction === 'asc') === towardsEnd;
    const p = value === null ? '' : ctx.param(value, CASTS[key.valueType]);
    let beyond: string;
    if (value === null) beyond = greater ? 'false' : `${key.sql} is not null`;
    else beyond = greater ? `(${key.sql} > ${p} or ${key.sql} is null)` : `${key.sql} < ${p}`;
    const tie = value === null ? `${key.sql} is null` : `${key.sql} = ${p}`;
    if (condition === '') condition = beyond;
    else condition = beyond === 'false' ? `(${tie} and ${condition})` : `(${beyond} or (${tie} and ${condition}))`;
  }
  return condition;
}
