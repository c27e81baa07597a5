// Checks of what an entity says about its table and screens beside its fields: indexes, default sort and
// views. Each reference must name a field that exists and suits the use (a kanban column is a select).
import type { IssueCollector } from './errors.ts';
import { getFieldType } from './field-types.ts';
import { type EntityCatalog, type FieldEntry, isSortable, isStored, referToField } from './validate-catalog.ts';
import {
  checkKeys,
  checkLabels,
  child,
  describeValue,
  expectBoolean,
  expectNameList,
  expectOneOf,
  expectRecord,
  expectString,
  item,
} from './validate-shape.ts';

export const INDEX_KEYS = ['name', 'fields', 'unique'] as const;
export const SORT_KEYS = ['field', 'direction'] as const;
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export const VIEW_KINDS = ['list', 'form', 'kanban', 'calendar'] as const;
export const LIST_VIEW_KEYS = ['columns'] as const;
export const FORM_VIEW_KEYS = ['sections'] as const;
export const FORM_SECTION_KEYS = ['labels', 'fields', 'columns'] as const;
export const KANBAN_VIEW_KEYS = ['groupBy'] as const;
export const CALENDAR_VIEW_KEYS = ['dateField', 'endField'] as const;
/** Index names become part of PostgreSQL identifiers (at most 63 bytes with the table name). */
export const INDEX_NAME_PATTERN = /^[a-z][a-zA-Z0-9_]{0,39}$/;

const storedOnly = (entry: FieldEntry) =>
  isStored(entry) ? undefined : `${entry.type} fields have no column of their own to index`;

export function validateIndexes(issues: IssueCollector, path: string, value: unknown, catalog: EntityCatalog): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    issues.add(path, `indexes must be a list of { fields, unique, name }, got ${describeValue(value)}`);
    return;
  }
  const names = new Map<string, number>();
  const shapes = new Map<string, number>();
  value.forEach((index: unknown, i) => {
    const at = item(path, i);
    if (!expectRecord(issues, at, index, 'an index')) return;
    const name = index.name;
    if (expectString(issues, child(at, 'name'), name, 'the index name')) {
      if (!INDEX_NAME_PATTERN.test(name)) {
        issues.add(
          child(at, 'name'),
          `the index name "${name}" must be letters, digits and _, starting with a lower-case letter, at most 40 characters`,
        );
      } else if (names.has(name)) {
        issues.add(child(at, 'name'), `the index name "${name}" is already used by ${item(path, names.get(name)!)}`);
      } else names.set(name, i);
    }
    const fields = expectNameList(issues, child(at, 'fields'), index.fields, 'the index fields', { nonEmpty: true });
    for (const f of fields) referToField(issues, f.path, f.name, catalog, 'the index', storedOnly);
    expectBoolean(issues, child(at, 'unique'), index.unique, 'unique');
    const shape = `${index.unique === true}:${fields.map((f) => f.name).join(',')}`;
    if (fields.length > 0 && shapes.has(shape)) {
      issues.add(at, `the same index as ${item(path, shapes.get(shape)!)}`);
    } else shapes.set(shape, i);
    checkKeys(issues, at, index, INDEX_KEYS, 'an index');
  });
}

export function validateDefaultSort(
  issues: IssueCollector,
  path: string,
  value: unknown,
  catalog: EntityCatalog,
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    issues.add(path, `defaultSort must be a list of { field, direction }, got ${describeValue(value)}`);
    return;
  }
  const seen = new Set<string>();
  value.forEach((sort: unknown, i) => {
    const at = item(path, i);
    if (!expectRecord(issues, at, sort, 'a sort')) return;
    const field = sort.field;
    if (expectString(issues, child(at, 'field'), field, 'the sort field', { required: true })) {
      if (seen.has(field)) issues.add(child(at, 'field'), `"${field}" is sorted on twice`);
      seen.add(field);
      referToField(issues, child(at, 'field'), field, catalog, 'the sort', (entry) =>
        isSortable(entry) ? undefined : `${entry.type} fields cannot be sorted`,
      );
    }
    expectOneOf(issues, child(at, 'direction'), sort.direction, SORT_DIRECTIONS, 'direction', { required: true });
    checkKeys(issues, at, sort, SORT_KEYS, 'a sort');
  });
}

function validateListView(issues: IssueCollector, path: string, value: unknown, catalog: EntityCatalog): void {
  if (!expectRecord(issues, path, value, 'the list view')) return;
  const columns = expectNameList(issues, child(path, 'columns'), value.columns, 'the list columns', { nonEmpty: true });
  for (const c of columns) referToField(issues, c.path, c.name, catalog, 'the list view');
  checkKeys(issues, path, value, LIST_VIEW_KEYS, 'the list view');
}

