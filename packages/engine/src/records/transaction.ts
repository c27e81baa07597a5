// Several record writes as one unit: a record service whose every statement runs in one transaction, with
// the same validation, hooks, audit columns and events as a plain one. Events are held back until the
// transaction commits (none when it rolls back), as the record service promises for single writes. Reads
// in the transaction go through `reader` (the scope's door, see scope.ts); writes only through `records`
// (set-based ones through `records.updateMany`), so none skips hooks, audit columns or events.
//
//   await recordTransaction(engine, { workspace, actor }, async ({ records }) => {
//     const account = await records.create('account', { name: 'Acme' });
//     await records.create('contact', { firstName: 'Ann', lastName: 'Lee', account: account.id });
//   });
//
// A write that fails inside is rolled back to a savepoint, so a caller that catches the error may go on;
// an error that leaves the callback rolls everything back. Writes inside run one after the other (one
// connection): do not start them in parallel.
import type { Sql } from '../db.ts';
import type { Engine } from '../engine.ts';
import type { RecordEvent } from '../events.ts';
import { ScopedReader } from '../scope.ts';
import { RecordService, type RequestContext } from './service.ts';

export interface RecordTransaction {
  /** A record service bound to the transaction. */
  records: RecordService;
  /** The context's reads, run in the same transaction (they see its writes). */
  reader: ScopedReader;
}

export async function recordTransaction<T>(
  engine: Engine,
  context: RequestContext,
  fn: (scope: RecordTransaction) => Promise<T>,
): Promise<T> {
  const held: RecordEvent[] = [];
  // Load the metadata before the transaction takes a connection: on the embedded database the pool has one.
  const metadata = await engine.metadata(context.workspace);
  // The actor's grants too: reads and writes inside the transaction are checked like any other.
  context = await engine.withGrants(context, metadata);
  const result = await engine.db.transaction(async (tx, em) => {
    let savepoints = 0;
    // The parts of the engine a record service uses, with the database bound to this transaction. The
    // record service only reaches the engine through these members (see records/service.ts).
    const scoped = {
      hooks: engine.hooks,
      clock: engine.clock,
      auditRecordWrites: engine.auditRecordWrites,
      metadata: (slug: string) => engine.metadata(slug),
      events: { publish: async (events: RecordEvent[]) => void held.push(...events) },
      db: {
        embedded: engine.db.embedded,
        query: (text: string, params?: readonly unknown[]) => tx.query(text, params),
        async transaction<R>(inner: (sql: Sql, em: unknown) => Promise<R>): Promise<R> {
          const name = `tp_write_${++savepoints}`;
          await tx.query(`savepoint ${name}`);
          try {
            const value = await inner(tx, em);
            await tx.query(`release savepoint ${name}`);
            return value;
          } catch (error) {
            await tx.query(`rollback to savepoint ${name}`);
            throw error;
          }
        },
      },
    };
    const records = new RecordService(scoped as unknown as Engine, context);
    return fn({ records, reader: new ScopedReader(tx, metadata, context) });
  });
  await engine.events.publish(held);
  return result;
}
