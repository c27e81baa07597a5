// The action "Register assets from order": one asset per unit of each physical product on the order's lines,
// linked to the line, the order's account and contact, with a warranty from the install date. Lines that
// already have assets are skipped, so running it twice registers nothing twice.
import { type ActionContext, defineAction, type InputOf, type JsonObject } from '@touchpoint/plugin-sdk';
import { listAll } from './pages.ts';
import { dayOf, warrantyEnd } from './warranty.ts';

/** Most assets one run registers. */
const MAX_ASSETS = 200;
const DEFAULT_WARRANTY_MONTHS = 12;

const input = {
  installDate: { type: 'date', description: 'When the assets were installed (default: the order date).' },
  warrantyMonths: { type: 'integer', minimum: 0, maximum: 120, description: 'Warranty length from the install date.' },
  serialNumbers: {
    type: 'list',
    items: { type: 'string', minLength: 1, maxLength: 100 },
    maxItems: MAX_ASSETS,
    description: 'Serial numbers given to the new assets in line order; the rest are left empty.',
  },
} as const;

async function run(ctx: ActionContext<InputOf<typeof input>>) {
  const { host } = ctx;
  const order = ctx.record ?? ctx.reject('the order could not be read');
  const installDate = ctx.input.installDate ?? dayOf(order.orderDate) ?? dayOf(host.now().toISOString())!;
  const settingMonths = host.settings.defaultWarrantyMonths;
  const months =
    ctx.input.warrantyMonths ?? (typeof settingMonths === 'number' ? settingMonths : DEFAULT_WARRANTY_MONTHS);
  const serials = [...(ctx.input.serialNumbers ?? [])];
  const lines = await listAll(host, 'orderLine', {
    filter: { orderId: { eq: ctx.id } },
    fields: ['lineNumber', 'productId', 'quantity'],
  });
  lines.sort((a, b) => String(a.lineNumber).localeCompare(String(b.lineNumber)));
  const lineIds = lines.map((l) => l.id);
  const registered = lineIds.length
    ? await listAll(host, 'asset', { filter: { orderLineId: { in: lineIds } }, fields: ['orderLineId'] })
    : [];
  const done = new Set(registered.map((a) => a.orderLineId));
  const productIds = [...new Set(lines.map((l) => l.productId).filter((id): id is string => typeof id === 'string'))];
  const products = productIds.length
    ? await listAll(host, 'product', { filter: { id: { in: productIds } }, fields: ['name', 'type'] })
    : [];
  const productOf = new Map(products.map((p) => [p.id, p]));
  const planned: { line: JsonObject; product: JsonObject; units: number }[] = [];
  const skipped: { line: string; reason: string }[] = [];
  for (const line of lines) {
    const product = productOf.get(String(line.productId));
    const units = Math.floor(Number(line.quantity ?? 0));
    if (done.has(line.id)) skipped.push({ line: String(line.lineNumber), reason: 'its assets are already registered' });
    else if (!product) skipped.push({ line: String(line.lineNumber), reason: 'its product cannot be read' });
    else if (product.type !== 'product') {
      skipped.push({ line: String(line.lineNumber), reason: `a ${String(product.type)} is not an installed asset` });
    } else if (units < 1) skipped.push({ line: String(line.lineNumber), reason: 'its quantity is less than one unit' });
    else planned.push({ line, product, units });
  }
  const total = planned.reduce((sum, p) => sum + p.units, 0);
  if (total > MAX_ASSETS) ctx.reject(`the order has ${total} units to register; at most ${MAX_ASSETS} at a time`);
  const assets: JsonObject[] = [];
  for (const { line, product, units } of planned) {
    for (let unit = 1; unit <= units; unit++) {
      const serialNumber = serials.shift() ?? null;
      const name = units > 1 ? `${String(product.name)} #${unit}` : String(product.name);
      const created = await host.records.create('asset', {
        name,
        serialNumber,
        modelId: product.id ?? null,
        accountId: order.accountId ?? null,
        custodianId: order.contactId ?? null,
        orderLineId: line.id ?? null,
        status: 'installed',
        installDate,
        warrantyStart: installDate,
        warrantyEnd: warrantyEnd(installDate, months),
      });
      assets.push({ id: created.id, name, serialNumber });
    }
  }
  return { created: assets.length, assets, skipped };
}

export const registerAssetsFromOrder = defineAction({
  entity: 'order',
  labels: { en: 'Register assets', 'zh-CN': '登记资产' },
  description: 'Creates an asset for each unit of each product on the order (lines already registered are skipped).',
  input,
  run,
});
