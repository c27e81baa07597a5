// The dashboard: the built-in reports (each one SQL statement on the server) in one request.
import { gql } from '#lib/api.ts';
import type { PageLoad } from './$types';

export interface Dashboard {
  pipelineByStage: {
    pipelineName: string;
    stage: string;
    stageName: string;
    sortOrder: number;
    count: number;
    amount: string;
    weightedAmount: string;
  }[];
  salesForecast: {
    month: string;
    openAmount: string;
    weightedAmount: string;
    wonAmount: string;
    forecastAmount: string;
  }[];
  winRate: {
    won: number;
    lost: number;
    winRatePercent: string | null;
    wonAmount: string;
    averageSalesCycleDays: string | null;
  };
  campaignRoi: { name: string; leads: number; wonRevenue: string; cost: string; roiPercent: string | null }[];
  customerValue: {
    currency: string;
    totalRevenue: string;
    tiers: { tier: string; accounts: number; revenue: string; share: string }[];
  };
  churnByTier: { tier: string; customers: number; churned: number; churnRatePercent: string | null }[];
  satisfaction: {
    period: string;
    responses: number;
    weightedTotal: string | null;
    dimensions: { name: string; averageScore: string | null }[];
  }[];
}

export const load: PageLoad = async ({ fetch, parent }) => {
  const { session } = await parent();
  const dashboard = await gql<Dashboard>(
    fetch,
    session,
    `{
      pipelineByStage { pipelineName stage stageName sortOrder count amount weightedAmount }
      salesForecast { month openAmount weightedAmount wonAmount forecastAmount }
      winRate { won lost winRatePercent wonAmount averageSalesCycleDays }
      campaignRoi { name leads wonRevenue cost roiPercent }
      customerValue { currency totalRevenue tiers { tier accounts revenue share } }
      churnByTier { tier customers churned churnRatePercent }
      satisfaction(period: quarter) { period responses weightedTotal dimensions { name averageScore } }
    }`,
  );
  return { dashboard };
};
