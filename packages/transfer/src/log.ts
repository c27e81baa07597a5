// The import log: one row per import (who, what file, how it went) and one per record it wrote — created, or
// updated with the values it had before — so an import can be undone whole. System tables in the
// `touchpoint` schema, beside the plugin installations; never a workspace's records, so no read scope applies.
import { randomUUID } from 'node:crypto';
import type { Engine } from '@touchpoint/engine';

const JOB = 'touchpoint.import_job';
const ROW = 'touchpoint.import_row';

export type ImportStatus = 'running' | 'done' | 'cancelled' | 'failed' | 'undone';

export interface ImportJob {
  id: string;
  workspace: string;
  entity: string;
  actor: string;
  fileName: string;
  status: ImportStatus;
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  refused: number;
  startedAt: string;
  finishedAt: string | null;
  undoneAt: string | null;
}

const ready = new WeakSet<Engine>();

export async function ensureImportTables(engine: Engine): Promise<void> {
  if (ready.has(engine)) return;
  await engine.db.query(`create table if not exists ${JOB} (
    id uuid primary key,
    workspace text not null,
    entity text not null,
    actor text not null,
    file_name text not null,
    status text not null,
    rows integer not null default 0,
    created integer not null default 0,
    updated integer not null default 0,
    skipped integer not null default 0,
    refused integer not null default 0,
    options jsonb not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    undone_at timestamptz,
    undone_by text
  )`);
  await engine.db.query(`create table if not exists ${ROW} (
    job_id uuid not null references ${JOB}(id) on delete cascade,
    record_id uuid not null,
    action text not null,
    old_values jsonb,
    primary key (job_id, record_id)
  )`);
  ready.add(engine);
}

export async function startJob(
  engine: Engine,
  job: { workspace: string; entity: string; actor: string; fileName: string; options: unknown },
): Promise<string> {
  await ensureImportTables(engine);
  const id = randomUUID();
  await engine.db.query(
    `insert into ${JOB} (id, workspace, entity, actor, file_name, status, options, started_at)
     values ($1, $2, $3, $4, $5, 'running', $6, $7)`,
    [id, job.workspace, job.entity, job.actor, job.fileName, JSON.stringify(job.options ?? {}), engine.clock.now()],
  );
  return id;
}

export async function logRows(
  engine: Engine,
  jobId: string,
  action: 'created' | 'updated',
  rows: readonly { id: string; old?: unknown }[],
): Promise<void> {
  if (rows.length === 0) return;
  await engine.db.query(
    `insert into ${ROW} (job_id, record_id, action, old_values)
     select $1, r, $2, o from unnest($3::uuid[], $4::jsonb[]) as t(r, o)`,
    [jobId, action, rows.map((r) => r.id), rows.map((r) => (r.old === undefined ? null : JSON.stringify(r.old)))],
  );
}

export async function finishJob(
  engine: Engine,
  jobId: string,
  status: ImportStatus,
  counts: { rows: number; created: number; updated: number; skipped: number; refused: number },
): Promise<void> {
  await engine.db.query(
    `update ${JOB} set status = $2, rows = $3, created = $4, updated = $5, skipped = $6, refused = $7, finished_at = $8 where id = $1`,
    [jobId, status, counts.rows, counts.created, counts.updated, counts.skipped, counts.refused, engine.clock.now()],
  );
}

function toJob(row: Record<string, unknown>): ImportJob {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null ? null : String(v));
  return {
    id: String(row.id),
    workspace: String(row.workspace),
    entity: String(row.entity),
    actor: String(row.actor),
    fileName: String(row.file_name),
    status: row.status as ImportStatus,
    rows: Number(row.rows),
    created: Number(row.created),
    updated: Number(row.updated),
    skipped: Number(row.skipped),
    refused: Number(row.refused),
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
    undoneAt: iso(row.undone_at),
  };
}

export async function getJob(engine: Engine, workspace: string, id: string): Promise<ImportJob | undefined> {
  await ensureImportTables(engine);
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await engine.db.query(`select * from ${JOB} where id = $1 and workspace = $2`, [id, workspace]);
  return row ? toJob(row) : undefined;
}

export async function listJobs(engine: Engine, workspace: string, limit = 50): Promise<ImportJob[]> {
  await ensureImportTables(engine);
  const rows = await engine.db.query(
    `select * from ${JOB} where workspace = $1 order by started_at desc, id limit $2`,
    [workspace, limit],
  );
  return rows.map(toJob);
}

/** The records an import wrote, a page at a time (by record id). */
export async function loggedRows(
  engine: Engine,
  jobId: string,
  action: 'created' | 'updated',
  after: string | null,
  limit: number,
): Promise<{ id: string; old: Record<string, unknown> | null }[]> {
  const rows = await engine.db.query<{ record_id: string; old_values: Record<string, unknown> | null }>(
    `select record_id, old_values from ${ROW} where job_id = $1 and action = $2 and ($3::uuid is null or record_id > $3::uuid)
     order by record_id limit $4`,
    [jobId, action, after, limit],
  );
  return rows.map((r) => ({ id: r.record_id, old: r.old_values }));
}

export async function markUndone(engine: Engine, jobId: string, actor: string): Promise<void> {
  await engine.db.query(`update ${JOB} set status = 'undone', undone_at = $2, undone_by = $3 where id = $1`, [
    jobId,
    engine.clock.now(),
    actor,
  ]);
}
