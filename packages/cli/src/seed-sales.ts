// Opportunities with plausible histories: each walks its pipeline's stages with realistic time in stage and
// ends won, lost or still open; won ones become orders. Also the decision chain, competitors, product lines
// and quotes.
import { byBudget } from './seed-campaigns.ts';
import type { ProductGroup } from './seed-catalog.ts';
import type {
  AccountPlan,
  CampaignRef,
  Chunk,
  ContactPlan,
  LinePlan,
  OpportunityPlan,
  PipelineRef,
  SeedContext,
  StageChange,
} from './seed-model.ts';
import { money, round2 } from './seed-model.ts';
import { DAY, HOUR, type Random } from './seed-random.ts';
import type { Row } from './seed-writer.ts';

type PipelineType = 'expansion' | 'repeatOrder' | 'project';
type Buys = AccountPlan['trade']['buys'];

const PIPELINE_MIX: Record<Buys, readonly (readonly [PipelineType, number])[]> = {
  machines: [
    ['expansion', 70],
    ['repeatOrder', 25],
    ['project', 5],
  ],
  automation: [
    ['expansion', 45],
    ['project', 35],
    ['repeatOrder', 20],
  ],
  additives: [
    ['repeatOrder', 85],
    ['expansion', 15],
  ],
  software: [
    ['expansion', 55],
    ['project', 30],
    ['repeatOrder', 15],
  ],
};

/** What an opportunity of each kind sells to each kind of customer: the main line, then the extras. */
const CONTENTS: Record<PipelineType, Record<Buys, { main: ProductGroup; extras: ProductGroup[] }>> = {
  expansion: {
    machines: { main: 'machine', extras: ['labour', 'service'] },
    automation: { main: 'automation', extras: ['labour', 'software'] },
    additives: { main: 'additive', extras: ['additive'] },
    software: { main: 'software', extras: ['service', 'labour'] },
  },
  repeatOrder: {
    machines: { main: 'machinePart', extras: ['service', 'labour'] },
    automation: { main: 'robotPart', extras: ['service'] },
    additives: { main: 'additive', extras: ['additive', 'additive'] },
    software: { main: 'software', extras: ['service'] },
  },
  project: {
    machines: { main: 'machine', extras: ['automation', 'labour', 'software'] },
    automation: { main: 'line', extras: ['software', 'labour', 'automation'] },
    additives: { main: 'additive', extras: ['additive'] },
    software: { main: 'software', extras: ['software', 'labour'] },
  },
};

const WIN_RATE: Record<PipelineType, number> = { expansion: 0.38, repeatOrder: 0.72, project: 0.3 };
const TIER_QUANTITY = { A: 3, B: 1.8, C: 1, D: 0.6 } as const;
const OPPORTUNITIES = { A: [4, 7], B: [2, 4], C: [1, 3], D: [1, 2] } as const;

const LOSS_REASONS = [
  ['price', 25],
  ['competitor', 25],
  ['timing', 12],
  ['noBudget', 12],
  ['noDecision', 10],
  ['product', 8],
  ['relationship', 5],
  ['other', 3],
] as const;

/** Product lines for one deal; quantities grow with the customer's value. */
export function makeLines(ctx: SeedContext, random: Random, groups: ProductGroup[], factor: number): LinePlan[] {
  const lines: LinePlan[] = [];
  const used = new Set<string>();
  for (const group of groups) {
    const candidates = (ctx.ref.productsByGroup.get(group) ?? []).filter((p) => !used.has(p.spec.sku));
    if (candidates.length === 0) continue;
    const product = random.pick(candidates);
    used.add(product.spec.sku);
    const [min, max] = product.spec.quantity;
    const quantity = Math.max(min, Math.min(max * 3, Math.round(random.int(min, max) * factor * random.spread(0.3))));
    const discount = random.chance(0.6) ? random.pick([2, 3, 5, 5, 8, 10, 12, 15]) : 0;
    const unitPrice = product.spec.price;
    const total = round2((quantity * unitPrice * (100 - discount)) / 100);
    const cost = round2(quantity * unitPrice * product.spec.costRatio * random.between(0.95, 1.08));
    lines.push({ product, quantity, unitPrice, discount, total, cost });
  }
  return lines;
}

function shortName(a: AccountPlan): string {
  if (!a.chinese) return a.name.split(' ')[0]!;
  const city = a.cn?.zh ?? '';
  return a.name.slice(city.length, city.length + 4);
}

