// Sales and marketing reports against the hand-built dataset of report-data.ts; each expected number is
// worked out by hand in the comment next to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from './fixture.ts';
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

const row = (pipelineName: string, stage: string, count: number, amount: string, weightedAmount: string) => ({
  pipelineName,
  stage,
  count,
  amount,
  weightedAmount,
});

describe('pipeline by stage', () => {
  it('counts, sums and weights every stage of every pipeline (stage probability when the deal has none)', async () => {
    const rows = await fx.crm().pipelineByStage();
    expect(
      rows.map((r) => ({
        pipelineName: r.pipelineName,
        stage: r.stage,
        count: r.count,
        amount: r.amount,
        weightedAmount: r.weightedAmount,
      })),
    ).toEqual([
      row('Expansion', 'prospecting', 1, '1000.00', '100.00'), // O1: 1000 × 10 % (stage)
      row('Expansion', 'proposal', 2, '5000.00', '2700.00'), // O2 2000 × 60 % + O3 3000 × 50 % (stage)
      row('Expansion', 'negotiation', 1, '10000.00', '8000.00'), // O8
      row('Expansion', 'closedWon', 1, '5000.00', '5000.00'), // O4
      row('Expansion', 'closedLost', 1, '4000.00', '0.00'), // O5; O9 is deleted
      row('Repeat', 'qualification', 1, '0.00', '0.00'), // O6 is in USD: counted, not added up
      row('Repeat', 'closedWon', 1, '800.00', '800.00'), // O7
      row('Repeat', 'closedLost', 0, '0.00', '0.00'),
    ]);
    expect(rows[0]).toMatchObject({ pipelineId: id.P1, stageName: 'PROSPECTING', sortOrder: 1 });
  });

  it('filters by team and by expected close date', async () => {
    const team = await fx.crm().pipelineByStage({ teamId: id.T1 });
    expect(team.map((r) => [r.stage, r.count, r.amount, r.weightedAmount])).toEqual([
      ['prospecting', 1, '1000.00', '100.00'],
      ['proposal', 1, '2000.00', '1200.00'],
      ['negotiation', 1, '10000.00', '8000.00'],
      ['closedWon', 1, '5000.00', '5000.00'],
      ['closedLost', 1, '4000.00', '0.00'],
      ['qualification', 1, '0.00', '0.00'],
      ['closedWon', 0, '0.00', '0.00'],
      ['closedLost', 0, '0.00', '0.00'],
    ]);
    const march = await fx.crm().pipelineByStage({ from: '2026-03-01', to: '2026-03-31' });
    expect(march.map((r) => [r.stage, r.count, r.weightedAmount])).toEqual([
      ['prospecting', 1, '100.00'], // O1 03-15
      ['proposal', 1, '1200.00'], // O2 03-20
      ['negotiation', 0, '0.00'],
      ['closedWon', 0, '0.00'],
      ['closedLost', 1, '0.00'], // O5 03-01
      ['qualification', 1, '0.00'], // O6 03-10
      ['closedWon', 1, '800.00'], // O7 03-31
      ['closedLost', 0, '0.00'],
    ]);
  });
});

describe('forecast by close month', () => {
  it('puts open deals in their expected month and won deals in their close month; lost deals nowhere', async () => {
    expect(await fx.crm().salesForecast()).toEqual([
      {
        month: '2026-02',
        openCount: 0,
        openAmount: '0.00',
        weightedAmount: '0.00',
        commitAmount: '0.00',
        wonCount: 1,
        wonAmount: '5000.00',
        forecastAmount: '5000.00',
      }, // O4 closed 02-10
      // open O1 (100), O2 (1200), O6 (USD, counted only); won O7 800 → 800 + 1300
      {
        month: '2026-03',
        openCount: 3,
        openAmount: '3000.00',
        weightedAmount: '1300.00',
        commitAmount: '0.00',
        wonCount: 1,
        wonAmount: '800.00',
        forecastAmount: '2100.00',
      },
      {
        month: '2026-04',
        openCount: 1,
        openAmount: '3000.00',
        weightedAmount: '1500.00',
        commitAmount: '0.00',
        wonCount: 0,
        wonAmount: '0.00',
        forecastAmount: '1500.00',
      },
      {
        month: '2026-05',
        openCount: 1,
        openAmount: '10000.00',
        weightedAmount: '8000.00',
        commitAmount: '10000.00',
        wonCount: 0,
        wonAmount: '0.00',
        forecastAmount: '8000.00',
      },
    ]);
    const mine = await fx.crm().salesForecast({ ownerId: id.U1, from: '2026-03-01' });
    expect(mine).toEqual([
      {
        month: '2026-03',
        openCount: 2,
        openAmount: '1000.00',
        weightedAmount: '100.00',
        commitAmount: '0.00',
        wonCount: 0,
        wonAmount: '0.00',
        forecastAmount: '100.00',
      },
    ]);
  });
});

describe('win rate and sales cycle', () => {
  it('counts closed deals by close day; the cycle is closedAt − openedAt in days', async () => {
    // won O4 (40 days) and O7 (38 days), lost O5 (59 days)
    expect(await fx.crm().winRate()).toEqual({
      won: 2,
      lost: 1,
      winRatePercent: '66.67',
      wonAmount: '5800.00',
      averageSalesCycleDays: '39.0',
      averageClosedCycleDays: '45.7', // (40 + 59 + 38) / 3
    });
    expect(await fx.crm().winRate({ from: '2026-03-01', to: '2026-03-31' })).toEqual({
      won: 1,
      lost: 1,
      winRatePercent: '50.00',
      wonAmount: '800.00',
      averageSalesCycleDays: '38.0',
      averageClosedCycleDays: '48.5',
    });
  });
});

describe('campaign ROI', () => {
  it('follows campaign → leads → opportunities → won revenue in the window, against the direct cost', async () => {
    const rows = await fx.crm().campaignRoi();
    expect(rows).toEqual([
      {
        campaignId: id.K2,
        name: 'Webinar',
        startDate: '2026-02-01',
        leads: 1,
        conversions: 0,
        opportunities: 0,
        wonOpportunities: 0,
        wonRevenue: '0.00',
        cost: null,
        roiPercent: null,
      },
      // leads L1 L2 L3; converted L1 (status) and L3 (convertedAt); deals O4 (lead + campaign), O5 (lead), O7 (campaign)
      // won O4 5000 + O7 800 = 5800; ROI = (5800 − 1000) / 1000 = 480 %
      {
        campaignId: id.K1,
        name: 'Trade show',
        startDate: '2026-01-01',
        leads: 3,
        conversions: 2,
        opportunities: 3,
        wonOpportunities: 2,
        wonRevenue: '5800.00',
        cost: '1000.00',
        roiPercent: '480.00',
      },
    ]);
    // A 60-day window ends on 2026-03-02: O7 (closed 03-11) falls out → (5000 − 1000) / 1000 = 400 %
    const short = await fx.crm().campaignRoi({ ownerId: id.U1 }, { windowDays: 60 });
    expect(short.map((r) => [r.name, r.wonOpportunities, r.wonRevenue, r.roiPercent])).toEqual([
      ['Trade show', 1, '5000.00', '400.00'],
    ]);
    expect((await fx.crm().campaignRoi({ from: '2026-01-15' })).map((r) => r.name)).toEqual(['Webinar']);
  });
});
