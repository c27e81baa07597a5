// Stage and status history: when an opportunity's stage or a case's status is set (on create) or changes,
// an opportunityStageChange / caseStatusChange row is written through the record service as `system`.
// The handler runs inside the publishing write's call (after its commit), so the row exists when the write
// returns and each transition is seen before the next write of the same caller. Events carry no values,
// so the record is read: the "to" value is its current state, the "from" value the last recorded "to",
// and nothing is written when they are equal — a history written by someone else is not doubled. Writes
// that carry their own history (`ownHistory` on the record service's context: the demo seed, an import of
// past records) are left alone; no actor is treated differently from another. Cost: about five statements per tracked event (see the README for what the engine could offer).
//
// These rows stay CRM entities, fed by record events as before: reports, segments and the customer timeline
// read them with SQL by account, contact, amount and probability at the time of the change. The same changes
// are also in the engine's audit log (opportunity and case are marked `trackHistory`), which answers
// `fieldHistory` and the History section of the record pages; the behaviour's own writes are marked
// `ownHistory`, which is what keeps it from handling them again.
//
// Each history row also carries its record's account and contact, so the customer timeline reads it by
// (account, changedAt) like any other touchpoint. They are copied when the row is written and kept equal
// afterwards: when a case or deal moves to another account or contact, and when someone else writes a
// history row, one set-based UPDATE (syncHistoryLinks) brings the rows in line; run over everything it
// is the backfill of rows written before these fields existed.
import { type Engine, MAX_BATCH, type RecordEvent, recordTransaction } from '@touchpoint/engine';
import { isUuid } from '@touchpoint/schema';
import { type CrmModel, crmModel, crmReads } from './model.ts';
import { Params } from './sql.ts';

export interface CrmBehaviour {
  /** Unsubscribes; events already being handled finish. */
  (): void;
  /** Resolves once every event received so far has been handled (graceful shutdown). */
  idle(): Promise<void>;
}

interface Tracked {
  /** Core entity name, e.g. `opportunity`. */
  entity: string;
  field: string;
  history: string;
  link: string;
  from: string;
  to: string;
  /** Fields of the record copied into the history row (history field ← record field). */
  copies: Record<string, string>;
}

/** The customer links a history row copies from its record (same name on both), where both have them. */
const LINKS = ['account', 'contact'];
const linksOf = (m: CrmModel, t: Tracked) => LINKS.filter((l) => m.field(t.entity, l) && m.field(t.history, l));
/**
 * Who this behaviour's own writes (history rows, link updates) are made by. They are marked `ownHistory`, which
 * is what keeps them from being handled again — not who made them: no actor is treated differently.
 */
const SYNC_ACTOR = 'system';

const TRACKED: Tracked[] = [
  {
    entity: 'opportunity',
    field: 'stage',
    history: 'opportunityStageChange',
    link: 'opportunity',
    from: 'fromStage',
    to: 'toStage',
    copies: { amount: 'amount', probability: 'probability' },
  },
  {
    entity: 'case',
    field: 'status',
    history: 'caseStatusChange',
    link: 'case',
    from: 'fromStatus',
    to: 'toStatus',
    copies: {},
  },
];

export function installCrmBehaviour(engine: Engine): CrmBehaviour {
  // One event after the other, in publishing order, so the rows of one record come out in order.
  let running: Promise<void> = Promise.resolve();
  const handler = async (event: RecordEvent): Promise<void> => {
    // Every actor is tracked alike. Writes that bring their own history (the demo seed writes deals with
    // their past stage changes) say so on the event, not through who wrote them.
    if (event.ownHistory || event.type === 'record.deleted') return;
    // Only tracked entities wait their turn: the history rows' own events must not queue behind themselves.
    const m = crmModel(await engine.metadata(event.workspace));
    const work: (() => Promise<unknown>)[] = [];
    for (const t of TRACKED) {
      const links = linksOf(m, t).map((l) => m.field(t.entity, l)!.name);
      if (m.entity(t.entity)?.name === event.entity) {
        if (event.type !== 'record.restored') work.push(() => record(engine, [event]));
        if (event.type === 'record.updated' && links.some((l) => event.changed.includes(l))) {
          work.push(() => syncHistoryLinks(engine, event.workspace, { entity: t.entity, parents: [event.id] }));
        }
      } else if (m.entity(t.history)?.name === event.entity) {
        // A history row written by someone else (not this behaviour): its links follow its record.
        work.push(() => syncHistoryLinks(engine, event.workspace, { entity: t.entity, rows: [event.id] }));
      }
    }
    if (work.length === 0) return;
    running = running
      .then(async () => {
        for (const step of work) await step();
      })
      .catch((error) => console.error('[touchpoint] crm: recording stage/status history failed:', error));
    await running;
  };
  const unsubscribe = engine.events.subscribe('*', handler);
  const behaviour = (() => void unsubscribe()) as CrmBehaviour;
  behaviour.idle = async () => {
    let current: Promise<void>;
    do {
      current = running;
      await current;
    } while (current !== running);
  };
  return behaviour;
}

