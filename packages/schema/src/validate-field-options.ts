// Checks of the type-specific option blocks of a field (select options, relation, autonumber, formula,
// rollup) that need nothing but the field itself. What needs other fields or entities is checked later.
import type { IssueCollector } from './errors.ts';
import type { FormulaValueType } from './formula.ts';
import { MAX_ID_LENGTH, MAX_OPTION_VALUE_LENGTH, MAX_SELECT_OPTIONS } from './limits.ts';
import { RESERVED_FIELD_NAMES } from './naming.ts';
import {
  checkKeys,
  checkLabels,
  child,
  describeValue,
  expectApiName,
  expectInteger,
  expectOneOf,
  expectRecord,
  expectString,
  isRecord,
  item,
  type RawObject,
} from './validate-shape.ts';

export const SELECT_OPTION_KEYS = ['value', 'labels', 'color'] as const;
export const RELATION_KEYS = ['target', 'kind', 'inverse', 'inverseLabels', 'onDelete'] as const;
export const AUTONUMBER_KEYS = ['prefix', 'digits', 'start'] as const;
export const FORMULA_KEYS = ['expression', 'resultType'] as const;
export const ROLLUP_KEYS = ['relation', 'fn', 'field', 'filter'] as const;

export const RELATION_KINDS = ['manyToOne', 'manyToMany'] as const;
export const ON_DELETE_ACTIONS = ['setNull', 'cascade', 'restrict'] as const;
export const FORMULA_RESULT_TYPES = ['text', 'number', 'boolean', 'date', 'datetime'] as const;
export const ROLLUP_FUNCTIONS = ['count', 'sum', 'min', 'max', 'avg'] as const;

/** Stored value of a select option: it becomes a GraphQL enum value. */
export const OPTION_VALUE_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
export const COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;
export const AUTONUMBER_PREFIX_MAX_LENGTH = 20;
export { MAX_SELECT_OPTIONS } from './limits.ts';

// GraphQL forbids these as enum values; the pattern alone would let them through.
const GRAPHQL_RESERVED_ENUM_VALUES = ['true', 'false', 'null'];

const FORMULA_VALUE_TYPES: Readonly<Record<string, FormulaValueType>> = {
  text: 'text',
  longText: 'text',
  email: 'text',
  phone: 'text',
  url: 'text',
  select: 'text',
  autonumber: 'text',
  integer: 'number',
  decimal: 'number',
  percent: 'number',
  currency: 'number',
  rollup: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
};

/**
 * The value type a formula sees for a field (a currency field is its amount), or undefined when a formula
 * cannot use the field: lists (multiSelect, many-to-many), JSON, relations, and other formulas.
 */
export function formulaValueTypeOf(field: { type: string }): FormulaValueType | undefined {
  return FORMULA_VALUE_TYPES[field.type];
}

export function validateSelectOptions(issues: IssueCollector, path: string, value: unknown): void {
  if (!Array.isArray(value)) {
    issues.add(path, `options must be a list of { value, labels, color }, got ${describeValue(value)}`);
    return;
  }
  if (value.length === 0) issues.add(path, 'a select field needs at least one option');
  if (value.length > MAX_SELECT_OPTIONS)
    issues.add(path, `at most ${MAX_SELECT_OPTIONS} options are allowed, got ${value.length}`);
  const seen = new Map<string, number>();
  value.forEach((option: unknown, i) => {
    const at = item(path, i);
    if (!expectRecord(issues, at, option, 'an option')) return;
    const v = option.value;
    if (
      expectString(issues, child(at, 'value'), v, 'the option value', { required: true, max: MAX_OPTION_VALUE_LENGTH })
    ) {
      if (!OPTION_VALUE_PATTERN.test(v) || GRAPHQL_RESERVED_ENUM_VALUES.includes(v)) {
        issues.add(
          child(at, 'value'),
          `option value "${v}" must be letters, digits and _, starting with a letter (not true, false or null)`,
        );
      } else if (seen.has(v)) {
        issues.add(child(at, 'value'), `option value "${v}" is already used by ${item(path, seen.get(v)!)}`);
      } else seen.set(v, i);
    }
    checkLabels(issues, child(at, 'labels'), option.labels, 'the option labels', { required: true });
    const color = option.color;
    if (expectString(issues, child(at, 'color'), color, 'the option color') && !COLOR_PATTERN.test(color)) {
      issues.add(child(at, 'color'), `color must be #rrggbb, e.g. #2e7d32, got ${describeValue(color)}`);
    }
    checkKeys(issues, at, option, SELECT_OPTION_KEYS, 'an option');
  });
}

