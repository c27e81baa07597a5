// Service requests about what customers bought: some models fail more than others, SLA deadlines by
// priority with about one in six breached, the status history, and satisfaction surveys scored per
// dimension (SVC-1, SVC-5) — plus the yearly relationship survey of the better customers.
import type { AccountPlan, CasePlan, Chunk, ProductRef, SeedContext, SurveyRef, UserRef } from './seed-model.ts';
import { round2 } from './seed-model.ts';
import { DAY, HOUR, type Random } from './seed-random.ts';
import type { Row } from './seed-writer.ts';

const CASES = { A: [3, 6], B: [1, 4], C: [0, 2], D: [0, 1] } as const;
const SLA_HOURS: Record<string, number> = { urgent: 24, high: 48, normal: 120, low: 240 };
const PRIORITY_OF: Record<string, string> = { critical: 'urgent', major: 'high', minor: 'normal', trivial: 'low' };
const BUMP: Record<string, string> = { low: 'normal', normal: 'high', high: 'urgent', urgent: 'urgent' };

type CaseType =
  | 'problem'
  | 'repair'
  | 'maintenance'
  | 'installation'
  | 'question'
  | 'complaint'
  | 'return'
  | 'suggestion';

const SUBJECTS: Record<CaseType, [string, string][]> = {
  problem: [
    ['{m} 主轴异响', '{m} spindle noise'],
    ['{m} 报警 ALM-{n}', '{m} alarm ALM-{n}'],
    ['{m} 加工尺寸超差', '{m} parts out of tolerance'],
    ['{m} 无法开机', '{m} does not start'],
    ['{m} 换刀卡刀', '{m} tool change jams'],
  ],
  repair: [
    ['{m} 伺服驱动器故障维修', '{m} servo drive repair'],
    ['{m} 丝杠磨损更换', '{m} ball screw replacement'],
    ['{m} 冷却液泄漏维修', '{m} coolant leak repair'],
  ],
  maintenance: [
    ['{m} 年度保养', '{m} annual maintenance'],
    ['{m} 精度校准', '{m} accuracy calibration'],
  ],
  installation: [['{m} 安装调试', '{m} installation and commissioning']],
  question: [
    ['{p} 操作咨询', 'How to operate {p}'],
    ['{p} 参数设置咨询', '{p} parameter settings'],
    ['询问 {p} 备件价格与库存', 'Spare part prices for {p}'],
  ],
  complaint: [
    ['{p} 交货延迟投诉', 'Late delivery of {p}'],
    ['{p} 批次质量投诉', 'Quality complaint about {p}'],
    ['服务工程师未按约上门', 'Service engineer missed the appointment'],
  ],
  return: [['{p} 退换货申请', 'Return request for {p}']],
  suggestion: [['{p} 功能改进建议', 'Feature suggestion for {p}']],
};

/** Subjects that depend on what was bought, where the machine wording above would not fit. */
const SUBJECTS_BY_GROUP: Partial<Record<string, Partial<Record<CaseType, [string, string][]>>>> = {
  additive: {
    question: [
      ['{p} 添加量咨询', 'Recommended dosage of {p}'],
      ['索取 {p} 检测报告', 'Certificate of analysis for {p}'],
    ],
  },
  software: {
    problem: [
      ['{p} 登录报错', '{p} login error'],
      ['{p} 数据同步失败', '{p} data sync fails'],
    ],
  },
  none: {
    question: [
      ['产品与报价咨询', 'Product and price enquiry'],
      ['设备选型咨询', 'Help choosing equipment'],
    ],
    complaint: [
      ['服务工程师未按约上门', 'Service engineer missed the appointment'],
      ['发票开具延迟投诉', 'Invoice issued late'],
    ],
  },
};

function caseType(random: Random, product: ProductRef | undefined, daysSinceOrder: number): CaseType {
  const group = product?.spec.group;
  if (!group)
    return random.weighted([
      ['question', 80],
      ['complaint', 20],
    ] as const);
  if (group === 'additive')
    return random.weighted([
      ['question', 40],
      ['complaint', 35],
      ['return', 25],
    ] as const);
  if (group === 'software')
    return random.weighted([
      ['question', 50],
      ['problem', 40],
      ['suggestion', 10],
    ] as const);
  if (daysSinceOrder < 60 && random.chance(0.3)) return 'installation';
  return random.weighted([
    ['problem', 30],
    ['repair', 25],
    ['maintenance', 15],
    ['question', 15],
    ['complaint', 10],
    ['return', 5],
  ] as const);
}

