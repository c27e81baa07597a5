// A JSON Schema (draft 2020-12) of one entity YAML file, for editors: completion, hover text and early
// errors. Generated from the same registry and key lists the validator uses, so the two cannot drift;
// the validator stays the authority (cross-field and cross-entity rules are not expressible here).
import { fieldTypeNames, getFieldType } from './field-types.ts';
import { FORMULA_MAX_LENGTH } from './formula.ts';
import { API_NAME_PATTERN, RESERVED_ENTITY_NAMES, RESERVED_ENTITY_SUFFIXES, RESERVED_FIELD_NAMES } from './naming.ts';
import { LANGUAGES } from './types.ts';
import { TITLE_FIELD_TYPES } from './validate-entity.ts';
import { fieldOptionKeys, MAX_PATTERN_LENGTH, MAX_TEXT_LENGTH_BOUND } from './validate-field.ts';
import {
  AUTONUMBER_PREFIX_MAX_LENGTH,
  COLOR_PATTERN,
  FORMULA_RESULT_TYPES,
  MAX_SELECT_OPTIONS,
  ON_DELETE_ACTIONS,
  OPTION_VALUE_PATTERN,
  RELATION_KINDS,
  ROLLUP_FUNCTIONS,
} from './validate-field-options.ts';
import { INDEX_NAME_PATTERN, SORT_DIRECTIONS } from './validate-layout.ts';

export type JsonSchema = { [key: string]: unknown };

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });
const text = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra });
const flag = (description: string): JsonSchema => ({ type: 'boolean', description });
const names = (description: string): JsonSchema => ({
  type: 'array',
  description,
  items: ref('fieldName'),
  minItems: 1,
  uniqueItems: true,
});

function strict(properties: Record<string, JsonSchema>, required: string[] = [], description?: string): JsonSchema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

/** Descriptions of the common field keys, shown by editors on hover. */
const COMMON_FIELD_PROPERTIES: Record<string, JsonSchema> = {
  id: text(
    'Stable identity: survives renames, so a rename renames the column. Derived as <entity>.<field> when absent.',
  ),
  name: {
    ...ref('fieldName'),
    description: 'API name; in the mapping form the key is the name, so leave this out.',
  },
  type: {
    type: 'string',
    enum: fieldTypeNames(),
    description: 'The field type; it decides the column and the options.',
  },
  labels: { ...ref('labels'), description: 'What screens call the field.' },
  helpText: { ...ref('labels'), description: 'A hint shown beside the input.' },
  required: flag('A record cannot be saved without a value.'),
  unique: flag('No two records may have the same value (a unique index).'),
  default: { description: "Value for new records, in the field's input form ({ amount, currency } for currency)." },
  readOnly: flag('Shown but not editable by users; a required read-only field needs a default.'),
  trackHistory: flag("Keep the field's history (who changed it when, old → new), read from the audit log."),
  source: text('Which layer contributed the field; set by the engine, leave it out of files.'),
};

/** Descriptions of the type-specific option keys; every key a registered type names must be here. */
const OPTION_PROPERTIES: Record<string, JsonSchema> = {
  min: { type: ['number', 'string'], description: 'Inclusive lower bound: a number, or an ISO date for dates.' },
  max: { type: ['number', 'string'], description: 'Inclusive upper bound: a number, or an ISO date for dates.' },
  minLength: { type: 'integer', minimum: 0, maximum: MAX_TEXT_LENGTH_BOUND, description: 'Fewest characters.' },
  maxLength: { type: 'integer', minimum: 1, maximum: MAX_TEXT_LENGTH_BOUND, description: 'Most characters.' },
  pattern: text('A regular expression the whole value must match (Unicode mode).', {
    minLength: 1,
    maxLength: MAX_PATTERN_LENGTH,
  }),
  scale: { type: 'integer', minimum: 0, maximum: 10, description: 'Digits after the decimal point (default 2).' },
  substringSearch: flag(
    'Find records by any part of this value (search); the engine keeps substring indexes on it. A formula must be indexable: stored text, number and true/false fields, & and immutable functions.',
  ),
  currencyCode: text('ISO 4217 code used when an input names no currency, e.g. CNY.', { pattern: '^[A-Z]{3}$' }),
  options: {
    type: 'array',
    description: 'The choices of a select or multiSelect field.',
    items: ref('selectOption'),
    minItems: 1,
    maxItems: MAX_SELECT_OPTIONS,
  },
  relation: ref('relation'),
  autonumber: ref('autonumber'),
  formula: ref('formula'),
  rollup: ref('rollup'),
};

