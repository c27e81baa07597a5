// The database: MikroORM 7 over `pg`, against a PostgreSQL server or an embedded PGlite served over the
// wire protocol from its own thread on a private Unix socket, so both take exactly the same code path.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type EntitySchema, MikroORM } from '@mikro-orm/postgresql';
import { TouchpointError } from '@touchpoint/schema';
import { CompiledQuery, type ControlledTransaction } from 'kysely';
import type { Pool, PoolClient } from 'pg';
import { lockDataDir } from './data-dir-lock.ts';

/** Anything that runs SQL with server-side parameters (`$1`, `$2`, …). */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface DatabaseOptions {
  /** A PostgreSQL URL. Without one, an embedded PGlite under `dataDir` is used. */
  url?: string;
  /** Where the embedded database keeps its files (default `./data`). */
  dataDir?: string;
  poolSize?: number;
  /**
   * How long one statement of the read path may run (default DEFAULT_STATEMENT_TIMEOUT_MS on a server,
   * EMBEDDED_STATEMENT_TIMEOUT_MS on the embedded database).
   */
  statementTimeoutMs?: number;
  /** MikroORM entity schemas of the system tables. */
  entities: EntitySchema[];
}

/** Counts statements per unit of work (a GraphQL request, a test step) without threading a counter through. */
const statementCounter = new AsyncLocalStorage<{ statements: number; readChars?: number }>();

/**
 * What one unit of work (a GraphQL request) may read on the read path, in characters of the rows' values.
 * The API's limits bound a request's shape (aliases, cost, page sizes), not the size of what it reads: 20
 * aliases of accounts(first: 500) with 39 KB descriptions answered 372 MB in 35 s and left the server 1.1 GB
 * larger. The web app's largest page reads well under 1 MB.
 */
export const MAX_REQUEST_READ_CHARS = 64 * 1024 * 1024;

function readBudgetExceeded(): TouchpointError {
  return new TouchpointError(
    'LIMIT_EXCEEDED',
    `The request read more than ${MAX_REQUEST_READ_CHARS / 1024 / 1024} MB from the database and was stopped. Ask for fewer records or fewer fields per request (long texts make large pages), and page through the rest.`,
    { details: { limit: 'requestReadChars', value: MAX_REQUEST_READ_CHARS } },
  );
}

/** Roughly how many characters a value read from the database holds (without recursion: JSON can be deep). */
function sizeOf(value: unknown): number {
  let size = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') size += item.length;
    else if (Buffer.isBuffer(item)) size += item.length;
    else if (item === null || typeof item !== 'object' || item instanceof Date) size += 8;
    else for (const inner of Array.isArray(item) ? item : Object.values(item)) pending.push(inner);
  }
  return size;
}

/** Refuses a read once the unit of work has read its budget (before the statement is sent). */
function checkReadBudget(): void {
  const counter = statementCounter.getStore();
  if (counter && (counter.readChars ?? 0) > MAX_REQUEST_READ_CHARS) throw readBudgetExceeded();
}

/** Charges rows read to the unit of work's budget; refuses the answer when this read goes past it. */
function chargeRead<T>(rows: T[]): T[] {
  const counter = statementCounter.getStore();
  if (!counter) return rows;
  counter.readChars = (counter.readChars ?? 0) + sizeOf(rows);
  if (counter.readChars > MAX_REQUEST_READ_CHARS) throw readBudgetExceeded();
  return rows;
}

function countStatement(): void {
  const counter = statementCounter.getStore();
  if (counter) counter.statements++;
}

/** The signal on which the reads of the current unit of work stop (see `withAbortSignal`). */
const abortSignals = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `fn` so that every read it sends on the read path (`Database.query`) stops when `signal` aborts:
 * a read not yet sent is not sent, and one running on a PostgreSQL server is cancelled there
 * (`pg_cancel_backend` from another connection); either rejects with the signal's reason. Writes
 * (transactions) are let finish. The embedded database ignores the signal: its statements are bounded by
 * the statement time limit only. Used for plugin host calls, which stop with the plugin call that made them.
 */
export function withAbortSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return abortSignals.run(signal, fn);
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new TouchpointError('BAD_REQUEST', 'The read was aborted.');
}

/** Runs `fn` and reports how many SQL statements it sent. */
export async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const counter = { statements: 0 };
  const result = await statementCounter.run(counter, fn);
  return { result, statements: counter.statements };
}

/** The counter of the current unit of work, when one is running (see `countStatements`). */
export function currentStatementCount(): number | undefined {
  return statementCounter.getStore()?.statements;
}

