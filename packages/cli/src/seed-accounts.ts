// Accounts and their contacts: who the customer is, how valuable (Pareto-distributed value → A/B/C/D),
// since when, whether they churned, who owns them, and the people we talk to there.
import { byBudget } from './seed-campaigns.ts';
import { salesTeamOf, territoryOf } from './seed-catalog.ts';
import type { AccountPlan, CampaignRef, ContactPlan, SeedContext, Tier } from './seed-model.ts';
import { money } from './seed-model.ts';
import { chinesePerson, englishPerson, type JobTitle, pickJob } from './seed-people.ts';
import {
  CN_CITIES,
  type CompanyNamer,
  chineseAddress,
  chineseLandline,
  chineseMobile,
  FOREIGN_CITIES,
  foreignAddress,
  foreignPhone,
} from './seed-places.ts';
import { DAY, type Random } from './seed-random.ts';
import type { Row } from './seed-writer.ts';

const CN_CITY_WEIGHTS = CN_CITIES.map((c) => [c, c.weight] as const);
const FOREIGN_WEIGHTS = FOREIGN_CITIES.map((c) => [c, c.weight] as const);

/** The number a search demo looks for: `+86 135-6411-7256` must find this contact. */
export const DEMO_MOBILE = '13564117256';

/** Value tier by the customer's value quantile: top 10 % A, next 20 % B, next 30 % C, the rest D. */
function tierOf(u: number): Tier {
  return u >= 0.9 ? 'A' : u >= 0.7 ? 'B' : u >= 0.4 ? 'C' : 'D';
}

const CHURN_CHANCE: Record<Tier, number> = { A: 0.04, B: 0.1, C: 0.2, D: 0.35 };
const CONTACTS: Record<Tier | 'prospect', [number, number]> = {
  A: [7, 12],
  B: [5, 9],
  C: [4, 7],
  D: [3, 6],
  prospect: [3, 6],
};

/** Campaigns that can have produced a lead which became an account: started at least six weeks ago. */
function originCampaign(ctx: SeedContext, random: Random, lead: boolean): CampaignRef | undefined {
  const usable = ctx.ref.campaigns.filter(
    (c) =>
      c.id && c.start < ctx.clock.now - 45 * DAY && c.status !== 'aborted' && (lead ? c.goal !== 'retention' : true),
  );
  return byBudget(random, usable);
}

function contactPlans(account: AccountPlan, random: Random, count: number, first: boolean): ContactPlan[] {
  const used = new Set<string>();
  const contacts: ContactPlan[] = [];
  for (let i = 0; i < count; i++) {
    const person = account.chinese && random.chance(0.97) ? chinesePerson(random) : englishPerson(random);
    let mailbox = person.mailbox;
    for (let n = 2; used.has(mailbox); n++) mailbox = `${person.mailbox}${n}`;
    used.add(mailbox);
    // The first contact of a company is usually the one who decides or buys.
    let job: JobTitle = pickJob(random);
    if (i === 0 && !['decisionMaker', 'procurement'].includes(job.buyingRole)) job = pickJob(random);
    contacts.push({
      person,
      job,
      email: `${mailbox}@${account.domain}`,
      mobile: account.chinese ? (first && i === 0 ? DEMO_MOBILE : chineseMobile(random)) : undefined,
      phone: account.cn ? chineseLandline(account.cn, random) : foreignPhone(account.foreign!, random),
    });
  }
  return contacts;
}

/** A Chinese company written in an earlier chunk that later accounts can be branches of. */
export interface GroupAccount {
  id: string | undefined;
  name: string;
  domain: string;
  branches: Set<string>;
}

