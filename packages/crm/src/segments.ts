// Segments (MKT-1, MKT-3): a saved filter (the engine's filter language) over accounts, contacts or leads,
// evaluated live; and adding a segment's members to a campaign in one transaction, guarded against
// over-contacting: members another active campaign contacted within N days are reported and only added
// when forced. An account segment's members are the contacts of its accounts.
import {
  compileFilter,
  decodeCursor,
  type Engine,
  encodeCursor,
  type Filter,
  MAX_BATCH,
  type RequestContext,
  recordTransaction,
} from '@touchpoint/engine';
import { TouchpointError } from '@touchpoint/schema';
import { REQUIREMENTS } from './features.ts';
import type { CrmModel } from './model.ts';
import { Checks, notFound, Params, type SqlRunner } from './sql.ts';

export const SEGMENT_TARGETS = ['account', 'contact', 'lead'] as const;
export type SegmentTarget = (typeof SEGMENT_TARGETS)[number];
/** Campaign statuses that still take members. */
export const OPEN_CAMPAIGN_STATUSES = ['planned', 'active'];
export const ACTIVE_CAMPAIGN_STATUS = 'active';
/** Most members one addSegmentToCampaign call adds. */
export const MAX_SEGMENT_MEMBERS = 20_000;

export interface SegmentPage {
  targetEntity: SegmentTarget;
  count: number;
  members: { entity: SegmentTarget; id: string; title: string; cursor: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** The WHERE condition of a filter on `t` (live rows only), with its parameters appended to `p`. */
function memberCondition(m: CrmModel, p: Params, target: SegmentTarget, filter: unknown, path: string): string {
  const entity = m.entity(target)!;
  if (filter !== null && filter !== undefined && (typeof filter !== 'object' || Array.isArray(filter))) {
    throw new TouchpointError('VALIDATION_FAILED', `The segment filter is not valid:\n  - ${path}: must be an object`, {
      issues: [{ path, message: `must be an object of conditions on ${target} fields` }],
    });
  }
  const compiled = compileFilter(m.metadata.compiler, entity.name, (filter ?? undefined) as Filter | undefined, {
    alias: 't',
    params: p.values,
    path,
  });
  return `(${compiled.sql})`;
}

export async function previewSegment(
  m: CrmModel,
  sql: SqlRunner,
  request: { targetEntity: SegmentTarget; filter: unknown; first?: number | null; after?: string | null },
  path = 'filter',
): Promise<SegmentPage> {
  const checks = new Checks();
  const target = checks.oneOf('targetEntity', request.targetEntity, SEGMENT_TARGETS, 'contact');
  const first = checks.int('first', request.first, 20, 0, 500);
  if (!m.entity(target)) checks.add('targetEntity', `this workspace has no ${target} entity`);
  checks.done('The segment request is not valid:');
  const after = request.after == null ? undefined : decodeCursor(request.after, 'after');
  if (after && (after.length !== 2 || typeof after[0] !== 'string' || typeof after[1] !== 'string')) {
    throw new TouchpointError('VALIDATION_FAILED', 'The cursor is not valid:\n  - after: is not a segment cursor', {
      issues: [{ path: 'after', message: 'is not a segment cursor' }],
    });
  }
  const p = new Params();
  const condition = memberCondition(m, p, target, request.filter, path);
  const title = m.title('t', target);
  const keyset = after ? `and (${title}, t.id) > (${p.add(after[0], 'text')}, ${p.add(after[1], 'uuid')})` : '';
  const text = `select (select count(*) from ${m.table(target)} t where ${condition})::int as count,
  (select coalesce(json_agg(json_build_object('id', x.id, 'title', x.title) order by x.title, x.id), '[]')
   from (select t.id, ${title} as title from ${m.table(target)} t where ${condition} ${keyset}
     order by 2, 1 limit ${p.add(first + 1, 'int')}) x) as members`;
  const [row] = await sql.query<{ count: number; members: { id: string; title: string }[] }>(text, p.values);
  const more = row!.members.length > first;
  const members = row!.members.slice(0, first).map((x) => ({
    entity: target,
    id: x.id,
    title: x.title,
    cursor: encodeCursor([x.title, x.id]),
  }));
  return {
    targetEntity: target,
    count: row!.count,
    members,
    pageInfo: { hasNextPage: more, endCursor: members.at(-1)?.cursor ?? null },
  };
}

async function loadSegment(
  m: CrmModel,
  sql: SqlRunner,
  id: string,
): Promise<{ target: SegmentTarget; filter: unknown }> {
  m.require('Segments', REQUIREMENTS.segments);
  const [row] = await sql.query<{ target: string; filter: unknown }>(
    `select ${m.col('s', 'segment', 'targetEntity')} as target, ${m.col('s', 'segment', 'filter')} as filter
     from ${m.table('segment')} s where s.id = $1::uuid`,
    [id],
  );
  if (!row) throw notFound('segment', id, 'segmentId');
  if (!SEGMENT_TARGETS.includes(row.target as SegmentTarget) || !m.entity(row.target)) {
    throw new TouchpointError(
      'VALIDATION_FAILED',
      `Segment ${id} targets "${row.target}", which cannot be evaluated.`,
      {
        issues: [
          {
            path: 'segment.targetEntity',
            message: `must be one of ${SEGMENT_TARGETS.join(', ')}`,
            allowed: SEGMENT_TARGETS,
          },
        ],
      },
    );
  }
  return { target: row.target as SegmentTarget, filter: row.filter };
}

export async function evaluateSegment(
  m: CrmModel,
  sql: SqlRunner,
  request: { segmentId: string; first?: number | null; after?: string | null },
): Promise<SegmentPage & { segmentId: string }> {
  const checks = new Checks();
  const id = checks.id('segmentId', request.segmentId, true);
  checks.done('The segment request is not valid:');
  const segment = await loadSegment(m, sql, id!);
  const page = await previewSegment(
    m,
    sql,
    { targetEntity: segment.target, filter: segment.filter, ...request },
    'segment.filter',
  );
  return { segmentId: id!, ...page };
}

export interface SegmentOverlap {
  memberEntity: 'contact' | 'lead';
  id: string;
  title: string;
  campaignId: string;
  campaignName: string;
  contactedAt: string;
}

export interface AddSegmentResult {
  candidates: number;
  alreadyMembers: number;
  added: number;
  overlapping: number;
  overlaps: SegmentOverlap[];
  forced: boolean;
}

export async function addSegmentToCampaign(
  engine: Engine,
  context: RequestContext,
  m: CrmModel,
  request: { segmentId: string; campaignId: string; overlapDays?: number | null; force?: boolean | null },
): Promise<AddSegmentResult> {
  m.require('Adding a segment to a campaign', REQUIREMENTS.addSegmentToCampaign);
  const checks = new Checks();
  const segmentId = checks.id('segmentId', request.segmentId, true);
  const campaignId = checks.id('campaignId', request.campaignId, true);
  const overlapDays = checks.int('overlapDays', request.overlapDays, 30, 0, 3650);
  if (request.force != null && typeof request.force !== 'boolean') checks.add('force', 'must be true or false');
  checks.done('Adding the segment to the campaign is not possible:');
  const reads = m.sql;
  const segment = await loadSegment(m, reads, segmentId!);
  const p = new Params();
  const condition = memberCondition(m, p, segment.target, segment.filter, 'segment.filter');
  const member = segment.target === 'lead' ? 'lead' : 'contact';
  const candidates =
    segment.target === 'account'
      ? `select c.id from ${m.table('contact')} c where ${m.col('c', 'contact', 'account')} in (select t.id from ${m.table('account')} t where ${condition})`
      : `select t.id from ${m.table(segment.target)} t where ${condition}`;
  const camp = p.add(campaignId, 'uuid');
  const link = m.col('cm', 'campaignMember', member);
  const contactedAt = `coalesce(${m.col('cm', 'campaignMember', 'sentAt')}, ${m.col('cm', 'campaignMember', 'respondedAt')})`;
  const text = `with cand as (${candidates}),
already as (select distinct ${link} as id from ${m.table('campaignMember')} cm
  where ${m.col('cm', 'campaignMember', 'campaign')} = ${camp} and ${link} in (select id from cand)),
todo as (select id from cand where id not in (select id from already)),
overlap as (select distinct on (${link}) ${link} as id, cp.id as campaign_id, ${m.title('cp', 'campaign')} as campaign_name, ${contactedAt} as contacted_at
  from ${m.table('campaignMember')} cm join ${m.table('campaign')} cp on cp.id = ${m.col('cm', 'campaignMember', 'campaign')}
  where cp.id <> ${camp}
    and ${m.col('cp', 'campaign', 'status')} = ${p.add(ACTIVE_CAMPAIGN_STATUS, 'text')}
    and ${link} in (select id from todo)
    and ${contactedAt} >= ${m.now} - ${p.add(overlapDays, 'int')} * interval '1 day'
  order by ${link}, ${contactedAt} desc)
select (select json_build_object('id', c.id, 'status', ${m.col('c', 'campaign', 'status')}) from ${m.table('campaign')} c where c.id = ${camp}) as campaign,
  (select count(*) from cand)::int as candidates, (select count(*) from already)::int as already,
  (select coalesce(array_agg(id order by id), '{}') from todo) as todo,
  (select count(*) from overlap)::int as overlapping,
  (select coalesce(json_agg(json_build_object('id', o.id, 'title', ${m.title('x', member)}, 'campaignId', o.campaign_id,
     'campaignName', o.campaign_name, 'contactedAt', to_char(o.contacted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) order by o.contacted_at desc, o.id), '[]')
   from (select * from overlap order by contacted_at desc, id limit 50) o join ${m.table(member)} x on x.id = o.id) as overlaps`;
  const [row] = await reads.query<{
    campaign: { id: string; status: string | null } | null;
    candidates: number;
    already: number;
    todo: string[];
    overlapping: number;
    overlaps: Omit<SegmentOverlap, 'memberEntity'>[];
  }>(text, p.values);
  const r = row!;
  if (!r.campaign) throw notFound('campaign', campaignId!, 'campaignId');
  if (!OPEN_CAMPAIGN_STATUSES.includes(r.campaign.status ?? '')) {
    throw new TouchpointError(
      'VALIDATION_FAILED',
      `Campaign ${campaignId} is ${r.campaign.status}; members can only be added to a planned or active campaign.`,
      {
        issues: [
          { path: 'campaignId', message: `the campaign is ${r.campaign.status}`, allowed: OPEN_CAMPAIGN_STATUSES },
        ],
      },
    );
  }
  const overlaps = r.overlaps.map((o) => ({ memberEntity: member, ...o }) as SegmentOverlap);
  if (r.overlapping > 0 && !request.force) {
    throw new TouchpointError(
      'CONFLICT',
      `${r.overlapping} of the segment's ${r.todo.length} new members were contacted by another active campaign within the last ${overlapDays} days. Nothing was added; pass force to add them anyway, or narrow the segment.`,
      {
        issues: [{ path: 'segmentId', message: `${r.overlapping} members were contacted within ${overlapDays} days` }],
        details: { overlapping: r.overlapping, overlaps, candidates: r.candidates, alreadyMembers: r.already },
      },
    );
  }
  if (r.todo.length > MAX_SEGMENT_MEMBERS) {
    throw new TouchpointError(
      'LIMIT_EXCEEDED',
      `At most ${MAX_SEGMENT_MEMBERS} members can be added at once, the segment has ${r.todo.length} new ones.`,
      {
        issues: [{ path: 'segmentId', message: `has ${r.todo.length} new members; at most ${MAX_SEGMENT_MEMBERS}` }],
      },
    );
  }
  const memberField = m.field('campaignMember', member)!.name;
  const campaignField = m.field('campaignMember', 'campaign')!.name;
  const statusField = m.field('campaignMember', 'status')!.name;
  await recordTransaction(engine, context, async ({ records }) => {
    for (let start = 0; start < r.todo.length; start += MAX_BATCH) {
      const rows = r.todo
        .slice(start, start + MAX_BATCH)
        .map((id) => ({ [campaignField]: campaignId, [memberField]: id, [statusField]: 'targeted' }));
      await records.createMany(m.entity('campaignMember')!.name, rows);
    }
    await records.update(m.entity('segment')!.name, segmentId!, {
      [m.field('segment', 'lastEvaluatedAt')!.name]: engine.clock.now().toISOString(),
      [m.field('segment', 'lastCount')!.name]: r.candidates,
    });
  });
  return {
    candidates: r.candidates,
    alreadyMembers: r.already,
    added: r.todo.length,
    overlapping: r.overlapping,
    overlaps,
    forced: r.overlapping > 0,
  };
}
