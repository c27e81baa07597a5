// SVC-3 asset tracking: the plugin's hooks and actions. Its metadata (the asset entity, the fields it adds
// to case and interaction) lives in ../metadata; this file only uses @touchpoint/plugin-sdk.
//
// - A case linked to an asset (or naming the serial number of one) is billable unless the asset's
//   warranty covers the day the case was opened.
// - Assets check their warranty dates and refuse a parent that would make a loop.
// - Actions: registerAssetsFromOrder (on an order), failureRate (on a product).
// - From 1.1.0: resolving or closing a case records the asset's last service date.
import {
  type AfterWriteContext,
  type BeforeWriteContext,
  definePlugin,
  type EntityHooks,
  type HostApi,
  type RecordValues,
} from '@touchpoint/plugin-sdk';
import { TRACK_SERVICE_DATE } from './features.ts';
import { registerAssetsFromOrder } from './register.ts';
import { failureRate } from './report.ts';
import { covers, dayOf } from './warranty.ts';

const ASSET = 'assetTrackingAssetId';
const BILLABLE = 'assetTrackingBillable';
const MAX_DEPTH = 50;

async function warrantyOf(host: HostApi, assetId: string) {
  return host.records.get('asset', assetId, { fields: ['warrantyStart', 'warrantyEnd'] });
}

/** Sets `billable` from the asset's warranty on the day the case was opened. */
async function setBillable(ctx: BeforeWriteContext, assetId: unknown, openedAt: unknown): Promise<void> {
  if (typeof assetId !== 'string') {
    if (assetId === null) ctx.values[BILLABLE] = null;
    return;
  }
  const asset = await warrantyOf(ctx.host, assetId);
  if (!asset) ctx.reject({ assetTrackingAsset: 'there is no such asset' });
  const day = dayOf(openedAt) ?? dayOf(ctx.host.now().toISOString())!;
  ctx.values[BILLABLE] = !covers({ warrantyStart: asset.warrantyStart, warrantyEnd: asset.warrantyEnd }, day);
}

/** A case naming a serial number but no asset gets the asset with that serial number. */
async function linkBySerial(ctx: BeforeWriteContext): Promise<void> {
  const serial = ctx.values.serialNumber;
  if (ctx.values[ASSET] || typeof serial !== 'string' || serial.trim() === '') return;
  const page = await ctx.host.records.list('asset', { filter: { serialNumber: { eq: serial.trim() } }, first: 1 });
  const [asset] = page.records;
  if (asset) ctx.values[ASSET] = asset.id;
}

function checkWarrantyDates(ctx: BeforeWriteContext, values: RecordValues): void {
  const start = dayOf(values.warrantyStart);
  const end = dayOf(values.warrantyEnd);
  if (start && end && end < start) ctx.reject({ warrantyEnd: 'must not be before the warranty start' });
}

/** Walks up from the new parent; meeting the asset itself means the hierarchy would loop. */
async function checkParent(ctx: BeforeWriteContext & { id: string }, parentId: unknown): Promise<void> {
  let next = typeof parentId === 'string' ? parentId : null;
  for (let depth = 0; next && depth < MAX_DEPTH; depth++) {
    if (next === ctx.id) ctx.reject({ parentAsset: 'would make the asset a part of itself' });
    const parent = await ctx.host.records.get('asset', next, { fields: ['parentAssetId'] });
    next = typeof parent?.parentAssetId === 'string' ? parent.parentAssetId : null;
  }
  if (next) ctx.reject({ parentAsset: `is more than ${MAX_DEPTH} levels deep` });
}

const caseHooks: EntityHooks = {
  async beforeCreate(ctx) {
    await linkBySerial(ctx);
    await setBillable(ctx, ctx.values[ASSET], ctx.values.openedAt);
  },
  async beforeUpdate(ctx) {
    if (!(ASSET in ctx.values) && !('openedAt' in ctx.values)) return;
    const current = await ctx.host.records.get('case', ctx.id, { fields: ['openedAt', ASSET] });
    const assetId = ASSET in ctx.values ? ctx.values[ASSET] : current?.[ASSET];
    await setBillable(ctx, assetId ?? null, ctx.values.openedAt ?? current?.openedAt);
  },
};

/** 1.1.0: a case resolved or closed is the asset's latest service. */
async function recordService(ctx: AfterWriteContext): Promise<void> {
  if (!ctx.changed.includes('status')) return;
  const serviced = await ctx.host.records.get('case', ctx.id, { fields: ['status', 'resolvedAt', 'closedAt', ASSET] });
  const assetId = serviced?.[ASSET];
  if (!serviced || typeof assetId !== 'string' || !['resolved', 'closed'].includes(String(serviced.status))) return;
  const day = dayOf(serviced.resolvedAt) ?? dayOf(serviced.closedAt) ?? dayOf(ctx.at)!;
  await ctx.host.records.update('asset', assetId, { lastServiceDate: day });
}

export default definePlugin({
  hooks: {
    case: TRACK_SERVICE_DATE ? { ...caseHooks, afterUpdate: recordService } : caseHooks,
    asset: {
      beforeCreate(ctx) {
        if (!ctx.values.warrantyStart && ctx.values.warrantyEnd && ctx.values.installDate) {
          ctx.values.warrantyStart = ctx.values.installDate;
        }
        checkWarrantyDates(ctx, ctx.values);
      },
      async beforeUpdate(ctx) {
        if ('warrantyStart' in ctx.values || 'warrantyEnd' in ctx.values) {
          const current = await ctx.host.records.get('asset', ctx.id, { fields: ['warrantyStart', 'warrantyEnd'] });
          checkWarrantyDates(ctx, { ...current, ...ctx.values });
        }
        if ('parentAssetId' in ctx.values) await checkParent(ctx, ctx.values.parentAssetId);
      },
    },
  },
  actions: { registerAssetsFromOrder, failureRate },
});
