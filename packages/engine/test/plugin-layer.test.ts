// A plugin's metadata layer through its whole life: installed, upgraded without a schema change, removed
// (archived, data kept), installed again (restored with its data and its indexes), removed and purged.
import type { EntityDefinition } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, Engine, type PluginContribution, type TestDatabase } from '../src/index.ts';

const labels = (en: string) => ({ en, 'zh-CN': en });
const account: EntityDefinition = {
  name: 'account',
  labels: labels('Account'),
  titleField: 'name',
  fields: [{ name: 'name', type: 'text', labels: labels('Name'), required: true }],
};
const gadget: EntityDefinition = {
  name: 'gadget',
  labels: labels('Gadget'),
  titleField: 'name',
  fields: [
    { name: 'name', type: 'text', labels: labels('Name'), required: true },
    { name: 'serial', type: 'text', labels: labels('Serial'), unique: true },
    {
      name: 'account',
      type: 'relation',
      labels: labels('Account'),
      relation: { target: 'account', kind: 'manyToOne', inverse: 'acmeGadgets', onDelete: 'setNull' },
    },
  ],
  indexes: [{ fields: ['name'] }],
  defaultSort: [{ field: 'name', direction: 'asc' }],
};
const layer = (version: string, extra: EntityDefinition['fields'] = []): PluginContribution => ({
  pluginId: 'acme.gadgets',
  version,
  entities: [{ ...gadget, fields: [...gadget.fields, ...extra] }],
  fields: [{ entity: 'account', field: { name: 'acmeScore', type: 'integer', labels: labels('Score') } }],
});

let database: TestDatabase;
let engine: Engine;

beforeAll(async () => {
  database = await createTestDatabase();
  engine = await Engine.start({ databaseUrl: database.url, dataDir: database.dataDir, coreEntities: [account] });
});
afterAll(async () => {
  await engine?.close();
  await database?.drop();
});

const records = () => engine.records({ workspace: 'default', actor: 'tester' });
const tables = async () =>
  (
    await engine.db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'ws_default' order by 1`,
    )
  ).map((r) => r.table_name);

describe('plugin layers', () => {
  let accountId: string;
  let gadgetId: string;

  it('installs a layer, and records a version for a plugin upgrade that changes no metadata', async () => {
    const installed = await engine.applyPluginLayer('default', layer('1.0.0'), { actor: 'tester' });
    expect(installed.applied).toBe(true);
    accountId = (await records().create('account', { name: 'Acme', acmeScore: 7 })).id;
    gadgetId = (await records().create('gadget', { name: 'Press', serial: 'S-1', account: accountId })).id;
    expect((await engine.applyPluginLayer('default', layer('1.0.0'), { actor: 'tester' })).applied).toBe(false);
    const upgraded = await engine.applyPluginLayer('default', layer('1.0.1'), { actor: 'tester' });
    expect(upgraded).toMatchObject({ applied: true, plan: { steps: [] } });
    expect((await engine.history('default'))[0]!.reason).toBe('plugin acme.gadgets@1.0.1');
  });

  it('removes a layer only with confirmation, archiving its entities and fields', async () => {
    await expect(engine.removePluginLayer('default', 'acme.gadgets', { actor: 'tester' })).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
    });
    expect((await engine.metadata('default')).byName.has('gadget')).toBe(true);
    const removed = await engine.removePluginLayer('default', 'acme.gadgets', {
      actor: 'tester',
      confirmDestructive: true,
    });
    expect(removed.plan.steps.map((s) => s.kind).sort()).toEqual(['archiveField', 'archiveTable']);
    const metadata = await engine.metadata('default');
    expect(metadata.byName.has('gadget')).toBe(false);
    expect(metadata.byName.get('account')!.fields.map((f) => f.name)).toEqual(['name']);
    expect((await engine.archives('default')).map((a) => a.kind).sort()).toEqual(['entity', 'field']);
    expect(await tables()).not.toContain('gadget');
  });

  it('restores the archived data, indexes included, when the plugin comes back (even a newer version)', async () => {
    const color = { name: 'color', type: 'text' as const, labels: labels('Color') };
    const back = await engine.applyPluginLayer('default', layer('1.1.0', [color]), { actor: 'tester' });
    expect(back.plan.steps.map((s) => s.kind).sort()).toEqual(['addField', 'restoreField', 'restoreTable']);
    const gadgetRead = await records().get('gadget', gadgetId, {
      fields: ['name', 'serial', 'accountId', 'color'],
      relations: [],
    });
    expect(gadgetRead).toMatchObject({ name: 'Press', serial: 'S-1', accountId, color: null });
    const accountRead = await records().get('account', accountId, { fields: ['acmeScore'], relations: [] });
    expect(accountRead).toMatchObject({ acmeScore: 7 });
    await expect(records().create('gadget', { name: 'Copy', serial: 'S-1' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(await engine.archives('default')).toEqual([]);
  });

  it('purges what uninstalling archived, only with confirmation', async () => {
    await engine.removePluginLayer('default', 'acme.gadgets', { actor: 'tester', confirmDestructive: true });
    await expect(engine.purgePluginArchives('default', 'acme.gadgets', {})).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      message: expect.stringContaining('Delete for good the entity "gadget" archived in version'),
    });
    expect((await engine.archives('default')).length).toBe(2);
    const { purged } = await engine.purgePluginArchives('default', 'acme.gadgets', { confirmDestructive: true });
    expect(purged).toHaveLength(2);
    expect(await engine.archives('default')).toEqual([]);
    // Recorded like any change: a version with the purge's changes and steps.
    const [latest] = await engine.history('default');
    expect(latest).toMatchObject({ reason: 'plugin acme.gadgets purged', actor: 'system' });
    expect(latest?.steps.map((s) => s.code)).toEqual(['purgeArchivedTable', 'purgeArchivedField']);
    expect((await tables()).filter((t) => t.includes('gadget'))).toEqual([]);
    const columns = await engine.db.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = 'ws_default' and table_name = 'account'`,
    );
    expect(columns.map((c) => c.column_name).filter((c) => c.includes('acme'))).toEqual([]);
    const fresh = await engine.applyPluginLayer('default', layer('1.1.0'), { actor: 'tester' });
    expect(fresh.plan.steps.map((s) => s.kind)).toContain('createTable');
    expect((await records().list({ entity: 'gadget', selection: { fields: ['id'], relations: [] } })).nodes).toEqual(
      [],
    );
  });
});
