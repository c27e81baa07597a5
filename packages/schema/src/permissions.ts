// The permission language: roles (what a user may do with each entity and field, and which system areas they
// administer) and sharing settings (which records each user sees). Metadata like entities: YAML in
// `schemas/permissions/`, layered (core, plugins, the admin's changes), versioned and exported. Pure data; the
// engine compiles it into SQL (`packages/engine/src/permissions/`).

import type { Issue } from './errors.ts';
import { IssueCollector } from './errors.ts';
import type { EntityDefinition, Labels } from './types.ts';

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

/** One YAML document of `schemas/permissions/`: `kind: role` or `kind: sharing`. */
export type PermissionDocument = ({ kind: 'role' } & RoleDefinition) | ({ kind: 'sharing' } & Partial<SharingSettings>);

export const EMPTY_PERMISSIONS: PermissionModel = { roles: [], sharing: { entities: {}, rules: [] } };

const SHARING_KEYS = ['default', 'parent', 'ownerField', 'teamField', 'territoryField', 'partnerField'] as const;

const NAME = /^[a-z][A-Za-z0-9]{0,62}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkLabels(issues: IssueCollector, path: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (!isObject(value) || typeof value.en !== 'string' || typeof value['zh-CN'] !== 'string') {
    issues.add(path, 'must give a text in both languages: { en: …, zh-CN: … }');
  }
}

/**
 * Reads permission documents (already parsed from YAML) into one model and checks their shape: every problem of
 * every document at once, each with its path. References to entities and fields are checked by
 * `checkPermissionReferences`, which needs the effective entities.
 */
export function readPermissionDocuments(documents: readonly { file?: string; value: unknown }[]): {
  model: PermissionModel;
  issues: Issue[];
} {
  const issues = new IssueCollector();
  const model: PermissionModel = { roles: [], sharing: { entities: {}, rules: [] } };
  documents.forEach(({ file, value }, index) => {
    const at = file ?? `documents[${index}]`;
    if (!isObject(value)) {
      issues.add(at, 'must be a mapping with `kind: role` or `kind: sharing`');
      return;
    }
    if (value.kind === 'role') {
      const { kind: _kind, ...role } = value;
      readRole(issues, at, role);
      model.roles.push(role as unknown as RoleDefinition);
    } else if (value.kind === 'sharing') {
      readSharing(issues, at, value);
      Object.assign(model.sharing.entities, (value.entities as SharingSettings['entities'] | undefined) ?? {});
      model.sharing.rules.push(...(((value.rules as SharingRule[] | undefined) ?? []) as SharingRule[]));
    } else {
      issues.add(`${at}.kind`, 'must be `role` or `sharing`', { allowed: ['role', 'sharing'] });
    }
  });
  const seen = new Set<string>();
  for (const role of model.roles) {
    if (seen.has(role.name)) issues.add(`roles.${role.name}`, 'is defined twice');
    seen.add(role.name);
  }
  for (const role of model.roles) {
    if (role.reportsTo !== undefined && !seen.has(role.reportsTo)) {
      issues.add(`roles.${role.name}.reportsTo`, `names no role: "${role.reportsTo}"`, { allowed: [...seen] });
    }
  }
  for (const role of model.roles) {
    // A cycle in the hierarchy would make "everyone above" endless.
    const chain = new Set<string>([role.name]);
    let next = role.reportsTo;
    while (next !== undefined) {
      if (chain.has(next)) {
        issues.add(`roles.${role.name}.reportsTo`, `makes a cycle: ${[...chain, next].join(' → ')}`);
        break;
      }
      chain.add(next);
      next = model.roles.find((r) => r.name === next)?.reportsTo;
    }
  }
  for (const [i, rule] of model.sharing.rules.entries()) {
    if (isObject(rule) && typeof rule.role === 'string' && !seen.has(rule.role)) {
      issues.add(`sharing.rules[${i}].role`, `names no role: "${rule.role}"`, { allowed: [...seen] });
    }
  }
  return { model, issues: issues.issues };
}

