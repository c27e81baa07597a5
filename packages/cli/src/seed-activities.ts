// Touchpoints and tasks (P1, EXT-5, SVC-2): calls about cases, visits and meetings along each deal, order
// confirmations, campaign responses, follow-ups of leads, and everyday contact across every channel.
import type { AccountPlan, Chunk, ContactPlan, SeedContext, UserRef } from './seed-model.ts';
import { DAY, HOUR, type Random } from './seed-random.ts';
import type { Row } from './seed-writer.ts';

/** Touchpoints per account over three years, by value tier (prospects get `prospect`). */
const BUDGET = { A: 25, B: 15, C: 10, D: 6, prospect: 5, competitor: 1 } as const;

const GENERAL_CHANNELS = [
  ['phone', 30],
  ['email', 22],
  ['im', 14],
  ['visit', 10],
  ['meeting', 5],
  ['sms', 7],
  ['web', 4],
  ['social', 3],
  ['fax', 2],
  ['letter', 2],
] as const;

const TOPICS: Record<string, [string, string][]> = {
  phone: [
    ['电话沟通设备使用情况', 'Call about how the equipment runs'],
    ['电话确认采购计划', 'Call to confirm purchase plans'],
    ['来电咨询报价', 'Inbound call asking for a quote'],
    ['电话回访', 'Follow-up call'],
  ],
  email: [
    ['发送产品资料与案例', 'Sent brochures and case studies'],
    ['邮件确认技术参数', 'Email confirming specifications'],
    ['发送报价单', 'Sent the quote'],
    ['节日问候邮件', 'Season’s greetings'],
  ],
  im: [
    ['微信沟通图纸细节', 'WeChat about drawing details'],
    ['微信发送现场照片', 'Photos from site over WeChat'],
    ['微信确认到货时间', 'Delivery time confirmed over chat'],
  ],
  visit: [
    ['上门拜访设备部', 'Visit to the maintenance department'],
    ['拜访决策层', 'Visit to senior management'],
    ['现场考察生产线', 'Site survey of the production line'],
  ],
  meeting: [
    ['技术交流会', 'Technical workshop'],
    ['商务谈判会议', 'Commercial negotiation meeting'],
    ['项目启动会', 'Project kick-off'],
  ],
  sms: [
    ['短信通知发货', 'SMS: goods shipped'],
    ['短信提醒设备保养', 'SMS: maintenance reminder'],
  ],
  web: [
    ['官网留言询价', 'Enquiry via the website'],
    ['下载产品手册', 'Downloaded a product manual'],
  ],
  social: [
    ['公众号留言咨询', 'Message on the official account'],
    ['抖音私信咨询', 'Direct message on social media'],
  ],
  fax: [
    ['传真订货确认单', 'Faxed order confirmation'],
    ['传真盖章合同', 'Faxed signed contract'],
  ],
  letter: [
    ['寄送年度合作函', 'Mailed the annual partnership letter'],
    ['寄送发票', 'Mailed the invoice'],
  ],
  event: [
    ['展会展台交流', 'Talked at our trade-show booth'],
    ['参加技术研讨会', 'Attended the seminar'],
  ],
};

const INBOUND: Record<string, number> = {
  phone: 0.4,
  email: 0.5,
  im: 0.5,
  web: 1,
  social: 1,
  event: 1,
  fax: 0.6,
  sms: 0.1,
};
const DURATION: Record<string, [number, number]> = {
  phone: [2, 30],
  visit: [45, 180],
  meeting: [45, 150],
  event: [10, 60],
};

interface Touch {
  channel: string;
  at: number;
  subject?: string;
  account?: AccountPlan;
  contact?: ContactPlan;
  owner: UserRef;
  links: Row;
  inbound?: boolean;
}

