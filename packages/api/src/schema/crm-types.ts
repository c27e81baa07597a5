// GraphQL types of the CRM's built-in behaviour (@touchpoint/crm): timeline items, report rows, search hits,
// caller matches, segment pages and lead conversion results. Names start with `Crm`.
import { PERIODS, SEARCH_ENTITIES, SEGMENT_TARGETS, TIMELINE_KINDS, VALUE_BASES } from '@touchpoint/crm';
import type { AnyRef, Builder, Row, SharedTypes } from './shared-types.ts';

export interface CrmTypes {
  timelineKind: AnyRef;
  timelinePart: AnyRef;
  timelineConnection: AnyRef;
  reportFilter: AnyRef;
  pipelineStageRow: AnyRef;
  forecastRow: AnyRef;
  winRate: AnyRef;
  campaignRoiRow: AnyRef;
  valueBasis: AnyRef;
  tierThresholds: AnyRef;
  customerValue: AnyRef;
  churnRow: AnyRef;
  period: AnyRef;
  satisfactionPeriod: AnyRef;
  caseHotspots: AnyRef;
  searchEntity: AnyRef;
  searchHit: AnyRef;
  caller: AnyRef;
  segmentTarget: AnyRef;
  segmentPage: AnyRef;
  addSegmentResult: AnyRef;
}

// biome-ignore lint/suspicious/noExplicitAny: Pothos field builders of run-time types
type T = any;

/** An object type whose fields are read straight from the row under their own names. */
function rows(builder: Builder, name: string, description: string, fields: Record<string, string | [string, boolean]>) {
  return builder.objectRef<Row>(name).implement({
    description,
    fields: (t: T) =>
      Object.fromEntries(
        Object.entries(fields).map(([key, spec]) => {
          const [type, nullable] = Array.isArray(spec) ? spec : [spec, false];
          return [key, t.field({ type, nullable, resolve: (row: Row) => row[key] })];
        }),
      ),
  });
}

