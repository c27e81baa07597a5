// The customer timeline merges every source, includes the account's contacts' items once, leaves out deleted
// and unanswered items, and pages both ways — in two parts divided by the present: the history newest first
// with ties broken by id, and open tasks and what is dated later soonest first. The engine runs on a clock
// that starts at NOW, so what is past and what is upcoming does not depend on when the test runs.
import { clockStartingAt } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineItem, TimelinePage } from '../src/index.ts';
import { expectError, type Fixture, money, startFixture } from './fixture.ts';

const NOW = '2026-01-13T12:00:00.000Z';
let fx: Fixture;
const ids: Record<string, string> = {};
/** Account A's history, newest first. */
let expected: { key: string; id: string; at: string }[] = [];
/** Account A's open and later items, soonest first. */
let upcoming: { key: string; id: string; at: string }[] = [];

beforeAll(async () => {
  fx = await startFixture({ clock: clockStartingAt(NOW) });
  const c = fx.create;
  ids.A = await c('account', { name: '济南华远数控设备有限公司' });
  ids.B = await c('account', { name: 'Other Ltd' });
  ids.C1 = await c('contact', { firstName: '伟', lastName: '王', account: ids.A });
  ids.C2 = await c('contact', { firstName: 'Ann', lastName: 'Lee', account: ids.A });
  ids.C3 = await c('contact', { firstName: 'Bob', lastName: 'Ng', account: ids.B });
  ids.L = await c('lead', { lastName: 'Zhao', company: 'Lead Co' });
  const at: Record<string, string> = {};
  const interaction = async (key: string, when: string, channel: string, links: Record<string, string>) => {
    ids[key] = await c('interaction', { subject: key, channel, occurredAt: when, ...links });
    at[key] = when;
  };
  await interaction('i1', '2026-01-10T09:00:00.000Z', 'phone', { account: ids.A, contact: ids.C1 });
  await interaction('i2', '2026-01-12T10:00:00.000Z', 'email', { account: ids.A });
  await interaction('i3', '2026-01-11T08:00:00.000Z', 'visit', { contact: ids.C2 });
  await interaction('i4', '2026-01-11T09:00:00.000Z', 'phone', { account: ids.B, contact: ids.C3 });
  await interaction('i5', '2026-01-09T09:00:00.000Z', 'phone', { account: ids.B, contact: ids.C1 });
  await interaction('i6', '2026-01-12T11:00:00.000Z', 'phone', { account: ids.A });
  await fx.remove('interaction', ids.i6!);
  await interaction('i7', '2026-01-12T10:00:00.000Z', 'phone', { account: ids.A });
  await interaction('i8', '2026-01-03T10:00:00.000Z', 'sms', { lead: ids.L });
  ids.t1 = await c('task', { subject: 't1', dueAt: '2026-01-15T00:00:00.000Z', account: ids.A });
  at.t1 = '2026-01-15T00:00:00.000Z';
  ids.t2 = await c('task', {
    subject: 't2',
    completedAt: '2026-01-08T12:00:00.000Z',
    dueAt: '2026-01-20T00:00:00.000Z',
    contact: ids.C1,
  });
  at.t2 = '2026-01-08T12:00:00.000Z';
  ids.t3 = await c('task', { subject: 't3', dueAt: '2026-01-04T00:00:00.000Z', lead: ids.L });
  // Without a completion or due date a task sits at its creation; a quote never sent at its quote date.
  ids.t4 = await c('task', { subject: 't4', contact: ids.C2 });
  const [created] = await fx.engine.db.query<{ at: string }>(
    `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from ws_default.task where id = $1`,
    [ids.t4],
  );
  at.t4 = created!.at;
  ids.q2 = await c('quote', { name: 'Quote 2', contact: ids.C1, quoteDate: '2026-01-11', totalAmount: money('80.00') });
  at.q2 = '2026-01-11T00:00:00.000Z';
  ids.k1 = await c('case', {
    subject: 'Spindle noise',
    openedAt: '2026-01-05T09:00:00.000Z',
    account: ids.A,
    contact: ids.C1,
    channel: 'phone',
  });
  at.k1 = '2026-01-05T09:00:00.000Z';
  // History rows carry their case's / deal's account and contact (the behaviour or the seed copies them).
  ids.s1 = await c('caseStatusChange', {
    case: ids.k1,
    account: ids.A,
    contact: ids.C1,
    fromStatus: 'new',
    toStatus: 'inProgress',
    changedAt: '2026-01-06T09:00:00.000Z',
  });
  at.s1 = '2026-01-06T09:00:00.000Z';
  const pipeline = await c('pipeline', { name: 'Expansion', type: 'expansion' });
  ids.o1 = await c('opportunity', { name: 'Lathes', pipeline, account: ids.A });
  ids.g1 = await c('opportunityStageChange', {
    opportunity: ids.o1,
    account: ids.A,
    toStage: 'proposal',
    fromStage: 'prospecting',
    changedAt: '2026-01-07T09:00:00.000Z',
  });
  at.g1 = '2026-01-07T09:00:00.000Z';
  ids.q1 = await c('quote', {
    name: 'Quote 1',
    account: ids.A,
    sentAt: '2026-01-13T09:00:00.000Z',
    totalAmount: money('1200.00'),
  });
  at.q1 = '2026-01-13T09:00:00.000Z';
  ids.r1 = await c('order', { subject: 'Order 1', account: ids.A, orderDate: '2026-01-14', totalAmount: money(5000) });
  at.r1 = '2026-01-14T00:00:00.000Z';
  const campaign = await c('campaign', { name: 'Trade show', type: 'tradeShow' });
  ids.m1 = await c('campaignMember', {
    campaign,
    contact: ids.C2,
    respondedAt: '2026-01-16T09:00:00.000Z',
    response: 'Wants a demo',
  });
  at.m1 = '2026-01-16T09:00:00.000Z';
  ids.m2 = await c('campaignMember', { campaign, contact: ids.C1 });
  ids.m3 = await c('campaignMember', { campaign, lead: ids.L, respondedAt: '2026-01-02T09:00:00.000Z' });
  const survey = await c('survey', { name: 'After service' });
  ids.sr1 = await c('surveyResponse', {
    survey,
    account: ids.A,
    respondedAt: '2026-01-17T09:00:00.000Z',
    totalScore: '4.5',
  });
  at.sr1 = '2026-01-17T09:00:00.000Z';
  const newestFirst = (a: { at: string; id: string }, b: { at: string; id: string }) =>
    a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1;
  const item = (key: string) => ({ key, id: ids[key]!, at: at[key]! });
  // Past NOW and done: history. The open tasks t1 (due later) and t4 (undated, created at NOW), and the order,
  // response and survey dated after NOW: upcoming.
  expected = ['q1', 'i2', 'i7', 'q2', 'i3', 'i1', 'i5', 't2', 'g1', 's1', 'k1'].map(item).sort(newestFirst);
  upcoming = ['t4', 'sr1', 'm1', 't1', 'r1'].map(item).sort(newestFirst).reverse();
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

/** Every item of account A's `part`, page by page in one direction, in the part's order. */
async function walk(
  service: ReturnType<Fixture['crm']>,
  part: 'history' | 'upcoming',
  way: 'forwards' | 'backwards',
  size: number,
): Promise<TimelineItem[]> {
  const items: TimelineItem[] = [];
  let page: TimelinePage | undefined;
  do {
    page = await service.timeline(
      way === 'forwards'
        ? { entity: 'account', id: ids.A!, part, first: size, after: page?.pageInfo.endCursor }
        : { entity: 'account', id: ids.A!, part, last: size, before: page?.pageInfo.startCursor },
    );
    if (way === 'forwards') items.push(...page.items);
    else items.unshift(...page.items);
  } while (way === 'forwards' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage);
  return items;
}

const keysOf = (items: TimelineItem[]) => items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id));

