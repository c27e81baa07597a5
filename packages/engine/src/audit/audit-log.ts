// The audit log: an append-only system table (`touchpoint.audit_log`) that every change writes to in the
// same transaction as the change itself, so a change that rolls back leaves no row and a row never describes
// a change that did not happen. Rows are only ever inserted: the code has no UPDATE or DELETE path, and a
// trigger refuses both (and TRUNCATE) to anyone who tries from SQL.
//
// Who acts (`actor`: a user id, `plugin:<id>`, `system`, `cli`, …; `tokenId` when an API token signed the
// request in), through what (`channel`), when (the engine's clock, as SQL, so a row and the change it
// describes carry the same instant), what (`action` and its subject: entity + record id, a metadata version,
// a plugin id) and, per changed field only, `{ old, new }` in a stable JSON form (see record-audit.ts).
import type { Sql } from '../db.ts';
import { AUDIT_TABLE, SYSTEM_SCHEMA } from '../system-entities.ts';

/** Through what a change came. */
export type Channel = 'web' | 'api' | 'plugin' | 'import' | 'workflow' | 'cli' | 'system';

export const CHANNELS: readonly Channel[] = ['web', 'api', 'plugin', 'import', 'workflow', 'cli', 'system'];

/** One field's change: both sides in the stable JSON form of its type (null for empty). */
export interface FieldChange {
  old: unknown;
  new: unknown;
}

/** What a caller appends (the engine's own writes and, through `engine.audit.append`, other parts). */
export interface AuditEntry {
  /** Workspace slug; omitted for what belongs to no workspace (a sign-in before one is chosen). */
  workspace?: string;
  actor: string;
  tokenId?: string | null;
  channel: Channel;
  /** e.g. `record.updated`, `metadata.changed`, `plugin.installed`, `user.signedIn`, `token.created`. */
  action: string;
  entity?: string | null;
  recordId?: string | null;
  metadataVersion?: number | null;
  pluginId?: string | null;
  /** Changed fields only, keyed by field name. */
  changes?: Record<string, FieldChange> | null;
  /** Anything else worth keeping about the change (a reason, the metadata change list, a plugin version). */
  details?: Record<string, unknown> | null;
}

/** A row as it is read back. */
export interface AuditRow {
  id: string;
  workspace: string | null;
  at: string;
  actor: string;
  tokenId: string | null;
  channel: Channel;
  action: string;
  entity: string | null;
  recordId: string | null;
  metadataVersion: number | null;
  pluginId: string | null;
  changes: Record<string, FieldChange> | null;
  details: Record<string, unknown> | null;
}

/**
 * The trigger that makes the table append-only for every role that does not own the database outright
 * (a superuser could drop the trigger; nothing in Touchpoint does).
 */
export const AUDIT_APPEND_ONLY_SQL = `
create or replace function ${SYSTEM_SCHEMA}.audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'the audit log is append-only: % is refused', tg_op using errcode = '42501';
end $$;
drop trigger if exists audit_log_append_only on ${AUDIT_TABLE};
create trigger audit_log_append_only before update or delete on ${AUDIT_TABLE}
  for each row execute function ${SYSTEM_SCHEMA}.audit_log_append_only();
drop trigger if exists audit_log_no_truncate on ${AUDIT_TABLE};
create trigger audit_log_no_truncate before truncate on ${AUDIT_TABLE}
  for each statement execute function ${SYSTEM_SCHEMA}.audit_log_append_only();
`;

/** The columns an insert names, in order, and the SQL of one row's workspace id from a slug parameter. */
export const AUDIT_COLUMNS =
  '"workspace_id", "at", "actor", "token_id", "channel", "action", "entity", "record_id", "metadata_version", "plugin_id", "changes", "details"';

export const workspaceIdSql = (param: string) =>
  `(select w.id from ${SYSTEM_SCHEMA}.workspace w where w.slug = ${param})`;

/** Appends entries in one statement (none for an empty list). `now` is the clock's SQL expression. */
export async function appendAudit(sql: Sql, now: string, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    workspace: e.workspace ?? null,
    actor: e.actor,
    token_id: e.tokenId ?? null,
    channel: e.channel,
    action: e.action,
    entity: e.entity ?? null,
    record_id: e.recordId ?? null,
    metadata_version: e.metadataVersion ?? null,
    plugin_id: e.pluginId ?? null,
    changes: e.changes ?? null,
    details: e.details ?? null,
  }));
  await sql.query(
    `insert into ${AUDIT_TABLE} (${AUDIT_COLUMNS})
     select ${workspaceIdSql('r.workspace')}, ${now}, r.actor, r.token_id, r.channel, r.action, r.entity, r.record_id,
       r.metadata_version, r.plugin_id, nullif(r.changes, 'null'), nullif(r.details, 'null')
     from jsonb_to_recordset($1::jsonb) as r(workspace text, actor text, token_id text, channel text, action text,
       entity text, record_id text, metadata_version integer, plugin_id text, changes jsonb, details jsonb)`,
    [JSON.stringify(rows)],
  );
}
