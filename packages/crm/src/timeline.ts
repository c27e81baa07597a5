// The customer timeline (P1): everything that touched an account, a contact or a lead, newest first, in one
// UNION ALL statement with keyset pagination on (occurredAt desc, id desc). Each branch (a source, joined
// to the customer one way) is ordered and limited on its own, so with an index on (link, instant) it reads
// only a page worth of rows however long the customer's history is; the union is then ordered and cut.
// For an account, its contacts' items count too (an item linked to both is listed once).
import { decodeCursor, encodeCursor } from '@touchpoint/engine';
import { TouchpointError } from '@touchpoint/schema';
import type { CrmModel } from './model.ts';
import { Checks, isoMicros, isoMillis, Params, type SqlRunner } from './sql.ts';
import {
  TIMELINE_KINDS,
  TIMELINE_SUBJECTS,
  type TimelineKind,
  type TimelineSource,
  type TimelineSubject,
  timelineSources,
} from './timeline-sources.ts';

export interface TimelineRequest {
  entity: TimelineSubject;
  id: string;
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
  channel: string | null;
  direction: string | null;
  /** The entity of the source record, e.g. `interaction`, `caseStatusChange`, `campaignMember`. */
  sourceEntity: string;
  accountId: string | null;
  contactId: string | null;
  contactName: string | null;
  leadId: string | null;
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
      ? `select c.id from ${m.table('contact')} c where ${m.col('c', 'contact', 'account')} = ${subjectId} and c.deleted_at is null`
      : undefined;
  const shared: string[] = [];
  if (from) shared.push(`__at >= ${p.add(from, 'timestamptz')}`);
  if (to) shared.push(`__at <= ${p.add(to, 'timestamptz')}`);
  if (cursor) {
    const at = p.add(cursor[0], 'timestamptz');
    const cid = p.add(cursor[1], 'uuid');
    shared.push(
      backwards
        ? `__at >= ${at} and (__at > ${at} or __id > ${cid})`
        : `__at <= ${at} and (__at < ${at} or __id < ${cid})`,
    );
  }
  const limit = p.add(size + 1, 'int');
  const channelList = channels ? p.add(channels, 'text[]') : undefined;
  const direction = backwards ? 'asc' : 'desc';

  const branches: string[] = [];
  for (const source of sources) {
    const where = [
      source.live,
      ...shared.map((c) => c.replaceAll('__at', source.occurredAt).replaceAll('__id', 's.id')),
      ...(channelList ? [`${source.channel} = any(${channelList})`] : []),
    ].join(' and ');
    // Within a branch only the instant orders, and WITH TIES keeps every row tied with the last, so the
    // (instant, id) order outside stays exact. For one customer record the (link, instant) index yields the
    // rows in order. For several records (the account's contacts, the customer's cases) the order is an
    // expression no index has, on purpose: the planner then reads each record's own rows through its link
    // index, and never walks the whole instant index past other customers' rows (which it may otherwise
    // prefer, and which grows with everybody's history).
    const indexed = `${source.sortKey ?? 'occurred_at'} ${direction} fetch first (${limit}) rows with ties`;
    const sorted = `(${source.sortKey ?? source.occurredAt}) + interval '0 seconds' ${direction} fetch first (${limit}) rows with ties`;
    const columns = select(m, source);
    const direct = (link: string) =>
      `(select ${columns} from ${source.from} where ${link} = ${subjectId} and ${where} order by ${indexed})`;
    const perRecord = (records: string, link: string) =>
      `(select x.* from (${records}) k cross join lateral (select ${columns} from ${source.from}
    where ${link} = k.id and ${where} order by ${sorted}) x)`;
    if (source.via) {
      const parents = parentsOf(m, source.via.entity, subject, subjectId, contactsOfAccount);
      if (parents) branches.push(perRecord(parents, source.via.key));
    } else if (subject !== 'account') {
      const link = source[subject];
      if (link) branches.push(direct(link));
    } else {
      if (source.account) branches.push(direct(source.account));
      if (source.contact && contactsOfAccount) branches.push(perRecord(contactsOfAccount, source.contact));
    }
  }
  const exists = `exists (select 1 from ${m.table(subject)} x where x.id = ${subjectId} and x.deleted_at is null)`;
  if (branches.length === 0) {
    const [row] = await sql.query<{ found: boolean }>(`select ${exists} as found`, p.values);
    if (!row?.found) throw subjectNotFound(subject, id!);
    return { items: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
  }
  const contact = m.entity('contact') ? m.table('contact') : undefined;
  const text = `select ${exists} as found, coalesce((
  select json_agg(json_build_object(
    'kind', u.kind, 'id', u.id, 'occurredAt', ${isoMillis('u.occurred_at')}, 'title', u.title, 'summary', u.summary,
    'channel', u.channel, 'direction', u.direction, 'sourceEntity', u.source_entity, 'accountId', u.account_id,
    'contactId', u.contact_id, 'contactName', ${contact ? m.title('ct', 'contact') : 'null'}, 'leadId', u.lead_id,
    'cursorAt', ${isoMicros('u.occurred_at')}) order by u.occurred_at ${direction}, u.id ${direction})
  from (select * from (select distinct on (id) * from (${branches.join('\n  union all\n  ')}) b) d
    order by occurred_at ${direction}, id ${direction} limit ${limit}) u
  ${contact ? `left join ${contact} ct on ct.id = u.contact_id and ct.deleted_at is null` : ''}), '[]') as items`;
  const [row] = await sql.query<{ found: boolean; items: (Omit<TimelineItem, 'cursor'> & { cursorAt: string })[] }>(
    text,
    p.values,
  );
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

/**
 * The parent records (cases, opportunities) of the customer: an account's own and its contacts', or a
 * contact's. Undefined when the parent cannot belong to that kind of customer.
 */
function parentsOf(
  m: CrmModel,
  entity: string,
  subject: TimelineSubject,
  id: string,
  contacts: string | undefined,
): string | undefined {
  const account = m.field(entity, 'account') ? m.col('k', entity, 'account') : undefined;
  const contact = m.field(entity, 'contact') ? m.col('k', entity, 'contact') : undefined;
  const links: string[] = [];
  if (subject === 'account' && account) links.push(`${account} = ${id}`);
  if (subject === 'account' && contact && contacts) links.push(`${contact} in (${contacts})`);
  if (subject === 'contact' && contact) links.push(`${contact} = ${id}`);
  if (links.length === 0) return undefined;
  // A UNION rather than OR, so each part is an index lookup on its link column.
  return links
    .map((link) => `select k.id from ${m.table(entity)} k where k.deleted_at is null and ${link}`)
    .join(' union ');
}

function select(m: CrmModel, s: TimelineSource): string {
  const sourceEntity = m.entity(s.entity)?.name ?? s.entity;
  return [
    `'${s.kind}'::text as kind`,
    's.id',
    `${s.occurredAt} as occurred_at`,
    `${s.title} as title`,
    `${s.summary} as summary`,
    `${s.channel}::text as channel`,
    `${s.direction}::text as direction`,
    `'${sourceEntity.replaceAll("'", "''")}'::text as source_entity`,
    `${s.account ?? 'null::uuid'} as account_id`,
    `${s.contact ?? 'null::uuid'} as contact_id`,
    `${s.lead ?? 'null::uuid'} as lead_id`,
  ].join(', ');
}