export function withStatementCounter<T>(fn: () => Promise<T>): { counter: { statements: number }; run: Promise<T> } {
  const counter = { statements: 0 };
  return { counter, run: statementCounter.run(counter, fn) };
}

/** Statements of the read path stop after this long unless the caller says otherwise. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
/**
 * The same on the embedded database. PGlite is one session: a statement there holds every other request's
 * statements until it ends, and ending it early means restarting the database's thread (~0.3-1 s). So its
 * default is shorter — the longest any request waits behind another's slow statement.
 */
export const EMBEDDED_STATEMENT_TIMEOUT_MS = 5_000;
/**
 * On the embedded database, how long a statement may run while other requests wait for the database: there
 * it holds all of them, so past this it is stopped (its thread restarted) and they go on. Alone, a statement
 * still has the whole EMBEDDED_STATEMENT_TIMEOUT_MS, so a heavy report of a single user keeps working.
 * Those waiting then also wait for the restart (~0.4 s on a quiet machine, ~1-1.3 s on a loaded one): cutting
 * a statement much sooner than a restart takes would make them wait longer for statements that were about to
 * end, so the limit is of the order of a restart. 1 s before; others waited 1.8-2.3 s at a load of 12.
 */
export const EMBEDDED_CONTENDED_TIMEOUT_MS = 500;
/** How often the embedded database's watchdog looks at a running statement and at who waits behind it. */
const WATCHDOG_INTERVAL_MS = 25;
/** PostgreSQL's code for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

/** A statement stopped because others waited behind it on the embedded database. */
function statementHeldOthers(ms: number, aloneMs: number): TouchpointError {
  return new TouchpointError(
    'LIMIT_EXCEEDED',
    `The request took longer than ${ms / 1000} s in the database while other requests waited for it, and was stopped: the embedded database runs one statement at a time (alone, a statement may run ${aloneMs / 1000} s). Narrow its filter or search, ask for fewer records, or run Touchpoint on PostgreSQL.`,
    { details: { limit: 'contendedStatementTimeoutMs', value: ms } },
  );
}

function statementTooSlow(ms: number): TouchpointError {
  return new TouchpointError(
    'LIMIT_EXCEEDED',
    `The request took longer than ${ms / 1000} s in the database and was stopped (statement time limit ${ms} ms). Narrow its filter or search, or ask for fewer records.`,
    { details: { limit: 'statementTimeoutMs', value: ms } },
  );
}

let pgliteAssets: Promise<{ wasmModule: WebAssembly.Module; fsBundle: Blob }> | undefined;

/**
 * PGlite's WebAssembly (compiled) and file-system bundle, once per process: each worker would otherwise
 * compile 9 MB of WebAssembly on start, which made a restart take 1.5-3.5 s on a busy machine. The compile is
 * asynchronous (V8 compiles on background threads), and a compiled module is shared with workers, not copied.
 */
function loadPgliteAssets() {
  pgliteAssets ??= (async () => {
    const dist = (file: string) => fileURLToPath(new URL(file, import.meta.resolve('@electric-sql/pglite')));
    const [wasmModule, data] = await Promise.all([
      WebAssembly.compile(readFileSync(dist('pglite.wasm'))),
      Promise.resolve(readFileSync(dist('pglite.data'))),
    ]);
    return { wasmModule, fsBundle: new Blob([data]) };
  })();
  return pgliteAssets;
}

/**
 * The embedded database, served from its own worker thread (embedded-worker.ts) on a Unix socket in a
 * private directory. `restart()` stops a worker stuck in a statement and starts another on the same data
 * directory: PGlite recovers to the last commit, so what was acknowledged stays.
 */