async function record(engine: Engine, events: RecordEvent[]): Promise<void> {
  const workspaces = new Map<string, RecordEvent[]>();
  for (const e of events) workspaces.set(e.workspace, [...(workspaces.get(e.workspace) ?? []), e]);
  for (const [workspace, list] of workspaces) {
    const m = crmModel(await engine.metadata(workspace));
    for (const t of TRACKED) {
      const entity = m.entity(t.entity);
      const field = m.field(t.entity, t.field);
      if (
        !entity ||
        !field ||
        !m.supports({ [t.history]: [t.link, t.from, t.to, 'changedAt', 'changedBy', ...Object.keys(t.copies)] })
      )
        continue;
      const relevant = list.filter(
        (e) => e.entity === entity.name && (e.type === 'record.created' || e.changed.includes(field.name)),
      );
      if (relevant.length > 0) await recordChanges(engine, workspace, t, relevant);
    }
  }
}

async function recordChanges(engine: Engine, workspace: string, t: Tracked, events: RecordEvent[]): Promise<void> {
  const m = crmReads(await engine.reader({ workspace, actor: 'system' }));
  const actorOf = new Map(events.map((e) => [e.id, e.actor]));
  const p = new Params();
  const ids = p.add([...actorOf.keys()], 'uuid[]');
  const link = m.col('h', t.history, t.link);
  const copies = Object.entries({ ...t.copies, ...Object.fromEntries(linksOf(m, t).map((l) => [l, l])) }).map(
    ([to, from]) => {
      const field = m.field(t.entity, from)!;
      return field.type === 'currency'
        ? `'${to}', case when ${m.money('r', t.entity, from).amount} is null then null else json_build_object('amount', ${m.money('r', t.entity, from).amount}::text, 'currency', ${m.money('r', t.entity, from).currency}) end`
        : `'${to}', ${m.col('r', t.entity, from)}::text`;
    },
  );
  const rows = await m.sql.query<{
    id: string;
    value: string | null;
    last: string | null;
    at: string;
    copied: Record<string, unknown>;
  }>(
    `select r.id, ${m.col('r', t.entity, t.field)}::text as value, to_char(r.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
      (select ${m.col('h', t.history, t.to)}::text from ${m.table(t.history)} h where ${link} = r.id
        order by ${m.col('h', t.history, 'changedAt')} desc, h.created_at desc, h.id desc limit 1) as last,
      json_build_object(${copies.length > 0 ? copies.join(', ') : ''}) as copied
    from ${m.table(t.entity)} r where r.id = any(${ids})`,
    p.values,
  );
  // changedBy only names an actor that is a live user; others (`system`, API keys) leave it empty.
  const actors = [...new Set(events.map((e) => e.actor).filter((a) => isUuid(a)))];
  const known = new Set(
    actors.length > 0 && m.entity('user')
      ? (
          await m.sql.query<{ id: string }>(`select u.id from ${m.table('user')} u where u.id = any($1::uuid[])`, [
            actors,
          ])
        ).map((u) => u.id)
      : [],
  );
  const f = (name: string) => m.field(t.history, name)!.name;
  const inputs = rows
    .filter((r) => r.value !== null && r.value !== r.last)
    .map((r) => {
      const actor = actorOf.get(r.id)!;
      const values: Record<string, unknown> = {
        [f(t.link)]: r.id,
        [f(t.from)]: r.last,
        [f(t.to)]: r.value,
        [f('changedAt')]: r.at,
        ...(known.has(actor) ? { [f('changedBy')]: actor } : {}),
      };
      for (const [to, value] of Object.entries(r.copied)) if (value !== null) values[f(to)] = value;
      return values;
    });
  const records = engine.records({ workspace, actor: SYNC_ACTOR, ownHistory: true });
  for (let start = 0; start < inputs.length; start += MAX_BATCH) {
    await records.createMany(m.entity(t.history)!.name, inputs.slice(start, start + MAX_BATCH));
  }
}

