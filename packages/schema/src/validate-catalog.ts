// The fields an entity's references may point at: its declared fields (first of each name) and the system
// fields every record has. Built from untrusted input, so every entry is only as typed as it was checked.
import type { IssueCollector } from './errors.ts';
import { getFieldType } from './field-types.ts';
import { SYSTEM_FIELD_NAMES } from './naming.ts';
import { child, isRecord, item, type RawObject } from './validate-shape.ts';

/** Field types of the system columns, as the validator sees them (`uuid` and `user` are not field types). */
export const SYSTEM_FIELD_TYPES: Readonly<Record<string, string>> = {
  id: 'uuid',
  createdAt: 'datetime',
  updatedAt: 'datetime',
  createdBy: 'user',
  updatedBy: 'user',
  version: 'integer',
  deletedAt: 'datetime',
};

export interface FieldEntry {
  name: string;
  /** The declared field type, or the system type for a system field. */
  type: string;
  /** The declared definition; absent for system fields. */
  field?: RawObject;
  /** Path of the declared field, e.g. `fields[3]`. */
  path?: string;
}

export interface EntityCatalog {
  /** The entity's name when it is a text. */
  name?: string;
  /** False when `fields` is no usable list: references are then not checked, as every one would fail. */
  usable: boolean;
  /** Declared fields, first of each name. */
  declared: FieldEntry[];
  lookup(name: string): FieldEntry | undefined;
}

export function buildCatalog(entity: RawObject, path: string): EntityCatalog {
  const declared: FieldEntry[] = [];
  const byName = new Map<string, FieldEntry>();
  const fields: unknown[] = Array.isArray(entity.fields) ? entity.fields : [];
  fields.forEach((field: unknown, i) => {
    if (!isRecord(field) || typeof field.name !== 'string' || byName.has(field.name)) return;
    const entry = { name: field.name, type: String(field.type), field, path: item(child(path, 'fields'), i) };
    declared.push(entry);
    byName.set(field.name, entry);
  });
  return {
    name: typeof entity.name === 'string' ? entity.name : undefined,
    usable: declared.length > 0,
    declared,
    lookup(name) {
      const found = byName.get(name);
      if (found) return found;
      return SYSTEM_FIELD_NAMES.includes(name) ? { name, type: SYSTEM_FIELD_TYPES[name] ?? 'uuid' } : undefined;
    },
  };
}

/** True when the field has a column of its own: it can be indexed and grouped on. */
export function isStored(entry: FieldEntry): boolean {
  if (!entry.field) return true;
  if (entry.type === 'formula' || entry.type === 'rollup') return false;
  if (entry.type === 'relation') return !(isRecord(entry.field.relation) && entry.field.relation.kind === 'manyToMany');
  return getFieldType(entry.type) !== undefined;
}

export function isSortable(entry: FieldEntry): boolean {
  if (!entry.field) return entry.type !== 'user';
  return getFieldType(entry.type)?.sortable === true;
}

export function isFormulaOfType(entry: FieldEntry, resultType: string): boolean {
  return entry.type === 'formula' && isRecord(entry.field?.formula) && entry.field.formula.resultType === resultType;
}

/**
 * Finds a referenced field and lets `accept` refuse it with a reason. Reports an unknown name with the
 * fields that exist. Returns the entry when it exists and was accepted.
 */
export function referToField(
  issues: IssueCollector,
  path: string,
  name: string,
  catalog: EntityCatalog,
  what: string,
  accept: (entry: FieldEntry) => string | undefined = () => undefined,
): FieldEntry | undefined {
  if (!catalog.usable) return undefined;
  const entry = catalog.lookup(name);
  if (!entry) {
    const names = catalog.declared.map((f) => f.name);
    const of = catalog.name ? ` of ${catalog.name}` : '';
    issues.add(path, `${what} names the unknown field "${name}"; fields${of}: ${names.join(', ')}`, { allowed: names });
    return undefined;
  }
  // A field of an unknown type is reported where it is declared; judging its uses would only add noise.
  if (entry.field && getFieldType(entry.type) === undefined) return entry;
  const refusal = accept(entry);
  if (refusal !== undefined) {
    issues.add(path, `${what} cannot use "${name}": ${refusal}`);
    return undefined;
  }
  return entry;
}
