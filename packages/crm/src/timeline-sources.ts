// What the customer timeline is made of: one source per kind of item, each a table (with the joins that
// tie it to a customer), the instant it happened, its title and summary, and the columns linking it to an
// account, a contact or a lead. A source whose entity or fields the workspace no longer has is left out.
import type { CrmModel, Requirement } from './model.ts';
import { dateAsInstant } from './sql.ts';

export const TIMELINE_KINDS = [
  'interaction',
  'task',
  'case',
  'caseStatusChange',
  'opportunityStageChange',
  'quote',
  'order',
  'campaignResponse',
  'surveyResponse',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** Records a timeline can be asked for. */
export const TIMELINE_SUBJECTS = ['account', 'contact', 'lead'] as const;

/**
 * The two parts a timeline is read in, as Salesforce's activity timeline shows them: `history`, what has
 * happened, newest first from the present back; `upcoming`, open work (an open task, however overdue) and
 * anything dated after the present, soonest (most overdue) first. Every item is in exactly one part.
 */
export const TIMELINE_PARTS = ['history', 'upcoming'] as const;
export type TimelinePart = (typeof TIMELINE_PARTS)[number];
export type TimelineSubject = (typeof TIMELINE_SUBJECTS)[number];

export interface TimelineSource {
  kind: TimelineKind;
  /** The entity whose record each item is (its id is the item's id). */
  entity: string;
  /** The FROM items (scoped reads: see CrmModel.table), built when a statement is, not for capabilities. */
  from(): string;
  /** A condition of the source beyond visibility (which `from` brings), if any. */
  where?: string;
  /**
   * Where the item sits in time: the first of these stored values that is set (one for most sources; a task
   * is placed at completedAt, else dueAt, else when created). Each part is read in its own branch through an
   * index on (link, the parts before it, it), so no branch sorts a customer's whole history.
   */
  instant: InstantPart[];
  title: string;
  /** A line of raw stored values, for API clients that show text as it is; screens use `values`. */
  summary: string;
  /**
   * The source record's own fields the summary is made of, as a JSON object by field name with the values
   * typed as the record API returns them, so a screen shows each through its field type (option labels in
   * the reader's language, money with its currency).
   */
  values: string;
  channel: string;
  direction: string;
  /** Items that are open work (a task not completed or cancelled): upcoming whatever their instant. */
  open: string | null;
  /** When open work is due (an open task past it is overdue). */
  due: string | null;
  /** Columns linking an item to a customer, each with an index on (link, instant parts). */
  account: string | null;
  contact: string | null;
  lead: string | null;
}

export interface InstantPart {
  /** The stored column an index orders by (e.g. an order's date). */
  key: string;
  /** Its value as an instant (a date at 00:00Z), ordered like `key`. */
  at: string;
  /**
   * `at <= instant` or `at > instant` written on `key`, so an index on the key can seek to it (an order's
   * date d is at d 00:00Z: it is after an instant exactly when d is after that instant's UTC day).
   */
  compare(op: '<=' | '>', instant: string): string;
}

/** The instant of an item: its first part that is set. */
export function occurredAt(source: TimelineSource): string {
  const parts = source.instant.map((p) => p.at);
  return parts.length === 1 ? parts[0]! : `coalesce(${parts.join(', ')})`;
}

const column = (key: string): InstantPart => ({ key, at: key, compare: (op, x) => `${key} ${op} ${x}` });
const dated = (key: string): InstantPart => ({
  key,
  at: dateAsInstant(key),
  compare: (op, x) => `${key} ${op} (${x} at time zone 'UTC')::date`,
});

/** Task statuses that end a task's work; any other status with no completion instant is open. */
const CLOSED_TASK_STATUSES = ['completed', 'cancelled'];

interface SourceDefinition {
  kind: TimelineKind;
  entity: string;
  requirement: Requirement;
  build(m: CrmModel): TimelineSource;
}

/** `json_build_object` of fields of the source row `s`, keyed by their current names. */
function fieldValues(m: CrmModel, entity: string, fields: string[]): string {
  const pairs = fields.map((f) => {
    const field = m.field(entity, f)!;
    const key = `'${field.name.replaceAll("'", "''")}'`;
    if (field.type !== 'currency') return `${key}, ${m.col('s', entity, f)}`;
    const money = m.money('s', entity, f);
    return `${key}, case when ${money.amount} is null then null else json_build_object('amount', ${money.amount}::text, 'currency', ${money.currency}) end`;
  });
  return `json_build_object(${pairs.join(', ')})`;
}

const arrow = (from: string, to: string) => `coalesce(${from}::text, '—') || ' → ' || ${to}::text`;
const moneyText = (m: CrmModel, alias: string, entity: string, field: string) => {
  const money = m.money(alias, entity, field);
  return `(${money.amount}::text || ' ' || ${money.currency})`;
};

const DEFINITIONS: SourceDefinition[] = [
  {
    kind: 'interaction',
    entity: 'interaction',
    requirement: {
      interaction: ['subject', 'body', 'channel', 'direction', 'occurredAt', 'account', 'contact', 'lead'],
    },
    build: (m) => ({
      kind: 'interaction',
      entity: 'interaction',
      from: () => `${m.table('interaction')} s`,
      instant: [column(m.col('s', 'interaction', 'occurredAt'))],
      title: `${m.col('s', 'interaction', 'subject')}::text`,
      values: fieldValues(m, 'interaction', ['channel', 'direction']),
      summary: `left(${m.col('s', 'interaction', 'body')}, 280)`,
      channel: `${m.col('s', 'interaction', 'channel')}::text`,
      direction: `${m.col('s', 'interaction', 'direction')}::text`,
      open: null,
      due: null,
      account: m.col('s', 'interaction', 'account'),
      contact: m.col('s', 'interaction', 'contact'),
      lead: m.col('s', 'interaction', 'lead'),
    }),
  },
  {
    kind: 'task',
    entity: 'task',
    requirement: { task: ['subject', 'status', 'priority', 'dueAt', 'completedAt', 'account', 'contact', 'lead'] },
    build: (m) => ({
      kind: 'task',
      entity: 'task',
      from: () => `${m.table('task')} s`,
      // Done tasks when they were done, open ones when due, undated ones when created.
      instant: [column(m.col('s', 'task', 'completedAt')), column(m.col('s', 'task', 'dueAt')), column('s.created_at')],
      title: `${m.col('s', 'task', 'subject')}::text`,
      values: fieldValues(m, 'task', ['status', 'priority']),
      summary: `${m.col('s', 'task', 'status')}::text`,
      channel: 'null',
      direction: 'null',
      open: `(${m.col('s', 'task', 'completedAt')} is null and coalesce(${m.col('s', 'task', 'status')}::text, '') not in (${CLOSED_TASK_STATUSES.map((v) => `'${v}'`).join(', ')}))`,
      due: m.col('s', 'task', 'dueAt'),
      account: m.col('s', 'task', 'account'),
      contact: m.col('s', 'task', 'contact'),
      lead: m.col('s', 'task', 'lead'),
    }),
  },
  {
    kind: 'case',
    entity: 'case',
    requirement: { case: ['caseNumber', 'subject', 'status', 'priority', 'channel', 'openedAt', 'account', 'contact'] },
    build: (m) => ({
      kind: 'case',
      entity: 'case',
      from: () => `${m.table('case')} s`,
      instant: [column(m.col('s', 'case', 'openedAt'))],
      title: `concat_ws(' ', ${m.col('s', 'case', 'caseNumber')}, ${m.col('s', 'case', 'subject')})`,
      values: fieldValues(m, 'case', ['status', 'priority']),
      summary: `concat_ws(' · ', ${m.col('s', 'case', 'status')}, ${m.col('s', 'case', 'priority')})`,
      channel: `${m.col('s', 'case', 'channel')}::text`,
      direction: 'null',
      open: null,
      due: null,
      account: m.col('s', 'case', 'account'),
      contact: m.col('s', 'case', 'contact'),
      lead: null,
    }),
  },
  {
    kind: 'caseStatusChange',
    entity: 'caseStatusChange',
    requirement: {
      caseStatusChange: ['case', 'fromStatus', 'toStatus', 'changedAt', 'account', 'contact'],
      case: ['caseNumber', 'subject'],
    },
    build: (m) => ({
      kind: 'caseStatusChange',
      entity: 'caseStatusChange',
      from: () =>
        `${m.table('caseStatusChange')} s join ${m.table('case')} p on p.id = ${m.col('s', 'caseStatusChange', 'case')}`,
      instant: [column(m.col('s', 'caseStatusChange', 'changedAt'))],
      title: `concat_ws(' ', ${m.col('p', 'case', 'caseNumber')}, ${m.col('p', 'case', 'subject')})`,
      values: fieldValues(m, 'caseStatusChange', ['fromStatus', 'toStatus']),
      summary: arrow(m.col('s', 'caseStatusChange', 'fromStatus'), m.col('s', 'caseStatusChange', 'toStatus')),
      channel: 'null',
      direction: 'null',
      // The case's account and contact, copied onto each change (history.ts keeps them equal).
      open: null,
      due: null,
      account: m.col('s', 'caseStatusChange', 'account'),
      contact: m.col('s', 'caseStatusChange', 'contact'),
      lead: null,
    }),
  },
  {
    kind: 'opportunityStageChange',
    entity: 'opportunityStageChange',
    requirement: {
      opportunityStageChange: ['opportunity', 'fromStage', 'toStage', 'changedAt', 'account', 'contact'],
      opportunity: ['name'],
    },
    build: (m) => ({
      kind: 'opportunityStageChange',
      entity: 'opportunityStageChange',
      from: () =>
        `${m.table('opportunityStageChange')} s join ${m.table('opportunity')} p on p.id = ${m.col('s', 'opportunityStageChange', 'opportunity')}`,
      instant: [column(m.col('s', 'opportunityStageChange', 'changedAt'))],
      title: `${m.col('p', 'opportunity', 'name')}::text`,
      values: fieldValues(m, 'opportunityStageChange', ['fromStage', 'toStage']),
      summary: arrow(
        m.col('s', 'opportunityStageChange', 'fromStage'),
        m.col('s', 'opportunityStageChange', 'toStage'),
      ),
      channel: 'null',
      direction: 'null',
      // The deal's account and contact, copied onto each change (history.ts keeps them equal).
      open: null,
      due: null,
      account: m.col('s', 'opportunityStageChange', 'account'),
      contact: m.col('s', 'opportunityStageChange', 'contact'),
      lead: null,
    }),
  },
  {
    kind: 'quote',
    entity: 'quote',
    requirement: {
      quote: ['quoteNumber', 'name', 'status', 'sentAt', 'quoteDate', 'totalAmount', 'account', 'contact'],
    },
    build: (m) => ({
      kind: 'quote',
      entity: 'quote',
      from: () => `${m.table('quote')} s`,
      instant: [column(m.col('s', 'quote', 'sentAt')), dated(m.col('s', 'quote', 'quoteDate')), column('s.created_at')],
      title: `concat_ws(' ', ${m.col('s', 'quote', 'quoteNumber')}, ${m.col('s', 'quote', 'name')})`,
      values: fieldValues(m, 'quote', ['status', 'totalAmount']),
      summary: `concat_ws(' · ', ${m.col('s', 'quote', 'status')}, ${moneyText(m, 's', 'quote', 'totalAmount')})`,
      channel: 'null',
      direction: 'null',
      open: null,
      due: null,
      account: m.col('s', 'quote', 'account'),
      contact: m.col('s', 'quote', 'contact'),
      lead: null,
    }),
  },
  {
    kind: 'order',
    entity: 'order',
    requirement: { order: ['orderNumber', 'subject', 'status', 'orderDate', 'totalAmount', 'account', 'contact'] },
    build: (m) => ({
      kind: 'order',
      entity: 'order',
      from: () => `${m.table('order')} s`,
      instant: [dated(m.col('s', 'order', 'orderDate'))],
      title: `concat_ws(' ', ${m.col('s', 'order', 'orderNumber')}, ${m.col('s', 'order', 'subject')})`,
      values: fieldValues(m, 'order', ['status', 'totalAmount']),
      summary: `concat_ws(' · ', ${m.col('s', 'order', 'status')}, ${moneyText(m, 's', 'order', 'totalAmount')})`,
      channel: 'null',
      direction: 'null',
      open: null,
      due: null,
      account: m.col('s', 'order', 'account'),
      contact: m.col('s', 'order', 'contact'),
      lead: null,
    }),
  },
  {
    kind: 'campaignResponse',
    entity: 'campaignMember',
    requirement: {
      campaignMember: ['campaign', 'lead', 'contact', 'status', 'respondedAt', 'response', 'responseGroup'],
      campaign: ['name'],
    },
    build: (m) => ({
      kind: 'campaignResponse',
      entity: 'campaignMember',
      from: () =>
        `${m.table('campaignMember')} s join ${m.table('campaign')} p on p.id = ${m.col('s', 'campaignMember', 'campaign')}`,
      // Only answers are touchpoints: a member who never responded was merely targeted.
      where: `${m.col('s', 'campaignMember', 'respondedAt')} is not null`,
      instant: [column(m.col('s', 'campaignMember', 'respondedAt'))],
      title: `${m.col('p', 'campaign', 'name')}::text`,
      values: fieldValues(m, 'campaignMember', ['status', 'response']),
      summary: `coalesce(${m.col('s', 'campaignMember', 'response')}, ${m.col('s', 'campaignMember', 'responseGroup')}, ${m.col('s', 'campaignMember', 'status')}::text)`,
      channel: 'null',
      direction: 'null',
      open: null,
      due: null,
      account: null,
      contact: m.col('s', 'campaignMember', 'contact'),
      lead: m.col('s', 'campaignMember', 'lead'),
    }),
  },
  {
    kind: 'surveyResponse',
    entity: 'surveyResponse',
    requirement: {
      surveyResponse: ['survey', 'respondedAt', 'totalScore', 'comments', 'account', 'contact'],
      survey: ['name'],
    },
    build: (m) => ({
      kind: 'surveyResponse',
      entity: 'surveyResponse',
      from: () =>
        `${m.table('surveyResponse')} s join ${m.table('survey')} p on p.id = ${m.col('s', 'surveyResponse', 'survey')}`,
      instant: [column(m.col('s', 'surveyResponse', 'respondedAt'))],
      title: `${m.col('p', 'survey', 'name')}::text`,
      values: fieldValues(m, 'surveyResponse', ['totalScore', 'comments']),
      summary: `concat_ws(' · ', ${m.col('s', 'surveyResponse', 'totalScore')}::text, left(${m.col('s', 'surveyResponse', 'comments')}, 200))`,
      channel: 'null',
      direction: 'null',
      open: null,
      due: null,
      account: m.col('s', 'surveyResponse', 'account'),
      contact: m.col('s', 'surveyResponse', 'contact'),
      lead: null,
    }),
  },
];

/** The sources this workspace has, in the order of TIMELINE_KINDS. */
export function timelineSources(m: CrmModel): TimelineSource[] {
  return DEFINITIONS.filter((d) => m.supports(d.requirement)).map((d) => d.build(m));
}

/** The customer records a timeline can be asked for in this workspace: those some source reaches. */
export function timelineSubjects(m: CrmModel): TimelineSubject[] {
  const sources = timelineSources(m);
  return TIMELINE_SUBJECTS.filter((s) => m.entity(s) && sources.some((x) => x[s] !== null));
}
