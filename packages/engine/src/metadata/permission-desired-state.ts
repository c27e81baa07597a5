// Roles and sharing settings as desired state: what the admin's layer holds of them (what the export writes),
// the model a desired state describes, and the changes that take the live model there. Pure. Roles and rules
// are matched by their stable ids (the name when a file gives none), so two instances applying one file agree.
import type {
  EntityDefinition,
  EntitySharing,
  Issue,
  PermissionModel,
  RoleDefinition,
  SharingRule,
} from '@touchpoint/schema';
import { applyChanges, type MetadataChange } from './changes.ts';
import {
  type PermissionChange,
  ROLE_OPTIONAL_KEYS,
  ROLE_PATCH_KEYS,
  RULE_PATCH_KEYS,
  samePermissions,
} from './permission-changes.ts';

/** The admin's layer of roles and sharing: roles and rules it created or changed (whole), settings it changed. */
export interface PermissionLayer {
  roles: RoleDefinition[];
  sharing: { entities: Record<string, EntitySharing>; rules: SharingRule[] };
}

/** A permission document of a desired state, as read from a file. */
export type PermissionDocumentOf =
  | { kind: 'role'; role: RoleDefinition; file: string }
  | { kind: 'sharing'; sharing: Partial<PermissionLayer['sharing']>; file: string };

function withoutSource<T extends { source?: string }>(value: T): T {
  const { source: _source, ...rest } = value;
  return rest as T;
}

/**
 * The model without what names an entity or field that is not there: rights and field access of a removed
 * entity or field, its sharing settings and rules. Kept in the live model (inert, in force again when an archive
 * is restored), but not part of a desired state, which describes only what exists.
 */
export function pruneToEntities(model: PermissionModel, entities: readonly EntityDefinition[]): PermissionModel {
  const fields = new Map(entities.map((e) => [e.name, new Set(e.fields.map((f) => f.name))]));
  const out = structuredClone(model);
  for (const role of out.roles) {
    role.objects = Object.fromEntries(Object.entries(role.objects).filter(([e]) => e === '*' || fields.has(e)));
    if (role.fields) {
      const kept = Object.entries(role.fields)
        .filter(([e]) => fields.has(e))
        .map(([e, access]) => [e, Object.fromEntries(Object.entries(access).filter(([f]) => fields.get(e)!.has(f)))])
        .filter(([, access]) => Object.keys(access as object).length > 0);
      if (kept.length > 0) role.fields = Object.fromEntries(kept);
      else delete role.fields;
    }
  }
  out.sharing.entities = Object.fromEntries(Object.entries(out.sharing.entities).filter(([e]) => fields.has(e)));
  out.sharing.rules = out.sharing.rules.filter((r) => fields.has(r.entity));
  return out;
}

/**
 * What differs from the layers below: created or changed roles and rules, changed entity settings — of what
 * exists in `entities` (see pruneToEntities).
 */
export function adminPermissionLayer(
  baseModel: PermissionModel,
  currentModel: PermissionModel,
  live: readonly EntityDefinition[],
): PermissionLayer {
  const base = pruneToEntities(baseModel, live);
  const current = pruneToEntities(currentModel, live);
  const roles = current.roles
    .filter((role) => {
      const was = base.roles.find((r) => r.id === role.id);
      return !was || !samePermissions(withoutSource(was), withoutSource(role));
    })
    .map(withoutSource);
  const entities = Object.fromEntries(
    Object.entries(current.sharing.entities).filter(([name, setting]) => {
      return !samePermissions(base.sharing.entities[name], setting);
    }),
  );
  const rules = current.sharing.rules
    .filter((rule) => {
      const was = base.sharing.rules.find((r) => r.id === rule.id);
      return !was || !samePermissions(withoutSource(was), withoutSource(rule));
    })
    .map(withoutSource);
  return { roles, sharing: { entities, rules } };
}

/** The model a desired state describes: the layers below with the file's roles, settings and rules over them. */
export function desiredPermissions(
  base: PermissionModel,
  documents: readonly PermissionDocumentOf[],
): { model: PermissionModel; issues: Issue[] } {
  const issues: Issue[] = [];
  const model = structuredClone(base);
  const seenRoles = new Map<string, string>();
  const seenRules = new Map<string, string>();
  const seenEntities = new Map<string, string>();
  for (const doc of documents) {
    if (doc.kind === 'role') {
      const role = { ...structuredClone(doc.role), id: doc.role.id ?? doc.role.name };
      const also = seenRoles.get(role.id);
      if (also !== undefined) {
        issues.push({
          file: doc.file,
          path: 'name',
          message: `the role "${role.name}" is described twice (also in ${also})`,
        });
        continue;
      }
      seenRoles.set(role.id, doc.file);
      const index = model.roles.findIndex((r) => r.id === role.id);
      if (index >= 0) model.roles[index] = { ...role, source: model.roles[index]!.source };
      else model.roles.push({ ...role, source: 'workspace' });
      continue;
    }
    for (const [entity, setting] of Object.entries(doc.sharing.entities ?? {})) {
      const also = seenEntities.get(entity);
      if (also !== undefined) {
        issues.push({ file: doc.file, path: `entities.${entity}`, message: `is set twice (also in ${also})` });
        continue;
      }
      seenEntities.set(entity, doc.file);
      model.sharing.entities[entity] = structuredClone(setting);
    }
    for (const [i, given] of (doc.sharing.rules ?? []).entries()) {
      const rule = { ...structuredClone(given), id: given.id ?? given.name };
      const also = seenRules.get(rule.id);
      if (also !== undefined) {
        issues.push({ file: doc.file, path: `rules[${i}]`, message: `the rule "${rule.name}" is described twice` });
        continue;
      }
      seenRules.set(rule.id, doc.file);
      const index = model.sharing.rules.findIndex((r) => r.id === rule.id);
      if (index >= 0) model.sharing.rules[index] = { ...rule, source: model.sharing.rules[index]!.source };
      else model.sharing.rules.push({ ...rule, source: 'workspace' });
    }
  }
  return { model, issues };
}

