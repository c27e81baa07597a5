// Sales reports (P3): pipeline by stage per pipeline, forecast by close month, win rate and sales cycle.
// Each is one statement; definitions are in the package README.
import { REQUIREMENTS } from './features.ts';
import type { CrmModel } from './model.ts';
import { type CheckedFilter, checkFilter, dateInRange, ownedBy, type ReportFilter, where } from './report-filter.ts';
import { Checks, Params, type SqlRunner } from './sql.ts';

export const WON = 'closedWon';
export const LOST = 'closedLost';

export interface PipelineStageRow {
  pipelineId: string;
  pipelineName: string | null;
  stage: string;
  stageName: string | null;
  sortOrder: number | null;
  count: number;
  amount: string;
  weightedAmount: string;
}

export interface ForecastRow {
  month: string;
  openCount: number;
  openAmount: string;
  weightedAmount: string;
  commitAmount: string;
  wonCount: number;
  wonAmount: string;
  forecastAmount: string;
}

export interface WinRateRow {
  won: number;
  lost: number;
  winRatePercent: string | null;
  wonAmount: string;
  averageSalesCycleDays: string | null;
  averageClosedCycleDays: string | null;
}

function prepare(
  m: CrmModel,
  feature: keyof typeof REQUIREMENTS,
  label: string,
  filter: ReportFilter | null | undefined,
) {
  m.require(label, REQUIREMENTS[feature]);
  const checks = new Checks();
  const f = checkFilter(m, checks, filter);
  checks.done(`${label} request is not valid:`);
  return f;
}

/**
 * A deal's probability: its own, else its stage's default in its pipeline (pipelineStage), else 0. The join
 * is empty when the workspace has no pipeline stages.
 */
function weighting(m: CrmModel): { stages: boolean; stageJoin: string; probability: string } {
  const stages = m.supports({ pipelineStage: ['pipeline', 'stage', 'name', 'sortOrder', 'probability'] });
  const own = m.col('o', 'opportunity', 'probability');
  if (!stages) return { stages, stageJoin: '', probability: `coalesce(${own}, 0)` };
  const stageJoin = `left join ${m.table('pipelineStage')} ps on ${m.col('ps', 'pipelineStage', 'pipeline')} = ${m.col('o', 'opportunity', 'pipeline')} and ${m.col('ps', 'pipelineStage', 'stage')} = ${m.col('o', 'opportunity', 'stage')}`;
  return { stages, stageJoin, probability: `coalesce(${own}, ${m.col('ps', 'pipelineStage', 'probability')}, 0)` };
}

/** When a deal counts as closed: its closedAt (as a UTC day), else its expected close date. */
function closeDay(m: CrmModel, alias: string): string {
  return `coalesce((${m.col(alias, 'opportunity', 'closedAt')} at time zone 'UTC')::date, ${m.col(alias, 'opportunity', 'expectedCloseDate')})`;
}

export async function pipelineByStage(m: CrmModel, sql: SqlRunner, filter?: ReportFilter | null) {
  const f = prepare(m, 'pipelineByStage', 'The pipeline report', filter);
  const p = new Params();
  const cur = p.add(f.currency, 'text');
  const { stages, stageJoin, probability } = weighting(m);
  const amount = m.amountIn('o', 'opportunity', 'amount', cur);
  const conditions = [
    ...dateInRange(p, m.col('o', 'opportunity', 'expectedCloseDate'), f),
    ...ownedBy(m, p, m.col('o', 'opportunity', 'owner'), f),
  ];
  const stageRows = stages
    ? `select ${m.col('ps', 'pipelineStage', 'pipeline')} as pipeline, ${m.col('ps', 'pipelineStage', 'stage')}::text as stage,
         ${m.col('ps', 'pipelineStage', 'name')}::text as stage_name, ${m.col('ps', 'pipelineStage', 'sortOrder')} as sort_order
       from ${m.table('pipelineStage')} ps`
    : 'select null::uuid as pipeline, null::text as stage, null::text as stage_name, null::int as sort_order where false';
  const text = `with o as (
  select ${m.col('o', 'opportunity', 'pipeline')} as pipeline, ${m.col('o', 'opportunity', 'stage')}::text as stage, count(*)::int as n,
    coalesce(sum(${amount}), 0) as amount, coalesce(sum(${amount} * ${probability} / 100), 0) as weighted
  from ${m.table('opportunity')} o ${stageJoin}
  where ${where(conditions)} group by 1, 2
), s as (${stageRows})
select coalesce(json_agg(json_build_object(
  'pipelineId', x.pipeline, 'pipelineName', x.pipeline_name, 'stage', x.stage, 'stageName', x.stage_name,
  'sortOrder', x.sort_order, 'count', x.n, 'amount', x.amount::text, 'weightedAmount', x.weighted::text)
  order by x.pipeline_name, x.pipeline, x.sort_order nulls last, x.stage), '[]') as rows
from (
  select coalesce(s.pipeline, o.pipeline) as pipeline, ${m.title('pl', 'pipeline')} as pipeline_name,
    coalesce(s.stage, o.stage) as stage, s.stage_name, s.sort_order, coalesce(o.n, 0) as n,
    round(coalesce(o.amount, 0), 2) as amount, round(coalesce(o.weighted, 0), 2) as weighted
  from s full join o on o.pipeline = s.pipeline and o.stage = s.stage
  join ${m.table('pipeline')} pl on pl.id = coalesce(s.pipeline, o.pipeline)
) x`;
  const [row] = await sql.query<{ rows: PipelineStageRow[] }>(text, p.values);
  return row!.rows;
}

