// The permission language: roles (what a user may do with each entity and field, and which system areas they
// administer) and sharing settings (which records each user sees). Metadata like entities: YAML in
// `schemas/permissions/`, layered (core, plugins, the admin's changes), versioned and exported. Pure data; the
// engine compiles it into SQL (`packages/engine/src/permissions/`).

import type { Issue } from './errors.ts';
import { IssueCollector } from './errors.ts';
import { MAX_DESCRIPTION_LENGTH, MAX_ID_LENGTH, MAX_LABEL_LENGTH, MAX_NAME_LENGTH, tooLong } from './limits.ts';
import { API_NAME_PATTERN, RESERVED_OBJECT_NAMES } from './naming.ts';
import { type EntityDefinition, LANGUAGES, type Labels } from './types.ts';

/** What a role may do with the records of one entity. Absent means `false`: deny by default. */
export const OBJECT_RIGHTS = ['read', 'create', 'edit', 'delete', 'restore', 'export', 'viewAll', 'modifyAll'] as const;
export type ObjectRight = (typeof OBJECT_RIGHTS)[number];
export type ObjectAccess = Partial<Record<ObjectRight, boolean>>;

/** What a role may do with one field. Absent means `editable` (when the role may edit the record at all). */
export const FIELD_ACCESS_LEVELS = ['hidden', 'readOnly', 'editable'] as const;
export type FieldAccess = (typeof FIELD_ACCESS_LEVELS)[number];

/** Areas of administration a role may open; the built-in `admin` role has all of them. */
export const SYSTEM_PERMISSIONS = [
  /** The designer and the metadata API: entities, fields, views, metadata as code. */
  'manageMetadata',
  /** Users, invitations, role assignments. */
  'manageUsers',
  /** Installing, upgrading and removing plugins; running plugin administration. */
  'managePlugins',
  /** Roles, field access, organisation-wide defaults and sharing rules; "why can I see this". */
  'manageSharing',
  /** The audit log. */
  'viewAuditLog',
] as const;
export type SystemPermission = (typeof SYSTEM_PERMISSIONS)[number];

/** The key of `objects` that gives the rights for every entity not listed by name. */
export const ANY_ENTITY = '*';

export interface RoleDefinition {
  /** Stable id, carried across renames and instances (default: the name). */
  id?: string;
  /** API name: letters and digits, starting with a lowercase letter (`salesRep`). */
  name: string;
  labels: Labels;
  description?: Labels;
  /** The role above this one in the role hierarchy: its holders see what this role's holders own. */
  reportsTo?: string;
  system?: SystemPermission[];
  /** Rights per entity name, and `'*'` for every other entity. */
  objects: Record<string, ObjectAccess>;
  /** Field access per entity name and field name; fields not listed are editable. */
  fields?: Record<string, Record<string, FieldAccess>>;
  /**
   * A partner user's role (EXT-1): its holders see only records linked to their partner company (through
   * the entity's `partnerField`) or owned by them or shared with them, whatever the organisation-wide default.
   */
  partner?: boolean;
  /** Which layer defines it: `core`, `plugin:<id>`, `workspace`. Set by the engine. */
  source?: string;
}

/** The organisation-wide default of an entity: what users see of records they have no grant on. */
export const SHARING_DEFAULTS = ['private', 'publicRead', 'publicReadWrite', 'controlledByParent'] as const;
export type SharingDefault = (typeof SHARING_DEFAULTS)[number];

export interface EntitySharing {
  default: SharingDefault;
  /** For `controlledByParent`: the many-to-one relation field whose target's access this record follows. */
  parent?: string;
  /** The relation to `user` that owns the record (default `owner` when the entity has it). */
  ownerField?: string;
  /** A relation to `team`: the team's members and manager may read and edit the record (a case's queue). */
  teamField?: string;
  /** A relation to `territory`: users assigned to that territory or one above it may read and edit it. */
  territoryField?: string;
  /** A relation to `partner`: that partner company's users may read and edit it (default `partner`). */
  partnerField?: string;
}

export type SharingAccess = 'read' | 'edit';

