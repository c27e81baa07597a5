export type { ConvertLeadInput, ConvertLeadResult } from './convert-lead.ts';
export { CONVERTED_STATUS } from './convert-lead.ts';
export type { ConvertTarget, FieldMap } from './convert-lead-mapping.ts';
export { DEFAULT_LEAD_MAPPING, SET_BY_CONVERSION } from './convert-lead-mapping.ts';
export type { CrmFeature } from './features.ts';
export { crmCapabilities, REQUIREMENTS } from './features.ts';
export type { CrmBehaviour, SyncHistoryLinksOptions } from './history.ts';
export { installCrmBehaviour, syncHistoryLinks } from './history.ts';
export type { Requirement } from './model.ts';
export { CrmModel, crmModel, crmReads } from './model.ts';
export { callerKeys, isPhoneLike, MIN_SUFFIX_DIGITS, phoneDigits, phoneKey, phoneKeySql } from './phone.ts';
export type { CheckedFilter, ReportFilter } from './report-filter.ts';
export { DEFAULT_CURRENCY } from './report-filter.ts';
export type {
  CampaignRoiRow,
  ChurnRow,
  CustomerValueOptions,
  CustomerValueReport,
  TierThresholds,
  ValueBasis,
} from './reports-customers.ts';
export { DEFAULT_TIERS, REVENUE_ORDER_STATUSES, VALUE_BASES } from './reports-customers.ts';
export type { ForecastRow, PipelineStageRow, WinRateRow } from './reports-sales.ts';
export { LOST, WON } from './reports-sales.ts';
export type { CaseHotspots, Period, SatisfactionPeriod } from './reports-service.ts';
export { CLOSED_CASE_STATUSES, PERIODS } from './reports-service.ts';
export type { CallerMatch, SearchEntity, SearchHit } from './search.ts';
export {
  CALLER_MAX_MATCHES,
  SEARCH_DEFAULT_FIRST,
  SEARCH_ENTITIES,
  SEARCH_MAX_FIRST,
  searchableEntities,
} from './search.ts';
export type { AddSegmentResult, SegmentOverlap, SegmentPage, SegmentTarget } from './segments.ts';
export { MAX_SEGMENT_MEMBERS, OPEN_CAMPAIGN_STATUSES, SEGMENT_TARGETS } from './segments.ts';
export { CrmService, crm } from './service.ts';
export type { SqlRunner } from './sql.ts';
export type { TimelineItem, TimelinePage, TimelineRequest } from './timeline.ts';
export { TIMELINE_DEFAULT_FIRST, TIMELINE_MAX_FIRST } from './timeline.ts';
export type { TimelineKind, TimelinePart, TimelineSubject } from './timeline-sources.ts';
export {
  TIMELINE_KINDS,
  TIMELINE_PARTS,
  TIMELINE_SUBJECTS,
  timelineSources,
  timelineSubjects,
} from './timeline-sources.ts';