function touchRow(ctx: SeedContext, random: Random, t: Touch): Row {
  const chinese = t.account?.chinese ?? true;
  const [zh, en] = random.pick(TOPICS[t.channel] ?? TOPICS.phone!);
  const subject = t.subject ?? (chinese ? zh : en);
  const inbound = t.inbound ?? random.chance(INBOUND[t.channel] ?? 0);
  const span = DURATION[t.channel];
  const name = t.contact
    ? t.contact.person.chinese
      ? `${t.contact.person.lastName}${t.contact.person.firstName}`
      : t.contact.person.firstName
    : '';
  const positive = random.next();
  return {
    subject,
    channel: t.channel,
    direction: inbound ? 'inbound' : 'outbound',
    occurredAt: ctx.clock.iso(Math.min(t.at, ctx.clock.now - 60_000)),
    durationMinutes: span ? random.int(span[0], span[1]) : undefined,
    body: chinese
      ? `${name}：${subject}。${random.pick(['已记录需求，下周跟进。', '客户反馈良好。', '需安排工程师现场确认。', '客户希望尽快收到报价。', '客户暂无新需求。'])}`
      : `${name}: ${subject}. ${random.pick(['Will follow up next week.', 'Positive feedback.', 'Needs an engineer on site.', 'Waiting for their decision.'])}`,
    outcome:
      t.channel === 'phone' && !inbound && random.chance(0.15)
        ? random.pick(['noAnswer', 'leftMessage'])
        : random.pick(['completed', 'completed', 'followUp', 'interested']),
    sentiment: positive < 0.55 ? 'positive' : positive < 0.9 ? 'neutral' : 'negative',
    account: t.account?.id,
    contact: t.contact?.id,
    owner: t.owner.id,
    phoneNumber: t.channel === 'phone' || t.channel === 'sms' ? (t.contact?.mobile ?? t.contact?.phone) : undefined,
    emailAddress: t.channel === 'email' ? t.contact?.email : undefined,
    location:
      t.channel === 'visit' || t.channel === 'meeting'
        ? `${t.account?.address.city ?? ''}${t.account?.address.street ?? ''}`
        : undefined,
    recordingUrl:
      t.channel === 'phone' && random.chance(0.3)
        ? `https://recordings.touchpoint-demo.com/${random.digits(12)}.mp3`
        : undefined,
    ...t.links,
  };
}

function accountTouches(ctx: SeedContext, random: Random, a: AccountPlan): Touch[] {
  const { clock } = ctx;
  const touches: Touch[] = [];
  const contact = () => random.pick(a.contacts);
  for (const c of a.cases) {
    touches.push({
      channel: 'phone',
      at: c.openedAt,
      account: a,
      contact: c.contact,
      owner: c.owner,
      links: { case: c.id },
      inbound: true,
      subject: a.chinese ? '客户来电报修' : 'Customer phoned about a problem',
    });
    if (c.resolvedAt !== undefined && random.chance(0.6)) {
      touches.push({
        channel: random.pick(['phone', 'visit', 'email']),
        at: c.resolvedAt,
        account: a,
        contact: c.contact,
        owner: c.engineer ?? c.owner,
        links: { case: c.id },
      });
    }
  }
  for (const o of a.opportunities) {
    for (const change of o.changes.slice(0, random.int(1, 4))) {
      touches.push({
        channel: random.weighted([
          ['visit', 35],
          ['meeting', 25],
          ['phone', 20],
          ['email', 20],
        ] as const),
        at: change.at - random.int(0, 3) * DAY,
        account: a,
        contact: o.contact ?? contact(),
        owner: o.owner,
        links: { opportunity: o.id, campaign: o.campaign?.id },
      });
    }
  }
  for (const o of a.orders) {
    if (!random.chance(0.3)) continue;
    touches.push({
      channel: random.pick(['fax', 'email', 'sms']),
      at: o.date + HOUR,
      account: a,
      contact: o.contact,
      owner: o.owner,
      links: { order: o.id },
    });
  }
  const budget = BUDGET[a.tier ?? (a.kind === 'competitor' ? 'competitor' : 'prospect')];
  const remaining = Math.max(1, Math.round(budget * random.spread(0.35)) - touches.length);
  const from = Math.max(clock.start, a.since - 180 * DAY);
  const to = Math.min(clock.now - HOUR, a.lastActive + 30 * DAY);
  for (let i = 0; i < remaining && to > from; i++) {
    touches.push({
      channel: random.weighted(GENERAL_CHANNELS),
      at: clock.workTime(clock.between(from, to, random, 1.3), random),
      account: a,
      contact: contact(),
      owner: a.owner,
      links: {},
    });
  }
  return touches;
}

