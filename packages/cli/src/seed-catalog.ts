// The demo company's fixed catalogue: a Jinan maker of CNC machines and automation that also trades food
// additives and sells software and service — the three kinds of selling in DOMAIN.md (SAL-1..3).

export type ProductGroup =
  | 'machine'
  | 'automation'
  | 'line'
  | 'additive'
  | 'software'
  | 'machinePart'
  | 'robotPart'
  | 'labour'
  | 'service';

export interface ProductSpec {
  name: string;
  sku: string;
  type: 'product' | 'part' | 'labour' | 'service';
  model: string;
  family: string;
  unit: string;
  price: number;
  /** Cost as a share of the list price. */
  costRatio: number;
  warrantyMonths?: number;
  group: ProductGroup;
  /** Typical quantity on one line. */
  quantity: [number, number];
  /** Relative chance a sold unit leads to a service request: some models are worse than others. */
  failure: number;
}

// One product per line: name | SKU | type | model | family | unit | list price (CNY) | cost share of price |
// group | quantity per line | failure weight | warranty months (- for none).
const PRODUCT_TABLE = `
VMC-650 立式加工中心 | M-VMC-650 | product | VMC-650 | cncMachines | set | 320000 | 0.72 | machine | 1-3 | 2 | 12
VMC-850 立式加工中心 | M-VMC-850 | product | VMC-850 | cncMachines | set | 420000 | 0.71 | machine | 1-4 | 6 | 12
VMC-1160 立式加工中心 | M-VMC-1160 | product | VMC-1160 | cncMachines | set | 560000 | 0.7 | machine | 1-3 | 2 | 12
HMC-630 卧式加工中心 | M-HMC-630 | product | HMC-630 | cncMachines | set | 1650000 | 0.68 | machine | 1-2 | 2 | 18
GMC-2015 龙门加工中心 | M-GMC-2015 | product | GMC-2015 | cncMachines | set | 2350000 | 0.7 | machine | 1-1 | 3 | 18
CK6140 数控车床 | M-CK6140 | product | CK6140 | cncMachines | set | 98000 | 0.74 | machine | 1-6 | 2 | 12
CK6150 数控车床 | M-CK6150 | product | CK6150 | cncMachines | set | 135000 | 0.73 | machine | 1-6 | 9 | 12
TCK-46 斜床身数控车床 | M-TCK-46 | product | TCK-46 | cncMachines | set | 260000 | 0.7 | machine | 1-4 | 2 | 12
DK7745 数控电火花线切割机床 | M-DK7745 | product | DK7745 | cncMachines | set | 76000 | 0.75 | machine | 1-3 | 3 | 12
MK7150 数控平面磨床 | M-MK7150 | product | MK7150 | cncMachines | set | 185000 | 0.72 | machine | 1-2 | 2 | 12
5AX-400 五轴联动加工中心 | M-5AX-400 | product | 5AX-400 | cncMachines | set | 3200000 | 0.66 | machine | 1-1 | 4 | 24
RB-20 机器人上下料工作站 | A-RB-20 | product | RB-20 | automation | set | 380000 | 0.66 | automation | 1-3 | 3 | 12
WR-6 焊接机器人工作站 | A-WR-6 | product | WR-6 | automation | set | 450000 | 0.65 | automation | 1-3 | 4 | 12
AGV-1000 自动导引车 | A-AGV-1000 | product | AGV-1000 | automation | set | 160000 | 0.64 | automation | 2-8 | 3 | 12
VS-2 视觉检测系统 | A-VS-2 | product | VS-2 | automation | set | 120000 | 0.55 | automation | 1-4 | 2 | 12
AL-300 柔性自动化装配线 | A-AL-300 | product | AL-300 | automation | set | 4800000 | 0.68 | line | 1-1 | 3 | 24
SL-120 智能立体仓库 | A-SL-120 | product | SL-120 | automation | set | 3600000 | 0.7 | line | 1-1 | 2 | 24
山梨酸钾 | F-PS-01 | product | FA-PS01 | foodAdditives | ton | 26000 | 0.78 | additive | 2-40 | 0.3 | -
苯甲酸钠 | F-SB-02 | product | FA-SB02 | foodAdditives | ton | 11500 | 0.8 | additive | 5-60 | 0.3 | -
柠檬酸（无水） | F-CA-03 | product | FA-CA03 | foodAdditives | ton | 7800 | 0.82 | additive | 5-80 | 0.2 | -
黄原胶 | F-XG-04 | product | FA-XG04 | foodAdditives | ton | 23000 | 0.77 | additive | 1-20 | 0.4 | -
卡拉胶 | F-CG-05 | product | FA-CG05 | foodAdditives | ton | 68000 | 0.75 | additive | 1-10 | 0.5 | -
果胶 | F-PC-06 | product | FA-PC06 | foodAdditives | ton | 98000 | 0.74 | additive | 1-8 | 0.5 | -
乳酸链球菌素 | F-NS-07 | product | FA-NS07 | foodAdditives | kg | 520 | 0.7 | additive | 20-500 | 0.4 | -
三氯蔗糖 | F-SC-08 | product | FA-SC08 | foodAdditives | kg | 380 | 0.76 | additive | 50-800 | 0.3 | -
维生素C（抗坏血酸） | F-VC-09 | product | FA-VC09 | foodAdditives | ton | 32000 | 0.79 | additive | 1-20 | 0.3 | -
瓜尔胶 | F-GG-10 | product | FA-GG10 | foodAdditives | ton | 18500 | 0.78 | additive | 1-30 | 0.4 | -
复合防腐剂 | F-MP-11 | product | FA-MP11 | foodAdditives | ton | 45000 | 0.72 | additive | 1-15 | 0.8 | -
单甘酯 | F-DG-12 | product | FA-DG12 | foodAdditives | ton | 12800 | 0.8 | additive | 2-40 | 0.3 | -
制造执行系统 MES 标准版 | S-MES-STD | product | MES 5 | software | license | 380000 | 0.25 | software | 1-1 | 1 | 12
设备远程监控平台（年费） | S-IOT-YR | service | IoT Cloud | software | year | 48000 | 0.3 | software | 1-3 | 1 | -
CAD/CAM 编程软件 | S-CAM-01 | product | CAM 2024 | software | license | 65000 | 0.2 | software | 1-10 | 0.5 | 12
质量追溯系统 | S-QTS-01 | product | QTS 3 | software | license | 150000 | 0.25 | software | 1-1 | 0.5 | 12
主轴单元 BT40-12000 | P-SP-BT40 | part | BT40-12000 | spareParts | piece | 36000 | 0.45 | machinePart | 1-2 | 0.5 | 6
滚珠丝杠 SFU4010 | P-BS-4010 | part | SFU4010 | spareParts | piece | 2800 | 0.42 | machinePart | 1-6 | 0.2 | 6
直线导轨 HGH35 | P-LG-35 | part | HGH35 | spareParts | piece | 1900 | 0.4 | machinePart | 2-8 | 0.2 | 6
伺服电机 1.8kW | P-SM-18 | part | SM-1.8 | spareParts | piece | 5200 | 0.48 | machinePart | 1-4 | 0.4 | 6
数控系统操作面板 | P-CP-01 | part | CP-01 | spareParts | piece | 8600 | 0.5 | machinePart | 1-2 | 0.3 | 6
刀库（24 把） | P-TM-24 | part | TM-24 | spareParts | piece | 42000 | 0.5 | machinePart | 1-1 | 0.4 | 6
冷却泵 CP-180 | P-CP-180 | part | CP-180 | spareParts | piece | 1200 | 0.4 | machinePart | 1-4 | 0.2 | 6
液压卡盘 K11-250 | P-CK-250 | part | K11-250 | spareParts | piece | 3400 | 0.45 | machinePart | 1-4 | 0.2 | 6
刀柄 BT40-ER32 | P-TH-ER32 | part | BT40-ER32 | spareParts | piece | 380 | 0.35 | machinePart | 5-40 | 0.1 | 3
焊枪组件 WG-350 | P-WG-350 | part | WG-350 | spareParts | piece | 6800 | 0.45 | robotPart | 1-6 | 0.4 | 6
机器人减速机 RV-40E | P-RV-40E | part | RV-40E | spareParts | piece | 18500 | 0.5 | robotPart | 1-2 | 0.4 | 6
现场维修工时 | L-REPAIR-H | labour | LAB-H | services | hour | 450 | 0.4 | labour | 2-24 | 0 | -
安装调试服务 | L-INSTALL-D | labour | LAB-INST | services | day | 2800 | 0.4 | labour | 2-10 | 0 | -
工程师驻场服务 | L-ONSITE-D | labour | LAB-ONSITE | services | day | 3200 | 0.45 | labour | 5-30 | 0 | -
加急上门服务费 | L-URGENT | labour | LAB-URG | services | piece | 1500 | 0.3 | labour | 1-2 | 0 | -
年度保养合同（单台） | V-MAINT-YR | service | SVC-MAINT | services | year | 12000 | 0.3 | service | 1-6 | 0 | -
延长保修一年 | V-EXTWAR-1Y | service | SVC-EXTW | services | year | 18000 | 0.25 | service | 1-4 | 0 | -
数控操作培训（5 天） | V-TRAIN-5D | service | SVC-TRAIN | services | piece | 9800 | 0.35 | service | 1-3 | 0 | -
远程技术支持年费 | V-REMOTE-YR | service | SVC-REMOTE | services | year | 6000 | 0.2 | service | 1-2 | 0 | -
`;