function validateFormView(issues: IssueCollector, path: string, value: unknown, catalog: EntityCatalog): void {
  if (!expectRecord(issues, path, value, 'the form view')) return;
  checkKeys(issues, path, value, FORM_VIEW_KEYS, 'the form view');
  const sectionsPath = child(path, 'sections');
  const sections = value.sections;
  if (!Array.isArray(sections) || sections.length === 0) {
    issues.add(sectionsPath, `the form needs a list of at least one section, got ${describeValue(sections)}`);
    return;
  }
  const placed = new Map<string, string>();
  sections.forEach((section: unknown, i) => {
    const at = item(sectionsPath, i);
    if (!expectRecord(issues, at, section, 'a form section')) return;
    checkLabels(issues, child(at, 'labels'), section.labels, 'the section labels', { required: true });
    const fields = expectNameList(issues, child(at, 'fields'), section.fields, 'the section fields', {
      nonEmpty: true,
    });
    for (const f of fields) {
      const where = placed.get(f.name);
      if (where !== undefined) issues.add(f.path, `"${f.name}" is already on the form at ${where}`);
      placed.set(f.name, f.path);
      referToField(issues, f.path, f.name, catalog, 'the form', (entry) =>
        entry.field ? undefined : 'system fields are filled in by Touchpoint, not on forms',
      );
    }
    const columns = section.columns;
    if (columns !== undefined && columns !== 1 && columns !== 2) {
      issues.add(child(at, 'columns'), `columns must be 1 or 2, got ${describeValue(columns)}`);
    }
    checkKeys(issues, at, section, FORM_SECTION_KEYS, 'a form section');
  });
  // A form without a required field could never save a new record.
  for (const entry of catalog.declared) {
    const f = entry.field!;
    const writable = getFieldType(entry.type)?.writable === true;
    if (writable && f.required === true && f.readOnly !== true && f.default === undefined && !placed.has(entry.name)) {
      issues.add(
        sectionsPath,
        `the required field "${entry.name}" is on no section, so the form could not create records`,
      );
    }
  }
}

function validateKanbanView(issues: IssueCollector, path: string, value: unknown, catalog: EntityCatalog): void {
  if (!expectRecord(issues, path, value, 'the kanban view')) return;
  const groupBy = value.groupBy;
  if (expectString(issues, child(path, 'groupBy'), groupBy, 'groupBy', { required: true })) {
    referToField(issues, child(path, 'groupBy'), groupBy, catalog, 'the kanban view', (entry) =>
      entry.type === 'select' ? undefined : `kanban columns come from a select field, and it is ${describeType(entry)}`,
    );
  }
  checkKeys(issues, path, value, KANBAN_VIEW_KEYS, 'the kanban view');
}

function describeType(entry: FieldEntry): string {
  return /^[aeiou]/i.test(entry.type) ? `an ${entry.type}` : `a ${entry.type}`;
}

function validateCalendarView(issues: IssueCollector, path: string, value: unknown, catalog: EntityCatalog): void {
  if (!expectRecord(issues, path, value, 'the calendar view')) return;
  const dated = (entry: FieldEntry) =>
    entry.type === 'date' || entry.type === 'datetime'
      ? undefined
      : `a calendar places records by a date or datetime field, and it is ${describeType(entry)}`;
  const { dateField, endField } = value;
  if (expectString(issues, child(path, 'dateField'), dateField, 'dateField', { required: true })) {
    referToField(issues, child(path, 'dateField'), dateField, catalog, 'the calendar view', dated);
  }
  if (expectString(issues, child(path, 'endField'), endField, 'endField')) {
    if (endField === dateField) issues.add(child(path, 'endField'), 'endField must differ from dateField');
    else referToField(issues, child(path, 'endField'), endField, catalog, 'the calendar view', dated);
  }
  checkKeys(issues, path, value, CALENDAR_VIEW_KEYS, 'the calendar view');
}

export function validateViews(issues: IssueCollector, path: string, value: unknown, catalog: EntityCatalog): void {
  if (value === undefined) return;
  if (!expectRecord(issues, path, value, 'views')) return;
  if (value.list !== undefined) validateListView(issues, child(path, 'list'), value.list, catalog);
  if (value.form !== undefined) validateFormView(issues, child(path, 'form'), value.form, catalog);
  if (value.kanban !== undefined) validateKanbanView(issues, child(path, 'kanban'), value.kanban, catalog);
  if (value.calendar !== undefined) validateCalendarView(issues, child(path, 'calendar'), value.calendar, catalog);
  checkKeys(issues, path, value, VIEW_KINDS, 'views');
}
