// Revocations made by other instances on the same PostgreSQL. Every change that can end or narrow someone's
// access (a session ended, a token revoked, sign-out everywhere, a password change, a membership change, any
// write of a `user` record: role, active, deletion) writes an audit row in its own transaction; a trigger on
// the audit log turns those rows into `NOTIFY touchpoint_identity`, which PostgreSQL delivers to every
// listening session when — and only if — that transaction commits. Each engine on a server keeps one
// connection of its own LISTENing and tells its subscribers (the API's identity cache, which then forgets
// every remembered credential). While that connection is down the watch is not `reliable`, and a cache must
// not be believed; it reconnects and, once back, tells the subscribers again (notifications sent meanwhile
// are lost). On the embedded database one process owns the data (the data directory is locked), so every
// revocation is made by this engine and the watch is reliable without listening.
//
// A notification reaches the other instances a moment after the commit (well under a millisecond usually, up
// to tens of milliseconds on a loaded machine), so the instance that made a revocation `settle()`s before it
// answers: it sends a barrier notification after the revocation's and waits until every listening instance
// (each one's listening session is named REVOCATIONS_APPLICATION in pg_stat_activity) has answered it. Each
// receives notifications in commit order, so an instance that answered the barrier has forgotten what the
// revocation ended; the answer to the revoking request, and so the next request anywhere, comes after that.
// An instance that does not answer within SETTLE_MS (hung, cut off) is not waited for longer.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AUDIT_TABLE, SYSTEM_SCHEMA } from '../system-entities.ts';

export const IDENTITY_NOTIFY_CHANNEL = 'touchpoint_identity';
/** Where instances answer a barrier. */
const ACK_CHANNEL = 'touchpoint_identity_ack';
/** The application name of every instance's listening session, by which `settle` counts them. */
export const REVOCATIONS_APPLICATION = 'touchpoint-revocations';
/** The longest a revoking request waits for the other instances to answer its barrier. */
export const SETTLE_MS = 2000;
const BARRIER = 'barrier:';
/** How long to wait before listening again after the connection broke. */
const RECONNECT_MS = 1000;

/** The audit actions that end or narrow access (besides every record action on `user`). */
const REVOKING_ACTIONS = [
  'session.revoked',
  'session.signedOut',
  'session.signedOutEverywhere',
  'password.changed',
  'token.revoked',
  'invitation.accepted',
];

/** The trigger that sends the notification with the revoking change's audit row (delivered at its commit). */
export const AUDIT_IDENTITY_NOTIFY_SQL = `
create or replace function ${SYSTEM_SCHEMA}.audit_log_notify_identity() returns trigger language plpgsql as $$
begin
  -- Users, teams and territories also make the principal sets of record access (permissions/resolver.ts).
  perform pg_notify('${IDENTITY_NOTIFY_CHANNEL}', '');
  return null;
end $$;
drop trigger if exists audit_log_notify_identity on ${AUDIT_TABLE};
create trigger audit_log_notify_identity after insert on ${AUDIT_TABLE}
  for each row when (new.entity in ('user', 'team', 'territory') or new.action like 'membership.%'
    or new.action in (${REVOKING_ACTIONS.map((a) => `'${a}'`).join(', ')}))
  execute function ${SYSTEM_SCHEMA}.audit_log_notify_identity();
`;

export type RevocationListener = () => void;

export class RevocationWatch {
  readonly #url: string | undefined;
  readonly #listeners = new Set<RevocationListener>();
  #client: pg.Client | undefined;
  #listening = false;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  readonly #id = randomUUID();
  #barriers = 0;
  readonly #waiting = new Map<string, { need: number; got: number; done: () => void }>();

  /** `url`: the PostgreSQL server's; undefined on the embedded database (nothing to listen to). */
  constructor(url: string | undefined) {
    this.#url = url;
  }

  /** Whether every revocation committed so far has been told to the subscribers (see the file's comment). */
  get reliable(): boolean {
    return this.#url === undefined || this.#listening;
  }

  /** Calls `listener` on every revocation by any instance, and whenever the watch was interrupted. */
  subscribe(listener: RevocationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #tell(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Starts listening; when it cannot, the watch stays unreliable and tries again every RECONNECT_MS. */
  async start(): Promise<void> {
    if (this.#url === undefined || this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url, application_name: REVOCATIONS_APPLICATION });
    this.#client = client;
    const broken = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#listening = false;
      this.#tell();
      client.end().catch(() => {});
      // The retry never keeps a process alive that has nothing else to do.
      if (!this.#closed) this.#retry = setTimeout(() => void this.start(), RECONNECT_MS).unref();
    };
    client.on('error', broken);
    client.on('end', broken);
    client.on('notification', ({ channel, payload = '' }) => {
      if (channel === IDENTITY_NOTIFY_CHANNEL) {
        this.#tell();
        if (payload.startsWith(BARRIER))
          client.query('select pg_notify($1, $2)', [ACK_CHANNEL, payload]).catch(() => {});
      } else if (channel === ACK_CHANNEL) {
        const waiting = this.#waiting.get(payload);
        if (waiting && ++waiting.got >= waiting.need) waiting.done();
      }
    });
    try {
      await client.connect();
      await client.query(`listen ${IDENTITY_NOTIFY_CHANNEL}; listen ${ACK_CHANNEL}`);
    } catch {
      // Not listening (yet): not `reliable`, so nothing is remembered; `broken` tries again.
      broken();
      return;
    }
    if (this.#client !== client) return;
    this.#listening = true;
    // Anything revoked while nobody listened is unknown: whatever was remembered is forgotten.
    this.#tell();
  }

  /**
   * After a revocation committed: waits until every instance listening on this database has forgotten what
   * it remembered (see the file's comment), at most SETTLE_MS. Nothing to wait for on the embedded database.
   */
  async settle(): Promise<void> {
    const client = this.#client;
    if (!client || !this.#listening) return;
    const barrier = `${BARRIER}${this.#id}:${++this.#barriers}`;
    let timer: NodeJS.Timeout | undefined;
    try {
      const { rows } = await client.query<{ n: number }>(
        'select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = $1',
        [REVOCATIONS_APPLICATION],
      );
      const answered = new Promise<void>((done) => {
        this.#waiting.set(barrier, { need: rows[0]?.n ?? 1, got: 0, done });
        timer = setTimeout(done, SETTLE_MS);
      });
      await client.query('select pg_notify($1, $2)', [IDENTITY_NOTIFY_CHANNEL, barrier]);
      await answered;
    } catch {
      // The connection broke: `broken` has told the subscribers, and nothing is remembered until it is back.
    } finally {
      clearTimeout(timer);
      this.#waiting.delete(barrier);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    this.#listening = false;
    await client?.end().catch(() => {});
  }
}
