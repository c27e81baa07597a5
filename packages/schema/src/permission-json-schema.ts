// A JSON Schema (draft 2020-12) of one file of `schemas/permissions/` (a role or the sharing settings), for
// editors: completion, hover text and early errors. Built from the same key lists the validator uses; the
// validator (`readPermissionDocuments`, `checkPermissionReferences`) stays the authority.
import type { JsonSchema } from './json-schema.ts';
import { MAX_DESCRIPTION_LENGTH, MAX_ID_LENGTH, MAX_LABEL_LENGTH } from './limits.ts';
import { API_NAME_PATTERN } from './naming.ts';
import {
  FIELD_ACCESS_LEVELS,
  OBJECT_RIGHTS,
  RESERVED_PERMISSION_NAMES,
  SHARING_ACCESS,
  SHARING_DEFAULTS,
  SYSTEM_PERMISSIONS,
} from './permissions.ts';
import { LANGUAGES } from './types.ts';

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });
const text = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra });

function strict(properties: Record<string, JsonSchema>, required: string[] = [], description?: string): JsonSchema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

const labels = (max: number, description: string): JsonSchema =>
  strict(
    Object.fromEntries(LANGUAGES.map((l) => [l, { type: 'string', minLength: 1, maxLength: max }])),
    [...LANGUAGES],
    description,
  );

export function permissionJsonSchema(): JsonSchema {
  const role = strict(
    {
      kind: { const: 'role' },
      id: text('Stable identity across renames and instances (default: the name).', { maxLength: MAX_ID_LENGTH }),
      name: { ...ref('permissionName'), description: 'API name of the role (salesRep).' },
      labels: { ...ref('labels'), description: 'What screens call the role.' },
      description: ref('description'),
      reportsTo: {
        ...ref('permissionName'),
        description: "The role above this one: its holders see what this role's holders own.",
      },
      system: {
        type: 'array',
        description: 'Areas of administration the role may open.',
        items: { enum: [...SYSTEM_PERMISSIONS] },
        uniqueItems: true,
      },
      objects: {
        type: 'object',
        description: 'Rights per entity name, and `*` for every entity not named. Absent rights are false.',
        propertyNames: { anyOf: [{ const: '*' }, ref('entityName')] },
        additionalProperties: ref('objectAccess'),
      },
      fields: {
        type: 'object',
        description: 'Field access per entity and field; fields not listed are editable.',
        propertyNames: ref('entityName'),
        additionalProperties: {
          type: 'object',
          propertyNames: ref('entityName'),
          additionalProperties: { enum: [...FIELD_ACCESS_LEVELS] },
        },
      },
      partner: {
        type: 'boolean',
        description:
          "A partner user's role: sees only records linked to their partner company, owned by or shared with them.",
      },
      source: text('Which layer defines the role; set by the engine, leave it out of files.'),
    },
    ['kind', 'name', 'labels', 'objects'],
    'A role: what its holders may do with each entity and field.',
  );
  const entitySharing = strict(
    {
      default: {
        enum: [...SHARING_DEFAULTS],
        description: 'What users see of records nobody granted them.',
      },
      parent: text('For controlledByParent: the many-to-one relation whose record this one follows.', {
        pattern: API_NAME_PATTERN.source,
      }),
      ownerField: text('The relation to user that owns the record (default owner).', {
        pattern: API_NAME_PATTERN.source,
      }),
      teamField: text("A relation to team: the team's members and manager may read and edit.", {
        pattern: API_NAME_PATTERN.source,
      }),
      territoryField: text('A relation to territory: users of that territory or one above it may read and edit.', {
        pattern: API_NAME_PATTERN.source,
      }),
      partnerField: text("A relation to partner: that partner company's users may read and edit.", {
        pattern: API_NAME_PATTERN.source,
      }),
    },
    ['default'],
    "One entity's organisation-wide default and the fields that open it up.",
  );
  const rule = strict(
    {
      id: text('Stable identity (default: the name).', { maxLength: MAX_ID_LENGTH }),
      name: ref('permissionName'),
      labels: ref('labels'),
      entity: ref('entityName'),
      condition: {
        type: 'object',
        minProperties: 1,
        description: "A filter in the API's filter language: the records it matches are shared.",
      },
      role: {
        ...ref('permissionName'),
        description: 'Holders of this role and of every role above it get the access.',
      },
      access: { enum: [...SHARING_ACCESS] },
      source: text('Which layer defines the rule; set by the engine, leave it out of files.'),
    },
    ['name', 'labels', 'entity', 'condition', 'role', 'access'],
    'A criteria sharing rule.',
  );
  const sharing = strict(
    {
      kind: { const: 'sharing' },
      entities: {
        type: 'object',
        description: 'Per entity name; an entity not listed is publicReadWrite (object access still applies).',
        propertyNames: ref('entityName'),
        additionalProperties: entitySharing,
      },
      rules: { type: 'array', items: rule },
    },
    ['kind'],
    'The organisation-wide defaults and the criteria sharing rules.',
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://touchpoint.dev/schemas/permission.schema.json',
    title: 'Touchpoint permission document',
    description: 'One file of schemas/permissions/: a role (kind: role) or the sharing settings (kind: sharing).',
    type: 'object',
    required: ['kind'],
    properties: { kind: { enum: ['role', 'sharing'] } },
    oneOf: [ref('role'), ref('sharing')],
    $defs: {
      role,
      sharing,
      permissionName: {
        type: 'string',
        pattern: API_NAME_PATTERN.source,
        not: { enum: [...RESERVED_PERMISSION_NAMES] },
      },
      entityName: { type: 'string', pattern: API_NAME_PATTERN.source },
      labels: labels(MAX_LABEL_LENGTH, `A text in every language Touchpoint ships: ${LANGUAGES.join(', ')}.`),
      description: labels(MAX_DESCRIPTION_LENGTH, 'What the role is for, in every language.'),
      objectAccess: strict(
        Object.fromEntries(OBJECT_RIGHTS.map((r) => [r, { type: 'boolean' }])),
        [],
        'Rights on the records of one entity; absent is false.',
      ),
    },
  };
}