/** Per type: the option blocks it needs, and `false` for the option keys of other types. */
function typeRules(): JsonSchema[] {
  const allOptions = fieldOptionKeys();
  const blocks = ['options', 'relation', 'autonumber', 'formula', 'rollup'];
  return fieldTypeNames().map((name) => {
    const accepted = getFieldType(name)?.options ?? [];
    const forbidden = Object.fromEntries(allOptions.filter((k) => !accepted.includes(k)).map((k) => [k, false]));
    const required = accepted.filter((k) => blocks.includes(k));
    return {
      if: { properties: { type: { const: name } }, required: ['type'] },
      // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword, not a thenable.
      then: { ...(required.length > 0 ? { required } : {}), properties: forbidden },
    };
  });
}

function fieldSchema(): JsonSchema {
  const optionProperties = Object.fromEntries(
    fieldOptionKeys().map((k) => [k, OPTION_PROPERTIES[k] ?? { description: `Option of a plugin field type.` }]),
  );
  return {
    type: 'object',
    description: 'A field: a column (or a computed value) of the entity.',
    properties: { ...COMMON_FIELD_PROPERTIES, ...optionProperties },
    required: ['type', 'labels'],
    additionalProperties: false,
    allOf: typeRules(),
  };
}

const VIEWS = strict(
  {
    list: strict({ columns: names('Columns of the list, left to right.') }, ['columns'], 'The table of records.'),
    form: strict(
      {
        sections: {
          type: 'array',
          minItems: 1,
          items: strict(
            {
              labels: ref('labels'),
              fields: names('Fields of the section, in order; each field on one section only.'),
              columns: { enum: [1, 2], description: 'Fields side by side (default 1).' },
            },
            ['labels', 'fields'],
          ),
        },
      },
      ['sections'],
      'The record form; every required field must be on it.',
    ),
    kanban: strict({ groupBy: { ...ref('fieldName'), description: 'A select field; one column per option.' } }, [
      'groupBy',
    ]),
    calendar: strict(
      {
        dateField: { ...ref('fieldName'), description: 'A date or datetime field placing each record.' },
        endField: { ...ref('fieldName'), description: 'Optional date or datetime field where a record ends.' },
      },
      ['dateField'],
    ),
  },
  [],
  'Screens of the entity.',
);

