// The load generator's own process. The bench forks it so that sending requests and reading answers
// (HTTP, JSON) never runs on the Touchpoint server's event loop or counts as the server's CPU, as a
// client on another machine would not. The baseline's pg calls run here too: the baseline is SQL through
// pg with no server in between, so this process is all of its Node side.
//
// Protocol (IPC messages): `setup` once, then any number of `phase` → `phaseDone`. Request functions are
// built here from names (`baseline.listWithContacts`, `touchpoint.listWithContacts`, `healthz`, `sql`),
// since functions cannot cross a process boundary.
import { Agent, get } from 'node:http';
import pg from 'pg';
import { baselineReads, createBaseline } from './baseline.ts';
import { type Phase, runPhase } from './load.ts';
import { graphqlClient, type ScenarioKey, touchpointReads, touchpointRequests } from './scenarios.ts';

export interface ClientSetup {
  /** Touchpoint's base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** The API token the bench's requests sign in with. */
  token: string;
  databaseUrl: string;
  /** Size of the baseline's own pg pool: the same as Touchpoint's. */
  poolSize: number;
  accountIds: string[];
  expected: { pageSize: number; accounts: number };
}

/** What one phase runs, named so it can be sent over IPC. */
export type RequestSpec =
  | { kind: 'baseline' | 'touchpoint'; scenario: ScenarioKey }
  | { kind: 'healthz' }
  /** One statement through the baseline's pool, e.g. the SQL Touchpoint compiles, run as is. */
  | { kind: 'sql'; text: string; params: unknown[] }
  /** A GraphQL document sent with its own token (a given user), answered without errors (permissions.ts). */
  | { kind: 'graphql'; token: string; query: string };

export type ClientMessage =
  | { type: 'setup'; setup: ClientSetup }
  | { type: 'phase'; id: number; spec: RequestSpec; concurrency: number; ms: number }
  | { type: 'close' };

export type ClientReply =
  | { type: 'ready' }
  | { type: 'phaseDone'; id: number; phase: Phase; cpuMs: number }
  | { type: 'failed'; id?: number; message: string };

function send(reply: ClientReply): void {
  process.send?.(reply);
}

let pool: pg.Pool | undefined;
let requestOf: ((spec: RequestSpec) => () => Promise<void>) | undefined;

function setUp(setup: ClientSetup): void {
  // PostgreSQL's JIT off, as on Touchpoint's own connections (see packages/engine/src/db.ts).
  pool = new pg.Pool({ connectionString: setup.databaseUrl, max: setup.poolSize, options: '-c jit=off' });
  const baseline = createBaseline(baselineReads(pool), setup.accountIds, setup.expected.pageSize);
  const touchpoint = touchpointRequests(
    touchpointReads(graphqlClient(setup.url, setup.token)),
    setup.accountIds,
    setup.expected,
  );
  const database = pool;
  const agent = new Agent({ keepAlive: true });
  const clients = new Map<string, ReturnType<typeof graphqlClient>>();
  requestOf = (spec) => {
    switch (spec.kind) {
      case 'baseline':
        return baseline[spec.scenario];
      case 'touchpoint':
        return touchpoint[spec.scenario];
      case 'healthz':
        return () =>
          new Promise<void>((resolve, reject) => {
            get(`${setup.url}/healthz`, { agent }, (res) => {
              res.resume();
              res.on('end', () =>
                res.statusCode === 200 ? resolve() : reject(new Error(`healthz: HTTP ${res.statusCode}`)),
              );
            }).on('error', reject);
          });
      case 'graphql': {
        const c = clients.get(spec.token) ?? graphqlClient(setup.url, spec.token);
        clients.set(spec.token, c);
        return async () => {
          await c.post(spec.query);
        };
      }
      case 'sql':
        return async () => {
          const result = await database.query(spec.text, spec.params);
          if (result.rows.length !== 1) throw new Error(`expected one row, got ${result.rows.length}`);
        };
    }
  };
}

process.on('message', (message: ClientMessage) => {
  if (message.type === 'setup') {
    setUp(message.setup);
    send({ type: 'ready' });
  } else if (message.type === 'phase') {
    const request = requestOf?.(message.spec);
    if (!request) {
      send({ type: 'failed', id: message.id, message: 'phase before setup' });
      return;
    }
    const before = process.cpuUsage();
    runPhase(request, message.concurrency, message.ms).then(
      (phase) => {
        const cpu = process.cpuUsage(before);
        send({ type: 'phaseDone', id: message.id, phase, cpuMs: (cpu.user + cpu.system) / 1000 });
      },
      (error: unknown) => send({ type: 'failed', id: message.id, message: String(error) }),
    );
  } else if (message.type === 'close') {
    void (pool?.end() ?? Promise.resolve()).finally(() => process.disconnect());
  }
});
