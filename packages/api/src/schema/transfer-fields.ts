// Import jobs over GraphQL: the upload's CSRF token, a running import's progress and report, cancelling it,
// the import log, and undoing a whole import. The file itself travels over POST /transfer/import/<entity>
// (transfer-http.ts), which answers a dry run's report or a run id to follow here.
//
// Gating: anyone signed in may import, each seeing and steering their own runs; record permissions apply
// through the record service once they exist. The log lists the workspace's imports to admins, one's own to others.
import { TouchpointError } from '@touchpoint/schema';
import { getJob, listJobs, undoImport } from '@touchpoint/transfer';
import type { ApiContext } from '../context.ts';

// biome-ignore lint/suspicious/noExplicitAny: Pothos field builders of run-time types
type AnyFieldBuilder = any;

function signedIn(ctx: ApiContext) {
  if (!ctx.viewer || !ctx.auth.principal || !ctx.transfer) {
    throw new TouchpointError('UNAUTHENTICATED', 'Sign in to import or export records.');
  }
  return { viewer: ctx.viewer, principal: ctx.auth.principal, transfer: ctx.transfer };
}

export function transferQueries(t: AnyFieldBuilder): Record<string, unknown> {
  return {
    importCsrfToken: t.string({
      nullable: false,
      description:
        'The token an upload to POST /transfer/import/<entity> sends in the x-touchpoint-csrf header: bound to your session.',
      resolve: (_: unknown, _args: unknown, ctx: ApiContext) => {
        const { principal, transfer } = signedIn(ctx);
        return transfer.csrfToken(principal);
      },
    }),
    importRun: t.field({
      type: 'JSON',
      description:
        'A running or finished import of yours started over HTTP: status (running, done, refused, cancelled, failed), progress { phase, rows, created, updated, skipped, refused }, report (with every problem by row and column, in English and Chinese), error. Null when unknown.',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_: unknown, args: { id: string }, ctx: ApiContext) => {
        const { viewer, transfer } = signedIn(ctx);
        return transfer.run(String(args.id), ctx.workspace, viewer.userId) ?? null;
      },
    }),
    importJobs: t.field({
      type: 'JSON',
      nullable: false,
      description: 'The import log, newest first: yours, or everybody’s for admins (id, entity, file, status, counts).',
      args: { first: t.arg.int() },
      resolve: async (_: unknown, args: { first?: number | null }, ctx: ApiContext) => {
        const { viewer } = signedIn(ctx);
        const jobs = await listJobs(ctx.engine, ctx.workspace, Math.min(Math.max(args.first ?? 50, 1), 200));
        return viewer.isAdmin ? jobs : jobs.filter((j) => j.actor === viewer.userId);
      },
    }),
  };
}

/** Mutations for every signed-in user (see build-schema's record mutations). */
export const TRANSFER_MUTATIONS = ['cancelImport', 'undoImport'] as const;

export function transferMutations(t: AnyFieldBuilder): Record<string, unknown> {
  return {
    cancelImport: t.boolean({
      nullable: false,
      description:
        'Stops a running import of yours after the batch being written; what was written stays and can be undone. False when it is not running.',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_: unknown, args: { id: string }, ctx: ApiContext) => {
        const { viewer, transfer } = signedIn(ctx);
        return transfer.cancel(String(args.id), ctx.workspace, viewer.userId);
      },
    }),
    undoImport: t.field({
      type: 'JSON',
      nullable: false,
      description:
        'Undoes a whole import (yours, or any for admins): deletes the records it created, gives the ones it updated back their values. Answers { jobId, deleted, reverted }.',
      args: { jobId: t.arg.id({ required: true }) },
      resolve: async (_: unknown, args: { jobId: string }, ctx: ApiContext) => {
        const { viewer } = signedIn(ctx);
        const job = await getJob(ctx.engine, ctx.workspace, String(args.jobId));
        if (job && job.actor !== viewer.userId && !viewer.isAdmin) {
          throw new TouchpointError('FORBIDDEN', 'Only who ran an import, or an admin, can undo it.');
        }
        return undoImport(ctx.engine, ctx.records.context, String(args.jobId));
      },
    }),
  };
}
