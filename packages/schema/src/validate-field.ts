// Checks of one field definition on its own: keys, name, labels, type, which options its type accepts,
// bounds, pattern, default and the flags. References to other fields and entities are checked elsewhere.
import type { IssueCollector } from './errors.ts';
import { CURRENCY_CODES, type FieldType, fieldTypeNames, getFieldType } from './field-types.ts';
import { MAX_DESCRIPTION_LENGTH, MAX_ID_LENGTH } from './limits.ts';
import { RESERVED_FIELD_NAMES } from './naming.ts';
import type { FieldDefinition } from './types.ts';
import {
  validateAutonumber,
  validateFormulaShape,
  validateRelation,
  validateRollupShape,
  validateSelectOptions,
} from './validate-field-options.ts';
import {
  checkKeys,
  checkLabels,
  child,
  describeValue,
  expectApiName,
  expectBoolean,
  expectInteger,
  expectRecord,
  expectString,
  type RawObject,
} from './validate-shape.ts';

/** Keys every field may have, whatever its type. */
export const FIELD_COMMON_KEYS = [
  'id',
  'name',
  'type',
  'labels',
  'helpText',
  'required',
  'unique',
  'default',
  'readOnly',
  'trackHistory',
  'source',
] as const;

/** Option blocks a type may require; a type naming one in `FieldType.options` cannot do without it. */
const OPTION_BLOCKS = ['options', 'relation', 'autonumber', 'formula', 'rollup'];

export const MAX_TEXT_LENGTH_BOUND = 1_000_000;
export const MAX_PATTERN_LENGTH = 1000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Every type-specific option key of every registered type (plugins may add types, so it is computed). */
export function fieldOptionKeys(): string[] {
  const keys = new Set<string>();
  for (const name of fieldTypeNames()) for (const key of getFieldType(name)?.options ?? []) keys.add(key);
  return [...keys];
}