function nameOf(a: AccountPlan, type: PipelineType, lines: LinePlan[], at: number): string {
  const main = lines[0]?.product.spec;
  const short = shortName(a);
  const month = new Date(at).toISOString().slice(0, 7);
  if (!a.chinese) {
    if (type === 'project') return `${short} – production line project`;
    if (type === 'repeatOrder') return `${short} – reorder ${month}`;
    return `${short} – ${main?.model ?? 'equipment'} purchase`;
  }
  if (type === 'project') return `${short} ${main?.family === 'software' ? '信息化' : '智能产线'}项目`;
  if (type === 'repeatOrder') return `${short} ${month} ${main?.type === 'part' ? '备件' : ''}补货`;
  return `${short} ${main?.model ?? '设备'} 采购`;
}

/** Walks the stages from `openedAt`; stops early where `limit` (now) is reached, leaving the deal open. */
function walk(
  pipeline: PipelineRef,
  openedAt: number,
  outcome: 'won' | 'lost' | 'open',
  random: Random,
  ctx: SeedContext,
): { changes: StageChange[]; stage: string; closedAt?: number } {
  const { clock } = ctx;
  const stages = pipeline.spec.stages;
  const limit = clock.now - HOUR;
  const changes: StageChange[] = [{ to: stages[0]!.stage, at: openedAt }];
  const stopAt =
    outcome === 'lost' ? random.int(0, stages.length - 1) : outcome === 'open' ? random.int(0, stages.length - 1) : -1;
  let t = openedAt;
  for (let i = 0; i < stages.length; i++) {
    const stage = stages[i]!;
    if (outcome === 'open' && i === stopAt) return { changes, stage: stage.stage };
    const next = clock.workTime(t + Math.max(1, stage.expectedDays * random.spread(0.55)) * DAY, random);
    if (next >= limit) return { changes, stage: stage.stage };
    t = next;
    const to =
      outcome === 'lost' && i === stopAt ? 'closedLost' : i === stages.length - 1 ? 'closedWon' : stages[i + 1]!.stage;
    changes.push({ from: stage.stage, to, at: t });
    if (to === 'closedLost' || to === 'closedWon') return { changes, stage: to, closedAt: t };
  }
  return { changes, stage: stages[stages.length - 1]!.stage };
}

function retentionCampaign(ctx: SeedContext, random: Random, from: number, to: number): CampaignRef | undefined {
  const fitting = ctx.ref.campaigns.filter(
    (c) => c.id && ['retention', 'crossSell', 'winBack'].includes(c.goal) && c.start >= from && c.start < to - 30 * DAY,
  );
  return byBudget(random, fitting);
}

function planOne(
  ctx: SeedContext,
  random: Random,
  a: AccountPlan,
  openedAt: number,
  forced?: { outcome: 'won'; type?: PipelineType; campaign?: CampaignRef },
): OpportunityPlan {
  const { clock } = ctx;
  const type: PipelineType = forced?.type ?? random.weighted(PIPELINE_MIX[a.trade.buys]);
  const pipeline = ctx.ref.pipelines.get(type)!;
  const cycle = pipeline.spec.stages.reduce((sum, s) => sum + s.expectedDays, 0) * DAY;
  let outcome: 'won' | 'lost' | 'open';
  if (forced) outcome = 'won';
  else if (a.kind !== 'customer') outcome = openedAt < clock.now - cycle * 1.3 || random.chance(0.3) ? 'lost' : 'open';
  else if (openedAt < clock.now - cycle * 1.4 || random.chance(0.35))
    outcome = random.chance(WIN_RATE[type]) ? 'won' : 'lost';
  else outcome = 'open';
  const { changes, stage, closedAt } = walk(pipeline, openedAt, outcome, random, ctx);
  const content = CONTENTS[type][a.trade.buys];
  const extras = random.sample(content.extras, random.int(0, content.extras.length));
  const lines = makeLines(ctx, random, [content.main, ...extras], a.tier ? TIER_QUANTITY[a.tier] : 1);
  const amount = round2(lines.reduce((sum, l) => sum + l.total, 0));
  const stageSpec = pipeline.spec.stages.find((s) => s.stage === stage);
  const probability = stage === 'closedWon' ? 100 : stage === 'closedLost' ? 0 : (stageSpec?.probability ?? 10);
  const remaining = pipeline.spec.stages
    .slice(pipeline.spec.stages.findIndex((s) => s.stage === stage))
    .reduce((sum, s) => sum + s.expectedDays, 0);
  const expectedClose =
    closedAt ??
    (random.chance(0.12)
      ? clock.now - random.int(5, 40) * DAY
      : clock.now + Math.max(5, remaining * random.spread(0.5)) * DAY);
  const team = ctx.ref.salesByTeam.get(a.owner.team) ?? [a.owner];
  const lossReason = stage === 'closedLost' ? random.weighted(LOSS_REASONS) : undefined;
  const quoted = changes.find((c) => c.to === 'proposal' || c.to === 'bidding');
  return {
    name: nameOf(a, type, lines, openedAt),
    pipeline,
    stage,
    probability,
    openedAt,
    closedAt,
    expectedClose,
    changes,
    lines,
    amount,
    owner: random.chance(0.85) ? a.owner : random.pick(team),
    campaign: forced?.campaign,
    lossReason,
    lostTo: lossReason === 'competitor' ? random.pick(ctx.ref.competitors) : undefined,
    quotedAt: quoted?.at,
  };
}

