// The admin's layer: metadata changes made in the designer or through the API, stored per version and
// replayed on top of the core and plugin layers to give a workspace its effective metadata.
import { randomBytes } from 'node:crypto';
import type { EntityDefinition, FieldDefinition, PermissionModel } from '@touchpoint/schema';
import { EMPTY_PERMISSIONS, IssueCollector, TouchpointError } from '@touchpoint/schema';
import {
  applyPermissionChange,
  isPermissionChange,
  PERMISSION_OPS,
  type PermissionChange,
  renameEntityInPermissions,
  renameFieldInPermissions,
  sharingUse,
} from './permission-changes.ts';

export type EntityPatch = Partial<Omit<EntityDefinition, 'fields' | 'id' | 'source'>>;
export type FieldPatch = Partial<Omit<FieldDefinition, 'id' | 'source'>>;

export type MetadataChange =
  | { op: 'createEntity'; entity: EntityDefinition }
  | { op: 'updateEntity'; entity: string; entityId?: string; patch: EntityPatch }
  | { op: 'removeEntity'; entity: string; entityId?: string }
  | { op: 'addField'; entity: string; entityId?: string; field: FieldDefinition; position?: number }
  | { op: 'updateField'; entity: string; entityId?: string; field: string; fieldId?: string; patch: FieldPatch }
  | { op: 'removeField'; entity: string; entityId?: string; field: string; fieldId?: string }
  | { op: 'restoreField'; archiveId: number; entityId?: string; definition?: FieldDefinition }
  | { op: 'restoreEntity'; archiveId: number; definition?: EntityDefinition }
  /** Deletes an archive's data for good (its archived columns or table): destructive, planned like the others. */
  | { op: 'purgeArchive'; archiveId: number }
  /** Roles and sharing settings (metadata/permission-changes.ts). */
  | PermissionChange;

export const CHANGE_OPS = [
  'createEntity',
  'updateEntity',
  'removeEntity',
  'addField',
  'updateField',
  'removeField',
  'restoreField',
  'restoreEntity',
  'purgeArchive',
  ...PERMISSION_OPS,
] as const;

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function findEntity(entities: EntityDefinition[], name: string, id?: string): EntityDefinition | undefined {
  return (id ? entities.find((e) => e.id === id) : undefined) ?? entities.find((e) => e.name === name);
}

function findField(entity: EntityDefinition, name: string, id?: string): FieldDefinition | undefined {
  return (id ? entity.fields.find((f) => f.id === id) : undefined) ?? entity.fields.find((f) => f.name === name);
}

/**
 * Applies changes in order to a copy of `base` (and of `options.permissions`, the roles and sharing settings
 * below them). With `record`, the changes are also resolved for storage: new entities, fields, roles and rules
 * get fresh ids and every reference carries the id of what it targets, so the change still means the same
 * thing after later renames. Renaming an entity or a field renames it in the permissions too.
 */
