// What each CRM feature needs from the workspace's metadata. The API offers a feature only when the
// workspace has it all; a service called anyway fails with NOT_FOUND naming what is missing.
import type { WorkspaceMetadata } from '@touchpoint/engine';
import { crmModel, type Requirement } from './model.ts';
import { searchableEntities } from './search.ts';
import { timelineSources } from './timeline-sources.ts';

export const REQUIREMENTS = {
  pipelineByStage: {
    opportunity: ['pipeline', 'stage', 'amount', 'probability', 'expectedCloseDate', 'closedAt', 'owner'],
    pipeline: ['name'],
  },
  salesForecast: {
    opportunity: [
      'pipeline',
      'stage',
      'amount',
      'probability',
      'expectedCloseDate',
      'closedAt',
      'owner',
      'forecastCategory',
    ],
  },
  winRate: {
    opportunity: ['pipeline', 'stage', 'amount', 'probability', 'expectedCloseDate', 'closedAt', 'owner', 'openedAt'],
  },
  campaignRoi: {
    campaign: ['name', 'startDate', 'actualCost', 'owner'],
    lead: ['campaign', 'status', 'convertedAt', 'convertedOpportunity'],
    opportunity: ['campaign', 'stage', 'amount', 'closedAt'],
  },
  customerValue: {
    account: ['name', 'owner'],
    order: ['account', 'status', 'orderDate', 'totalAmount', 'cost'],
  },
  churnByTier: {
    account: ['name', 'owner'],
    order: ['account', 'status', 'orderDate', 'totalAmount', 'cost'],
  },
  satisfaction: {
    surveyResponse: ['survey', 'respondedAt', 'case'],
    surveyScore: ['response', 'dimension', 'score'],
    surveyDimension: ['name', 'weight'],
  },
  caseHotspots: { case: ['account', 'product', 'openedAt', 'status', 'owner'], account: [], product: [] },
  segments: { segment: ['targetEntity', 'filter'] },
  addSegmentToCampaign: {
    segment: ['targetEntity', 'filter', 'lastEvaluatedAt', 'lastCount'],
    campaignMember: ['campaign', 'contact', 'lead', 'status', 'sentAt', 'respondedAt'],
    campaign: ['name', 'status'],
    contact: ['account'],
  },
  convertLead: {
    lead: ['status', 'convertedAt', 'convertedAccount', 'convertedContact', 'convertedOpportunity', 'company', 'email'],
    account: ['name'],
    contact: ['account', 'email'],
  },
  stageHistory: {
    opportunity: ['stage'],
    opportunityStageChange: ['opportunity', 'fromStage', 'toStage', 'changedAt', 'changedBy', 'amount', 'probability'],
  },
  statusHistory: {
    case: ['status'],
    caseStatusChange: ['case', 'fromStatus', 'toStatus', 'changedAt', 'changedBy'],
  },
} satisfies Record<string, Requirement>;

export type CrmFeature = keyof typeof REQUIREMENTS | 'timeline' | 'search' | 'whoIsCalling';

/** Which CRM features this workspace version supports. */
export function crmCapabilities(metadata: WorkspaceMetadata): Record<CrmFeature, boolean> {
  const m = crmModel(metadata);
  const result = {} as Record<CrmFeature, boolean>;
  for (const [feature, requirement] of Object.entries(REQUIREMENTS)) {
    result[feature as CrmFeature] = m.supports(requirement);
  }
  result.timeline = ['account', 'contact', 'lead'].some((e) => m.entity(e)) && timelineSources(m).length > 0;
  result.search = searchableEntities(m).length > 0;
  result.whoIsCalling = ['account', 'contact', 'lead'].some(
    (e) => m.entity(e) && m.entity(e)!.fields.some((f) => f.type === 'phone'),
  );
  return result;
}