/** Plans the opportunities of an account; the first deal of a recent customer is the one that won them. */
export function planOpportunities(ctx: SeedContext, random: Random, a: AccountPlan): void {
  const { clock } = ctx;
  if (a.kind === 'competitor') return;
  const count = a.tier
    ? random.int(OPPORTUNITIES[a.tier][0], OPPORTUNITIES[a.tier][1])
    : random.weighted([
        [0, 30],
        [1, 50],
        [2, 20],
      ] as const);
  const from = Math.max(clock.start, a.since - 120 * DAY);
  const to = Math.min(a.lastActive, clock.now - 3 * DAY);
  for (let i = 0; i < count; i++) {
    let opportunity: OpportunityPlan;
    if (i === 0 && a.origin) {
      // The converted lead's opportunity: opened at conversion, from the lead's campaign.
      const forced = a.kind === 'customer' ? ({ outcome: 'won', campaign: a.origin.campaign } as const) : undefined;
      opportunity = planOne(ctx, random, a, a.origin.convertedAt, forced);
      opportunity.campaign = a.origin.campaign;
    } else if (i === 0 && a.kind === 'customer' && a.since > clock.start + 200 * DAY) {
      // Worked backwards from the day they became a customer.
      opportunity = planOne(ctx, random, a, a.since - random.int(30, 150) * DAY, { outcome: 'won' });
    } else {
      const openedAt = clock.workTime(clock.between(from, to, random, 1.3), random);
      opportunity = planOne(ctx, random, a, Math.min(openedAt, to));
      if (a.kind === 'customer' && random.chance(0.06))
        opportunity.campaign = retentionCampaign(ctx, random, from, openedAt);
    }
    a.opportunities.push(opportunity);
  }
}

function rolesFor(random: Random, contacts: ContactPlan[]): ContactPlan[] {
  const chosen = random.sample(contacts, random.int(1, Math.min(4, contacts.length)));
  chosen.sort((x, y) => Number(y.job.buyingRole === 'decisionMaker') - Number(x.job.buyingRole === 'decisionMaker'));
  return chosen;
}