function readRole(issues: IssueCollector, at: string, role: Record<string, unknown>): void {
  if (typeof role.name !== 'string' || !NAME.test(role.name)) {
    issues.add(`${at}.name`, 'must be letters and digits starting with a lowercase letter, at most 63');
  }
  checkLabels(issues, `${at}.labels`, role.labels, true);
  checkLabels(issues, `${at}.description`, role.description, false);
  if (role.reportsTo !== undefined && typeof role.reportsTo !== 'string') {
    issues.add(`${at}.reportsTo`, 'must be the name of a role');
  }
  if (role.system !== undefined) {
    if (!Array.isArray(role.system)) issues.add(`${at}.system`, 'must be a list', { allowed: [...SYSTEM_PERMISSIONS] });
    else
      role.system.forEach((p, i) => {
        if (!(SYSTEM_PERMISSIONS as readonly unknown[]).includes(p)) {
          issues.add(`${at}.system[${i}]`, `is not a system permission: ${String(p)}`, {
            allowed: [...SYSTEM_PERMISSIONS],
          });
        }
      });
  }
  if (!isObject(role.objects)) {
    issues.add(`${at}.objects`, 'must map entity names (or `*`) to rights');
  } else {
    for (const [entity, rights] of Object.entries(role.objects)) {
      if (!isObject(rights)) {
        issues.add(`${at}.objects.${entity}`, 'must map rights to true or false', { allowed: [...OBJECT_RIGHTS] });
        continue;
      }
      for (const [right, allowed] of Object.entries(rights)) {
        if (!(OBJECT_RIGHTS as readonly string[]).includes(right)) {
          issues.add(`${at}.objects.${entity}.${right}`, 'is not an object right', { allowed: [...OBJECT_RIGHTS] });
        } else if (typeof allowed !== 'boolean') {
          issues.add(`${at}.objects.${entity}.${right}`, 'must be true or false');
        }
      }
    }
  }
  if (role.fields !== undefined) {
    if (!isObject(role.fields)) issues.add(`${at}.fields`, 'must map entity names to field access');
    else
      for (const [entity, fields] of Object.entries(role.fields)) {
        if (!isObject(fields)) {
          issues.add(`${at}.fields.${entity}`, 'must map field names to an access level', {
            allowed: [...FIELD_ACCESS_LEVELS],
          });
          continue;
        }
        for (const [field, access] of Object.entries(fields)) {
          if (!(FIELD_ACCESS_LEVELS as readonly unknown[]).includes(access)) {
            issues.add(`${at}.fields.${entity}.${field}`, `is not an access level: ${String(access)}`, {
              allowed: [...FIELD_ACCESS_LEVELS],
            });
          }
        }
      }
  }
  if (role.partner !== undefined && typeof role.partner !== 'boolean') {
    issues.add(`${at}.partner`, 'must be true or false');
  }
}

function readSharing(issues: IssueCollector, at: string, doc: Record<string, unknown>): void {
  if (doc.entities !== undefined) {
    if (!isObject(doc.entities)) issues.add(`${at}.entities`, 'must map entity names to sharing settings');
    else
      for (const [entity, setting] of Object.entries(doc.entities)) {
        const path = `${at}.entities.${entity}`;
        if (!isObject(setting)) {
          issues.add(path, 'must be a mapping with `default`');
          continue;
        }
        if (!(SHARING_DEFAULTS as readonly unknown[]).includes(setting.default)) {
          issues.add(`${path}.default`, `is not a sharing default: ${String(setting.default)}`, {
            allowed: [...SHARING_DEFAULTS],
          });
        }
        if (setting.default === 'controlledByParent' && typeof setting.parent !== 'string') {
          issues.add(`${path}.parent`, 'must name the relation field whose record this one follows');
        }
        for (const key of Object.keys(setting)) {
          if (!(SHARING_KEYS as readonly string[]).includes(key)) {
            issues.add(`${path}.${key}`, 'is not a sharing setting', {
              allowed: ['default', 'parent', 'ownerField', 'teamField', 'territoryField', 'partnerField'],
            });
          }
        }
      }
  }
  if (doc.rules !== undefined) {
    if (!Array.isArray(doc.rules)) issues.add(`${at}.rules`, 'must be a list of sharing rules');
    else
      doc.rules.forEach((rule: unknown, i) => {
        const path = `${at}.rules[${i}]`;
        if (!isObject(rule)) {
          issues.add(path, 'must be a mapping: name, labels, entity, condition, role, access');
          return;
        }
        if (typeof rule.name !== 'string' || !NAME.test(rule.name)) {
          issues.add(`${path}.name`, 'must be letters and digits starting with a lowercase letter');
        }
        checkLabels(issues, `${path}.labels`, rule.labels, true);
        if (typeof rule.entity !== 'string') issues.add(`${path}.entity`, 'must name an entity');
        if (!isObject(rule.condition)) issues.add(`${path}.condition`, 'must be a filter');
        if (typeof rule.role !== 'string') issues.add(`${path}.role`, 'must name a role');
        if (rule.access !== 'read' && rule.access !== 'edit') {
          issues.add(`${path}.access`, 'must be read or edit', { allowed: ['read', 'edit'] });
        }
      });
  }
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
