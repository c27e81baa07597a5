// The audit log against real PostgreSQL: each kind of change writes exactly its rows (old → new of the
// changed fields only), in the change's own transaction (a refused or failed change leaves none), and the
// table refuses UPDATE, DELETE and TRUNCATE from SQL.
import { type EntityDefinition, TouchpointError, validationFailed } from '@touchpoint/schema';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, Engine, recordTransaction, type TestDatabase } from '../src/index.ts';

const labels = (en: string) => ({ en, 'zh-CN': en });
const tag: EntityDefinition = {
  name: 'tag',
  labels: labels('Tag'),
  titleField: 'name',
  fields: [{ name: 'name', type: 'text', labels: labels('Name'), required: true }],
};
const deal: EntityDefinition = {
  name: 'deal',
  labels: labels('Deal'),
  titleField: 'title',
  trackHistory: true,
  fields: [
    { name: 'title', type: 'text', labels: labels('Title'), required: true },
    {
      name: 'stage',
      type: 'select',
      labels: labels('Stage'),
      options: [
        { value: 'new', labels: labels('New') },
        { value: 'won', labels: labels('Won') },
      ],
      default: 'new',
    },
    { name: 'amount', type: 'currency', labels: labels('Amount'), scale: 2 },
    { name: 'closeOn', type: 'date', labels: labels('Close on') },
    { name: 'code', type: 'text', labels: labels('Code'), unique: true },
    {
      name: 'tags',
      type: 'relation',
      labels: labels('Tags'),
      relation: { target: 'tag', kind: 'manyToMany' },
    },
  ],
};
const note: EntityDefinition = {
  name: 'note',
  labels: labels('Note'),
  titleField: 'body',
  fields: [
    { name: 'body', type: 'text', labels: labels('Body'), required: true },
    { name: 'pinned', type: 'boolean', labels: labels('Pinned'), trackHistory: true },
  ],
};

let database: TestDatabase;
let engine: Engine;

beforeAll(async () => {
  database = await createTestDatabase();
  engine = await Engine.start({
    databaseUrl: database.url,
    dataDir: database.dataDir,
    coreEntities: [tag, deal, note],
  });
});
afterAll(async () => {
  await engine?.close();
  await database?.drop();
});

interface Row {
  id: string;
  actor: string;
  token_id: string | null;
  channel: string;
  action: string;
  entity: string | null;
  record_id: string | null;
  metadata_version: number | null;
  plugin_id: string | null;
  changes: Record<string, { old: unknown; new: unknown }> | null;
  details: Record<string, unknown> | null;
  at: string;
}

let mark = '0';
/** Rows written since the last `beforeEach`, oldest first. */
const rowsSince = () =>
  engine.db.query<Row>('select * from touchpoint.audit_log where id > $1::bigint order by id', [mark]);
beforeEach(async () => {
  const [row] = await engine.db.query<{ max: string | null }>('select max(id)::text as max from touchpoint.audit_log');
  mark = row?.max ?? '0';
});

const ctx = { workspace: 'default', actor: 'user-1', channel: 'web' as const };
const records = () => engine.records(ctx);