/** A criteria sharing rule: records of `entity` matching `condition` are shared with the holders of `role`. */
export interface SharingRule {
  id?: string;
  name: string;
  labels: Labels;
  entity: string;
  /** A filter in the API's filter language (`{ territory: { region: { eq: east } } }`). */
  condition: Record<string, unknown>;
  /** Holders of this role, and of every role above it in the hierarchy, get the access. */
  role: string;
  access: SharingAccess;
  source?: string;
}

export interface SharingSettings {
  /** Per entity name; an entity not listed is `publicReadWrite` (object access still applies). */
  entities: Record<string, EntitySharing>;
  rules: SharingRule[];
}

/** The permission part of a workspace's effective metadata. */
export interface PermissionModel {
  roles: RoleDefinition[];
  sharing: SharingSettings;
}

/**
 * The permission sets a plugin ships (`metadata/permissions/*.yaml` of its archive), for its own entities only:
 * new roles (`kind: role`, without system permissions), rights on its entities for roles of other layers
 * (`kind: grant`, `role: salesRep`, `objects`, `fields`), and the sharing of its entities (`kind: sharing`).
 */
export interface PluginPermissionSet {
  roles?: RoleDefinition[];
  grants?: Pick<RoleDefinition, 'name' | 'objects' | 'fields'>[];
  sharing?: { entities?: Record<string, EntitySharing>; rules?: SharingRule[] };
}

/** One YAML document of `schemas/permissions/`: `kind: role` or `kind: sharing`. */
export type PermissionDocument = ({ kind: 'role' } & RoleDefinition) | ({ kind: 'sharing' } & Partial<SharingSettings>);

export const EMPTY_PERMISSIONS: PermissionModel = { roles: [], sharing: { entities: {}, rules: [] } };

/** The keys a role may carry (`kind` belongs to the document, not the role). */
export const ROLE_KEYS = [
  'id',
  'name',
  'labels',
  'description',
  'reportsTo',
  'system',
  'objects',
  'fields',
  'partner',
  'source',
] as const;
/** The keys of one entity's sharing settings. */
export const ENTITY_SHARING_KEYS = [
  'default',
  'parent',
  'ownerField',
  'teamField',
  'territoryField',
  'partnerField',
] as const;
/** The keys of a sharing rule. */
export const SHARING_RULE_KEYS = ['id', 'name', 'labels', 'entity', 'condition', 'role', 'access', 'source'] as const;
export const SHARING_ACCESS = ['read', 'edit'] as const;

/** Role and sharing rule names: like API names (letters and digits, a lowercase letter first), at most 40. */
export const PERMISSION_NAME_PATTERN = API_NAME_PATTERN;

/**
 * Names a role or a rule cannot take: the members of every JavaScript object (`constructor`, `toString`…),
 * which code keying a map by name would find without anyone defining them, and the names of actors that are
 * not users (`system`, `plugin`), so an audit row never reads as if a role had acted.
 */
export const RESERVED_PERMISSION_NAMES: readonly string[] = [...RESERVED_OBJECT_NAMES, 'system', 'plugin', 'everyone'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function checkLabels(issues: IssueCollector, path: string, value: unknown, required: boolean, max: number): void {
  if (value === undefined && !required) return;
  if (!isObject(value)) {
    issues.add(path, `must give a text in each language: { ${LANGUAGES.map((l) => `${l}: …`).join(', ')} }`);
    return;
  }
  for (const language of LANGUAGES) {
    const text = value[language];
    if (typeof text !== 'string' || text.trim() === '') {
      issues.add(`${path}.${language}`, `must be a text, got ${describeValue(text)}`);
      continue;
    }
    const long = tooLong(text, max, 'the text');
    if (long) issues.add(`${path}.${language}`, long);
  }
  for (const key of Object.keys(value)) {
    if (!(LANGUAGES as readonly string[]).includes(key)) {
      issues.add(`${path}.${key}`, 'is not a language Touchpoint ships', { allowed: [...LANGUAGES] });
    }
  }
}

function checkName(issues: IssueCollector, path: string, value: unknown, what: string): void {
  if (typeof value !== 'string') {
    issues.add(path, `${what} must be a name (a text), got ${describeValue(value)}`);
  } else if (RESERVED_PERMISSION_NAMES.includes(value)) {
    issues.add(path, `"${value}" is reserved; reserved: ${RESERVED_PERMISSION_NAMES.join(', ')}`);
  } else if (!PERMISSION_NAME_PATTERN.test(value)) {
    issues.add(
      path,
      `${what} must be letters and digits starting with a lowercase letter, at most ${MAX_NAME_LENGTH} characters, got ${describeValue(value)}`,
    );
  }
}

function checkId(issues: IssueCollector, path: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value === '' || value.length > MAX_ID_LENGTH) {
    issues.add(path, `must be a text of 1 to ${MAX_ID_LENGTH} characters, got ${describeValue(value)}`);
  }
}

