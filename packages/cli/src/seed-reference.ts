// The records everything else points at: territories, teams and staff, pipelines and their stages, the
// product catalogue with price books, competitors, surveys, knowledge articles, partners and campaigns.
import { createCampaigns } from './seed-campaigns.ts';
import {
  COMPETITORS,
  PIPELINES,
  POLICY_ARTICLES,
  PRODUCTS,
  type ProductGroup,
  SEGMENTS,
  SURVEYS,
  TEAMS,
  TERRITORIES,
  territoryOf,
} from './seed-catalog.ts';
import type { ProductRef, Reference, Scale, UserRef } from './seed-model.ts';
import { money } from './seed-model.ts';
import { chinesePerson, englishPerson, STAFF_ROLES } from './seed-people.ts';
import { CN_CITIES, CompanyNamer, chineseAddress, chineseLandline, chineseMobile } from './seed-places.ts';
import { type Clock, DAY, type Random } from './seed-random.ts';
import type { Row, SeedWriter } from './seed-writer.ts';

const MANAGER_ROLE: Record<string, string> = {
  sales: 'salesManager',
  presales: 'presales',
  service: 'serviceManager',
  marketing: 'marketer',
  channel: 'channelManager',
  management: 'executive',
};

const ROLE_TITLES: Record<string, string> = {
  salesManager: '销售经理',
  serviceManager: '服务经理',
  executive: '总经理',
  admin: '系统管理员',
};

const ROLE_TEAM: Record<string, string> = {
  presales: '售前技术部',
  serviceAgent: '客户服务中心',
  fieldEngineer: '现场服务部',
  marketer: '市场部',
  channelManager: '渠道管理部',
};

async function createOrganisation(writer: SeedWriter, random: Random, scale: Scale) {
  const territories = new Map<string, string | undefined>();
  for (const level of [false, true]) {
    const specs = TERRITORIES.filter((t) => Boolean(t.parent) === level);
    const ids = await writer.create(
      'territory',
      specs.map((t) => ({
        name: t.name,
        code: t.code,
        region: t.region,
        provinces: t.provinces,
        parentTerritory: t.parent ? territories.get(t.parent) : undefined,
      })),
    );
    for (const [i, t] of specs.entries()) territories.set(t.code, ids[i]);
  }
  const teamIds = await writer.create(
    'team',
    TEAMS.map((t) => ({
      name: t.name,
      type: t.type,
      territory: t.territory ? territories.get(t.territory) : undefined,
    })),
  );
  const teamId = new Map(TEAMS.map((t, i) => [t.name, teamIds[i]]));

  const mailboxes = new Set<string>();
  const userRow = (role: string, team: string, title: string, index: number, english: boolean): Row & UserRef => {
    const person = english ? englishPerson(random) : chinesePerson(random);
    let mailbox = person.mailbox;
    for (let n = 2; mailboxes.has(mailbox); n++) mailbox = `${person.mailbox}${n}`;
    mailboxes.add(mailbox);
    const name = person.chinese ? `${person.lastName}${person.firstName}` : `${person.firstName} ${person.lastName}`;
    return {
      id: undefined,
      name,
      email: `${mailbox}@touchpoint-demo.com`,
      employeeNumber: `E${10001 + index}`,
      title,
      role,
      team,
      mobile: chineseMobile(random),
      phone: `0531-8861${String(1000 + index).slice(-4)}`,
      active: random.chance(0.97),
    };
  };
  // Managers first, so everybody else can point at theirs.
  const managers = TEAMS.map((t, i) => userRow(MANAGER_ROLE[t.type]!, t.name, `${t.name}经理`, i, false));
  managers[0] = { ...managers[0]!, title: ROLE_TITLES.executive!, active: true };
  managers.push(userRow('admin', '总经办', ROLE_TITLES.admin!, managers.length, false));
  const managerIds = await writer.create(
    'user',
    managers.map((u) => ({ ...u, team: teamId.get(u.team as string), id: undefined })),
  );
  managers.forEach((u, i) => {
    u.id = managerIds[i];
  });
  const managerOf = new Map(managers.map((u) => [u.team as string, u]));

  const salesTeams = TEAMS.filter((t) => t.type === 'sales');
  const staff: (Row & UserRef)[] = [];
  for (let i = 0; i < scale.staff; i++) {
    const spec = random.weighted(STAFF_ROLES.map((r) => [r, r.share] as const));
    const team =
      spec.role === 'salesRep'
        ? random.weighted(salesTeams.map((t) => [t.name, t.weight ?? 1] as const))
        : ROLE_TEAM[spec.role]!;
    staff.push(userRow(spec.role, team, spec.zh, managers.length + i, team === '海外业务部' && random.chance(0.5)));
  }
  const staffIds = await writer.create(
    'user',
    staff.map((u) => ({
      ...u,
      team: teamId.get(u.team as string),
      manager: managerOf.get(u.team as string)?.id,
      id: undefined,
    })),
  );
  staff.forEach((u, i) => {
    u.id = staffIds[i];
  });
  for (const [name, manager] of managerOf) await writer.update('team', teamId.get(name), { manager: manager.id });
  for (const t of TERRITORIES.filter((t) => !t.parent)) {
    const team = TEAMS.find((s) => s.territory === t.code);
    if (team) await writer.update('territory', territories.get(t.code), { owner: managerOf.get(team.name)?.id });
  }

  const users: UserRef[] = [...managers, ...staff].map((u) => ({ id: u.id, name: u.name, role: u.role, team: u.team }));
  const byRole = new Map<string, UserRef[]>();
  for (const u of users) byRole.set(u.role, [...(byRole.get(u.role) ?? []), u]);
  const salesByTeam = new Map<string, UserRef[]>();
  for (const t of salesTeams) {
    const reps = users.filter((u) => u.team === t.name && u.role === 'salesRep');
    salesByTeam.set(t.name, reps.length > 0 ? reps : [managerOf.get(t.name)!]);
  }
  return { territories, users, byRole, salesByTeam };
}

