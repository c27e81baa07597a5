// Places and company names for the demo data: Chinese cities with their real area codes, postcodes and
// districts, a few cities abroad, and company names that stay unique per city however many are asked for.
import type { Random } from './seed-random.ts';

export interface ChineseCity {
  zh: string;
  /** Short pinyin used in e-mail domains; unique in this list. */
  abbr: string;
  province: string;
  /** Territory region (the values of territory.region). */
  region: string;
  areaCode: string;
  postcode: string;
  districts: readonly string[];
  weight: number;
}

const c = (
  zh: string,
  abbr: string,
  province: string,
  region: string,
  areaCode: string,
  postcode: string,
  districts: string,
  weight: number,
): ChineseCity => ({ zh, abbr, province, region, areaCode, postcode, districts: districts.split(' '), weight });

export const CN_CITIES: readonly ChineseCity[] = [
  c('济南', 'jn', '山东省', 'east', '0531', '250', '历下区 市中区 槐荫区 历城区 高新区', 8),
  c('青岛', 'qd', '山东省', 'east', '0532', '266', '市南区 崂山区 黄岛区 城阳区', 6),
  c('烟台', 'yt', '山东省', 'east', '0535', '264', '芝罘区 莱山区 福山区', 3),
  c('潍坊', 'wf', '山东省', 'east', '0536', '261', '奎文区 潍城区 寒亭区', 3),
  c('淄博', 'zb', '山东省', 'east', '0533', '255', '张店区 淄川区 临淄区', 2),
  c('北京', 'bj', '北京市', 'north', '010', '100', '朝阳区 海淀区 东城区 丰台区 大兴区', 7),
  c('天津', 'tj', '天津市', 'north', '022', '300', '滨海新区 南开区 河西区 西青区', 3),
  c('石家庄', 'sjz', '河北省', 'north', '0311', '050', '长安区 桥西区 裕华区', 2),
  c('太原', 'ty', '山西省', 'north', '0351', '030', '小店区 迎泽区 杏花岭区', 1),
  c('上海', 'sh', '上海市', 'east', '021', '200', '浦东新区 闵行区 徐汇区 嘉定区 松江区', 7),
  c('苏州', 'suz', '江苏省', 'east', '0512', '215', '工业园区 吴中区 相城区 昆山市', 5),
  c('南京', 'nj', '江苏省', 'east', '025', '210', '江宁区 鼓楼区 建邺区 浦口区', 4),
  c('无锡', 'wx', '江苏省', 'east', '0510', '214', '滨湖区 新吴区 梁溪区', 3),
  c('常州', 'cz', '江苏省', 'east', '0519', '213', '武进区 新北区 天宁区', 2),
  c('杭州', 'hz', '浙江省', 'east', '0571', '310', '西湖区 滨江区 余杭区 萧山区', 5),
  c('宁波', 'nb', '浙江省', 'east', '0574', '315', '鄞州区 北仑区 江北区', 3),
  c('温州', 'wz', '浙江省', 'east', '0577', '325', '鹿城区 瓯海区 龙湾区', 2),
  c('合肥', 'hf', '安徽省', 'east', '0551', '230', '蜀山区 包河区 瑶海区', 2),
  c('福州', 'fz', '福建省', 'east', '0591', '350', '鼓楼区 仓山区 马尾区', 2),
  c('厦门', 'xm', '福建省', 'east', '0592', '361', '思明区 湖里区 集美区', 2),
  c('南昌', 'nc', '江西省', 'east', '0791', '330', '红谷滩区 青山湖区 西湖区', 1),
  c('广州', 'gz', '广东省', 'south', '020', '510', '天河区 黄埔区 番禺区 白云区', 6),
  c('深圳', 'sz', '广东省', 'south', '0755', '518', '南山区 福田区 宝安区 龙岗区', 6),
  c('东莞', 'dg', '广东省', 'south', '0769', '523', '南城街道 长安镇 松山湖', 3),
  c('佛山', 'fs', '广东省', 'south', '0757', '528', '顺德区 南海区 禅城区', 3),
  c('南宁', 'nn', '广西壮族自治区', 'south', '0771', '530', '青秀区 西乡塘区 良庆区', 1),
  c('武汉', 'wh', '湖北省', 'central', '027', '430', '洪山区 江汉区 东西湖区 汉阳区', 4),
  c('长沙', 'cs', '湖南省', 'central', '0731', '410', '岳麓区 雨花区 开福区', 3),
  c('郑州', 'zz', '河南省', 'central', '0371', '450', '金水区 中原区 二七区', 3),
  c('成都', 'cd', '四川省', 'southwest', '028', '610', '武侯区 高新区 锦江区 双流区', 4),
  c('重庆', 'cq', '重庆市', 'southwest', '023', '400', '渝北区 九龙坡区 江北区 沙坪坝区', 3),
  c('昆明', 'km', '云南省', 'southwest', '0871', '650', '五华区 官渡区 盘龙区', 1),
  c('贵阳', 'gy', '贵州省', 'southwest', '0851', '550', '观山湖区 南明区 云岩区', 1),
  c('西安', 'xa', '陕西省', 'northwest', '029', '710', '雁塔区 未央区 碑林区 长安区', 3),
  c('兰州', 'lz', '甘肃省', 'northwest', '0931', '730', '城关区 七里河区 安宁区', 1),
  c('乌鲁木齐', 'wlmq', '新疆维吾尔自治区', 'northwest', '0991', '830', '天山区 沙依巴克区 新市区', 1),
  c('沈阳', 'sy', '辽宁省', 'northeast', '024', '110', '和平区 铁西区 浑南区', 3),
  c('大连', 'dl', '辽宁省', 'northeast', '0411', '116', '中山区 甘井子区 金州区', 2),
  c('长春', 'cc', '吉林省', 'northeast', '0431', '130', '朝阳区 南关区 绿园区', 2),
  c('哈尔滨', 'hrb', '黑龙江省', 'northeast', '0451', '150', '南岗区 道里区 香坊区', 2),
];

