// Roles and sharing settings as layered metadata: the core layer (schemas/permissions), the permission sets
// plugins ship for their own entities, then the admin's changes — the same change list and versions as
// entities. Pure: no database. Roles and rules are matched by their stable ids; names are what users see.
import { randomBytes } from 'node:crypto';
import {
  type EntityDefinition,
  type EntitySharing,
  type FieldAccess,
  type Issue,
  IssueCollector,
  type ObjectAccess,
  type PermissionModel,
  type PluginPermissionSet,
  type RoleDefinition,
  type SharingRule,
  SYSTEM_PERMISSIONS,
} from '@touchpoint/schema';
import { sameJson } from './canonical.ts';

/** The built-in role that administers a workspace: never removed, never without a system permission. */
export const ADMIN_ROLE = 'admin';

/** What a role patch may change: a role's keys but its id, source and name (the key of role assignments). */
export const ROLE_PATCH_KEYS = [
  'labels',
  'description',
  'reportsTo',
  'system',
  'objects',
  'fields',
  'partner',
] as const;
/** Of those, the keys a patch may take out (with null). */
export const ROLE_OPTIONAL_KEYS = ['description', 'reportsTo', 'system', 'fields', 'partner'] as const;
/** What a rule patch may change: everything but its id, source and name. */
export const RULE_PATCH_KEYS = ['labels', 'entity', 'condition', 'role', 'access'] as const;

export type RolePatch = Partial<{ [K in (typeof ROLE_PATCH_KEYS)[number]]: RoleDefinition[K] | null }>;
export type RulePatch = Partial<Pick<SharingRule, (typeof RULE_PATCH_KEYS)[number]>>;

export type PermissionChange =
  | { op: 'createRole'; role: RoleDefinition }
  | { op: 'updateRole'; role: string; roleId?: string; patch: RolePatch }
  | { op: 'removeRole'; role: string; roleId?: string }
  | { op: 'setEntitySharing'; entity: string; sharing: EntitySharing }
  | { op: 'addSharingRule'; rule: SharingRule }
  | { op: 'updateSharingRule'; rule: string; ruleId?: string; patch: RulePatch }
  | { op: 'removeSharingRule'; rule: string; ruleId?: string };

export const PERMISSION_OPS = [
  'createRole',
  'updateRole',
  'removeRole',
  'setEntitySharing',
  'addSharingRule',
  'updateSharingRule',
  'removeSharingRule',
] as const;

export function isPermissionChange(change: { op: string }): change is PermissionChange {
  return (PERMISSION_OPS as readonly string[]).includes(change.op);
}

/** The permission sets a plugin ships for its own entities (see `PluginPermissionSet` in the schema package). */
export type PluginPermissions = PluginPermissionSet;

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

function stampRole(role: RoleDefinition, source: string, id: string): RoleDefinition {
  return { ...structuredClone(role), id: role.id ?? id, source };
}

function stampRule(rule: SharingRule, source: string, id: string): SharingRule {
  return { ...structuredClone(rule), id: rule.id ?? id, source };
}

/**
 * The core model with the plugins' permission sets merged in: what the admin's changes apply to. Roles and
 * rules get their ids (`<name>` for the core, `<plugin>:<name>` for a plugin) and their source. A plugin that
 * names an entity or field it does not contribute, redefines a role or rule, or sets the sharing of an entity
 * that is not its own is refused, naming the plugin: a plugin never changes what another layer owns.
 */