function checkUnknownKeys(
  issues: IssueCollector,
  path: string,
  value: Record<string, unknown>,
  allowed: readonly string[],
  what: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      issues.add(`${path}.${key}`, `is not a key of ${what}; allowed: ${allowed.join(', ')}`, { allowed });
    }
  }
}

const ENTITY_KEY = (key: string) => key === ANY_ENTITY || API_NAME_PATTERN.test(key);

/** The problems of one role's shape (not its references to entities, roles), each under `path`. */
export function validateRole(value: unknown, path: string): Issue[] {
  const issues = new IssueCollector();
  if (!isObject(value)) {
    issues.add(path, `a role must be a mapping (name, labels, objects…), got ${describeValue(value)}`);
    return issues.issues;
  }
  const role = value;
  checkUnknownKeys(issues, path, role, ROLE_KEYS, 'a role');
  checkId(issues, `${path}.id`, role.id);
  checkName(issues, `${path}.name`, role.name, 'the name');
  checkLabels(issues, `${path}.labels`, role.labels, true, MAX_LABEL_LENGTH);
  checkLabels(issues, `${path}.description`, role.description, false, MAX_DESCRIPTION_LENGTH);
  if (role.reportsTo !== undefined) checkName(issues, `${path}.reportsTo`, role.reportsTo, 'reportsTo');
  if (role.system !== undefined) {
    if (!Array.isArray(role.system)) {
      issues.add(`${path}.system`, `must be a list of system permissions, got ${describeValue(role.system)}`, {
        allowed: [...SYSTEM_PERMISSIONS],
      });
    } else {
      role.system.forEach((p, i) => {
        if (!(SYSTEM_PERMISSIONS as readonly unknown[]).includes(p)) {
          issues.add(`${path}.system[${i}]`, `is not a system permission: ${describeValue(p)}`, {
            allowed: [...SYSTEM_PERMISSIONS],
          });
        } else if (role.system && (role.system as unknown[]).indexOf(p) !== i) {
          issues.add(`${path}.system[${i}]`, `${String(p)} is listed twice`);
        }
      });
    }
  }
  if (!isObject(role.objects)) {
    issues.add(`${path}.objects`, `must map entity names (or \`*\`) to rights, got ${describeValue(role.objects)}`);
  } else {
    for (const [entity, rights] of Object.entries(role.objects)) {
      const at = `${path}.objects.${entity}`;
      if (!ENTITY_KEY(entity)) issues.add(at, 'must be an entity name or `*`');
      if (!isObject(rights)) {
        issues.add(at, `must map rights to true or false, got ${describeValue(rights)}`, {
          allowed: [...OBJECT_RIGHTS],
        });
        continue;
      }
      for (const [right, allowed] of Object.entries(rights)) {
        if (!(OBJECT_RIGHTS as readonly string[]).includes(right)) {
          issues.add(`${at}.${right}`, 'is not an object right', { allowed: [...OBJECT_RIGHTS] });
        } else if (typeof allowed !== 'boolean') {
          issues.add(`${at}.${right}`, `must be true or false, got ${describeValue(allowed)}`);
        }
      }
    }
  }
  if (role.fields !== undefined) {
    if (!isObject(role.fields)) {
      issues.add(`${path}.fields`, `must map entity names to field access, got ${describeValue(role.fields)}`);
    } else {
      for (const [entity, fields] of Object.entries(role.fields)) {
        const at = `${path}.fields.${entity}`;
        if (!API_NAME_PATTERN.test(entity)) issues.add(at, 'must be an entity name');
        if (!isObject(fields)) {
          issues.add(at, `must map field names to an access level, got ${describeValue(fields)}`, {
            allowed: [...FIELD_ACCESS_LEVELS],
          });
          continue;
        }
        for (const [field, access] of Object.entries(fields)) {
          if (!API_NAME_PATTERN.test(field)) issues.add(`${at}.${field}`, 'must be a field name');
          else if (!(FIELD_ACCESS_LEVELS as readonly unknown[]).includes(access)) {
            issues.add(`${at}.${field}`, `is not an access level: ${describeValue(access)}`, {
              allowed: [...FIELD_ACCESS_LEVELS],
            });
          }
        }
      }
    }
  }
  if (role.partner !== undefined && typeof role.partner !== 'boolean') {
    issues.add(`${path}.partner`, `must be true or false, got ${describeValue(role.partner)}`);
  }
  if (role.source !== undefined && typeof role.source !== 'string') {
    issues.add(`${path}.source`, 'is set by the engine: leave it out');
  }
  return issues.issues;
}

