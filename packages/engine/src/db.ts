// The database: MikroORM 7 over `pg`, against a PostgreSQL server or an embedded PGlite served over the
// wire protocol on loopback, so both take exactly the same code path.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { type EntitySchema, MikroORM } from '@mikro-orm/postgresql';
import { CompiledQuery, type ControlledTransaction } from 'kysely';
import type { Pool } from 'pg';

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
  /** MikroORM entity schemas of the system tables. */
  entities: EntitySchema[];
}

/** Counts statements per unit of work (a GraphQL request, a test step) without threading a counter through. */
const statementCounter = new AsyncLocalStorage<{ statements: number }>();

function countStatement(): void {
  const counter = statementCounter.getStore();
  if (counter) counter.statements++;
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

interface Embedded {
  stop(): Promise<void>;
  url: string;
}

async function startEmbedded(dataDir: string, maxConnections: number): Promise<Embedded> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  // pg_trgm ships with PGlite as a loadable extension: substring search gets the same indexes as on a server.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  // Port 0: the system picks a free port, so two instances on one machine never collide.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgresql://postgres@${address}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

export class Database implements Sql {
  readonly orm: MikroORM;
  readonly pool: Pool;
  readonly embedded: boolean;
  readonly #embedded: Embedded | undefined;

  private constructor(orm: MikroORM, pool: Pool, embedded: Embedded | undefined) {
    this.orm = orm;
    this.pool = pool;
    this.#embedded = embedded;
    this.embedded = embedded !== undefined;
  }

  static async connect(options: DatabaseOptions): Promise<Database> {
    // PGlite is one session behind the socket: while one connection is inside a transaction, a statement of
    // another connection can interleave with it and fail ("portal does not exist"). One pooled connection
    // makes statements queue instead; the embedded database serves one user's demo, not load.
    const poolSize = options.url ? (options.poolSize ?? 10) : 1;
    const embedded = options.url ? undefined : await startEmbedded(options.dataDir ?? './data', poolSize + 2);
    const url = options.url ?? embedded!.url;
    const orm = await MikroORM.init({
      clientUrl: url,
      entities: options.entities,
      pool: { min: 0, max: poolSize },
      // PostgreSQL's JIT compiler starts once a plan's estimated cost passes jit_above_cost; for the wide,
      // JSON-building statements Touchpoint sends it costs far more (up to seconds, measured on the timeline)
      // than the milliseconds the statements run. Off for every pooled connection, from the start.
      driverOptions: { options: '-c jit=off' },
      discovery: { warnWhenNoEntities: false },
      allowGlobalContext: true,
      debug: false,
    });
    const pool = (await orm.em.getConnection().getNativeClient()) as Pool;
    return new Database(orm, pool, embedded);
  }

  /** One statement on a pooled connection, outside any transaction: the read path. */
  async query<T = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    countStatement();
    const result = await this.pool.query(text, params as unknown[]);
    return result.rows as T[];
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
    countStatement();
    const name = `tp_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    const client = await this.pool.connect();
    let reset = false;
    try {
      await client.query('set plan_cache_mode = force_generic_plan');
      try {
        const result = await client.query({ name, text, values: params as unknown[] });
        return result.rows as T[];
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
  async transaction<T>(fn: (tx: Sql, em: MikroORM['em']) => Promise<T>): Promise<T> {
    return this.orm.em.fork().transactional(async (em) => {
      const trx = em.getTransactionContext() as ControlledTransaction<unknown>;
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
