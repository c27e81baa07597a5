// The dashboard: the built-in reports (each one SQL statement on the server) in one request.
import { gql } from '#lib/api.ts';
import { PERIODS, windowOf } from '#lib/periods.ts';
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

// The reports' own filter (CrmReportFilter): a period, and an owner or a team, kept in the address.
export const load: PageLoad = async ({ fetch, parent, url }) => {
  const { session } = await parent();
  const period = PERIODS.find((p) => p === url.searchParams.get('period')) ?? 'all';
  const ownerId = url.searchParams.get('owner') || undefined;
  const teamId = url.searchParams.get('team') || undefined;
  const filter = { ...windowOf(period), ownerId, teamId };
  const dashboard = await gql<Dashboard>(
    fetch,
    session,
    `query Dashboard($filter: CrmReportFilter) {
      pipelineByStage(filter: $filter) { pipelineName stage stageName sortOrder count amount weightedAmount }
      salesForecast(filter: $filter) { month openAmount weightedAmount wonAmount forecastAmount }
      winRate(filter: $filter) { won lost winRatePercent wonAmount averageSalesCycleDays }
      campaignRoi(filter: $filter) { name leads wonRevenue cost roiPercent }
      customerValue(filter: $filter) { currency totalRevenue tiers { tier accounts revenue share } }
      churnByTier(filter: $filter) { tier customers churned churnRatePercent }
      satisfaction(filter: $filter, period: quarter) { period responses weightedTotal dimensions { name averageScore } }
    }`,
    { filter },
  );
  // The pickers show who or which team the figures are for.
  const titleOf = async (entity: 'user' | 'team', id: string | undefined) =>
    id
      ? ((
          await gql<{ r: { name: string } | null }>(
            fetch,
            session,
            `query T($id: ID!) { r: ${entity}(id: $id) { name } }`,
            { id },
          )
        ).r?.name ?? null)
      : null;
  const [ownerTitle, teamTitle] = await Promise.all([titleOf('user', ownerId), titleOf('team', teamId)]);
  return { dashboard, period, ownerId: ownerId ?? null, teamId: teamId ?? null, ownerTitle, teamTitle };
};
