// The record service directly: events after commit (and none for a refused write), hooks that change or
// refuse values, autonumbers, unique rules and malformed ids.
import { type EntityDefinition, validationFailed } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, Engine, MAX_BATCH, type RecordEvent, type TestDatabase } from '../src/index.ts';

const labels = (en: string) => ({ en, 'zh-CN': en });
const ticket: EntityDefinition = {
  name: 'ticket',
  labels: labels('Ticket'),
  titleField: 'subject',
  fields: [
    { name: 'subject', type: 'text', labels: labels('Subject'), required: true },
    { name: 'number', type: 'autonumber', labels: labels('Number'), autonumber: { prefix: 'CASE-', digits: 6 } },
    { name: 'email', type: 'email', labels: labels('E-mail'), unique: true },
    { name: 'priority', type: 'integer', labels: labels('Priority'), default: 3 },
    {
      name: 'tags',
      type: 'multiSelect',
      labels: labels('Tags'),
      options: ['urgent', 'billing', 'vip'].map((value) => ({ value, labels: labels(value) })),
    },
  ],
};

let database: TestDatabase;
let engine: Engine;
const events: RecordEvent[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  engine = await Engine.start({ databaseUrl: database.url, dataDir: database.dataDir, coreEntities: [ticket] });
  engine.events.subscribe('*', (event) => void events.push(event), { entity: 'ticket' });
});
afterAll(async () => {
  await engine?.close();
  await database?.drop();
});

