// The CRM's built-in behaviour for one request (workspace + actor): timeline, reports, search, caller
// identification, segments and lead conversion, over the workspace's effective metadata at call time.
import type { Engine, RequestContext } from '@touchpoint/engine';
import { type ConvertLeadInput, type ConvertLeadResult, convertLead } from './convert-lead.ts';
import { type CrmModel, crmReads } from './model.ts';
import type { ReportFilter } from './report-filter.ts';
import {
  type CustomerValueOptions,
  campaignRoi,
  churnByTier,
  customerValue,
  type TierThresholds,
  type ValueBasis,
} from './reports-customers.ts';
import { pipelineByStage, salesForecast, winRate } from './reports-sales.ts';
import { caseHotspots, type Period, satisfaction } from './reports-service.ts';
import { type SearchEntity, search, whoIsCalling } from './search.ts';
import { addSegmentToCampaign, evaluateSegment, previewSegment, type SegmentTarget } from './segments.ts';
import type { SqlRunner } from './sql.ts';
import { type TimelineRequest, timeline } from './timeline.ts';

export class CrmService {
  readonly engine: Engine;
  readonly context: RequestContext;

  constructor(engine: Engine, context: RequestContext) {
    this.engine = engine;
    this.context = context;
  }

  /**
   * The model of this request's reads: its tables come from the engine's scoped door (`engine.reader`), which
   * adds the visibility predicate; its statements run there (on connections with PostgreSQL's JIT off).
   */
  async model(): Promise<CrmModel> {
    return crmReads(await this.engine.reader(this.context));
  }

  /** The model and where its reads run, as the report and search functions take them. */
  async #reads(): Promise<[CrmModel, SqlRunner]> {
    const m = await this.model();
    return [m, m.sql];
  }

  async timeline(request: TimelineRequest) {
    // The present divides history from what is upcoming: the engine's clock, unless the caller names one.
    return timeline(...(await this.#reads()), {
      ...request,
      asOf: request.asOf ?? this.engine.clock.now().toISOString(),
    });
  }

  async pipelineByStage(filter?: ReportFilter | null) {
    return pipelineByStage(...(await this.#reads()), filter);
  }

  async salesForecast(filter?: ReportFilter | null) {
    return salesForecast(...(await this.#reads()), filter);
  }

  async winRate(filter?: ReportFilter | null) {
    return winRate(...(await this.#reads()), filter);
  }

  async campaignRoi(filter?: ReportFilter | null, options: { windowDays?: number | null } = {}) {
    return campaignRoi(...(await this.#reads()), filter, options);
  }

  async customerValue(filter?: ReportFilter | null, options: CustomerValueOptions = {}) {
    return customerValue(...(await this.#reads()), filter, options);
  }

  async churnByTier(
    filter?: ReportFilter | null,
    options: {
      days?: number | null;
      asOf?: string | null;
      basis?: ValueBasis | null;
      tiers?: Partial<TierThresholds> | null;
    } = {},
  ) {
    return churnByTier(...(await this.#reads()), filter, options);
  }

  async satisfaction(filter?: ReportFilter | null, options: { period?: Period | null; surveyId?: string | null } = {}) {
    return satisfaction(...(await this.#reads()), filter, options);
  }

  async caseHotspots(filter?: ReportFilter | null, options: { first?: number | null } = {}) {
    return caseHotspots(...(await this.#reads()), filter, options);
  }

  async search(request: { text: string; entities?: SearchEntity[] | null; first?: number | null }) {
    return search(...(await this.#reads()), request);
  }

  async whoIsCalling(request: { phone: string; touchpoints?: number | null }) {
    return whoIsCalling(...(await this.#reads()), request);
  }

  async previewSegment(request: {
    targetEntity: SegmentTarget;
    filter: unknown;
    first?: number | null;
    after?: string | null;
  }) {
    return previewSegment(...(await this.#reads()), request);
  }

  async evaluateSegment(request: { segmentId: string; first?: number | null; after?: string | null }) {
    return evaluateSegment(...(await this.#reads()), request);
  }

  async addSegmentToCampaign(request: {
    segmentId: string;
    campaignId: string;
    overlapDays?: number | null;
    force?: boolean | null;
  }) {
    return addSegmentToCampaign(this.engine, this.context, await this.model(), request);
  }

  async convertLead(leadId: string, input: ConvertLeadInput = {}): Promise<ConvertLeadResult> {
    return convertLead(this.engine, this.context, await this.model(), leadId, input);
  }
}

/** The CRM service for one request. */
export function crm(engine: Engine, context: RequestContext): CrmService {
  return new CrmService(engine, context);
}
