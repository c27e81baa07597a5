// Checks of one entity definition on its own: keys, names, labels, each field, the fields' names among
// themselves, formulas against the entity's fields, the title field, indexes, sort and views.
import type { IssueCollector } from './errors.ts';
import { getFieldType } from './field-types.ts';
import { analyzeFormula, formulaIndexProblem } from './formula.ts';
import { MAX_DESCRIPTION_LENGTH, MAX_ID_LENGTH } from './limits.ts';
import { pluralize, RESERVED_ENTITY_NAMES, RESERVED_ENTITY_SUFFIXES } from './naming.ts';
import { buildCatalog, type EntityCatalog, isFormulaOfType } from './validate-catalog.ts';
import { validateField } from './validate-field.ts';
import { FORMULA_RESULT_TYPES, formulaValueTypeOf } from './validate-field-options.ts';
import { validateDefaultSort, validateIndexes, validateViews } from './validate-layout.ts';
import {
  checkKeys,
  checkLabels,
  child,
  describeValue,
  expectApiName,
  expectBoolean,
  expectRecord,
  expectString,
  isRecord,
  item,
  type RawObject,
} from './validate-shape.ts';

export const ENTITY_KEYS = [
  'id',
  'name',
  'pluralName',
  'labels',
  'pluralLabels',
  'description',
  'titleField',
  'fields',
  'indexes',
  'defaultSort',
  'views',
  'trackHistory',
  'source',
] as const;

/** Field types that can name a record in lists and pickers (a text formula can too). */
export const TITLE_FIELD_TYPES = ['text', 'email', 'phone', 'url', 'autonumber'] as const;

/** System fields a formula may read, beside the entity's own fields. */
const FORMULA_SYSTEM_FIELDS: Readonly<Record<string, 'datetime'>> = { createdAt: 'datetime', updatedAt: 'datetime' };

const isResultType = (value: unknown) => (FORMULA_RESULT_TYPES as readonly unknown[]).includes(value);

const article = (word: string) => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

function checkEntityName(issues: IssueCollector, path: string, name: unknown, what: string): name is string {
  // Reserved before the pattern, so `__proto__` hears that it is reserved rather than badly spelt.
  if (typeof name === 'string' && RESERVED_ENTITY_NAMES.includes(name)) {
    issues.add(path, `${what} "${name}" is reserved by the API; reserved: ${RESERVED_ENTITY_NAMES.join(', ')}`);
    return false;
  }
  if (!expectApiName(issues, path, name, what, { required: true })) return false;
  const suffix = RESERVED_ENTITY_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) {
    issues.add(
      path,
      `${what} "${name}" ends in "${suffix}", which the generated API types use; reserved endings: ${RESERVED_ENTITY_SUFFIXES.join(', ')}`,
    );
    return false;
  }
  return true;
}

/** Each field on its own, then names and ids unique, and no `<relation>Id` beside a relation. */
function validateFields(issues: IssueCollector, path: string, fields: unknown): void {
  const fieldsPath = child(path, 'fields');
  if (fields === undefined) {
    issues.add(fieldsPath, 'fields are required: an entity needs at least one field');
    return;
  }
  if (!Array.isArray(fields)) {
    issues.add(
      fieldsPath,
      `fields must be a list or a mapping of field name to definition, got ${describeValue(fields)}`,
    );
    return;
  }
  if (fields.length === 0) issues.add(fieldsPath, 'an entity needs at least one field');
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  fields.forEach((field: unknown, i) => {
    const at = item(fieldsPath, i);
    validateField(issues, at, field);
    if (!isRecord(field)) return;
    if (typeof field.name === 'string') {
      const first = names.get(field.name);
      if (first !== undefined)
        issues.add(child(at, 'name'), `the field name "${field.name}" is already used by ${item(fieldsPath, first)}`);
      else names.set(field.name, i);
    }
    if (typeof field.id === 'string') {
      const first = ids.get(field.id);
      if (first !== undefined)
        issues.add(child(at, 'id'), `the field id "${field.id}" is already used by ${item(fieldsPath, first)}`);
      else ids.set(field.id, i);
    }
  });
  fields.forEach((field: unknown) => {
    if (!isRecord(field) || field.type !== 'relation' || typeof field.name !== 'string') return;
    const clash = names.get(`${field.name}Id`);
    if (clash !== undefined) {
      issues.add(
        child(item(fieldsPath, clash), 'name'),
        `"${field.name}Id" is taken by the relation "${field.name}", whose id the API exposes under that name`,
      );
    }
  });
}

const INDEXABLE_OPERAND_TYPES = new Set([
  'text',
  'longText',
  'email',
  'phone',
  'url',
  'select',
  'autonumber',
  'integer',
  'decimal',
  'percent',
  'boolean',
]);