function a(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

/** Reports keys that are unknown, and keys that are options of other types but not of this one. */
function checkFieldKeys(issues: IssueCollector, path: string, field: RawObject, type: FieldType): void {
  const allOptions = fieldOptionKeys();
  const allowed = [...FIELD_COMMON_KEYS, ...type.options];
  for (const key of Object.keys(field)) {
    if (allowed.includes(key)) continue;
    if (allOptions.includes(key)) {
      const accepted = type.options.length > 0 ? type.options.join(', ') : 'none';
      issues.add(child(path, key), `"${key}" does not apply to ${type.name} fields; their options: ${accepted}`, {
        allowed: type.options,
      });
    } else {
      issues.add(child(path, key), `unknown key "${key}" in a field; allowed for ${type.name}: ${allowed.join(', ')}`, {
        allowed,
      });
    }
  }
}

type BoundKind = 'number' | 'date' | 'datetime';

function checkBound(issues: IssueCollector, path: string, value: unknown, kind: BoundKind): number | undefined {
  if (value === undefined) return undefined;
  if (kind === 'number') {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    issues.add(path, `must be a number, got ${describeValue(value)}`);
    return undefined;
  }
  const valid =
    typeof value === 'string' &&
    (kind === 'date' ? ISO_DATE.test(value) : /^\d{4}-\d{2}-\d{2}T/.test(value)) &&
    !Number.isNaN(Date.parse(kind === 'date' ? `${value}T00:00:00Z` : value));
  if (valid) return Date.parse(kind === 'date' ? `${value}T00:00:00Z` : value);
  const example = kind === 'date' ? 'a date YYYY-MM-DD' : 'an ISO 8601 date and time such as 2026-03-01T09:30:00Z';
  issues.add(path, `must be ${example}, got ${describeValue(value)}`);
  return undefined;
}

function checkBounds(issues: IssueCollector, path: string, field: RawObject, type: FieldType): void {
  if (type.options.includes('min')) {
    const kind: BoundKind = type.name === 'date' ? 'date' : type.name === 'datetime' ? 'datetime' : 'number';
    const min = checkBound(issues, child(path, 'min'), field.min, kind);
    const max = checkBound(issues, child(path, 'max'), field.max, kind);
    if (min !== undefined && max !== undefined && min > max) {
      issues.add(child(path, 'min'), `min ${String(field.min)} is greater than max ${String(field.max)}`);
    }
  }
  if (type.options.includes('minLength')) {
    const minOk = expectInteger(
      issues,
      child(path, 'minLength'),
      field.minLength,
      'minLength',
      0,
      MAX_TEXT_LENGTH_BOUND,
    );
    const maxOk = expectInteger(
      issues,
      child(path, 'maxLength'),
      field.maxLength,
      'maxLength',
      1,
      MAX_TEXT_LENGTH_BOUND,
    );
    if (minOk && maxOk && (field.minLength as number) > (field.maxLength as number)) {
      issues.add(child(path, 'minLength'), `minLength ${field.minLength} is greater than maxLength ${field.maxLength}`);
    }
  }
  const pattern = field.pattern;
  if (
    type.options.includes('pattern') &&
    expectString(issues, child(path, 'pattern'), pattern, 'the pattern', {
      nonEmpty: true,
      max: Number.POSITIVE_INFINITY,
    })
  ) {
    if (pattern.length > MAX_PATTERN_LENGTH) {
      issues.add(
        child(path, 'pattern'),
        `the pattern must be at most ${MAX_PATTERN_LENGTH} characters, got ${pattern.length}`,
      );
    } else {
      try {
        new RegExp(`^(?:${pattern})$`, 'u');
      } catch (error) {
        issues.add(child(path, 'pattern'), `the pattern does not compile: ${(error as Error).message}`);
      }
    }
  }
  if (type.options.includes('substringSearch')) {
    expectBoolean(issues, child(path, 'substringSearch'), field.substringSearch, 'substringSearch');
  }
  if (type.options.includes('scale')) expectInteger(issues, child(path, 'scale'), field.scale, 'scale', 0, 10);
  const code = field.currencyCode;
  if (
    type.options.includes('currencyCode') &&
    expectString(issues, child(path, 'currencyCode'), code, 'currencyCode')
  ) {
    if (!CURRENCY_CODES.has(code)) {
      issues.add(
        child(path, 'currencyCode'),
        `currencyCode must be an ISO 4217 code such as CNY or USD, got ${describeValue(code)}`,
      );
    }
  }
}

function checkOptionBlocks(issues: IssueCollector, path: string, field: RawObject, type: FieldType): void {
  for (const block of OPTION_BLOCKS) {
    if (type.options.includes(block) && field[block] === undefined) {
      issues.add(child(path, block), `${a(type.name)} field needs "${block}"`);
    }
  }
  if (field.options !== undefined && type.options.includes('options'))
    validateSelectOptions(issues, child(path, 'options'), field.options);
  if (field.relation !== undefined && type.options.includes('relation')) {
    validateRelation(issues, child(path, 'relation'), field.relation, field);
  }
  if (field.autonumber !== undefined && type.options.includes('autonumber')) {
    validateAutonumber(issues, child(path, 'autonumber'), field.autonumber);
  }
  if (field.formula !== undefined && type.options.includes('formula')) {
    validateFormulaShape(issues, child(path, 'formula'), field.formula);
  }
  if (field.rollup !== undefined && type.options.includes('rollup'))
    validateRollupShape(issues, child(path, 'rollup'), field.rollup);
}

/** Columns of the field, or undefined when its definition is too broken to say. */
function columnCount(field: RawObject, type: FieldType): number | undefined {
  try {
    return type.columns(field as unknown as FieldDefinition).length;
  } catch {
    return undefined;
  }
}

function checkFlags(
  issues: IssueCollector,
  path: string,
  field: RawObject,
  type: FieldType,
  checkDefault: boolean,
): void {
  if (field.required === true && !type.writable) {
    issues.add(child(path, 'required'), `${type.name} fields are computed, so required does not apply`);
  }
  if (field.required === true && field.readOnly === true && type.writable && field.default === undefined) {
    issues.add(
      child(path, 'readOnly'),
      'a required read-only field needs a default, or no record could ever be created',
    );
  }
  if (field.unique === true && columnCount(field, type) === 0) {
    issues.add(child(path, 'unique'), `this ${type.name} field has no column of its own, so unique does not apply`);
  }
  const value = field.default;
  if (value === undefined || value === null || !checkDefault) return;
  if (!type.writable) {
    issues.add(child(path, 'default'), `${type.name} fields are computed and cannot have a default`);
    return;
  }
  try {
    const checked = type.check(value, field as unknown as FieldDefinition);
    if (!checked.ok) issues.add(child(path, 'default'), `the default ${checked.message}`);
  } catch {
    // The definition the check reads is malformed; that is already reported where it is malformed.
  }
}

/** Checks one field on its own. */
export function validateField(issues: IssueCollector, path: string, field: unknown): void {
  if (!expectRecord(issues, path, field, 'a field')) return;
  const name = field.name;
  // Reserved before the pattern, so `__proto__` hears that it is reserved rather than badly spelt.
  if (typeof name === 'string' && RESERVED_FIELD_NAMES.includes(name)) {
    issues.add(
      child(path, 'name'),
      `the field name "${name}" is reserved; reserved: ${RESERVED_FIELD_NAMES.join(', ')}`,
    );
  } else expectApiName(issues, child(path, 'name'), name, 'the field name', { required: true });
  expectString(issues, child(path, 'id'), field.id, 'the field id', { nonEmpty: true, max: MAX_ID_LENGTH });
  expectString(issues, child(path, 'source'), field.source, 'source', { nonEmpty: true, max: MAX_ID_LENGTH });
  checkLabels(issues, child(path, 'labels'), field.labels, 'the field labels', { required: true });
  checkLabels(issues, child(path, 'helpText'), field.helpText, 'the help text', { max: MAX_DESCRIPTION_LENGTH });
  for (const flag of ['required', 'unique', 'readOnly', 'trackHistory'] as const)
    expectBoolean(issues, child(path, flag), field[flag], flag);

  const typeName = field.type;
  const type = typeof typeName === 'string' ? getFieldType(typeName) : undefined;
  if (!type) {
    const names = fieldTypeNames();
    const got = typeName === undefined ? 'the field type is required' : `unknown field type ${describeValue(typeName)}`;
    issues.add(child(path, 'type'), `${got}; allowed: ${names.join(', ')}`, { allowed: names });
    checkKeys(issues, path, field, [...FIELD_COMMON_KEYS, ...fieldOptionKeys()], 'a field');
    return;
  }
  checkFieldKeys(issues, path, field, type);
  const before = issues.issues.length;
  checkBounds(issues, path, field, type);
  checkOptionBlocks(issues, path, field, type);
  // The default is checked against the bounds and options just checked; if those are wrong, so would it be.
  checkFlags(issues, path, field, type, issues.issues.length === before);
}