describe('audit rows of record writes', () => {
  it('create, update, delete and restore each write one row with old → new of the changed fields only', async () => {
    const [red] = await records().createMany('tag', [{ name: 'red' }]);
    const { id } = await records().create('deal', {
      title: 'Acme',
      amount: { amount: '1200.5', currency: 'EUR' },
      tags: [red!.id],
    });
    await records().update('deal', id, { title: 'Acme', stage: 'won', closeOn: '2026-12-24' });
    await engine.records({ ...ctx, channel: 'api', tokenId: 'tok-9' }).delete('deal', id);
    await records().restore('deal', id);
    const rows = await rowsSince();
    expect(rows.map((r) => [r.action, r.entity, r.actor, r.channel, r.token_id])).toEqual([
      ['record.created', 'tag', 'user-1', 'web', null],
      ['record.created', 'deal', 'user-1', 'web', null],
      ['record.updated', 'deal', 'user-1', 'web', null],
      ['record.deleted', 'deal', 'user-1', 'api', 'tok-9'],
      ['record.restored', 'deal', 'user-1', 'web', null],
    ]);
    expect(rows[1]!.record_id).toBe(id);
    // Defaults count as given; amounts keep the field's scale; many-to-many as the sorted ids.
    expect(rows[1]!.changes).toEqual({
      title: { old: null, new: 'Acme' },
      stage: { old: null, new: 'new' },
      amount: { old: null, new: { amount: '1200.50', currency: 'EUR' } },
      tags: { old: null, new: [red!.id] },
    });
    // The unchanged title is left out.
    expect(rows[2]!.changes).toEqual({ stage: { old: 'new', new: 'won' }, closeOn: { old: null, new: '2026-12-24' } });
    expect(rows[3]!.changes).toBeNull();
    // The row's instant is the one the record carries (the clock's, in the same transaction).
    const [stored] = await engine.db.query<{ updated_at: string }>(
      'select updated_at from ws_default.deal where id = $1',
      [id],
    );
    expect(rows[4]!.at).toBe(stored!.updated_at);
  });

  it('an update that changes nothing writes no row; a many-to-many change records the lists', async () => {
    const [a, b] = await records().createMany('tag', [{ name: 'a' }, { name: 'b' }]);
    const { id } = await records().create('deal', { title: 'Same', tags: [a!.id] });
    await records().update('deal', id, { title: 'Same', tags: [a!.id] });
    await records().update('deal', id, { tags: [b!.id, a!.id] });
    const rows = (await rowsSince()).filter((r) => r.entity === 'deal');
    expect(rows.map((r) => r.action)).toEqual(['record.created', 'record.updated']);
    expect(rows[1]!.changes).toEqual({ tags: { old: [a!.id], new: [a!.id, b!.id].sort() } });
  });

  it('a set-based update (updateMany) writes one row per changed record, unchanged ones none', async () => {
    const [one, two, three] = await records().createMany('deal', [
      { title: 'One' },
      { title: 'Two', stage: 'won' },
      { title: 'Three' },
    ]);
    await engine.records({ ...ctx, channel: 'workflow' }).updateMany('deal', [
      { id: one!.id, values: { stage: 'won' } },
      { id: two!.id, values: { stage: 'won' } },
      { id: three!.id, values: { title: 'Drei', closeOn: '2027-01-05' } },
    ]);
    const rows = (await rowsSince()).filter((r) => r.action === 'record.updated');
    expect(rows.map((r) => [r.record_id, r.channel])).toEqual([
      [one!.id, 'workflow'],
      [three!.id, 'workflow'],
    ]);
    expect(rows[0]!.changes).toEqual({ stage: { old: 'new', new: 'won' } });
    expect(rows[1]!.changes).toEqual({
      title: { old: 'Three', new: 'Drei' },
      closeOn: { old: null, new: '2027-01-05' },
    });
  });

  it('a batch create writes one row per record, in input order', async () => {
    const inputs = Array.from({ length: 120 }, (_, i) => ({ name: `t${i}` }));
    const created = await records().createMany('tag', inputs);
    const rows = await rowsSince();
    expect(rows).toHaveLength(120);
    expect(rows.map((r) => r.record_id)).toEqual(created.map((c) => c.id));
    expect(rows[7]!.changes).toEqual({ name: { old: null, new: 't7' } });
  });

  it('a refused or failed write leaves no row', async () => {
    const { id } = await records().create('deal', { title: 'Kept', code: 'K-1' });
    mark = (await rowsSince()).at(-1)!.id;
    // Validation refusal.
    await expect(records().create('deal', { title: 7 })).rejects.toThrow(TouchpointError);
    // A hook that throws.
    const off = engine.hooks.register({
      name: 'refuse',
      beforeUpdate: async () => {
        throw validationFailed('Refused by a hook:', [{ path: 'title', message: 'no' }]);
      },
    });
    await expect(records().update('deal', id, { title: 'Changed' })).rejects.toThrow('Refused by a hook');
    off();
    // A unique clash found by the database inside the write.
    await expect(records().create('deal', { title: 'Clash', code: 'K-1' })).rejects.toThrow(TouchpointError);
    // Writes that succeeded inside a transaction that then fails.
    await expect(
      recordTransaction(engine, ctx, async ({ records: tx }) => {
        await tx.create('deal', { title: 'Rolled back' });
        await tx.update('deal', id, { stage: 'won' });
        await tx.delete('deal', id);
        throw new Error('the caller gives up');
      }),
    ).rejects.toThrow('the caller gives up');
    // Delete of a missing record, restore of a live one.
    await expect(records().delete('deal', '00000000-0000-4000-8000-000000000000')).rejects.toThrow(TouchpointError);
    await expect(records().restore('deal', id)).rejects.toThrow(TouchpointError);
    expect(await rowsSince()).toEqual([]);
  });
});

