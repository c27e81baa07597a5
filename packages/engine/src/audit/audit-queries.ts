// Reading the audit log back: the admin's filtered, paged list, and the field history of one record (the
// changes of fields marked `trackHistory`, read from the same rows). Newest first; the cursor is the row id.
import type { EntityDefinition } from '@touchpoint/schema';
import { type Issue, validationFailed } from '@touchpoint/schema';
import type { Sql } from '../db.ts';
import { decodeCursor, encodeCursor } from '../query/pagination.ts';
import { AUDIT_TABLE, SYSTEM_SCHEMA } from '../system-entities.ts';
import { type AuditRow, CHANNELS, type Channel } from './audit-log.ts';

export interface AuditFilter {
  actor?: string | null;
  entity?: string | null;
  recordId?: string | null;
  action?: string | null;
  channel?: Channel | null;
  /** From this instant on (inclusive), ISO 8601. */
  from?: string | null;
  /** Before this instant (exclusive), ISO 8601. */
  to?: string | null;
}

export interface AuditPage {
  rows: (AuditRow & { cursor: string })[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export const DEFAULT_AUDIT_FIRST = 50;
export const MAX_AUDIT_FIRST = 500;
const MAX_TEXT = 200;

/** One field's change in a record's history. */
export interface FieldHistoryEntry {
  id: string;
  at: string;
  actor: string;
  tokenId: string | null;
  channel: Channel;
  action: string;
  field: string;
  old: unknown;
  new: unknown;
}

const SELECT = `a.id::text as id, w.slug as workspace,
  to_char(a.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, a.actor, a.token_id as "tokenId",
  a.channel, a.action, a.entity, a.record_id as "recordId", a.metadata_version as "metadataVersion",
  a.plugin_id as "pluginId", a.changes, a.details`;

function checkPage(first: number | null | undefined, issues: Issue[]): number {
  const n = first ?? DEFAULT_AUDIT_FIRST;
  if (!Number.isInteger(n) || n < 1 || n > MAX_AUDIT_FIRST) {
    issues.push({ path: 'first', message: `must be a whole number from 1 to ${MAX_AUDIT_FIRST}, got ${n}` });
  }
  return n;
}

function afterId(after: string | null | undefined, issues: Issue[]): string | null {
  if (after === null || after === undefined) return null;
  try {
    const [id] = decodeCursor(after, 'after');
    if (typeof id === 'string' && /^\d{1,18}$/.test(id)) return id;
  } catch {
    // reported below
  }
  issues.push({ path: 'after', message: 'is not a cursor of the audit log; pass an endCursor it returned' });
  return null;
}

function instant(value: string | null | undefined, path: string, issues: Issue[]): string | null {
  if (value === null || value === undefined) return null;
  if (
    !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    issues.push({
      path,
      message: `must be an ISO 8601 date or instant with its offset (2026-12-03T15:00:00Z), got ${JSON.stringify(value)}`,
    });
    return null;
  }
  return new Date(value).toISOString();
}

/** A page of a workspace's audit log, newest first, narrowed by `filter`. Bad arguments: VALIDATION_FAILED. */
export async function listAudit(
  sql: Sql,
  workspace: string,
  filter: AuditFilter,
  page: { first?: number | null; after?: string | null },
): Promise<AuditPage> {
  const issues: Issue[] = [];
  const first = checkPage(page.first, issues);
  const after = afterId(page.after, issues);
  const params: unknown[] = [workspace];
  const where = ['w.slug = $1'];
  const add = (condition: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  for (const key of ['actor', 'entity', 'recordId', 'action'] as const) {
    const value = filter[key];
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT || value.includes('\u0000')) {
      issues.push({ path: `filter.${key}`, message: `must be a text of 1 to ${MAX_TEXT} characters without NUL` });
      continue;
    }
    const column = { actor: 'a.actor', entity: 'a.entity', recordId: 'a.record_id', action: 'a.action' }[key];
    add((p) => `${column} = ${p}`, value);
  }
  if (filter.channel !== null && filter.channel !== undefined) {
    if (!CHANNELS.includes(filter.channel)) {
      issues.push({
        path: 'filter.channel',
        message: `is not a channel, got ${JSON.stringify(filter.channel)}`,
        allowed: [...CHANNELS],
      });
    } else add((p) => `a.channel = ${p}`, filter.channel);
  }
  const from = instant(filter.from, 'filter.from', issues);
  const to = instant(filter.to, 'filter.to', issues);
  if (from && to && from >= to) issues.push({ path: 'filter.to', message: 'must be later than filter.from' });
  if (issues.length > 0) throw validationFailed('The audit log query is not valid:', issues);
  if (from) add((p) => `a.at >= ${p}::timestamptz`, from);
  if (to) add((p) => `a.at < ${p}::timestamptz`, to);
  if (after) add((p) => `a.id < ${p}::bigint`, after);
  params.push(first + 1);
  const rows = await sql.query<AuditRow>(
    `select ${SELECT} from ${AUDIT_TABLE} a join ${SYSTEM_SCHEMA}.workspace w on w.id = a.workspace_id
     where ${where.join(' and ')} order by a.id desc limit $${params.length}`,
    params,
  );
  const more = rows.length > first;
  const shown = rows.slice(0, first).map((r) => ({ ...r, cursor: encodeCursor([r.id]) }));
  return { rows: shown, hasNextPage: more, endCursor: shown.at(-1)?.cursor ?? null };
}

/** The fields of an entity whose changes its history shows: all when the entity is marked, else those marked. */
export function trackedFields(entity: EntityDefinition): string[] {
  return entity.fields.filter((f) => entity.trackHistory === true || f.trackHistory === true).map((f) => f.name);
}

/**
 * The history of one record's tracked fields, newest first: one entry per changed field of each create and
 * update (`{ old: null }` for the values a record was created with).
 */
export async function fieldHistory(
  sql: Sql,
  workspace: string,
  entity: EntityDefinition,
  id: string,
  options: { fields?: string[]; first?: number | null } = {},
): Promise<FieldHistoryEntry[]> {
  const issues: Issue[] = [];
  const first = checkPage(options.first, issues);
  const tracked = trackedFields(entity);
  for (const [i, name] of (options.fields ?? []).entries()) {
    if (!tracked.includes(name)) {
      issues.push({
        path: `fields[${i}]`,
        message: `"${entity.name}.${name}" is not a field whose history is kept`,
        allowed: tracked,
      });
    }
  }
  if (issues.length > 0) throw validationFailed('The field history query is not valid:', issues);
  const fields = options.fields && options.fields.length > 0 ? options.fields : tracked;
  if (fields.length === 0) return [];
  return sql.query<FieldHistoryEntry>(
    `select a.id::text as id, to_char(a.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, a.actor,
       a.token_id as "tokenId", a.channel, a.action, c.key as field, c.value -> 'old' as old, c.value -> 'new' as new
     from ${AUDIT_TABLE} a join ${SYSTEM_SCHEMA}.workspace w on w.id = a.workspace_id
       cross join lateral jsonb_each(a.changes) c
     where w.slug = $1 and a.entity = $2 and a.record_id = $3 and a.action in ('record.created', 'record.updated')
       and c.key = any($4::text[])
     order by a.id desc, array_position($4::text[], c.key) limit $5`,
    [workspace, entity.name, id, fields, first],
  );
}
