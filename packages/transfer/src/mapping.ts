// Which column of the file goes into which field: suggested from the field names and their labels in both
// languages, or given (a mapping file: `columns: { "客户名称": name, "Parent": { field: parentAccount, lookupBy: accountNumber } }`).
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';
import { parse as parseYaml } from 'yaml';
import { importableFields, requiredFields } from './convert.ts';
import { TransferError } from './messages.ts';

export interface ColumnMapping {
  /** The header of the column in the file. */
  column: string;
  /** The field it fills. */
  field: string;
  /** For a relation: the target's field to look the cell up by (default: its title field). */
  lookupBy?: string;
}

/** What an import is told, as a mapping file holds it. */
export interface MappingFile {
  columns?: Record<string, string | { field: string; lookupBy?: string } | null>;
  match?: string | string[];
  onMatch?: 'update' | 'skip';
  onNoMatch?: 'create' | 'skip';
  timeZone?: string;
}

export function parseMappingFile(text: string): MappingFile {
  const parsed = parseYaml(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TransferError('mapping.unknownColumn', {
      column: '(the mapping file is not a YAML object)',
      headers: [],
    });
  }
  return parsed as MappingFile;
}

/** `Account name`, `account_name`, ` 客户名称 ` → `accountname`, `客户名称`. */
function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:：*（）()]/g, '');
}

function names(field: FieldDefinition): string[] {
  const out = [field.name, ...Object.values(field.labels ?? {})].filter((n): n is string => typeof n === 'string');
  // A relation is also known by `<name>Id`.
  if (field.type === 'relation') out.push(`${field.name}Id`);
  return out.map(normalise);
}

/** A mapping for the headers: each column to the field whose name or label (English or Chinese) it is. */
export function suggestMapping(entity: EntityDefinition, headers: readonly string[]): ColumnMapping[] {
  const fields = importableFields(entity);
  const taken = new Set<string>();
  const mapping: ColumnMapping[] = [];
  for (const header of headers) {
    const h = normalise(header);
    if (h === '') continue;
    const field = fields.find((f) => !taken.has(f.name) && names(f).includes(h));
    if (!field) continue;
    taken.add(field.name);
    mapping.push({ column: header, field: field.name });
  }
  return mapping;
}

/** The mapping of a mapping file's `columns`, or the suggestion for what it leaves out. */
export function mappingFrom(entity: EntityDefinition, headers: readonly string[], file?: MappingFile): ColumnMapping[] {
  if (!file?.columns) return suggestMapping(entity, headers);
  const out: ColumnMapping[] = [];
  for (const [column, target] of Object.entries(file.columns)) {
    if (target === null || target === undefined) continue;
    if (typeof target === 'string') out.push({ column, field: target });
    else out.push({ column, field: target.field, ...(target.lookupBy ? { lookupBy: target.lookupBy } : {}) });
  }
  return out;
}

/**
 * Checks a mapping against the entity and the file: every column exists, every field is importable and
 * mapped once, and, when records are to be created, every required field has a column.
 */
export function checkMapping(
  entity: EntityDefinition,
  headers: readonly string[],
  mapping: readonly ColumnMapping[],
  creates: boolean,
): void {
  const fields = new Map(importableFields(entity).map((f) => [f.name, f]));
  const byField = new Map<string, string[]>();
  for (const m of mapping) {
    if (!headers.includes(m.column)) throw new TransferError('mapping.unknownColumn', { column: m.column, headers });
    const field = fields.get(m.field);
    if (!field)
      throw new TransferError('mapping.unknownField', { column: m.column, field: m.field, entity: entity.name });
    byField.set(m.field, [...(byField.get(m.field) ?? []), m.column]);
  }
  for (const [field, columns] of byField) {
    if (columns.length > 1) throw new TransferError('mapping.duplicateField', { field, columns });
  }
  if (creates) {
    const missing = requiredFields(entity)
      .map((f) => f.name)
      .filter((name) => !byField.has(name));
    if (missing.length > 0) throw new TransferError('mapping.requiredMissing', { fields: missing, headers });
  }
}
