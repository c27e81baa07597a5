// Marketing and customer-insight reports (MKT-2, MKT-3): campaign ROI, customer value with A/B/C/D tiers
// by cumulative share (Pareto), churn per tier. Each is one statement; definitions are in the README.
import { REQUIREMENTS } from './features.ts';
import type { CrmModel } from './model.ts';
import { checkFilter, dateInRange, ownedBy, type ReportFilter, where } from './report-filter.ts';
import { WON } from './reports-sales.ts';
import { Checks, dateAsInstant, Params, type SqlRunner } from './sql.ts';

/** Orders that count as revenue: delivered to the customer. */
export const REVENUE_ORDER_STATUSES = ['delivered', 'completed'];
export const CONVERTED_LEAD_STATUS = 'converted';

/** Upper bounds (percent of the total) of the cumulative share reached before an account, per tier. */
export interface TierThresholds {
  a: number;
  b: number;
  c: number;
}
export const DEFAULT_TIERS: TierThresholds = { a: 50, b: 80, c: 95 };
export const VALUE_BASES = ['revenue', 'profit'] as const;
export type ValueBasis = (typeof VALUE_BASES)[number];

export interface CampaignRoiRow {
  campaignId: string;
  name: string;
  startDate: string | null;
  leads: number;
  conversions: number;
  opportunities: number;
  wonOpportunities: number;
  wonRevenue: string;
  cost: string | null;
  roiPercent: string | null;
}

export async function campaignRoi(
  m: CrmModel,
  sql: SqlRunner,
  filter?: ReportFilter | null,
  options: { windowDays?: number | null } = {},
): Promise<CampaignRoiRow[]> {
  m.require('The campaign ROI report', REQUIREMENTS.campaignRoi);
  const checks = new Checks();
  const f = checkFilter(m, checks, filter);
  const windowDays = checks.int('windowDays', options.windowDays, 365, 1, 3650);
  checks.done('The campaign ROI request is not valid:');
  const p = new Params();
  const cur = p.add(f.currency, 'text');
  const won = p.add(WON, 'text');
  const converted = p.add(CONVERTED_LEAD_STATUS, 'text');
  const window = p.add(windowDays, 'int');
  const start = m.col('c', 'campaign', 'startDate');
  const conditions = [...dateInRange(p, start, f), ...ownedBy(m, p, m.col('c', 'campaign', 'owner'), f)];
  const leadCampaign = m.col('l', 'lead', 'campaign');
  const text = `with c as (
  select c.id, ${m.title('c', 'campaign')} as name, ${start} as start_date,
    coalesce(${dateAsInstant(start)}, c.created_at) as window_start, ${m.amountIn('c', 'campaign', 'actualCost', cur)} as cost
  from ${m.table('campaign')} c where ${where(conditions)}
), l as (
  select ${leadCampaign} as cid, count(*)::int as leads,
    count(*) filter (where ${m.col('l', 'lead', 'status')} = ${converted} or ${m.col('l', 'lead', 'convertedAt')} is not null)::int as conversions
  from ${m.table('lead')} l where ${leadCampaign} in (select id from c) group by 1
), attributed as (
  select ${m.col('o', 'opportunity', 'campaign')} as cid, o.id as oid from ${m.table('opportunity')} o
  where ${m.col('o', 'opportunity', 'campaign')} in (select id from c)
  union
  select ${leadCampaign}, ${m.col('l', 'lead', 'convertedOpportunity')} from ${m.table('lead')} l
  where ${leadCampaign} in (select id from c) and ${m.col('l', 'lead', 'convertedOpportunity')} is not null
), w as (
  select a.cid, count(*)::int as opportunities,
    count(*) filter (where x.won)::int as won,
    coalesce(sum(x.amount) filter (where x.won), 0) as revenue
  from attributed a join c on c.id = a.cid
  cross join lateral (
    select ${m.col('o', 'opportunity', 'stage')} = ${won} and ${m.col('o', 'opportunity', 'closedAt')} >= c.window_start
      and ${m.col('o', 'opportunity', 'closedAt')} < c.window_start + ${window} * interval '1 day' as won,
      ${m.amountIn('o', 'opportunity', 'amount', cur)} as amount
    from ${m.table('opportunity')} o where o.id = a.oid
  ) x
  group by a.cid
)
select coalesce(json_agg(json_build_object(
  'campaignId', c.id, 'name', c.name, 'startDate', to_char(c.start_date, 'YYYY-MM-DD'),
  'leads', coalesce(l.leads, 0), 'conversions', coalesce(l.conversions, 0),
  'opportunities', coalesce(w.opportunities, 0), 'wonOpportunities', coalesce(w.won, 0),
  'wonRevenue', round(coalesce(w.revenue, 0), 2)::text, 'cost', round(c.cost, 2)::text,
  'roiPercent', round(100 * (coalesce(w.revenue, 0) - c.cost) / nullif(c.cost, 0), 2)::text)
  order by c.start_date desc nulls last, c.name, c.id), '[]') as rows
from c left join l on l.cid = c.id left join w on w.cid = c.id`;
  const [row] = await sql.query<{ rows: CampaignRoiRow[] }>(text, p.values);
  return row!.rows;
}

