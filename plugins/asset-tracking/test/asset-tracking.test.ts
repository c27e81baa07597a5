// The plugin's own tests, against a real engine and database (`touchpoint plugin test plugins/asset-tracking`,
// or vitest from the repository root): the plugin is packed from this folder and installed as an admin would.
import { fileURLToPath } from 'node:url';
import { createPluginTestbed, type PluginTestbed } from '@touchpoint/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { covers, dayOf, nextDay, warrantyEnd } from '../src/warranty.ts';

const dir = fileURLToPath(new URL('..', import.meta.url));
let bed: PluginTestbed;

beforeAll(async () => {
  bed = await createPluginTestbed({ dir, settings: { defaultWarrantyMonths: 24 } });
});
afterAll(async () => {
  await bed?.close();
});

const read = async (entity: string, id: string, fields: string[]) =>
  (await bed.records().get(entity, id, { fields, relations: [] })) as Record<string, unknown>;

describe('warranty arithmetic', () => {
  it('ends a warranty the day before its anniversary, clamping short months', () => {
    expect(warrantyEnd('2026-01-15', 12)).toBe('2027-01-14');
    expect(warrantyEnd('2026-01-31', 1)).toBe('2026-02-27');
    expect(warrantyEnd('2026-03-01', 0)).toBe('2026-02-28');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(dayOf('2026-03-01T23:30:00.000Z')).toBe('2026-03-01');
    expect(covers({ warrantyStart: '2026-01-01', warrantyEnd: '2026-12-31' }, '2026-12-31')).toBe(true);
    expect(covers({ warrantyStart: '2026-01-01', warrantyEnd: '2026-12-31' }, '2027-01-01')).toBe(false);
    expect(covers({ warrantyStart: null, warrantyEnd: null }, '2026-06-01')).toBe(false);
  });
});