function taskRows(ctx: SeedContext, random: Random, a: AccountPlan): Row[] {
  const { clock } = ctx;
  const count = a.tier === 'A' ? 3 : a.tier === 'B' ? 2 : a.kind === 'competitor' ? 0 : random.chance(0.8) ? 1 : 0;
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const open = a.opportunities.find((o) => o.closedAt === undefined);
    const activeCase = a.cases.find((c) => c.resolvedAt === undefined);
    const future = !a.churned && random.chance(0.35);
    const due = future
      ? clock.workTime(clock.now + random.int(1, 30) * DAY, random)
      : clock.workTime(
          clock.between(Math.max(clock.start, a.since), Math.min(a.lastActive, clock.now - DAY), random, 1.5),
          random,
        );
    const done = !future && random.chance(0.85);
    const type = random.pick(['call', 'email', 'visit', 'meeting', 'followUp'] as const);
    const about = activeCase && random.chance(0.5) ? 'case' : open ? 'opportunity' : 'account';
    const subjects: Record<string, [string, string]> = {
      call: ['电话回访客户', 'Call the customer back'],
      email: ['发送资料给客户', 'Email the documents'],
      visit: ['上门拜访', 'Visit the customer'],
      meeting: ['安排技术交流会', 'Arrange a technical meeting'],
      followUp: [
        about === 'case' ? '跟进服务请求处理进度' : '跟进商机进展',
        about === 'case' ? 'Follow up the case' : 'Follow up the deal',
      ],
    };
    const assignee = about === 'case' ? (activeCase?.owner ?? a.owner) : a.owner;
    rows.push({
      subject: subjects[type]![a.chinese ? 0 : 1],
      type,
      status: done
        ? 'completed'
        : future
          ? random.pick(['notStarted', 'notStarted', 'inProgress'])
          : random.pick(['notStarted', 'inProgress', 'waiting', 'cancelled']),
      priority: random.weighted([
        ['low', 15],
        ['normal', 60],
        ['high', 20],
        ['urgent', 5],
      ] as const),
      assignee: assignee.id,
      dueAt: clock.iso(due),
      reminderAt: clock.iso(due - (random.chance(0.5) ? DAY : HOUR)),
      completedAt: done ? clock.iso(Math.min(due - random.int(0, 48) * HOUR, clock.now - HOUR)) : undefined,
      account: a.id,
      contact: random.pick(a.contacts).id,
      opportunity: about === 'opportunity' ? open?.id : undefined,
      case: about === 'case' ? activeCase?.id : undefined,
    });
  }
  return rows;
}

export async function writeActivities(chunk: Chunk): Promise<void> {
  const { ctx, random } = chunk;
  const touches: Touch[] = [];
  for (const a of chunk.accounts) touches.push(...accountTouches(ctx, random, a));
  for (const r of chunk.responses) {
    touches.push({
      channel: r.campaign.channel,
      at: r.at,
      account: r.account,
      contact: r.contact,
      owner: r.account.owner,
      links: { campaign: r.campaign.id },
      inbound: true,
    });
  }
  const tasks: Row[] = [];
  for (const l of chunk.leads) {
    const a = l.account;
    const contact = a?.contacts[0];
    const links = { lead: l.id, campaign: l.campaign?.id };
    touches.push({
      channel: l.campaign?.channel ?? random.pick(['web', 'phone']),
      at: l.receivedAt,
      account: a,
      contact,
      owner: l.owner,
      links,
      inbound: true,
      subject: l.chinese ? '新线索：留下联系方式' : 'New lead: left contact details',
    });
    const followUps = l.status === 'new' ? 0 : random.int(1, 2);
    for (let i = 0; i < followUps; i++) {
      const at = ctx.clock.workTime(l.receivedAt + random.int(1, 10) * (i + 1) * DAY, random);
      if (at < ctx.clock.now)
        touches.push({
          channel: random.pick(['phone', 'phone', 'email', 'im']),
          at,
          account: a,
          contact,
          owner: l.owner,
          links,
          inbound: false,
        });
    }
    if ((l.status === 'new' || l.status === 'contacted') && random.chance(0.5)) {
      const due = ctx.clock.workTime(ctx.clock.now + random.int(0, 10) * DAY, random);
      tasks.push({
        subject: l.chinese ? '联系新线索' : 'Contact the new lead',
        type: 'call',
        status: 'notStarted',
        priority: 'high',
        assignee: l.owner.id,
        dueAt: ctx.clock.iso(due),
        reminderAt: ctx.clock.iso(due - HOUR),
        lead: l.id,
      });
    }
  }
  touches.sort((x, y) => x.at - y.at);
  for (const a of chunk.accounts) tasks.push(...taskRows(ctx, random, a));
  const interactions = touches.map((t) => touchRow(ctx, random, t));
  await chunk.writer.all([
    () => chunk.writer.create('interaction', interactions),
    () => chunk.writer.create('task', tasks),
  ]);
}
