// Root fields of the CRM's built-in behaviour (@touchpoint/crm): the customer timeline, the named reports,
// search and caller identification, segments, and lead conversion. A field is offered only when the
// workspace has the entities and fields it needs (crmCapabilities), and never where an entity's own root
// field already has the name. Errors are the services' TouchpointErrors, mapped once by the server.
import {
  type ConvertLeadResult,
  crm,
  crmCapabilities,
  crmModel,
  type ReportFilter,
  type TimelineRequest,
  timelineSubjects,
} from '@touchpoint/crm';
import type { WorkspaceMetadata } from '@touchpoint/engine';
import { type EntityDefinition, entityRootFieldNames } from '@touchpoint/schema';
import type { GraphQLResolveInfo } from 'graphql';
import type { ApiContext } from '../context.ts';
import { collectFields, recordSelection, type SelectionContext } from '../selection.ts';
import { type CrmTypes, declareCrmTypes } from './crm-types.ts';
import { toRecordInput } from './entity-fields.ts';
import type { EntityTypes } from './entity-types.ts';
import type { AnyRef, Builder, Row, SharedTypes } from './shared-types.ts';

// biome-ignore lint/suspicious/noExplicitAny: Pothos field builders of run-time types
type T = any;

export interface CrmSchema {
  queries(t: T): Record<string, unknown>;
  mutations(t: T): Record<string, unknown>;
}

const service = (ctx: ApiContext) => crm(ctx.engine, ctx.records.context);
const filterOf = (args: Row) => (args.filter ?? undefined) as ReportFilter | undefined;

