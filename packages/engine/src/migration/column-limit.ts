// PostgreSQL's 1,600 columns per table, before a change reaches it. PostgreSQL numbers a table's columns
// once: a dropped column keeps its number (pg_attribute, attisdropped) until the table is recreated, so a
// table where fields were added and removed often fills up with live, archived and dropped columns alike.
// A change that adds columns to a table is refused while it would pass the limit Touchpoint keeps.
import { TouchpointError } from '@touchpoint/schema';
import type { Sql } from '../db.ts';
import type { MigrationPlan } from './plan.ts';

/** PostgreSQL's own limit (MaxHeapAttributeNumber): no table holds more columns, dropped ones counted. */
export const POSTGRES_MAX_COLUMNS = 1600;

/** The limit Touchpoint keeps by default, leaving room for the steps an admin takes to get out of it. */
export const DEFAULT_MAX_TABLE_COLUMNS = 1400;

/** A table's column slots as PostgreSQL counts them. */
export interface ColumnSlots {
  table: string;
  /** Every attribute numbered so far: live, archived and dropped. */
  slots: number;
  /** Columns of fields and of the record itself. */
  live: number;
  /** Columns renamed aside when a field was removed or narrowed (`_archived_…`), data kept. */
  archived: number;
  /** Columns dropped (e.g. by a purge) whose numbers PostgreSQL keeps until the table is recreated. */
  dropped: number;
}

const ADD_COLUMN = /^alter table "((?:[^"]|"")+)"\."((?:[^"]|"")+)" add column /;

/** The columns each step of a plan adds, per table (the planner writes every one as `alter table … add column`). */
export function columnsAdded(plan: MigrationPlan): Map<string, number> {
  const added = new Map<string, number>();
  for (const step of plan.steps) {
    for (const statement of step.sql) {
      const match = ADD_COLUMN.exec(statement.text);
      if (match) {
        const table = match[2]!.replaceAll('""', '"');
        added.set(table, (added.get(table) ?? 0) + 1);
      }
    }
  }
  return added;
}

/** How many column numbers each of `tables` has used, from the catalog (dropped columns included). */
export async function columnSlots(sql: Sql, schema: string, tables: string[]): Promise<ColumnSlots[]> {
  return sql.query<ColumnSlots>(
    `select c.relname as "table", count(*)::int as slots,
            count(*) filter (where not a.attisdropped and a.attname not like '\\_archived\\_%')::int as live,
            count(*) filter (where not a.attisdropped and a.attname like '\\_archived\\_%')::int as archived,
            count(*) filter (where a.attisdropped)::int as dropped
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace s on s.oid = c.relnamespace
      where s.nspname = $1 and c.relname = any($2::text[]) and c.relkind = 'r' and a.attnum > 0
      group by c.relname order by c.relname`,
    [schema, tables],
  );
}

const n = (value: number) => value.toLocaleString('en-US');

/** The refusal of a change that would take `table` past `limit` columns: what it holds, and the way out. */
export function columnLimitExceeded(
  slots: ColumnSlots,
  adding: number,
  limit: number,
  entity?: string,
): TouchpointError {
  const what = entity ? `The table "${slots.table}" of the entity "${entity}"` : `The table "${slots.table}"`;
  const message =
    `${what} would hold ${n(slots.slots + adding)} columns, past the ${n(limit)} Touchpoint allows (PostgreSQL stops at ${n(POSTGRES_MAX_COLUMNS)}, counting dropped columns): ` +
    `it holds ${n(slots.slots)} — ${n(slots.live)} in use, ${n(slots.archived)} archived, ${n(slots.dropped)} dropped — and this change adds ${n(adding)}. ` +
    'Purging archives (purgeArchives) deletes the archived data; the numbers of archived and dropped columns are freed only when the table is recreated ' +
    '(e.g. pg_dump and restore of the workspace schema; VACUUM FULL keeps them). Nothing was changed.';
  return new TouchpointError('LIMIT_EXCEEDED', message, {
    issues: [{ path: 'changes', message }],
    details: { ...slots, entity, adding, limit, postgresLimit: POSTGRES_MAX_COLUMNS },
  });
}

/** Refuses the plan when a table it adds columns to would pass `limit`, dropped columns counted. */
export async function checkColumnLimit(
  sql: Sql,
  schema: string,
  plan: MigrationPlan,
  limit: number,
  entityOfTable: (table: string) => string | undefined,
): Promise<void> {
  const added = columnsAdded(plan);
  if (added.size === 0) return;
  const existing = new Map((await columnSlots(sql, schema, [...added.keys()])).map((s) => [s.table, s]));
  for (const [table, adding] of added) {
    const slots = existing.get(table) ?? { table, slots: 0, live: 0, archived: 0, dropped: 0 };
    if (slots.slots + adding > limit) throw columnLimitExceeded(slots, adding, limit, entityOfTable(table));
  }
}
