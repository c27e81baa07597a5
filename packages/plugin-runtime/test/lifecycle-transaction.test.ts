// Install, upgrade and uninstall each commit the plugin's installation row together with its metadata layer
// and the layer's audit row: when the installation row cannot be written (a trigger of the test's own makes
// it fail inside the transaction), the layer, the version and the audit row are not kept either, and the
// plugin goes on as it was.
import { fileURLToPath } from 'node:url';
import type { Engine } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginRuntime, packPluginFolder } from '../src/index.ts';
import { type RuntimeFixture, startRuntime } from './fixture.ts';

const ASSETS = fileURLToPath(new URL('../../../plugins/asset-tracking', import.meta.url));
const ID = 'touchpoint.asset-tracking';

let fixture: RuntimeFixture;
let engine: Engine;
let runtime: PluginRuntime;

beforeAll(async () => {
  fixture = await startRuntime();
  ({ engine, runtime } = fixture);
});
afterAll(async () => {
  await fixture?.close();
});

/** Makes `op` on the installation table fail inside whatever transaction runs it, for the length of `fn`. */
async function refusingInstallationRows<T>(op: 'insert or update' | 'delete', fn: () => Promise<T>): Promise<T> {
  await engine.db.query(`create or replace function touchpoint.test_refuse_installation() returns trigger
    language plpgsql as $$ begin raise exception 'installation row refused by the test'; end $$`);
  await engine.db.query(`create trigger test_refuse_installation before ${op} on touchpoint.plugin_installation
    for each row execute function touchpoint.test_refuse_installation()`);
  try {
    return await fn();
  } finally {
    await engine.db.query('drop trigger test_refuse_installation on touchpoint.plugin_installation');
  }
}

const state = async () => ({
  version: (await engine.metadata('default')).version,
  entities: (await engine.metadata('default')).entities.map((e) => e.name).filter((n) => n.startsWith('asset')),
  layer: (
    await engine.db.query<{ plugin_version: string }>(
      `select plugin_version from touchpoint.plugin_layer where plugin_id = $1`,
      [ID],
    )
  ).map((r) => r.plugin_version),
  installed: (await runtime.list('default')).map((p) => `${p.id}@${p.version}`),
  audit: (
    await engine.db.query<{ action: string }>(
      `select action from touchpoint.audit_log where plugin_id = $1 order by id`,
      [ID],
    )
  ).map((r) => r.action),
});

describe('plugin lifecycle in one transaction', () => {
  it('install, upgrade and uninstall keep nothing when the installation row cannot be written', async () => {
    const v100 = (await packPluginFolder(ASSETS)).archive;
    const v110 = (await packPluginFolder(ASSETS, { overlay: 'versions/1.1.0' })).archive;
    const empty = await state();
    expect(empty).toMatchObject({ entities: [], layer: [], installed: [], audit: [] });

    await expect(refusingInstallationRows('insert or update', () => runtime.install('default', v100))).rejects.toThrow(
      /installation row refused/,
    );
    expect(await state()).toEqual(empty);

    await runtime.install('default', v100);
    const installed = await state();
    expect(installed).toMatchObject({ layer: ['1.0.0'], installed: [`${ID}@1.0.0`], audit: ['plugin.installed'] });
    expect(installed.entities.length).toBeGreaterThan(0);
    expect(installed.version).toBe(empty.version + 1);

    await expect(refusingInstallationRows('insert or update', () => runtime.upgrade('default', v110))).rejects.toThrow(
      /installation row refused/,
    );
    expect(await state()).toEqual(installed);

    await expect(
      refusingInstallationRows('delete', () => runtime.uninstall('default', ID, { confirmDestructive: true })),
    ).rejects.toThrow(/installation row refused/);
    expect(await state()).toEqual(installed);
    // Still loaded and running: the refused removal did not unload it.
    expect((await runtime.get('default', ID)).enabled).toBe(true);

    await runtime.upgrade('default', v110);
    expect(await state()).toMatchObject({ layer: ['1.1.0'], installed: [`${ID}@1.1.0`] });
    await runtime.uninstall('default', ID, { confirmDestructive: true });
    expect(await state()).toMatchObject({
      entities: [],
      layer: [],
      installed: [],
      audit: ['plugin.installed', 'plugin.upgraded', 'plugin.removed'],
    });
  });
});