export function mergePermissionLayers(
  core: PermissionModel,
  plugins: readonly {
    pluginId: string;
    entities: EntityDefinition[];
    fields: { entity: string; field: { name: string } }[];
    permissions?: PluginPermissions;
  }[],
): PermissionModel {
  const model: PermissionModel = {
    roles: core.roles.map((r) => stampRole(r, 'core', r.name)),
    sharing: {
      entities: structuredClone(core.sharing.entities),
      rules: core.sharing.rules.map((r) => stampRule(r, 'core', r.name)),
    },
  };
  const issues = new IssueCollector();
  for (const plugin of plugins) {
    const set = plugin.permissions;
    if (!set) continue;
    const source = `plugin:${plugin.pluginId}`;
    const at = `plugins.${plugin.pluginId}.permissions`;
    const own = new Set(plugin.entities.map((e) => e.name));
    const ownFields = new Set(plugin.fields.map((f) => `${f.entity}.${f.field.name}`));
    const checkNames = (path: string, role: Pick<RoleDefinition, 'objects' | 'fields'>) => {
      for (const entity of Object.keys(role.objects ?? {})) {
        if (!own.has(entity)) issues.add(`${path}.objects.${entity}`, `is not an entity of plugin ${plugin.pluginId}`);
      }
      for (const [entity, fields] of Object.entries(role.fields ?? {})) {
        for (const field of Object.keys(fields)) {
          if (!own.has(entity) && !ownFields.has(`${entity}.${field}`)) {
            issues.add(`${path}.fields.${entity}.${field}`, `is not a field of plugin ${plugin.pluginId}`);
          }
        }
      }
    };
    for (const role of set.roles ?? []) {
      const path = `${at}.roles.${role.name}`;
      const clash = model.roles.find((r) => r.name === role.name);
      if (clash) {
        issues.add(path, `the role "${role.name}" is already defined by ${clash.source}`);
        continue;
      }
      if ((role.system ?? []).length > 0) issues.add(`${path}.system`, 'a plugin role cannot administer the workspace');
      checkNames(path, role);
      model.roles.push(stampRole(role, source, `${plugin.pluginId}:${role.name}`));
    }
    for (const grant of set.grants ?? []) {
      const path = `${at}.grants.${grant.name}`;
      const role = model.roles.find((r) => r.name === grant.name);
      if (!role) {
        issues.add(path, `names no role: "${grant.name}"`);
        continue;
      }
      checkNames(path, grant);
      for (const [entity, rights] of Object.entries(grant.objects ?? {})) {
        role.objects[entity] = { ...rights };
      }
      for (const [entity, fields] of Object.entries(grant.fields ?? {})) {
        role.fields = { ...role.fields, [entity]: { ...role.fields?.[entity], ...fields } };
      }
    }
    for (const [entity, setting] of Object.entries(set.sharing?.entities ?? {})) {
      if (!own.has(entity)) {
        issues.add(`${at}.sharing.entities.${entity}`, `is not an entity of plugin ${plugin.pluginId}`);
        continue;
      }
      model.sharing.entities[entity] = structuredClone(setting);
    }
    for (const rule of set.sharing?.rules ?? []) {
      const path = `${at}.sharing.rules.${rule.name}`;
      if (!own.has(rule.entity)) issues.add(`${path}.entity`, `is not an entity of plugin ${plugin.pluginId}`);
      else if (model.sharing.rules.some((r) => r.name === rule.name)) {
        issues.add(path, `a rule named "${rule.name}" already exists`);
      } else model.sharing.rules.push(stampRule(rule, source, `${plugin.pluginId}:${rule.name}`));
    }
  }
  issues.throwIfAny('The plugin permission sets cannot be merged:');
  return model;
}

function findRole(model: PermissionModel, name: string, id?: string): RoleDefinition | undefined {
  return (id ? model.roles.find((r) => r.id === id) : undefined) ?? model.roles.find((r) => r.name === name);
}

function findRule(model: PermissionModel, name: string, id?: string): SharingRule | undefined {
  return (
    (id ? model.sharing.rules.find((r) => r.id === id) : undefined) ?? model.sharing.rules.find((r) => r.name === name)
  );
}

function layerName(source: string | undefined): string {
  return source === 'core' || source === undefined ? 'the core' : source;
}

