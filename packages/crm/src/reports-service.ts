// Service reports (SVC-5): satisfaction per dimension and weighted total per period; the customers and
// products with the most cases. Each is one statement; definitions are in the README.
import { REQUIREMENTS } from './features.ts';
import type { CrmModel } from './model.ts';
import { checkFilter, instantInRange, ownedBy, type ReportFilter, where } from './report-filter.ts';
import { Checks, Params, type SqlRunner } from './sql.ts';

export const PERIODS = ['week', 'month', 'quarter', 'year'] as const;
export type Period = (typeof PERIODS)[number];
/** Case statuses that end a case; every other status is open. */
export const CLOSED_CASE_STATUSES = ['resolved', 'closed'];

export interface SatisfactionPeriod {
  /** First day of the period, YYYY-MM-DD (weeks start on Monday). */
  period: string;
  responses: number;
  weightedTotal: string | null;
  dimensions: { dimensionId: string; name: string; weight: string; responses: number; averageScore: string }[];
}

export async function satisfaction(
  m: CrmModel,
  sql: SqlRunner,
  filter?: ReportFilter | null,
  options: { period?: Period | null; surveyId?: string | null } = {},
): Promise<SatisfactionPeriod[]> {
  m.require('The satisfaction report', REQUIREMENTS.satisfaction);
  const checks = new Checks();
  const f = checkFilter(m, checks, filter);
  const period = checks.oneOf('period', options.period, PERIODS, 'month');
  const surveyId = checks.id('surveyId', options.surveyId);
  if ((f.ownerId || f.teamId) && !m.supports({ case: ['owner'] })) {
    checks.add('filter.ownerId', 'this workspace has no case.owner field to find the owner of a response by');
  }
  checks.done('The satisfaction request is not valid:');
  const p = new Params();
  const respondedAt = m.col('r', 'surveyResponse', 'respondedAt');
  const conditions = [...instantInRange(p, respondedAt, f)];
  if (surveyId) conditions.push(`${m.col('r', 'surveyResponse', 'survey')} = ${p.add(surveyId, 'uuid')}`);
  if (f.ownerId || f.teamId) {
    // A response belongs to whoever owns the case it rates.
    const owned = ownedBy(m, p, m.col('k', 'case', 'owner'), f);
    conditions.push(
      `exists (select 1 from ${m.table('case')} k where k.id = ${m.col('r', 'surveyResponse', 'case')} and ${where(owned)})`,
    );
  }
  // One pass over the scores (materialized once), grouped twice: per response for the weighted totals and
  // per dimension; the period is computed per response, not per score.
  const text = `with r as (
  select r.id, to_char(date_trunc(${p.add(period, 'text')}, ${respondedAt} at time zone 'UTC'), 'YYYY-MM-DD') as period
  from ${m.table('surveyResponse')} r where ${where(conditions)}
), s as materialized (
  select r.period, r.id as response, sc_d.id as dimension, ${m.col('sc_d', 'surveyDimension', 'weight')} as weight,
    ${m.col('sc', 'surveyScore', 'score')} as score
  from r
  join ${m.table('surveyScore')} sc on ${m.col('sc', 'surveyScore', 'response')} = r.id
  join ${m.table('surveyDimension')} sc_d on sc_d.id = ${m.col('sc', 'surveyScore', 'dimension')}
), totals as (
  select period, count(*)::int as responses, avg(total) as weighted
  from (select period, response, sum(score * weight) / nullif(sum(weight), 0) as total from s group by period, response) x
  group by period
), dims as (
  select x.period, json_agg(json_build_object('dimensionId', d.id, 'name', ${m.title('d', 'surveyDimension')},
      'weight', ${m.col('d', 'surveyDimension', 'weight')}::text, 'responses', x.responses, 'averageScore', round(x.average, 2)::text)
    order by ${m.title('d', 'surveyDimension')}, d.id) as dimensions
  from (select period, dimension, count(*)::int as responses, avg(score) as average from s group by period, dimension) x
  join ${m.table('surveyDimension')} d on d.id = x.dimension
  group by x.period
)
select coalesce(json_agg(json_build_object('period', t.period, 'responses', t.responses,
  'weightedTotal', round(t.weighted, 2)::text, 'dimensions', d.dimensions) order by t.period), '[]') as rows
from totals t left join dims d on d.period = t.period`;
  const [row] = await sql.query<{ rows: SatisfactionPeriod[] }>(text, p.values);
  return row!.rows;
}

export interface CaseHotspots {
  accounts: { accountId: string; name: string; cases: number; openCases: number }[];
  products: { productId: string; name: string; cases: number; openCases: number }[];
}

export async function caseHotspots(
  m: CrmModel,
  sql: SqlRunner,
  filter?: ReportFilter | null,
  options: { first?: number | null } = {},
): Promise<CaseHotspots> {
  m.require('The case hotspots report', REQUIREMENTS.caseHotspots);
  const checks = new Checks();
  const f = checkFilter(m, checks, filter);
  const first = checks.int('first', options.first, 10, 1, 500);
  checks.done('The case hotspots request is not valid:');
  const p = new Params();
  const closed = p.add(CLOSED_CASE_STATUSES, 'text[]');
  const conditions = [
    ...instantInRange(p, m.col('k', 'case', 'openedAt'), f),
    ...ownedBy(m, p, m.col('k', 'case', 'owner'), f),
  ];
  const limit = p.add(first, 'int');
  const top = (entity: 'account' | 'product', key: string) => `(select coalesce(json_agg(json_build_object(
    '${key}', x.id, 'name', x.name, 'cases', x.cases, 'openCases', x.open) order by x.cases desc, x.name, x.id), '[]')
  from (select t.id, ${m.title('t', entity)} as name, count(*)::int as cases,
      count(*) filter (where not coalesce(${m.col('k', 'case', 'status')} = any(${closed}), false))::int as open
    from k join ${m.table(entity)} t on t.id = ${m.col('k', 'case', entity)}
    group by t.id, name order by cases desc, name, t.id limit ${limit}) x)`;
  const text = `with k as (select * from ${m.table('case')} k where ${where(conditions)})
select json_build_object('accounts', ${top('account', 'accountId')}, 'products', ${top('product', 'productId')}) as report`;
  const [row] = await sql.query<{ report: CaseHotspots }>(text, p.values);
  return row!.report;
}
