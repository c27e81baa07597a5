// What the screens know about an entity comes from its metadata only: labels, columns, sections, which
// field groups a kanban, and the GraphQL documents to read and write its records.
import type { EntityDefinition, FieldDefinition, Labels, SelectOption } from '@touchpoint/schema';
import { entityRootFieldNames, pascalCase, pluralize, relationInputName } from '@touchpoint/schema';
import type { Lang } from './api.ts';

export type { EntityDefinition, FieldDefinition, SelectOption };

export type Row = Record<string, unknown>;

export function label(labels: Labels | undefined | null, lang: Lang, fallback = ''): string {
  if (!labels) return fallback;
  return labels[lang] || labels.en || fallback;
}

export function entityLabel(entity: EntityDefinition, lang: Lang, plural = false): string {
  return plural
    ? label(entity.pluralLabels ?? entity.labels, lang, entity.name)
    : label(entity.labels, lang, entity.name);
}

export function fieldLabel(field: FieldDefinition, lang: Lang): string {
  return label(field.labels, lang, field.name);
}

/** URL segment of an entity's screens: its plural API name, e.g. `/opportunities`. */
export function entityPath(entity: EntityDefinition): string {
  return `/${entity.pluralName ?? pluralize(entity.name)}`;
}

export function findEntityByPath(entities: EntityDefinition[], segment: string): EntityDefinition | undefined {
  return entities.find((e) => (e.pluralName ?? pluralize(e.name)) === segment || e.name === segment);
}

export function rootNames(entity: EntityDefinition) {
  return entityRootFieldNames(entity);
}

export function fieldByName(entity: EntityDefinition, name: string): FieldDefinition | undefined {
  return entity.fields.find((f) => f.name === name);
}

export const COMPUTED_TYPES = new Set(['formula', 'rollup', 'autonumber']);

export function isWritable(field: FieldDefinition): boolean {
  return !COMPUTED_TYPES.has(field.type) && !field.readOnly;
}

export function isManyToOne(field: FieldDefinition): boolean {
  return field.type === 'relation' && field.relation?.kind === 'manyToOne';
}

export function isManyToMany(field: FieldDefinition): boolean {
  return field.type === 'relation' && field.relation?.kind === 'manyToMany';
}

/** Columns of the list view: the metadata's list, else the title field and the next few simple fields. */
export function listColumns(entity: EntityDefinition): string[] {
  const declared = entity.views?.list?.columns?.filter((c) => fieldByName(entity, c));
  if (declared && declared.length > 0) return declared;
  const rest = entity.fields
    .filter((f) => f.name !== entity.titleField && !isManyToMany(f) && f.type !== 'longText' && f.type !== 'json')
    .slice(0, 5)
    .map((f) => f.name);
  return [entity.titleField, ...rest];
}

export interface Section {
  labels: Labels;
  fields: string[];
  columns: 1 | 2;
}

/** Form sections from metadata; fields no section names are gathered in a last section so none is hidden. */
export function formSections(entity: EntityDefinition): Section[] {
  const declared = (entity.views?.form?.sections ?? []).map((s) => ({
    labels: s.labels,
    fields: s.fields.filter((f) => fieldByName(entity, f)),
    columns: s.columns ?? 2,
  }));
  const placed = new Set(declared.flatMap((s) => s.fields));
  const rest = entity.fields.filter((f) => !placed.has(f.name)).map((f) => f.name);
  if (rest.length > 0) {
    declared.push({
      labels: declared.length === 0 ? { en: 'Details', 'zh-CN': '详细信息' } : { en: 'More', 'zh-CN': '更多' },
      fields: rest,
      columns: 2,
    });
  }
  return declared;
}

/** Select fields a kanban can group by: the metadata's choice first. */
export function kanbanField(entity: EntityDefinition): FieldDefinition | undefined {
  const declared = entity.views?.kanban?.groupBy;
  const field = declared ? fieldByName(entity, declared) : undefined;
  if (field?.type === 'select') return field;
  return undefined;
}

export function calendarField(entity: EntityDefinition): FieldDefinition | undefined {
  const declared = entity.views?.calendar?.dateField;
  const field = declared ? fieldByName(entity, declared) : undefined;
  if (field && (field.type === 'date' || field.type === 'datetime')) return field;
  return undefined;
}

