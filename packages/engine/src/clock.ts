// What Touchpoint takes to be "now". Everything that decides by the present — relative date filters, the
// customer timeline's split between history and what is upcoming, reports as of today, the instants history
// and audit columns record, the demo data's anchor — asks one clock, so a whole running system can be put at
// any moment (`TOUCHPOINT_CLOCK`) and tests can run it at the awkward ones (just before midnight, a leap day)
// instead of whatever time the machine happens to show.
import { TouchpointError } from '@touchpoint/schema';

export interface Clock {
  now(): Date;
  /** The same present as a SQL expression of type timestamptz, for statements that compare with it. */
  readonly sql: string;
}

/** The machine's clock; in SQL the database's `now()` (the transaction's start). */
export const systemClock: Clock = Object.freeze({ now: () => new Date(), sql: 'now()' });

/**
 * A clock that reads `start` at the moment it is made and runs on from there at the real pace, in Node and
 * in SQL alike (the database's `now()` shifted by the same amount).
 */
export function clockStartingAt(start: string, path = 'clock'): Clock {
  const at = Date.parse(start);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/.test(start) || Number.isNaN(at)) {
    throw new TouchpointError('VALIDATION_FAILED', `The clock's start "${start}" is not an instant.`, {
      issues: [{ path, message: 'must be an ISO 8601 instant with its offset, such as 2026-12-03T15:00:00Z' }],
    });
  }
  const offset = at - Date.now();
  return Object.freeze({
    now: () => new Date(Date.now() + offset),
    sql: `(now() + interval '${offset} milliseconds')`,
  });
}
