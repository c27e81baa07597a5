// Input values: checked against the metadata (every problem at once, per field) and turned into columns.
import type { EntityDefinition, FieldDefinition, IssueCollector } from '@touchpoint/schema';
import { fieldType, NUL_MESSAGE, nulTextPaths } from '@touchpoint/schema';
import { fieldColumns } from '../physical.ts';

export type Mode = 'create' | 'update';

/** Field values keyed by field name, already checked and normalised. Many-to-many values are id lists. */
export type CheckedValues = Map<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldNames(entity: EntityDefinition): string[] {
  return entity.fields.filter((f) => fieldType(f).writable && !f.readOnly).map((f) => f.name);
}

/**
 * Checks one record's input. Unknown fields, read-only fields, missing required fields and bad values are
 * all reported at once with paths like `input.email`; on create, defaults fill the fields not given.
 */
export function checkInput(
  entity: EntityDefinition,
  input: unknown,
  mode: Mode,
  issues: IssueCollector,
  path: string,
): CheckedValues {
  const values: CheckedValues = new Map();
  if (!isPlainObject(input)) {
    issues.add(path, `must be an object of field values, got ${Array.isArray(input) ? 'a list' : typeof input}`);
    return values;
  }
  for (const [name, value] of Object.entries(input)) {
    const field = entity.fields.find((f) => f.name === name);
    const at = `${path}.${name}`;
    if (!field) {
      issues.add(at, `"${entity.name}" has no field "${name}"`, { allowed: fieldNames(entity) });
      continue;
    }
    const type = fieldType(field);
    if (!type.writable) {
      const refusal = type.check(value, field);
      issues.add(at, refusal.ok ? 'cannot be set' : refusal.message);
      continue;
    }
    if (field.readOnly) {
      issues.add(at, 'is read-only');
      continue;
    }
    if (value === null || value === undefined) {
      if (field.required) issues.add(at, 'is required and cannot be empty');
      else values.set(name, field.relation?.kind === 'manyToMany' ? [] : null);
      continue;
    }
    const nul = nulTextPaths(value, at);
    if (nul.length > 0) {
      for (const where of nul) issues.add(where, NUL_MESSAGE);
      continue;
    }
    const checked = type.check(value, field);
    if (checked.ok) values.set(name, checked.value);
    else issues.add(at, checked.message);
  }
  if (mode === 'create') {
    for (const field of entity.fields) {
      if (values.has(field.name) || Object.hasOwn(input, field.name)) continue;
      if (field.default !== undefined && field.default !== null) {
        const checked = fieldType(field).check(field.default, field);
        if (checked.ok) values.set(field.name, checked.value);
      } else if (field.required && fieldType(field).writable) {
        issues.add(`${path}.${field.name}`, 'is required');
      }
    }
  }
  return values;
}

/** Column name → value to bind, for the fields stored in the entity's own table. */
export function toColumns(
  entity: EntityDefinition,
  values: CheckedValues,
): { column: string; value: unknown; cast: string }[] {
  const columns: { column: string; value: unknown; cast: string }[] = [];
  for (const [name, value] of values) {
    const field = entity.fields.find((f) => f.name === name)!;
    if (field.relation?.kind === 'manyToMany') continue;
    for (const column of fieldColumns(field)) {
      columns.push({ column: column.name, value: columnValue(field, column.suffix, value), cast: column.sqlType });
    }
  }
  return columns;
}

function columnValue(field: FieldDefinition, suffix: string, value: unknown): unknown {
  if (value === null) return null;
  if (field.type === 'currency') {
    const money = value as { amount: string; currency: string };
    return suffix === '_amount' ? money.amount : money.currency;
  }
  if (field.type === 'json') return JSON.stringify(value);
  return value;
}

/** Whether a stored value (as `pg` returns it) equals a checked input value, to report changed fields. */
export function sameValue(field: FieldDefinition, row: Record<string, unknown>, value: unknown): boolean {
  const columns = fieldColumns(field);
  if (field.type === 'currency') {
    const money = value as { amount: string; currency: string } | null;
    const amount = row[columns[0]!.name];
    if (money === null) return amount === null || amount === undefined;
    return amount !== null && Number(amount) === Number(money.amount) && row[columns[1]!.name] === money.currency;
  }
  const stored = row[columns[0]?.name ?? ''];
  if (value === null) return stored === null || stored === undefined;
  if (stored === null || stored === undefined) return false;
  switch (field.type) {
    case 'decimal':
    case 'percent':
      return Number(stored) === Number(value);
    case 'datetime':
      return Date.parse(String(stored)) === Date.parse(String(value));
    case 'date':
      return String(stored).slice(0, 10) === value;
    case 'multiSelect':
      return JSON.stringify([...(stored as string[])].sort()) === JSON.stringify([...(value as string[])].sort());
    case 'json':
      return JSON.stringify(stored) === JSON.stringify(value);
    default:
      return stored === value;
  }
}
