// Undoing an import: the records it created are deleted (soft, through the record service, so they can be
// restored and the audit log says so), the ones it updated get back the values they had before it.
import type { Engine, RequestContext } from '@touchpoint/engine';
import { MAX_BATCH } from '@touchpoint/engine';
import { getJob, loggedRows, markUndone } from './log.ts';
import { TransferError } from './messages.ts';

export interface UndoReport {
  jobId: string;
  deleted: number;
  reverted: number;
}

export async function undoImport(engine: Engine, context: RequestContext, jobId: string): Promise<UndoReport> {
  const job = await getJob(engine, context.workspace, jobId);
  if (!job) throw new TransferError('import.notFound', { id: jobId });
  if (job.status !== 'done' && job.status !== 'cancelled') {
    throw new TransferError('import.notUndoable', { id: jobId, status: job.status });
  }
  const records = engine.records({ ...context, channel: 'import' });
  const entity = (await records.entity(job.entity)).entity;
  let reverted = 0;
  let after: string | null = null;
  for (;;) {
    const page = await loggedRows(engine, jobId, 'updated', after, MAX_BATCH);
    if (page.length === 0) break;
    await records.updateMany(
      entity.name,
      page.map((r) => ({ id: r.id, values: r.old ?? {} })),
    );
    reverted += page.length;
    after = page[page.length - 1]!.id;
  }
  let deleted = 0;
  after = null;
  for (;;) {
    const page = await loggedRows(engine, jobId, 'created', after, MAX_BATCH);
    if (page.length === 0) break;
    // A few at a time: each delete is its own transaction with its hooks and audit row.
    for (let i = 0; i < page.length; i += 8) {
      await Promise.all(page.slice(i, i + 8).map((r) => records.delete(entity.name, r.id).catch(ignoreGone)));
    }
    deleted += page.length;
    after = page[page.length - 1]!.id;
  }
  await markUndone(engine, jobId, context.actor);
  return { jobId, deleted, reverted };
}

/** A record deleted since the import needs no deleting. */
function ignoreGone(error: unknown): void {
  if ((error as { code?: string }).code === 'NOT_FOUND') return;
  throw error;
}
