// What the signed-in person may do, as the API's `viewer.permissions` says: object rights per entity, the
// fields they may not see or change, and the areas they administer. The screens follow it — no button that can
// only fail, no menu entry for an entity they cannot read, no column for a hidden field. Without it (an API
// that does not answer `viewer.permissions`) the screens behave as before: every button, admins by `isAdmin`.
import type { FieldAccess, ObjectRight, SystemPermission } from '@touchpoint/schema';
import { type Fetch, gql, type Session } from './api.ts';
import type { EntityDefinition, FieldDefinition } from './meta.ts';

export type Right = ObjectRight;
export type SystemRight = SystemPermission;
export type FieldLevel = FieldAccess;

export interface ViewerPermissions {
  system: string[];
  objects: Record<string, Partial<Record<Right, boolean>>>;
  /** Only the fields that are not editable. */
  fields: Record<string, Record<string, 'hidden' | 'readOnly'>>;
}

/** The API's answer, checked for shape: anything else counts as "not told" (null). */
export function readPermissions(value: unknown): ViewerPermissions | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  // Every entity is listed when the server enforces permissions; none listed means it does not (no roles loaded).
  if (!v.objects || typeof v.objects !== 'object' || Object.keys(v.objects).length === 0) return null;
  return {
    system: Array.isArray(v.system) ? v.system.filter((s): s is string => typeof s === 'string') : [],
    objects: v.objects as ViewerPermissions['objects'],
    fields: v.fields && typeof v.fields === 'object' ? (v.fields as ViewerPermissions['fields']) : {},
  };
}

/**
 * May the person do `right` with records of `entity`? Not told → yes (the server still decides). Told, an
 * entity it does not list (one added since the permissions were read) → no: deny by default.
 */
export function can(permissions: ViewerPermissions | null | undefined, entity: string, right: Right): boolean {
  if (!permissions) return true;
  return permissions.objects[entity]?.[right] === true;
}

/** May the person open an area of administration? Not told → what `isAdmin` says. */
export function hasSystem(
  permissions: ViewerPermissions | null | undefined,
  right: SystemRight,
  isAdmin: boolean,
): boolean {
  if (!permissions) return isAdmin;
  return permissions.system.includes(right);
}

export function fieldLevel(
  permissions: ViewerPermissions | null | undefined,
  entity: string,
  field: string,
): FieldLevel {
  return permissions?.fields[entity]?.[field] ?? 'editable';
}

/**
 * The entities as this person may see them: only those they can read; in each, no hidden field, no relation
 * to an entity they cannot read (the API counts it hidden), and read-only fields marked `readOnly` so no form
 * or cell offers to change them. Declared views keep naming the fields; the screens skip names they miss.
 */
export function entitiesFor(
  entities: EntityDefinition[],
  permissions: ViewerPermissions | null | undefined,
): EntityDefinition[] {
  if (!permissions) return entities;
  const readable = new Set(entities.filter((e) => can(permissions, e.name, 'read')).map((e) => e.name));
  return entities
    .filter((e) => readable.has(e.name))
    .map((entity) => {
      const levels = permissions.fields[entity.name] ?? {};
      const fields: FieldDefinition[] = [];
      let changed = false;
      for (const field of entity.fields) {
        const level = levels[field.name];
        if (level === 'hidden' || (field.type === 'relation' && !readable.has(field.relation?.target ?? ''))) {
          changed = true;
          continue;
        }
        if (level === 'readOnly' && !field.readOnly) {
          changed = true;
          fields.push({ ...field, readOnly: true });
        } else fields.push(field);
      }
      return changed ? { ...entity, fields } : entity;
    });
}

/** A stable text of the permissions, to notice when they changed (roles reassigned, a role edited). */
export function permissionsKey(permissions: ViewerPermissions | null | undefined): string {
  return permissions ? JSON.stringify(permissions) : '';
}

/** The person's roles and rights; null when the API does not tell (then the screens behave as before). */
export async function loadPermissions(
  fetchFn: Fetch,
  session: Pick<Session, 'workspace'>,
): Promise<{ roles: string[]; permissions: ViewerPermissions | null }> {
  try {
    const { viewer } = await gql<{ viewer: { roles: string[]; permissions: unknown } }>(
      fetchFn,
      session,
      '{ viewer { roles permissions } }',
    );
    return { roles: viewer.roles ?? [], permissions: readPermissions(viewer.permissions) };
  } catch {
    return { roles: [], permissions: null };
  }
}