class EmbeddedServer {
  /** Where pg connects: the socket's directory (pg adds `.s.PGSQL.<port>`). */
  readonly connection: { host: string; port: number; user: string; dbName: string };
  /** Times the worker was replaced (a statement ran past its limit, or the worker died). */
  restarts = 0;
  /** Called when a worker is replaced, to drop the connections that led to it. */
  onRestart: () => void = () => {};
  readonly #data: {
    dataDir: string;
    socketPath: string;
    maxConnections: number;
    wasmModule?: WebAssembly.Module;
    fsBundle?: Blob;
  };
  readonly #socketDir: string;
  #worker: Worker | undefined;
  #stopping = false;
  #restarting: Promise<void> | undefined;
  #unlock: () => void = () => {};

  private constructor(dataDir: string, maxConnections: number) {
    // A private directory (mode 0700) for the socket, short enough for a socket path wherever the data lives.
    this.#socketDir = mkdtempSync(join(tmpdir(), 'touchpoint-db-'));
    chmodSync(this.#socketDir, 0o700);
    this.#data = { dataDir: resolve(dataDir), socketPath: join(this.#socketDir, '.s.PGSQL.5432'), maxConnections };
    this.connection = { host: this.#socketDir, port: 5432, user: 'postgres', dbName: 'postgres' };
  }

  static async start(dataDir: string, maxConnections: number): Promise<EmbeddedServer> {
    // Before anything touches the files: another process holding them is refused, saying which one.
    const unlock = lockDataDir(resolve(dataDir));
    const server = new EmbeddedServer(dataDir, maxConnections);
    server.#unlock = unlock;
    try {
      Object.assign(server.#data, await loadPgliteAssets());
      await server.#spawn();
    } catch (error) {
      rmSync(server.#socketDir, { recursive: true, force: true });
      unlock();
      throw error;
    }
    return server;
  }

  async #spawn(): Promise<void> {
    const worker = new Worker(new URL('./embedded-worker.ts', import.meta.url), { workerData: this.#data });
    this.#worker = worker;
    await new Promise<void>((resolveReady, reject) => {
      worker.once('message', (message: { ready?: boolean; failed?: string }) => {
        if (message.ready) resolveReady();
        else reject(new Error(`The embedded database did not start: ${message.failed}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`The embedded database's thread exited with code ${code}`)));
    });
    worker.on('exit', () => {
      // A worker that dies on its own (out of memory, a crash) is replaced, so the next statement finds one.
      if (this.#worker === worker && !this.#stopping) void this.restart().catch(() => {});
    });
  }

  /** Replaces the worker; statements in flight fail, committed data stays. Concurrent calls share one restart. */
  restart(): Promise<void> {
    this.#restarting ??= (async () => {
      this.restarts++;
      const old = this.#worker;
      this.#worker = undefined;
      await old?.terminate();
      this.onRestart();
      rmSync(this.#data.socketPath, { force: true });
      await this.#spawn();
    })().finally(() => {
      this.#restarting = undefined;
    });
    return this.#restarting;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#restarting?.catch(() => {});
    const worker = this.#worker;
    if (worker) {
      const stopped = new Promise<void>((done) => {
        worker.once('message', () => done());
        worker.once('exit', () => done());
      });
      worker.postMessage('stop');
      // A worker busy in a statement cannot answer; it is ended after a grace period.
      const grace = setTimeout(() => void worker.terminate(), 5_000);
      await stopped;
      clearTimeout(grace);
      await worker.terminate();
    }
    rmSync(this.#socketDir, { recursive: true, force: true });
    this.#unlock();
  }
}

export class Database implements Sql {
  readonly orm: MikroORM;
  readonly pool: Pool;
  readonly embedded: boolean;
  /** How long a statement of the read path may run. */
  readonly statementTimeoutMs: number;
  readonly #embedded: EmbeddedServer | undefined;
  /**
   * Reads waiting for the embedded database's connection, by unit of work (request): a statement is cut at
   * the contended limit only for another request's sake — the root fields of one request wait for each other.
   */
  readonly #waiting = new Map<object, number>();

  private constructor(orm: MikroORM, pool: Pool, embedded: EmbeddedServer | undefined, statementTimeoutMs: number) {
    this.orm = orm;
    this.pool = pool;
    this.#embedded = embedded;
    this.embedded = embedded !== undefined;
    this.statementTimeoutMs = statementTimeoutMs;
  }

  /** The directory of the embedded database's socket (private to this user); undefined on a server. */
  get embeddedSocketDir(): string | undefined {
    return this.#embedded?.connection.host;
  }

  /** Times the embedded database was restarted (a statement ran past its limit); 0 on a server. */
  get embeddedRestarts(): number {
    return this.#embedded?.restarts ?? 0;
  }

  static async connect(options: DatabaseOptions): Promise<Database> {
    const statementTimeoutMs =
      options.statementTimeoutMs ?? (options.url ? DEFAULT_STATEMENT_TIMEOUT_MS : EMBEDDED_STATEMENT_TIMEOUT_MS);
    if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 100 || statementTimeoutMs > 3_600_000) {
      throw new TouchpointError('VALIDATION_FAILED', 'The statement time limit is not valid.', {
        issues: [
          {
            path: 'statementTimeoutMs',
            message: `must be a whole number of milliseconds from 100 to 3600000, got ${String(options.statementTimeoutMs)}`,
          },
        ],
      });
    }
    // PGlite is one session behind the socket: while one connection is inside a transaction, a statement of
    // another connection can interleave with it and fail ("portal does not exist"). One pooled connection
    // makes statements queue instead; the embedded database serves one user's demo, not load.
    const poolSize = options.url ? (options.poolSize ?? 10) : 1;
    const embedded = options.url ? undefined : await EmbeddedServer.start(options.dataDir ?? './data', poolSize + 2);
    const orm = await MikroORM.init({
      // The embedded database is reached by its socket's directory as the host (a URL's ?host= is not read).
      ...(options.url ? { clientUrl: options.url } : embedded!.connection),
      entities: options.entities,
      pool: { min: 0, max: poolSize },
      // PostgreSQL's JIT compiler starts once a plan's estimated cost passes jit_above_cost; for the wide,
      // JSON-building statements Touchpoint sends it costs far more (up to seconds, measured on the timeline)
      // than the milliseconds the statements run. Off for every pooled connection, from the start.
      // Every statement has a time limit on a server (statement_timeout; migrations lift it for their own
      // transaction); the embedded database cannot cancel a statement, so its watchdog is in `#limited`.
      driverOptions: { options: `-c jit=off${embedded ? '' : ` -c statement_timeout=${statementTimeoutMs}`}` },
      discovery: { warnWhenNoEntities: false },
      allowGlobalContext: true,
      debug: false,
    });
    const pool = (await orm.em.getConnection().getNativeClient()) as Pool;
    // An idle connection that breaks (the embedded database restarted) is dropped by the pool; without a
    // listener its error would end the process.
    pool.on('error', () => {});
    if (embedded) {
      // The connections of a replaced worker are closed from this side: a terminated thread does not close
      // its sockets, and a connection waiting on it would hold the pool's one slot for ever.
      const clients = new Set<PoolClient>();
      pool.on('acquire', (client) => void clients.add(client));
      pool.on('remove', (client) => void clients.delete(client));
      embedded.onRestart = () => {
        for (const client of clients)
          (client as unknown as { connection?: { stream?: Socket } }).connection?.stream?.destroy();
      };
    }
    return new Database(orm, pool, embedded, statementTimeoutMs);
  }

  /** One statement on a pooled connection, outside any transaction: the read path. */
  async query<T = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    checkReadBudget();
    const signal = abortSignals.getStore();
    if (signal && !this.#embedded) return chargeRead(await this.#cancellable<T>(signal, text, params));
    countStatement();
    if (this.#embedded) {
      // The clock starts once the statement has the connection: time spent queueing behind another
      // request's slow statement is not this one's fault, and must not restart the database a second time.
      const unit: object = statementCounter.getStore() ?? {};
      this.#waiting.set(unit, (this.#waiting.get(unit) ?? 0) + 1);
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } finally {
        const left = this.#waiting.get(unit)! - 1;
        if (left > 0) this.#waiting.set(unit, left);
        else this.#waiting.delete(unit);
      }
      let broken = false;
      let rows: T[];
      try {
        const result = await this.#limited(() => client.query(text, params as unknown[]), unit);
        rows = result.rows as T[];
      } catch (error) {
        // Past its limit (the database was restarted) or a lost connection: this client is not reused. An
        // error PostgreSQL answered (a SQLSTATE) leaves the connection as good as it was.
        const sqlState = (error as { code?: unknown }).code;
        broken = !(typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState));
        throw error;
      } finally {
        client.release(broken);
      }
      return chargeRead(rows);
    }
    const result = await this.#limited(() => this.pool.query(text, params as unknown[]));
    return chargeRead(result.rows as T[]);
  }

  /**
   * `query` under an abort signal: on its own pooled connection, whose backend is sent
   * `pg_cancel_backend` if the signal aborts while the statement runs. The connection goes back to the pool
   * only after the cancel request was answered, so a late cancel can never hit the next statement on it.
   */
  async #cancellable<T>(signal: AbortSignal, text: string, params: readonly unknown[]): Promise<T[]> {
    if (signal.aborted) throw abortReason(signal);
    const client = await this.pool.connect();
    // Set by pg from the server's BackendKeyData; not in its type declarations.
    const pid = (client as unknown as { processID: number }).processID;
    let cancelled: Promise<unknown> | undefined;
    const cancel = () => {
      cancelled = this.pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined);
    };
    try {
      if (signal.aborted) throw abortReason(signal);
      signal.addEventListener('abort', cancel, { once: true });
      countStatement();
      const result = await this.#limited(() => client.query(text, params as unknown[]));
      return result.rows as T[];
    } catch (error) {
      if (signal.aborted) throw abortReason(signal);
      throw error;
    } finally {
      signal.removeEventListener('abort', cancel);
      if (cancelled) await cancelled;
      client.release();
    }
  }

  /**
   * Runs one read under the statement time limit. A server cancels the statement itself (statement_timeout,
   * answered as LIMIT_EXCEEDED here); the embedded database cannot, so a statement past the limit has its
   * worker replaced — the rest of the server never waited on it, and committed data stays.
   */
  /** Whether a request other than `unit` waits for the embedded database's connection (a write counts as other). */
  #othersWaiting(unit: object | undefined): boolean {
    let registered = 0;
    for (const [waiting, count] of this.#waiting) {
      if (waiting !== unit) return true;
      registered += count;
    }
    // Transactions wait for the pool without registering here: whoever they are, they are not this read.
    return this.pool.waitingCount > registered;
  }

  async #limited<T>(run: () => Promise<T>, unit?: object): Promise<T> {
    const embedded = this.#embedded;
    if (!embedded) {
      try {
        return await run();
      } catch (error) {
        if ((error as { code?: string }).code === QUERY_CANCELED) throw statementTooSlow(this.statementTimeoutMs);
        throw error;
      }
    }
    const limit = this.statementTimeoutMs;
    const contended = Math.min(EMBEDDED_CONTENDED_TIMEOUT_MS, limit);
    const started = performance.now();
    const running = run();
    let timer: NodeJS.Timeout | undefined;
    // Past its limit, or past the contended limit while a request waits for the pool's one connection.
    const late = new Promise<'late' | 'heldOthers'>((done) => {
      timer = setInterval(() => {
        const elapsed = performance.now() - started;
        if (elapsed >= limit) done('late');
        else if (elapsed >= contended && this.#othersWaiting(unit)) done('heldOthers');
      }, WATCHDOG_INTERVAL_MS);
    });
    let first: T | 'late' | 'heldOthers';
    try {
      first = await Promise.race([running, late]);
    } finally {
      clearInterval(timer);
    }
    if (first !== 'late' && first !== 'heldOthers') return first;
    running.catch(() => {});
    await embedded.restart();
    throw first === 'late' ? statementTooSlow(limit) : statementHeldOthers(contended, limit);
  }

  /**
   * Like `query`, for a read whose best plan does not depend on its parameters' values and which takes longer
   * to plan than to run (the customer timeline: a UNION of some 25 index walks, ~2–5 ms to plan, well under
   * 1 ms to run). It is prepared on the pooled connection under a name derived from its text and run with a
   * generic plan, which PostgreSQL makes once per connection and then reuses; the setting is only changed
   * around this one statement. Each connection keeps the statements it prepared until it closes. The embedded
   * database plans it every time (one session serves every connection there, so names could meet).
   */
  async queryGeneric<T = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    if (this.embedded) return this.query<T>(text, params);
    checkReadBudget();
    countStatement();
    const name = `tp_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    const client = await this.pool.connect();
    let reset = false;
    try {
      await client.query('set plan_cache_mode = force_generic_plan');
      try {
        const result = await this.#limited(() => client.query({ name, text, values: params as unknown[] }));
        return chargeRead(result.rows as T[]);
      } finally {
        await client.query('reset plan_cache_mode');
        reset = true;
      }
    } finally {
      // A connection whose setting could not be reset is closed, not reused.
      client.release(!reset);
    }
  }

  /**
   * Runs `fn` in one transaction. The MikroORM entity manager and raw SQL share it, so a metadata version
   * (persisted through MikroORM) and the DDL it describes commit or roll back together.
   */
  async transaction<T>(
    fn: (tx: Sql, em: MikroORM['em']) => Promise<T>,
    options: { unlimited?: boolean } = {},
  ): Promise<T> {
    return this.orm.em.fork().transactional(async (em) => {
      const trx = em.getTransactionContext() as ControlledTransaction<unknown>;
      // Migrations (DDL, archive copies, index builds) may take as long as the data needs.
      if (options.unlimited && !this.embedded) {
        await trx.executeQuery(CompiledQuery.raw('set local statement_timeout = 0', []));
      }
      const tx: Sql = {
        async query<R>(text: string, params: readonly unknown[] = []) {
          countStatement();
          const result = await trx.executeQuery(CompiledQuery.raw(text, params as unknown[]));
          return result.rows as R[];
        },
      };
      return fn(tx, em);
    });
  }

  async close(): Promise<void> {
    await this.orm.close(true);
    await this.#embedded?.stop();
  }
}