/** Declares the CRM types and returns its root fields, or undefined when the workspace has none of it. */
export function declareCrm(
  builder: Builder,
  shared: SharedTypes,
  metadata: WorkspaceMetadata,
  all: Map<string, EntityTypes>,
  selectionContext: SelectionContext,
): CrmSchema | undefined {
  const can = crmCapabilities(metadata);
  if (!Object.values(can).some(Boolean)) return undefined;
  // Generated entity types are named after entities; a `Crm…` entity could collide with ours.
  if ([...all.values()].some((e) => e.typeName.startsWith('Crm'))) return undefined;
  const taken = new Set(metadata.entities.flatMap((e) => Object.values(entityRootFieldNames(e))));
  const types = declareCrmTypes(builder, shared);
  const entity = (name: string) => metadata.entities.find((e) => (e.id ?? e.name) === name);
  const convert = can.convertLead ? declareConvertTypes(builder, all, selectionContext, entity) : undefined;
  const subjects = can.timeline ? timelineSubjects(crmModel(metadata)) : [];
  const timelineSubject =
    subjects.length > 0
      ? builder.enumType('CrmTimelineEntity', { values: subjects as [string, ...string[]] })
      : undefined;
  const offer = (fields: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(fields).filter(([name, field]) => field !== undefined && !taken.has(name)));

  return {
    queries: (t) =>
      offer({
        timeline: timelineSubject ? timelineField(t, types, timelineSubject, all) : undefined,
        ...(reportFields(t, types, can) as Record<string, unknown>),
        search: can.search
          ? t.field({
              type: [types.searchHit],
              nullable: false,
              description:
                'Accounts, contacts, leads, cases and opportunities matching a text or a phone number, best first.',
              args: {
                text: t.arg.string({ required: true }),
                entities: t.arg({ type: [types.searchEntity] }),
                first: t.arg.int({ description: 'At most this many hits (default 20, at most 100).' }),
              },
              resolve: (_: unknown, args: Row, ctx: ApiContext) => service(ctx).search(args as never),
            })
          : undefined,
        whoIsCalling: can.whoIsCalling
          ? t.field({
              type: types.caller,
              nullable: false,
              description:
                'Caller identification: the contacts, accounts and leads with this number, their open cases and latest touchpoints.',
              args: {
                phone: t.arg.string({ required: true }),
                touchpoints: t.arg.int({ description: 'Latest interactions per match (default 5).' }),
              },
              resolve: (_: unknown, args: Row, ctx: ApiContext) => service(ctx).whoIsCalling(args as never),
            })
          : undefined,
        evaluateSegment: can.segments
          ? t.field({
              type: types.segmentPage,
              nullable: false,
              description: 'The members of a saved segment now, paged by title.',
              args: { id: t.arg.id({ required: true }), first: t.arg.int(), after: t.arg.string() },
              resolve: (_: unknown, args: Row, ctx: ApiContext) =>
                service(ctx).evaluateSegment({
                  segmentId: String(args.id),
                  first: args.first as number,
                  after: args.after as string,
                }),
            })
          : undefined,
        previewSegment: can.segments
          ? t.field({
              type: types.segmentPage,
              nullable: false,
              description: 'The records a segment filter (the filter language of lists) matches now.',
              args: {
                targetEntity: t.arg({ type: types.segmentTarget, required: true }),
                filter: t.arg({ type: 'JSON' }),
                first: t.arg.int(),
                after: t.arg.string(),
              },
              resolve: (_: unknown, args: Row, ctx: ApiContext) => service(ctx).previewSegment(args as never),
            })
          : undefined,
      }),
    mutations: (t) =>
      offer({
        convertLead: convert
          ? t.field({
              type: convert.result,
              nullable: false,
              description:
                'Converts a lead in one transaction: finds or creates account and contact, creates an opportunity, moves its touchpoints.',
              args: { leadId: t.arg.id({ required: true }), input: t.arg({ type: convert.input }) },
              resolve: async (
                _: unknown,
                args: { leadId: string; input?: Row | null },
                ctx: ApiContext,
                info: GraphQLResolveInfo,
              ) => {
                // The records of the answer are read after the conversion commits: a selection that read
                // would refuse (a nested page over the limit) refuses the conversion before it writes.
                for (const { name, nodes } of collectFields(info.fieldNodes, info).values()) {
                  const e = ['lead', 'account', 'contact', 'opportunity'].includes(name) ? entity(name) : undefined;
                  if (e) await ctx.records.checkSelection(e.name, recordSelection(e, nodes, info, selectionContext));
                }
                const input = args.input ?? {};
                const asRecord = (name: string, value: unknown) => {
                  const e = entity(name);
                  return value && e ? toRecordInput(e, value as Row) : (value as Row | undefined);
                };
                return service(ctx).convertLead(String(args.leadId), {
                  accountId: input.accountId as string | undefined,
                  contactId: input.contactId as string | undefined,
                  createOpportunity: input.createOpportunity as boolean | undefined,
                  opportunity: asRecord('opportunity', input.opportunity),
                  account: asRecord('account', input.account),
                  contact: asRecord('contact', input.contact),
                  fieldMapping: input.fieldMapping,
                });
              },
            })
          : undefined,
        addSegmentToCampaign: can.addSegmentToCampaign
          ? t.field({
              type: types.addSegmentResult,
              nullable: false,
              description:
                "Adds a segment's members to a campaign in one transaction. Members another active campaign contacted within overlapDays are refused with CONFLICT (details list them) unless force.",
              args: {
                segmentId: t.arg.id({ required: true }),
                campaignId: t.arg.id({ required: true }),
                overlapDays: t.arg.int({ description: 'Default 30.' }),
                force: t.arg.boolean(),
              },
              resolve: (_: unknown, args: Row, ctx: ApiContext) =>
                service(ctx).addSegmentToCampaign({
                  segmentId: String(args.segmentId),
                  campaignId: String(args.campaignId),
                  overlapDays: args.overlapDays as number | undefined,
                  force: args.force as boolean | undefined,
                }),
            })
          : undefined,
      }),
  };
}