export interface CustomerValueOptions {
  basis?: ValueBasis | null;
  tiers?: Partial<TierThresholds> | null;
  /** How many top accounts to list (default 50, at most 500). */
  first?: number | null;
}

function checkTiers(checks: Checks, tiers: Partial<TierThresholds> | null | undefined): TierThresholds {
  const t = { ...DEFAULT_TIERS, ...Object.fromEntries(Object.entries(tiers ?? {}).filter(([, v]) => v != null)) };
  for (const key of ['a', 'b', 'c'] as const) {
    if (typeof t[key] !== 'number' || !(t[key] > 0 && t[key] <= 100))
      checks.add(`tiers.${key}`, 'must be a percentage above 0 and at most 100');
  }
  if (!(t.a <= t.b && t.b <= t.c)) checks.add('tiers', `must rise: a ≤ b ≤ c, got a=${t.a}, b=${t.b}, c=${t.c}`);
  return t;
}

/**
 * The customer-value ranking as SQL (a CTE body): every live account matching the filter with its revenue,
 * profit and orders, its rank, the cumulative share before it and its tier. Shared by value and churn.
 */
function rankingSql(m: CrmModel, p: Params, f: ReturnType<typeof checkFilter>, basis: ValueBasis, t: TierThresholds) {
  const cur = p.add(f.currency, 'text');
  const statuses = p.add(REVENUE_ORDER_STATUSES, 'text[]');
  const revenue = m.amountIn('o', 'order', 'totalAmount', cur);
  const cost = m.amountIn('o', 'order', 'cost', cur);
  const orderConditions = [
    `${m.col('o', 'order', 'status')} = any(${statuses})`,
    ...dateInRange(p, m.col('o', 'order', 'orderDate'), f),
  ];
  const measure = basis === 'revenue' ? 'v.revenue' : 'v.profit';
  const [a, b, c] = [p.add(t.a / 100, 'numeric'), p.add(t.b / 100, 'numeric'), p.add(t.c / 100, 'numeric')];
  // Orders are added up per account first (a hash aggregate), so the accounts need no grouping or sort.
  return `o as (
  select ${m.col('o', 'order', 'account')} as id, sum(${revenue}) as revenue, sum(${revenue} - ${cost}) as profit,
    count(${revenue})::int as orders
  from ${m.table('order')} o where ${where(orderConditions)} group by 1
), v as (
  select a.id, coalesce(o.revenue, 0) as revenue, coalesce(o.profit, 0) as profit, coalesce(o.orders, 0) as orders
  from ${m.table('account')} a left join o on o.id = a.id
  where ${where(ownedBy(m, p, m.col('a', 'account', 'owner'), f))}
), r as (
  select v.*, ${measure} as measure,
    row_number() over (order by ${measure} desc, v.id) as rank,
    coalesce(sum(greatest(${measure}, 0)) over (order by ${measure} desc, v.id rows between unbounded preceding and 1 preceding), 0) as before,
    sum(greatest(${measure}, 0)) over () as total
  from v
), ranked as (
  select r.*, case
    when r.measure <= 0 or r.total <= 0 then 'D'
    when r.before / r.total < ${a} then 'A'
    when r.before / r.total < ${b} then 'B'
    when r.before / r.total < ${c} then 'C'
    else 'D' end as tier
  from r
)`;
}