function rolePatch(have: RoleDefinition, want: RoleDefinition, issues: Issue[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const a = have as unknown as Record<string, unknown>;
  const b = want as unknown as Record<string, unknown>;
  for (const key of ROLE_PATCH_KEYS) {
    if (samePermissions(a[key], b[key])) continue;
    if (b[key] !== undefined) patch[key] = b[key];
    else if ((ROLE_OPTIONAL_KEYS as readonly string[]).includes(key)) patch[key] = null;
    else issues.push({ path: `roles.${want.name}.${key}`, message: `"${key}" cannot be left out of a role` });
  }
  return patch;
}

/**
 * The permission changes that take the live model to the desired one, given the entity changes planned before
 * them (their renames move the live model's names first). Sharing settings of entities those changes do not
 * rename come first — so a field the new settings stop using can be removed by the entity changes — then the
 * entity changes, then roles (created, then changed), the remaining settings, rules, and the removals of rules
 * and of roles last. A role or rule cannot be renamed (its name is its key): that is an issue.
 */
export function planPermissionChanges(
  currentEntities: EntityDefinition[],
  current: PermissionModel,
  entityChanges: MetadataChange[],
  desiredModel: PermissionModel,
  desiredEntities: readonly EntityDefinition[],
): { changes: MetadataChange[]; issues: Issue[] } {
  const issues: Issue[] = [];
  // The live model as the entity changes leave it (renames followed), without recording anything; both sides
  // only of what the desired state's entities hold.
  let moved: PermissionModel;
  try {
    moved = applyChanges(currentEntities, entityChanges, { permissions: current }).permissions;
  } catch {
    moved = current;
  }
  moved = pruneToEntities(moved, desiredEntities);
  const desired = pruneToEntities(desiredModel, desiredEntities);
  const renamedEntities = new Set(
    entityChanges
      .filter((c) => c.op === 'updateEntity' && c.patch.name !== undefined && c.patch.name !== c.entity)
      .flatMap((c) => (c.op === 'updateEntity' ? [c.entity, String(c.patch.name)] : [])),
  );
  const early: PermissionChange[] = [];
  const creates: PermissionChange[] = [];
  const updates: PermissionChange[] = [];
  const late: PermissionChange[] = [];
  const removals: PermissionChange[] = [];
  for (const want of desired.roles) {
    const have = moved.roles.find((r) => r.id === want.id);
    if (!have) {
      creates.push({ op: 'createRole', role: withoutSource(want) });
      continue;
    }
    if (have.name !== want.name) {
      issues.push({
        path: `roles.${want.name}.name`,
        message: `the role "${have.name}" (id ${have.id}) cannot be renamed to "${want.name}": a role's name is its key; change its labels`,
      });
      continue;
    }
    const patch = rolePatch(have, want, issues);
    if (Object.keys(patch).length > 0) updates.push({ op: 'updateRole', role: have.name, roleId: have.id, patch });
  }
  for (const have of moved.roles) {
    if (!desired.roles.some((r) => r.id === have.id)) {
      removals.push({ op: 'removeRole', role: have.name, ...(have.id ? { roleId: have.id } : {}) });
    }
  }
  for (const [entity, want] of Object.entries(desired.sharing.entities)) {
    if (samePermissions(moved.sharing.entities[entity], want)) continue;
    const change: PermissionChange = { op: 'setEntitySharing', entity, sharing: want };
    (renamedEntities.has(entity) ? late : early).push(change);
  }
  for (const entity of Object.keys(moved.sharing.entities)) {
    if (!(entity in desired.sharing.entities)) {
      issues.push({
        path: `sharing.entities.${entity}`,
        message: `the sharing settings of "${entity}" cannot be taken out; give them (default: publicReadWrite is what an unlisted entity has)`,
      });
    }
  }
  for (const want of desired.sharing.rules) {
    const have = moved.sharing.rules.find((r) => r.id === want.id);
    if (!have) {
      late.push({ op: 'addSharingRule', rule: withoutSource(want) });
      continue;
    }
    if (have.name !== want.name) {
      issues.push({
        path: `sharing.rules.${want.name}.name`,
        message: `the rule "${have.name}" (id ${have.id}) cannot be renamed to "${want.name}"`,
      });
      continue;
    }
    const patch: Record<string, unknown> = {};
    for (const key of RULE_PATCH_KEYS) {
      if (!samePermissions(have[key], want[key])) patch[key] = want[key];
    }
    if (Object.keys(patch).length > 0) {
      late.push({ op: 'updateSharingRule', rule: have.name, ...(have.id ? { ruleId: have.id } : {}), patch });
    }
  }
  const ruleRemovals: PermissionChange[] = [];
  for (const have of moved.sharing.rules) {
    if (!desired.sharing.rules.some((r) => r.id === have.id)) {
      ruleRemovals.push({ op: 'removeSharingRule', rule: have.name, ...(have.id ? { ruleId: have.id } : {}) });
    }
  }
  return {
    changes: [...early, ...entityChanges, ...creates, ...updates, ...late, ...ruleRemovals, ...removals],
    issues,
  };
}
