// Parses a large request body on a thread of its own. JSON.parse of a 9 MB plugin archive takes 40-90 ms of
// one stretch on a loaded machine (2 cores, load 15); on the server's main thread every other request, and
// /healthz, would wait that long. The body comes in transferred (no copy); a body that is not JSON goes back
// the same way, for graphql-yoga to answer it as it answers any bad body.
import { parentPort } from 'node:worker_threads';

parentPort!.once('message', (body: ArrayBuffer) => {
  try {
    const params: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new Error('not an object');
    parentPort!.postMessage({ ok: true, params });
  } catch {
    parentPort!.postMessage({ ok: false, body }, [body]);
  }
});