export function applyChanges(
  base: EntityDefinition[],
  changes: MetadataChange[],
  options: { record?: boolean; pathPrefix?: string; permissions?: PermissionModel } = {},
): { entities: EntityDefinition[]; changes: MetadataChange[]; permissions: PermissionModel } {
  const entities = clone(base);
  const permissions = clone(options.permissions ?? EMPTY_PERMISSIONS);
  const resolved: MetadataChange[] = [];
  const issues = new IssueCollector();
  const prefix = options.pathPrefix ?? 'changes';

  for (const [index, original] of changes.entries()) {
    const change = clone(original);
    const path = `${prefix}[${index}]`;
    // Resolve what a change targets, recording its id so the change keeps its meaning after renames.
    const target = (c: { entity: string; entityId?: string }) => {
      const entity = findEntity(entities, c.entity, c.entityId);
      if (entity) c.entityId = entity.id;
      else issues.add(`${path}.entity`, `no entity named "${c.entity}"`);
      return entity;
    };
    const targetField = (entity: EntityDefinition, c: { field: string; fieldId?: string }) => {
      const field = findField(entity, c.field, c.fieldId);
      if (field) c.fieldId = field.id;
      else issues.add(`${path}.field`, `entity "${entity.name}" has no field "${c.field}"`);
      return field;
    };
    if (isPermissionChange(change)) {
      if (applyPermissionChange(permissions, change, path, issues, options.record === true)) resolved.push(change);
      continue;
    }
    switch (change.op) {
      case 'createEntity': {
        const entity = change.entity;
        if (findEntity(entities, entity.name)) {
          issues.add(`${path}.entity.name`, `an entity named "${entity.name}" already exists`);
          continue;
        }
        if (options.record) {
          entity.id = entity.id ?? newId('ent');
          for (const field of entity.fields ?? []) field.id = field.id ?? newId('fld');
        }
        entity.source = 'workspace';
        for (const field of entity.fields ?? []) field.source = 'workspace';
        entities.push(entity);
        break;
      }
      case 'updateEntity': {
        const entity = target(change);
        if (!entity) continue;
        const from = entity.name;
        Object.assign(entity, change.patch);
        renameEntityInPermissions(permissions, from, entity.name);
        break;
      }
      case 'removeEntity': {
        const entity = target(change);
        if (!entity) continue;
        entities.splice(entities.indexOf(entity), 1);
        break;
      }
      case 'addField': {
        const entity = target(change);
        if (!entity) continue;
        if (findField(entity, change.field.name)) {
          issues.add(`${path}.field.name`, `entity "${entity.name}" already has a field named "${change.field.name}"`);
          continue;
        }
        if (options.record) change.field.id = change.field.id ?? newId('fld');
        const field = { ...change.field, source: 'workspace' };
        const position = change.position ?? entity.fields.length;
        entity.fields.splice(Math.max(0, Math.min(position, entity.fields.length)), 0, field);
        break;
      }
      case 'updateField': {
        const entity = target(change);
        if (!entity) continue;
        const field = targetField(entity, change);
        if (!field) continue;
        const renamed = change.patch.name !== undefined && change.patch.name !== field.name;
        if (renamed && findField(entity, change.patch.name!)) {
          issues.add(`${path}.patch.name`, `entity "${entity.name}" already has a field named "${change.patch.name}"`);
          continue;
        }
        const before = field.name;
        Object.assign(field, change.patch);
        if (renamed) {
          renameReferences(entity, change.field, field.name);
          renameFieldInPermissions(permissions, entity.name, before, field.name);
        }
        break;
      }
      case 'removeField': {
        const entity = target(change);
        if (!entity) continue;
        const field = targetField(entity, change);
        if (!field) continue;
        const used = sharingUse(permissions, entity.name, field.name);
        if (used && options.record) {
          issues.add(`${path}.field`, used);
          continue;
        }
        entity.fields.splice(entity.fields.indexOf(field), 1);
        dropReferences(entity, field.name);
        break;
      }
      case 'restoreField': {
        const definition = change.definition;
        const entity = entities.find((e) => e.id === change.entityId);
        if (!definition || !entity) {
          issues.add(
            `${path}.archiveId`,
            `archive ${change.archiveId} cannot be restored: its entity no longer exists`,
          );
          continue;
        }
        if (findField(entity, definition.name)) {
          issues.add(
            `${path}.archiveId`,
            `entity "${entity.name}" has a field named "${definition.name}" again; rename it before restoring`,
          );
          continue;
        }
        entity.fields.push(clone(definition));
        break;
      }
      case 'restoreEntity': {
        const definition = change.definition;
        if (!definition) {
          issues.add(`${path}.archiveId`, `archive ${change.archiveId} is not an entity`);
          continue;
        }
        if (findEntity(entities, definition.name)) {
          issues.add(`${path}.archiveId`, `an entity named "${definition.name}" exists again; rename it first`);
          continue;
        }
        entities.push(clone(definition));
        break;
      }
      case 'purgeArchive':
        // Changes no definition: the planner turns it into the steps that drop the archived data.
        break;
      default: {
        const unknown: never = change;
        issues.add(`${path}.op`, `unknown change ${JSON.stringify((unknown as { op: unknown }).op)}`, {
          allowed: CHANGE_OPS,
        });
        continue;
      }
    }
    resolved.push(change);
  }
  issues.throwIfAny('The metadata change cannot be applied:');
  return { entities, changes: resolved, permissions };
}

/** Keeps views, indexes, sort and title pointing at a renamed field. */
function renameReferences(entity: EntityDefinition, from: string, to: string): void {
  const swap = (name: string) => (name === from ? to : name);
  if (entity.titleField === from) entity.titleField = to;
  for (const sort of entity.defaultSort ?? []) sort.field = swap(sort.field);
  for (const index of entity.indexes ?? []) index.fields = index.fields.map(swap);
  const views = entity.views;
  if (!views) return;
  if (views.list) views.list.columns = views.list.columns.map(swap);
  for (const section of views.form?.sections ?? []) section.fields = section.fields.map(swap);
  if (views.kanban) views.kanban.groupBy = swap(views.kanban.groupBy);
  if (views.calendar) {
    views.calendar.dateField = swap(views.calendar.dateField);
    if (views.calendar.endField) views.calendar.endField = swap(views.calendar.endField);
  }
}

/** Removes a deleted field from views, indexes and sort; the title field cannot be removed (validation says so). */
function dropReferences(entity: EntityDefinition, name: string): void {
  entity.defaultSort = entity.defaultSort?.filter((s) => s.field !== name);
  entity.indexes = entity.indexes?.filter((i) => !i.fields.includes(name));
  const views = entity.views;
  if (!views) return;
  if (views.list) views.list.columns = views.list.columns.filter((c) => c !== name);
  for (const section of views.form?.sections ?? []) section.fields = section.fields.filter((f) => f !== name);
  if (views.kanban?.groupBy === name) delete views.kanban;
  if (views.calendar?.dateField === name) delete views.calendar;
}

export function assertKnownChanges(changes: unknown): asserts changes is MetadataChange[] {
  if (!Array.isArray(changes)) throw new TouchpointError('VALIDATION_FAILED', 'changes must be a list');
}