export interface ForeignCity {
  city: string;
  country: string;
  /** Country calling code and area prefix, e.g. `+65 6`. */
  dial: string;
  /** Digits after the prefix. */
  localDigits: number;
  legalForm: string;
  /** Top-level domain of company websites there; unique per city so domains stay unique. */
  tld: string;
  /** Postcode pattern; each # is a digit. */
  postcode: string;
  streets: readonly string[];
  weight: number;
}

// city | country | dialling prefix | local digits | legal form | web domain | postcode | streets | weight
const FOREIGN_TABLE = `
Singapore | Singapore | +65 6 | 7 | Pte. Ltd. | .com.sg | 6##### | Jurong West Street,Tuas Avenue,Ang Mo Kio Industrial Park,Changi Business Park Crescent | 3
Kuala Lumpur | Malaysia | +60 3 | 8 | Sdn. Bhd. | .com.my | 5#### | Jalan Ampang,Jalan Tun Razak,Jalan Klang Lama | 2
Bangkok | Thailand | +66 2 | 7 | Co., Ltd. | .co.th | 10### | Sukhumvit Road,Rama IV Road,Bang Na-Trat Road | 2
Ho Chi Minh City | Vietnam | +84 28 | 8 | Co., Ltd. | .vn | 70#### | Nguyen Van Linh Parkway,Le Loi Street,Tan Thuan Export Zone Road | 2
Mumbai | India | +91 22 | 8 | Pvt. Ltd. | .in | 400### | Andheri-Kurla Road,MIDC Road,Linking Road | 2
Dubai | United Arab Emirates | +971 4 | 7 | LLC | .ae | 00000 | Sheikh Zayed Road,Jebel Ali Free Zone,Al Quoz Industrial Area | 1
Sydney | Australia | +61 2 | 8 | Pty Ltd | .com.au | 2### | George Street,Parramatta Road,Pacific Highway | 1
London | United Kingdom | +44 20 | 8 | Ltd | .co.uk | EC#A #BB | Commercial Road,Old Street,Kingsway | 1
Hamburg | Germany | +49 40 | 8 | GmbH | .de | 2#### | Hafenstraße,Industriestraße,Billstraße | 2
Milan | Italy | +39 02 | 8 | S.r.l. | .it | 201## | Via Roma,Viale Monza,Via Mecenate | 1
Rotterdam | Netherlands | +31 10 | 7 | B.V. | .nl | 30## AB | Waalhaven,Coolsingel,Schiedamseweg | 1
Chicago | United States | +1 312 | 7 | Inc. | .com | 606## | West Lake Street,South Halsted Street,North Elston Avenue | 2
Houston | United States | +1 713 | 7 | Inc. | .us | 770## | Westheimer Road,Gessner Drive,Clay Road | 1
Toronto | Canada | +1 416 | 7 | Inc. | .ca | M#H #N# | Bay Street,Dufferin Street,Eglinton Avenue | 1
`;