export function optionOf(field: FieldDefinition, value: unknown): SelectOption | undefined {
  return field.options?.find((o) => o.value === value);
}

/**
 * An entity's title field aliased `title`, selected as its type needs (a relation title brings its own
 * target's title, a currency title its amount and currency), for `formatTitle` to read. A title that is a
 * relation to a title that is a relation stops at the id: metadata may loop.
 */
export function titleSelection(
  entity: EntityDefinition | undefined,
  entities: ReadonlyMap<string, EntityDefinition>,
  depth = 0,
): string {
  const field = entity ? fieldByName(entity, entity.titleField) : undefined;
  if (!field) return 'title: id';
  if (field.type === 'relation') {
    if (depth > 1) return 'title: id';
    const inner = titleSelection(entities.get(field.relation?.target ?? ''), entities, depth + 1);
    return field.relation?.kind === 'manyToMany'
      ? `title: ${field.name}(first: 20) { id ${inner} }`
      : `title: ${field.name} { id ${inner} }`;
  }
  if (field.type === 'currency') return `title: ${field.name} { amount currency }`;
  return `title: ${field.name}`;
}

/** The GraphQL selection of one field: relations bring the target's id and title. */
export function fieldSelection(field: FieldDefinition, entities: ReadonlyMap<string, EntityDefinition>): string {
  if (field.type === 'relation') {
    const title = titleSelection(entities.get(field.relation?.target ?? ''), entities, 1);
    if (field.relation?.kind === 'manyToMany') return `${field.name}(first: 20) { id ${title} }`;
    return `${field.name}Id ${field.name} { id ${title} }`;
  }
  if (field.type === 'currency') return `${field.name} { amount currency }`;
  return field.name;
}

export function selection(
  entity: EntityDefinition,
  names: string[],
  entities: ReadonlyMap<string, EntityDefinition>,
): string {
  const fields = names
    .map((n) => fieldByName(entity, n))
    .filter((f): f is FieldDefinition => Boolean(f))
    .map((f) => fieldSelection(f, entities));
  const title = fieldByName(entity, entity.titleField);
  if (title && !names.includes(title.name)) fields.push(fieldSelection(title, entities));
  return `id version updatedAt updatedBy createdAt createdBy ${fields.join(' ')}`;
}

export function listDocument(
  entity: EntityDefinition,
  columns: string[],
  entities: ReadonlyMap<string, EntityDefinition>,
) {
  const type = pascalCase(entity.name);
  const names = rootNames(entity);
  return `query List($filter: ${type}Filter, $orderBy: [${type}OrderBy!], $search: String, $first: Int, $after: String, $last: Int, $before: String) {
  page: ${names.many}(filter: $filter, orderBy: $orderBy, search: $search, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { ${selection(entity, columns, entities)} }
  }
}`;
}

export function recordDocument(entity: EntityDefinition, entities: ReadonlyMap<string, EntityDefinition>) {
  return `query Record($id: ID!) { record: ${entity.name}(id: $id) { ${selection(
    entity,
    entity.fields.map((f) => f.name),
    entities,
  )} } }`;
}

export function createDocument(entity: EntityDefinition, entities: ReadonlyMap<string, EntityDefinition>) {
  const type = pascalCase(entity.name);
  return `mutation Create($input: ${type}Input!) { record: ${rootNames(entity).create}(input: $input) { ${selection(
    entity,
    entity.fields.map((f) => f.name),
    entities,
  )} } }`;
}

export function updateDocument(
  entity: EntityDefinition,
  entities: ReadonlyMap<string, EntityDefinition>,
  names?: string[],
) {
  const type = pascalCase(entity.name);
  return `mutation Update($id: ID!, $input: ${type}Input!, $expectedVersion: Int) { record: ${rootNames(entity).update}(id: $id, input: $input, expectedVersion: $expectedVersion) { ${selection(
    entity,
    names ?? entity.fields.map((f) => f.name),
    entities,
  )} } }`;
}

export function deleteDocument(entity: EntityDefinition) {
  return `mutation Delete($id: ID!) { record: ${rootNames(entity).delete}(id: $id) { id } }`;
}

export function restoreDocument(entity: EntityDefinition) {
  return `mutation Restore($id: ID!) { record: ${rootNames(entity).restore}(id: $id) { id } }`;
}