async function createSales(writer: SeedWriter, clock: Clock) {
  const pipelineIds = await writer.create(
    'pipeline',
    PIPELINES.map((p) => ({
      name: p.name,
      type: p.type,
      isDefault: p.isDefault,
      active: true,
      description: p.description,
    })),
  );
  const stageRows: Row[] = [];
  PIPELINES.forEach((p, i) => {
    const stages = [
      ...p.stages.map((s) => ({ ...s, closed: false, won: false })),
      { stage: 'closedWon', name: '赢单', probability: 100, expectedDays: 0, closed: true, won: true },
      { stage: 'closedLost', name: '输单', probability: 0, expectedDays: 0, closed: true, won: false },
    ];
    for (const [order, s] of stages.entries()) {
      stageRows.push({
        pipeline: pipelineIds[i],
        name: s.name,
        stage: s.stage,
        sortOrder: order + 1,
        probability: String(s.probability),
        isClosed: s.closed,
        isWon: s.won,
        expectedDays: s.closed ? undefined : s.expectedDays,
      });
    }
  });
  await writer.create('pipelineStage', stageRows);

  const productIds = await writer.create(
    'product',
    PRODUCTS.map((p, i) => ({
      name: p.name,
      sku: p.sku,
      type: p.type,
      model: p.model,
      family: p.family,
      unit: p.unit,
      unitPrice: money(p.price),
      cost: money(Math.round(p.price * p.costRatio * 100) / 100),
      stock: p.type === 'product' || p.type === 'part' ? (i * 37) % 120 : undefined,
      warrantyMonths: p.warrantyMonths,
      active: true,
      description: `${p.name}（型号 ${p.model}）`,
    })),
  );
  const products: ProductRef[] = PRODUCTS.map((spec, i) => ({ id: productIds[i], spec }));
  const productsByGroup = new Map<ProductGroup, ProductRef[]>();
  for (const p of products) productsByGroup.set(p.spec.group, [...(productsByGroup.get(p.spec.group) ?? []), p]);

  const books = [
    { name: '标准价格表', currency: 'CNY', isStandard: true, factor: 1 },
    { name: '经销商价格表', currency: 'CNY', isStandard: false, factor: 0.85 },
    { name: 'Export price list (USD)', currency: 'USD', isStandard: false, factor: 1 / 7.1 },
  ];
  const bookIds = await writer.create(
    'priceBook',
    books.map((b) => ({
      name: b.name,
      currency: b.currency,
      isStandard: b.isStandard,
      active: true,
      validFrom: clock.date(clock.start),
    })),
  );
  await writer.create(
    'priceBookEntry',
    books.flatMap((b, i) =>
      products.map((p) => ({
        priceBook: bookIds[i],
        product: p.id,
        unitPrice: money(Math.round(p.spec.price * b.factor * 100) / 100, b.currency),
        minQuantity: p.spec.quantity[0],
        active: true,
      })),
    ),
  );
  const competitors = await writer.create(
    'competitor',
    COMPETITORS.map((c) => ({ ...c })),
  );
  const pipelines = new Map(PIPELINES.map((spec, i) => [spec.type, { id: pipelineIds[i], spec }]));
  return { pipelines, products, productsByGroup, competitors };
}