export function validateRelation(issues: IssueCollector, path: string, value: unknown, field: RawObject): void {
  if (!expectRecord(issues, path, value, 'relation')) return;
  expectApiName(issues, child(path, 'target'), value.target, 'the target entity', { required: true });
  const kind = value.kind;
  expectOneOf(issues, child(path, 'kind'), kind, RELATION_KINDS, 'the relation kind', { required: true });
  const inverse = value.inverse;
  if (
    expectApiName(issues, child(path, 'inverse'), inverse, 'the inverse name') &&
    RESERVED_FIELD_NAMES.includes(inverse)
  ) {
    issues.add(
      child(path, 'inverse'),
      `the inverse name "${inverse}" is reserved; reserved: ${RESERVED_FIELD_NAMES.join(', ')}`,
    );
  }
  checkLabels(issues, child(path, 'inverseLabels'), value.inverseLabels, 'the inverse labels');
  if (value.inverseLabels !== undefined && inverse === undefined) {
    issues.add(child(path, 'inverseLabels'), 'inverseLabels need an inverse name');
  }
  const onDelete = value.onDelete;
  if (expectOneOf(issues, child(path, 'onDelete'), onDelete, ON_DELETE_ACTIONS, 'onDelete')) {
    if (kind === 'manyToMany') {
      issues.add(
        child(path, 'onDelete'),
        'onDelete applies to manyToOne relations only; links of a manyToMany go with either record',
      );
    } else if (onDelete === 'setNull' && field.required === true) {
      issues.add(
        child(path, 'onDelete'),
        'a required relation cannot be set to null on delete; use cascade or restrict',
      );
    }
  }
  checkKeys(issues, path, value, RELATION_KEYS, 'relation');
}

export function validateAutonumber(issues: IssueCollector, path: string, value: unknown): void {
  if (!expectRecord(issues, path, value, 'autonumber')) return;
  const prefix = value.prefix;
  if (expectString(issues, child(path, 'prefix'), prefix, 'the prefix', { required: true, max: MAX_ID_LENGTH })) {
    if (prefix.length > AUTONUMBER_PREFIX_MAX_LENGTH) {
      issues.add(
        child(path, 'prefix'),
        `the prefix must be at most ${AUTONUMBER_PREFIX_MAX_LENGTH} characters, got ${prefix.length}`,
      );
    } else if (/[\s\p{C}]/u.test(prefix)) {
      issues.add(child(path, 'prefix'), 'the prefix must not contain spaces or control characters');
    }
  }
  const digits = value.digits;
  if (digits === undefined) issues.add(child(path, 'digits'), 'digits is required (the zero-padded width, 1 to 12)');
  const digitsOk = expectInteger(issues, child(path, 'digits'), digits, 'digits', 1, 12);
  if (expectInteger(issues, child(path, 'start'), value.start, 'start', 0, Number.MAX_SAFE_INTEGER) && digitsOk) {
    if (String(value.start).length > digits) {
      issues.add(child(path, 'start'), `start ${value.start} has more than ${digits} digits`);
    }
  }
  checkKeys(issues, path, value, AUTONUMBER_KEYS, 'autonumber');
}

/** Shape only; the expression is checked against the entity's fields by the entity validator. */
export function validateFormulaShape(issues: IssueCollector, path: string, value: unknown): void {
  if (!expectRecord(issues, path, value, 'formula')) return;
  // Its length is the formula checker's to report (FORMULA_MAX_LENGTH), once.
  expectString(issues, child(path, 'expression'), value.expression, 'the expression', {
    required: true,
    nonEmpty: true,
    max: Number.POSITIVE_INFINITY,
  });
  expectOneOf(issues, child(path, 'resultType'), value.resultType, FORMULA_RESULT_TYPES, 'resultType', {
    required: true,
  });
  checkKeys(issues, path, value, FORMULA_KEYS, 'formula');
}

/** Shape only; the relation and field are checked against the whole metadata. */
export function validateRollupShape(issues: IssueCollector, path: string, value: unknown): void {
  if (!expectRecord(issues, path, value, 'rollup')) return;
  expectApiName(issues, child(path, 'relation'), value.relation, 'the rollup relation', { required: true });
  const fn = value.fn;
  expectOneOf(issues, child(path, 'fn'), fn, ROLLUP_FUNCTIONS, 'fn', { required: true });
  if (value.field === undefined) {
    if (fn !== 'count' && (ROLLUP_FUNCTIONS as readonly unknown[]).includes(fn)) {
      issues.add(child(path, 'field'), `a ${String(fn)} rollup needs the field to aggregate`);
    }
  } else expectApiName(issues, child(path, 'field'), value.field, 'the rollup field');
  if (value.filter !== undefined && !isRecord(value.filter)) {
    issues.add(
      child(path, 'filter'),
      `filter must be a mapping such as { stage: { eq: won } }, got ${describeValue(value.filter)}`,
    );
  }
  checkKeys(issues, path, value, ROLLUP_KEYS, 'rollup');
}
