// The bench's end of the load generator's process (load-client.ts): forks it, hands it what it needs to
// build its request functions, and turns each named request into a `Side` for runLoads.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Phase, Side } from './load.ts';
import type { ClientMessage, ClientReply, ClientSetup, RequestSpec } from './load-client.ts';

export interface LoadProcess {
  side(spec: RequestSpec): Side;
  close(): Promise<void>;
}

export async function startLoadProcess(setup: ClientSetup): Promise<LoadProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./load-client.ts', import.meta.url)), [], {
    execArgv: ['--no-node-snapshot'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<
    number,
    { resolve: (value: Phase & { clientCpuMs: number }) => void; reject: (e: Error) => void }
  >();
  let nextId = 1;
  let ready: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const failAll = (error: Error) => {
    ready?.reject(error);
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
  };
  child.on('message', (reply: ClientReply) => {
    if (reply.type === 'ready') ready?.resolve();
    else if (reply.type === 'phaseDone') {
      waiting.get(reply.id)?.resolve({ ...reply.phase, clientCpuMs: reply.cpuMs });
      waiting.delete(reply.id);
    } else if (reply.type === 'failed') {
      const error = new Error(`load process: ${reply.message}`);
      if (reply.id === undefined) failAll(error);
      else {
        waiting.get(reply.id)?.reject(error);
        waiting.delete(reply.id);
      }
    }
  });
  child.on('exit', (code) => failAll(new Error(`load process exited (code ${code})`)));
  const post = (message: ClientMessage) => child.send(message);
  await new Promise<void>((resolve, reject) => {
    ready = { resolve, reject };
    post({ type: 'setup', setup });
  });
  ready = undefined;
  return {
    side(spec) {
      return {
        run: (concurrency, ms) =>
          new Promise((resolve, reject) => {
            const id = nextId++;
            waiting.set(id, { resolve, reject });
            post({ type: 'phase', id, spec, concurrency, ms });
          }),
      };
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      post({ type: 'close' });
      await exited;
    },
  };
}
