// Plugin fixtures: sources written to a temporary folder and built exactly as a partner's plugin is.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TouchpointError } from '@touchpoint/schema';
import { buildPlugin, type HostApi, type HostCall, type JsonObject } from '../src/index.ts';

/** Where `@touchpoint/plugin-sdk` resolves from for plugins living in a temporary folder. */
export const NODE_PATHS = [resolve(dirname(fileURLToPath(import.meta.url)), '../node_modules')];

const dirs: string[] = [];

/** Writes a plugin folder (files relative to it) and returns its path. */
export function writePlugin(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tp-plugin-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Builds `src/index.ts` = `source` into a bundle. */
export async function bundle(source: string): Promise<string> {
  const dir = writePlugin({ 'src/index.ts': source });
  return (await buildPlugin(dir, { nodePaths: NODE_PATHS })).bundle;
}

export function removePluginDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export const IMPORT = "import { definePlugin, defineAction } from '@touchpoint/plugin-sdk';\n";

/** Record storage for tests: the host functions a plugin reaches, over plain maps, counting calls. */
export function memoryHostApi(seed: Record<string, JsonObject[]> = {}) {
  const tables = new Map<string, Map<string, JsonObject>>();
  for (const [entity, rows] of Object.entries(seed)) {
    tables.set(entity, new Map(rows.map((r) => [String(r.id), { ...r }])));
  }
  const table = (entity: string) => {
    const t = tables.get(entity) ?? new Map<string, JsonObject>();
    tables.set(entity, t);
    return t;
  };
  const counts = { get: 0, list: 0, create: 0, update: 0 };
  const seen: { op: string; entity: string; call: HostCall }[] = [];
  let nextId = 1;
  const api: HostApi = {
    records: {
      async get(call, entity, id) {
        counts.get++;
        seen.push({ op: 'get', entity, call });
        return table(entity).get(id) ?? null;
      },
      async list(call, entity, options) {
        counts.list++;
        seen.push({ op: 'list', entity, call });
        const records = [...table(entity).values()].slice(0, options.first ?? 50);
        return { records, hasNextPage: false, endCursor: null };
      },
      async create(call, entity, values) {
        counts.create++;
        seen.push({ op: 'create', entity, call });
        const id = `00000000-0000-4000-8000-${String(nextId++).padStart(12, '0')}`;
        table(entity).set(id, { ...values, id, version: 1 });
        return { id, version: 1 };
      },
      async update(call, entity, id, values) {
        counts.update++;
        seen.push({ op: 'update', entity, call });
        const row = table(entity).get(id);
        if (!row) throw new TouchpointError('NOT_FOUND', `There is no ${entity} with id ${id}.`);
        const version = Number(row.version ?? 1) + 1;
        table(entity).set(id, { ...row, ...values, version });
        return { id, version };
      },
    },
  };
  return { api, tables, counts, seen };
}
