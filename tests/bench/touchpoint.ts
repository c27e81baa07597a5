// A real Touchpoint for the bench, started the way tests/api/harness.ts starts one: a fresh database, the
// engine with the repository's core schemas, the HTTP server on a free loopback port. The bench talks to it
// only over HTTP, like any client does.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApiServer } from '@touchpoint/api';
import { createTestDatabase, Engine, loadCoreEntities, type TestDatabase } from '@touchpoint/engine';

export const CORE_SCHEMAS = fileURLToPath(new URL('../../schemas/entities', import.meta.url));

export interface Touchpoint {
  engine: Engine;
  database: TestDatabase;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

export async function startTouchpoint(options: { poolSize: number }): Promise<Touchpoint> {
  const database = await createTestDatabase('tp_bench');
  let engine: Engine | undefined;
  let server: Server | undefined;
  try {
    engine = await Engine.start({
      databaseUrl: database.url,
      dataDir: database.dataDir,
      coreEntities: loadCoreEntities(CORE_SCHEMAS),
      poolSize: options.poolSize,
    });
    // The bench is one client sending thousands of requests a second: what the rate limit is there to stop.
    server = createApiServer({ engine, rateLimit: false });
    // Closed-loop clients reuse their connections; Node's default keep-alive timeout (5 s) would close idle
    // ones between the bench's phases and count reconnects as latency.
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  } catch (error) {
    await engine?.close();
    await database.drop();
    throw error;
  }
  const running = server;
  const started = engine;
  return {
    engine: started,
    database,
    url: `http://127.0.0.1:${(running.address() as AddressInfo).port}`,
    async close() {
      running.closeAllConnections();
      await new Promise((resolve) => running.close(resolve));
      await started.close();
      await database.drop();
    },
  };
}