export const PRODUCTS: readonly ProductSpec[] = PRODUCT_TABLE.trim()
  .split('\n')
  .map((line) => {
    const [name, sku, type, model, family, unit, price, costRatio, group, quantity, failure, warranty] = line
      .split('|')
      .map((cell) => cell.trim());
    const [min, max] = quantity!.split('-').map(Number);
    return {
      name: name!,
      sku: sku!,
      type: type as ProductSpec['type'],
      model: model!,
      family: family!,
      unit: unit!,
      price: Number(price),
      costRatio: Number(costRatio),
      group: group as ProductGroup,
      quantity: [min!, max!],
      failure: Number(failure),
      warrantyMonths: warranty === '-' ? undefined : Number(warranty),
    };
  });

export interface CompetitorSpec {
  name: string;
  website: string;
  threatLevel: string;
  pricePosition: string;
  mainProducts: string;
  strengths: string;
  weaknesses: string;
}

// name | website | threat level | price position | main products | strengths | weaknesses
const COMPETITOR_TABLE = `
大连精机机床有限公司 | https://www.dljingji.com | high | similar | 数控车床、立式加工中心 | 东北市场渠道深，交期短。 | 售后响应慢，精度保持性一般。
北方数控装备股份有限公司 | https://www.beifangcnc.com | medium | budget | 经济型数控车床 | 价格低，适合批量采购。 | 高端机型少，配置选择有限。
宁江精工机械有限公司 | https://www.njjinggong.com | medium | similar | 磨床、专用机床 | 磨削工艺经验丰富。 | 加工中心产品线弱。
Okuda Seiki Co., Ltd. | https://www.okuda-seiki.co.jp | high | premium | 五轴加工中心、卧式加工中心 | Brand, accuracy, strong in automotive. | Price, long lead times, spare parts cost.
Deckel Präzision GmbH | https://www.deckel-praezision.de | high | premium | 龙门加工中心、五轴加工中心 | High-end five-axis technology. | Few service engineers in China.
Haastec Machine Tools Inc. | https://www.haastec.com | medium | budget | 立式加工中心 | Simple to operate, cheap entry models. | Rigidity for heavy cutting.
华中智造自动化有限公司 | https://www.hzzhizao.com | medium | similar | 机器人工作站、自动化产线 | 系统集成案例多。 | 项目交付周期长。
Kronos Automation AG | https://www.kronos-automation.ch | medium | premium | 柔性装配线 | Reliable lines, global references. | Expensive, little local customisation.
鲁南食品配料有限公司 | https://www.lunanpeiliao.com | high | budget | 防腐剂、增稠剂 | 价格低，山东本地配送快。 | 批次稳定性差，缺少技术服务。
Gulfstream Ingredients LLC | https://www.gulfstream-ingredients.com | low | premium | 胶体、甜味剂 | Certified quality for export customers. | Price and minimum order quantities.
瑞鸿工业软件有限公司 | https://www.ruihongsoft.com | medium | budget | MES、质量追溯系统 | 报价低，实施灵活。 | 与设备集成能力弱。
`;