describe('audit rows of metadata changes', () => {
  it('an applied change writes one row with its version; a refused one none', async () => {
    const before = await engine.metadata('default');
    const result = await engine.changeMetadata(
      'default',
      [{ op: 'addField', entity: 'note', field: { name: 'color', type: 'text', labels: labels('Color') } }],
      { actor: 'admin-1', channel: 'cli', reason: 'colours' },
    );
    await expect(
      engine.changeMetadata(
        'default',
        [{ op: 'addField', entity: 'nope', field: { name: 'x', type: 'text', labels: labels('X') } }],
        {
          actor: 'admin-1',
        },
      ),
    ).rejects.toThrow(TouchpointError);
    // Destructive without confirmation: refused inside the change's transaction, after planning.
    await expect(
      engine.changeMetadata('default', [{ op: 'removeField', entity: 'note', field: 'color' }], { actor: 'admin-1' }),
    ).rejects.toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    const rows = await rowsSince();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'metadata.changed',
      actor: 'admin-1',
      channel: 'cli',
      metadata_version: result.version,
      changes: { version: { old: before.version, new: result.version } },
      details: { reason: 'colours', changes: [{ op: 'addField', entity: 'note' }] },
    });
  });

  it('a plugin layer writes plugin.installed, plugin.upgraded and plugin.removed', async () => {
    const contribution = (version: string) => ({
      pluginId: 'acme',
      version,
      entities: [],
      fields: [{ entity: 'note', field: { name: 'acmeScore', type: 'integer' as const, labels: labels('Score') } }],
    });
    await engine.applyPluginLayer('default', contribution('1.0.0'), { actor: 'admin-1', channel: 'web' });
    await engine.applyPluginLayer('default', contribution('1.1.0'), { actor: 'admin-1', channel: 'web' });
    await engine.removePluginLayer('default', 'acme', { actor: 'admin-1', confirmDestructive: true });
    const rows = await rowsSince();
    expect(rows.map((r) => [r.action, r.plugin_id, r.changes?.pluginVersion])).toEqual([
      ['plugin.installed', 'acme', { old: null, new: '1.0.0' }],
      ['plugin.upgraded', 'acme', { old: '1.0.0', new: '1.1.0' }],
      ['plugin.removed', 'acme', { old: '1.1.0', new: null }],
    ]);
  });
});

