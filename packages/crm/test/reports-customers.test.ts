// Customer, churn and service reports against the hand-built dataset of report-data.ts; each expected
// number is worked out by hand in the comment next to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, type Fixture, startFixture } from './fixture.ts';
import { seedReportData } from './report-data.ts';

let fx: Fixture;
let id: Record<string, string> = {};

beforeAll(async () => {
  fx = await startFixture();
  id = await seedReportData(fx);
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

describe('customer value', () => {
  it('ranks accounts by delivered revenue into A/B/C/D by the cumulative share before each', async () => {
    const report = await fx.crm().customerValue();
    // revenue A1 8000, A2 2500, A3 1000 (its USD order is left out), A4 0, A5 0 (shipped only): total 11500
    expect(report).toMatchObject({
      basis: 'revenue',
      currency: 'CNY',
      accounts: 5,
      totalRevenue: '11500.00',
      totalProfit: '4000.00',
    });
    expect(report.tiers).toEqual([
      { tier: 'A', accounts: 1, revenue: '8000.00', profit: '2500.00', share: '69.57' }, // 8000 / 11500
      { tier: 'B', accounts: 1, revenue: '2500.00', profit: '1500.00', share: '21.74' }, // before: 69.57 % < 80 %
      { tier: 'C', accounts: 1, revenue: '1000.00', profit: '0.00', share: '8.70' }, // before: 91.30 % < 95 %; no cost, no profit
      { tier: 'D', accounts: 2, revenue: '0.00', profit: '0.00', share: '0.00' },
    ]);
    expect(report.top.slice(0, 3)).toEqual([
      {
        rank: 1,
        accountId: id.A1,
        name: 'A1',
        revenue: '8000.00',
        profit: '2500.00',
        orders: 2,
        cumulativeShare: '69.57',
        tier: 'A',
      },
      {
        rank: 2,
        accountId: id.A2,
        name: 'A2',
        revenue: '2500.00',
        profit: '1500.00',
        orders: 1,
        cumulativeShare: '91.30',
        tier: 'B',
      },
      {
        rank: 3,
        accountId: id.A3,
        name: 'A3',
        revenue: '1000.00',
        profit: '0.00',
        orders: 1,
        cumulativeShare: '100.00',
        tier: 'C',
      },
    ]);
    expect(report.top.slice(3).map((a) => a.tier)).toEqual(['D', 'D']);
  });

  it('ranks by profit, per owner and per date range', async () => {
    const profit = await fx.crm().customerValue(null, { basis: 'profit', first: 2 });
    // profit A1 2500, A2 1500 (before 62.5 % → B), A3 0 → D
    expect(profit.tiers.map((t) => [t.tier, t.accounts, t.share])).toEqual([
      ['A', 1, '62.50'],
      ['B', 1, '37.50'],
      ['C', 0, '0.00'],
      ['D', 3, '0.00'],
    ]);
    expect(profit.top.map((a) => a.name)).toEqual(['A1', 'A2']);
    const mine = await fx.crm().customerValue({ ownerId: id.U1 });
    expect(mine.tiers.map((t) => [t.tier, t.accounts, t.revenue])).toEqual([
      ['A', 1, '8000.00'],
      ['B', 0, '0.00'],
      ['C', 0, '0.00'],
      ['D', 1, '0.00'],
    ]);
    const recent = await fx.crm().customerValue({ from: '2026-01-01' });
    expect(recent).toMatchObject({ totalRevenue: '2000.00' });
    expect(recent.top[0]).toMatchObject({ name: 'A1', tier: 'A', orders: 1 });
  });
});

describe('churn per tier', () => {
  it('counts customers without a delivered order in the last N days, per tier', async () => {
    // customers A1 (last 2026-01-10), A2 (2025-12-01), A3 (2025-01-01, its USD order); 180 days before 2026-03-01 is 2025-09-02
    expect(await fx.crm().churnByTier(null, { asOf: '2026-03-01', days: 180 })).toEqual([
      { tier: 'A', customers: 1, churned: 0, churnRatePercent: '0.00' },
      { tier: 'B', customers: 1, churned: 0, churnRatePercent: '0.00' },
      { tier: 'C', customers: 1, churned: 1, churnRatePercent: '100.00' },
      { tier: 'D', customers: 0, churned: 0, churnRatePercent: null },
    ]);
    // 60 days before 2026-03-01 is 2025-12-31: A2 churns too
    const short = await fx.crm().churnByTier(null, { asOf: '2026-03-01', days: 60 });
    expect(short.map((r) => [r.tier, r.churned])).toEqual([
      ['A', 0],
      ['B', 1],
      ['C', 1],
      ['D', 0],
    ]);
  });
});

describe('satisfaction', () => {
  it('averages each dimension and the weighted total (Σ score × weight / Σ weight) per period', async () => {
    const dim = (dimensionId: string, name: string, weight: string, responses: number, averageScore: string) => ({
      dimensionId,
      name,
      weight,
      responses,
      averageScore,
    });
    expect(await fx.crm().satisfaction()).toEqual([
      {
        period: '2026-01-01',
        responses: 2,
        weightedTotal: '4.00',
        dimensions: [dim(id.D2!, 'Resolution', '0.60', 2, '4.00'), dim(id.D1!, 'Response speed', '0.40', 2, '4.00')],
      },
      {
        period: '2026-02-01',
        responses: 2,
        weightedTotal: '3.60',
        dimensions: [dim(id.D2!, 'Resolution', '0.60', 1, '3.00'), dim(id.D1!, 'Response speed', '0.40', 2, '3.00')],
      },
    ]);
    const quarter = await fx.crm().satisfaction(null, { period: 'quarter', surveyId: id.S });
    expect(
      quarter.map((q) => [q.period, q.responses, q.weightedTotal, q.dimensions.map((d) => d.averageScore)]),
    ).toEqual([
      ['2026-01-01', 4, '3.80', ['3.67', '3.50']], // (3.8 + 4.2 + 2.2 + 5.0) / 4; D2 (3+5+3)/3; D1 (5+3+1+5)/4
    ]);
    const mine = await fx.crm().satisfaction({ ownerId: id.U1 }); // the responses about U1's case Ka
    expect(mine.map((q) => [q.period, q.responses, q.weightedTotal])).toEqual([
      ['2026-01-01', 1, '3.80'],
      ['2026-02-01', 1, '2.20'],
    ]);
  });
});

describe('case hotspots', () => {
  it('lists the customers and products with the most cases, with how many are open', async () => {
    expect(await fx.crm().caseHotspots()).toEqual({
      accounts: [
        { accountId: id.A1, name: 'A1', cases: 3, openCases: 2 }, // Ka new, Kc resolved, Kd inProgress
        { accountId: id.A3, name: 'A3', cases: 2, openCases: 2 },
        { accountId: id.A2, name: 'A2', cases: 1, openCases: 0 },
      ],
      products: [
        { productId: id.Px, name: 'Lathe X', cases: 3, openCases: 2 },
        { productId: id.Py, name: 'Mill Y', cases: 1, openCases: 0 },
      ],
    });
    const team = await fx.crm().caseHotspots({ teamId: id.T1, from: '2026-02-01', to: '2026-02-28' }, { first: 1 });
    expect(team).toEqual({
      accounts: [{ accountId: id.A1, name: 'A1', cases: 2, openCases: 1 }],
      products: [{ productId: id.Px, name: 'Lathe X', cases: 1, openCases: 1 }], // Kd; Py (Kc) ties on 1 case and sorts after
    });
  });
});

describe('report input', () => {
  it('refuses bad filters and options, naming each problem', async () => {
    const crm = fx.crm();
    await expectError(
      crm.pipelineByStage({ from: '2026-13-01', to: 'soon', ownerId: 'u1', currency: 'cny' }),
      'VALIDATION_FAILED',
      ['filter.from', 'filter.to', 'filter.ownerId', 'filter.currency'],
    );
    await expectError(crm.winRate({ from: '2026-03-01', to: '2026-02-01' }), 'VALIDATION_FAILED', ['filter.to']);
    await expectError(crm.campaignRoi(null, { windowDays: 0 }), 'VALIDATION_FAILED', ['windowDays']);
    await expectError(
      crm.customerValue(null, { basis: 'fame' as never, tiers: { a: 90, b: 80 } }),
      'VALIDATION_FAILED',
      ['basis', 'tiers'],
    );
    await expectError(crm.churnByTier(null, { days: -1, asOf: '01/03/2026' }), 'VALIDATION_FAILED', ['days', 'asOf']);
    await expectError(crm.satisfaction(null, { period: 'decade' as never, surveyId: 'x' }), 'VALIDATION_FAILED', [
      'period',
      'surveyId',
    ]);
    await expectError(crm.caseHotspots(null, { first: 0 }), 'VALIDATION_FAILED', ['first']);
  });
});