export const FOREIGN_CITIES: readonly ForeignCity[] = FOREIGN_TABLE.trim()
  .split('\n')
  .map((line) => {
    const [city, country, dial, localDigits, legalForm, tld, postcode, streets, weight] = line
      .split(' | ')
      .map((cell) => cell.trim());
    return {
      city: city!,
      country: country!,
      dial: dial!,
      localDigits: Number(localDigits),
      legalForm: legalForm!,
      tld: tld!,
      postcode: postcode!,
      streets: streets!.split(','),
      weight: Number(weight),
    };
  });

export const CN_ROADS = (
  '经十路 解放路 人民路 中山路 建设路 和平路 长江路 黄河路 科技路 工业大道 高新路 创业路 世纪大道 滨河路 学府路 ' +
  '新华路 胜利路 花园路 科学大道 软件园路 开发大道 东方路 朝阳路 振兴路 港城大道 金融街 产业园路'
).split(' ');

/** Company name parts: [Chinese, pinyin]. */
export const CN_CORES: readonly (readonly [string, string])[] = (
  '华远 huayuan,恒信 hengxin,东方 dongfang,金桥 jinqiao,海川 haichuan,瑞丰 ruifeng,天成 tiancheng,宏达 hongda,' +
  '新科 xinke,中联 zhonglian,博奥 boao,永泰 yongtai,鼎盛 dingsheng,华泰 huatai,正和 zhenghe,国信 guoxin,明德 mingde,' +
  '盛世 shengshi,汇通 huitong,凯达 kaida,精工 jinggong,联创 lianchuang,力源 liyuan,浩瀚 haohan,齐鲁 qilu,华宇 huayu,' +
  '远大 yuanda,嘉禾 jiahe,宏图 hongtu,恒通 hengtong,金泰 jintai,银河 yinhe,星辰 xingchen,同创 tongchuang,德润 derun,' +
  '开元 kaiyuan,华盛 huasheng,信诚 xincheng,卓越 zhuoyue,新源 xinyuan,鑫达 xinda,利民 limin,振华 zhenhua,安泰 antai,' +
  '中科 zhongke,天润 tianrun,润华 runhua,昌盛 changsheng,富源 fuyuan,金鼎 jinding,瑞泰 ruitai,三和 sanhe,九州 jiuzhou,' +
  '八方 bafang,万通 wantong,百川 baichuan,顺达 shunda,佳美 jiamei,宏远 hongyuan,亿达 yida,伟业 weiye,中天 zhongtian,' +
  '大成 dacheng,华新 huaxin,立信 lixin,恒达 hengda,金石 jinshi,天宇 tianyu,蓝天 lantian,绿源 lvyuan,青云 qingyun,' +
  '海纳 haina,锦程 jincheng,和信 hexin,通达 tongda,鹏程 pengcheng,腾飞 tengfei,翔宇 xiangyu,聚源 juyuan,泰和 taihe'
)
  .split(',')
  .map((pair) => pair.split(' ') as [string, string]);

