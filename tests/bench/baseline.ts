// The raw-SQL baseline: what a careful engineer would hand-write for each scenario — one statement through
// `pg` against the same tables Touchpoint reads (`ws_default.account` / `ws_default.contact`), with
// PostgreSQL shaping the JSON (json_build_object / json_agg). It returns the same records in the same order
// as the Touchpoint request (the entities' default sort, then id; soft-deleted rows skipped), so the ratio
// between the two is Touchpoint's whole overhead, not a difference in work. No HTTP, no GraphQL.
import type { Pool } from 'pg';
import { prng } from './seed.ts';

/** The same fields the Touchpoint scenarios select (see ACCOUNT_SCALARS in scenarios.ts). */
const ACCOUNT_JSON = `json_build_object(
  'id', a.id, 'name', a.name, 'accountNumber', a.account_number, 'type', a.type, 'industry', a.industry,
  'lifecycleStage', a.lifecycle_stage,
  'annualRevenue', case when a.annual_revenue_amount is null then null
    else json_build_object('amount', a.annual_revenue_amount, 'currency', a.annual_revenue_currency) end,
  'employees', a.employees, 'phone', a.phone, 'email', a.email, 'website', a.website,
  'createdAt', a.created_at, 'updatedAt', a.updated_at)`;

export const BASELINE_SQL = {
  getById: `select ${ACCOUNT_JSON} as data from ws_default.account a where a.id = $1 and a.deleted_at is null`,

  listScalars: `select coalesce(json_agg(${ACCOUNT_JSON} order by a.name, a.id), '[]'::json) as data
    from (select id, name, account_number, type, industry, lifecycle_stage, annual_revenue_amount,
            annual_revenue_currency, employees, phone, email, website, created_at, updated_at
          from ws_default.account where deleted_at is null order by name, id limit 50) a`,

  listWithContacts: `select coalesce(json_agg(json_build_object(
      'id', a.id, 'name', a.name, 'contacts', c.items) order by a.name, a.id), '[]'::json) as data
    from (select id, name from ws_default.account where deleted_at is null order by name, id limit 50) a
    cross join lateral (
      select coalesce(json_agg(json_build_object(
          'id', c.id, 'firstName', c.first_name, 'lastName', c.last_name, 'email', c.email)
          order by c.last_name, c.first_name, c.id), '[]'::json) as items
      from (select id, first_name, last_name, email from ws_default.contact
            where account_id = a.id and deleted_at is null order by last_name, first_name, id limit 5) c
    ) c`,

  countByIndustry: `select coalesce(json_agg(json_build_object('industry', g.industry, 'count', g.count)
      order by g.industry nulls last), '[]'::json) as data
    from (select industry, count(*)::int as count from ws_default.account where deleted_at is null
          group by industry) g`,
} as const;

export interface AccountJson {
  id: string;
  name: string;
  contacts?: { id: string }[];
}

export interface GroupJson {
  industry: string | null;
  count: number;
}

/** One read of each scenario, returning its data (for checking) — the request functions wrap these. */
export interface BaselineReads {
  getById(id: string): Promise<AccountJson | undefined>;
  listScalars(): Promise<AccountJson[]>;
  listWithContacts(): Promise<AccountJson[]>;
  countByIndustry(): Promise<GroupJson[]>;
}

type Row = { data: unknown };

function expectArray<T>(rows: Row[], what: string): T[] {
  const data = rows[0]?.data;
  if (!Array.isArray(data)) throw new Error(`${what}: expected one row with a JSON array, got ${JSON.stringify(rows)}`);
  return data as T[];
}

export function baselineReads(pool: Pool): BaselineReads {
  const query = async (text: string, params: unknown[] = []) => (await pool.query<Row>(text, params)).rows;
  return {
    async getById(id) {
      return (await query(BASELINE_SQL.getById, [id]))[0]?.data as AccountJson | undefined;
    },
    async listScalars() {
      return expectArray(await query(BASELINE_SQL.listScalars), 'first 50 accounts');
    },
    async listWithContacts() {
      return expectArray(await query(BASELINE_SQL.listWithContacts), 'first 50 accounts with contacts');
    },
    async countByIndustry() {
      return expectArray(await query(BASELINE_SQL.countByIndustry), 'count by industry');
    },
  };
}

export interface Baseline {
  getById(): Promise<void>;
  listScalars(): Promise<void>;
  listWithContacts(): Promise<void>;
  countByIndustry(): Promise<void>;
}

/**
 * The baseline's request functions. Each checks the size of its answer, so a broken query counts as an
 * error, not as speed.
 */
export function createBaseline(reads: BaselineReads, accountIds: readonly string[], pageSize: number): Baseline {
  const random = prng(7);
  const page = (nodes: unknown[], what: string) => {
    if (nodes.length !== pageSize) throw new Error(`${what}: expected ${pageSize} accounts, got ${nodes.length}`);
  };
  return {
    async getById() {
      const id = accountIds[Math.floor(random() * accountIds.length)]!;
      if ((await reads.getById(id))?.id !== id) throw new Error(`get by id: account ${id} not found`);
    },
    async listScalars() {
      page(await reads.listScalars(), 'first 50 accounts');
    },
    async listWithContacts() {
      page(await reads.listWithContacts(), 'first 50 accounts with contacts');
    },
    async countByIndustry() {
      if ((await reads.countByIndustry()).length === 0) throw new Error('count by industry: no groups');
    },
  };
}