/** The problems of one entity's sharing settings, each under `path`. */
export function validateEntitySharing(setting: unknown, path: string): Issue[] {
  const issues = new IssueCollector();
  if (!isObject(setting)) {
    issues.add(path, `must be a mapping with \`default\`, got ${describeValue(setting)}`, {
      allowed: [...ENTITY_SHARING_KEYS],
    });
    return issues.issues;
  }
  checkUnknownKeys(issues, path, setting, ENTITY_SHARING_KEYS, 'sharing settings');
  if (!(SHARING_DEFAULTS as readonly unknown[]).includes(setting.default)) {
    issues.add(`${path}.default`, `is not a sharing default: ${describeValue(setting.default)}`, {
      allowed: [...SHARING_DEFAULTS],
    });
  }
  if (setting.default === 'controlledByParent' && setting.parent === undefined) {
    issues.add(`${path}.parent`, 'must name the relation field whose record this one follows (controlledByParent)');
  }
  if (setting.default !== 'controlledByParent' && setting.parent !== undefined) {
    issues.add(`${path}.parent`, 'is only for `default: controlledByParent`');
  }
  for (const key of ENTITY_SHARING_KEYS) {
    if (key === 'default' || setting[key] === undefined) continue;
    if (typeof setting[key] !== 'string' || !API_NAME_PATTERN.test(setting[key] as string)) {
      issues.add(`${path}.${key}`, `must be a field name, got ${describeValue(setting[key])}`);
    }
  }
  return issues.issues;
}

/** The problems of one sharing rule's shape, each under `path`. */
export function validateSharingRule(rule: unknown, path: string): Issue[] {
  const issues = new IssueCollector();
  if (!isObject(rule)) {
    issues.add(path, `must be a mapping: ${SHARING_RULE_KEYS.join(', ')}; got ${describeValue(rule)}`);
    return issues.issues;
  }
  checkUnknownKeys(issues, path, rule, SHARING_RULE_KEYS, 'a sharing rule');
  checkId(issues, `${path}.id`, rule.id);
  checkName(issues, `${path}.name`, rule.name, 'the name');
  checkLabels(issues, `${path}.labels`, rule.labels, true, MAX_LABEL_LENGTH);
  if (typeof rule.entity !== 'string' || !API_NAME_PATTERN.test(rule.entity)) {
    issues.add(`${path}.entity`, `must name an entity, got ${describeValue(rule.entity)}`);
  }
  if (!isObject(rule.condition)) {
    issues.add(
      `${path}.condition`,
      `must be a filter (a mapping of fields to conditions), got ${describeValue(rule.condition)}`,
    );
  } else if (Object.keys(rule.condition).length === 0) {
    issues.add(`${path}.condition`, 'must not be empty: a rule sharing every record is the `publicRead` default');
  }
  if (typeof rule.role !== 'string') issues.add(`${path}.role`, `must name a role, got ${describeValue(rule.role)}`);
  if (!(SHARING_ACCESS as readonly unknown[]).includes(rule.access)) {
    issues.add(`${path}.access`, `must be read or edit, got ${describeValue(rule.access)}`, {
      allowed: [...SHARING_ACCESS],
    });
  }
  if (rule.source !== undefined && typeof rule.source !== 'string') {
    issues.add(`${path}.source`, 'is set by the engine: leave it out');
  }
  return issues.issues;
}