describe('asset tracking', () => {
  let accountId: string;
  let productId: string;
  let assetId: string;

  it('installs with what it asks for granted', () => {
    expect(bed.installed.plugin).toMatchObject({
      id: 'touchpoint.asset-tracking',
      version: '1.0.0',
      enabled: true,
      capabilitiesGranted: { records: { asset: ['read', 'create', 'update'], case: ['read'] } },
      actions: { registerAssetsFromOrder: { entity: 'order' }, failureRate: { entity: 'product' } },
    });
  });

  it('makes a case billable unless the warranty covers the day it was opened', async () => {
    const records = bed.records();
    accountId = (await records.create('account', { name: 'Northwind Mills' })).id;
    productId = (await records.create('product', { name: 'Loom X2', sku: 'LOOM-X2' })).id;
    assetId = (
      await records.create('asset', {
        name: 'Loom 1',
        serialNumber: 'LX2-001',
        model: productId,
        account: accountId,
        warrantyStart: '2026-01-01',
        warrantyEnd: '2026-12-31',
      })
    ).id;
    const covered = await records.create('case', {
      subject: 'Thread breaks',
      openedAt: '2026-06-01T08:00:00Z',
      assetTrackingAsset: assetId,
    });
    const late = await records.create('case', {
      subject: 'Motor noise',
      openedAt: '2027-02-01T08:00:00Z',
      assetTrackingAsset: assetId,
    });
    const bySerial = await records.create('case', {
      subject: 'Jammed',
      openedAt: '2026-03-01T08:00:00Z',
      serialNumber: 'LX2-001',
    });
    const unrelated = await records.create('case', { subject: 'Invoice question', openedAt: '2026-03-01T08:00:00Z' });
    expect(await read('case', covered.id, ['assetTrackingBillable'])).toMatchObject({ assetTrackingBillable: false });
    expect(await read('case', late.id, ['assetTrackingBillable'])).toMatchObject({ assetTrackingBillable: true });
    expect(await read('case', bySerial.id, ['assetTrackingAssetId', 'assetTrackingBillable'])).toMatchObject({
      assetTrackingAssetId: assetId,
      assetTrackingBillable: false,
    });
    expect(await read('case', unrelated.id, ['assetTrackingBillable'])).toMatchObject({ assetTrackingBillable: null });
    await records.update('case', unrelated.id, { openedAt: '2028-01-01T00:00:00Z', assetTrackingAsset: assetId });
    expect(await read('case', unrelated.id, ['assetTrackingBillable'])).toMatchObject({ assetTrackingBillable: true });
  });

  it('keeps warranty dates in order and the hierarchy free of loops', async () => {
    const records = bed.records();
    await expect(
      records.create('asset', { name: 'Bad', warrantyStart: '2026-05-01', warrantyEnd: '2026-04-01' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'input.warrantyEnd' }] });
    const line = (await records.create('asset', { name: 'Line A' })).id;
    await records.update('asset', assetId, { parentAsset: line });
    await expect(records.update('asset', line, { parentAsset: assetId })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'input.parentAsset', message: 'would make the asset a part of itself' }],
    });
  });

  it('registers assets from an order once, with the warranty from the settings', async () => {
    const records = bed.records();
    const service = (await records.create('product', { name: 'Setup', sku: 'SVC-1', type: 'service' })).id;
    const order = (await records.create('order', { account: accountId, orderDate: '2026-04-01' })).id;
    await records.create('orderLine', { order, product: productId, quantity: '2', unitPrice: { amount: '100' } });
    await records.create('orderLine', { order, product: service, quantity: '1', unitPrice: { amount: '50' } });
    const result = (await bed.runAction('registerAssetsFromOrder', order, { serialNumbers: ['LX2-100'] })) as {
      created: number;
      assets: { id: string; serialNumber: string | null }[];
      skipped: { reason: string }[];
    };
    expect(result.created).toBe(2);
    expect(result.assets.map((a) => a.serialNumber)).toEqual(['LX2-100', null]);
    expect(result.skipped).toEqual([expect.objectContaining({ reason: 'a service is not an installed asset' })]);
    expect(await read('asset', result.assets[0]!.id, ['accountId', 'installDate', 'warrantyEnd'])).toEqual(
      expect.objectContaining({ accountId, installDate: '2026-04-01', warrantyEnd: '2028-03-31' }),
    );
    const again = (await bed.runAction('registerAssetsFromOrder', order, {})) as { created: number };
    expect(again.created).toBe(0);
    await expect(bed.runAction('registerAssetsFromOrder', order, { warrantyMonths: 500 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('reports cases per installed asset of a model', async () => {
    const records = bed.records();
    await records.update('asset', assetId, { installDate: '2026-01-01' });
    const report = (await bed.runAction('failureRate', productId, { from: '2026-01-01', to: '2026-12-31' })) as {
      models: Record<string, unknown>[];
    };
    // Loom 1 (installed), 2 registered from the order: 3 assets; 2 of the cases fall in 2026 on Loom 1.
    expect(report.models).toEqual([
      expect.objectContaining({ productId, installedAssets: 3, cases: 2, failureRate: 0.6667 }),
    ]);
  });

  it('1.1.0 adds the last service date, kept up by resolved cases', async () => {
    const upgraded = await bed.upgrade({ overlay: 'versions/1.1.0' });
    expect(upgraded.plugin?.version).toBe('1.1.0');
    expect(upgraded.change?.plan.steps.map((s) => s.kind)).toEqual(['addField']);
    expect(upgraded.plugin?.hooks.case).toContain('afterUpdate');
    const records = bed.records();
    const opened = await records.create('case', {
      subject: 'Belt',
      openedAt: '2026-07-01T08:00:00Z',
      assetTrackingAsset: assetId,
    });
    await records.update('case', opened.id, { status: 'resolved', resolvedAt: '2026-07-03T10:00:00Z' });
    await bed.drain();
    expect(await read('asset', assetId, ['name', 'lastServiceDate'])).toMatchObject({
      name: 'Loom 1',
      lastServiceDate: '2026-07-03',
    });
  });
});