function timelineField(t: T, types: CrmTypes, subject: AnyRef, all: Map<string, EntityTypes>) {
  const channel = [...all.values()].find((e) => (e.entity.id ?? e.entity.name) === 'interaction')?.enums.get('channel');
  return t.field({
    type: types.timelineConnection,
    nullable: false,
    description:
      'Everything that touched an account (with its contacts), a contact or a lead, in two parts: `part: history` (the default) is what has happened, newest first from the present back; `part: upcoming` is open tasks (overdue ones included) and anything dated after the present, soonest first. Every item is in exactly one part. Cursor pagination both ways within a part.',
    args: {
      entity: t.arg({ type: subject, required: true }),
      id: t.arg.id({ required: true }),
      part: t.arg({ type: types.timelinePart, description: 'history (default) or upcoming.' }),
      asOf: t.arg({
        type: 'DateTime',
        description: "The present that divides the parts; default the server's clock.",
      }),
      channels: t.arg({ type: [channel ?? 'String'], description: 'Only interactions on these channels.' }),
      kinds: t.arg({ type: [types.timelineKind] }),
      from: t.arg({ type: 'DateTime', description: 'Inclusive.' }),
      to: t.arg({ type: 'DateTime', description: 'Inclusive.' }),
      first: t.arg.int({ description: 'Page size forwards (default 20, at most 200).' }),
      after: t.arg.string(),
      last: t.arg.int({ description: 'Page size backwards (at most 200).' }),
      before: t.arg.string(),
    },
    resolve: (_: unknown, args: Row, ctx: ApiContext) =>
      service(ctx).timeline({ ...args, id: String(args.id) } as TimelineRequest),
  });
}

function reportFields(t: T, types: CrmTypes, can: ReturnType<typeof crmCapabilities>) {
  const filter = () => t.arg({ type: types.reportFilter });
  const report = (
    type: AnyRef,
    description: string,
    args: Record<string, unknown>,
    run: (args: Row, ctx: ApiContext) => unknown,
  ) =>
    t.field({
      type,
      nullable: false,
      description,
      args: { filter: filter(), ...args },
      resolve: (_: unknown, a: Row, ctx: ApiContext) => run(a, ctx),
    });
  return {
    pipelineByStage: can.pipelineByStage
      ? report(
          [types.pipelineStageRow],
          'Deals per stage of each pipeline: count, amount, weighted amount (range: expected close date).',
          {},
          (a, ctx) => service(ctx).pipelineByStage(filterOf(a)),
        )
      : undefined,
    salesForecast: can.salesForecast
      ? report([types.forecastRow], 'Open and won deals per close month (range: the month day).', {}, (a, ctx) =>
          service(ctx).salesForecast(filterOf(a)),
        )
      : undefined,
    winRate: can.winRate
      ? report(
          types.winRate,
          'Won and lost deals closed in the range, win rate and average sales cycle.',
          {},
          (a, ctx) => service(ctx).winRate(filterOf(a)),
        )
      : undefined,
    campaignRoi: can.campaignRoi
      ? report(
          [types.campaignRoiRow],
          'Per campaign started in the range: leads, conversions, deals, won revenue in the window, ROI on direct cost.',
          { windowDays: t.arg.int({ description: 'Default 365.' }) },
          (a, ctx) => service(ctx).campaignRoi(filterOf(a), { windowDays: a.windowDays as number | undefined }),
        )
      : undefined,
    customerValue: can.customerValue
      ? report(
          types.customerValue,
          'Revenue and profit of delivered orders per account, A/B/C/D tiers by cumulative share (Pareto).',
          {
            basis: t.arg({ type: types.valueBasis }),
            tiers: t.arg({ type: types.tierThresholds }),
            first: t.arg.int({ description: 'Top accounts listed (default 50).' }),
          },
          (a, ctx) => service(ctx).customerValue(filterOf(a), a as never),
        )
      : undefined,
    churnByTier: can.churnByTier
      ? report(
          [types.churnRow],
          'Per value tier: customers, and those without a delivered order in the last `days` days before asOf.',
          {
            days: t.arg.int({ description: 'Default 365.' }),
            asOf: t.arg({ type: 'Date' }),
            basis: t.arg({ type: types.valueBasis }),
            tiers: t.arg({ type: types.tierThresholds }),
          },
          (a, ctx) => service(ctx).churnByTier(filterOf(a), a as never),
        )
      : undefined,
    satisfaction: can.satisfaction
      ? report(
          [types.satisfactionPeriod],
          'Survey scores per dimension and weighted total (Σ score × weight / Σ weight) per period.',
          { period: t.arg({ type: types.period }), surveyId: t.arg.id() },
          (a, ctx) =>
            service(ctx).satisfaction(filterOf(a), {
              period: a.period as never,
              surveyId: (a.surveyId as string) ?? undefined,
            }),
        )
      : undefined,
    caseHotspots: can.caseHotspots
      ? report(
          types.caseHotspots,
          'The customers and products with the most cases opened in the range.',
          { first: t.arg.int({ description: 'Default 10.' }) },
          (a, ctx) => service(ctx).caseHotspots(filterOf(a), { first: a.first as number | undefined }),
        )
      : undefined,
  };
}