export interface Trade {
  zh: string;
  en: string;
  code: string;
  industry: string;
  /** Which product family the company mostly buys; drives pipelines and order contents. */
  buys: 'machines' | 'automation' | 'additives' | 'software';
}

const t = (zh: string, en: string, code: string, industry: string, buys: Trade['buys']): Trade => ({
  zh,
  en,
  code,
  industry,
  buys,
});

export const TRADES: readonly Trade[] = [
  t('数控设备', 'CNC Equipment', 'cnc', 'manufacturing', 'machines'),
  t('机械制造', 'Machinery', 'jx', 'manufacturing', 'machines'),
  t('精密机械', 'Precision Engineering', 'jm', 'manufacturing', 'machines'),
  t('汽车零部件', 'Auto Parts', 'auto', 'manufacturing', 'machines'),
  t('模具', 'Tooling', 'mould', 'manufacturing', 'machines'),
  t('电气', 'Electric', 'dq', 'manufacturing', 'automation'),
  t('自动化设备', 'Automation', 'zdh', 'manufacturing', 'automation'),
  t('新能源', 'New Energy', 'ne', 'manufacturing', 'automation'),
  t('食品', 'Foods', 'food', 'manufacturing', 'additives'),
  t('食品配料', 'Ingredients', 'pl', 'manufacturing', 'additives'),
  t('乳业', 'Dairy', 'dairy', 'manufacturing', 'additives'),
  t('饮料', 'Beverages', 'yl', 'manufacturing', 'additives'),
  t('生物科技', 'Biotech', 'bio', 'healthcare', 'additives'),
  t('医疗器械', 'Medical Devices', 'med', 'healthcare', 'machines'),
  t('制药', 'Pharma', 'pharm', 'healthcare', 'additives'),
  t('软件', 'Software', 'soft', 'technology', 'software'),
  t('电子科技', 'Electronics', 'dz', 'technology', 'automation'),
  t('信息技术', 'IT Services', 'it', 'technology', 'software'),
  t('连锁超市', 'Retail', 'mart', 'retail', 'software'),
  t('商贸', 'Trading', 'trade', 'retail', 'additives'),
  t('融资租赁', 'Leasing', 'lease', 'finance', 'machines'),
  t('职业技术学院', 'Technical College', 'edu', 'education', 'machines'),
  t('城市建设投资', 'Urban Development', 'ct', 'government', 'software'),
  t('物流', 'Logistics', 'wl', 'other', 'automation'),
];

const CN_FORMS = ['有限公司', '股份有限公司', '集团有限公司', '有限责任公司'];
const EN_ROUND_WORDS = ['', 'International', 'Holdings', 'Group', 'Worldwide'];

export const EN_CORES = (
  'Northwind Contoso Fabrikam Tailspin Litware Adatum Proseware Wingtip Lucerne Coho Alpine Summit Meridian Pinnacle ' +
  'Keystone Lakeside Silverline Ironbridge Westfield Brightwater Oakridge Redwood Bluewater Harbor Crestview Evergreen ' +
  'Granite Horizon Ironwood Juniper Kestrel Larkspur Maple Norwood Orion Pioneer Riverside Sterling Trident Unity ' +
  'Vanguard Willow Zenith Atlas Beacon Cobalt Delta Ember Falcon Galaxy Helix Indigo Jasper Kingfisher Lumen Monarch ' +
  'Nova Onyx Polaris'
).split(' ');

export interface CompanyName {
  name: string;
  /** E-mail and web domain, unique per company. */
  domain: string;
  trade: Trade;
}

/**
 * Names companies city by city: the n-th company of a city gets the n-th entry of a fixed permutation of
 * (core, trade) pairs, so names never repeat within a city and need no running number. Later rounds
 * change the legal form (Chinese) or add a word (English).
 */
export class CompanyNamer {
  readonly #counters = new Map<string, number>();
  readonly #offset: number;

  constructor(offset: number) {
    this.#offset = offset;
  }