/** Plans one account; index 0 of the whole data set is 济南华远数控设备有限公司, the search demo's company. */
export function planAccount(ctx: SeedContext, random: Random, namer: CompanyNamer, index: number): AccountPlan {
  const { clock } = ctx;
  const first = index === 0;
  const chinese = first || random.chance(0.85);
  const cn = chinese ? (first ? CN_CITIES[0]! : random.weighted(CN_CITY_WEIGHTS)) : undefined;
  const foreign = chinese ? undefined : random.weighted(FOREIGN_WEIGHTS);
  const company = cn ? namer.chinese(cn) : namer.english(foreign!);
  const kind = first
    ? 'customer'
    : random.weighted([
        ['customer', 56],
        ['prospect', 43],
        ['competitor', 1],
      ] as const);
  const u = first ? 0.99 : random.next();
  const tier = kind === 'customer' ? tierOf(u) : undefined;
  const weight = Math.min(200, (1 - u) ** (-1 / 1.16));
  let since =
    kind === 'customer'
      ? clock.between(clock.start - 4 * 365 * DAY, clock.now - 60 * DAY, random)
      : clock.between(clock.start, clock.now - 14 * DAY, random, 1.5);
  // Some accounts came in as a campaign lead and were converted.
  let origin: AccountPlan['origin'];
  if (!first && random.chance(kind === 'customer' ? 0.08 : kind === 'prospect' ? 0.15 : 0)) {
    const campaign = originCampaign(ctx, random, true);
    if (campaign) {
      const receivedAt = clock.workTime(
        campaign.start + random.next() * (campaign.end - campaign.start + 20 * DAY),
        random,
      );
      const convertedAt = clock.workTime(Math.min(receivedAt + random.int(3, 40) * DAY, clock.now - 7 * DAY), random);
      if (receivedAt < convertedAt) {
        origin = { campaign, receivedAt, convertedAt };
        since = convertedAt;
      }
    }
  }
  const churned = tier !== undefined && since < clock.now - 300 * DAY && random.chance(CHURN_CHANCE[tier]);
  const lastActive = churned
    ? Math.max(since + 60 * DAY, clock.now - random.int(200, 700) * DAY)
    : clock.now - random.int(0, 20) * DAY;
  const territory = cn ? territoryOf(cn.province, cn.region) : 'INTL';
  const team = tier === 'A' && random.chance(0.4) ? '大客户部' : salesTeamOf(territory);
  const owner = random.pick(ctx.ref.salesByTeam.get(team) ?? ctx.ref.users);
  const partners = ctx.ref.partners.filter((p) => p.territory === territory);
  const account: AccountPlan = {
    name: company.name,
    domain: company.domain,
    chinese,
    cn,
    foreign,
    address: cn ? chineseAddress(cn, random) : foreignAddress(foreign!, random),
    phone: cn ? chineseLandline(cn, random) : foreignPhone(foreign!, random),
    trade: company.trade,
    kind,
    tier,
    weight,
    since,
    lastActive,
    churned,
    owner,
    territory,
    partnerId:
      (tier === 'C' || tier === 'D') && partners.length > 0 && random.chance(0.3)
        ? random.pick(partners).id
        : undefined,
    origin,
    contacts: [],
    opportunities: [],
    orders: [],
    cases: [],
  };
  const [min, max] = CONTACTS[tier ?? 'prospect'];
  account.contacts = contactPlans(account, random, kind === 'competitor' ? 1 : random.int(min, max), first);
  return account;
}

/** Makes a Chinese account a branch (分公司) of a group company, at most one branch per city and group. */
export function makeBranch(account: AccountPlan, group: GroupAccount): boolean {
  const city = account.cn;
  if (!city || group.branches.has(city.zh) || group.name.startsWith(city.zh)) return false;
  group.branches.add(city.zh);
  account.name = `${group.name}${city.zh}分公司`;
  account.domain = `${city.abbr}.${group.domain}`;
  for (const c of account.contacts) c.email = `${c.email.split('@')[0]}@${account.domain}`;
  return true;
}

function lifecycleOf(a: AccountPlan, clock: SeedContext['clock']): string {
  if (a.kind === 'customer') {
    if (a.churned) return 'churned';
    return (a.tier === 'A' || a.tier === 'B') && a.since < clock.now - 2 * 365 * DAY ? 'loyal' : 'customer';
  }
  const open = a.opportunities.some((o) => o.closedAt === undefined);
  if (open) return 'opportunity';
  return a.opportunities.length > 0 || a.origin ? 'qualified' : 'lead';
}

