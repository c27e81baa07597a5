// recordTransaction: several record-service writes commit or roll back together; later writes see earlier
// ones (references to a record created in the same transaction are valid); events wait for the commit.
import { type EntityDefinition, TouchpointError } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  Engine,
  physical,
  type RecordEvent,
  recordTransaction,
  type TestDatabase,
} from '../src/index.ts';

const labels = (en: string) => ({ en, 'zh-CN': en });
const company: EntityDefinition = {
  name: 'company',
  labels: labels('Company'),
  titleField: 'name',
  fields: [
    { name: 'name', type: 'text', labels: labels('Name'), required: true },
    { name: 'code', type: 'text', labels: labels('Code'), unique: true },
  ],
};
const person: EntityDefinition = {
  name: 'person',
  labels: labels('Person'),
  titleField: 'name',
  fields: [
    { name: 'name', type: 'text', labels: labels('Name'), required: true },
    {
      name: 'company',
      type: 'relation',
      labels: labels('Company'),
      relation: { target: 'company', kind: 'manyToOne', inverse: 'people' },
    },
  ],
};

let database: TestDatabase;
let engine: Engine;
const events: RecordEvent[] = [];
const context = { workspace: 'default', actor: 'agent-1' };

beforeAll(async () => {
  database = await createTestDatabase();
  engine = await Engine.start({
    databaseUrl: database.url,
    dataDir: database.dataDir,
    coreEntities: [company, person],
  });
  engine.events.subscribe('*', (event) => void events.push(event));
});
afterAll(async () => {
  await engine?.close();
  await database?.drop();
});

async function count(entity: EntityDefinition): Promise<number> {
  const [row] = await engine.db.query<{ n: number }>(
    `select count(*)::int as n from ${physical.qualifiedTable('ws_default', entity)}`,
  );
  return row!.n;
}

describe('recordTransaction', () => {
  it('commits several writes together and publishes their events after the commit', async () => {
    events.length = 0;
    let seenInside = -1;
    const ids = await recordTransaction(engine, context, async ({ records }) => {
      const c = await records.create('company', { name: 'Acme', code: 'A1' });
      // A reference to the company created a moment ago in the same transaction is valid.
      const p = await records.create('person', { name: 'Ann', company: c.id });
      await records.update('company', c.id, { name: 'Acme Ltd' });
      seenInside = events.length;
      return { company: c.id, person: p.id };
    });
    expect(seenInside).toBe(0);
    expect(events.map((e) => [e.type, e.entity])).toEqual([
      ['record.created', 'company'],
      ['record.created', 'person'],
      ['record.updated', 'company'],
    ]);
    const read = await engine
      .records(context)
      .get('person', ids.person, { fields: ['name', 'createdBy'], relations: [] });
    expect(read).toMatchObject({ name: 'Ann', createdBy: 'agent-1' });
  });

  it('rolls every write back when the callback fails, and publishes nothing', async () => {
    const before = [await count(company), await count(person)];
    events.length = 0;
    await expect(
      recordTransaction(engine, context, async ({ records }) => {
        const c = await records.create('company', { name: 'Doomed', code: 'D1' });
        await records.create('person', { name: 'Bob', company: c.id });
        await records.create('company', { name: 'Clash', code: 'A1' }); // unique code taken
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect([await count(company), await count(person)]).toEqual(before);
    expect(events).toEqual([]);
  });

  it('rolls a failed write back to its savepoint so a caller that catches it can go on', async () => {
    const before = await count(company);
    await recordTransaction(engine, context, async ({ records, reader }) => {
      await records.create('company', { name: 'Kept', code: 'K1' });
      // Passes validation, then fails in the database: the transaction must stay usable.
      await expect(records.update('company', '00000000-0000-4000-8000-000000000000', { name: 'x' })).rejects.toThrow(
        TouchpointError,
      );
      await reader.query('select 1');
      await records.create('company', { name: 'Also kept', code: 'K2' });
    });
    expect(await count(company)).toBe(before + 2);
  });
});
