// Validation of the metadata language: every problem of an entity or of a whole set of entities, as
// issues, never only the first. Paths index lists from 0 (`fields[3].options[0].color`), also for
// entities written in YAML where `fields` is a mapping: `fields[3]` is the fourth field in file order.
import { type Issue, IssueCollector } from './errors.ts';
import { pluralize } from './naming.ts';
import type { EntityDefinition } from './types.ts';
import { validateEntityInto } from './validate-entity.ts';
import { validateField } from './validate-field.ts';
import { type ValidateMetadataOptions, validateMetadataIssues } from './validate-metadata.ts';

export type { ValidateMetadataOptions } from './validate-metadata.ts';

/**
 * Checks one entity on its own (shape, names, labels, field types and options, formulas, title field,
 * indexes, sort, views). Relation targets, inverses and rollups need the other entities: see
 * `validateMetadata`. `path` prefixes every issue's path, e.g. `entities[2]`.
 */
export function validateEntity(def: unknown, path = ''): Issue[] {
  const issues = new IssueCollector();
  validateEntityInto(issues, path, def);
  return issues.issues;
}

/**
 * Checks one field definition on its own (keys, name, labels, type, options, bounds, default). Formulas
 * and references to other fields are checked with the entity (`validateEntity`, `validateMetadata`).
 */
export function validateFieldDefinition(def: unknown, path = ''): Issue[] {
  const issues = new IssueCollector();
  validateField(issues, path, def);
  return issues.issues;
}

/** Checks every entity on its own and all of them together: the complete list of issues. */
export function validateMetadata(
  entities: readonly EntityDefinition[],
  options: ValidateMetadataOptions = {},
): Issue[] {
  return validateMetadataIssues(entities, options);
}

/** Fills what is derived when absent: the plural name and each field's stable id `<entity>.<field>`. */
export function normalizeEntity(entity: EntityDefinition): EntityDefinition {
  return {
    ...entity,
    pluralName: entity.pluralName ?? pluralize(entity.name),
    fields: entity.fields.map((field) => ({ ...field, id: field.id ?? `${entity.name}.${field.name}` })),
  };
}
