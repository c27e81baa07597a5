// Metadata as desired state: the admin's layer of a workspace (what the export writes) and the change list
// that takes the live metadata to a desired state (what apply and diff plan). Pure: no files, no database.
// Entities and fields are matched by their stable ids, so a changed name is a rename, not a remove and add.

import type { EntityDefinition, EntityLayer, FieldDefinition, Issue } from '@touchpoint/schema';
import { sameJson } from './canonical.ts';
import { ENTITY_PATCH_KEYS } from './change-shape.ts';
import type { MetadataChange } from './changes.ts';
import type { PermissionDocumentOf } from './permission-desired-state.ts';

type Raw = Record<string, unknown>;

/** A document of a desired-state file: a whole entity of the workspace, or its changes to a core/plugin entity. */
export type MetadataDocument =
  | { kind: 'entity'; entity: EntityDefinition; file: string }
  | { kind: 'entityLayer'; layer: ParsedEntityLayer; file: string }
  /** A role or the sharing settings (metadata/permission-desired-state.ts). */
  | PermissionDocumentOf;

/** An `extends:` document as read: the fields with `extends` are changes of the base entity's fields. */
export interface ParsedEntityLayer {
  extends: string;
  patch: Raw;
  added: FieldDefinition[];
  changed: { extends: string; name: string; patch: Raw }[];
  removedFields: string[];
}

/** What an export holds: entities the workspace created, and its layers over core and plugin entities. */
export interface AdminLayer {
  entities: EntityDefinition[];
  /** `source`: where the entity comes from; `pluginFields`: changed fields a plugin added, with that plugin. */
  layers: (EntityLayer & { source: string; pluginFields: Record<string, string> })[];
}

/** Field flags whose absence means false: a missing flag and `false` are the same desired state. */
const FIELD_DEFAULTS: Raw = { required: false, unique: false, readOnly: false };
const NOT_COMPARED = new Set(['id', 'source', 'name']);

function flagOrValue(field: Raw, key: string): unknown {
  return field[key] ?? FIELD_DEFAULTS[key];
}

/** The keys of `to` that differ from `from` (a flag back to its default is written as that default). */
function fieldDiff(from: FieldDefinition, to: FieldDefinition): { patch: Raw; unset: string[] } {
  const a = from as unknown as Raw;
  const b = to as unknown as Raw;
  const patch: Raw = {};
  const unset: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (NOT_COMPARED.has(key) || sameJson(flagOrValue(a, key), flagOrValue(b, key))) continue;
    const value = flagOrValue(b, key);
    if (value === undefined) unset.push(key);
    else patch[key] = value;
  }
  return { patch, unset };
}

function entityDiff(from: EntityDefinition, to: EntityDefinition): { patch: Raw; unset: string[] } {
  const a = from as unknown as Raw;
  const b = to as unknown as Raw;
  const patch: Raw = {};
  const unset: string[] = [];
  for (const key of ENTITY_PATCH_KEYS) {
    if (sameJson(a[key], b[key])) continue;
    if (b[key] === undefined) unset.push(key);
    else patch[key] = b[key];
  }
  return { patch, unset };
}

function withoutSource<T extends { source?: string }>(value: T): T {
  const { source: _source, ...rest } = value;
  return rest as T;
}

/**
 * The admin's layer: entities absent from the core and plugin layers whole; for an entity of those layers
 * only what the workspace changed (an EntityLayer), or nothing when it changed nothing.
 */
export function adminLayer(base: EntityDefinition[], current: EntityDefinition[]): AdminLayer {
  const out: AdminLayer = { entities: [], layers: [] };
  for (const entity of current) {
    const from = base.find((e) => e.id === entity.id);
    if (!from) {
      out.entities.push({ ...withoutSource(entity), fields: entity.fields.map(withoutSource) });
      continue;
    }
    const { patch } = entityDiff(from, entity);
    const fields: EntityLayer['fields'] = [];
    const pluginFields: Record<string, string> = {};
    for (const field of entity.fields) {
      const was = from.fields.find((f) => f.id === field.id);
      if (!was) {
        fields.push(withoutSource(field));
        continue;
      }
      const diff = fieldDiff(was, field);
      if (was.name !== field.name || Object.keys(diff.patch).length > 0) {
        fields.push({ name: field.name, extends: was.name, ...diff.patch });
        if (was.source && was.source !== from.source) pluginFields[field.name] = was.source;
      }
    }
    const removedFields = from.fields.filter((f) => !entity.fields.some((g) => g.id === f.id)).map((f) => f.name);
    if (Object.keys(patch).length === 0 && fields.length === 0 && removedFields.length === 0) continue;
    const entityId = from.id ?? from.name;
    const source = from.source ?? 'core';
    out.layers.push({ extends: from.name, entityId, patch, fields, removedFields, source, pluginFields });
  }
  return out;
}