  #next(key: string, salt: number, size: number): { index: number; round: number } {
    const n = this.#counters.get(key) ?? 0;
    this.#counters.set(key, n + 1);
    // 7919 is prime and divides neither list size, so stepping by it visits every pair once per round;
    // the salt starts each city somewhere else, so the first companies of all cities differ.
    return { index: (n * 7919 + this.#offset + salt * 4391) % size, round: Math.floor(n / size) };
  }

  chinese(city: ChineseCity): CompanyName {
    const { index, round } = this.#next(city.zh, CN_CITIES.indexOf(city), CN_CORES.length * TRADES.length);
    const [core, pinyin] = CN_CORES[index % CN_CORES.length]!;
    const trade = TRADES[Math.floor(index / CN_CORES.length)]!;
    const form = CN_FORMS[round % CN_FORMS.length]!;
    const extra = round >= CN_FORMS.length ? String(Math.floor(round / CN_FORMS.length) + 1) : '';
    // A college is no company: no legal form, and an .edu.cn domain.
    const college = trade.industry === 'education';
    const name = `${city.zh}${core}${trade.zh}${college ? '' : form}${extra}`;
    const domain = `${city.abbr}${pinyin}${trade.code}${round > 0 ? round : ''}${college ? '.edu.cn' : '.com'}`;
    return { name, domain, trade };
  }

  english(city: ForeignCity): CompanyName {
    const { index, round } = this.#next(city.city, FOREIGN_CITIES.indexOf(city), EN_CORES.length * TRADES.length);
    const core = EN_CORES[index % EN_CORES.length]!;
    const trade = TRADES[Math.floor(index / EN_CORES.length)]!;
    const word = EN_ROUND_WORDS[round % EN_ROUND_WORDS.length]!;
    const extra = round >= EN_ROUND_WORDS.length ? ` ${Math.floor(round / EN_ROUND_WORDS.length) + 1}` : '';
    const name = `${core} ${trade.en}${word ? ` ${word}` : ''}${extra} ${city.legalForm}`;
    const slug = `${core}${trade.en}`.toLowerCase().replace(/[^a-z]/g, '');
    return { name, domain: `${slug}${round > 0 ? round : ''}${city.tld}`, trade };
  }
}

const MOBILE_PREFIXES =
  '130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 176 177 180 181 182 183 185 186 187 188 189 199'.split(
    ' ',
  );

/** A Chinese mobile number such as 13564117256. */
export function chineseMobile(random: Random): string {
  return `${random.pick(MOBILE_PREFIXES)}${random.digits(8)}`;
}

/** A landline such as 0531-88123456: area code, then an eight-digit local number. */
export function chineseLandline(city: ChineseCity, random: Random): string {
  return `${city.areaCode}-${random.int(5, 8)}${random.digits(7)}`;
}

export function foreignPhone(city: ForeignCity, random: Random): string {
  const local = random.digits(city.localDigits);
  return `${city.dial}${local.slice(0, -4)} ${local.slice(-4)}`;
}

export interface Address {
  country: string;
  province: string;
  city: string;
  district?: string;
  street: string;
  postalCode: string;
}

export function chineseAddress(city: ChineseCity, random: Random): Address {
  const building = random.chance(0.4)
    ? `${random.int(1, 12)}号楼${random.int(1, 20)}${random.pick(['01', '02', '03', '05', '08'])}室`
    : '';
  return {
    country: '中国',
    province: city.province,
    city: `${city.zh}市`,
    district: random.pick(city.districts),
    street: `${random.pick(CN_ROADS)}${random.int(1, 2999)}号${building}`,
    postalCode: `${city.postcode}${random.digits(3)}`,
  };
}

export function foreignAddress(city: ForeignCity, random: Random): Address {
  return {
    country: city.country,
    province: '',
    city: city.city,
    street: `${random.int(1, 980)} ${random.pick(city.streets)}`,
    postalCode: city.postcode.replace(/#/g, () => String(random.int(0, 9))),
  };
}
