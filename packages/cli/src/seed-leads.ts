// Leads and campaign members (MKT-1, MKT-2): the leads that became accounts (converted, with links to the
// account, contact and opportunity they became), leads still being worked or disqualified, and the
// contacts each campaign targeted, with who responded and how.
import { byBudget } from './seed-campaigns.ts';
import { salesTeamOf, territoryOf } from './seed-catalog.ts';
import type { CampaignRef, Chunk, ResponsePlan, SeedContext } from './seed-model.ts';
import { money } from './seed-model.ts';
import { chinesePerson, englishPerson, pickJob } from './seed-people.ts';
import { CN_CITIES, type CompanyNamer, chineseAddress, chineseMobile } from './seed-places.ts';
import { DAY, type Random } from './seed-random.ts';
import type { Row } from './seed-writer.ts';

/** Unconverted leads per account of the chunk. */
const LEADS_PER_ACCOUNT = 0.35;
/** Share of contacts targeted by some campaign. */
const TARGETED = 0.2;

const GROUPS = {
  zh: ['高意向', '一般意向', '索取资料', '暂无需求'],
  en: ['Hot', 'Warm', 'Info requested', 'No need'],
};

function liveCampaigns(ctx: SeedContext): CampaignRef[] {
  return ctx.ref.campaigns.filter((c) => c.id && c.status !== 'planned' && c.start < ctx.clock.now);
}

function statusOf(ageDays: number, random: Random): string {
  if (ageDays < 14) return random.pick(['new', 'new', 'contacted']);
  if (ageDays < 60) return random.pick(['contacted', 'qualified', 'unqualified']);
  return random.weighted([
    ['unqualified', 60],
    ['qualified', 25],
    ['contacted', 15],
  ] as const);
}

export function planLeads(chunk: Chunk, namer: CompanyNamer): void {
  const { ctx, random } = chunk;
  const { clock } = ctx;
  for (const a of chunk.accounts) {
    if (!a.origin) continue;
    const first = a.contacts[0]!;
    chunk.leads.push({
      person: first.person,
      company: a.name,
      chinese: a.chinese,
      campaign: a.origin.campaign,
      receivedAt: a.origin.receivedAt,
      status: 'converted',
      owner: a.owner,
      account: a,
      email: first.email,
      mobile: first.mobile,
      phone: first.phone,
    });
  }
  const campaigns = liveCampaigns(ctx);
  const count = Math.round(chunk.accounts.length * LEADS_PER_ACCOUNT);
  for (let i = 0; i < count; i++) {
    // Most leads answer a campaign; the rest come in by themselves, many of them in the last weeks.
    const campaign = random.chance(0.65) ? byBudget(random, campaigns) : undefined;
    const recent = !campaign && random.chance(0.4);
    const receivedAt = recent
      ? clock.workTime(clock.now - random.int(0, 21) * DAY, random)
      : campaign
        ? Math.min(
            clock.workTime(campaign.start + random.next() * (campaign.end - campaign.start + 20 * DAY), random),
            clock.now - 3_600_000,
          )
        : clock.workTime(clock.between(clock.start, clock.now - DAY, random, 1.5), random);
    const chinese = random.chance(0.88);
    const person = chinese ? chinesePerson(random) : englishPerson(random);
    const city = random.weighted(CN_CITIES.map((c) => [c, c.weight] as const));
    const company = namer.chinese(city);
    const team = ctx.ref.salesByTeam.get(salesTeamOf(territoryOf(city.province, city.region)));
    chunk.leads.push({
      person,
      company: company.name,
      chinese,
      campaign,
      receivedAt,
      status: statusOf((clock.now - receivedAt) / DAY, random),
      owner: random.pick(team ?? ctx.ref.users),
      email: random.chance(0.7)
        ? random.chance(0.5)
          ? `${person.mailbox}@${company.domain}`
          : chinese
            ? `${random.digits(9).replace(/^0/, '1')}@qq.com`
            : `${person.mailbox}${random.int(1, 99)}@gmail.com`
        : undefined,
      mobile: chinese ? chineseMobile(random) : undefined,
      phone: chinese ? `${city.areaCode}-${random.int(5, 8)}${random.digits(7)}` : undefined,
    });
  }
}