describe('record service', () => {
  const records = () => engine.records({ workspace: 'default', actor: 'agent-7' });
  const read = (id: string) =>
    records().get('ticket', id, { fields: ['subject', 'number', 'priority', 'createdBy', 'version'], relations: [] });

  it('numbers records, applies defaults and publishes events with the changed fields', async () => {
    events.length = 0;
    const a = await records().create('ticket', { subject: 'Printer jams' });
    const b = await records().create('ticket', { subject: 'No power', priority: 1 });
    expect(await read(a.id)).toMatchObject({ number: 'CASE-000001', priority: 3, createdBy: 'agent-7', version: 1 });
    expect((await read(b.id))?.number).toBe('CASE-000002');
    await records().update('ticket', a.id, { subject: 'Printer jams', priority: 2 });
    await records().delete('ticket', b.id);
    await records().restore('ticket', b.id);
    expect(events.map((e) => [e.type, e.changed])).toEqual([
      ['record.created', ['subject', 'priority']],
      ['record.created', ['subject', 'priority']],
      ['record.updated', ['priority']],
      ['record.deleted', []],
      ['record.restored', []],
    ]);
    expect(events[2]).toMatchObject({ workspace: 'default', entity: 'ticket', id: a.id, actor: 'agent-7', version: 2 });
  });

  it('publishes nothing for a refused write and leaves the data as it was', async () => {
    await records().create('ticket', { subject: 'First', email: 'x@example.com' });
    events.length = 0;
    await expect(records().create('ticket', { subject: 'Second', email: 'x@example.com' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'input.email', message: expect.stringMatching(/already has/) }],
    });
    await expect(
      records().createMany('ticket', [
        { subject: 'One', email: 'dup@example.com' },
        { subject: 'Two', email: 'dup@example.com' },
      ]),
    ).rejects.toMatchObject({ issues: [{ path: 'inputs[1].email' }] });
    expect(events).toEqual([]);
  });

  it('updates many records set-based, each with its own values, audit columns, hook call and event', async () => {
    const [a, b, c] = await records().createMany('ticket', [{ subject: 'A' }, { subject: 'B' }, { subject: 'C' }]);
    const hooked: string[] = [];
    const unregister = engine.hooks.register({
      name: 'watch',
      beforeUpdate: ({ id, values }) => void hooked.push(`${id}:${Object.keys(values).join(',')}`),
    });
    events.length = 0;
    try {
      const written = await engine.records({ workspace: 'default', actor: 'bulk' }).updateMany('ticket', [
        { id: a!.id, values: { priority: 1 } },
        { id: b!.id, values: { priority: 2 } },
        { id: c!.id, values: { subject: 'C, renamed', tags: ['urgent', 'vip'] } },
      ]);
      expect(written).toEqual([
        { id: a!.id, version: 2 },
        { id: b!.id, version: 2 },
        { id: c!.id, version: 2 },
      ]);
    } finally {
      unregister();
    }
    expect(hooked).toEqual([`${a!.id}:priority`, `${b!.id}:priority`, `${c!.id}:subject,tags`]);
    const fields = ['subject', 'priority', 'updatedBy', 'version'];
    expect(await records().get('ticket', a!.id, { fields, relations: [] })).toEqual({
      subject: 'A',
      priority: 1,
      updatedBy: 'bulk',
      version: 2,
    });
    expect(await records().get('ticket', c!.id, { fields: [...fields, 'tags'], relations: [] })).toMatchObject({
      subject: 'C, renamed',
      priority: 3,
      tags: ['urgent', 'vip'],
    });
    expect(events.map((e) => [e.type, e.id, e.changed, e.actor])).toEqual([
      ['record.updated', a!.id, ['priority'], 'bulk'],
      ['record.updated', b!.id, ['priority'], 'bulk'],
      ['record.updated', c!.id, ['subject', 'tags'], 'bulk'],
    ]);
  });

  it('refuses a bulk update with bad rows, deleted records or too many rows, naming each, and writes nothing', async () => {
    const [a, b] = await records().createMany('ticket', [{ subject: 'Keep' }, { subject: 'Gone' }]);
    await records().delete('ticket', b!.id);
    events.length = 0;
    await expect(
      records().updateMany('ticket', [
        { id: a!.id, values: { priority: 'high' } },
        { id: 'nope', values: {} },
        { id: a!.id, values: { subject: '' } },
      ]),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: expect.arrayContaining([
        expect.objectContaining({ path: 'updates[1].id' }),
        expect.objectContaining({ path: 'updates[2].id', message: expect.stringMatching(/repeats/) }),
        expect.objectContaining({ path: 'updates[0].values.priority' }),
      ]),
    });
    await expect(
      records().updateMany('ticket', [
        { id: a!.id, values: { priority: 5 } },
        { id: b!.id, values: { priority: 5 } },
      ]),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      issues: [{ path: 'updates[1].id', message: expect.stringMatching(/deleted/) }],
    });
    const many = Array.from({ length: MAX_BATCH + 1 }, () => ({ id: a!.id, values: { priority: 5 } }));
    await expect(records().updateMany('ticket', many)).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      issues: [{ path: 'updates' }],
    });
    expect(events).toEqual([]);
    expect(await records().get('ticket', a!.id, { fields: ['priority', 'version'], relations: [] })).toEqual({
      priority: 3,
      version: 1,
    });
    // Maintenance that keeps deleted rows consistent says so.
    await records().updateMany('ticket', [{ id: b!.id, values: { priority: 4 } }], { includeDeleted: true });
    expect(
      await records().get('ticket', b!.id, { fields: ['priority'], relations: [] }, { includeDeleted: true }),
    ).toEqual({ priority: 4 });
  });

  it('lets a hook change values and refuse writes with field errors', async () => {
    const unregister = engine.hooks.register({
      name: 'test',
      beforeCreate({ values }) {
        values.subject = String(values.subject).trim();
        if (values.subject === 'forbidden')
          throw validationFailed('Refused by policy', [{ path: 'subject', message: 'is not allowed' }]);
      },
    });
    try {
      const { id } = await records().create('ticket', { subject: '  padded  ' });
      expect((await read(id))?.subject).toBe('padded');
      await expect(records().create('ticket', { subject: 'forbidden' })).rejects.toMatchObject({
        issues: [{ path: 'input.subject', message: 'is not allowed' }],
      });
    } finally {
      unregister();
    }
  });

  it('refuses a malformed id with a clear error instead of a database error', async () => {
    await expect(read('not-an-id')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'id' }] });
    await expect(records().update('ticket', "1'; drop table x", {})).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
