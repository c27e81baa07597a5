// Orders over the last three years: one for every won deal, plus the repeat orders of retention selling
// (SAL-2) — how often depends on the customer's value, and churned customers stop ordering. Each order has
// lines with cost, delivery and payment schedules.
import type { ProductGroup } from './seed-catalog.ts';
import type { AccountPlan, Chunk, OrderPlan, SeedContext, Tier } from './seed-model.ts';
import { money, round2 } from './seed-model.ts';
import { DAY, type Random } from './seed-random.ts';
import { lineRow, makeLines } from './seed-sales.ts';
import type { Row } from './seed-writer.ts';

/** Repeat orders over three years by value tier. */
const REPEAT_ORDERS: Record<Tier, [number, number]> = { A: [10, 20], B: [5, 10], C: [2, 5], D: [0, 2] };
const TIER_QUANTITY: Record<Tier, number> = { A: 3.5, B: 1.8, C: 1, D: 0.6 };

const REPEAT_CONTENTS: Record<AccountPlan['trade']['buys'], ProductGroup[][]> = {
  machines: [['machinePart'], ['machinePart', 'labour'], ['service'], ['machinePart', 'machinePart'], ['machine']],
  automation: [['robotPart'], ['robotPart', 'labour'], ['service'], ['automation']],
  additives: [['additive'], ['additive', 'additive'], ['additive', 'additive', 'additive']],
  software: [['software'], ['service'], ['labour']],
};

export function planOrders(ctx: SeedContext, random: Random, a: AccountPlan): void {
  const { clock } = ctx;
  for (const o of a.opportunities) {
    if (o.stage !== 'closedWon' || o.closedAt === undefined) continue;
    const date = Math.min(o.closedAt + random.int(0, 3) * DAY, clock.now);
    a.orders.push({
      date,
      lines: o.lines,
      total: o.amount,
      cost: round2(o.lines.reduce((sum, l) => sum + l.cost, 0) * random.between(1.01, 1.04)),
      opportunity: o,
      contact: o.contact,
      owner: o.owner,
    });
  }
  if (!a.tier) return;
  const from = Math.max(clock.start, a.since);
  const to = Math.min(a.lastActive, clock.now);
  if (to <= from) return;
  const share = (to - from) / (clock.now - clock.start);
  const [min, max] = REPEAT_ORDERS[a.tier];
  let count = Math.round(random.int(min, max) * share);
  // An active customer has ordered recently; that is what "not churned" means to the churn report.
  if (!a.churned && a.since < clock.now - 120 * DAY) count = Math.max(count, 1);
  const dates = Array.from({ length: count }, () => clock.between(from, to, random)).sort((x, y) => x - y);
  if (!a.churned && dates.length > 0) dates[dates.length - 1] = to - random.int(0, 60) * DAY;
  for (const at of dates) {
    const lines = makeLines(ctx, random, random.pick(REPEAT_CONTENTS[a.trade.buys]), TIER_QUANTITY[a.tier]);
    if (lines.length === 0) continue;
    a.orders.push({
      date: clock.workTime(at, random),
      lines,
      total: round2(lines.reduce((sum, l) => sum + l.total, 0)),
      cost: round2(lines.reduce((sum, l) => sum + l.cost, 0) * random.between(1.0, 1.03)),
      contact: random.pick(a.contacts),
      owner: a.owner,
    });
  }
  a.orders.sort((x, y) => x.date - y.date);
}

function statusOf(age: number, random: Random): { status: string; payment: string } {
  if (age > 90)
    return random.chance(0.03)
      ? { status: 'cancelled', payment: 'unpaid' }
      : { status: 'completed', payment: random.chance(0.95) ? 'paid' : 'partial' };
  if (age > 30) return { status: random.pick(['delivered', 'completed']), payment: random.pick(['partial', 'paid']) };
  if (age > 10) return { status: random.pick(['inProduction', 'shipped', 'delivered']), payment: 'partial' };
  return { status: random.pick(['draft', 'confirmed', 'confirmed']), payment: 'unpaid' };
}

