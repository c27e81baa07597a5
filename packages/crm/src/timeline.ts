// The customer timeline (P1): everything that touched an account, a contact or a lead, in one UNION ALL
// statement with keyset pagination. It is read in two parts (TIMELINE_PARTS): the history, newest first from
// the present back (occurredAt desc, id desc), and what is upcoming or overdue — open tasks and anything dated
// later than the present — soonest first (occurredAt asc, id asc). Each branch (a source, joined to the
// customer one way) is ordered and limited on its own, so with an index on (link, instant) it reads only a
// page worth of rows however long the customer's history is; the union is then ordered and cut. For an
// account, its contacts' items count too (an item linked to both is listed once).
import { decodeCursor, encodeCursor } from '@touchpoint/engine';
import { TouchpointError } from '@touchpoint/schema';
import type { CrmModel } from './model.ts';
import { Checks, isoMicros, isoMillis, Params, type SqlRunner } from './sql.ts';
import {
  type InstantPart,
  occurredAt,
  TIMELINE_KINDS,
  TIMELINE_PARTS,
  TIMELINE_SUBJECTS,
  type TimelineKind,
  type TimelinePart,
  type TimelineSource,
  type TimelineSubject,
  timelineSources,
} from './timeline-sources.ts';

export interface TimelineRequest {
  entity: TimelineSubject;
  id: string;
  /** `history` (the default) or `upcoming`; see TIMELINE_PARTS. */
  part?: TimelinePart | null;
  /** The present that divides the parts, ISO 8601; the caller's clock decides the default. */
  asOf?: string | null;
  /** Only interactions on these channels (other kinds have no channel and are left out). */
  channels?: string[] | null;
  kinds?: TimelineKind[] | null;
  /** Inclusive bounds on occurredAt, ISO 8601. */
  from?: string | null;
  to?: string | null;
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface TimelineItem {
  kind: TimelineKind;
  /** Id of the source record (unique across sources: ids are UUIDs). */
  id: string;
  occurredAt: string;
  title: string | null;
  summary: string | null;
  /** The source record's fields the summary shows, by field name, typed as the record API returns them. */
  values: Record<string, unknown>;
  channel: string | null;
  direction: string | null;
  /** The entity of the source record, e.g. `interaction`, `caseStatusChange`, `campaignMember`. */
  sourceEntity: string;
  accountId: string | null;
  contactId: string | null;
  contactName: string | null;
  leadId: string | null;
  /** Open work (a task not completed or cancelled) whose instant is not after the present. */
  overdue: boolean;
  cursor: string;
}

export interface TimelinePage {
  items: TimelineItem[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export const TIMELINE_DEFAULT_FIRST = 20;
export const TIMELINE_MAX_FIRST = 200;
const CURSOR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function cursorOf(path: string, cursor: unknown): [string, string] {
  const values = decodeCursor(cursor, path);
  const [at, id] = values;
  if (values.length !== 2 || typeof at !== 'string' || !CURSOR_INSTANT.test(at) || typeof id !== 'string') {
    throw new TouchpointError('VALIDATION_FAILED', `The cursor is not valid:\n  - ${path}: is not a timeline cursor`, {
      issues: [{ path, message: 'is not a timeline cursor; pass a cursor the timeline returned' }],
    });
  }
  return [at, id];
}

export async function timeline(m: CrmModel, sql: SqlRunner, request: TimelineRequest): Promise<TimelinePage> {
  const checks = new Checks();
  const subject = checks.oneOf('entity', request.entity, TIMELINE_SUBJECTS, 'account');
  const id = checks.id('id', request.id, true);
  const part = checks.oneOf('part', request.part, TIMELINE_PARTS, 'history');
  const asOf = checks.instant('asOf', request.asOf);
  if (!asOf) checks.add('asOf', 'is required: the present that divides history from what is upcoming');
  const kinds = checks.list('kinds', request.kinds, TIMELINE_KINDS);
  const channelOptions = m.options('interaction', 'channel');
  const channels = checks.list('channels', request.channels, channelOptions);
  const from = checks.instant('from', request.from);
  const to = checks.instant('to', request.to);
  if (from && to && from > to) checks.add('to', 'must not be before from');
  const backwards = request.last != null || request.before != null;
  if (backwards && (request.first != null || request.after != null)) {
    checks.add(
      request.first != null ? 'first' : 'after',
      'cannot be combined with last/before: page one way at a time',
    );
  }
  const size = backwards
    ? checks.int('last', request.last, TIMELINE_DEFAULT_FIRST, 0, TIMELINE_MAX_FIRST)
    : checks.int('first', request.first, TIMELINE_DEFAULT_FIRST, 0, TIMELINE_MAX_FIRST);
  const cursorPath = backwards ? 'before' : 'after';
  const cursorText = backwards ? request.before : request.after;
  if (!m.entity(subject)) checks.add('entity', `this workspace has no ${subject} entity`);
  checks.done('The timeline request is not valid:');
  const cursor = cursorText == null ? undefined : cursorOf(cursorPath, cursorText);

  let sources = timelineSources(m);
  if (kinds) sources = sources.filter((s) => kinds.includes(s.kind));
  if (channels) sources = sources.filter((s) => s.kind === 'interaction');

  const p = new Params();
  const subjectId = p.add(id, 'uuid');
  const contactsOfAccount =
    subject === 'account' && m.field('contact', 'account')
      ? `select c.id from ${m.table('contact')} c where ${m.col('c', 'contact', 'account')} = ${subjectId}`
      : undefined;
  // History reads newest first, upcoming soonest first; paging backwards reads the other way and turns round.
  const ascending = (part === 'upcoming') !== backwards;
  const direction = ascending ? 'asc' : 'desc';
  const shared: string[] = [];
  if (from) shared.push(`__at >= ${p.add(from, 'timestamptz')}`);
  if (to) shared.push(`__at <= ${p.add(to, 'timestamptz')}`);
  if (cursor) {
    const at = p.add(cursor[0], 'timestamptz');
    const cid = p.add(cursor[1], 'uuid');
    shared.push(
      ascending
        ? `__at >= ${at} and (__at > ${at} or __id > ${cid})`
        : `__at <= ${at} and (__at < ${at} or __id < ${cid})`,
    );
  }
  const limit = p.add(size + 1, 'int');
  const channelList = channels ? p.add(channels, 'text[]') : undefined;
  const present = p.add(asOf, 'timestamptz');

  const branches: string[] = [];
  for (const source of sources) {
    const columns = select(m, source, present);
    // One branch per link (the customer's own rows; for an account also each contact's) and instant part.
    // A branch orders by its link and the instant parts up to its own, which is exactly the order of the
    // (link, parts…) index: PostgreSQL walks that index from the newest row and stops after a page (WITH TIES
    // keeps every row tied with the last, so the (instant, id) order outside stays exact). The link is
    // compared by `= any(array[id])`, not `=`, on purpose: with `=` PostgreSQL takes the link for a constant
    // and drops it from the order, and then may prefer walking the instant index alone past other
    // customers' newer rows (it did, for a contact whose history is older than another customer's: 14,000
    // rows read per contact); with the link in the order only the (link, instant) index fits.
    // Which side of the present a branch reads: history is what is not open and not after it; upcoming is
    // what is after it, and (a branch of its own, so each stays an index range) open work not after it.
    const sides: ((own: InstantPart) => string)[] =
      part === 'history'
        ? [(own) => [own.compare('<=', present), ...(source.open ? [`not ${source.open}`] : [])].join(' and ')]
        : [
            (own) => own.compare('>', present),
            ...(source.open ? [(own: InstantPart) => `${source.open} and ${own.compare('<=', present)}`] : []),
          ];
    const branch = (link: string, equals: string, instantPart: number, side: (own: InstantPart) => string) => {
      const parts = source.instant.slice(0, instantPart + 1);
      const own = parts.at(-1)!;
      const where = [
        `${link} = any(array[${equals}])`,
        ...(source.where ? [source.where] : []),
        side(own),
        ...parts.slice(0, -1).map((p) => `${p.key} is null`),
        ...(instantPart > 0 || source.instant.length > 1 ? [`${own.key} is not null`] : []),
        ...shared.map((c) => c.replaceAll('__at', own.at).replaceAll('__id', 's.id')),
        ...(channelList ? [`${source.channel} = any(${channelList})`] : []),
      ].join(' and ');
      const order = [link, ...parts.map((p) => p.key)].map((key) => `${key} ${direction}`).join(', ');
      return `select ${columns} from ${source.from()} where ${where} order by ${order} fetch first (${limit}) rows with ties`;
    };
    const links: { link: string; contacts?: boolean }[] = [];
    if (subject !== 'account') {
      const link = source[subject];
      if (link) links.push({ link });
    } else {
      if (source.account) links.push({ link: source.account });
      if (source.contact && contactsOfAccount) links.push({ link: source.contact, contacts: true });
    }
    for (const { link, contacts } of links) {
      for (let instantPart = 0; instantPart < source.instant.length; instantPart++) {
        for (const side of sides) {
          branches.push(
            contacts
              ? `(select x.* from (${contactsOfAccount}) k cross join lateral (${branch(link, 'k.id', instantPart, side)}) x)`
              : `(${branch(link, subjectId, instantPart, side)})`,
          );
        }
      }
    }
  }
  const exists = `exists (select 1 from ${m.table(subject)} x where x.id = ${subjectId})`;
  if (branches.length === 0) {
    const [row] = await sql.query<{ found: boolean }>(`select ${exists} as found`, p.values);
    if (!row?.found) throw subjectNotFound(subject, id!);
    return { items: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
  }
  // The items' related account, contact and lead come through the scoped door too: one the user cannot
  // read (or a deleted one) is named by neither id nor name.
  const related = (entity: string, alias: string, column: string) =>
    m.entity(entity) ? `left join ${m.table(entity)} ${alias} on ${alias}.id = u.${column}` : '';
  const relatedId = (entity: string, alias: string) => (m.entity(entity) ? `${alias}.id` : 'null::uuid');
  const text = `select ${exists} as found, coalesce((
  select json_agg(json_build_object(
    'kind', u.kind, 'id', u.id, 'occurredAt', ${isoMillis('u.occurred_at')}, 'title', u.title, 'summary', u.summary, 'values', u.values,
    'channel', u.channel, 'direction', u.direction, 'sourceEntity', u.source_entity, 'accountId', ${relatedId('account', 'ra')},
    'contactId', ${relatedId('contact', 'ct')}, 'contactName', ${m.entity('contact') ? `case when ct.id is not null then ${m.title('ct', 'contact')} end` : 'null'}, 'leadId', ${relatedId('lead', 'rl')},
    'overdue', u.overdue,
    'cursorAt', ${isoMicros('u.occurred_at')}) order by u.occurred_at ${direction}, u.id ${direction})
  from (select * from (select distinct on (id) * from (${branches.join('\n  union all\n  ')}) b) d
    order by occurred_at ${direction}, id ${direction} limit ${limit}) u
  ${related('account', 'ra', 'account_id')} ${related('contact', 'ct', 'contact_id')} ${related('lead', 'rl', 'lead_id')}), '[]') as items`;
  // Its plan (index walks whatever the customer) does not depend on the values, and planning ~25 branches
  // takes longer than running them: a generic plan, made once per connection, where the runner offers it.
  type Row = { found: boolean; items: (Omit<TimelineItem, 'cursor'> & { cursorAt: string })[] };
  const [row] = sql.queryGeneric ? await sql.queryGeneric<Row>(text, p.values) : await sql.query<Row>(text, p.values);
  if (!row?.found) throw subjectNotFound(subject, id!);
  const rows = row.items;
  const more = rows.length > size;
  const page = (more ? rows.slice(0, size) : rows).map(({ cursorAt, ...item }) => ({
    ...item,
    cursor: encodeCursor([cursorAt, item.id]),
  }));
  if (backwards) page.reverse();
  return {
    items: page,
    pageInfo: {
      hasNextPage: backwards ? cursor !== undefined : more,
      hasPreviousPage: backwards ? more : cursor !== undefined,
      startCursor: page[0]?.cursor ?? null,
      endCursor: page.at(-1)?.cursor ?? null,
    },
  };
}

function subjectNotFound(subject: string, id: string): TouchpointError {
  return new TouchpointError('NOT_FOUND', `There is no ${subject} with id ${id} (or it is deleted).`, {
    issues: [{ path: 'id', message: `there is no ${subject} with id ${id}` }],
  });
}

function select(m: CrmModel, s: TimelineSource, present: string): string {
  const sourceEntity = m.entity(s.entity)?.name ?? s.entity;
  return [
    `'${s.kind}'::text as kind`,
    's.id',
    `${occurredAt(s)} as occurred_at`,
    `${s.title} as title`,
    `${s.summary} as summary`,
    `${s.values} as values`,
    `${s.channel}::text as channel`,
    `${s.direction}::text as direction`,
    `'${sourceEntity.replaceAll("'", "''")}'::text as source_entity`,
    `${s.account ?? 'null::uuid'} as account_id`,
    `${s.contact ?? 'null::uuid'} as contact_id`,
    `${s.lead ?? 'null::uuid'} as lead_id`,
    `coalesce(${s.open && s.due ? `${s.open} and ${s.due} <= ${present}` : 'false'}, false) as overdue`,
  ].join(', ');
}
