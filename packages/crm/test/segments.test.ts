// Segments evaluated live, and added to a campaign in one operation behind the over-contacting guard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, type Fixture, startFixture } from './fixture.ts';

let fx: Fixture;
const id: Record<string, string> = {};
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

beforeAll(async () => {
  fx = await startFixture();
  const c = fx.create;
  id.A = await c('account', { name: 'Maker', industry: 'manufacturing' });
  id.B = await c('account', { name: 'Bank', industry: 'finance' });
  id.C1 = await c('contact', { firstName: 'Ann', lastName: 'Lee', city: '济南', account: id.A });
  id.C2 = await c('contact', { firstName: 'Bo', lastName: 'Xu', city: '济南', account: id.B });
  id.C3 = await c('contact', { firstName: 'Cy', lastName: 'Wu', city: '上海' });
  id.C4 = await c('contact', { firstName: 'Di', lastName: 'Ma', city: '济南' });
  await fx.remove('contact', id.C4);
  id.L1 = await c('lead', { lastName: 'Liu', status: 'new' });
  id.L2 = await c('lead', { lastName: 'Qin', status: 'qualified' });
  id.S1 = await c('segment', { name: 'Jinan contacts', targetEntity: 'contact', filter: { city: { eq: '济南' } } });
  id.S2 = await c('segment', {
    name: 'Manufacturers',
    targetEntity: 'account',
    filter: { industry: { eq: 'manufacturing' } },
  });
  id.S3 = await c('segment', { name: 'New leads', targetEntity: 'lead', filter: { status: { eq: 'new' } } });
  id.Sbad = await c('segment', { name: 'Broken', targetEntity: 'contact', filter: { shoeSize: { gt: 40 } } });
  id.Kactive = await c('campaign', { name: 'Spring mailing', type: 'email', status: 'active' });
  id.Kdone = await c('campaign', { name: 'Old fair', type: 'tradeShow', status: 'completed' });
  id.Knew = await c('campaign', { name: 'Summer seminar', type: 'seminar', status: 'planned' });
  id.Knew2 = await c('campaign', { name: 'Autumn seminar', type: 'seminar', status: 'active' });
  await c('campaignMember', { campaign: id.Kactive, contact: id.C1, status: 'sent', sentAt: daysAgo(10) });
  await c('campaignMember', { campaign: id.Kdone, contact: id.C2, status: 'sent', sentAt: daysAgo(5) }); // not active
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

const membersOf = async (campaign: string) =>
  (
    await fx.engine.db.query<{ id: string }>(
      `select coalesce(contact_id, lead_id) as id from ws_default.campaign_member where campaign_id = $1 and deleted_at is null order by 1`,
      [campaign],
    )
  ).map((r) => r.id);

describe('segments', () => {
  it('evaluates a saved segment live, paged by title', async () => {
    const all = await fx.crm().evaluateSegment({ segmentId: id.S1! });
    expect(all).toMatchObject({ segmentId: id.S1, targetEntity: 'contact', count: 2 });
    expect(all.members.map((m) => [m.id, m.title])).toEqual([
      [id.C1, 'Ann Lee'],
      [id.C2, 'Bo Xu'],
    ]);
    const first = await fx.crm().evaluateSegment({ segmentId: id.S1!, first: 1 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await fx.crm().evaluateSegment({ segmentId: id.S1!, first: 1, after: first.pageInfo.endCursor });
    expect(second.members.map((m) => m.id)).toEqual([id.C2]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const preview = await fx.crm().previewSegment({ targetEntity: 'contact', filter: { city: { eq: '上海' } } });
    expect(preview.members.map((m) => m.id)).toEqual([id.C3]);
  });

  it('refuses to add members another active campaign contacted recently, and changes nothing', async () => {
    const before = await fx.snapshot();
    const error = await expectError(
      fx.crm().addSegmentToCampaign({ segmentId: id.S1!, campaignId: id.Knew!, overlapDays: 30 }),
      'CONFLICT',
      ['segmentId'],
    );
    expect(error.message).toContain('1 of the segment');
    expect((error as unknown as { details: { overlaps: unknown[] } }).details.overlaps).toEqual([
      {
        memberEntity: 'contact',
        id: id.C1,
        title: 'Ann Lee',
        campaignId: id.Kactive,
        campaignName: 'Spring mailing',
        contactedAt: expect.any(String),
      },
    ]);
    expect(await fx.snapshot()).toEqual(before);
  });

  it('adds the members in one operation when nobody overlaps, skipping existing members', async () => {
    const result = await fx.crm().addSegmentToCampaign({ segmentId: id.S1!, campaignId: id.Knew!, overlapDays: 7 });
    expect(result).toEqual({ candidates: 2, alreadyMembers: 0, added: 2, overlapping: 0, overlaps: [], forced: false });
    expect(await membersOf(id.Knew!)).toEqual([id.C1, id.C2].sort());
    const again = await fx.crm().addSegmentToCampaign({ segmentId: id.S1!, campaignId: id.Knew!, overlapDays: 7 });
    expect(again).toMatchObject({ candidates: 2, alreadyMembers: 2, added: 0 });
    const segment = await fx.engine
      .records({ workspace: 'default', actor: 't' })
      .get('segment', id.S1!, { fields: ['lastCount', 'lastEvaluatedAt'], relations: [] });
    expect(segment).toMatchObject({ lastCount: 2, lastEvaluatedAt: expect.any(String) });
  });

  it('adds overlapping members when forced, account segments as their contacts, lead segments as leads', async () => {
    const forced = await fx.crm().addSegmentToCampaign({ segmentId: id.S1!, campaignId: id.Knew2!, force: true });
    expect(forced).toMatchObject({ added: 2, overlapping: 1, forced: true });
    const accounts = await fx.crm().addSegmentToCampaign({ segmentId: id.S2!, campaignId: id.Kactive! });
    expect(accounts).toMatchObject({ candidates: 1, alreadyMembers: 1, added: 0 }); // Maker's contact C1 is already in
    const leads = await fx.crm().addSegmentToCampaign({ segmentId: id.S3!, campaignId: id.Kactive! });
    expect(leads).toMatchObject({ candidates: 1, added: 1 });
    expect(await membersOf(id.Kactive!)).toEqual([id.C1, id.L1].sort());
  });

  it('refuses bad input, naming each problem, and changes nothing', async () => {
    const before = await fx.snapshot();
    const crm = fx.crm();
    await expectError(
      crm.addSegmentToCampaign({ segmentId: 'x', campaignId: 'y', overlapDays: -1 }),
      'VALIDATION_FAILED',
      ['segmentId', 'campaignId', 'overlapDays'],
    );
    await expectError(crm.addSegmentToCampaign({ segmentId: id.S1!, campaignId: id.Kdone! }), 'VALIDATION_FAILED', [
      'campaignId',
    ]);
    await expectError(crm.addSegmentToCampaign({ segmentId: id.S1!, campaignId: id.C1! }), 'NOT_FOUND', ['campaignId']);
    await expectError(crm.addSegmentToCampaign({ segmentId: id.C1!, campaignId: id.Knew! }), 'NOT_FOUND', [
      'segmentId',
    ]);
    await expectError(crm.addSegmentToCampaign({ segmentId: id.Sbad!, campaignId: id.Knew! }), 'VALIDATION_FAILED', [
      'segment.filter.shoeSize',
    ]);
    await expectError(crm.evaluateSegment({ segmentId: id.Sbad! }), 'VALIDATION_FAILED', ['segment.filter.shoeSize']);
    await expectError(
      crm.previewSegment({ targetEntity: 'contact', filter: { city: { near: 'x' } } }),
      'VALIDATION_FAILED',
      ['filter.city.near'],
    );
    await expectError(crm.previewSegment({ targetEntity: 'order' as never, filter: {} }), 'VALIDATION_FAILED', [
      'targetEntity',
    ]);
    await expectError(crm.previewSegment({ targetEntity: 'contact', filter: [] }), 'VALIDATION_FAILED', ['filter']);
    expect(await fx.snapshot()).toEqual(before);
  });
});
