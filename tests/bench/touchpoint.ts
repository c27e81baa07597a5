// A real Touchpoint for the bench, started by the composition root `touchpoint start` uses (createTouchpoint): a fresh database, the
// engine with the repository's core schemas, the HTTP server on a free loopback port. The bench talks to it
// only over HTTP, like any client does.
import { fileURLToPath } from 'node:url';
import { createTouchpoint, type Touchpoint as Running } from '@touchpoint/api';
import { createTestDatabase, type Engine, loadCoreEntities, type TestDatabase } from '@touchpoint/engine';

export const CORE_SCHEMAS = fileURLToPath(new URL('../../schemas/entities', import.meta.url));

export interface Touchpoint {
  engine: Engine;
  database: TestDatabase;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** An admin's API token: the bench's requests are signed in, as every client's must be. */
  token: string;
  close(): Promise<void>;
}

export async function startTouchpoint(options: { poolSize: number }): Promise<Touchpoint> {
  const database = await createTestDatabase('tp_bench');
  let running: Running;
  try {
    running = await createTouchpoint({
      engine: {
        databaseUrl: database.url,
        dataDir: database.dataDir,
        coreEntities: loadCoreEntities(CORE_SCHEMAS),
        poolSize: options.poolSize,
      },
      // The bench measures the API's reads and writes; plugins and history behaviour would add their own work.
      plugins: false,
      crmBehaviour: false,
      // The bench is one client sending thousands of requests a second: what the rate limit is there to stop.
      api: { rateLimit: false },
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  let token: string;
  try {
    const { credentialId } = await running.engine.addUser('default', {
      email: 'bench@example.test',
      name: 'Bench',
      role: 'admin',
    });
    token = (await running.engine.identity.createToken(credentialId, 'bench', 1, credentialId, { channel: 'system' }))
      .token;
  } catch (error) {
    await running.close();
    await database.drop();
    throw error;
  }
  return {
    engine: running.engine,
    database,
    url: running.url,
    token,
    async close() {
      await running.close();
      await database.drop();
    },
  };
}