describe('the audit table', () => {
  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await records().create('tag', { name: 'kept' });
    for (const statement of [
      `update touchpoint.audit_log set actor = 'someone else'`,
      'delete from touchpoint.audit_log',
      'truncate touchpoint.audit_log',
    ]) {
      await expect(engine.db.query(statement)).rejects.toThrow(/append-only/);
    }
    expect((await rowsSince()).map((r) => r.actor)).toEqual(['user-1']);
  });

  it('engine.audit.append writes in the caller’s transaction and refuses bad entries', async () => {
    await expect(
      engine.db.transaction(async (tx) => {
        await engine.audit.append(tx, { workspace: 'default', actor: 'u', channel: 'web', action: 'user.signedIn' });
        throw new Error('sign-in failed after all');
      }),
    ).rejects.toThrow('sign-in failed');
    expect(await rowsSince()).toEqual([]);
    await engine.db.transaction((tx) =>
      engine.audit.append(tx, {
        workspace: 'default',
        actor: 'u',
        tokenId: 't1',
        channel: 'api',
        action: 'token.created',
        details: { name: 'CI' },
      }),
    );
    expect(await rowsSince()).toMatchObject([{ action: 'token.created', token_id: 't1', details: { name: 'CI' } }]);
    await expect(
      engine.db.transaction((tx) =>
        engine.audit.append(tx, { actor: '', channel: 'telepathy' as never, action: 'DROP TABLE' }),
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'entries[0].channel' }, { path: 'entries[0].action' }, { path: 'entries[0].actor' }],
    });
  });
});

describe('reading the log', () => {
  it('filters by actor, entity, record, action, channel and time, and pages newest first', async () => {
    const other = engine.records({ workspace: 'default', actor: 'user-2', channel: 'import' });
    const created = await other.createMany(
      'tag',
      Array.from({ length: 5 }, (_, i) => ({ name: `p${i}` })),
    );
    await other.update('tag', created[0]!.id, { name: 'p0!' });
    const first = await engine.audit.list('default', { actor: 'user-2' }, { first: 4 });
    expect(first.rows.map((r) => r.action)).toEqual([
      'record.updated',
      'record.created',
      'record.created',
      'record.created',
    ]);
    expect(first.hasNextPage).toBe(true);
    const second = await engine.audit.list('default', { actor: 'user-2' }, { first: 4, after: first.endCursor });
    expect(second.rows.map((r) => r.recordId)).toEqual([created[1]!.id, created[0]!.id]);
    expect(second.hasNextPage).toBe(false);
    const byRecord = await engine.audit.list('default', { recordId: created[0]!.id, action: 'record.updated' }, {});
    expect(byRecord.rows).toMatchObject([{ changes: { name: { old: 'p0', new: 'p0!' } }, channel: 'import' }]);
    expect((await engine.audit.list('default', { channel: 'import', entity: 'deal' }, {})).rows).toEqual([]);
    const at = Date.parse(first.rows[0]!.at);
    const window = { from: new Date(at - 60_000).toISOString(), to: new Date(at + 60_000).toISOString() };
    expect((await engine.audit.list('default', { actor: 'user-2', ...window }, {})).rows).toHaveLength(6);
    expect(
      (await engine.audit.list('default', { actor: 'user-2', to: new Date(at - 60_000).toISOString() }, {})).rows,
    ).toEqual([]);
  });

  it('refuses bad filters and cursors, every problem at once', async () => {
    await expect(
      engine.audit.list(
        'default',
        { channel: 'fax' as never, from: 'yesterday', actor: 'x'.repeat(300) },
        { first: 0, after: 'bm90IGEgY3Vyc29y' },
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [
        { path: 'first' },
        { path: 'after' },
        { path: 'filter.actor' },
        { path: 'filter.channel' },
        { path: 'filter.from' },
      ],
    });
  });

  it('field history lists the tracked fields of one record, newest first', async () => {
    const { id } = await records().create('note', { body: 'Call back', pinned: false });
    await engine.records({ ...ctx, actor: 'user-3' }).update('note', id, { body: 'Call back today', pinned: true });
    const history = await engine.audit.fieldHistory('default', 'note', id);
    // `body` is not tracked: only `pinned` is (field-level trackHistory).
    expect(history.map((h) => [h.action, h.field, h.old, h.new, h.actor])).toEqual([
      ['record.updated', 'pinned', false, true, 'user-3'],
      ['record.created', 'pinned', null, false, 'user-1'],
    ]);
    await expect(engine.audit.fieldHistory('default', 'note', id, { fields: ['body'] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'fields[0]', allowed: ['pinned'] }],
    });
    await expect(engine.audit.fieldHistory('default', 'tag', id)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(engine.audit.fieldHistory('default', 'note', 'nope')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
