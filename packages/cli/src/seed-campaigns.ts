// Campaigns over the three years of history and the next quarter: fixed-date trade shows with follow-up
// sub-campaigns, and a mix of seminars, mailings, web sign-ups, ads, surveys and win-back calls.
import type { CampaignRef, UserRef } from './seed-model.ts';
import { money } from './seed-model.ts';
import { CN_CITIES } from './seed-places.ts';
import { type Clock, DAY, type Random } from './seed-random.ts';
import type { Row, SeedWriter } from './seed-writer.ts';

interface Template {
  type: string;
  goal: string;
  name: (year: number, quarter: number, city: string) => string;
  location?: (city: string) => string;
  budget: [number, number];
  expectedResponse: [number, number];
  days: [number, number];
  source: string;
  responseRate: number;
  channel: string;
  audience: string;
  /** Trade shows: the month (1–12) they take place; others are spread over the quarter. */
  month?: number;
  oddYearsOnly?: boolean;
  /** Only in the last quarter of the year. */
  yearEnd?: boolean;
}

const TEMPLATES: readonly Template[] = [
  {
    type: 'tradeShow',
    goal: 'newCustomers',
    name: (y) => `${y} 中国国际机床展览会（CIMT）`,
    location: () => '北京·中国国际展览中心（顺义馆）',
    budget: [500_000, 900_000],
    expectedResponse: [200, 400],
    days: [6, 6],
    source: 'tradeShow',
    responseRate: 0.3,
    channel: 'event',
    audience: '机械加工、汽车零部件企业的设备与技术负责人',
    month: 4,
    oddYearsOnly: true,
  },
  {
    type: 'tradeShow',
    goal: 'newCustomers',
    name: (y) => `${y} 青岛国际机床展`,
    location: () => '青岛国际会展中心',
    budget: [150_000, 300_000],
    expectedResponse: [80, 200],
    days: [4, 4],
    source: 'tradeShow',
    responseRate: 0.28,
    channel: 'event',
    audience: '山东及周边的制造企业',
    month: 7,
  },
  {
    type: 'tradeShow',
    goal: 'newCustomers',
    name: (y) => `${y} 中国国际食品添加剂和配料展（FIC）`,
    location: () => '上海·国家会展中心',
    budget: [200_000, 400_000],
    expectedResponse: [100, 250],
    days: [3, 3],
    source: 'tradeShow',
    responseRate: 0.3,
    channel: 'event',
    audience: '食品、饮料、乳制品企业的研发与采购',
    month: 3,
  },
  {
    type: 'seminar',
    goal: 'newCustomers',
    name: (y, _q, city) => `数控加工技术研讨会·${city}站（${y}）`,
    location: (city) => `${city}·国际会议中心`,
    budget: [30_000, 120_000],
    expectedResponse: [30, 80],
    days: [1, 1],
    source: 'seminar',
    responseRate: 0.45,
    channel: 'event',
    audience: '技术总监、设备部经理',
  },
  {
    type: 'seminar',
    goal: 'crossSell',
    name: (y, _q, city) => `智能工厂解决方案交流会·${city}站（${y}）`,
    location: (city) => `${city}·客户体验中心`,
    budget: [40_000, 150_000],
    expectedResponse: [20, 60],
    days: [1, 2],
    source: 'seminar',
    responseRate: 0.4,
    channel: 'event',
    audience: '已购设备客户的生产与信息化负责人',
  },
  {
    type: 'seminar',
    goal: 'newCustomers',
    name: (y, _q, city) => `食品安全与防腐保鲜技术研讨会·${city}站（${y}）`,
    location: (city) => `${city}·食品工业园会议室`,
    budget: [20_000, 80_000],
    expectedResponse: [30, 70],
    days: [1, 1],
    source: 'seminar',
    responseRate: 0.42,
    channel: 'event',
    audience: '食品企业研发与品控',
  },
  {
    type: 'seminar',
    goal: 'partners',
    name: (y, q) => `${y} 第${q}季度渠道合作伙伴招商会`,
    location: () => '济南·总部培训中心',
    budget: [50_000, 150_000],
    expectedResponse: [10, 40],
    days: [1, 2],
    source: 'partner',
    responseRate: 0.35,
    channel: 'meeting',
    audience: '区域经销商、代理商',
  },
  {
    type: 'email',
    goal: 'retention',
    name: (y, q) => `${y}年第${q}季度 老客户设备保养优惠`,
    budget: [5_000, 20_000],
    expectedResponse: [100, 400],
    days: [14, 30],
    source: 'email',
    responseRate: 0.08,
    channel: 'email',
    audience: '两年以上设备的老客户',
  },
  {
    type: 'email',
    goal: 'crossSell',
    name: (y, q) => `新品推荐：MES 与设备远程监控（${y}Q${q}）`,
    budget: [8_000, 25_000],
    expectedResponse: [60, 200],
    days: [14, 21],
    source: 'email',
    responseRate: 0.06,
    channel: 'email',
    audience: '购买过数控设备的客户',
  },
  {
    type: 'directMail',
    goal: 'brand',
    name: (y) => `${y} 年度产品目录直邮`,
    budget: [20_000, 60_000],
    expectedResponse: [50, 150],
    days: [30, 45],
    source: 'directMail',
    responseRate: 0.03,
    channel: 'letter',
    audience: '重点行业目标企业',
  },
  {
    type: 'webSignup',
    goal: 'newCustomers',
    name: (y, q) => `官网免费试切加工申请（${y}Q${q}）`,
    budget: [10_000, 40_000],
    expectedResponse: [40, 120],
    days: [60, 90],
    source: 'web',
    responseRate: 0.6,
    channel: 'web',
    audience: '官网访客',
  },
  {
    type: 'massAds',
    goal: 'brand',
    name: (y, q) => `${y}Q${q} 百度与抖音信息流广告`,
    budget: [100_000, 400_000],
    expectedResponse: [200, 600],
    days: [60, 90],
    source: 'advertisement',
    responseRate: 0.02,
    channel: 'social',
    audience: '制造业从业者',
  },
  {
    type: 'survey',
    goal: 'retention',
    name: (y) => `${y} 年度客户满意度调查`,
    budget: [10_000, 30_000],
    expectedResponse: [100, 300],
    days: [30, 40],
    source: 'other',
    responseRate: 0.35,
    channel: 'phone',
    audience: 'A、B 类客户',
    yearEnd: true,
  },
  {
    type: 'telemarketing',
    goal: 'winBack',
    name: (y, q) => `流失客户回访电话营销（${y}Q${q}）`,
    budget: [20_000, 60_000],
    expectedResponse: [30, 100],
    days: [30, 45],
    source: 'coldCall',
    responseRate: 0.15,
    channel: 'phone',
    audience: '一年以上未下单的客户',
  },
];

