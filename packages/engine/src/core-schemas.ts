// Reads the core layer — `schemas/entities/*.yaml` — and fails with every problem of every file at once.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EntityDefinition, parseEntityFiles, validationFailed } from '@touchpoint/schema';

export function loadCoreEntities(directory: string): EntityDefinition[] {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort()
    .map((name) => ({ file: join(directory, name), text: readFileSync(join(directory, name), 'utf8') }));
  const { entities, issues } = parseEntityFiles(files);
  if (issues.length > 0) throw validationFailed(`The schemas in ${directory} are not valid:`, issues);
  return entities;
}