function pickPurchase(random: Random, a: AccountPlan): { product?: ProductRef; order?: AccountPlan['orders'][number] } {
  const candidates = a.orders.flatMap((order) =>
    order.lines
      .filter((l) => l.product.spec.failure > 0)
      // Machines fail per unit; a ton of additive is one delivery, not a thousand things that can break.
      .map((l) => {
        const units = l.product.spec.unit === 'set' || l.product.spec.unit === 'license' ? Math.sqrt(l.quantity) : 1;
        return [{ product: l.product, order }, l.product.spec.failure * units] as const;
      }),
  );
  return candidates.length > 0 ? random.weighted(candidates) : {};
}

/** Plans the status history of one case; everything after `now` has not happened yet. */
function history(ctx: SeedContext, random: Random, c: CasePlan, engineer: UserRef | undefined): void {
  const { now } = ctx.clock;
  const push = (to: string, at: number, by: UserRef) => {
    if (at > now) return false;
    c.changes.push({ from: c.changes[c.changes.length - 1]?.to, to, at, by });
    return true;
  };
  push('new', c.openedAt, c.owner);
  const response = c.firstResponseAt ?? now + 1;
  if (!push('assigned', c.openedAt + (response - c.openedAt) * 0.4, c.owner)) return;
  if (!push('inProgress', response, engineer ?? c.owner)) return;
  const end = c.resolvedAt ?? now;
  if (random.chance(0.2)) {
    const wait = response + (end - response) * 0.3;
    if (push('waitingOnCustomer', wait, c.owner)) push('inProgress', response + (end - response) * 0.6, c.owner);
  }
  if (c.breached && c.slaDueAt < end && random.chance(0.6)) push('escalated', c.slaDueAt, c.owner);
  if (c.resolvedAt !== undefined && push('resolved', c.resolvedAt, engineer ?? c.owner) && c.closedAt !== undefined) {
    push('closed', c.closedAt, c.owner);
  }
}

export function planCases(ctx: SeedContext, random: Random, a: AccountPlan): void {
  const { clock, ref } = ctx;
  const agents = ref.byRole.get('serviceAgent') ?? ref.users;
  const engineers = ref.byRole.get('fieldEngineer') ?? [];
  const count = a.tier ? random.int(CASES[a.tier][0], CASES[a.tier][1]) : random.chance(0.08) ? 1 : 0;
  for (let i = 0; i < count; i++) {
    const { product, order } = pickPurchase(random, a);
    const from = order ? order.date + 5 * DAY : Math.max(clock.start, a.since);
    const to = Math.min(clock.now - HOUR, a.lastActive + 60 * DAY);
    if (to <= from) continue;
    const openedAt = clock.workTime(clock.between(from, to, random, 1.2), random);
    const severity = random.weighted([
      ['critical', 8],
      ['major', 25],
      ['minor', 50],
      ['trivial', 17],
    ] as const);
    let priority = PRIORITY_OF[severity]!;
    if (a.tier === 'A' && random.chance(0.5)) priority = BUMP[priority]!;
    const sla = SLA_HOURS[priority]! * HOUR;
    const slow = (product?.spec.failure ?? 0) >= 4 ? 1.3 : 1;
    const firstResponseAt =
      openedAt + (priority === 'urgent' ? random.between(0.1, 1) : random.between(0.2, 6) * random.spread(0.4)) * HOUR;
    const resolvedAt = openedAt + sla * Math.exp(-0.55 + random.normal() * 0.6) * slow;
    const closedAt = resolvedAt + random.int(1, 3) * DAY;
    const type = caseType(random, product, order ? (openedAt - order.date) / DAY : 999);
    const needsEngineer = ['repair', 'maintenance', 'installation', 'problem'].includes(type) && engineers.length > 0;
    const plan: CasePlan = {
      type,
      severity,
      priority,
      engineer: needsEngineer && random.chance(0.5) ? random.pick(engineers) : undefined,
      openedAt,
      firstResponseAt: firstResponseAt <= clock.now ? firstResponseAt : undefined,
      resolvedAt: resolvedAt <= clock.now ? resolvedAt : undefined,
      closedAt: closedAt <= clock.now ? closedAt : undefined,
      slaDueAt: openedAt + sla,
      status: 'new',
      owner: random.pick(agents),
      contact: random.pick(a.contacts),
      product,
      order,
      breached: Math.min(resolvedAt, clock.now) > openedAt + sla,
      changes: [],
    };
    history(ctx, random, plan, plan.engineer);
    plan.status = plan.changes[plan.changes.length - 1]!.to;
    a.cases.push(plan);
  }
}

