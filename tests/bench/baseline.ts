// The raw-SQL baseline: what a careful engineer would hand-write for each scenario — one statement through
// `pg`, with PostgreSQL shaping the JSON (json_build_object / json_agg). Touchpoint is measured against it,
// so every statement here does the work Touchpoint must do too (skip soft-deleted rows, stable order).
import type { Sql } from '@touchpoint/engine';
import { prng } from './seed.ts';

const ACCOUNT_JSON = `json_build_object(
  'id', a.id, 'name', a.name, 'industry', a.industry, 'annualRevenue', a.annual_revenue,
  'employees', a.employees, 'website', a.website, 'createdAt', a.created_at, 'updatedAt', a.updated_at)`;

export const BASELINE_SQL = {
  getById: `select ${ACCOUNT_JSON} as data from account a where a.id = $1 and a.deleted_at is null`,

  listScalars: `select coalesce(json_agg(${ACCOUNT_JSON} order by a.id), '[]'::json) as data
    from (select * from account where deleted_at is null order by id limit 50) a`,

  listWithContacts: `select coalesce(json_agg(json_build_object(
      'id', a.id, 'name', a.name, 'industry', a.industry, 'contacts', c.items) order by a.id), '[]'::json) as data
    from (select id, name, industry from account where deleted_at is null order by id limit 50) a
    cross join lateral (
      select coalesce(json_agg(json_build_object(
          'id', c.id, 'firstName', c.first_name, 'lastName', c.last_name, 'email', c.email) order by c.id), '[]'::json) as items
      from (select id, first_name, last_name, email from contact
            where account_id = a.id and deleted_at is null order by id limit 5) c
    ) c`,

  countByIndustry: `select coalesce(json_agg(json_build_object('industry', g.industry, 'count', g.count)
      order by g.industry nulls first), '[]'::json) as data
    from (select industry, count(*)::int as count from account where deleted_at is null group by industry) g`,
} as const;

export interface Baseline {
  getById(): Promise<void>;
  listScalars(): Promise<void>;
  listWithContacts(): Promise<void>;
  countByIndustry(): Promise<void>;
}

type Row = { data: unknown };

function expectArray(rows: Row[], what: string): unknown[] {
  const data = rows[0]?.data;
  if (!Array.isArray(data)) throw new Error(`${what}: expected one row with a JSON array, got ${JSON.stringify(rows)}`);
  return data;
}

/** The baseline's request functions. Each checks its answer, so a broken query counts as an error, not as speed. */
export function createBaseline(sql: Sql, accountIds: readonly string[]): Baseline {
  const random = prng(7);
  return {
    async getById() {
      const id = accountIds[Math.floor(random() * accountIds.length)];
      const rows = await sql.query<Row>(BASELINE_SQL.getById, [id]);
      if (rows.length !== 1) throw new Error(`get by id: account ${id} not found`);
    },
    async listScalars() {
      expectArray(await sql.query<Row>(BASELINE_SQL.listScalars), 'first 50 accounts');
    },
    async listWithContacts() {
      expectArray(await sql.query<Row>(BASELINE_SQL.listWithContacts), 'first 50 accounts with contacts');
    },
    async countByIndustry() {
      expectArray(await sql.query<Row>(BASELINE_SQL.countByIndustry), 'count by industry');
    },
  };
}