/**
 * The entities a desired state describes: every core and plugin entity with the file's layer over it, and
 * the workspace's own entities. Ids missing from the file are derived from names (`<entity>`,
 * `<entity>.<field>`), so two instances applying one file get the same ids.
 */
export function desiredEntities(
  base: EntityDefinition[],
  documents: MetadataDocument[],
): { entities: EntityDefinition[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const layers = new Map<string, ParsedEntityLayer>();
  const created: EntityDefinition[] = [];
  const names = new Map<string, string>();
  for (const doc of documents) {
    if (doc.kind === 'role' || doc.kind === 'sharing') continue;
    const name = doc.kind === 'entity' ? doc.entity.name : doc.layer.extends;
    const seen = names.get(`${doc.kind}:${name}`);
    if (seen !== undefined) {
      issues.push({
        file: doc.file,
        path: doc.kind === 'entity' ? 'name' : 'extends',
        message: `"${name}" is described twice (also in ${seen}); one document per entity`,
      });
      continue;
    }
    names.set(`${doc.kind}:${name}`, doc.file);
    if (doc.kind === 'entityLayer') {
      if (!base.some((e) => e.name === name)) {
        issues.push({
          file: doc.file,
          path: 'extends',
          message: `no core or plugin entity is named "${name}"; extends names one of: ${base.map((e) => e.name).join(', ')}`,
        });
      } else layers.set(name, doc.layer);
      continue;
    }
    if (base.some((e) => e.name === name)) {
      issues.push({
        file: doc.file,
        path: 'name',
        message: `"${name}" is a core or plugin entity: describe this workspace's changes to it with "extends: ${name}"`,
      });
      continue;
    }
    const id = doc.entity.id ?? doc.entity.name;
    created.push({
      ...structuredClone(doc.entity),
      id,
      fields: doc.entity.fields.map((f) => ({ ...structuredClone(f), id: f.id ?? `${id}.${f.name}` })),
    });
  }
  const entities = base.map((from) => {
    const layer = layers.get(from.name);
    const entity = structuredClone(from);
    if (!layer) return entity;
    const file = documents.find((d) => d.kind === 'entityLayer' && d.layer === layer)?.file;
    Object.assign(entity, layer.patch);
    for (const change of layer.changed) {
      const field = entity.fields.find((f) => f.name === change.extends);
      if (!field) {
        issues.push({
          file,
          path: `fields.${change.name}.extends`,
          message: `"${from.name}" has no field "${change.extends}" to change; its fields: ${from.fields.map((f) => f.name).join(', ')}`,
        });
        continue;
      }
      Object.assign(field, change.patch, { name: change.name });
    }
    for (const removed of layer.removedFields) {
      const index = entity.fields.findIndex((f) => f.name === removed);
      if (index < 0) issues.push({ file, path: 'removedFields', message: `"${from.name}" has no field "${removed}"` });
      else entity.fields.splice(index, 1);
    }
    const entityId = from.id ?? from.name;
    for (const field of layer.added) {
      entity.fields.push({ ...structuredClone(field), id: field.id ?? `${entityId}.${field.name}` });
    }
    return entity;
  });
  return { entities: [...entities, ...created], issues };
}

/**
 * The changes that take `current` to `desired`, in the order the change API needs them: per entity,
 * renames and updates of fields, then added fields, then the entity's own keys, then removed fields;
 * new entities after, removed entities last. A key the file leaves out that has no default cannot be
 * unset through the change API: that is an issue, not a silent no-op.
 */
export function planChanges(
  base: EntityDefinition[],
  current: EntityDefinition[],
  desired: EntityDefinition[],
): { changes: MetadataChange[]; issues: Issue[] } {
  const changes: MetadataChange[] = [];
  const removals: MetadataChange[] = [];
  const issues: Issue[] = [];
  for (const want of desired) {
    const have = current.find((e) => e.id === want.id);
    if (!have) {
      // A core or plugin entity this workspace removed stays removed: restoring is an archive's job.
      if (!base.some((e) => e.id === want.id)) changes.push({ op: 'createEntity', entity: want });
      continue;
    }
    const ref = { entity: have.name, entityId: have.id };
    const adds: MetadataChange[] = [];
    for (const [position, field] of want.fields.entries()) {
      const was = have.fields.find((f) => f.id === field.id);
      if (!was) {
        adds.push({ op: 'addField', ...ref, field, position });
        continue;
      }
      const { patch, unset } = fieldDiff(was, field);
      for (const key of unset) {
        issues.push({
          path: `${want.name}.fields.${field.name}.${key}`,
          message: `"${key}" cannot be taken out of a field through a desired state yet; give it a value instead`,
        });
      }
      if (was.name !== field.name) patch.name = field.name;
      if (Object.keys(patch).length > 0) {
        changes.push({ op: 'updateField', ...ref, field: was.name, fieldId: was.id, patch });
      }
    }
    changes.push(...adds);
    const { patch, unset } = entityDiff(have, want);
    for (const key of unset) {
      issues.push({
        path: `${want.name}.${key}`,
        message: `"${key}" cannot be taken out of an entity through a desired state yet; give it a value instead`,
      });
    }
    if (Object.keys(patch).length > 0) changes.push({ op: 'updateEntity', ...ref, patch });
    for (const field of have.fields) {
      if (!want.fields.some((f) => f.id === field.id)) {
        changes.push({ op: 'removeField', ...ref, field: field.name, fieldId: field.id });
      }
    }
  }
  for (const have of current) {
    if (!desired.some((e) => e.id === have.id) && !base.some((e) => e.id === have.id)) {
      removals.push({ op: 'removeEntity', entity: have.name, entityId: have.id });
    }
  }
  return { changes: [...changes, ...removals], issues };
}

/** One change in words, for the plan the CLI prints before the database steps. */
export function describeChange(change: MetadataChange): string {
  switch (change.op) {
    case 'createEntity':
      return `Create the entity "${change.entity.name}" with ${change.entity.fields.length} field${change.entity.fields.length === 1 ? '' : 's'}.`;
    case 'updateEntity': {
      const { name, ...rest } = change.patch;
      const renamed =
        name !== undefined && name !== change.entity ? `Rename the entity "${change.entity}" to "${name}"` : '';
      const keys = Object.keys(rest);
      const changed = keys.length > 0 ? `change ${keys.join(', ')} of the entity "${name ?? change.entity}"` : '';
      const text = [renamed, changed].filter(Boolean).join('; ');
      return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
    }
    case 'removeEntity':
      return `Remove the entity "${change.entity}" (its table is archived).`;
    case 'addField':
      return `Add the ${change.field.type} field "${change.field.name}" to "${change.entity}".`;
    case 'updateField': {
      const { name, ...rest } = change.patch;
      const where = `"${change.entity}.${change.field}"`;
      const renamed = name !== undefined ? `Rename the field ${where} to "${name}"` : '';
      const keys = Object.keys(rest);
      const changed =
        keys.length > 0
          ? `change ${keys.join(', ')} of the field ${renamed ? `"${change.entity}.${name}"` : where}`
          : '';
      const text = [renamed, changed].filter(Boolean).join('; ');
      return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
    }
    case 'removeField':
      return `Remove the field "${change.entity}.${change.field}" (its values are archived).`;
    case 'createRole':
      return `Create the role "${change.role.name}".`;
    case 'updateRole':
      return `Change ${Object.keys(change.patch).join(', ')} of the role "${change.role}".`;
    case 'removeRole':
      return `Remove the role "${change.role}".`;
    case 'setEntitySharing':
      return `Set the sharing of "${change.entity}" to ${change.sharing.default}${change.sharing.parent ? ` (following ${change.sharing.parent})` : ''}.`;
    case 'addSharingRule':
      return `Add the sharing rule "${change.rule.name}": ${change.rule.entity} records matching its condition, ${change.rule.access === 'edit' ? 'read and edit' : 'read'} for ${change.rule.role}.`;
    case 'updateSharingRule':
      return `Change ${Object.keys(change.patch).join(', ')} of the sharing rule "${change.rule}".`;
    case 'removeSharingRule':
      return `Remove the sharing rule "${change.rule}".`;
    default:
      return `${change.op} ${JSON.stringify(change)}`;
  }
}