export interface SyncHistoryLinksOptions {
  /** Only the history of these core entities (`case`, `opportunity`); default both. */
  entity?: string;
  /** Only the history rows of these records. */
  parents?: string[];
  /** Only these history rows. */
  rows?: string[];
  /** Rows per transaction (default 5,000): a backfill of a large history holds no long locks. */
  batch?: number;
}

/**
 * Sets the account and contact of history rows (caseStatusChange, opportunityStageChange) to those of their
 * case or deal wherever they differ, deleted rows included (so a restored row is right): rows are scanned in
 * id order in batches, and those that differ are written through the record service's set-based
 * `updateMany` (hooks, audit columns, a new version, `record.updated` events), one transaction per batch.
 * Idempotent: rows already equal are not touched, so a second run changes nothing. Over every row it is the
 * backfill for data written before the fields existed (`touchpoint migrate` and `start` run it). Returns how
 * many rows changed.
 */
export async function syncHistoryLinks(
  engine: Engine,
  workspace: string,
  options: SyncHistoryLinksOptions = {},
): Promise<number> {
  const batch = options.batch ?? 5000;
  let changed = 0;
  const scope = { workspace, actor: SYNC_ACTOR, ownHistory: true };
  for (const t of TRACKED) {
    if (options.entity && options.entity !== t.entity) continue;
    const m = crmReads(await engine.reader(scope));
    const links = linksOf(m, t);
    if (links.length === 0 || !m.field(t.history, t.link)) continue;
    // Deleted history rows and records too, on purpose: a restored row must come back right.
    const all = { includeDeleted: true };
    const joined = `${m.table(t.history, all)} h join ${m.table(t.entity, all)} p on p.id = ${m.col('h', t.history, t.link)}`;
    const differs = links.map((l) => `${m.col('h', t.history, l)} is distinct from ${m.col('p', t.entity, l)}`);
    // Rows are taken in id order from where the last batch ended (`$2`), so each row is read once however
    // many batches there are; `parents` / `rows` narrow that to a few.
    const only = [
      ...(options.parents ? [`p.id = any($3::uuid[])`] : []),
      ...(options.rows ? [`h.id = any($3::uuid[])`] : []),
    ];
    const text = `with scanned as (
        select h.id, json_build_object(${links.map((l) => `'${l}', ${m.col('p', t.entity, l)}`).join(', ')}) as links, (${differs.join(' or ')}) as differs
        from ${joined}
        where h.id > $2::uuid${only.map((c) => ` and ${c}`).join('')}
        order by h.id limit $1)
      select (select s.id from scanned s order by s.id desc limit 1) as last, (select count(*)::int from scanned) as scanned,
        coalesce((select json_agg(json_build_object('id', s.id, 'links', s.links) order by s.id) from scanned s where s.differs), '[]') as todo`;
    const names = Object.fromEntries(links.map((l) => [l, m.field(t.history, l)!.name]));
    const entity = m.entity(t.history)!.name;
    // Over everything, one look first: a join PostgreSQL can hash reads the tables once, and usually finds
    // nothing to do (every start runs this).
    if (!options.parents && !options.rows) {
      const [todo] = await m.sql.query<{ any: boolean }>(
        `select exists (select 1 from ${joined} where ${differs.join(' or ')}) as any`,
      );
      if (!todo?.any) continue;
    }
    let last = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const params = [batch, last, ...(options.parents ? [options.parents] : options.rows ? [options.rows] : [])];
      const result = await recordTransaction(engine, scope, async ({ records, reader }) => {
        const [row] = await reader.query<{
          last: string | null;
          scanned: number;
          todo: { id: string; links: Record<string, string | null> }[];
        }>(text, params);
        const updates = row!.todo.map((r) => ({
          id: r.id,
          values: Object.fromEntries(Object.entries(r.links).map(([l, v]) => [names[l]!, v])),
        }));
        for (let start = 0; start < updates.length; start += MAX_BATCH) {
          await records.updateMany(entity, updates.slice(start, start + MAX_BATCH), all);
        }
        return { last: row!.last, scanned: row!.scanned, updated: updates.length };
      });
      changed += result.updated;
      if (result.scanned < batch || result.last === null) break;
      last = result.last;
    }
  }
  return changed;
}
