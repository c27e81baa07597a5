import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, Database, type TestDatabase } from '../src/index.ts';

describe('database', () => {
  let testDb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = await Database.connect({ url: testDb.url, dataDir: testDb.dataDir, entities: [] });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('runs parameterised statements and rolls back a failed transaction', async () => {
    await db.query('create table t (id int primary key, name text)');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into t values ($1, $2)', [1, 'a']);
        await tx.query('insert into t values ($1, $2)', [1, 'duplicate']);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await db.query('select count(*)::int as n from t')).toEqual([{ n: 0 }]);
    await db.transaction(async (tx) => {
      await tx.query('insert into t values ($1, $2)', [2, 'b']);
    });
    expect(await db.query('select name from t')).toEqual([{ name: 'b' }]);
  });
});

describe('connections', () => {
  // PGlite is built without LLVM, so only a PostgreSQL server can JIT-compile (and needs it switched off).
  it.runIf(process.env.TOUCHPOINT_TEST_EMBEDDED !== '1')('run with the JIT compiler off', async () => {
    const testDb = await createTestDatabase();
    const db = await Database.connect({ url: testDb.url, dataDir: testDb.dataDir, entities: [] });
    try {
      const rows = await db.query<{ jit: string }>('show jit');
      expect(rows[0]?.jit).toBe('off');
      const inTransaction = await db.transaction((tx) => tx.query<{ jit: string }>('show jit'));
      expect(inTransaction[0]?.jit).toBe('off');
    } finally {
      await db.close();
      await testDb.drop();
    }
  });
});

describe('generic plans', () => {
  it.runIf(process.env.TOUCHPOINT_TEST_EMBEDDED !== '1')(
    'prepare a statement once per connection with a generic plan, leaving the setting and connection as they were',
    async () => {
      const testDb = await createTestDatabase();
      // One connection, so every call meets the statement it prepared before.
      const db = await Database.connect({ url: testDb.url, entities: [], poolSize: 1 });
      try {
        await db.query('create table g (id int primary key, name text)');
        await db.query(`insert into g select i, 'n' || i from generate_series(1, 100) i`);
        const text = 'select name from g where id = $1::int';
        for (let id = 1; id <= 3; id++) expect(await db.queryGeneric(text, [id])).toEqual([{ name: `n${id}` }]);
        const [prepared] = await db.query<{ generic: number; custom: number }>(
          'select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where statement = $1',
          [text],
        );
        expect(prepared).toEqual({ generic: 3, custom: 0 });
        expect(await db.query('show plan_cache_mode')).toEqual([{ plan_cache_mode: 'auto' }]);
        // A failing statement fails the call; the connection stays usable, the setting reset.
        await expect(db.queryGeneric('select 1 / $1::int as x', [0])).rejects.toThrow(/division by zero/);
        expect(await db.query('show plan_cache_mode')).toEqual([{ plan_cache_mode: 'auto' }]);
        expect(await db.queryGeneric('select 1 / $1::int as x', [1])).toEqual([{ x: 1 }]);
      } finally {
        await db.close();
        await testDb.drop();
      }
    },
  );
});
