// The one read scope: the engine's door gives other packages a workspace's rows only as its scope may see
// them, and costs nothing in the plan (the FROM item is pulled up, partial indexes still fit).
import type { EntityDefinition } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, Engine, recordTransaction, type TestDatabase, visibility } from '../src/index.ts';

const labels = (en: string) => ({ en, 'zh-CN': en });
const member: EntityDefinition = {
  name: 'member',
  labels: labels('Member'),
  titleField: 'name',
  fields: [
    { name: 'name', type: 'text', labels: labels('Name'), required: true },
    { name: 'email', type: 'email', labels: labels('E-mail'), unique: true },
  ],
};

let database: TestDatabase;
let engine: Engine;
const scope = { workspace: 'default', actor: 'reader-1' };

beforeAll(async () => {
  database = await createTestDatabase();
  engine = await Engine.start({ databaseUrl: database.url, dataDir: database.dataDir, coreEntities: [member] });
});
afterAll(async () => {
  await engine?.close();
  await database?.drop();
});

describe('the scoped door', () => {
  it('reads only the rows the scope may see, and deleted ones only when asked', async () => {
    const records = engine.records(scope);
    const [kept, gone] = await records.createMany('member', [{ name: 'Kept' }, { name: 'Gone' }]);
    await records.delete('member', gone!.id);
    const reader = await engine.reader(scope);
    expect(reader.scope).toBe(scope);
    const names = async (options?: { includeDeleted?: boolean }) =>
      (
        await reader.query<{ name: string }>(`select m.name from ${reader.from(member, options)} m order by m.name`)
      ).map((r) => r.name);
    expect(await names()).toEqual(['Kept']);
    expect(await names({ includeDeleted: true })).toEqual(['Gone', 'Kept']);
    // The predicate for an alias is the same one the query compiler writes.
    expect(reader.visible(member, 'm')).toBe(visibility(member, 'm'));
    expect(visibility(member, 'm', { includeDeleted: true })).toBe('true');
    const listed = await records.list({ entity: 'member', selection: { fields: ['id'], relations: [] } });
    expect(listed.nodes.map((n) => n.id)).toEqual([kept!.id]);
  });

  it('runs in a transaction through the transaction’s reader, seeing its uncommitted writes', async () => {
    const seen = await recordTransaction(engine, scope, async ({ records, reader }) => {
      await records.create('member', { name: 'Fresh' });
      return reader.query<{ n: number }>(
        `select count(*)::int as n from ${reader.from(member)} m where m.name = 'Fresh'`,
      );
    });
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('keeps the plan of the bare table: a lookup by a unique field uses its partial index', async () => {
    const reader = await engine.reader(scope);
    const plan = await engine.db.transaction(async (tx) => {
      await tx.query('set local enable_seqscan = off');
      const [row] = await tx.query<{ 'QUERY PLAN': [{ Plan: { 'Node Type': string; 'Index Name'?: string } }] }>(
        `explain (format json) select m.id from ${reader.from(member)} m where m.email = 'a@example.com'`,
      );
      return row!['QUERY PLAN'][0].Plan;
    });
    expect(plan['Node Type']).toMatch(/Index/);
    expect(plan['Index Name']).toMatch(/email/);
  });
});
