// The CRM's built-in behaviour through the GraphQL API over HTTP: timeline pages, lead conversion, search and
// caller identification, reports, segments with the overlap guard, stage history, clear errors for bad input,
// and fields offered only where the workspace has what they need.
import { type CrmBehaviour, installCrmBehaviour } from '@touchpoint/crm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
let behaviour: CrmBehaviour;
const id: Record<string, string> = {};

const create = async (entity: string, values: Record<string, unknown>) =>
  (await h.engine.records({ workspace: 'default', actor: 'seeder' }).create(entity, values)).id;

beforeAll(async () => {
  h = await startHarness();
  behaviour = installCrmBehaviour(h.engine);
  id.account = await create('account', { name: '济南华远数控设备有限公司', phone: '0531-88886666' });
  id.contact = await create('contact', { firstName: '伟', lastName: '王', mobile: '13564117256', account: id.account });
  for (let i = 0; i < 5; i++) {
    await create('interaction', {
      subject: `Call ${i}`,
      channel: i % 2 === 0 ? 'phone' : 'email',
      occurredAt: `2026-03-0${i + 1}T09:00:00Z`,
      account: id.account,
      contact: id.contact,
    });
  }
  id.pipeline = await create('pipeline', { name: 'Expansion', type: 'expansion', isDefault: true });
  await create('pipelineStage', {
    pipeline: id.pipeline,
    name: 'Prospecting',
    stage: 'prospecting',
    sortOrder: 1,
    probability: '10',
  });
}, 180_000);

afterAll(async () => {
  behaviour?.();
  await h?.close();
});

