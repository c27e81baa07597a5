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