export function declareCrmTypes(builder: Builder, shared: SharedTypes): CrmTypes {
  const timelineKind = builder.enumType('CrmTimelineKind', { values: TIMELINE_KINDS });
  const timelinePart = builder.enumType('CrmTimelinePart', {
    description:
      'The part of a timeline to read: history (what has happened, newest first from the present back) or upcoming (open tasks, overdue ones included, and anything dated after the present, soonest first).',
    values: {
      history: { description: 'What has happened, newest first, starting at the present.' },
      upcoming: { description: 'Open work and anything dated after the present, soonest (most overdue) first.' },
    },
  });
  const item = builder.objectRef<Row>('CrmTimelineItem').implement({
    description:
      'One thing that touched a customer: an interaction, task, case, status or stage change, quote, order, campaign or survey response.',
    fields: (t: T) => ({
      kind: t.field({ type: timelineKind, nullable: false, resolve: (r: Row) => r.kind }),
      id: t.field({ type: 'ID', nullable: false, description: 'Id of the source record.', resolve: (r: Row) => r.id }),
      occurredAt: t.field({ type: 'DateTime', nullable: false, resolve: (r: Row) => r.occurredAt }),
      title: t.string({ resolve: (r: Row) => r.title }),
      summary: t.string({
        description: "A line of the source record's stored values as they are (e.g. `new → inProgress`).",
        resolve: (r: Row) => r.summary,
      }),
      values: t.field({
        type: 'JSON',
        nullable: false,
        description:
          "The source record's fields the summary is made of, by field name of sourceEntity, typed as the record API returns them (money as { amount, currency }): show each through its field's type and option labels.",
        resolve: (r: Row) => r.values ?? {},
      }),
      channel: t.string({ description: 'Interactions and cases: the channel.', resolve: (r: Row) => r.channel }),
      direction: t.string({ resolve: (r: Row) => r.direction }),
      sourceEntity: t.string({
        nullable: false,
        description: 'Entity of the source record, e.g. caseStatusChange.',
        resolve: (r: Row) => r.sourceEntity,
      }),
      accountId: t.field({ type: 'ID', resolve: (r: Row) => r.accountId }),
      contactId: t.field({ type: 'ID', resolve: (r: Row) => r.contactId }),
      contactName: t.string({ resolve: (r: Row) => r.contactName }),
      leadId: t.field({ type: 'ID', resolve: (r: Row) => r.leadId }),
      overdue: t.boolean({
        nullable: false,
        description: 'Open work (a task not completed or cancelled) whose due instant is not after the present.',
        resolve: (r: Row) => r.overdue === true,
      }),
    }),
  });
  const edge = builder.objectRef<Row>('CrmTimelineEdge').implement({
    fields: (t: T) => ({
      cursor: t.string({ nullable: false, resolve: (e: Row) => e.cursor }),
      node: t.field({ type: item, nullable: false, resolve: (e: Row) => e }),
    }),
  });
  const timelineConnection = builder.objectRef<Row>('CrmTimelineConnection').implement({
    fields: (t: T) => ({
      edges: t.field({ type: [edge], nullable: false, resolve: (c: Row) => c.items }),
      nodes: t.field({ type: [item], nullable: false, resolve: (c: Row) => c.items }),
      pageInfo: t.field({ type: shared.pageInfo, nullable: false, resolve: (c: Row) => c.pageInfo }),
    }),
  });
  const reportFilter = builder.inputRef<Row>('CrmReportFilter').implement({
    description: "Date range (UTC days, both ends included), owner or owner's team, and the currency sums are in.",
    fields: (t: T) => ({
      from: t.field({ type: 'Date' }),
      to: t.field({ type: 'Date' }),
      ownerId: t.id(),
      teamId: t.id(),
      currency: t.string({ description: 'ISO 4217 (default CNY); amounts in other currencies are left out.' }),
    }),
  });
  const pipelineStageRow = rows(builder, 'CrmPipelineStageRow', 'Deals of one stage of one pipeline.', {
    pipelineId: 'ID',
    pipelineName: ['String', true],
    stage: 'String',
    stageName: ['String', true],
    sortOrder: ['Int', true],
    count: 'Int',
    amount: 'Decimal',
    weightedAmount: 'Decimal',
  });
  const forecastRow = rows(builder, 'CrmForecastRow', 'One close month.', {
    month: 'String',
    openCount: 'Int',
    openAmount: 'Decimal',
    weightedAmount: 'Decimal',
    commitAmount: 'Decimal',
    wonCount: 'Int',
    wonAmount: 'Decimal',
    forecastAmount: 'Decimal',
  });
  const winRate = rows(builder, 'CrmWinRate', 'Closed deals: won, lost, win rate, sales cycle.', {
    won: 'Int',
    lost: 'Int',
    winRatePercent: ['Decimal', true],
    wonAmount: 'Decimal',
    averageSalesCycleDays: ['Decimal', true],
    averageClosedCycleDays: ['Decimal', true],
  });
  const campaignRoiRow = rows(
    builder,
    'CrmCampaignRoiRow',
    'One campaign: leads → deals → won revenue against its cost.',
    {
      campaignId: 'ID',
      name: 'String',
      startDate: ['Date', true],
      leads: 'Int',
      conversions: 'Int',
      opportunities: 'Int',
      wonOpportunities: 'Int',
      wonRevenue: 'Decimal',
      cost: ['Decimal', true],
      roiPercent: ['Decimal', true],
    },
  );
  const valueBasis = builder.enumType('CrmValueBasis', { values: VALUE_BASES });
  const tierThresholds = builder.inputRef<Row>('CrmTierThresholds').implement({
    description:
      'Cumulative share (percent) reached before an account below which it is A, B or C (default 50, 80, 95).',
    fields: (t: T) => ({ a: t.float(), b: t.float(), c: t.float() }),
  });
  const tier = rows(builder, 'CrmValueTier', 'Accounts of one tier.', {
    tier: 'String',
    accounts: 'Int',
    revenue: 'Decimal',
    profit: 'Decimal',
    share: ['Decimal', true],
  });
  const accountValue = rows(builder, 'CrmAccountValue', 'One account in the value ranking.', {
    rank: 'Int',
    accountId: 'ID',
    name: 'String',
    revenue: 'Decimal',
    profit: 'Decimal',
    orders: 'Int',
    cumulativeShare: ['Decimal', true],
    tier: 'String',
  });
  const customerValue = builder.objectRef<Row>('CrmCustomerValue').implement({
    fields: (t: T) => ({
      basis: t.field({ type: valueBasis, nullable: false, resolve: (r: Row) => r.basis }),
      currency: t.string({ nullable: false, resolve: (r: Row) => r.currency }),
      accounts: t.int({ nullable: false, resolve: (r: Row) => r.accounts }),
      totalRevenue: t.field({ type: 'Decimal', nullable: false, resolve: (r: Row) => r.totalRevenue }),
      totalProfit: t.field({ type: 'Decimal', nullable: false, resolve: (r: Row) => r.totalProfit }),
      tiers: t.field({ type: [tier], nullable: false, resolve: (r: Row) => r.tiers }),
      top: t.field({ type: [accountValue], nullable: false, resolve: (r: Row) => r.top }),
    }),
  });
  const churnRow = rows(builder, 'CrmChurnRow', 'Customers of one tier and how many churned.', {
    tier: 'String',
    customers: 'Int',
    churned: 'Int',
    churnRatePercent: ['Decimal', true],
  });
  const period = builder.enumType('CrmPeriod', { values: PERIODS });
  const dimension = rows(builder, 'CrmSatisfactionDimension', 'One survey dimension in one period.', {
    dimensionId: 'ID',
    name: 'String',
    weight: 'Decimal',
    responses: 'Int',
    averageScore: 'Decimal',
  });
  const satisfactionPeriod = builder.objectRef<Row>('CrmSatisfactionPeriod').implement({
    fields: (t: T) => ({
      period: t.field({
        type: 'Date',
        nullable: false,
        description: 'First day of the period.',
        resolve: (r: Row) => r.period,
      }),
      responses: t.int({ nullable: false, resolve: (r: Row) => r.responses }),
      weightedTotal: t.field({ type: 'Decimal', resolve: (r: Row) => r.weightedTotal }),
      dimensions: t.field({ type: [dimension], nullable: false, resolve: (r: Row) => r.dimensions }),
    }),
  });
  const accountCases = rows(builder, 'CrmAccountCases', 'Cases of one customer.', {
    accountId: 'ID',
    name: 'String',
    cases: 'Int',
    openCases: 'Int',
  });
  const productCases = rows(builder, 'CrmProductCases', 'Cases about one product.', {
    productId: 'ID',
    name: 'String',
    cases: 'Int',
    openCases: 'Int',
  });
  const caseHotspots = builder.objectRef<Row>('CrmCaseHotspots').implement({
    fields: (t: T) => ({
      accounts: t.field({ type: [accountCases], nullable: false, resolve: (r: Row) => r.accounts }),
      products: t.field({ type: [productCases], nullable: false, resolve: (r: Row) => r.products }),
    }),
  });
  const searchEntity = builder.enumType('CrmSearchEntity', { values: SEARCH_ENTITIES });
  const searchHit = builder.objectRef<Row>('CrmSearchHit').implement({
    fields: (t: T) => ({
      entity: t.field({ type: searchEntity, nullable: false, resolve: (r: Row) => r.entity }),
      id: t.field({ type: 'ID', nullable: false, resolve: (r: Row) => r.id }),
      title: t.string({ nullable: false, resolve: (r: Row) => r.title }),
      subtitle: t.string({ resolve: (r: Row) => r.subtitle }),
      score: t.int({
        nullable: false,
        description: '100 whole value, 70 start of a value, 40 anywhere.',
        resolve: (r: Row) => r.score,
      }),
    }),
  });
  const callerCase = rows(builder, 'CrmCallerCase', 'An open case of the caller.', {
    id: 'ID',
    caseNumber: ['String', true],
    subject: 'String',
    status: ['String', true],
    openedAt: 'DateTime',
  });
  const callerTouchpoint = rows(builder, 'CrmCallerTouchpoint', 'A recent interaction with the caller.', {
    id: 'ID',
    occurredAt: 'DateTime',
    channel: 'String',
    subject: 'String',
    direction: ['String', true],
  });
  const match = rows(builder, 'CrmCallerMatch', 'A record with the calling number.', {
    entity: 'String',
    id: 'ID',
    title: 'String',
    field: 'String',
    exact: 'Boolean',
    accountId: ['ID', true],
    accountName: ['String', true],
  });
  const matchWithLists = builder.objectRef<Row>('CrmCaller').implement({
    fields: (t: T) => ({
      phone: t.string({
        nullable: false,
        description: 'The number as compared: national digits.',
        resolve: (r: Row) => r.phone,
      }),
      matches: t.field({ type: [match], nullable: false, resolve: (r: Row) => r.matches }),
    }),
  });
  builder.objectFields(match, (t: T) => ({
    openCases: t.field({ type: [callerCase], nullable: false, resolve: (r: Row) => r.openCases }),
    latestTouchpoints: t.field({ type: [callerTouchpoint], nullable: false, resolve: (r: Row) => r.latestTouchpoints }),
  }));
  const segmentTarget = builder.enumType('CrmSegmentTarget', { values: SEGMENT_TARGETS });
  const member = rows(builder, 'CrmSegmentMember', 'A record in a segment.', {
    entity: 'String',
    id: 'ID',
    title: 'String',
    cursor: 'String',
  });
  const segmentPageInfo = rows(builder, 'CrmSegmentPageInfo', 'Whether more members follow.', {
    hasNextPage: 'Boolean',
    endCursor: ['String', true],
  });
  const segmentPage = builder.objectRef<Row>('CrmSegmentPage').implement({
    fields: (t: T) => ({
      targetEntity: t.field({ type: segmentTarget, nullable: false, resolve: (r: Row) => r.targetEntity }),
      count: t.int({ nullable: false, description: 'Members now.', resolve: (r: Row) => r.count }),
      members: t.field({ type: [member], nullable: false, resolve: (r: Row) => r.members }),
      pageInfo: t.field({ type: segmentPageInfo, nullable: false, resolve: (r: Row) => r.pageInfo }),
    }),
  });
  const overlap = rows(builder, 'CrmSegmentOverlap', 'A member another active campaign contacted recently.', {
    memberEntity: 'String',
    id: 'ID',
    title: 'String',
    campaignId: 'ID',
    campaignName: 'String',
    contactedAt: 'DateTime',
  });
  const addSegmentResult = rows(builder, 'CrmAddSegmentResult', 'What adding a segment to a campaign did.', {
    candidates: 'Int',
    alreadyMembers: 'Int',
    added: 'Int',
    overlapping: 'Int',
    forced: 'Boolean',
  });
  builder.objectFields(addSegmentResult, (t: T) => ({
    overlaps: t.field({ type: [overlap], nullable: false, resolve: (r: Row) => r.overlaps }),
  }));
  return {
    timelineKind,
    timelinePart,
    timelineConnection,
    reportFilter,
    pipelineStageRow,
    forecastRow,
    winRate,
    campaignRoiRow,
    valueBasis,
    tierThresholds,
    customerValue,
    churnRow,
    period,
    satisfactionPeriod,
    caseHotspots,
    searchEntity,
    searchHit,
    caller: matchWithLists,
    segmentTarget,
    segmentPage,
    addSegmentResult,
  };
}
