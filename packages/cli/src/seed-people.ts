// People for the demo data: Chinese and English names (with pinyin for e-mail addresses), job titles with
// the part each plays in a purchase, and the staff of the demo company.
import type { Random } from './seed-random.ts';

const pairs = (text: string) => text.split(',').map((p) => p.split(' ') as [string, string]);

/** Surnames, most common first, with pinyin. */
const CN_SURNAMES = pairs(
  '王 wang,李 li,张 zhang,刘 liu,陈 chen,杨 yang,赵 zhao,黄 huang,周 zhou,吴 wu,徐 xu,孙 sun,胡 hu,朱 zhu,高 gao,' +
    '林 lin,何 he,郭 guo,马 ma,罗 luo,梁 liang,宋 song,郑 zheng,谢 xie,韩 han,唐 tang,冯 feng,于 yu,董 dong,萧 xiao,' +
    '程 cheng,曹 cao,袁 yuan,邓 deng,傅 fu,沈 shen,曾 zeng,彭 peng,吕 lv,苏 su',
);
const SURNAME_WEIGHTS = CN_SURNAMES.map((s, i) => [s, 40 - i] as const);

/** Given names with pinyin and gender. */
const CN_GIVEN = (
  '伟 wei m,芳 fang f,娜 na f,秀英 xiuying f,敏 min f,静 jing f,丽 li f,强 qiang m,磊 lei m,军 jun m,洋 yang m,' +
  '勇 yong m,艳 yan f,杰 jie m,娟 juan f,涛 tao m,明 ming m,超 chao m,秀兰 xiulan f,霞 xia f,平 ping m,刚 gang m,' +
  '桂英 guiying f,建华 jianhua m,建国 jianguo m,志强 zhiqiang m,海燕 haiyan f,晓东 xiaodong m,晓明 xiaoming m,' +
  '文博 wenbo m,子涵 zihan f,浩然 haoran m,宇轩 yuxuan m,欣怡 xinyi f,梓萱 zixuan f,思远 siyuan m,红梅 hongmei f,' +
  '玉兰 yulan f,德华 dehua m,永强 yongqiang m,丹 dan f,婷 ting f,鹏 peng m,辉 hui m,斌 bin m,俊 jun m,雪 xue f,' +
  '琳 lin f,倩 qian f,颖 ying f,峰 feng m,凯 kai m,亮 liang m,慧 hui f,璐 lu f,晨 chen m,昊 hao m,嘉怡 jiayi f,雨涵 yuhan f'
)
  .split(',')
  .map((p) => p.split(' ') as [string, string, 'm' | 'f']);

const EN_FIRST = (
  'James m,Robert m,Michael m,David m,Daniel m,Thomas m,Mark m,Paul m,Andrew m,Peter m,Lucas m,Noah m,Oliver m,' +
  'Raj m,Arjun m,Hiroshi m,Ahmed m,Marco m,Lars m,Somchai m,Mary f,Linda f,Sarah f,Emma f,Olivia f,Sophie f,Laura f,' +
  'Anna f,Grace f,Chloe f,Priya f,Aisha f,Yuki f,Giulia f,Ingrid f,Nurul f,Mai f,Isabel f,Hannah f,Charlotte f'
)
  .split(',')
  .map((p) => p.split(' ') as [string, 'm' | 'f']);

const EN_LAST = (
  'Smith Johnson Brown Taylor Wilson Clark Hall Young King Wright Walker Green Baker Adams Nelson Carter Mitchell ' +
  'Roberts Turner Phillips Campbell Evans Tan Lim Ng Wong Sharma Patel Kumar Nguyen Tran Rossi Bianchi Schmidt ' +
  'Müller Jansen Visser Suzuki Yamamoto Rahman'
).split(' ');

export interface Person {
  firstName: string;
  lastName: string;
  /** E-mail local part, e.g. wei.wang or sarah.tan. */
  mailbox: string;
  gender: 'm' | 'f';
  chinese: boolean;
}

export function chinesePerson(random: Random): Person {
  const [surname, surnamePinyin] = random.weighted(SURNAME_WEIGHTS);
  const [given, givenPinyin, gender] = random.pick(CN_GIVEN);
  return { firstName: given, lastName: surname, mailbox: `${givenPinyin}.${surnamePinyin}`, gender, chinese: true };
}

export function englishPerson(random: Random): Person {
  const [first, gender] = random.pick(EN_FIRST);
  const last = random.pick(EN_LAST);
  const ascii = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[^a-zA-Z]/g, '')
      .toLowerCase();
  return { firstName: first, lastName: last, mailbox: `${ascii(first)}.${ascii(last)}`, gender, chinese: false };
}

export interface JobTitle {
  zh: string;
  en: string;
  buyingRole: string;
  department: [string, string];
  weight: number;
}

const job = (zh: string, en: string, buyingRole: string, deptZh: string, deptEn: string, weight: number): JobTitle => ({
  zh,
  en,
  buyingRole,
  department: [deptZh, deptEn],
  weight,
});

export const JOB_TITLES: readonly JobTitle[] = [
  job('总经理', 'General Manager', 'decisionMaker', '总经办', 'Management', 4),
  job('董事长', 'Chairman', 'decisionMaker', '总经办', 'Management', 1),
  job('副总经理', 'Deputy General Manager', 'decisionMaker', '总经办', 'Management', 3),
  job('财务总监', 'Finance Director', 'finance', '财务部', 'Finance', 3),
  job('财务经理', 'Finance Manager', 'finance', '财务部', 'Finance', 2),
  job('技术总监', 'Technical Director', 'technical', '技术部', 'Engineering', 3),
  job('工程师', 'Engineer', 'technical', '技术部', 'Engineering', 6),
  job('信息中心主任', 'IT Manager', 'technical', '信息中心', 'IT', 2),
  job('采购经理', 'Purchasing Manager', 'procurement', '采购部', 'Purchasing', 5),
  job('采购专员', 'Buyer', 'procurement', '采购部', 'Purchasing', 5),
  job('生产厂长', 'Plant Manager', 'userDepartment', '生产部', 'Production', 3),
  job('设备部经理', 'Maintenance Manager', 'userDepartment', '设备部', 'Maintenance', 4),
  job('车间主任', 'Workshop Supervisor', 'userDepartment', '生产部', 'Production', 4),
  job('质量经理', 'Quality Manager', 'influencer', '质量部', 'Quality', 3),
  job('项目经理', 'Project Manager', 'influencer', '项目部', 'Projects', 3),
  job('行政主管', 'Office Manager', 'other', '行政部', 'Administration', 2),
];
const JOB_WEIGHTS = JOB_TITLES.map((j) => [j, j.weight] as const);

export function pickJob(random: Random): JobTitle {
  return random.weighted(JOB_WEIGHTS);
}

/** What the demo company's staff do, how many of each per 100 users, and which team kind they sit in. */
export const STAFF_ROLES: readonly { role: string; zh: string; en: string; share: number }[] = [
  { role: 'salesRep', zh: '销售代表', en: 'Sales Representative', share: 42 },
  { role: 'presales', zh: '售前工程师', en: 'Pre-sales Engineer', share: 8 },
  { role: 'serviceAgent', zh: '客服专员', en: 'Service Agent', share: 16 },
  { role: 'fieldEngineer', zh: '现场服务工程师', en: 'Field Service Engineer', share: 10 },
  { role: 'marketer', zh: '市场专员', en: 'Marketing Specialist', share: 7 },
  { role: 'channelManager', zh: '渠道经理', en: 'Channel Manager', share: 5 },
];
