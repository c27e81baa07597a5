// The embedded database's own thread: PGlite (PostgreSQL compiled to WebAssembly) runs every statement
// synchronously on the thread that owns it, so on the main thread one slow statement would stop the whole
// server — health checks, other requests, SIGTERM. Here it blocks only this worker, which the main thread can
// terminate and start again on the same data directory when a statement runs past its time (db.ts). It
// serves the PostgreSQL wire protocol on a Unix socket in a directory only this user can enter, so no other
// local user can connect to it.
import { chmodSync, mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

interface Start {
  dataDir: string;
  socketPath: string;
  maxConnections: number;
  /** PGlite's WebAssembly, compiled once by the main thread: a restart then skips compiling 9 MB again. */
  wasmModule: WebAssembly.Module;
  /** PGlite's file-system bundle, read once. */
  fsBundle: Blob;
}

const { dataDir, socketPath, maxConnections, wasmModule, fsBundle } = workerData as Start;
const port = parentPort!;

try {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  // pg_trgm ships with PGlite as a loadable extension: substring search gets the same indexes as on a server.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, { extensions: { pg_trgm }, pgliteWasmModule: wasmModule, fsBundle });
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections });
  await server.start();
  chmodSync(socketPath, 0o600);
  port.on('message', async (message: unknown) => {
    if (message !== 'stop') return;
    try {
      await server.stop();
      await db.close();
    } finally {
      port.postMessage({ stopped: true });
    }
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ failed: error instanceof Error ? error.message : String(error) });
}
