// The hand-built dataset of the report tests: three users in two teams, two pipelines with stages, nine
// deals, two campaigns with leads, five accounts with orders, six cases on two products, and a survey with
// two weighted dimensions. The tests next to it work out every expected number by hand from this.
import { type Fixture, money } from './fixture.ts';

export async function seedReportData(fx: Fixture): Promise<Record<string, string>> {
  const id: Record<string, string> = {};
  const c = fx.create;
  id.T1 = await c('team', { name: 'East' });
  id.T2 = await c('team', { name: 'West' });
  id.U1 = await c('user', { name: 'U1', email: 'u1@x.cn', team: id.T1 });
  id.U2 = await c('user', { name: 'U2', email: 'u2@x.cn', team: id.T1 });
  id.U3 = await c('user', { name: 'U3', email: 'u3@x.cn', team: id.T2 });
  id.P1 = await c('pipeline', { name: 'Expansion', type: 'expansion' });
  id.P2 = await c('pipeline', { name: 'Repeat', type: 'repeatOrder' });
  const stages: [string, string, number, number][] = [
    ['P1', 'prospecting', 1, 10],
    ['P1', 'proposal', 2, 50],
    ['P1', 'negotiation', 3, 80],
    ['P1', 'closedWon', 4, 100],
    ['P1', 'closedLost', 5, 0],
    ['P2', 'qualification', 1, 30],
    ['P2', 'closedWon', 2, 100],
    ['P2', 'closedLost', 3, 0],
  ];
  await fx.createMany(
    'pipelineStage',
    stages.map(([p, stage, sortOrder, probability]) => ({
      pipeline: id[p],
      name: stage.toUpperCase(),
      stage,
      sortOrder,
      probability: String(probability),
    })),
  );
  const opp = (key: string, v: Record<string, unknown>) =>
    c('opportunity', {
      name: key,
      ...v,
      owner: v.owner ? id[v.owner as string] : undefined,
      pipeline: id[v.pipeline as string],
    }).then((x) => {
      id[key] = x;
    });
  await opp('O1', {
    pipeline: 'P1',
    stage: 'prospecting',
    amount: money(1000),
    expectedCloseDate: '2026-03-15',
    owner: 'U1',
  });
  await opp('O2', {
    pipeline: 'P1',
    stage: 'proposal',
    amount: money(2000),
    probability: '60',
    expectedCloseDate: '2026-03-20',
    owner: 'U2',
  });
  await opp('O3', {
    pipeline: 'P1',
    stage: 'proposal',
    amount: money(3000),
    expectedCloseDate: '2026-04-10',
    owner: 'U3',
  });
  await opp('O4', {
    pipeline: 'P1',
    stage: 'closedWon',
    amount: money(5000),
    probability: '100',
    openedAt: '2026-01-01T00:00:00Z',
    closedAt: '2026-02-10T00:00:00Z',
    expectedCloseDate: '2026-02-28',
    owner: 'U1',
  });
  await opp('O5', {
    pipeline: 'P1',
    stage: 'closedLost',
    amount: money(4000),
    probability: '0',
    openedAt: '2026-01-05T00:00:00Z',
    closedAt: '2026-03-05T00:00:00Z',
    expectedCloseDate: '2026-03-01',
    owner: 'U2',
  });
  await opp('O6', {
    pipeline: 'P2',
    stage: 'qualification',
    amount: money(1000, 'USD'),
    probability: '30',
    expectedCloseDate: '2026-03-10',
    owner: 'U1',
  });
  await opp('O7', {
    pipeline: 'P2',
    stage: 'closedWon',
    amount: money(800),
    probability: '100',
    openedAt: '2026-02-01T00:00:00Z',
    closedAt: '2026-03-11T00:00:00Z',
    expectedCloseDate: '2026-03-31',
    owner: 'U3',
  });
  await opp('O8', {
    pipeline: 'P1',
    stage: 'negotiation',
    amount: money(10000),
    probability: '80',
    expectedCloseDate: '2026-05-05',
    owner: 'U2',
    forecastCategory: 'commit',
  });
  await opp('O9', {
    pipeline: 'P1',
    stage: 'prospecting',
    amount: money(99999),
    expectedCloseDate: '2026-03-15',
    owner: 'U1',
  });
  await fx.remove('opportunity', id.O9!);

  id.K1 = await c('campaign', {
    name: 'Trade show',
    type: 'tradeShow',
    startDate: '2026-01-01',
    actualCost: money(1000),
    owner: id.U1,
  });
  id.K2 = await c('campaign', { name: 'Webinar', type: 'seminar', startDate: '2026-02-01', owner: id.U3 });
  await fx.update('opportunity', id.O7!, { campaign: id.K1 });
  await fx.update('opportunity', id.O4!, { campaign: id.K1 });
  await c('lead', { lastName: 'L1', campaign: id.K1, status: 'converted', convertedOpportunity: id.O4 });
  await c('lead', { lastName: 'L2', campaign: id.K1 });
  await c('lead', {
    lastName: 'L3',
    campaign: id.K1,
    convertedAt: '2026-01-20T00:00:00Z',
    convertedOpportunity: id.O5,
  });
  await c('lead', { lastName: 'L4', campaign: id.K2 });

  for (const [key, owner] of [
    ['A1', 'U1'],
    ['A2', 'U2'],
    ['A3', 'U3'],
    ['A4', 'U1'],
    ['A5', undefined],
  ] as const) {
    id[key] = await c('account', { name: key, owner: owner ? id[owner] : undefined });
  }
  const order = (
    account: string,
    total: ReturnType<typeof money>,
    cost: ReturnType<typeof money> | undefined,
    status: string,
    orderDate: string,
  ) => c('order', { account: id[account], totalAmount: total, cost, status, orderDate });
  await order('A1', money(6000), money(4000), 'delivered', '2025-06-01');
  await order('A1', money(2000), money(1500), 'completed', '2026-01-10');
  await order('A1', money(9999), money(1), 'draft', '2026-01-11');
  await order('A2', money(2500), money(1000), 'delivered', '2025-12-01');
  await order('A3', money(1000), undefined, 'completed', '2024-01-01');
  await order('A3', money(500, 'USD'), undefined, 'completed', '2025-01-01');
  await order('A5', money(500), money(100), 'shipped', '2026-01-01');

  id.Px = await c('product', { name: 'Lathe X', sku: 'PX' });
  id.Py = await c('product', { name: 'Mill Y', sku: 'PY' });
  const kase = (
    key: string,
    account: string,
    product: string | undefined,
    owner: string,
    status: string,
    openedAt: string,
  ) =>
    c('case', {
      subject: key,
      account: id[account],
      product: product ? id[product] : undefined,
      owner: id[owner],
      status,
      openedAt,
    }).then((x) => {
      id[key] = x;
    });
  await kase('Ka', 'A1', 'Px', 'U1', 'new', '2026-01-05T00:00:00Z');
  await kase('Kb', 'A2', 'Px', 'U3', 'closed', '2026-01-15T00:00:00Z');
  await kase('Kc', 'A1', 'Py', 'U1', 'resolved', '2026-02-01T00:00:00Z');
  await kase('Kd', 'A1', 'Px', 'U2', 'inProgress', '2026-02-10T00:00:00Z');
  await kase('Ke', 'A3', undefined, 'U3', 'new', '2026-03-01T00:00:00Z');
  await kase('Kf', 'A3', undefined, 'U3', 'escalated', '2026-03-02T00:00:00Z');

  id.S = await c('survey', { name: 'After service' });
  id.D1 = await c('surveyDimension', { survey: id.S, name: 'Response speed', weight: '0.4' });
  id.D2 = await c('surveyDimension', { survey: id.S, name: 'Resolution', weight: '0.6' });
  const response = async (respondedAt: string, kase: string | undefined, scores: [string, number][]) => {
    const r = await c('surveyResponse', { survey: id.S, respondedAt, case: kase ? id[kase] : undefined });
    await fx.createMany(
      'surveyScore',
      scores.map(([d, score]) => ({ response: r, dimension: id[d], score: String(score) })),
    );
  };
  await response('2026-01-10T08:00:00Z', 'Ka', [
    ['D1', 5],
    ['D2', 3],
  ]); // 5×0.4 + 3×0.6 = 3.8
  await response('2026-01-20T08:00:00Z', 'Kb', [
    ['D1', 3],
    ['D2', 5],
  ]); // 1.2 + 3.0 = 4.2
  await response('2026-02-05T08:00:00Z', 'Ka', [
    ['D1', 1],
    ['D2', 3],
  ]); // 0.4 + 1.8 = 2.2
  await response('2026-02-06T08:00:00Z', undefined, [['D1', 5]]); // 2.0 / 0.4 = 5.0
  return id;
}