/**
 * Checks a whole model: the shape of each role, setting and rule (paths `roles.<name>`, `sharing.entities.<entity>`,
 * `sharing.rules.<name>`), and what holds between them: unique role and rule names, `reportsTo` naming a role
 * without a cycle, rules naming roles. Every problem at once. Entities and fields are checked by
 * `checkPermissionReferences`.
 */
export function validatePermissionModel(model: unknown): Issue[] {
  const issues = new IssueCollector();
  if (!isObject(model) || !Array.isArray(model.roles) || !isObject(model.sharing)) {
    issues.add('', 'a permission model is { roles: [...], sharing: { entities, rules } }');
    return issues.issues;
  }
  const roleAt = (role: unknown, i: number) =>
    isObject(role) && typeof role.name === 'string' && role.name !== '' ? `roles.${role.name}` : `roles[${i}]`;
  model.roles.forEach((role, i) => {
    issues.issues.push(...validateRole(role, roleAt(role, i)));
  });
  const sharing = model.sharing;
  if (!isObject(sharing.entities)) issues.add('sharing.entities', 'must map entity names to sharing settings');
  else
    for (const [entity, setting] of Object.entries(sharing.entities)) {
      issues.issues.push(...validateEntitySharing(setting, `sharing.entities.${entity}`));
    }
  const rules: unknown[] = Array.isArray(sharing.rules) ? sharing.rules : [];
  if (!Array.isArray(sharing.rules)) issues.add('sharing.rules', 'must be a list of sharing rules');
  const ruleAt = (rule: unknown, i: number) =>
    isObject(rule) && typeof rule.name === 'string' && rule.name !== ''
      ? `sharing.rules.${rule.name}`
      : `sharing.rules[${i}]`;
  rules.forEach((rule, i) => {
    issues.issues.push(...validateSharingRule(rule, ruleAt(rule, i)));
  });
  issues.issues.push(...permissionRelations(model.roles, rules));
  return issues.issues;
}

/** What holds between roles and rules: unique names and ids, `reportsTo` naming a role without a cycle, rules naming roles. */
function permissionRelations(roleValues: unknown[], rules: unknown[]): Issue[] {
  const issues = new IssueCollector();
  const roles = roleValues.filter(isObject) as unknown as RoleDefinition[];
  const names = new Set<string>();
  for (const role of roles) {
    if (names.has(role.name) && typeof role.name === 'string')
      issues.add(`roles.${role.name}.name`, `the role "${role.name}" is defined twice`);
    names.add(role.name);
  }
  const ids = new Set<string>();
  for (const role of roles) {
    if (role.id === undefined) continue;
    if (ids.has(role.id)) issues.add(`roles.${role.name}.id`, `the id "${role.id}" is used by another role`);
    ids.add(role.id);
  }
  for (const role of roles) {
    if (typeof role.reportsTo === 'string' && !names.has(role.reportsTo)) {
      issues.add(`roles.${role.name}.reportsTo`, `names no role: "${role.reportsTo}"`, { allowed: [...names] });
    }
    // A cycle in the hierarchy would make "everyone above" endless.
    const chain = [role.name];
    let next = role.reportsTo;
    while (typeof next === 'string') {
      if (chain.includes(next)) {
        if (next === role.name) {
          issues.add(`roles.${role.name}.reportsTo`, `makes a cycle: ${[...chain, next].join(' → ')}`);
        }
        break;
      }
      chain.push(next);
      next = roles.find((r) => r.name === next)?.reportsTo;
    }
  }
  const ruleNames = new Set<string>();
  for (const rule of rules.filter(isObject) as unknown as SharingRule[]) {
    if (ruleNames.has(rule.name))
      issues.add(`sharing.rules.${rule.name}.name`, `the rule "${rule.name}" is defined twice`);
    ruleNames.add(rule.name);
    if (typeof rule.role === 'string' && !names.has(rule.role)) {
      issues.add(`sharing.rules.${rule.name}.role`, `names no role: "${rule.role}"`, { allowed: [...names] });
    }
  }
  return issues.issues;
}