/** The JSON Schema of one entity file (`schemas/entities/*.yaml`), fields written as a mapping. */
export function entityJsonSchema(): JsonSchema {
  const apiName = API_NAME_PATTERN.source;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Touchpoint entity',
    description:
      'One entity of the Touchpoint metadata language: a table, its fields and its screens. Checked fully by @touchpoint/schema.',
    type: 'object',
    properties: {
      name: { ...ref('entityName'), description: 'API name, camelCase singular, e.g. account or opportunityLine.' },
      id: text('Stable identity of the entity; defaults to the name.'),
      pluralName: { ...ref('entityName'), description: 'Plural API name; derived from the name when absent.' },
      labels: { ...ref('labels'), description: 'What screens call one record.' },
      pluralLabels: { ...ref('labels'), description: 'What screens call several records.' },
      description: { ...ref('labels'), description: 'What the entity is for.' },
      titleField: {
        ...ref('fieldName'),
        description: `The field naming a record in lists and pickers: ${TITLE_FIELD_TYPES.join(', ')} or a text formula.`,
      },
      fields: {
        description: 'Field name → definition, in display order (a list of definitions with names is accepted too).',
        anyOf: [
          {
            type: 'object',
            minProperties: 1,
            propertyNames: ref('fieldName'),
            additionalProperties: { anyOf: [ref('field'), { type: 'null' }] },
          },
          { type: 'array', minItems: 1, items: { ...ref('field'), required: ['name', 'type', 'labels'] } },
        ],
      },
      indexes: {
        type: 'array',
        description: 'Database indexes beyond the ones Touchpoint makes itself.',
        items: strict(
          {
            name: text('Name of the index (optional).', { pattern: INDEX_NAME_PATTERN.source }),
            fields: names('Stored fields of the index, in order.'),
            unique: flag('No two records may have the same values.'),
          },
          ['fields'],
        ),
      },
      defaultSort: {
        type: 'array',
        description: 'How lists are ordered when the user picks nothing.',
        items: strict({ field: ref('fieldName'), direction: { enum: [...SORT_DIRECTIONS] } }, ['field', 'direction']),
      },
      views: VIEWS,
      trackHistory: flag('Keep the history of every field (who changed it when, old → new), read from the audit log.'),
      source: text('Which layer contributed the entity; set by the engine, leave it out of files.'),
    },
    required: ['name', 'labels', 'titleField', 'fields'],
    additionalProperties: false,
    $defs: {
      entityName: {
        type: 'string',
        pattern: apiName,
        not: { anyOf: [{ enum: RESERVED_ENTITY_NAMES }, { pattern: `(${RESERVED_ENTITY_SUFFIXES.join('|')})$` }] },
      },
      fieldName: { type: 'string', pattern: apiName, not: { enum: RESERVED_FIELD_NAMES } },
      labels: strict(
        Object.fromEntries(LANGUAGES.map((l) => [l, { type: 'string', minLength: 1 }])),
        [...LANGUAGES],
        `A text in every language Touchpoint ships: ${LANGUAGES.join(', ')}.`,
      ),
      field: fieldSchema(),
      selectOption: strict(
        {
          value: text('Stored value; letters, digits and _, starting with a letter.', {
            pattern: OPTION_VALUE_PATTERN.source,
            not: { enum: ['true', 'false', 'null'] },
          }),
          labels: ref('labels'),
          color: text('Colour of chips and kanban columns, #rrggbb.', { pattern: COLOR_PATTERN.source }),
        },
        ['value', 'labels'],
      ),
      relation: strict(
        {
          target: { ...ref('entityName'), description: 'The entity this field points at.' },
          kind: { enum: [...RELATION_KINDS], description: 'manyToOne: one target record; manyToMany: a list.' },
          inverse: { ...ref('fieldName'), description: 'Name of the list of these records shown on the target.' },
          inverseLabels: ref('labels'),
          onDelete: {
            enum: [...ON_DELETE_ACTIONS],
            description: 'What happens to this reference when the target is deleted for good (manyToOne only).',
          },
        },
        ['target', 'kind'],
        'Options of a relation field.',
      ),
      autonumber: strict(
        {
          prefix: text('Text before the number, e.g. CASE-.', { maxLength: AUTONUMBER_PREFIX_MAX_LENGTH }),
          digits: { type: 'integer', minimum: 1, maximum: 12, description: 'Zero-padded width of the number.' },
          start: { type: 'integer', minimum: 0, description: 'First number (default 1).' },
        },
        ['prefix', 'digits'],
        'Options of an autonumber field.',
      ),
      formula: strict(
        {
          expression: text(
            "An expression over the record's fields, e.g. amount * probability / 100 or firstName & ' ' & lastName.",
            { minLength: 1, maxLength: FORMULA_MAX_LENGTH },
          ),
          resultType: { enum: [...FORMULA_RESULT_TYPES], description: 'The type the expression yields.' },
        },
        ['expression', 'resultType'],
        'Options of a formula field.',
      ),
      rollup: strict(
        {
          relation: {
            ...ref('fieldName'),
            description: 'A to-many relation of this entity (an inverse or a manyToMany).',
          },
          fn: { enum: [...ROLLUP_FUNCTIONS], description: 'How the related values are combined.' },
          field: { ...ref('fieldName'), description: 'Field of the related entity; not needed for count.' },
          filter: { type: 'object', description: 'Only related records matching this filter count.' },
        },
        ['relation', 'fn'],
        'Options of a rollup field.',
      ),
    },
  };
}