/** Writes the chunk's opportunities and everything that hangs off them. */
export async function writeOpportunities(chunk: Chunk): Promise<void> {
  const { ctx, random } = chunk;
  const { clock } = ctx;
  const { writer } = chunk;
  const rows: Row[] = [];
  const plans: { a: AccountPlan; o: OpportunityPlan; roles: ContactPlan[] }[] = [];
  for (const a of chunk.accounts) {
    for (const o of a.opportunities) {
      const roles = rolesFor(random, a.contacts);
      o.contact = roles[0];
      plans.push({ a, o, roles });
      const open = o.closedAt === undefined;
      rows.push({
        name: o.name,
        account: a.id,
        contact: o.contact?.id,
        pipeline: o.pipeline.id,
        stage: o.stage,
        amount: money(o.amount),
        probability: String(o.probability),
        expectedCloseDate: clock.date(o.expectedClose),
        openedAt: clock.iso(o.openedAt),
        closedAt: o.closedAt === undefined ? undefined : clock.iso(o.closedAt),
        type:
          a.kind !== 'customer' || o === a.opportunities[0]
            ? 'newBusiness'
            : random.pick(['upsell', 'crossSell', 'renewal']),
        forecastCategory: !open
          ? o.stage === 'closedWon'
            ? 'closed'
            : 'omitted'
          : o.probability >= 75
            ? 'commit'
            : o.probability >= 40
              ? 'bestCase'
              : 'pipeline',
        source:
          o.campaign?.source ?? a.origin?.campaign.source ?? random.pick(['referral', 'web', 'coldCall', 'partner']),
        campaign: o.campaign?.id,
        owner: o.owner.id,
        partner: a.partnerId,
        budget: random.chance(0.5) ? money(Math.round((o.amount * random.between(0.8, 1.3)) / 1000) * 1000) : undefined,
        budgetConfirmed: random.chance(0.4),
        nextStep: open
          ? random.pick([
              '安排技术交流',
              '提交方案与报价',
              '邀请客户参观工厂',
              '商务谈判',
              '等待客户内部审批',
              '试切样件',
            ])
          : undefined,
        lossReason: o.lossReason,
        lostTo: o.lostTo,
      });
    }
  }
  const ids = await writer.create('opportunity', rows);
  plans.forEach((p, i) => {
    p.o.id = ids[i];
  });
  const changes: Row[] = [];
  const roles: Row[] = [];
  const rivals: Row[] = [];
  const lines: Row[] = [];
  for (const { a, o, roles: people } of plans) {
    let amount = o.amount;
    for (const c of o.changes) {
      const stage = o.pipeline.spec.stages.find((s) => s.stage === c.to);
      // Amounts move a little as the deal is worked on.
      amount = round2(amount * (c.from ? 1 : random.between(0.85, 1.15)));
      changes.push({
        opportunity: o.id,
        // The deal's account and contact, so the timeline reads changes by (account, changedAt).
        account: a.id,
        contact: o.contact?.id,
        fromStage: c.from,
        toStage: c.to,
        changedAt: clock.iso(c.at),
        changedBy: o.owner.id,
        amount: money(c.to === o.stage ? o.amount : amount),
        probability: String(c.to === 'closedWon' ? 100 : c.to === 'closedLost' ? 0 : (stage?.probability ?? 10)),
      });
    }
    for (const [i, c] of people.entries()) {
      roles.push({
        opportunity: o.id,
        contact: c.id,
        role: c.job.buyingRole,
        influence: c.job.buyingRole === 'decisionMaker' ? 'high' : random.pick(['high', 'medium', 'medium', 'low']),
        attitude: random.weighted([
          ['champion', 15],
          ['supporter', 30],
          ['neutral', 35],
          ['skeptic', 12],
          ['opponent', 8],
        ] as const),
        isPrimary: i === 0,
      });
    }
    const competitorCount = o.lostTo
      ? 1
      : random.weighted([
          [0, 55],
          [1, 35],
          [2, 10],
        ] as const);
    const competitors = o.lostTo ? [o.lostTo] : random.sample(ctx.ref.competitors, competitorCount);
    for (const competitor of competitors) {
      rivals.push({
        opportunity: o.id,
        competitor,
        position: competitor === o.lostTo ? 'leading' : random.pick(['leading', 'even', 'behind']),
        quotedPrice: random.chance(0.5) ? money(Math.round(o.amount * random.between(0.8, 1.1))) : undefined,
      });
    }
    for (const l of o.lines) lines.push(lineRow(l, { opportunity: o.id }));
  }
  await writer.all([
    () => writer.create('opportunityStageChange', changes),
    () => writer.create('opportunityContact', roles),
    () => writer.create('opportunityCompetitor', rivals),
    () => writer.create('opportunityLine', lines),
  ]);
  await writeQuotes(chunk, plans);
}

export function lineRow(l: LinePlan, parent: Row, withCost = false): Row {
  return {
    ...parent,
    product: l.product.id,
    quantity: String(l.quantity),
    unitPrice: money(l.unitPrice),
    discount: l.discount > 0 ? String(l.discount) : undefined,
    cost: withCost ? money(l.cost) : undefined,
  };
}

async function writeQuotes(chunk: Chunk, plans: { a: AccountPlan; o: OpportunityPlan }[]): Promise<void> {
  const { ctx, random } = chunk;
  const { clock } = ctx;
  const { writer } = chunk;
  const quoted = plans.filter((p) => p.o.quotedAt !== undefined);
  const rows = quoted.map(({ a, o }) => {
    const at = o.quotedAt!;
    const status =
      o.stage === 'closedWon'
        ? 'accepted'
        : o.stage === 'closedLost'
          ? random.pick(['rejected', 'expired'])
          : at > clock.now - 5 * DAY
            ? 'inReview'
            : 'sent';
    return {
      name: `${o.name} 报价`,
      opportunity: o.id,
      account: a.id,
      contact: o.contact?.id,
      owner: o.owner.id,
      status,
      quoteDate: clock.date(at),
      validUntil: clock.date(at + 30 * DAY),
      sentAt: status === 'inReview' ? undefined : clock.iso(at + 2 * HOUR),
      totalAmount: money(o.amount),
      taxRate: '13',
      terms: '含税价（增值税 13%）；合同签订后预付 30%，到货验收后付 60%，质保金 10%。',
    };
  });
  const ids = await writer.create('quote', rows);
  quoted.forEach((p, i) => {
    p.o.quoteId = ids[i];
  });
  await writer.create(
    'quoteLine',
    quoted.flatMap(({ o }) => o.lines.map((l) => lineRow(l, { quote: o.quoteId }))),
  );
}