/**
 * Reads permission documents (already parsed from YAML) into one model and checks their shape: every problem of
 * every document at once, each with its path (under the document's file when it has one). What holds between
 * documents (unique names, `reportsTo`, rule roles) is reported with model paths (`roles.<name>.reportsTo`).
 * References to entities and fields are checked by `checkPermissionReferences`, which needs the effective entities.
 */
export function readPermissionDocuments(documents: readonly { file?: string; value: unknown }[]): {
  model: PermissionModel;
  issues: Issue[];
} {
  const issues: Issue[] = [];
  const model: PermissionModel = { roles: [], sharing: { entities: {}, rules: [] } };
  const sharingAt = new Map<string, string>();
  documents.forEach(({ file, value }, index) => {
    const at = file ?? `documents[${index}]`;
    const inFile = (found: Issue[]) =>
      issues.push(...found.map((i) => (file ? { ...i, file, path: i.path.replace(/^\.?/, '') } : i)));
    const base = file ? '' : at;
    const join = (key: string) => (base === '' ? key : `${base}.${key}`);
    if (!isObject(value)) {
      inFile([{ path: base, message: 'must be a mapping with `kind: role` or `kind: sharing`' }]);
      return;
    }
    if (value.kind === 'role') {
      const { kind: _kind, ...role } = value;
      inFile(validateRole(role, base));
      model.roles.push(role as unknown as RoleDefinition);
    } else if (value.kind === 'sharing') {
      const { kind: _kind, entities, rules, ...rest } = value;
      for (const key of Object.keys(rest)) {
        inFile([{ path: join(key), message: 'is not a key of the sharing settings; allowed: kind, entities, rules' }]);
      }
      if (entities !== undefined) {
        if (!isObject(entities))
          inFile([{ path: join('entities'), message: 'must map entity names to sharing settings' }]);
        else
          for (const [entity, setting] of Object.entries(entities)) {
            inFile(validateEntitySharing(setting, join(`entities.${entity}`)));
            const seen = sharingAt.get(entity);
            if (seen !== undefined) {
              inFile([{ path: join(`entities.${entity}`), message: `is set twice (also in ${seen})` }]);
            }
            sharingAt.set(entity, at);
            model.sharing.entities[entity] = setting as EntitySharing;
          }
      }
      if (rules !== undefined) {
        if (!Array.isArray(rules)) inFile([{ path: join('rules'), message: 'must be a list of sharing rules' }]);
        else
          rules.forEach((rule: unknown, i) => {
            inFile(validateSharingRule(rule, join(`rules[${i}]`)));
            model.sharing.rules.push(rule as SharingRule);
          });
      }
    } else {
      inFile([
        {
          path: join('kind'),
          message: `must be \`role\` or \`sharing\`, got ${describeValue(value.kind)}`,
          allowed: ['role', 'sharing'],
        },
      ]);
    }
  });
  issues.push(...permissionRelations(model.roles, model.sharing.rules));
  return { model, issues };
}

/**
 * Checks that the model names only entities and fields that exist, and that the fields named for sharing are
 * relations to the right targets. Every problem at once.
 */
