// Names: how an API name becomes a table, a column, a GraphQL type, a plural, and which names are taken.

/** `opportunityLine` → `opportunity_line` */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** `opportunityLine` → `OpportunityLine` */
export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** English plural of a camelCase API name: `opportunity` → `opportunities`, `case` → `cases`. */
export function pluralize(name: string): string {
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}

/** English singular of a camelCase plural: `opportunities` → `opportunity`, `tags` → `tag`. */
export function singularize(name: string): string {
  if (/[^aeiou]ies$/.test(name)) return `${name.slice(0, -3)}y`;
  if (/(ss|x|z|ch|sh)es$/.test(name)) return name.slice(0, -2);
  if (/[^s]s$/.test(name)) return name.slice(0, -1);
  return name;
}

/** API names of entities and fields: camelCase, starting with a lower-case letter, at most 40 characters. */
export const API_NAME_PATTERN = /^[a-z][a-zA-Z0-9]{0,39}$/;

/** Field names every record has; an entity cannot declare them. */
export const SYSTEM_FIELD_NAMES: readonly string[] = [
  'id',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'version',
  'deletedAt',
];

/**
 * Names of Object.prototype's members and `prototype`: code that keys a plain object by a name would find
 * these without anyone defining them (`{}['constructor']`), and `__proto__` would set the prototype.
 */
export const RESERVED_OBJECT_NAMES: readonly string[] = [
  'constructor',
  'prototype',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
];

/** Words a field cannot be called because the filter language or GraphQL uses them. */
export const RESERVED_FIELD_NAMES: readonly string[] = [
  ...SYSTEM_FIELD_NAMES,
  'and',
  'or',
  'not',
  'some',
  'none',
  'every',
  'cursor',
  'node',
  'edges',
  'nodes',
  'pageInfo',
  'totalCount',
  ...RESERVED_OBJECT_NAMES,
];

/** Entity names that would collide with the API's own root fields or types. */
export const RESERVED_ENTITY_NAMES: readonly string[] = [
  'entity',
  'entities',
  'field',
  'fields',
  'metadata',
  'workspace',
  'workspaces',
  'query',
  'mutation',
  'subscription',
  'node',
  'nodes',
  'search',
  'timeline',
  'pageInfo',
  'money',
  'date',
  'dateTime',
  'decimal',
  'json',
  'string',
  'int',
  'float',
  'boolean',
  'id',
  'plugin',
  'plugins',
  'action',
  'report',
  'reports',
  'system',
  'touchpoint',
  ...RESERVED_OBJECT_NAMES,
];

/** Suffixes of the GraphQL types generated per entity; an entity name ending in one would collide. */
export const RESERVED_ENTITY_SUFFIXES: readonly string[] = [
  'Connection',
  'Edge',
  'Filter',
  'OrderBy',
  'Input',
  'Aggregate',
  'Group',
  'Payload',
  'Result',
  'Field',
];

interface NamedEntity {
  name: string;
  pluralName?: string;
  fields: readonly { name: string; type: string; relation?: { kind: string } }[];
}

/**
 * The GraphQL root field names of an entity (`account`, `accounts`, `createAccount`, …). Shared by the API
 * that generates them and the screens that call them, so the two cannot drift apart.
 */
export function entityRootFieldNames(entity: NamedEntity) {
  const plural = entity.pluralName ?? pluralize(entity.name);
  const type = pascalCase(entity.name);
  return {
    one: entity.name,
    many: plural,
    aggregate: `${plural}Aggregate`,
    create: `create${type}`,
    createMany: `create${pascalCase(plural)}`,
    update: `update${type}`,
    delete: `delete${type}`,
    restore: `restore${type}`,
  };
}

/**
 * The input name of a relation field: `accountId` for a many-to-one `account`, `tagIds` for a many-to-many
 * `tags` (`tagsIds` if the singular would clash with another field).
 */
export function relationInputName(entity: NamedEntity, field: NamedEntity['fields'][number]): string {
  if (field.relation?.kind !== 'manyToMany') return `${field.name}Id`;
  const singular = `${singularize(field.name)}Ids`;
  const clash = entity.fields.some(
    (f) =>
      f !== field &&
      (f.name === singular ||
        (f.type === 'relation' && f.relation?.kind === 'manyToOne' && `${f.name}Id` === singular)),
  );
  return clash ? `${field.name}Ids` : singular;
}