export const COMPETITORS: readonly CompetitorSpec[] = COMPETITOR_TABLE.trim()
  .split('\n')
  .map((line) => {
    const [name, website, threatLevel, pricePosition, mainProducts, strengths, weaknesses] = line
      .split('|')
      .map((cell) => cell.trim());
    return {
      name: name!,
      website: website!,
      threatLevel: threatLevel!,
      pricePosition: pricePosition!,
      mainProducts: mainProducts!,
      strengths: strengths!,
      weaknesses: weaknesses!,
    };
  });

export interface StageSpec {
  stage: string;
  name: string;
  probability: number;
  expectedDays: number;
}

export interface PipelineSpec {
  name: string;
  type: 'expansion' | 'repeatOrder' | 'project';
  isDefault: boolean;
  description: string;
  /** The open stages in order; every pipeline ends in closedWon / closedLost. */
  stages: StageSpec[];
}

const s = (stage: string, name: string, probability: number, expectedDays: number): StageSpec => ({
  stage,
  name,
  probability,
  expectedDays,
});

export const PIPELINES: readonly PipelineSpec[] = [
  {
    name: '设备新购（扩张型销售）',
    type: 'expansion',
    isDefault: true,
    description: '单价高、一次性采购的新客户设备销售：需求分析、技术交流、方案报价、商务谈判。',
    stages: [
      s('prospecting', '潜在机会', 10, 14),
      s('qualification', '需求确认', 20, 14),
      s('needsAnalysis', '需求分析', 35, 21),
      s('proposal', '方案报价', 55, 21),
      s('negotiation', '商务谈判', 80, 14),
    ],
  },
  {
    name: '老客户复购（保留型销售）',
    type: 'repeatOrder',
    isDefault: false,
    description: '老客户的重复订购与增购：确认需求、报价、谈判，周期短。',
    stages: [s('qualification', '需求确认', 30, 5), s('proposal', '报价', 60, 7), s('negotiation', '商务谈判', 85, 5)],
  },
  {
    name: '项目型销售',
    type: 'project',
    isDefault: false,
    description: '产线、系统集成等大型复杂项目：跨团队方案设计、招投标、长周期。',
    stages: [
      s('qualification', '项目立项', 10, 30),
      s('solutionDesign', '方案设计', 25, 45),
      s('bidding', '招投标', 50, 30),
      s('negotiation', '商务谈判', 75, 30),
    ],
  },
];