function subject(random: Random, a: AccountPlan, c: CasePlan): string {
  const spec = c.product?.spec;
  const type = c.type as CaseType;
  const [zh, en] = random.pick(SUBJECTS_BY_GROUP[spec?.group ?? 'none']?.[type] ?? SUBJECTS[type]);
  return (a.chinese ? zh : en)
    .replace('{m}', spec?.model ?? '设备')
    .replace('{p}', spec?.name ?? (a.chinese ? '产品' : 'product'))
    .replace('{n}', String(random.int(100, 999)));
}

function answer(dimension: SurveyRef['spec']['dimensions'][number], score: number): string {
  return dimension.scale.find((s) => s.value === score)?.label ?? String(score);
}

export async function writeCases(chunk: Chunk): Promise<void> {
  const { ctx, random } = chunk;
  const { clock, ref } = ctx;
  const { writer } = chunk;
  const plans: { a: AccountPlan; c: CasePlan }[] = [];
  for (const a of chunk.accounts) for (const c of a.cases) plans.push({ a, c });
  const articlesByProduct = new Map<ProductRef | undefined, (string | undefined)[]>();
  for (const article of ref.articles) {
    articlesByProduct.set(article.product, [...(articlesByProduct.get(article.product) ?? []), article.id]);
  }
  const ids = await writer.create(
    'case',
    plans.map(({ a, c }) => ({
      subject: subject(random, a, c),
      description: `${c.contact?.person.lastName ?? ''}${a.chinese ? '来电反映：' : ' reports: '}${c.product?.spec.name ?? ''}${a.chinese ? '，请尽快处理。' : '; please handle soon.'}`,
      type: c.type,
      severity: c.severity,
      priority: c.priority,
      status: c.status,
      channel: random.weighted([
        ['phone', 45],
        ['email', 15],
        ['im', 15],
        ['web', 10],
        ['visit', 5],
        ['social', 4],
        ['sms', 3],
        ['fax', 2],
        ['letter', 1],
      ] as const),
      account: a.id,
      contact: c.contact?.id,
      owner: c.owner.id,
      collaborators: c.engineer?.id ? [c.engineer.id] : undefined,
      product: c.product?.id,
      order: c.order?.id,
      serialNumber:
        c.product && c.product.spec.type === 'product' && c.order
          ? `${c.product.spec.model}-${clock.date(c.order.date).slice(0, 4)}${random.digits(5)}`
          : undefined,
      openedAt: clock.iso(c.openedAt),
      firstResponseAt: c.firstResponseAt === undefined ? undefined : clock.iso(c.firstResponseAt),
      slaDueAt: clock.iso(c.slaDueAt),
      resolvedAt: c.resolvedAt === undefined ? undefined : clock.iso(c.resolvedAt),
      closedAt: c.closedAt === undefined ? undefined : clock.iso(c.closedAt),
      resolution:
        c.resolvedAt === undefined
          ? undefined
          : random.pick([
              '更换故障部件后恢复正常。',
              '远程指导调整参数后解决。',
              '现场校准后精度恢复。',
              '补发货物并致歉。',
              '升级软件版本后解决。',
            ]),
      rootCause:
        c.resolvedAt === undefined
          ? undefined
          : random.pick(['design', 'manufacturing', 'operation', 'wear', 'wear', 'software', 'logistics', 'other']),
      knowledgeArticle:
        c.resolvedAt !== undefined && random.chance(0.3)
          ? random.pick(articlesByProduct.get(c.product) ?? [undefined])
          : undefined,
    })),
  );
  plans.forEach((p, i) => {
    p.c.id = ids[i];
  });
  // The account and contact of the case, on each change too: the timeline reads them by (account, changedAt).
  const changes = plans.flatMap(({ a, c }) =>
    c.changes.map((h) => ({
      case: c.id,
      account: a.id,
      contact: c.contact?.id,
      fromStatus: h.from,
      toStatus: h.to,
      changedAt: clock.iso(h.at),
      changedBy: h.by.id,
    })),
  );
  const followUp = ref.surveys.find((s) => s.spec.type === 'caseFollowUp');
  const answered = followUp ? plans.filter(({ c }) => c.closedAt !== undefined && random.chance(0.45)) : [];
  const responses: { row: Row; scores: number[] }[] = answered.map(({ a, c }) => {
    const responseHours = ((c.firstResponseAt ?? c.openedAt) - c.openedAt) / HOUR;
    const scores = [
      responseHours < 1 ? 5 : responseHours < 4 ? random.pick([5, 3]) : random.pick([3, 1]),
      c.breached ? random.pick([3, 3, 1]) : random.pick([5, 5, 5, 3]),
      c.breached ? random.pick([3, 1]) : random.pick([5, 5, 3]),
      random.weighted([
        [5, 75],
        [3, 20],
        [1, 5],
      ] as const),
      random.weighted([
        [5, 50],
        [3, 40],
        [1, 10],
      ] as const),
    ];
    const respondedAt = Math.min(c.closedAt! + random.between(1, 5) * DAY, clock.now - HOUR);
    return {
      row: responseRow(followUp!, scores, respondedAt, clock, random, {
        case: c.id,
        account: a.id,
        contact: c.contact?.id,
      }),
      scores,
    };
  });
  const relationship = ref.surveys.find((s) => s.spec.type === 'relationship');
  if (relationship) {
    for (const a of chunk.accounts) {
      if (a.tier !== 'A' && a.tier !== 'B') continue;
      for (let year = new Date(clock.start).getUTCFullYear(); year <= new Date(clock.now).getUTCFullYear(); year++) {
        const at = clock.workTime(Date.UTC(year, 11, random.int(5, 28)), random);
        if (at < a.since || at > Math.min(a.lastActive + 90 * DAY, clock.now) || !random.chance(0.4)) continue;
        const base = a.churned ? 2.6 : a.tier === 'A' ? 4.2 : 3.8;
        const scores = relationship.spec.dimensions.map(() =>
          Math.max(1, Math.min(5, Math.round(base + random.normal() * 0.8))),
        );
        const row = responseRow(relationship, scores, at, clock, random, {
          account: a.id,
          contact: random.pick(a.contacts).id,
        });
        responses.push({ row: { ...row, batch: `${year} 年度` }, scores });
      }
    }
  }
  const [, responseIds = []] = await writer.all([
    () => writer.create('caseStatusChange', changes),
    () =>
      writer.create(
        'surveyResponse',
        responses.map((r) => r.row),
      ),
  ]);
  const scores: Row[] = [];
  responses.forEach((r, i) => {
    const survey = r.row.survey === relationship?.id ? relationship! : followUp!;
    for (const [k, d] of survey.spec.dimensions.entries()) {
      const score = r.scores[k]!;
      scores.push({
        response: responseIds[i],
        dimension: survey.dimensionIds[k],
        score: String(score),
        answer: answer(d, score),
      });
    }
  });
  await writer.create('surveyScore', scores);
}

function responseRow(
  survey: SurveyRef,
  scores: number[],
  at: number,
  clock: SeedContext['clock'],
  random: Random,
  links: Row,
): Row {
  const dims = survey.spec.dimensions;
  const weights = dims.reduce((sum, d) => sum + d.weight, 0);
  const total = round2(dims.reduce((sum, d, k) => sum + d.weight * scores[k]!, 0) / weights);
  const quarter = Math.floor(new Date(at).getUTCMonth() / 3) + 1;
  return {
    survey: survey.id,
    ...links,
    respondedAt: clock.iso(at),
    channel: random.weighted([
      ['phone', 50],
      ['workOrder', 25],
      ['sms', 10],
      ['im', 10],
      ['web', 5],
    ] as const),
    batch: `${new Date(at).getUTCFullYear()}-Q${quarter}`,
    totalScore: total.toFixed(2),
    comments:
      total >= 4.5
        ? '非常满意，工程师专业。'
        : total >= 3.5
          ? '总体满意。'
          : total >= 2.5
            ? '响应还可以更快。'
            : '问题处理太慢，很不满意。',
  };
}