async function createService(
  writer: SeedWriter,
  clock: Clock,
  random: Random,
  products: ProductRef[],
  users: UserRef[],
) {
  const surveyIds = await writer.create(
    'survey',
    SURVEYS.map((s) => ({
      name: s.name,
      type: s.type,
      status: 'active',
      startDate: clock.date(clock.start),
      description: s.description,
    })),
  );
  const surveys = [];
  for (const [i, spec] of SURVEYS.entries()) {
    const dimensionIds = await writer.create(
      'surveyDimension',
      spec.dimensions.map((d, order) => ({
        survey: surveyIds[i],
        name: d.name,
        weight: d.weight.toFixed(2),
        scale: d.scale,
        sortOrder: order + 1,
        description: d.description,
      })),
    );
    surveys.push({ id: surveyIds[i], spec, dimensionIds });
  }
  const authors = users.filter(
    (u) => u.role === 'serviceManager' || u.role === 'fieldEngineer' || u.role === 'presales',
  );
  const rows: Row[] = [];
  const about: (ProductRef | undefined)[] = [];
  const article = (title: string, summary: string, category: string, visibility: string, product?: ProductRef) => {
    const published = random.chance(0.85);
    rows.push({
      title,
      summary,
      body: `${summary}\n\n适用范围：${product ? product.spec.name : '全部产品'}。如问题仍未解决，请拨打服务热线 400-600-8800 或在微信公众号提交服务请求。`,
      category,
      status: published ? 'published' : random.pick(['draft', 'inReview']),
      visibility,
      product: product?.id,
      author: random.pick(authors)?.id,
      keywords: product ? `${product.spec.model}, ${category}` : category,
      publishedAt: published
        ? clock.iso(clock.workTime(clock.between(clock.start, clock.now - 7 * DAY, random), random))
        : undefined,
      viewCount: random.int(0, 3000),
      helpfulCount: random.int(0, 300),
    });
    about.push(product);
  };
  for (const a of POLICY_ARTICLES) article(a.title, a.summary, a.category, a.visibility);
  for (const product of products) {
    const { model, name, group } = product.spec;
    if (group === 'machine' || group === 'automation' || group === 'line') {
      article(
        `${model} 主轴/驱动异响的排查与处理`,
        `${name}运行中出现异响时的检查顺序：润滑、轴承、皮带与联轴器。`,
        'troubleshooting',
        'public',
        product,
      );
      article(
        `${model} 报警 ALM-${400 + ((model.length * 7) % 90)} 处理方法`,
        `${name}出现该报警时的原因分析与复位步骤。`,
        'troubleshooting',
        'internal',
        product,
      );
      article(`${model} 日常保养操作指南`, `${name}的每日、每周、每年保养项目清单。`, 'howTo', 'public', product);
    } else if (group === 'additive') {
      article(`${name}的储存条件与保质期`, `${name}应密封、阴凉干燥处保存，保质期 24 个月。`, 'faq', 'public', product);
    } else if (group === 'software') {
      article(`${name} 安装与授权激活`, `${name}的服务器要求、安装步骤和授权激活方法。`, 'howTo', 'partners', product);
    }
  }
  const articleIds = await writer.create('knowledgeArticle', rows);
  const articles = articleIds.map((id, i) => ({ id, product: about[i] }));
  return { surveys, articles };
}