export interface SurveySpec {
  name: string;
  type: 'caseFollowUp' | 'relationship';
  description: string;
  dimensions: { name: string; weight: number; scale: { label: string; value: number }[]; description: string }[];
}

const three = (good: string, mid: string, bad: string) => [
  { label: good, value: 5 },
  { label: mid, value: 3 },
  { label: bad, value: 1 },
];
const five = [
  { label: '非常满意', value: 5 },
  { label: '满意', value: 4 },
  { label: '一般', value: 3 },
  { label: '不满意', value: 2 },
  { label: '非常不满意', value: 1 },
];

export const SURVEYS: readonly SurveySpec[] = [
  {
    name: '服务回访满意度调查',
    type: 'caseFollowUp',
    description: '每个服务请求解决后电话回访或凭签字工单录入，五个维度加权计分（SVC-5）。',
    dimensions: [
      { name: '响应速度', weight: 0.25, scale: three('快', '一般', '慢'), description: '从报修到首次响应的速度' },
      {
        name: '解决程度',
        weight: 0.3,
        scale: three('完全解决', '基本解决', '未解决'),
        description: '问题是否彻底解决',
      },
      { name: '服务效率', weight: 0.15, scale: three('高', '一般', '低'), description: '处理过程是否高效' },
      { name: '服务态度', weight: 0.2, scale: three('满意', '一般', '不满意'), description: '工程师和客服的态度' },
      { name: '价格', weight: 0.1, scale: three('合理', '一般', '偏高'), description: '收费是否合理' },
    ],
  },
  {
    name: '年度客户满意度调查',
    type: 'relationship',
    description: '每年年底对重点客户进行的整体满意度调查。',
    dimensions: [
      { name: '产品质量', weight: 0.35, scale: five, description: '设备和产品的质量与稳定性' },
      { name: '交付及时性', weight: 0.25, scale: five, description: '是否按期交付' },
      { name: '技术支持', weight: 0.25, scale: five, description: '售前与售后技术支持' },
      { name: '性价比', weight: 0.15, scale: five, description: '价格与价值是否相符' },
    ],
  },
];

