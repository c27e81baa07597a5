// A real Touchpoint for the CRM tests: a fresh database, the engine with the repository's core schemas,
// and small helpers to write hand-built data through the record service.
import { fileURLToPath } from 'node:url';
import {
  type Clock,
  createTestDatabase,
  Engine,
  loadCoreEntities,
  loadCorePermissions,
  MAX_BATCH,
  physical,
  type TestDatabase,
} from '@touchpoint/engine';
import { expect } from 'vitest';
import { type CrmService, crm } from '../src/index.ts';

export const CORE_SCHEMAS = fileURLToPath(new URL('../../../schemas/entities', import.meta.url));
export const CORE_PERMISSIONS = fileURLToPath(new URL('../../../schemas/permissions', import.meta.url));

export interface Fixture {
  engine: Engine;
  database: TestDatabase;
  crm(actor?: string): CrmService;
  create(entity: string, values: Record<string, unknown>): Promise<string>;
  createMany(entity: string, values: Record<string, unknown>[]): Promise<string[]>;
  update(entity: string, id: string, values: Record<string, unknown>): Promise<void>;
  remove(entity: string, id: string): Promise<void>;
  /** Live and deleted rows of every table, to prove a refused operation changed nothing. */
  snapshot(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startFixture(options: { clock?: Clock } = {}): Promise<Fixture> {
  const database = await createTestDatabase('tp_crm');
  const engine = await Engine.start({
    clock: options.clock,
    databaseUrl: database.url,
    dataDir: database.dataDir,
    coreEntities: loadCoreEntities(CORE_SCHEMAS),
    // The core roles and sharing settings, as `touchpoint start` has them: user actors are held to them.
    corePermissions: loadCorePermissions(CORE_PERMISSIONS, loadCoreEntities(CORE_SCHEMAS)),
    poolSize: 6,
  });
  const records = engine.records({ workspace: 'default', actor: 'tester' });
  return {
    engine,
    database,
    crm: (actor = 'tester') => crm(engine, { workspace: 'default', actor }),
    create: async (entity, values) => (await records.create(entity, values)).id,
    createMany: async (entity, values) => {
      const ids: string[] = [];
      for (let i = 0; i < values.length; i += MAX_BATCH) {
        ids.push(...(await records.createMany(entity, values.slice(i, i + MAX_BATCH))).map((r) => r.id));
      }
      return ids;
    },
    update: async (entity, id, values) => void (await records.update(entity, id, values)),
    remove: async (entity, id) => void (await records.delete(entity, id)),
    async snapshot() {
      const metadata = await engine.metadata('default');
      const result: Record<string, string> = {};
      for (const entity of metadata.entities) {
        const [row] = await engine.db.query<{ digest: string }>(
          `select count(*) || ':' || coalesce(max(version), 0) || ':' || coalesce(sum(version), 0) || ':' || coalesce(max(updated_at)::text, '') as digest from ${physical.qualifiedTable('ws_default', entity)}`,
        );
        result[entity.name] = row!.digest;
      }
      return result;
    },
    async close() {
      await engine.close();
      await database.drop();
    },
  };
}

/** Expects a TouchpointError with this code and, when given, an issue at each path. */
export async function expectError(promise: Promise<unknown>, code: string, paths: string[] = []): Promise<Error> {
  const error = (await promise.then(
    () => {
      throw new Error(`expected ${code}, but the call succeeded`);
    },
    (e: unknown) => e,
  )) as Error & { code?: string; issues?: { path: string }[] };
  expect(error.code, error.message).toBe(code);
  for (const path of paths)
    expect(
      error.issues?.map((i) => i.path),
      error.message,
    ).toContain(path);
  return error;
}

export const money = (amount: number | string, currency = 'CNY') => ({ amount: String(amount), currency });
