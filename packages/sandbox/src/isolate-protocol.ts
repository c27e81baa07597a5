// The messages between the plugin host and its sandbox process (`isolate-process.ts`), over Node's IPC with
// the structured-clone serialisation (bigints pass as they are).
import type { JsonObject } from './types.ts';

/** What an isolate needs to start: everything but the host's functions, which stay in the parent. */
export interface IsolateStartConfig {
  plugin: { id: string; version: string };
  workspace: string;
  settings: JsonObject;
  memoryMb: number;
  maxResultBytes: number;
  maxHostCalls: number;
  startupTimeMs: number;
  bundle: string;
}

export type ParentMessage =
  | { t: 'create'; id: number; config: IsolateStartConfig }
  | { t: 'call'; id: number; req: number; args: unknown[]; timeoutMs: number }
  | { t: 'dispose'; id: number; req: number }
  | { t: 'heap'; id: number; req: number }
  /** The answer to a host call or a log line the child asked for (JSON text). */
  | { t: 'reply'; req: number; text: string };

export type ChildMessage =
  | { t: 'ready' }
  | { t: 'created'; id: number; descriptorJson: string; cpuNs: bigint }
  | { t: 'failed'; id: number; message: string; stack?: string }
  | { t: 'result'; req: number; ok: true; value: unknown; cpuNs: bigint }
  | { t: 'result'; req: number; ok: false; message: string; stack?: string; cpuNs: bigint }
  | { t: 'bridge'; id: number; req: number; callId: number; op: string; argsJson: string }
  | {
      t: 'log';
      id: number;
      req: number;
      callId: number;
      level: string;
      message: string;
      dataJson: string | undefined;
    }
  | { t: 'heap'; req: number; bytes: number }
  | { t: 'disposed'; req: number }
  | { t: 'cpu'; cpu: [number, bigint][] }
  | { t: 'catastrophic'; id: number; message: string };
