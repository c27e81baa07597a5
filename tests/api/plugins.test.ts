// Plugins through the GraphQL API over HTTP, on a real database: the asset-tracking plugin from install to
// purge (hooks, actions, report, upgrade, failed upgrades, uninstall and restore), then hostile plugins —
// refused with clear errors while the server keeps serving and other workspaces are unaffected.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPluginFolder } from '@touchpoint/plugin-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

const ASSETS = fileURLToPath(new URL('../../plugins/asset-tracking', import.meta.url));
const ID = 'touchpoint.asset-tracking';
const dirs: string[] = [];
let h: Harness;
let v100: unknown;
let v110: unknown;

/** A plugin folder in a temporary directory: `files` relative to it. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tp-api-plugin-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const manifest = (id: string, records: string) =>
  `id: ${id}\nversion: 1.0.0\nlabels: { en: Test, zh-CN: 测试 }\ndescription: { en: A test plugin. }\ntouchpoint: "^0.1.0"\ncapabilities:\n  records: ${records}\n`;
const hookOn = (entity: string, body: string) =>
  `import { definePlugin } from '@touchpoint/plugin-sdk';\nexport default definePlugin({ hooks: { ${entity}: { async beforeCreate(ctx) { ${body} } } } });\n`;
async function testPlugin(id: string, records: string, source: string) {
  return (await packPluginFolder(folder({ 'plugin.yaml': manifest(id, records), 'src/index.ts': source }))).archive;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const errorOf = (result: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) => {
  expect(result.errors, 'expected an error').toBeDefined();
  return result.errors![0]!;
};

const PLUGINS = `{ plugins { id version enabled disabledReason capabilitiesRequested capabilitiesGranted
  actions { name entity } metrics { calls errors cpuTimeMs memoryBytes } } }`;
const INSTALL = `mutation($a: JSON!, $g: JSON, $s: JSON, $l: JSON) { installPlugin(archive: $a, grants: $g, settings: $s, limits: $l) {
  applied metadataVersion plan { steps { kind description } } plugin { id version capabilitiesRequested capabilitiesGranted } } }`;
const UPGRADE = `mutation($a: JSON!) { upgradePlugin(archive: $a) { applied plan { steps { kind } } plugin { version } } }`;
const UNINSTALL = `mutation($id: String!, $purge: Boolean, $c: Boolean) {
  uninstallPlugin(id: $id, purge: $purge, confirmDestructive: $c) { applied purged plan { steps { kind } } } }`;
const RUN = `mutation($p: String!, $a: String!, $r: ID!, $i: JSON) { runAction(plugin: $p, action: $a, recordId: $r, input: $i) }`;

beforeAll(async () => {
  h = await startHarness({ plugins: true });
  v100 = (await packPluginFolder(ASSETS)).archive;
  v110 = JSON.stringify((await packPluginFolder(ASSETS, { overlay: 'versions/1.1.0' })).archive);
});
afterAll(async () => {
  await h?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function create(entity: string, input: Record<string, unknown>, workspace = 'default'): Promise<string> {
  const type = entity.charAt(0).toUpperCase() + entity.slice(1);
  const data = await h.ok<Record<string, { id: string }>>(
    `mutation($i: ${type}Input!) { create${type}(input: $i) { id } }`,
    { i: input },
    { workspace },
  );
  return data[`create${type}`]!.id;
}

describe('the asset-tracking plugin through the API', () => {
  const ids: Record<string, string> = {};

  it('previews the archive, then installs it showing what it asks for and was granted', async () => {
    const preview = await h.ok<{ pluginPreview: Record<string, unknown> }>(
      `query($a: JSON!) { pluginPreview(archive: $a) { id version installedVersion capabilitiesRequested plan { steps { kind } } } }`,
      { a: v100 },
    );
    expect(preview.pluginPreview).toMatchObject({ id: ID, version: '1.0.0', installedVersion: null });
    expect(preview.pluginPreview.capabilitiesRequested).toEqual({
      records: { asset: ['read', 'create', 'update'], case: ['read'], orderLine: ['read'], product: ['read'] },
    });
    const { installPlugin } = await h.ok<{
      installPlugin: { applied: boolean; plugin: Record<string, unknown>; plan: { steps: { kind: string }[] } };
    }>(INSTALL, { a: v100 });
    expect(installPlugin.applied).toBe(true);
    expect(installPlugin.plugin).toMatchObject({ id: ID, version: '1.0.0' });
    expect(installPlugin.plugin.capabilitiesGranted).toEqual(preview.pluginPreview.capabilitiesRequested);
    const kinds = installPlugin.plan.steps.map((s) => s.kind);
    expect(kinds).toEqual(expect.arrayContaining(['createTable', 'addField', 'addRelation']));
    const { plugins } = await h.ok<{ plugins: Record<string, unknown>[] }>(PLUGINS);
    expect(plugins).toEqual([
      expect.objectContaining({
        id: ID,
        version: '1.0.0',
        enabled: true,
        disabledReason: null,
        actions: [
          { name: 'registerAssetsFromOrder', entity: 'order' },
          { name: 'failureRate', entity: 'product' },
        ],
      }),
    ]);
    expect(errorOf(await h.gql(INSTALL, { a: v100 })).extensions?.code).toBe('CONFLICT');
  });

  it('tracks assets, their warranty and hierarchy, and makes cases billable from the warranty', async () => {
    ids.account = await create('account', { name: 'Northwind Mills' });
    ids.contact = await create('contact', { firstName: 'Li', lastName: 'Wei', accountId: ids.account });
    ids.product = await create('product', { name: 'Loom X2', sku: 'LOOM-X2' });
    const asset = (name: string, serialNumber: string, from: number, to: number, extra = {}) =>
      create('asset', {
        name,
        serialNumber,
        modelId: ids.product,
        accountId: ids.account,
        custodianId: ids.contact,
        installDate: day(from),
        warrantyStart: day(from),
        warrantyEnd: day(to),
        ...extra,
      });
    ids.line = await create('asset', { name: 'Production line 1', accountId: ids.account });
    ids.loom = await asset('Loom 1', 'LX2-001', -300, 200, { parentAssetId: ids.line });
    ids.old = await asset('Loom 0', 'LX2-000', -800, -10);
    ids.soon = await asset('Loom 2', 'LX2-002', -200, 10);
    const covered = await create('case', {
      subject: 'Thread breaks',
      openedAt: new Date().toISOString(),
      assetTrackingAssetId: ids.loom,
    });
    const billable = await create('case', {
      subject: 'Motor',
      openedAt: new Date().toISOString(),
      assetTrackingAssetId: ids.old,
    });
    await create('interaction', {
      subject: 'Site visit',
      channel: 'visit',
      occurredAt: new Date().toISOString(),
      assetTrackingAssetId: ids.loom,
    });
    const { a, b, c } = await h.ok<
      Record<string, { assetTrackingBillable: boolean; assetTrackingAsset: { name: string } }>
    >(
      `query($a: ID!, $b: ID!) { a: case(id: $a) { assetTrackingBillable assetTrackingAsset { name } }
        b: case(id: $b) { assetTrackingBillable assetTrackingAsset { name } } c: case(id: $b) { assetTrackingBillable } }`,
      { a: covered, b: billable },
    );
    expect([a!.assetTrackingBillable, b!.assetTrackingBillable, c!.assetTrackingBillable]).toEqual([false, true, true]);
    expect(a!.assetTrackingAsset.name).toBe('Loom 1');
    const page = await h.ok<{ asset: Record<string, unknown>; assets: { nodes: Record<string, unknown>[] } }>(
      `query($id: ID!) { asset(id: $id) { warrantyStatus parentAsset { name } model { name }
          cases { subject assetTrackingBillable } interactions { subject } }
        assets(orderBy: [{ field: name, direction: asc }]) { nodes { name warrantyStatus children { name } } } }`,
      { id: ids.loom },
    );
    expect(page.asset).toEqual({
      warrantyStatus: 'inWarranty',
      parentAsset: { name: 'Production line 1' },
      model: { name: 'Loom X2' },
      cases: [{ subject: 'Thread breaks', assetTrackingBillable: false }],
      interactions: [{ subject: 'Site visit' }],
    });
    expect(page.assets.nodes.map((n) => [n.name, n.warrantyStatus])).toEqual([
      ['Loom 0', 'expired'],
      ['Loom 1', 'inWarranty'],
      ['Loom 2', 'expiringSoon'],
      ['Production line 1', 'none'],
    ]);
    const loop = errorOf(
      await h.gql(`mutation($id: ID!, $p: ID) { updateAsset(id: $id, input: { parentAssetId: $p }) { id } }`, {
        id: ids.line,
        p: ids.loom,
      }),
    );
    expect(loop.extensions).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'input.parentAsset' }] });
  });

  it('registers assets from an order through runAction, checking the input first', async () => {
    const order = await create('order', { accountId: ids.account, contactId: ids.contact, orderDate: day(-30) });
    await create('orderLine', { orderId: order, productId: ids.product, quantity: '3', unitPrice: { amount: '9000' } });
    const bad = errorOf(await h.gql(RUN, { p: ID, a: 'registerAssetsFromOrder', r: order, i: { warrantyMonths: -1 } }));
    expect(bad.extensions).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'input.warrantyMonths' }] });
    const unknown = errorOf(await h.gql(RUN, { p: ID, a: 'explode', r: order }));
    expect(unknown.extensions).toMatchObject({
      code: 'NOT_FOUND',
      issues: [{ allowed: ['registerAssetsFromOrder', 'failureRate'] }],
    });
    const missing = errorOf(await h.gql(RUN, { p: ID, a: 'registerAssetsFromOrder', r: ids.product }));
    expect(missing).toMatchObject({ message: `There is no order with id ${ids.product}.` });
    const { runAction } = await h.ok<{ runAction: { created: number; assets: { serialNumber: string }[] } }>(RUN, {
      p: ID,
      a: 'registerAssetsFromOrder',
      r: order,
      i: { serialNumbers: ['LX2-101', 'LX2-102'], installDate: day(-20) },
    });
    expect(runAction.created).toBe(3);
    expect(runAction.assets.map((a) => a.serialNumber)).toEqual(['LX2-101', 'LX2-102', null]);
    const again = await h.ok<{ runAction: { created: number } }>(RUN, {
      p: ID,
      a: 'registerAssetsFromOrder',
      r: order,
    });
    expect(again.runAction.created).toBe(0);
    const { order: read } = await h.ok<{
      order: { assetTrackingAssets?: unknown; lines: { assetTrackingAssets: { custodian: { lastName: string } }[] }[] };
    }>(`query($id: ID!) { order(id: $id) { lines { assetTrackingAssets { custodian { lastName } } } } }`, {
      id: order,
    });
    expect(read.lines[0]!.assetTrackingAssets).toHaveLength(3);
    expect(read.lines[0]!.assetTrackingAssets[0]!.custodian.lastName).toBe('Wei');
  });

  it('reports the failure rate per product model over a period', async () => {
    const other = await create('product', { name: 'Dryer D1', sku: 'DRY-D1' });
    const dryer = await create('asset', { name: 'Dryer', modelId: other, installDate: day(-5) });
    await create('case', { subject: 'Hot', openedAt: new Date().toISOString(), assetTrackingAssetId: dryer });
    await create('case', { subject: 'Older', openedAt: `${day(-400)}T10:00:00Z`, assetTrackingAssetId: ids.old });
    const { runAction } = await h.ok<{ runAction: { models: Record<string, unknown>[] } }>(RUN, {
      p: ID,
      a: 'failureRate',
      r: ids.product,
      i: { from: day(-90), to: day(0), allModels: true },
    });
    // Loom X2: Loom 0, 1, 2 and the 3 from the order are installed; 2 of its cases fall in the period.
    expect(runAction.models).toEqual([
      { productId: other, productName: 'Dryer D1', sku: 'DRY-D1', installedAssets: 1, cases: 1, failureRate: 1 },
      {
        productId: ids.product,
        productName: 'Loom X2',
        sku: 'LOOM-X2',
        installedAssets: 6,
        cases: 2,
        failureRate: 0.3333,
      },
    ]);
    const one = await h.ok<{ runAction: { models: unknown[] } }>(RUN, {
      p: ID,
      a: 'failureRate',
      r: other,
      i: { from: day(-90), to: day(0) },
    });
    expect(one.runAction.models).toHaveLength(1);
  });

  it('keeps the old version running when an upgrade fails, and upgrades to 1.1.0 keeping the data', async () => {
    const release = readFileSync(join(ASSETS, 'versions/1.1.0/plugin.yaml'), 'utf8');
    const future = await packPluginFolder(ASSETS, {
      overlay: folder({ 'plugin.yaml': release.replace('1.1.0', '1.4.0').replace('>=0.1.0 <1.0.0', '^2.0.0') }),
    });
    const incompatible = errorOf(await h.gql(UPGRADE, { a: future.archive }));
    expect(incompatible).toMatchObject({
      extensions: { code: 'VALIDATION_FAILED', issues: [{ path: 'manifest.touchpoint' }] },
    });
    const broken = await packPluginFolder(ASSETS, {
      overlay: folder({
        'plugin.yaml': release.replace('1.1.0', '1.2.0'),
        'src/features.ts': `throw new Error('broken release');\nexport const TRACK_SERVICE_DATE = true;\n`,
      }),
    });
    const failed = errorOf(await h.gql(UPGRADE, { a: broken.archive }));
    expect(failed).toMatchObject({
      extensions: { code: 'PLUGIN_FAILED' },
      message: expect.stringContaining('broken release'),
    });
    const badMetadata = await packPluginFolder(ASSETS, {
      overlay: folder({
        'plugin.yaml': manifest(ID, '{ asset: [read] }').replace('1.0.0', '1.3.0'),
        'metadata/fields/ghost.yaml':
          'entity: ghost\nfields:\n  assetTrackingX: { type: text, labels: { en: X, zh-CN: X } }\n',
      }),
    });
    const refused = errorOf(await h.gql(UPGRADE, { a: badMetadata.archive }));
    expect(refused).toMatchObject({
      extensions: { code: 'VALIDATION_FAILED' },
      message: expect.stringContaining('ghost'),
    });
    const { plugins } = await h.ok<{ plugins: { version: string }[] }>(PLUGINS);
    expect(plugins[0]!.version).toBe('1.0.0');
    const stillHooked = await create('case', {
      subject: 'Still billable',
      openedAt: new Date().toISOString(),
      assetTrackingAssetId: ids.old,
    });
    expect(
      (
        await h.ok<{ case: { assetTrackingBillable: boolean } }>(
          `{ case(id: "${stillHooked}") { assetTrackingBillable } }`,
        )
      ).case.assetTrackingBillable,
    ).toBe(true);

    const { upgradePlugin } = await h.ok<{
      upgradePlugin: { plan: { steps: { kind: string }[] }; plugin: { version: string } };
    }>(UPGRADE, { a: v110 });
    expect(upgradePlugin).toEqual({
      applied: true,
      plan: { steps: [{ kind: 'addField' }] },
      plugin: { version: '1.1.0' },
    });
    const { asset } = await h.ok<{ asset: Record<string, unknown> }>(
      `{ asset(id: "${ids.loom}") { name serialNumber lastServiceDate } }`,
    );
    expect(asset).toEqual({ name: 'Loom 1', serialNumber: 'LX2-001', lastServiceDate: null });
    await h.ok(
      `mutation($id: ID!) { updateCase(id: $id, input: { status: resolved, resolvedAt: "${new Date().toISOString()}" }) { id } }`,
      { id: stillHooked },
    );
    await h.plugins!.drain();
    const serviced = await h.ok<{ asset: { lastServiceDate: string } }>(
      `{ asset(id: "${ids.old}") { lastServiceDate } }`,
    );
    expect(serviced.asset.lastServiceDate).toBe(day(0));
  });

  it('uninstalls keeping the data (restored on reinstall), and purges only with confirmation', async () => {
    expect(errorOf(await h.gql(UNINSTALL, { id: ID })).extensions?.code).toBe('CONFIRMATION_REQUIRED');
    const removed = await h.ok<{ uninstallPlugin: { applied: boolean; purged: null } }>(UNINSTALL, { id: ID, c: true });
    expect(removed.uninstallPlugin).toMatchObject({ applied: true, purged: null });
    expect((await h.ok<{ plugins: unknown[] }>(PLUGINS)).plugins).toEqual([]);
    expect(errorOf(await h.gql(`{ assets { totalCount } }`)).message).toContain('assets');
    const archives = await h.ok<{ metadataArchives: { kind: string; name: string }[] }>(
      `{ metadataArchives { kind name } }`,
    );
    expect(archives.metadataArchives).toEqual(
      expect.arrayContaining([
        { kind: 'entity', name: 'asset' },
        { kind: 'field', name: 'assetTrackingBillable' },
      ]),
    );
    // Installing again brings the archived assets and case links back.
    await h.ok(INSTALL, { a: v110 });
    const back = await h.ok<{ asset: Record<string, unknown> }>(
      `{ asset(id: "${ids.loom}") { name lastServiceDate cases { subject assetTrackingBillable } } }`,
    );
    expect(back.asset).toMatchObject({
      name: 'Loom 1',
      cases: [{ subject: 'Thread breaks', assetTrackingBillable: false }],
    });

    const noConfirm = errorOf(await h.gql(UNINSTALL, { id: ID, purge: true }));
    expect(noConfirm).toMatchObject({
      extensions: { code: 'CONFIRMATION_REQUIRED' },
      message: expect.stringContaining('for good'),
    });
    expect((await h.ok<{ plugins: unknown[] }>(PLUGINS)).plugins).toHaveLength(1);
    const purged = await h.ok<{ uninstallPlugin: { purged: string[] } }>(UNINSTALL, { id: ID, purge: true, c: true });
    expect(purged.uninstallPlugin.purged.join('\n')).toMatch(/Delete for good the entity "asset" archived in version/);
    expect((await h.ok<{ metadataArchives: unknown[] }>(`{ metadataArchives { kind } }`)).metadataArchives).toEqual([]);
    await h.ok(INSTALL, { a: v100 });
    expect((await h.ok<{ assets: { totalCount: number } }>(`{ assets { totalCount } }`)).assets.totalCount).toBe(0);
  });
});

describe('hostile plugins through the API', () => {
  it('an infinite loop in a before-hook refuses the write naming the plugin; the server and other workspaces go on', async () => {
    await h.ok(
      `mutation { a: createWorkspace(slug: "hostile", name: "Hostile") { slug } b: createWorkspace(slug: "calm", name: "Calm") { slug } }`,
    );
    const loop = await testPlugin('evil.loop', '{ account: [read] }', hookOn('account', 'while (true) {}'));
    await h.ok(INSTALL, { a: loop, l: { cpuTimeMs: 50, maxConsecutiveFailures: 2 } }, { workspace: 'hostile' });
    const started = Date.now();
    const refused = errorOf(
      await h.gql(`mutation { createAccount(input: { name: "Acme" }) { id } }`, {}, { workspace: 'hostile' }),
    );
    expect(refused.extensions?.code).toBe('LIMIT_EXCEEDED');
    expect(refused.message).toContain(
      'Plugin evil.loop exceeded its CPU time limit of 50 ms per call in account.beforeCreate',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await (await fetch(`${h.url}/healthz`)).json()).toEqual({ status: 'ok' });
    await create('account', { name: 'Calm Ltd' }, 'calm');
    await create('account', { name: 'Default Ltd' });
    const { accounts } = await h.ok<{ accounts: { totalCount: number } }>(
      `{ accounts { totalCount } }`,
      {},
      { workspace: 'hostile' },
    );
    expect(accounts.totalCount).toBe(0);
    // After failing twice in a row it is disabled, with the reason kept; writes then go through without it.
    errorOf(await h.gql(`mutation { createAccount(input: { name: "Acme" }) { id } }`, {}, { workspace: 'hostile' }));
    await h.plugins!.drain();
    const { plugins } = await h.ok<{
      plugins: { enabled: boolean; disabledReason: string; metrics: { errors: number } }[];
    }>(PLUGINS, {}, { workspace: 'hostile' });
    expect(plugins[0]).toMatchObject({ enabled: false, metrics: { errors: 2 } });
    expect(plugins[0]!.disabledReason).toContain('failed 2 times in a row');
    const row = await h.engine.db.query<{ enabled: boolean }>(
      `select enabled from touchpoint.plugin_installation where plugin_id = 'evil.loop'`,
    );
    expect(row).toEqual([{ enabled: false }]);
    await create('account', { name: 'Acme' }, 'hostile');
  });

  it('a plugin reaching for an entity it was not granted gets a clear error, and cannot be granted more than it asked', async () => {
    const nosy = await testPlugin(
      'evil.nosy',
      '{ account: [read], contact: [read] }',
      hookOn('account', `await ctx.host.records.list('contact', {});`),
    );
    const tooMuch = errorOf(
      await h.gql(INSTALL, { a: nosy, g: { records: { lead: ['read'] } } }, { workspace: 'calm' }),
    );
    expect(tooMuch).toMatchObject({
      extensions: { code: 'VALIDATION_FAILED', issues: [{ path: 'grants.records.lead' }] },
    });
    const { installPlugin } = await h.ok<{ installPlugin: { plugin: Record<string, unknown> } }>(
      INSTALL,
      { a: nosy, g: { records: { account: ['read'] } } },
      { workspace: 'calm' },
    );
    expect(installPlugin.plugin).toMatchObject({
      capabilitiesRequested: { records: { account: ['read'], contact: ['read'] } },
      capabilitiesGranted: { records: { account: ['read'] } },
    });
    const refused = errorOf(
      await h.gql(`mutation { createAccount(input: { name: "Peek" }) { id } }`, {}, { workspace: 'calm' }),
    );
    expect(refused.message).toContain('evil.nosy');
    expect(refused.message).toContain('may not read contact records');
  });
});