interface Planned {
  row: Row;
  ref: CampaignRef;
  parent?: number;
}

function statusOf(start: number, end: number, clock: Clock, random: Random): string {
  if (end < clock.now) return random.chance(0.05) ? 'aborted' : 'completed';
  return start <= clock.now ? 'active' : 'planned';
}

/** A campaign picked with a chance proportional to its budget: big spenders bring in more leads. */
export function byBudget(random: Random, campaigns: readonly CampaignRef[]): CampaignRef | undefined {
  return campaigns.length > 0 ? random.weighted(campaigns.map((c) => [c, c.budget] as const)) : undefined;
}

function plan(
  template: Template,
  start: number,
  clock: Clock,
  random: Random,
  owner: UserRef | undefined,
  city: string,
  factor: number,
  batch = 1,
): Planned {
  const year = new Date(start).getUTCFullYear();
  const quarter = Math.floor(new Date(start).getUTCMonth() / 3) + 1;
  const end = start + (random.int(template.days[0], template.days[1]) - 1) * DAY;
  const status = statusOf(start, end, clock, random);
  const budget = Math.round((random.between(template.budget[0], template.budget[1]) * factor) / 1000) * 1000;
  const spent = status === 'completed' ? random.between(0.8, 1.15) : status === 'active' ? random.between(0.3, 0.7) : 0;
  const actualCost = status === 'aborted' ? budget * random.between(0.1, 0.5) : budget * spent;
  const name = `${template.name(year, quarter, city)}${batch > 1 ? `（第${batch}期）` : ''}`;
  const row: Row = {
    name,
    type: template.type,
    goal: template.goal,
    status,
    approvalStatus: status === 'planned' ? random.pick(['pending', 'approved', 'notSubmitted']) : 'approved',
    owner: owner?.id,
    startDate: clock.date(start),
    endDate: clock.date(end),
    budget: money(budget),
    actualCost: actualCost > 0 ? money(Math.round(actualCost)) : undefined,
    allocatedCost: actualCost > 0 ? money(Math.round(actualCost * random.between(0.08, 0.2))) : undefined,
    expectedRevenue: money(Math.round((budget * random.between(3, 12)) / 1000) * 1000),
    expectedResponse: Math.round(random.int(template.expectedResponse[0], template.expectedResponse[1]) * factor),
    targetAudience: template.audience,
    location: template.location?.(city),
    description: `${name}：面向${template.audience}。`,
  };
  return {
    row,
    ref: {
      id: undefined,
      name,
      type: template.type,
      goal: template.goal,
      status,
      start,
      end,
      budget,
      source: template.source,
      responseRate: template.responseRate,
      channel: template.channel,
    },
  };
}