describe('timeline', () => {
  it('merges every source of an account and its contacts, newest first, ties by id', async () => {
    const page = await fx.crm().timeline({ entity: 'account', id: ids.A!, first: 50 });
    const all = await fx.crm().timeline({ entity: 'account', id: ids.A!, first: 50, part: 'upcoming' });
    expect(keysOf(all.items)).toEqual(upcoming.map((e) => e.key));
    expect(keysOf(page.items)).toEqual(expected.map((e) => e.key));
    expect(page.items.map((i) => i.occurredAt)).toEqual(expected.map((e) => e.at));
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    const byKey = (key: string) => page.items.find((i) => i.id === ids[key])!;
    const soon = (key: string) => all.items.find((i) => i.id === ids[key])!;
    expect(byKey('i1')).toMatchObject({
      kind: 'interaction',
      channel: 'phone',
      title: 'i1',
      sourceEntity: 'interaction',
      accountId: ids.A,
      contactId: ids.C1,
      contactName: '王伟',
    });
    expect(byKey('s1')).toMatchObject({
      kind: 'caseStatusChange',
      summary: 'new → inProgress',
      values: { fromStatus: 'new', toStatus: 'inProgress' },
      sourceEntity: 'caseStatusChange',
      contactId: ids.C1,
    });
    expect(byKey('g1')).toMatchObject({
      kind: 'opportunityStageChange',
      title: 'Lathes',
      summary: 'prospecting → proposal',
    });
    expect(soon('m1')).toMatchObject({
      kind: 'campaignResponse',
      title: 'Trade show',
      summary: 'Wants a demo',
      sourceEntity: 'campaignMember',
      contactName: 'Ann Lee',
    });
    expect(soon('r1')).toMatchObject({
      kind: 'order',
      summary: 'draft · 5000.00 CNY',
      values: { status: 'draft', totalAmount: { amount: '5000.00', currency: 'CNY' } },
    });
    expect(byKey('q1')).toMatchObject({ kind: 'quote', summary: 'draft · 1200.00 CNY' });
    expect(soon('sr1')).toMatchObject({ kind: 'surveyResponse', title: 'After service' });
    expect(soon('t1')).toMatchObject({
      kind: 'task',
      summary: 'notStarted',
      values: { status: 'notStarted', priority: 'normal' },
      channel: null,
      overdue: false,
    });
    expect(soon('t4')).toMatchObject({ kind: 'task', overdue: false });
    expect(byKey('t2')).toMatchObject({ kind: 'task', overdue: false });
    expect(byKey('k1')).toMatchObject({ kind: 'case', channel: 'phone' });
  });

  it('pages forwards and backwards through the same items without duplicates or gaps', async () => {
    const service = fx.crm();
    const forward: TimelineItem[] = [];
    let page: TimelinePage | undefined;
    let pages = 0;
    do {
      page = await service.timeline({ entity: 'account', id: ids.A!, first: 4, after: page?.pageInfo.endCursor });
      forward.push(...page.items);
      pages++;
      expect(page.pageInfo.hasPreviousPage).toBe(pages > 1);
    } while (page.pageInfo.hasNextPage);
    expect(pages).toBe(3);
    expect(forward.map((i) => i.id)).toEqual(expected.map((e) => e.id));

    const backward = await walk(service, 'history', 'backwards', 4);
    expect(backward.map((i) => i.id)).toEqual(expected.map((e) => e.id));

    // A cursor from the middle leads the same way from either side.
    const middle = forward[5]!.cursor;
    const after = await service.timeline({ entity: 'account', id: ids.A!, first: 3, after: middle });
    const before = await service.timeline({ entity: 'account', id: ids.A!, last: 3, before: middle });
    expect(after.items.map((i) => i.id)).toEqual(expected.slice(6, 9).map((e) => e.id));
    expect(before.items.map((i) => i.id)).toEqual(expected.slice(2, 5).map((e) => e.id));
    expect(before.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    // The upcoming part pages the same way, soonest first, forwards and backwards.
    for (const way of ['forwards', 'backwards'] as const) {
      expect(
        (await walk(service, 'upcoming', way, 2)).map((i) => i.id),
        way,
      ).toEqual(upcoming.map((e) => e.id));
    }
  });

  it('puts what was just logged first in the history, above open tasks due later today', async () => {
    const service = fx.crm();
    const later = new Date(fx.engine.clock.now().getTime() + 3 * 3600_000).toISOString();
    const task = await fx.create('task', { subject: 'Due this afternoon', dueAt: later, account: ids.B });
    const call = await fx.create('interaction', {
      subject: 'Just called',
      channel: 'phone',
      occurredAt: fx.engine.clock.now().toISOString(),
      account: ids.B,
    });
    const history = await service.timeline({ entity: 'account', id: ids.B!, first: 5 });
    expect(history.items[0]!.id).toBe(call);
    expect(history.items.map((i) => i.id)).not.toContain(task);
    const soon = await service.timeline({ entity: 'account', id: ids.B!, part: 'upcoming' });
    expect(soon.items.map((i) => i.id)).toEqual([task]);
    await fx.remove('task', task);
    await fx.remove('interaction', call);
  });

  it('divides the parts at the present the caller names, and marks open tasks past due as overdue', async () => {
    const service = fx.crm();
    const asOf = '2026-01-16T12:00:00Z';
    const history = await service.timeline({ entity: 'account', id: ids.A!, first: 50, asOf });
    // The order and the campaign response are past by then; the open task t1 stays upcoming, now overdue.
    expect(keysOf(history.items).slice(0, 2)).toEqual(['m1', 'r1']);
    expect(keysOf(history.items)).not.toContain('t1');
    const soon = await service.timeline({ entity: 'account', id: ids.A!, part: 'upcoming', asOf });
    expect(keysOf(soon.items)).toEqual(['t4', 't1', 'sr1']);
    expect(soon.items.map((i) => i.overdue)).toEqual([false, true, false]);
    const lead = await service.timeline({ entity: 'lead', id: ids.L!, part: 'upcoming' });
    expect(keysOf(lead.items)).toEqual(['t3']);
    expect(lead.items[0]!.overdue).toBe(true);
  });

  it('filters by channel, kind and time window', async () => {
    const service = fx.crm();
    const phone = await service.timeline({ entity: 'account', id: ids.A!, channels: ['phone'] });
    expect(keysOf(phone.items)).toEqual(['i7', 'i1', 'i5']);
    const cases = await service.timeline({ entity: 'account', id: ids.A!, kinds: ['case', 'caseStatusChange'] });
    expect(keysOf(cases.items)).toEqual(['s1', 'k1']);
    const window = await service.timeline({
      entity: 'account',
      id: ids.A!,
      from: '2026-01-10T00:00:00Z',
      to: '2026-01-13T09:00:00Z',
    });
    expect(window.items.map((i) => i.id)).toEqual(
      expected.filter((e) => e.at >= '2026-01-10' && e.at <= '2026-01-13T09:00:00.000Z').map((e) => e.id),
    );
  });

  it('serves contacts and leads', async () => {
    const contact = await fx.crm().timeline({ entity: 'contact', id: ids.C1! });
    expect(keysOf(contact.items)).toEqual(['q2', 'i1', 'i5', 't2', 's1', 'k1']);
    const lead = await fx.crm().timeline({ entity: 'lead', id: ids.L! });
    expect(keysOf(lead.items)).toEqual(['i8', 'm3']);
  });

  it('names no deleted account, contact or lead of an item', async () => {
    const c = fx.create;
    const d = await c('account', { name: 'Deleted links Ltd' });
    const e = await c('account', { name: 'Gone Ltd' });
    const kept = await c('contact', { firstName: 'Kay', lastName: 'Lin', account: d });
    const gone = await c('contact', { firstName: 'Gus', lastName: 'Ho', account: d });
    const lead = await c('lead', { lastName: 'Qian', company: 'Gone lead' });
    const withContact = await c('interaction', {
      subject: 'x1',
      channel: 'phone',
      occurredAt: '2026-01-10T09:00:00.000Z',
      account: d,
      contact: gone,
    });
    const withLead = await c('interaction', {
      subject: 'x2',
      channel: 'phone',
      occurredAt: '2026-01-10T10:00:00.000Z',
      account: d,
      lead,
    });
    const withAccount = await c('interaction', {
      subject: 'x3',
      channel: 'phone',
      occurredAt: '2026-01-10T11:00:00.000Z',
      account: e,
      contact: kept,
    });
    await fx.remove('contact', gone);
    await fx.remove('lead', lead);
    await fx.remove('account', e);
    const items = (await fx.crm().timeline({ entity: 'account', id: d })).items;
    const item = (id: string) => items.find((i) => i.id === id);
    expect(item(withContact)).toMatchObject({ accountId: d, contactId: null, contactName: null });
    expect(item(withLead)).toMatchObject({ accountId: d, leadId: null });
    expect(item(withAccount)).toMatchObject({ accountId: null, contactId: kept, contactName: expect.any(String) });
  });

  it('refuses bad input with every problem named', async () => {
    const service = fx.crm();
    await expectError(
      service.timeline({
        entity: 'opportunity' as never,
        id: 'nope',
        first: 1000,
        channels: ['pigeon'],
        part: 'someday' as never,
        asOf: 'yesterday',
      }),
      'VALIDATION_FAILED',
      ['entity', 'id', 'first', 'channels[0]', 'part', 'asOf'],
    );
    await expectError(service.timeline({ entity: 'account', id: ids.A!, first: 2, last: 2 }), 'VALIDATION_FAILED', [
      'first',
    ]);
    await expectError(service.timeline({ entity: 'account', id: ids.A!, after: 'garbage!' }), 'VALIDATION_FAILED', [
      'after',
    ]);
    await expectError(
      service.timeline({ entity: 'account', id: ids.A!, from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
      'VALIDATION_FAILED',
      ['to'],
    );
    await expectError(service.timeline({ entity: 'account', id: ids.C1! }), 'NOT_FOUND', ['id']);
  });
});