export async function writeLeads(chunk: Chunk): Promise<void> {
  const { ctx, random } = chunk;
  const { clock } = ctx;
  const { writer } = chunk;
  const rows = chunk.leads.map((l): Row => {
    const a = l.account;
    const job = pickJob(random);
    const opportunity = a?.opportunities.find((o) => o.campaign === l.campaign) ?? a?.opportunities[0];
    const address = a ? a.address : chineseAddress(random.pick(CN_CITIES), random);
    return {
      firstName: l.person.firstName,
      lastName: l.person.lastName,
      company: l.company,
      title: l.chinese ? job.zh : job.en,
      department: l.chinese ? job.department[0] : job.department[1],
      email: l.email,
      phone: l.phone,
      mobile: l.mobile,
      industry:
        a?.trade.industry ??
        random.pick(['manufacturing', 'manufacturing', 'technology', 'healthcare', 'retail', 'other']),
      employees: random.int(10, 3000),
      annualRevenue: random.chance(0.4) ? money(random.int(5, 500) * 100_000) : undefined,
      country: address.country,
      province: address.province || undefined,
      city: address.city,
      street: random.chance(0.5) ? address.street : undefined,
      source: l.campaign?.source ?? random.pick(['web', 'referral', 'coldCall', 'partner', 'socialMedia']),
      campaign: l.campaign?.id,
      status: l.status,
      rating: l.status === 'converted' ? 'hot' : random.pick(['hot', 'warm', 'warm', 'cold', 'cold', 'cold']),
      score:
        l.status === 'converted'
          ? random.int(60, 98)
          : l.status === 'unqualified'
            ? random.int(5, 40)
            : random.int(20, 90),
      owner: l.owner.id,
      partner: !a && ctx.ref.partners.length > 0 && random.chance(0.1) ? random.pick(ctx.ref.partners).id : undefined,
      receivedAt: clock.iso(l.receivedAt),
      unqualifiedReason:
        l.status === 'unqualified'
          ? random.pick(['noBudget', 'noNeed', 'competitor', 'unreachable', 'duplicate'])
          : undefined,
      convertedAt: a?.origin ? clock.iso(a.origin.convertedAt) : undefined,
      convertedAccount: a?.id,
      convertedContact: a?.contacts[0]?.id,
      convertedOpportunity: opportunity?.id,
      description: l.campaign ? `来自市场活动：${l.campaign.name}` : undefined,
    };
  });
  const ids = await writer.create('lead', rows);
  chunk.leads.forEach((l, i) => {
    l.id = ids[i];
  });
  await writer.create('campaignMember', memberRows(chunk));
}

function memberRows(chunk: Chunk): Row[] {
  const { ctx, random } = chunk;
  const { clock } = ctx;
  const rows: Row[] = [];
  for (const l of chunk.leads) {
    if (!l.campaign) continue;
    rows.push({
      campaign: l.campaign.id,
      lead: l.id,
      status: l.status === 'converted' ? 'converted' : 'responded',
      responseGroup: random.pick(l.chinese ? GROUPS.zh : GROUPS.en),
      sentAt: clock.iso(Math.min(l.campaign.start, l.receivedAt)),
      respondedAt: clock.iso(l.receivedAt),
      response: l.chinese ? '留下联系方式，希望获取报价。' : 'Left contact details and asked for a quote.',
    });
  }
  const campaigns = liveCampaigns(ctx);
  for (const a of chunk.accounts) {
    const fitting = campaigns.filter((c) => c.start > a.since - 180 * DAY && c.start < a.lastActive);
    if (fitting.length === 0) continue;
    for (const contact of a.contacts) {
      if (!random.chance(TARGETED)) continue;
      for (const campaign of random.sample(fitting, random.int(1, 2))) {
        const sentAt = clock.workTime(campaign.start + random.int(0, 5) * DAY, random);
        const sent = sentAt < clock.now && random.chance(0.9);
        const responded = sent && random.chance(Math.min(0.9, campaign.responseRate * 2));
        const respondedAt = responded ? Math.min(sentAt + random.int(1, 20) * DAY, clock.now - 3_600_000) : undefined;
        const status = !sent
          ? 'targeted'
          : !responded
            ? random.chance(0.03)
              ? 'optedOut'
              : 'sent'
            : random.chance(0.15)
              ? 'converted'
              : 'responded';
        rows.push({
          campaign: campaign.id,
          contact: contact.id,
          status,
          responseGroup: responded ? random.pick(a.chinese ? GROUPS.zh : GROUPS.en) : undefined,
          sentAt: sent ? clock.iso(sentAt) : undefined,
          respondedAt: respondedAt === undefined ? undefined : clock.iso(respondedAt),
        });
        if (respondedAt !== undefined)
          chunk.responses.push({ account: a, contact, campaign, at: respondedAt } satisfies ResponsePlan);
      }
    }
  }
  return rows;
}
