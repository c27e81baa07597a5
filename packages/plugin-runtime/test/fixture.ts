// What the runtime's tests start on: a fresh database, an engine with the repository's core schemas and the
// plugin runtime (its plugins' logs dropped).
import { fileURLToPath } from 'node:url';
import { createTestDatabase, Engine, loadCoreEntities, type TestDatabase } from '@touchpoint/engine';
import { PluginRuntime } from '../src/index.ts';

export const SCHEMAS = fileURLToPath(new URL('../../../schemas/entities', import.meta.url));

export interface RuntimeFixture {
  database: TestDatabase;
  engine: Engine;
  /** The running runtime; a test that restarts it puts the new one here, for `close`. */
  runtime: PluginRuntime;
  close(): Promise<void>;
}

export async function startRuntime(): Promise<RuntimeFixture> {
  const database = await createTestDatabase();
  let engine: Engine | undefined;
  try {
    engine = await Engine.start({
      databaseUrl: database.url,
      dataDir: database.dataDir,
      coreEntities: loadCoreEntities(SCHEMAS),
      poolSize: 4,
    });
    const started = engine;
    const fixture: RuntimeFixture = {
      database,
      engine,
      runtime: await PluginRuntime.start({ engine, onLog: () => {} }),
      async close() {
        await fixture.runtime.close();
        await started.close();
        await database.drop();
      },
    };
    return fixture;
  } catch (error) {
    await engine?.close();
    await database.drop();
    throw error;
  }
}
