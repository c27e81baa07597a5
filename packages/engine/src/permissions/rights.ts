// What a set of roles may do: object rights per entity, field access per field, system permissions, the role
// hierarchy below them. Pure functions of the permission model (no SQL); grants.ts adds the principal sets.
import {
  ANY_ENTITY,
  type EntityDefinition,
  type FieldAccess,
  OBJECT_RIGHTS,
  type ObjectRight,
  type PermissionModel,
  type RoleDefinition,
  type SystemPermission,
} from '@touchpoint/schema';

export type ObjectRights = Record<ObjectRight, boolean>;

/**
 * The built-in role a user gets from the old `user.role` select while nobody assigned them roles (the
 * backfill of the role assignments, applied when they are read, so it never goes stale).
 */
export const ROLE_FROM_USER_ROLE: Readonly<Record<string, string>> = {
  admin: 'admin',
  salesManager: 'salesManager',
  executive: 'salesManager',
  channelManager: 'salesManager',
  salesRep: 'salesRep',
  presales: 'salesRep',
  serviceAgent: 'serviceAgent',
  serviceManager: 'serviceAgent',
  fieldEngineer: 'serviceAgent',
  marketer: 'marketing',
};

/** The roles of a user without assignments: the mapping of their `user.role` value, else `readOnly`. */
export function rolesFromUserRole(value: string | null | undefined, model: PermissionModel): string[] {
  const name = ROLE_FROM_USER_ROLE[value ?? ''] ?? 'readOnly';
  return model.roles.some((r) => r.name === name) ? [name] : [];
}

/** Every role strictly below one of `names` in the role hierarchy (`reportsTo`, transitively). */
export function rolesBelow(model: PermissionModel, names: readonly string[]): Set<string> {
  const below = new Set<string>();
  const top = new Set(names);
  for (const role of model.roles) {
    let next = role.reportsTo;
    const seen = new Set<string>([role.name]);
    while (next !== undefined && !seen.has(next)) {
      if (top.has(next)) {
        below.add(role.name);
        break;
      }
      seen.add(next);
      next = model.roles.find((r) => r.name === next)?.reportsTo;
    }
  }
  return below;
}

export interface Rights {
  roles: readonly string[];
  system: ReadonlySet<SystemPermission>;
  /** Holders of a partner role see only what rule 2 of the sharing semantics opens (docs/architecture.md). */
  partner: boolean;
  objects: ReadonlyMap<string, ObjectRights>;
  /** Per entity, its fields that are not editable for these roles. */
  fields: ReadonlyMap<string, ReadonlyMap<string, Exclude<FieldAccess, 'editable'>>>;
}

const NO_RIGHTS: ObjectRights = Object.fromEntries(OBJECT_RIGHTS.map((r) => [r, false])) as ObjectRights;

const LEVEL: Record<FieldAccess, number> = { hidden: 0, readOnly: 1, editable: 2 };

/** The rights of one or more roles (OR of object rights, most permissive field access, union of system). */
export function rightsOf(model: PermissionModel, roleNames: readonly string[], entities: readonly EntityDefinition[]) {
  const roles = roleNames
    .map((name) => model.roles.find((r) => r.name === name))
    .filter((r): r is RoleDefinition => r !== undefined);
  const system = new Set<SystemPermission>(roles.flatMap((r) => r.system ?? []));
  const objects = new Map<string, ObjectRights>();
  for (const entity of entities) {
    const rights = { ...NO_RIGHTS };
    for (const role of roles) {
      const access = role.objects[entity.name] ?? role.objects[ANY_ENTITY] ?? {};
      for (const right of OBJECT_RIGHTS) if (access[right] === true) rights[right] = true;
    }
    objects.set(entity.name, rights);
  }
  const fields = new Map<string, Map<string, Exclude<FieldAccess, 'editable'>>>();
  for (const entity of entities) {
    if (!objects.get(entity.name)!.read) continue;
    const readers = roles.filter((role) => {
      const access = role.objects[entity.name] ?? role.objects[ANY_ENTITY] ?? {};
      return access.read === true;
    });
    const limited = new Map<string, Exclude<FieldAccess, 'editable'>>();
    for (const field of entity.fields) {
      let level = Math.max(...readers.map((role) => LEVEL[role.fields?.[entity.name]?.[field.name] ?? 'editable']));
      // A relation to an entity these roles cannot read is hidden: its id would name what they may not see.
      const target = field.relation?.target;
      if (target !== undefined && objects.get(target)?.read !== true) level = LEVEL.hidden;
      if (level === LEVEL.hidden) limited.set(field.name, 'hidden');
      else if (level === LEVEL.readOnly) limited.set(field.name, 'readOnly');
    }
    if (limited.size > 0) fields.set(entity.name, limited);
  }
  return { roles: roles.map((r) => r.name), system, partner: roles.some((r) => r.partner === true), objects, fields };
}
