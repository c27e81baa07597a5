// A customer with a long history, written through the record service: 10,000 timeline items of every kind on
// one account and its five contacts, and 20,000 newer interactions of another account (the hard case for the
// contacts' branch, which must not walk the instant index past them). Used by test/timeline-volume.test.ts
// and by the timeline benchmark (tests/bench/timeline.ts).
import { type Engine, MAX_BATCH } from '@touchpoint/engine';

export const BUSY_ACCOUNT_EVENTS = 10_000;

export interface BusyAccount {
  account: string;
  other: string;
  contacts: string[];
  /** Timeline items of `account` (its own and its contacts'). */
  events: number;
}

const money = (amount: number) => ({ amount: String(amount), currency: 'CNY' });
/** Of its 1,000 tasks, one in ten is still open. */
export const BUSY_ACCOUNT_OPEN_TASKS = 100;
const at = (i: number) => new Date(Date.UTC(2023, 0, 1) + i * 7_919_000).toISOString();

export async function seedBusyAccount(engine: Engine, workspace = 'default'): Promise<BusyAccount> {
  // It writes its cases' and deals' past status and stage changes itself.
  const records = engine.records({ workspace, actor: 'seed', ownHistory: true });
  const create = async (entity: string, values: Record<string, unknown>) => (await records.create(entity, values)).id;
  const createMany = async (entity: string, values: Record<string, unknown>[]) => {
    const ids: string[] = [];
    for (let i = 0; i < values.length; i += MAX_BATCH) {
      ids.push(...(await records.createMany(entity, values.slice(i, i + MAX_BATCH))).map((r) => r.id));
    }
    return ids;
  };
  const list = <T>(length: number, item: (i: number) => T) => Array.from({ length }, (_, i) => item(i));

  const account = await create('account', { name: 'Busy customer' });
  const other = await create('account', { name: 'Other customer' });
  const contacts = await createMany(
    'contact',
    list(5, (i) => ({ firstName: `C${i}`, lastName: 'Busy', account })),
  );
  const pipeline = await create('pipeline', { name: 'P', type: 'expansion' });
  const opportunities = await createMany(
    'opportunity',
    list(10, (i) => ({ name: `Deal ${i}`, pipeline, account })),
  );
  const cases = await createMany(
    'case',
    list(500, (i) => ({ subject: `Case ${i}`, openedAt: at(i * 13), account, contact: contacts[i % 5] })),
  );
  const campaign = await create('campaign', { name: 'K', type: 'email' });
  const survey = await create('survey', { name: 'S' });
  const channel = (i: number) => (i % 3 === 0 ? 'phone' : 'email');
  await createMany(
    'interaction',
    list(6_000, (i) => ({
      subject: `Touch ${i}`,
      channel: channel(i),
      occurredAt: at(i),
      account,
      contact: contacts[i % 5],
    })),
  );
  await createMany(
    'interaction',
    list(20_000, (i) => ({ subject: `Other ${i}`, channel: 'phone', occurredAt: at(i), account: other })),
  );
  await createMany(
    'task',
    // Nine in ten done, as on a real customer; the open ones are upcoming, the rest history.
    list(1_000, (i) =>
      i % 10 === 0
        ? { subject: `Task ${i}`, dueAt: at(i * 6), account }
        : { subject: `Task ${i}`, dueAt: at(i * 6), completedAt: at(i * 6), status: 'completed', account },
    ),
  );
  await createMany(
    'caseStatusChange',
    // Written as the demo seed writes history: with the case's account and contact.
    list(1_500, (i) => ({
      case: cases[i % 500],
      account,
      contact: contacts[i % 5],
      toStatus: 'inProgress',
      changedAt: at(i * 4),
    })),
  );
  await createMany(
    'opportunityStageChange',
    list(300, (i) => ({ opportunity: opportunities[i % 10], account, toStage: 'proposal', changedAt: at(i * 20) })),
  );
  await createMany(
    'quote',
    list(200, (i) => ({ name: `Q${i}`, sentAt: at(i * 30), account })),
  );
  await createMany(
    'order',
    list(300, (i) => ({ account, orderDate: at(i * 20).slice(0, 10), totalAmount: money(100) })),
  );
  await createMany(
    'campaignMember',
    list(5, (i) => ({ campaign, contact: contacts[i], respondedAt: at(i * 1000) })),
  );
  await createMany(
    'surveyResponse',
    list(195, (i) => ({ survey, account, respondedAt: at(i * 32) })),
  );
  await engine.db.query('analyze');
  // 6,000 interactions, 1,000 tasks, 500 cases, 1,500 status and 300 stage changes, 200 quotes, 300 orders,
  // 5 campaign responses, 195 survey responses.
  return { account, other, contacts, events: BUSY_ACCOUNT_EVENTS };
}