/** The input key of a field in create/update mutations (`accountId` for the relation `account`). */
export function inputKey(entity: EntityDefinition, field: FieldDefinition): string {
  return field.type === 'relation' ? relationInputName(entity, field) : field.name;
}

/** A record's form values from a read record: relations become ids, money stays an object. */
export function toFormValues(entity: EntityDefinition, record: Row): Row {
  const values: Row = {};
  for (const field of entity.fields) {
    if (!isWritable(field)) continue;
    if (isManyToOne(field)) values[field.name] = (record[field.name] as Row | null)?.id ?? null;
    else if (isManyToMany(field)) values[field.name] = ((record[field.name] as Row[] | null) ?? []).map((r) => r.id);
    else values[field.name] = record[field.name] ?? null;
  }
  return values;
}

/** Form values → mutation input; only the given names (all writable fields when absent). */
export function toInput(entity: EntityDefinition, values: Row, names?: string[]): Row {
  const input: Row = {};
  for (const field of entity.fields) {
    if (!isWritable(field)) continue;
    if (names && !names.includes(field.name)) continue;
    if (!(field.name in values)) continue;
    let value = values[field.name];
    if (value === '' && field.type !== 'text' && field.type !== 'longText') value = null;
    if (field.type === 'currency' && value && typeof value === 'object') {
      const money = value as Row;
      value =
        money.amount === '' || money.amount == null ? null : { amount: String(money.amount), currency: money.currency };
    }
    if (
      (field.type === 'integer' || field.type === 'percent' || field.type === 'decimal') &&
      typeof value === 'string'
    ) {
      value = value.trim() === '' ? null : field.type === 'integer' ? Number(value) : value;
    }
    if (field.type === 'json' && typeof value === 'string') {
      try {
        value = value.trim() === '' ? null : JSON.parse(value);
      } catch {
        // Sent as text: the server names the field and says it is not JSON.
      }
    }
    input[inputKey(entity, field)] = value;
  }
  return input;
}

/** The server's issue path (`input.accountId`, `amount`, `fields.name`) → the form field it belongs to. */
export function issueField(entity: EntityDefinition, path: string): string | undefined {
  const parts = path.split(/[.[\]]/).filter(Boolean);
  for (const part of parts.reverse()) {
    const field = entity.fields.find((f) => f.name === part || inputKey(entity, f) === part);
    if (field) return field.name;
  }
  return undefined;
}

export interface RelatedList {
  key: string;
  /** The entity whose records point here. */
  entity: EntityDefinition;
  /** Its many-to-one field that points here. */
  field: FieldDefinition;
  labels: Labels;
}

/** Lists on a record page: every many-to-one elsewhere that points at this entity (an account's contacts…). */
export function relatedLists(entity: EntityDefinition, entities: EntityDefinition[]): RelatedList[] {
  const lists: RelatedList[] = [];
  for (const other of entities) {
    for (const field of other.fields) {
      if (!isManyToOne(field) || field.relation?.target !== entity.name) continue;
      lists.push({
        key: `r_${other.name}_${field.name}`,
        entity: other,
        field,
        labels: field.relation?.inverseLabels ?? other.pluralLabels ?? other.labels,
      });
    }
  }
  return lists;
}

/**
 * The related lists' queries, as few as the API's limit on aliases per request allows (each list is an alias,
 * and so is each `title:` inside it): a record pointed at from many places (a contact) needs more than one.
 */
export function relatedDocuments(
  lists: RelatedList[],
  entities: ReadonlyMap<string, EntityDefinition>,
  maxAliases = 20,
): string[] {
  const groups: string[][] = [];
  let current: string[] = [];
  let count = 0;
  for (const l of lists) {
    const columns = listColumns(l.entity)
      .filter((c) => c !== l.field.name)
      .slice(0, 4);
    const part = `${l.key}: ${rootNames(l.entity).many}(filter: { ${l.field.name}Id: { eq: $id } }, first: 5) { totalCount nodes { ${selection(l.entity, columns, entities)} } }`;
    const aliases = 1 + (part.match(/\btitle:/g)?.length ?? 0);
    if (current.length > 0 && count + aliases > maxAliases) {
      groups.push(current);
      current = [];
      count = 0;
    }
    current.push(part);
    count += aliases;
  }
  if (current.length > 0) groups.push(current);
  return groups.map((parts) => `query Related($id: ID!) { ${parts.join('\n')} }`);
}