/**
 * Applies one permission change to `model` (in place). With `record`, new roles and rules get ids and the
 * change carries the id of what it targets. Without it (replaying stored versions over layers that may have
 * changed since, e.g. a plugin removed), a change whose target is gone is skipped rather than failing.
 */
export function applyPermissionChange(
  model: PermissionModel,
  change: PermissionChange,
  path: string,
  issues: IssueCollector,
  record: boolean,
): boolean {
  const missingRole = (name: string) => {
    if (record) {
      issues.add(`${path}.role`, `no role named "${name}"`, { allowed: model.roles.map((r) => r.name) });
    }
    return false;
  };
  switch (change.op) {
    case 'createRole': {
      const role = change.role;
      if (findRole(model, role.name)) {
        issues.add(`${path}.role.name`, `a role named "${role.name}" already exists`);
        return false;
      }
      if (record) role.id = role.id ?? newId('role');
      if (record && model.roles.some((r) => r.id === role.id)) {
        issues.add(`${path}.role.id`, `the id "${role.id}" belongs to another role`);
        return false;
      }
      model.roles.push({ ...structuredClone(role), source: 'workspace' });
      return true;
    }
    case 'updateRole': {
      const role = findRole(model, change.role, change.roleId);
      if (!role) return missingRole(change.role);
      change.roleId = role.id;
      const next = structuredClone(role) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(change.patch)) {
        if (value === null) delete next[key];
        else next[key] = structuredClone(value);
      }
      if (role.id === ADMIN_ROLE && role.source === 'core') {
        const system = (next.system as string[] | undefined) ?? [];
        const missing = SYSTEM_PERMISSIONS.filter((p) => !system.includes(p));
        if (missing.length > 0) {
          issues.add(
            `${path}.patch.system`,
            `the built-in administrator role keeps every system permission; it would lose ${missing.join(', ')}`,
            { allowed: [...SYSTEM_PERMISSIONS] },
          );
          return false;
        }
      }
      model.roles[model.roles.indexOf(role)] = next as unknown as RoleDefinition;
      return true;
    }
    case 'removeRole': {
      const role = findRole(model, change.role, change.roleId);
      if (!role) return missingRole(change.role);
      change.roleId = role.id;
      if (record && role.source !== 'workspace') {
        issues.add(
          `${path}.role`,
          `"${role.name}" is a role of ${layerName(role.source)} and cannot be removed; take its rights away with updateRole instead`,
        );
        return false;
      }
      const below = model.roles.filter((r) => r.reportsTo === role.name).map((r) => r.name);
      const rules = model.sharing.rules.filter((r) => r.role === role.name).map((r) => r.name);
      if (record && (below.length > 0 || rules.length > 0)) {
        const what = [
          below.length > 0
            ? `the role${below.length > 1 ? 's' : ''} ${below.join(', ')} report${below.length > 1 ? '' : 's'} to it`
            : '',
          rules.length > 0
            ? `the sharing rule${rules.length > 1 ? 's' : ''} ${rules.join(', ')} share${rules.length > 1 ? '' : 's'} with it`
            : '',
        ]
          .filter(Boolean)
          .join(' and ');
        issues.add(`${path}.role`, `"${role.name}" cannot be removed while ${what}; change those first`);
        return false;
      }
      model.roles.splice(model.roles.indexOf(role), 1);
      return true;
    }
    case 'setEntitySharing':
      model.sharing.entities[change.entity] = structuredClone(change.sharing);
      return true;
    case 'addSharingRule': {
      const rule = change.rule;
      if (findRule(model, rule.name)) {
        issues.add(`${path}.rule.name`, `a sharing rule named "${rule.name}" already exists`);
        return false;
      }
      if (record) rule.id = rule.id ?? newId('rule');
      model.sharing.rules.push({ ...structuredClone(rule), source: 'workspace' });
      return true;
    }
    case 'updateSharingRule': {
      const rule = findRule(model, change.rule, change.ruleId);
      if (!rule) {
        if (record) issues.add(`${path}.rule`, `no sharing rule named "${change.rule}"`);
        return false;
      }
      change.ruleId = rule.id;
      Object.assign(rule, structuredClone(change.patch));
      return true;
    }
    case 'removeSharingRule': {
      const rule = findRule(model, change.rule, change.ruleId);
      if (!rule) {
        if (record) issues.add(`${path}.rule`, `no sharing rule named "${change.rule}"`);
        return false;
      }
      change.ruleId = rule.id;
      if (record && rule.source !== 'workspace') {
        issues.add(
          `${path}.rule`,
          `"${rule.name}" is a rule of ${layerName(rule.source)} and cannot be removed; change its condition or access with updateSharingRule instead`,
        );
        return false;
      }
      model.sharing.rules.splice(model.sharing.rules.indexOf(rule), 1);
      return true;
    }
  }
}

