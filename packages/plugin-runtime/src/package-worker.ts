// Reads a plugin archive on a thread of its own. Parsing, checking and hashing a bundle of several MB takes
// ~300 ms of CPU (2 cores, loaded); on the server's main thread every other request would wait that long.
import { parentPort } from 'node:worker_threads';
import { isTouchpointError } from '@touchpoint/schema';
import { readPackage } from './package.ts';

parentPort!.on('message', (input: unknown) => {
  try {
    parentPort!.postMessage({ ok: true, pkg: readPackage(input) });
  } catch (error) {
    const refusal = isTouchpointError(error)
      ? { code: error.code, message: error.message, issues: error.issues, details: error.details }
      : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
    parentPort!.postMessage({ ok: false, refusal });
  }
});
