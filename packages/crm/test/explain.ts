// Looking at what PostgreSQL does with the CRM's statements: record the statements a service call sends
// (passing them on to the real database) and read their plans.
import type { Engine, Sql } from '@touchpoint/engine';
import { type CrmModel, CrmService, crmReads } from '../src/index.ts';

export interface Recorded {
  text: string;
  params: readonly unknown[];
}

/** A CRM service whose reads go to the engine's database as usual, and are also kept in `statements`. */
export function recordingCrm(engine: Engine, statements: Recorded[]): CrmService {
  const sql: Sql = {
    query: (text, params = []) => {
      statements.push({ text, params });
      return engine.db.query(text, params);
    },
  };
  return new (class extends CrmService {
    override async model(): Promise<CrmModel> {
      return crmReads((await engine.reader(this.context)).within(sql));
    }
  })(engine, { workspace: 'default', actor: 'tester' });
}

export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

/**
 * The plan PostgreSQL chooses for a statement on the data as it is (run `analyze` first). With
 * `withoutSeqScan`, sequential scans are priced out: on a table small enough to read whole in a millisecond
 * PostgreSQL rightly does that, which says nothing about whether an index *fits* the statement; priced out,
 * it still scans a table when no index fits, so a plan without scans proves the conditions are indexable.
 */
export async function explain(engine: Engine, statement: Recorded, withoutSeqScan = false): Promise<PlanNode> {
  return engine.db.transaction(async (tx) => {
    if (withoutSeqScan) await tx.query('set local enable_seqscan = off');
    const [row] = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (format json) ${statement.text}`,
      statement.params,
    );
    return row!['QUERY PLAN'][0].Plan;
  });
}

/**
 * The plan as run (EXPLAIN ANALYZE): each node with its actual rows per loop and rows removed by filters.
 * `withoutSeqScan` as for `explain`.
 */
export async function explainAnalyze(engine: Engine, statement: Recorded, withoutSeqScan = false): Promise<PlanNode> {
  return engine.db.transaction(async (tx) => {
    if (withoutSeqScan) await tx.query('set local enable_seqscan = off');
    const [row] = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (analyze, timing off, format json) ${statement.text}`,
      statement.params,
    );
    return row!['QUERY PLAN'][0].Plan;
  });
}

/**
 * The generic plan as run (what `Database.queryGeneric` serves): the statement prepared with
 * plan_cache_mode = force_generic_plan, executed under EXPLAIN ANALYZE with its values as literals.
 */
export async function explainGeneric(engine: Engine, statement: Recorded, withoutSeqScan = false): Promise<PlanNode> {
  const literal = (v: unknown) => `'${(Array.isArray(v) ? `{${v.join(',')}}` : String(v)).replaceAll("'", "''")}'`;
  return engine.db.transaction(async (tx) => {
    if (withoutSeqScan) await tx.query('set local enable_seqscan = off');
    await tx.query('set local plan_cache_mode = force_generic_plan');
    await tx.query(`prepare explained as ${statement.text}`);
    try {
      const [row] = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `explain (analyze, timing off, format json) execute explained(${statement.params.map(literal).join(', ')})`,
      );
      return row!['QUERY PLAN'][0].Plan;
    } finally {
      await tx.query('deallocate explained');
    }
  });
}

export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/** Indexes the plan searches by a condition (an index read whole in place of the table does not count). */
export function indexLookups(plan: PlanNode): string[] {
  return [...new Set(planNodes(plan).flatMap((n) => (n['Index Name'] && n['Index Cond'] ? [n['Index Name']] : [])))];
}

/** Tables read by a sequential scan somewhere in the plan. */
export function scannedTables(plan: PlanNode): string[] {
  return planNodes(plan)
    .filter((n) => n['Node Type'] === 'Seq Scan')
    .map((n) => n['Relation Name']!);
}

/** The derived index of `table.column` for `purpose` (e.g. `key`), by its name in the catalog. */
export async function derivedIndex(engine: Engine, table: string, column: string, purpose: string): Promise<string> {
  const rows = await engine.db.query<{ name: string }>(
    `select indexname as name from pg_indexes where schemaname = 'ws_default' and tablename = $1 and starts_with(indexname, $2)`,
    [table, `dx_${table}_${column}_${purpose}_`],
  );
  if (rows.length !== 1) throw new Error(`expected one ${purpose} index on ${table}.${column}, found ${rows.length}`);
  return rows[0]!.name;
}