export interface TeamSpec {
  name: string;
  type: 'sales' | 'presales' | 'service' | 'marketing' | 'channel' | 'management';
  /** Territory code the team covers. */
  territory?: string;
  /** Share of the sales staff (sales teams only). */
  weight?: number;
}

export const TEAMS: readonly TeamSpec[] = [
  { name: '总经办', type: 'management' },
  { name: '华北销售部', type: 'sales', territory: 'CN-NORTH', weight: 3 },
  { name: '东北销售部', type: 'sales', territory: 'CN-NE', weight: 2 },
  { name: '山东销售部', type: 'sales', territory: 'CN-EAST-SD', weight: 5 },
  { name: '江浙沪销售部', type: 'sales', territory: 'CN-EAST-JZH', weight: 5 },
  { name: '华东销售部', type: 'sales', territory: 'CN-EAST', weight: 2 },
  { name: '华南销售部', type: 'sales', territory: 'CN-SOUTH', weight: 4 },
  { name: '华中销售部', type: 'sales', territory: 'CN-CENTRAL', weight: 2 },
  { name: '西南销售部', type: 'sales', territory: 'CN-SW', weight: 2 },
  { name: '西北销售部', type: 'sales', territory: 'CN-NW', weight: 1 },
  { name: '海外业务部', type: 'sales', territory: 'INTL', weight: 3 },
  { name: '大客户部', type: 'sales', weight: 3 },
  { name: '售前技术部', type: 'presales' },
  { name: '客户服务中心', type: 'service' },
  { name: '现场服务部', type: 'service' },
  { name: '市场部', type: 'marketing' },
  { name: '渠道管理部', type: 'channel' },
];

export interface TerritorySpec {
  code: string;
  name: string;
  region: string;
  provinces: string;
  parent?: string;
}

export const TERRITORIES: readonly TerritorySpec[] = [
  { code: 'CN-NORTH', name: '华北区', region: 'north', provinces: '北京市, 天津市, 河北省, 山西省' },
  { code: 'CN-NE', name: '东北区', region: 'northeast', provinces: '辽宁省, 吉林省, 黑龙江省' },
  {
    code: 'CN-EAST',
    name: '华东区',
    region: 'east',
    provinces: '山东省, 江苏省, 浙江省, 上海市, 安徽省, 福建省, 江西省',
  },
  { code: 'CN-CENTRAL', name: '华中区', region: 'central', provinces: '河南省, 湖北省, 湖南省' },
  { code: 'CN-SOUTH', name: '华南区', region: 'south', provinces: '广东省, 广西壮族自治区' },
  { code: 'CN-SW', name: '西南区', region: 'southwest', provinces: '重庆市, 四川省, 云南省, 贵州省' },
  { code: 'CN-NW', name: '西北区', region: 'northwest', provinces: '陕西省, 甘肃省, 新疆维吾尔自治区' },
  { code: 'INTL', name: '海外市场', region: 'overseas', provinces: 'Singapore, Malaysia, Thailand, Vietnam, India, …' },
  { code: 'CN-EAST-SD', name: '山东片区', region: 'east', provinces: '山东省', parent: 'CN-EAST' },
  { code: 'CN-EAST-JZH', name: '江浙沪片区', region: 'east', provinces: '江苏省, 浙江省, 上海市', parent: 'CN-EAST' },
];