export function checkPermissionReferences(model: PermissionModel, entities: readonly EntityDefinition[]): Issue[] {
  const issues = new IssueCollector();
  const byName = new Map(entities.map((e) => [e.name, e]));
  for (const role of model.roles) {
    for (const entity of Object.keys(role.objects ?? {})) {
      if (entity !== ANY_ENTITY && !byName.has(entity)) {
        issues.add(`roles.${role.name}.objects.${entity}`, `names no entity: "${entity}"`);
      }
    }
    for (const [entity, fields] of Object.entries(role.fields ?? {})) {
      const definition = byName.get(entity);
      if (!definition) {
        issues.add(`roles.${role.name}.fields.${entity}`, `names no entity: "${entity}"`);
        continue;
      }
      for (const field of Object.keys(fields)) {
        if (!definition.fields.some((f) => f.name === field)) {
          issues.add(`roles.${role.name}.fields.${entity}.${field}`, `names no field of ${entity}: "${field}"`);
        }
      }
    }
  }
  const relationTo = (entity: EntityDefinition, field: string | undefined, target?: string): boolean => {
    const f = entity.fields.find((x) => x.name === field);
    return (
      f?.type === 'relation' &&
      f.relation?.kind === 'manyToOne' &&
      (target === undefined || f.relation.target === target)
    );
  };
  for (const [name, setting] of Object.entries(model.sharing.entities)) {
    const entity = byName.get(name);
    const path = `sharing.entities.${name}`;
    if (!entity) {
      issues.add(path, `names no entity: "${name}"`);
      continue;
    }
    if (setting.parent !== undefined && !relationTo(entity, setting.parent)) {
      issues.add(`${path}.parent`, `must be a many-to-one relation field of ${name}, got "${setting.parent}"`);
    }
    const checks: [keyof EntitySharing, string][] = [
      ['ownerField', 'user'],
      ['teamField', 'team'],
      ['territoryField', 'territory'],
      ['partnerField', 'partner'],
    ];
    for (const [key, target] of checks) {
      const field = setting[key];
      if (field !== undefined && !relationTo(entity, field, target)) {
        issues.add(`${path}.${key}`, `must be a many-to-one relation of ${name} to ${target}, got "${field}"`);
      }
    }
  }
  for (const [i, rule] of model.sharing.rules.entries()) {
    if (!byName.has(rule.entity)) issues.add(`sharing.rules[${i}].entity`, `names no entity: "${rule.entity}"`);
  }
  return issues.issues;
}

/**
 * Reads a plugin's permission documents (already parsed from YAML): `kind: role` (a new role), `kind: grant`
 * (`role`, `objects`, `fields`: rights on the plugin's entities for a role of another layer) and `kind: sharing`.
 * Every problem of every document at once, each under its file. Whether they name only the plugin's own
 * entities, and roles that exist, is checked by the engine against the workspace when the layer is applied.
 */
export function readPluginPermissionDocuments(documents: readonly { file: string; value: unknown }[]): {
  set: PluginPermissionSet;
  issues: Issue[];
} {
  const issues: Issue[] = [];
  const grants: NonNullable<PluginPermissionSet['grants']> = [];
  const others: { file: string; value: unknown }[] = [];
  for (const { file, value } of documents) {
    if (!isObject(value) || value.kind !== 'grant') {
      others.push({ file, value });
      continue;
    }
    const { kind: _kind, role, objects, fields, ...rest } = value;
    for (const key of Object.keys(rest)) {
      issues.push({ file, path: key, message: 'is not a key of a grant; allowed: kind, role, objects, fields' });
    }
    const standIn = { name: role, labels: { en: 'x', 'zh-CN': 'x' }, objects: objects ?? {}, fields };
    for (const issue of validateRole(standIn, '')) {
      const path = issue.path.replace(/^\./, '');
      issues.push({ ...issue, file, path: path === 'name' ? 'role' : path });
    }
    grants.push({
      name: role as string,
      objects: (objects ?? {}) as Record<string, ObjectAccess>,
      ...(fields ? { fields: fields as Record<string, Record<string, FieldAccess>> } : {}),
    });
  }
  const read = readPermissionDocuments(others);
  // Shape problems only: what roles and rules name across layers is the engine's to check.
  issues.push(...read.issues.filter((i) => i.file !== undefined));
  const set: PluginPermissionSet = {};
  if (read.model.roles.length > 0) set.roles = read.model.roles;
  if (grants.length > 0) set.grants = grants;
  const { entities, rules } = read.model.sharing;
  if (Object.keys(entities).length > 0 || rules.length > 0) {
    set.sharing = {
      ...(Object.keys(entities).length > 0 ? { entities } : {}),
      ...(rules.length > 0 ? { rules } : {}),
    };
  }
  return { set, issues };
}