async function createPartners(
  writer: SeedWriter,
  clock: Clock,
  random: Random,
  scale: Scale,
  territories: Map<string, string | undefined>,
  channelManagers: UserRef[],
) {
  // A partner is also a company we keep an account for; these are the first accounts of the data set.
  const namer = new CompanyNamer(4409);
  const plans = Array.from({ length: scale.partners }, () => {
    const city = random.weighted(CN_CITIES.map((c) => [c, c.weight] as const));
    const company = namer.chinese(city);
    return { city, company, territory: territoryOf(city.province, city.region) };
  });
  const accountIds = await writer.create(
    'account',
    plans.map(({ city, company, territory }) => ({
      name: company.name.replace(/有限公司|股份有限公司|集团有限公司|有限责任公司/, '销售服务有限公司'),
      type: 'partner',
      industry: 'other',
      lifecycleStage: 'customer',
      phone: chineseLandline(city, random),
      email: `info@${company.domain}`,
      website: `https://www.${company.domain}`,
      territory: territories.get(territory),
      ...chineseAddress(city, random),
    })),
  );
  const partnerIds = await writer.create(
    'partner',
    plans.map(({ city, company, territory }, i) => {
      const since = clock.between(clock.start - 3 * 365 * DAY, clock.now - 90 * DAY, random);
      const status = random.weighted([
        ['active', 80],
        ['suspended', 8],
        ['terminated', 5],
        ['prospective', 7],
      ] as const);
      return {
        name: `${city.zh}${company.name.slice(city.zh.length, city.zh.length + 2)}机电（${random.pick(['经销商', '代理商', '服务商'])}）`,
        type: random.weighted([
          ['distributor', 45],
          ['reseller', 30],
          ['agent', 15],
          ['serviceProvider', 10],
        ] as const),
        tier: random.weighted([
          ['platinum', 8],
          ['gold', 22],
          ['silver', 35],
          ['registered', 35],
        ] as const),
        status,
        account: accountIds[i],
        territory: territories.get(territory),
        owner: random.pick(channelManagers)?.id,
        contractStart: clock.date(since),
        contractEnd: clock.date(since + random.int(2, 4) * 365 * DAY),
        annualTarget: money(random.int(20, 300) * 100_000),
        commissionRate: String(random.int(3, 12)),
        phone: chineseLandline(city, random),
        email: `channel@${company.domain}`,
        website: `https://www.${company.domain}`,
        province: city.province,
        city: `${city.zh}市`,
      };
    }),
  );
  return plans.map((p, i) => ({ id: partnerIds[i], territory: p.territory }));
}

export async function createReference(
  writer: SeedWriter,
  clock: Clock,
  random: Random,
  scale: Scale,
): Promise<Reference> {
  const org = await createOrganisation(writer, random, scale);
  const sales = await createSales(writer, clock);
  const service = await createService(writer, clock, random, sales.products, org.users);
  const channelManagers = org.byRole.get('channelManager') ?? [];
  const partners = await createPartners(writer, clock, random, scale, org.territories, channelManagers);
  const campaigns = await createCampaigns(
    writer,
    clock,
    random,
    scale.campaignsPerQuarter,
    scale.budgetFactor,
    org.byRole.get('marketer') ?? org.users,
    channelManagers,
  );
  const marketers = org.byRole.get('marketer') ?? org.users;
  await writer.create(
    'segment',
    SEGMENTS.map((s) => ({ ...s, owner: random.pick(marketers).id, active: true })),
  );
  return { ...org, ...sales, ...service, partners, campaigns };
}