export function accountRow(ctx: SeedContext, a: AccountPlan, random: Random, parent?: string): Row {
  const { clock } = ctx;
  const employees = Math.max(3, Math.round(15 * a.weight ** 0.9 * random.spread(0.6)));
  const revenue = Math.round(employees * random.between(0.4, 1.2) * 1_000) * 1_000;
  const currency = a.chinese ? 'CNY' : 'USD';
  const size =
    employees < 10
      ? 'micro'
      : employees < 100
        ? 'small'
        : employees < 1000
          ? 'medium'
          : employees < 10_000
            ? 'large'
            : 'enterprise';
  return {
    name: a.name,
    type: a.kind,
    industry: a.trade.industry,
    lifecycleStage: lifecycleOf(a, clock),
    annualRevenue: money(a.chinese ? revenue : Math.round(revenue / 7), currency),
    employees,
    phone: a.phone,
    fax: a.chinese && random.chance(0.3) ? a.phone.replace(/\d{2}$/, '99') : undefined,
    email: `${random.pick(['info', 'sales', 'contact', 'office'])}@${a.domain}`,
    website: `https://www.${a.domain}`,
    parentAccount: parent,
    owner: a.owner.id,
    territory: ctx.ref.territories.get(a.territory),
    size,
    ownership: a.chinese
      ? random.weighted([
          ['private', 60],
          ['stateOwned', 12],
          ['listed', 8],
          ['jointVenture', 8],
          ['foreign', 6],
          ['public', 6],
        ] as const)
      : 'foreign',
    valueTier: a.tier,
    rating: a.kind === 'prospect' ? random.pick(['hot', 'warm', 'warm', 'cold', 'cold']) : undefined,
    source:
      a.origin?.campaign.source ??
      random.weighted([
        ['referral', 30],
        ['web', 20],
        ['coldCall', 20],
        ['tradeShow', 15],
        ['partner', 10],
        ['other', 5],
      ] as const),
    sourceCampaign: a.origin?.campaign.id,
    partner: a.partnerId,
    customerSince: a.kind === 'customer' ? clock.date(a.since) : undefined,
    ...a.address,
    taxId: a.chinese
      ? `91${a.cn?.postcode ?? '110'}${random.digits(3)}MA${random.digits(7)}${random.pick(['X', 'Y', '3', '7'])}`
      : undefined,
    annualOutput:
      a.trade.industry === 'manufacturing' ? money(Math.round(revenue * random.between(0.8, 1.3))) : undefined,
    annualProfit: money(Math.round(revenue * random.between(-0.03, 0.15))),
    currentEquipment:
      a.trade.buys === 'machines' || a.trade.buys === 'automation'
        ? `现有 ${random.int(5, 80)} 台数控设备，平均使用 ${random.int(3, 15)} 年，主要品牌：${random.pick(['大连精机', 'Okuda', 'Haastec', '北方数控', '本公司'])}。`
        : undefined,
    budgetNotes:
      a.kind === 'prospect'
        ? `${clock.date(clock.now).slice(0, 4)} 年设备更新预算约 ${random.int(1, 30) * 50} 万元。`
        : undefined,
    description: `${a.trade.zh}企业，${a.address.city}。`,
  };
}

export function contactRow(ctx: SeedContext, a: AccountPlan, c: ContactPlan, random: Random, index: number): Row {
  const { person, job } = c;
  const origin = index === 0 ? a.origin : undefined;
  return {
    firstName: person.firstName,
    lastName: person.lastName,
    account: a.id,
    title: person.chinese ? job.zh : job.en,
    department: person.chinese ? job.department[0] : job.department[1],
    buyingRole: job.buyingRole,
    salutation: person.gender === 'm' ? 'mr' : 'ms',
    email: random.chance(0.9) || index === 0 ? c.email : undefined,
    phone: c.phone,
    mobile: c.mobile,
    wechat:
      person.chinese && random.chance(0.6) ? `wx_${person.mailbox.replace('.', '_')}${random.digits(3)}` : undefined,
    imHandle: !person.chinese && random.chance(0.3) ? `${person.mailbox}@teams` : undefined,
    birthday: random.chance(0.4) ? ctx.clock.date(ctx.clock.today - random.int(25 * 365, 60 * 365) * DAY) : undefined,
    doNotCall: random.chance(0.04),
    emailOptOut: random.chance(0.08),
    owner: a.owner.id,
    source: origin ? origin.campaign.source : undefined,
    sourceCampaign: origin?.campaign.id,
    country: a.address.country,
    province: a.address.province || undefined,
    city: a.address.city,
  };
}