/** Keeps roles, sharing settings and rules pointing at a renamed entity. */
export function renameEntityInPermissions(model: PermissionModel, from: string, to: string): void {
  if (from === to) return;
  const rekey = <T>(map: Record<string, T> | undefined): Record<string, T> | undefined =>
    map && from in map ? Object.fromEntries(Object.entries(map).map(([k, v]) => [k === from ? to : k, v])) : map;
  for (const role of model.roles) {
    role.objects = rekey(role.objects) as Record<string, ObjectAccess>;
    if (role.fields) role.fields = rekey(role.fields) as Record<string, Record<string, FieldAccess>>;
  }
  model.sharing.entities = rekey(model.sharing.entities) as Record<string, EntitySharing>;
  for (const rule of model.sharing.rules) if (rule.entity === from) rule.entity = to;
}

/**
 * Keeps field access, sharing settings and the top-level keys of rule conditions pointing at a renamed field
 * (a condition naming it through a relation, `{ account: { region: … } }` from another entity, is not followed).
 */
export function renameFieldInPermissions(model: PermissionModel, entity: string, from: string, to: string): void {
  if (from === to) return;
  for (const role of model.roles) {
    const fields = role.fields?.[entity];
    if (fields && from in fields) {
      role.fields![entity] = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k === from ? to : k, v]));
    }
  }
  const setting = model.sharing.entities[entity] as Record<string, string> | undefined;
  if (setting)
    for (const [key, value] of Object.entries(setting)) if (key !== 'default' && value === from) setting[key] = to;
  for (const rule of model.sharing.rules) {
    if (rule.entity === entity && from in rule.condition) {
      rule.condition = Object.fromEntries(Object.entries(rule.condition).map(([k, v]) => [k === from ? to : k, v]));
    }
  }
}

/**
 * A field the sharing settings of its entity use cannot be removed: the records would change hands silently.
 * Answers the issue, or nothing.
 */
export function sharingUse(model: PermissionModel, entity: string, field: string): string | undefined {
  const setting = model.sharing.entities[entity] as Record<string, string> | undefined;
  const keys = Object.entries(setting ?? {})
    .filter(([key, value]) => key !== 'default' && value === field)
    .map(([key]) => key);
  if (keys.length === 0) return undefined;
  return `"${entity}.${field}" is the ${keys.join(' and ')} of ${entity}'s sharing settings; change them first (setEntitySharing in the same change list)`;
}

/** Whether two permission models are the same but for key order (jsonb sorts keys). */
export function samePermissions(a: unknown, b: unknown): boolean {
  return sameJson(a, b);
}

/** The issues of `after` that `before` did not have (by path and message): what a change introduced. */
export function newIssues(before: readonly Issue[], after: readonly Issue[]): Issue[] {
  const seen = new Set(before.map((i) => `${i.path}\u0000${i.message}`));
  return after.filter((i) => !seen.has(`${i.path}\u0000${i.message}`));
}