export async function writeOrders(chunk: Chunk): Promise<void> {
  const { ctx, random } = chunk;
  const { clock } = ctx;
  const { writer } = chunk;
  const plans: { a: AccountPlan; o: OrderPlan; status: string; payment: string }[] = [];
  for (const a of chunk.accounts) {
    for (const o of a.orders) plans.push({ a, o, ...statusOf((clock.now - o.date) / DAY, random) });
  }
  const ids = await writer.create(
    'order',
    plans.map(({ a, o, status, payment }) => {
      const main = o.lines[0]!.product.spec;
      return {
        subject: o.opportunity?.name ?? `${main.name}${o.lines.length > 1 ? ' 等' : ''}`,
        account: a.id,
        contact: o.contact?.id,
        owner: o.owner.id,
        opportunity: o.opportunity?.id,
        quote: o.opportunity?.quoteId,
        campaign: o.opportunity?.campaign?.id,
        partner: a.partnerId,
        status,
        paymentStatus: payment,
        salesChannel: a.partnerId
          ? 'partner'
          : main.type === 'part' || main.type === 'labour'
            ? random.pick(['service', 'direct'])
            : 'direct',
        orderDate: clock.date(o.date),
        requestedDeliveryDate: clock.date(o.date + (main.group === 'additive' ? 7 : 45) * DAY),
        totalAmount: money(o.total),
        cost: money(o.cost),
        paymentTerms: o.total > 200_000 ? 'installments' : random.pick(['prepaid', 'onDelivery', 'net30', 'net60']),
        shippingAddress: `${a.address.province}${a.address.city}${a.address.district ?? ''}${a.address.street}`,
      };
    }),
  );
  plans.forEach((p, i) => {
    p.o.id = ids[i];
  });
  const lines: Row[] = [];
  const deliveries: Row[] = [];
  const payments: Row[] = [];
  for (const { o, status } of plans) {
    for (const l of o.lines) lines.push(lineRow(l, { order: o.id, description: l.product.spec.model }, true));
    const leadDays = o.lines[0]!.product.spec.group === 'additive' ? random.int(3, 10) : random.int(20, 60);
    const parts = o.lines.length > 1 && random.chance(0.3) ? 2 : 1;
    for (let k = 0; k < parts; k++) {
      const planned = o.date + (leadDays + k * 20) * DAY;
      const late = random.chance(0.15) ? random.int(3, 25) * DAY : 0;
      const delivered = status !== 'cancelled' && planned + late < clock.now ? planned + late : undefined;
      deliveries.push({
        order: o.id,
        plannedDate: clock.date(planned),
        deliveredDate: delivered === undefined ? undefined : clock.date(delivered),
        status:
          status === 'cancelled'
            ? 'cancelled'
            : delivered !== undefined
              ? 'delivered'
              : planned < clock.now
                ? 'delayed'
                : random.pick(['planned', 'shipped']),
        description: parts === 1 ? '全部货物' : `第 ${k + 1} 批`,
        carrier: random.pick(['顺丰速运', '德邦物流', '中通快运', '自有车辆', 'DHL']),
        trackingNumber: delivered !== undefined ? `SF${random.digits(12)}` : undefined,
      });
    }
    const split: [string, number, number][] =
      o.total > 200_000
        ? [
            ['预付款 30%', 0.3, 0],
            ['到货款 60%', 0.6, leadDays + 10],
            ['质保金 10%', 0.1, 365],
          ]
        : [['货款', 1, 30]];
    for (const [description, share, days] of split) {
      const due = o.date + days * DAY;
      const amount = round2(o.total * share);
      const paid = status !== 'cancelled' && due < clock.now - 5 * DAY && random.chance(0.93);
      payments.push({
        order: o.id,
        description,
        dueDate: clock.date(due),
        amount: money(amount),
        paidDate: paid ? clock.date(Math.min(due + random.int(-5, 25) * DAY, clock.now)) : undefined,
        paidAmount: paid ? money(amount) : undefined,
        status: paid
          ? 'paid'
          : status === 'cancelled'
            ? 'planned'
            : due < clock.now
              ? 'overdue'
              : random.pick(['planned', 'invoiced']),
        method: random.weighted([
          ['bankTransfer', 60],
          ['acceptanceBill', 25],
          ['online', 8],
          ['cheque', 5],
          ['cash', 2],
        ] as const),
      });
    }
  }
  await writer.all([
    () => writer.create('orderLine', lines),
    () => writer.create('deliverySchedule', deliveries),
    () => writer.create('paymentSchedule', payments),
  ]);
}