function declareConvertTypes(
  builder: Builder,
  all: Map<string, EntityTypes>,
  selectionContext: SelectionContext,
  entity: (name: string) => EntityDefinition | undefined,
) {
  const typesOf = (name: string) => {
    const e = entity(name);
    return e ? all.get(e.name) : undefined;
  };
  const input = builder.inputRef<Row>('CrmConvertLeadInput').implement({
    fields: (t: T) => ({
      accountId: t.id({
        description: 'Convert into this account instead of matching the company name or creating one.',
      }),
      contactId: t.id({ description: 'Convert into this contact instead of matching the e-mail or creating one.' }),
      createOpportunity: t.boolean({ description: 'Default true.' }),
      opportunity: t.field({
        type: typesOf('opportunity')?.input,
        description:
          'Values of the new opportunity (pipeline and stage default to the default pipeline and its first stage).',
      }),
      account: t.field({
        type: typesOf('account')?.input,
        description: 'Values for a created account, over the mapped ones.',
      }),
      contact: t.field({
        type: typesOf('contact')?.input,
        description: 'Values for a created contact, over the mapped ones.',
      }),
      fieldMapping: t.field({
        type: 'JSON',
        description:
          '{ account|contact|opportunity: { targetField: leadField or null } } changing the default mapping.',
      }),
    }),
  });
  const record = (t: T, name: string, key: keyof ConvertLeadResult) => {
    const types = typesOf(name);
    return types
      ? t.field({
          type: types.object,
          resolve: (r: ConvertLeadResult, _: unknown, ctx: ApiContext, info: GraphQLResolveInfo) =>
            r[key]
              ? ctx.records.get(
                  types.entity.name,
                  String(r[key]),
                  recordSelection(types.entity, info.fieldNodes, info, selectionContext),
                )
              : null,
        })
      : undefined;
  };
  const result = builder.objectRef<ConvertLeadResult>('CrmConvertLeadResult').implement({
    fields: (t: T) =>
      Object.fromEntries(
        Object.entries({
          leadId: t.field({ type: 'ID', nullable: false, resolve: (r: ConvertLeadResult) => r.leadId }),
          accountId: t.field({ type: 'ID', nullable: false, resolve: (r: ConvertLeadResult) => r.accountId }),
          contactId: t.field({ type: 'ID', nullable: false, resolve: (r: ConvertLeadResult) => r.contactId }),
          opportunityId: t.field({ type: 'ID', resolve: (r: ConvertLeadResult) => r.opportunityId }),
          createdAccount: t.boolean({ nullable: false, resolve: (r: ConvertLeadResult) => r.created.account }),
          createdContact: t.boolean({ nullable: false, resolve: (r: ConvertLeadResult) => r.created.contact }),
          createdOpportunity: t.boolean({ nullable: false, resolve: (r: ConvertLeadResult) => r.created.opportunity }),
          movedInteractions: t.int({ nullable: false, resolve: (r: ConvertLeadResult) => r.moved.interactions }),
          movedTasks: t.int({ nullable: false, resolve: (r: ConvertLeadResult) => r.moved.tasks }),
          movedCampaignMembers: t.int({ nullable: false, resolve: (r: ConvertLeadResult) => r.moved.campaignMembers }),
          lead: record(t, 'lead', 'leadId'),
          account: record(t, 'account', 'accountId'),
          contact: record(t, 'contact', 'contactId'),
          opportunity: record(t, 'opportunity', 'opportunityId'),
        }).filter(([, f]) => f !== undefined),
      ),
  });
  return { input, result };
}