export async function salesForecast(m: CrmModel, sql: SqlRunner, filter?: ReportFilter | null) {
  const f = prepare(m, 'salesForecast', 'The forecast report', filter);
  const { stageJoin, probability } = weighting(m);
  const p = new Params();
  const cur = p.add(f.currency, 'text');
  const won = p.add(WON, 'text');
  const lost = p.add(LOST, 'text');
  const stage = m.col('o', 'opportunity', 'stage');
  const amount = m.amountIn('o', 'opportunity', 'amount', cur);
  const month = `case when ${stage} = ${won} then ${closeDay(m, 'o')} else ${m.col('o', 'opportunity', 'expectedCloseDate')} end`;
  const conditions = [`${stage} <> ${lost}`, ...ownedBy(m, p, m.col('o', 'opportunity', 'owner'), f)];
  const ranged = dateInRange(p, 'x.day', f);
  const text = `select coalesce(json_agg(json_build_object(
  'month', r.month, 'openCount', r.open_count, 'openAmount', r.open_amount::text, 'weightedAmount', r.weighted::text,
  'commitAmount', r.commit_amount::text, 'wonCount', r.won_count, 'wonAmount', r.won_amount::text,
  'forecastAmount', (r.won_amount + r.weighted)::text) order by r.month), '[]') as rows
from (
  select to_char(date_trunc('month', x.day), 'YYYY-MM') as month,
    count(*) filter (where not x.won)::int as open_count,
    round(coalesce(sum(x.amount) filter (where not x.won), 0), 2) as open_amount,
    round(coalesce(sum(x.amount * x.probability / 100) filter (where not x.won), 0), 2) as weighted,
    round(coalesce(sum(x.amount) filter (where not x.won and x.category = 'commit'), 0), 2) as commit_amount,
    count(*) filter (where x.won)::int as won_count,
    round(coalesce(sum(x.amount) filter (where x.won), 0), 2) as won_amount
  from (
    select ${month} as day, ${stage} = ${won} as won, ${amount} as amount,
      ${probability} as probability,
      ${m.col('o', 'opportunity', 'forecastCategory')}::text as category
    from ${m.table('opportunity')} o ${stageJoin} where ${where(conditions)}
  ) x
  where x.day is not null and ${where(ranged)}
  group by 1
) r`;
  const [row] = await sql.query<{ rows: ForecastRow[] }>(text, p.values);
  return row!.rows;
}

export async function winRate(m: CrmModel, sql: SqlRunner, filter?: ReportFilter | null): Promise<WinRateRow> {
  const f: CheckedFilter = prepare(m, 'winRate', 'The win rate report', filter);
  const p = new Params();
  const cur = p.add(f.currency, 'text');
  const won = p.add(WON, 'text');
  const lost = p.add(LOST, 'text');
  const stage = m.col('o', 'opportunity', 'stage');
  const closedAt = m.col('o', 'opportunity', 'closedAt');
  const openedAt = `coalesce(${m.col('o', 'opportunity', 'openedAt')}, o.created_at)`;
  const conditions = [
    `${stage} in (${won}, ${lost})`,
    ...dateInRange(p, closeDay(m, 'o'), f),
    ...ownedBy(m, p, m.col('o', 'opportunity', 'owner'), f),
  ];
  const days = `extract(epoch from (${closedAt} - ${openedAt})) / 86400`;
  const text = `select json_build_object(
  'won', count(*) filter (where ${stage} = ${won}),
  'lost', count(*) filter (where ${stage} = ${lost}),
  'winRatePercent', round(100.0 * count(*) filter (where ${stage} = ${won}) / nullif(count(*), 0), 2)::text,
  'wonAmount', round(coalesce(sum(${m.amountIn('o', 'opportunity', 'amount', cur)}) filter (where ${stage} = ${won}), 0), 2)::text,
  'averageSalesCycleDays', round(avg(${days}) filter (where ${stage} = ${won} and ${closedAt} is not null), 1)::text,
  'averageClosedCycleDays', round(avg(${days}) filter (where ${closedAt} is not null), 1)::text) as row
from ${m.table('opportunity')} o where ${where(conditions)}`;
  const [row] = await sql.query<{ row: WinRateRow }>(text, p.values);
  return row!.row;
}
