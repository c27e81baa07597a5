// Reads the core layer — `schemas/entities/*.yaml`, `schemas/permissions/*.yaml` — and fails with every problem of every file at once.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkPermissionReferences,
  type EntityDefinition,
  type PermissionModel,
  parseEntityFiles,
  parsePermissionFiles,
  validationFailed,
} from '@touchpoint/schema';

export function loadCoreEntities(directory: string): EntityDefinition[] {
  const { entities, issues } = parseEntityFiles(yamlFiles(directory));
  if (issues.length > 0) throw validationFailed(`The schemas in ${directory} are not valid:`, issues);
  return entities;
}

function yamlFiles(directory: string): { file: string; text: string }[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort()
    .map((name) => ({ file: join(directory, name), text: readFileSync(join(directory, name), 'utf8') }));
}

/** The core roles and sharing settings, checked against the core entities they name. */
export function loadCorePermissions(directory: string, entities: readonly EntityDefinition[]): PermissionModel {
  const { model, issues } = parsePermissionFiles(yamlFiles(directory));
  issues.push(...(issues.length === 0 ? checkPermissionReferences(model, entities) : []));
  if (issues.length > 0) throw validationFailed(`The permissions in ${directory} are not valid:`, issues);
  return model;
}
