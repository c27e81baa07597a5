// Deterministic demo data: the same seed always gives the same companies, people and numbers.
// Everything goes through the record service, so seeded data obeys the same rules as user input.
import type { Engine } from '@touchpoint/engine';

export const SEED_SIZES = ['S', 'M', 'L'] as const;
export type SeedSize = (typeof SEED_SIZES)[number];
const ACCOUNTS: Record<SeedSize, number> = { S: 1000, M: 100_000, L: 1_000_000 };
const CONTACTS_PER_ACCOUNT = 5;
const BATCH = 500;

/** mulberry32: small, fast and good enough for demo data; never for anything secret. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CN_CITIES = ['济南', '上海', '北京', '深圳', '杭州', '苏州', '青岛', '成都', '武汉', '广州'];
const CN_CORES = ['华远', '恒信', '东方', '金桥', '海川', '瑞丰', '天成', '宏达', '新科', '中联', '博奥', '永泰'];
const CN_TRADES = ['数控设备', '食品添加剂', '机械制造', '软件', '物流', '化工', '电子科技', '医疗器械'];
const EN_CORES = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Tailspin',
  'Litware',
  'Adatum',
  'Proseware',
  'Wingtip',
  'Lucerne',
  'Fourth Coffee',
];
const EN_TRADES = ['Machinery', 'Foods', 'Systems', 'Logistics', 'Chemicals', 'Electronics', 'Medical', 'Software'];
const CN_SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const CN_GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '涛', '明'];
const EN_FIRST = ['Anna', 'Ben', 'Chloe', 'David', 'Emma', 'Felix', 'Grace', 'Henry', 'Iris', 'Jack'];
const EN_LAST = ['Smith', 'Miller', 'Brown', 'Wilson', 'Taylor', 'Clark', 'Hall', 'Young', 'King', 'Wright'];
const TITLES = ['CEO', 'CFO', 'CTO', 'Purchasing Manager', 'Engineer', 'Plant Manager', 'Sales Director', 'Buyer'];
const DEPARTMENTS = ['Management', 'Finance', 'Engineering', 'Purchasing', 'Production', 'Sales'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function optionValues(
  engineEntity: { fields: { name: string; options?: { value: string }[] }[] },
  name: string,
): string[] {
  return engineEntity.fields.find((f) => f.name === name)?.options?.map((o) => o.value) ?? [];
}

/** Keeps only the fields the entity has, so the seed works whatever the admin changed. */
function only(fields: Set<string>, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => fields.has(k) && v !== undefined));
}

export async function seedDemoData(
  engine: Engine,
  options: { workspace: string; size: SeedSize; seed: number; onlyIfEmpty?: boolean },
): Promise<{ accounts: number; contacts: number } | null> {
  const metadata = await engine.metadata(options.workspace);
  const account = metadata.byName.get('account');
  const contact = metadata.byName.get('contact');
  if (!account || !contact) return null;
  const records = engine.records({ workspace: options.workspace, actor: 'seed' });
  if (options.onlyIfEmpty) {
    const existing = await records.list({ entity: 'account', first: 1, selection: { fields: ['id'], relations: [] } });
    if (existing.nodes.length > 0) return null;
  }
  const random = prng(options.seed);
  const accountFields = new Set(account.fields.map((f) => f.name));
  const contactFields = new Set(contact.fields.map((f) => f.name));
  const types = optionValues(account, 'type');
  const industries = optionValues(account, 'industry');
  const stages = optionValues(account, 'lifecycleStage');
  const total = ACCOUNTS[options.size];
  let contacts = 0;
  for (let start = 0; start < total; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, total - start) }, (_, i) => {
      const n = start + i;
      const chinese = random() < 0.6;
      const name = chinese
        ? `${pick(random, CN_CITIES)}${pick(random, CN_CORES)}${pick(random, CN_TRADES)}有限公司`
        : `${pick(random, EN_CORES)} ${pick(random, EN_TRADES)} ${n % 7 === 0 ? 'Group' : 'Ltd.'}`;
      return only(accountFields, {
        name: `${name}${n >= 100 ? ` ${n}` : ''}`,
        type: types.length ? pick(random, types) : undefined,
        industry: industries.length ? pick(random, industries) : undefined,
        lifecycleStage: stages.length ? pick(random, stages) : undefined,
        annualRevenue: { amount: (Math.round(random() * 500_000) * 100).toFixed(2), currency: chinese ? 'CNY' : 'USD' },
        employees: Math.floor(10 + random() * 5000),
        phone: chinese
          ? `0531-${String(80000000 + Math.floor(random() * 9999999))}`
          : `+1 555 ${String(1000000 + Math.floor(random() * 8999999))}`,
        website: `https://www.example${n}.com`,
      });
    });
    const created = await records.createMany('account', batch);
    const people = created.flatMap((a) =>
      Array.from({ length: CONTACTS_PER_ACCOUNT }, () => {
        const chinese = random() < 0.6;
        const firstName = chinese ? pick(random, CN_GIVEN) : pick(random, EN_FIRST);
        const lastName = chinese ? pick(random, CN_SURNAMES) : pick(random, EN_LAST);
        contacts++;
        return only(contactFields, {
          firstName,
          lastName,
          email: `contact${contacts}@example${Math.floor(random() * 1000)}.com`,
          mobile: `1${3 + Math.floor(random() * 6)}${String(Math.floor(random() * 1e9)).padStart(9, '0')}`,
          title: pick(random, TITLES),
          department: pick(random, DEPARTMENTS),
          account: a.id,
        });
      }),
    );
    for (let i = 0; i < people.length; i += 1000) await records.createMany('contact', people.slice(i, i + 1000));
  }
  return { accounts: total, contacts };
}