/** The territory code of a Chinese province (or INTL abroad). */
export function territoryOf(province: string | undefined, region: string): string {
  if (province === '山东省') return 'CN-EAST-SD';
  if (province === '江苏省' || province === '浙江省' || province === '上海市') return 'CN-EAST-JZH';
  return TERRITORIES.find((t) => t.region === region && !t.parent)?.code ?? 'INTL';
}

/** The sales team covering a territory. */
export function salesTeamOf(territory: string): string {
  return TEAMS.find((t) => t.territory === territory)?.name ?? '华东销售部';
}

export const POLICY_ARTICLES: readonly { title: string; summary: string; category: string; visibility: string }[] = [
  {
    title: '设备保修政策',
    summary: '整机保修 12 个月（五轴与产线 24 个月），易损件除外；保修期内免费上门。',
    category: 'policy',
    visibility: 'public',
  },
  {
    title: '服务请求分级与响应时限（SLA）说明',
    summary: '紧急 24 小时、高 48 小时、普通 5 天、低 10 天内解决；首次响应不超过 2 小时。',
    category: 'policy',
    visibility: 'public',
  },
  {
    title: '上门服务收费标准',
    summary: '保修期外按工时 450 元/小时计费，加急上门另收 1500 元。',
    category: 'policy',
    visibility: 'public',
  },
  {
    title: '备件退换货流程',
    summary: '收到备件 7 天内可凭服务单号申请退换，需保持包装完好。',
    category: 'howTo',
    visibility: 'partners',
  },
  {
    title: '如何通过微信提交服务请求',
    summary: '关注服务公众号，点击“我要报修”，填写设备序列号与故障描述。',
    category: 'howTo',
    visibility: 'public',
  },
  {
    title: '经销商销售线索分配规则',
    summary: '按授权区域与产品线自动分配，48 小时内未跟进的线索收回重新分配。',
    category: 'policy',
    visibility: 'partners',
  },
];

/** Saved filters in the API's filter language, evaluated live by the segment service (MKT-3). */
export const SEGMENTS: readonly {
  name: string;
  targetEntity: string;
  filter: Record<string, unknown>;
  description: string;
}[] = [
  {
    name: 'A 类核心客户',
    targetEntity: 'account',
    filter: { valueTier: { eq: 'A' } },
    description: '价值等级为 A 的客户，重点维护。',
  },
  {
    name: '华东制造业成交客户',
    targetEntity: 'account',
    filter: {
      and: [
        { industry: { eq: 'manufacturing' } },
        { type: { eq: 'customer' } },
        { province: { in: ['山东省', '江苏省', '浙江省', '上海市'] } },
      ],
    },
    description: '山东、江浙沪的制造业客户。',
  },
  {
    name: '90 天未下单的 B/C 类客户',
    targetEntity: 'account',
    filter: { valueTier: { in: ['B', 'C'] }, orders: { none: { orderDate: { inLast: { amount: 90, unit: 'day' } } } } },
    description: '有流失风险的客户，用于挽回活动（MKT-3）。',
  },
  {
    name: '购买过数控机床的客户',
    targetEntity: 'account',
    filter: { orders: { some: { lines: { some: { product: { family: { eq: 'cncMachines' } } } } } } },
    description: '交叉销售 MES 与保养合同的目标客户。',
  },
  {
    name: '采购决策人',
    targetEntity: 'contact',
    filter: { buyingRole: { in: ['decisionMaker', 'procurement'] }, emailOptOut: { eq: false } },
    description: '接受营销邮件的决策者与采购。',
  },
  {
    name: '高分未转化线索',
    targetEntity: 'lead',
    filter: { score: { gte: 70 }, status: { in: ['new', 'contacted', 'qualified'] } },
    description: '评分 70 以上、尚未转化的线索。',
  },
];
