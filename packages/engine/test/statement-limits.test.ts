// One statement cannot hang Touchpoint (issue 10): on a PostgreSQL server statement_timeout stops it; the
// embedded database (PGlite) runs in its own thread, so the main thread keeps serving while a statement runs,
// and a statement past its limit has that thread replaced without losing what was committed. The embedded
// database is reached only through a Unix socket in a directory private to the user.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TouchpointError } from '@touchpoint/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, Database, type TestDatabase, withAbortSignal } from '../src/index.ts';

/** A statement that keeps a database busy far longer than the limits below. */
const HOSTILE = 'select count(*) from generate_series(1, 5000000000)';
const LIMIT_MS = 1500;

/** Runs `fn` while a 10 ms timer measures the longest the event loop went without turning. */
async function longestStall<T>(fn: () => Promise<T>): Promise<{ stall: number; outcome: T | Error }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 10);
  try {
    return { stall, outcome: await fn() };
  } catch (error) {
    return { stall, outcome: error as Error };
  } finally {
    clearInterval(timer);
    stall = Math.max(stall, performance.now() - last);
  }
}

describe('the embedded database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-embedded-'));
  let db: Database | undefined;
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is served on a Unix socket in a directory only its user can enter', async () => {
    db = await Database.connect({ dataDir: join(dir, 'data'), entities: [], statementTimeoutMs: LIMIT_MS });
    const socketDir = db.embeddedSocketDir!;
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(socketDir, '.s.PGSQL.5432')).isSocket()).toBe(true);
    const [row] = await db.query<{ dir: string }>(`select current_setting('data_directory') as dir`);
    expect(row!.dir).toBe('/pglite/data');
  }, 120_000);

  it('stops a statement past its limit while the server keeps turning, and keeps what was committed', async () => {
    await db!.query('create table kept (n int)');
    await db!.query('insert into kept values (1), (2)');
    const { stall, outcome } = await longestStall(() => db!.query(HOSTILE));
    expect(outcome).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'statementTimeoutMs', value: LIMIT_MS },
    });
    expect((outcome as Error).message).toMatch(/took longer than 1.5 s in the database and was stopped/);
    // On the main thread the statement would have held the event loop for the whole limit and more.
    expect(stall).toBeLessThan(LIMIT_MS);
    expect(db!.embeddedRestarts).toBe(1);
    expect(await db!.query('select n from kept order by n')).toEqual([{ n: 1 }, { n: 2 }]);
    // Several at once share one restart, and the database serves again afterwards.
    const results = await Promise.allSettled([db!.query(HOSTILE), db!.query(HOSTILE)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await db!.query('insert into kept values (3)');
    expect(await db!.query('select count(*)::int as n from kept')).toEqual([{ n: 3 }]);
  }, 240_000);

  it('refuses a time limit that is not a sensible number of milliseconds', async () => {
    await expect(
      Database.connect({ dataDir: join(dir, 'x'), entities: [], statementTimeoutMs: 0 }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'statementTimeoutMs' }] });
  });
});

describe('a PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Database | undefined;
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('cancels a statement past its limit with a clear answer, and lifts the limit for migrations', async () => {
    database = await createTestDatabase('tp_limits');
    if (database.kind !== 'postgresql') return;
    db = await Database.connect({ url: database.url, entities: [], statementTimeoutMs: LIMIT_MS });
    await expect(db.query('select pg_sleep(5)')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const slept = await db.transaction(async (tx) => tx.query('select true as done from pg_sleep(2)'), {
      unlimited: true,
    });
    expect(slept).toEqual([{ done: true }]);
  }, 60_000);
});

describe('reads under an abort signal (a plugin host call whose call ended)', () => {
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('cancels the running read in PostgreSQL when the signal aborts, and sends none after it', async (t) => {
    database = await createTestDatabase('tp_abort');
    if (database.kind !== 'postgresql') t.skip();
    db = await Database.connect({ url: database.url, entities: [] });
    const sleeping = async () =>
      (
        await db!.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where query = 'select pg_sleep(20)' and state = 'active'`,
        )
      )[0]!.n;
    const controller = new AbortController();
    const reason = new TouchpointError('LIMIT_EXCEEDED', 'the plugin call ended');
    const read = withAbortSignal(controller.signal, () => db!.query('select pg_sleep(20)'));
    read.catch(() => {});
    for (let i = 0; i < 500 && (await sleeping()) === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await sleeping()).toBe(1);
    controller.abort(reason);
    await expect(read).rejects.toBe(reason);
    expect(await sleeping()).toBe(0);
    await expect(withAbortSignal(controller.signal, () => db!.query('select 1'))).rejects.toBe(reason);
    // Every connection still serves the next statement: the cancel hit only the read it was meant for.
    const ones = await Promise.all(Array.from({ length: 10 }, () => db!.query('select 1 as one')));
    expect(ones.flat()).toEqual(Array.from({ length: 10 }, () => ({ one: 1 })));
  }, 30_000);
});