/** Formulas read the entity's stored and rollup fields (and createdAt/updatedAt), never other formulas. */
function validateFormulas(issues: IssueCollector, catalog: EntityCatalog): void {
  const lookup = (name: string) => {
    const entry = catalog.lookup(name);
    if (!entry) {
      return { problem: `unknown field "${name}"; fields: ${catalog.declared.map((f) => f.name).join(', ')}` };
    }
    if (!entry.field) {
      return FORMULA_SYSTEM_FIELDS[name] ?? { problem: `the system field "${name}" cannot be used in a formula` };
    }
    if (entry.type === 'formula') {
      return { problem: `"${name}" is a formula field; a formula cannot use another formula` };
    }
    return (
      formulaValueTypeOf(entry) ?? { problem: `${entry.type} fields such as "${name}" cannot be used in a formula` }
    );
  };
  // An index holds the formula's value: only stored single-column values qualify (no rollups, no dates,
  // whose text form depends on settings).
  const indexableOperand = (name: string) => {
    const entry = catalog.lookup(name);
    return entry?.field !== undefined && INDEXABLE_OPERAND_TYPES.has(entry.type ?? '');
  };
  for (const entry of catalog.declared) {
    const formula = entry.field?.formula;
    if (entry.type !== 'formula' || !isRecord(formula) || typeof formula.expression !== 'string') continue;
    const path = child(child(entry.path!, 'formula'), 'expression');
    if (formula.expression.trim() === '') continue; // already reported as empty
    const result = analyzeFormula(formula.expression, lookup);
    if ('issues' in result) {
      for (const issue of result.issues) issues.issues.push({ ...issue, path });
    } else if (isResultType(formula.resultType) && result.checked.type !== formula.resultType) {
      issues.add(
        child(child(entry.path!, 'formula'), 'resultType'),
        `the expression yields ${result.checked.type}, but resultType says ${formula.resultType}`,
      );
    }
    if (entry.field?.substringSearch === true && !('issues' in result)) {
      const at = child(entry.path!, 'substringSearch');
      const problem =
        result.checked.type !== 'text'
          ? `substring search needs a text formula; this one yields ${result.checked.type}`
          : formulaIndexProblem(result.ast, indexableOperand);
      if (problem) issues.add(at, `the formula cannot be indexed for substring search: ${problem}`);
    }
  }
}

function validateTitleField(issues: IssueCollector, path: string, titleField: unknown, catalog: EntityCatalog): void {
  const at = child(path, 'titleField');
  if (!expectString(issues, at, titleField, 'titleField', { required: true }) || !catalog.usable) return;
  const entry = catalog.lookup(titleField);
  if (!entry?.field) {
    const names = catalog.declared.map((f) => f.name);
    issues.add(at, `titleField names the unknown field "${titleField}"; fields: ${names.join(', ')}`, {
      allowed: names,
    });
    return;
  }
  if (getFieldType(entry.type) === undefined) return; // its unknown type is reported on the field
  if (!(TITLE_FIELD_TYPES as readonly string[]).includes(entry.type) && !isFormulaOfType(entry, 'text')) {
    issues.add(
      at,
      `titleField "${titleField}" is ${article(entry.type)} field; a title must be ${TITLE_FIELD_TYPES.join(', ')} or a text formula`,
    );
  }
}

/** Checks one entity on its own, adding to `issues` with paths under `path`. */
export function validateEntityInto(issues: IssueCollector, path: string, entity: unknown): void {
  if (!expectRecord(issues, path, entity, 'an entity')) return;
  const raw: RawObject = entity;
  checkKeys(issues, path, raw, ENTITY_KEYS, 'an entity');
  const nameOk = checkEntityName(issues, child(path, 'name'), raw.name, 'the entity name');
  if (raw.pluralName !== undefined) {
    if (
      checkEntityName(issues, child(path, 'pluralName'), raw.pluralName, 'the plural name') &&
      raw.pluralName === raw.name
    ) {
      issues.add(child(path, 'pluralName'), `the plural name must differ from the name "${raw.name}"`);
    }
  } else if (nameOk) {
    const derived = pluralize(raw.name as string);
    if (RESERVED_ENTITY_NAMES.includes(derived)) {
      issues.add(child(path, 'name'), `the derived plural name "${derived}" is reserved by the API; set pluralName`);
    }
  }
  expectString(issues, child(path, 'id'), raw.id, 'the entity id', { nonEmpty: true, max: MAX_ID_LENGTH });
  expectString(issues, child(path, 'source'), raw.source, 'source', { nonEmpty: true, max: MAX_ID_LENGTH });
  checkLabels(issues, child(path, 'labels'), raw.labels, 'the entity labels', { required: true });
  checkLabels(issues, child(path, 'pluralLabels'), raw.pluralLabels, 'the plural labels');
  checkLabels(issues, child(path, 'description'), raw.description, 'the description', {
    max: MAX_DESCRIPTION_LENGTH,
  });
  expectBoolean(issues, child(path, 'trackHistory'), raw.trackHistory, 'trackHistory');
  validateFields(issues, path, raw.fields);
  const catalog = buildCatalog(raw, path);
  validateFormulas(issues, catalog);
  validateTitleField(issues, path, raw.titleField, catalog);
  validateIndexes(issues, child(path, 'indexes'), raw.indexes, catalog);
  validateDefaultSort(issues, child(path, 'defaultSort'), raw.defaultSort, catalog);
  validateViews(issues, child(path, 'views'), raw.views, catalog);
}
