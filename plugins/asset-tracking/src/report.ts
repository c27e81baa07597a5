// The report "failure rate per product model": over a period, the cases opened against assets of a model
// divided by that model's installed assets (installed on or before the period's end). Days are UTC.
import { type ActionContext, defineAction, type InputOf, type JsonObject } from '@touchpoint/plugin-sdk';
import { listAll } from './pages.ts';
import { nextDay } from './warranty.ts';

const input = {
  from: { type: 'date', required: true, description: 'First day of the period.' },
  to: { type: 'date', required: true, description: 'Last day of the period.' },
  allModels: { type: 'boolean', description: 'Every model with installed assets, not only this product.' },
} as const;

async function run(ctx: ActionContext<InputOf<typeof input>>) {
  const { host, input: args } = ctx;
  if (args.to < args.from) ctx.reject({ to: 'must not be before from' });
  const only: JsonObject = args.allModels ? {} : { modelId: { eq: ctx.id } };
  const assets = await listAll(host, 'asset', {
    filter: { installDate: { lte: args.to }, modelId: { isNull: false }, ...only },
    fields: ['modelId'],
  });
  const modelOf = new Map(assets.map((a) => [a.id, String(a.modelId)]));
  const installed = new Map<string, number>();
  for (const model of modelOf.values()) installed.set(model, (installed.get(model) ?? 0) + 1);
  const cases = await listAll(host, 'case', {
    filter: {
      openedAt: { gte: `${args.from}T00:00:00.000Z`, lt: `${nextDay(args.to)}T00:00:00.000Z` },
      assetTrackingAssetId: { isNull: false },
      ...(args.allModels ? {} : { assetTrackingAsset: only }),
    },
    fields: ['assetTrackingAssetId'],
  });
  const failures = new Map<string, number>();
  for (const c of cases) {
    const model = modelOf.get(String(c.assetTrackingAssetId));
    if (model) failures.set(model, (failures.get(model) ?? 0) + 1);
  }
  const ids = [...installed.keys()];
  const products = ids.length
    ? await listAll(host, 'product', { filter: { id: { in: ids } }, fields: ['name', 'sku'] })
    : [];
  const models: JsonObject[] = products.map((p) => {
    const count = installed.get(p.id) ?? 0;
    const failed = failures.get(p.id) ?? 0;
    return {
      productId: p.id,
      productName: p.name ?? null,
      sku: p.sku ?? null,
      installedAssets: count,
      cases: failed,
      failureRate: count === 0 ? 0 : Math.round((failed / count) * 10_000) / 10_000,
    };
  });
  models.sort(
    (a, b) =>
      Number(b.failureRate) - Number(a.failureRate) || String(a.productName).localeCompare(String(b.productName)),
  );
  return { from: args.from, to: args.to, models };
}

export const failureRate = defineAction({
  entity: 'product',
  labels: { en: 'Failure rate', 'zh-CN': '故障率' },
  description: 'Cases per installed asset of this product model (or of every model) over a period.',
  input,
  run,
});