export async function customerValue(
  m: CrmModel,
  sql: SqlRunner,
  filter?: ReportFilter | null,
  options: CustomerValueOptions = {},
) {
  m.require('The customer value report', REQUIREMENTS.customerValue);
  const checks = new Checks();
  const f = checkFilter(m, checks, filter);
  const basis = checks.oneOf('basis', options.basis, VALUE_BASES, 'revenue');
  const tiers = checkTiers(checks, options.tiers);
  const first = checks.int('first', options.first, 50, 0, 500);
  checks.done('The customer value request is not valid:');
  const p = new Params();
  const ranking = rankingSql(m, p, f, basis, tiers);
  const text = `with ${ranking}
select json_build_object(
  'basis', ${p.add(basis, 'text')}, 'currency', ${p.add(f.currency, 'text')},
  'accounts', (select count(*) from ranked)::int,
  'totalRevenue', (select round(coalesce(sum(revenue), 0), 2) from ranked)::text,
  'totalProfit', (select round(coalesce(sum(profit), 0), 2) from ranked)::text,
  'tiers', (select json_agg(json_build_object('tier', t.tier, 'accounts', coalesce(x.accounts, 0),
      'revenue', round(coalesce(x.revenue, 0), 2)::text, 'profit', round(coalesce(x.profit, 0), 2)::text,
      'share', round(100 * coalesce(x.measure, 0) / nullif((select sum(greatest(measure, 0)) from ranked), 0), 2)::text) order by t.tier)
    from unnest(array['A', 'B', 'C', 'D']) t(tier)
    left join (select tier, count(*)::int as accounts, sum(revenue) as revenue, sum(profit) as profit,
      sum(greatest(measure, 0)) as measure from ranked group by tier) x on x.tier = t.tier),
  'top', coalesce((select json_agg(json_build_object('rank', x.rank, 'accountId', x.id, 'name', ${m.title('a', 'account')},
      'revenue', round(x.revenue, 2)::text, 'profit', round(x.profit, 2)::text, 'orders', x.orders,
      'cumulativeShare', round(100 * (x.before + greatest(x.measure, 0)) / nullif(x.total, 0), 2)::text, 'tier', x.tier) order by x.rank)
    from ranked x join ${m.table('account')} a on a.id = x.id where x.rank <= ${p.add(first, 'int')}), '[]')) as report`;
  const [row] = await sql.query<{ report: CustomerValueReport }>(text, p.values);
  return row!.report;
}

export interface CustomerValueReport {
  basis: ValueBasis;
  currency: string;
  accounts: number;
  totalRevenue: string;
  totalProfit: string;
  tiers: { tier: string; accounts: number; revenue: string; profit: string; share: string | null }[];
  top: {
    rank: number;
    accountId: string;
    name: string;
    revenue: string;
    profit: string;
    orders: number;
    cumulativeShare: string | null;
    tier: string;
  }[];
}

export interface ChurnRow {
  tier: string;
  customers: number;
  churned: number;
  churnRatePercent: string | null;
}

export async function churnByTier(
  m: CrmModel,
  sql: SqlRunner,
  filter?: ReportFilter | null,
  options: {
    days?: number | null;
    asOf?: string | null;
    basis?: ValueBasis | null;
    tiers?: Partial<TierThresholds> | null;
  } = {},
): Promise<ChurnRow[]> {
  m.require('The churn report', REQUIREMENTS.churnByTier);
  const checks = new Checks();
  const f = checkFilter(m, checks, filter);
  const days = checks.int('days', options.days, 365, 1, 3650);
  const asOf = checks.date('asOf', options.asOf);
  const basis = checks.oneOf('basis', options.basis, VALUE_BASES, 'revenue');
  const tiers = checkTiers(checks, options.tiers);
  checks.done('The churn request is not valid:');
  const p = new Params();
  const ranking = rankingSql(m, p, f, basis, tiers);
  const day = asOf ? p.add(asOf, 'date') : `(${m.now} at time zone 'UTC')::date`;
  const statuses = p.add(REVENUE_ORDER_STATUSES, 'text[]');
  const text = `with ${ranking}, last as (
  select ${m.col('o', 'order', 'account')} as account, max(${m.col('o', 'order', 'orderDate')}) as last_order
  from ${m.table('order')} o
  where ${m.col('o', 'order', 'status')} = any(${statuses}) and ${m.col('o', 'order', 'orderDate')} <= ${day}
  group by 1
)
select json_agg(json_build_object('tier', t.tier, 'customers', coalesce(x.customers, 0), 'churned', coalesce(x.churned, 0),
  'churnRatePercent', round(100.0 * x.churned / nullif(x.customers, 0), 2)::text) order by t.tier) as rows
from unnest(array['A', 'B', 'C', 'D']) t(tier)
left join (
  select ranked.tier, count(*)::int as customers,
    count(*) filter (where last.last_order <= ${day} - ${p.add(days, 'int')})::int as churned
  from ranked join last on last.account = ranked.id group by ranked.tier
) x on x.tier = t.tier`;
  const [row] = await sql.query<{ rows: ChurnRow[] }>(text, p.values);
  return row!.rows;
}