const TIMELINE = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $channels: [InteractionChannel!]) {
  timeline(entity: account, id: $id, first: $first, after: $after, last: $last, before: $before, channels: $channels) {
    edges { cursor node { kind title channel contactName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

type Timeline = {
  timeline: {
    edges: { cursor: string; node: { kind: string; title: string; channel: string | null; contactName: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
  };
};

describe('timeline over GraphQL', () => {
  it('pages forwards and backwards with typed channel filters', async () => {
    const one = await h.ok<Timeline>(TIMELINE, { id: id.account, first: 3 });
    expect(one.timeline.edges.map((e) => e.node.title)).toEqual(['Call 4', 'Call 3', 'Call 2']);
    expect(one.timeline.edges[0]!.node).toMatchObject({ kind: 'interaction', channel: 'phone', contactName: '王伟' });
    const two = await h.ok<Timeline>(TIMELINE, { id: id.account, first: 3, after: one.timeline.pageInfo.endCursor });
    expect(two.timeline.edges.map((e) => e.node.title)).toEqual(['Call 1', 'Call 0']);
    expect(two.timeline.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const back = await h.ok<Timeline>(TIMELINE, { id: id.account, last: 2, before: two.timeline.pageInfo.startCursor });
    expect(back.timeline.edges.map((e) => e.node.title)).toEqual(['Call 3', 'Call 2']);
    const phone = await h.ok<Timeline>(TIMELINE, { id: id.account, channels: ['phone'] });
    expect(phone.timeline.edges.map((e) => e.node.title)).toEqual(['Call 4', 'Call 2', 'Call 0']);
  });

  it('answers bad input with the code and the issues', async () => {
    const result = await h.gql(TIMELINE, { id: 'nope', first: 1000 });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(result.errors?.[0]?.extensions?.issues?.map((i) => i.path)).toEqual(['id', 'first']);
    const missing = await h.gql(TIMELINE, { id: id.contact });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const badEnum = await h.gql(TIMELINE, { id: id.account, channels: ['pigeon'] });
    expect(badEnum.errors?.[0]?.message).toContain('InteractionChannel');
  });
});

describe('search and caller identification over GraphQL', () => {
  it('finds the Chinese substring and the differently formatted phone number', async () => {
    const q = `query($text: String!) { search(text: $text) { entity id title score } }`;
    const chinese = await h.ok<{ search: { id: string }[] }>(q, { text: '华远' });
    expect(chinese.search.map((s) => s.id)).toContain(id.account);
    const phone = await h.ok<{ search: { entity: string; id: string; score: number }[] }>(q, {
      text: '+86 135-6411-7256',
    });
    expect(phone.search).toEqual([{ entity: 'contact', id: id.contact, title: '王伟', score: 100 }]);
    const caller = await h.ok<{ whoIsCalling: { phone: string; matches: Record<string, unknown>[] } }>(
      `{ whoIsCalling(phone: "+86 135 6411 7256") { phone matches { entity id accountName exact openCases { id } latestTouchpoints { subject } } } }`,
    );
    expect(caller.whoIsCalling.phone).toBe('13564117256');
    expect(caller.whoIsCalling.matches).toEqual([
      {
        entity: 'contact',
        id: id.contact,
        accountName: '济南华远数控设备有限公司',
        exact: true,
        openCases: [],
        latestTouchpoints: ['Call 4', 'Call 3', 'Call 2', 'Call 1', 'Call 0'].map((subject) => ({ subject })),
      },
    ]);
  });
});

const CONVERT = `mutation($lead: ID!, $input: CrmConvertLeadInput) {
  convertLead(leadId: $lead, input: $input) {
    createdAccount createdContact createdOpportunity movedInteractions
    account { name lifecycleStage } contact { fullName email } opportunity { name stage amount { amount currency } pipeline { name } }
    lead { status convertedAccountId }
  }
}`;

describe('convertLead over GraphQL', () => {
  it('converts in one go and returns the records it made, then refuses a second conversion', async () => {
    const lead = await create('lead', {
      firstName: 'Ann',
      lastName: 'Lee',
      company: 'Lee Tools',
      email: 'ann@leetools.cn',
    });
    await create('interaction', { subject: 'Fair', channel: 'event', occurredAt: '2026-03-01T10:00:00Z', lead });
    const input = { opportunity: { name: 'Lee Tools lathes', amount: { amount: '120000' } } };
    const data = await h.ok<{ convertLead: Record<string, unknown> }>(CONVERT, { lead, input });
    expect(data.convertLead).toMatchObject({
      createdAccount: true,
      createdContact: true,
      createdOpportunity: true,
      movedInteractions: 1,
      account: { name: 'Lee Tools', lifecycleStage: 'opportunity' },
      contact: { fullName: 'Ann Lee', email: 'ann@leetools.cn' },
      opportunity: {
        name: 'Lee Tools lathes',
        stage: 'prospecting',
        amount: { amount: '120000.00', currency: 'CNY' },
        pipeline: { name: 'Expansion' },
      },
      lead: { status: 'converted' },
    });
    const again = await h.gql(CONVERT, { lead });
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      issues: [{ path: 'leadId', message: 'is already converted' }],
    });
  });

  it('reports every bad input and changes nothing', async () => {
    const lead = await create('lead', { lastName: 'Ma', company: 'Ma Co' });
    const before = await h.ok<{ accountsAggregate: { count: number }[] }>(`{ accountsAggregate { count } }`);
    const result = await h.gql(CONVERT, {
      lead,
      input: {
        contactId: 'x',
        contact: { firstName: 'M' },
        opportunity: { stage: 'closedWon', probability: '300' },
        fieldMapping: { account: { nope: 'company' } },
      },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(result.errors?.[0]?.extensions?.issues?.map((i) => i.path)).toEqual([
      'contactId',
      'fieldMapping.account.nope',
    ]);
    const late = await h.gql(CONVERT, {
      lead,
      input: { contact: { firstName: 'M' }, opportunity: { probability: '300' } },
    });
    expect(late.errors?.[0]?.extensions?.issues?.map((i) => i.path)).toEqual(['opportunity.probability']);
    expect(await h.ok(`{ accountsAggregate { count } }`)).toEqual(before);
    expect((await h.ok<{ lead: { status: string } }>(`{ lead(id: "${lead}") { status } }`)).lead.status).toBe('new');
  });
});

describe('stage history over GraphQL', () => {
  it('records stage changes made through the API before the mutation answers', async () => {
    const { createOpportunity } = await h.ok<{ createOpportunity: { id: string } }>(
      `mutation($p: ID!) { createOpportunity(input: { name: "History", pipelineId: $p, stage: prospecting }) { id } }`,
      { p: id.pipeline },
    );
    await h.ok(`mutation($id: ID!) { updateOpportunity(id: $id, input: { stage: proposal }) { id } }`, {
      id: createOpportunity.id,
    });
    const read = await h.ok<{ opportunity: { stageChanges: { summary: string; createdBy: string }[] } }>(
      `query($id: ID!) { opportunity(id: $id) { stageChanges(orderBy: [{ field: changedAt }]) { summary createdBy } } }`,
      { id: createOpportunity.id },
    );
    expect(read.opportunity.stageChanges).toEqual([
      { summary: '— → prospecting', createdBy: 'system' },
      { summary: 'prospecting → proposal', createdBy: 'system' },
    ]);
  });
});

describe('reports and segments over GraphQL', () => {
  it('serves the reports with typed filters', async () => {
    const data = await h.ok<{
      pipelineByStage: unknown[];
      winRate: Record<string, unknown>;
      customerValue: { tiers: { tier: string }[] };
    }>(
      `{ pipelineByStage(filter: { currency: "CNY" }) { pipelineName stage count amount weightedAmount }
         winRate { won lost winRatePercent }
         customerValue(basis: revenue, tiers: { a: 60 }) { tiers { tier accounts share } } }`,
    );
    expect(data.pipelineByStage).toEqual(
      expect.arrayContaining([expect.objectContaining({ pipelineName: 'Expansion', stage: 'prospecting' })]),
    );
    expect(data.winRate).toEqual({ won: 0, lost: 0, winRatePercent: null });
    expect(data.customerValue.tiers.map((t) => t.tier)).toEqual(['A', 'B', 'C', 'D']);
    const bad = await h.gql(
      `{ salesForecast(filter: { from: "2026-05-01", to: "2026-04-01", ownerId: "me" }) { month } }`,
    );
    expect(bad.errors?.[0]?.extensions?.issues?.map((i) => i.path)).toEqual(['filter.to', 'filter.ownerId']);
  });

  it('guards a campaign against over-contacting and adds when forced', async () => {
    const segment = await create('segment', {
      name: 'Wang',
      targetEntity: 'contact',
      filter: { lastName: { eq: '王' } },
    });
    const busy = await create('campaign', { name: 'Busy', type: 'email', status: 'active' });
    await create('campaignMember', { campaign: busy, contact: id.contact, sentAt: new Date().toISOString() });
    const target = await create('campaign', { name: 'Next', type: 'seminar' });
    const add = `mutation($s: ID!, $c: ID!, $force: Boolean) { addSegmentToCampaign(segmentId: $s, campaignId: $c, force: $force) { added overlapping forced overlaps { campaignName } } }`;
    const refused = await h.gql(add, { s: segment, c: target });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', details: { overlapping: 1 } });
    const forced = await h.ok<{ addSegmentToCampaign: unknown }>(add, { s: segment, c: target, force: true });
    expect(forced.addSegmentToCampaign).toEqual({
      added: 1,
      overlapping: 1,
      forced: true,
      overlaps: [{ campaignName: 'Busy' }],
    });
    const page = await h.ok<{ evaluateSegment: { count: number; members: { title: string }[] } }>(
      `query($s: ID!) { evaluateSegment(id: $s) { count members { title } } }`,
      { s: segment },
    );
    expect(page.evaluateSegment).toEqual({ count: 1, members: [{ title: '王伟' }] });
  });
});

describe('fields follow the workspace', () => {
  it('drops a report whose entities the workspace removed', async () => {
    await h.ok(`mutation { createWorkspace(slug: "lean", name: "Lean") { slug } }`);
    const fields = async () =>
      (
        await h.ok<{ __schema: { queryType: { fields: { name: string }[] } } }>(
          `{ __schema { queryType { fields { name } } } }`,
          {},
          { workspace: 'lean' },
        )
      ).__schema.queryType.fields.map((f) => f.name);
    expect(await fields()).toEqual(
      expect.arrayContaining(['timeline', 'satisfaction', 'search', 'whoIsCalling', 'customerValue']),
    );
    await h.engine.changeMetadata('lean', [{ op: 'removeEntity', entity: 'surveyScore' }], {
      actor: 'admin',
      confirmDestructive: true,
    });
    const after = await fields();
    expect(after).not.toContain('satisfaction');
    expect(after).toContain('timeline');
  });
});