/** Plans every campaign from the start of history to one quarter ahead, then writes parents before children. */
export async function createCampaigns(
  writer: SeedWriter,
  clock: Clock,
  random: Random,
  perQuarter: number,
  factor: number,
  marketers: UserRef[],
  channelManagers: UserRef[],
): Promise<CampaignRef[]> {
  const planned: Planned[] = [];
  const ownerFor = (t: Template) =>
    random.pick(t.goal === 'partners' && channelManagers.length ? channelManagers : marketers);
  const first = new Date(clock.start);
  const horizon = clock.now + 92 * DAY;
  for (let i = 0; ; i++) {
    const y = first.getUTCFullYear() + Math.floor((first.getUTCMonth() + i) / 12);
    const m = (first.getUTCMonth() + i) % 12;
    const monthStart = Date.UTC(y, m, 1);
    if (monthStart > horizon) break;
    for (const template of TEMPLATES) {
      if (template.month !== m + 1 || (template.oddYearsOnly && y % 2 === 0)) continue;
      const start = monthStart + random.int(8, 20) * DAY;
      const show = plan(template, start, clock, random, ownerFor(template), '', factor);
      planned.push(show);
      // Every show gets a follow-up mailing to the visitors, as a sub-campaign.
      const followUp = plan(
        {
          ...TEMPLATES.find((t) => t.type === 'email')!,
          goal: 'newCustomers',
          name: () => `展后跟进邮件：${show.ref.name}`,
        },
        show.ref.end + 3 * DAY,
        clock,
        random,
        ownerFor(template),
        '',
        factor,
      );
      followUp.parent = planned.length - 1;
      planned.push(followUp);
    }
    if (m % 3 !== 0) continue;
    const spread = TEMPLATES.filter((t) => t.month === undefined && (!t.yearEnd || m === 9));
    // More campaigns than templates a quarter: the same kind runs again as a second or third session.
    const order = random.sample(spread, spread.length);
    for (let k = 0; k < perQuarter; k++) {
      const template = order[k % order.length]!;
      const batch = Math.floor(k / order.length) + 1;
      if (template.yearEnd && batch > 1) continue;
      const start = template.yearEnd ? Date.UTC(y, 11, random.int(1, 10)) : monthStart + random.int(0, 80) * DAY;
      const city = random.weighted(CN_CITIES.map((c) => [c.zh, c.weight] as const));
      planned.push(plan(template, start, clock, random, ownerFor(template), city, factor, batch));
    }
  }
  const parents = planned.filter((p) => p.parent === undefined);
  const parentIds = await writer.create(
    'campaign',
    parents.map((p) => p.row),
  );
  parents.forEach((p, i) => {
    p.ref.id = parentIds[i];
  });
  const children = planned.filter((p) => p.parent !== undefined);
  const childIds = await writer.create(
    'campaign',
    children.map((p) => ({ ...p.row, parentCampaign: planned[p.parent!]!.ref.id })),
  );
  children.forEach((p, i) => {
    p.ref.id = childIds[i];
  });
  return planned.map((p) => p.ref);
}
