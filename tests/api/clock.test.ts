// The whole system at awkward moments: Touchpoint's engine runs on a clock started at each instant below, the
// demo data is seeded as of that instant (its anchor is the engine's clock), and what users saw go wrong must
// hold whatever the time of day or date: a call logged now is the first item of its customer's history, above
// open tasks due later that day (issue 9: it was first on 0 of 15 demo accounts at 15:00 UTC), history never
// shows what lies ahead, and relative date filters count from the same present.
import { seedDemoData } from '@touchpoint/cli';
import { clockStartingAt } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

const INSTANTS = [
  '2026-12-03T15:00:00Z', // when the browser test failed: open tasks due later the same day
  '2027-12-31T23:59:00Z', // a minute before a new day, month and year (UTC); early morning in Beijing
  '2028-02-29T00:01:00Z', // a minute into a leap day
];
const ACCOUNTS = 15;
const HOUR = 3_600_000;

interface Item {
  id: string;
  kind: string;
  occurredAt: string;
  overdue: boolean;
}
const TIMELINE = `query ($id: ID!, $part: CrmTimelinePart, $first: Int) {
  timeline(entity: account, id: $id, part: $part, first: $first) { nodes { id kind occurredAt overdue } }
}`;

describe.each(INSTANTS)('at %s', (instant) => {
  let h: Harness;
  const now = () => h.engine.clock.now();

  beforeAll(async () => {
    h = await startHarness({ clock: clockStartingAt(instant) });
    await seedDemoData(h.engine, { workspace: 'default', size: 'S', seed: 42 });
  }, 300_000);

  afterAll(async () => {
    await h?.close();
  });

  it(`puts a call logged now first in the history of ${ACCOUNTS} accounts with open tasks due later`, async () => {
    const later = await h.ok<{ tasks: { nodes: { accountId: string | null }[] } }>(
      `query ($after: DateTime!) {
        tasks(filter: { dueAt: { gt: $after }, completedAt: { isNull: true }, accountId: { isNull: false } }, first: 500) {
          nodes { accountId }
        }
      }`,
      { after: now().toISOString() },
    );
    const accounts = [...new Set(later.tasks.nodes.map((t) => t.accountId!))].slice(0, ACCOUNTS);
    expect(accounts).toHaveLength(ACCOUNTS);
    let first = 0;
    for (const account of accounts) {
      const logged = await h.ok<{ createInteraction: { id: string } }>(
        `mutation ($input: InteractionInput!) { createInteraction(input: $input) { id } }`,
        {
          input: { subject: 'Called just now', channel: 'phone', occurredAt: now().toISOString(), accountId: account },
        },
      );
      const history = await h.ok<{ timeline: { nodes: Item[] } }>(TIMELINE, { id: account, first: 3 });
      if (history.timeline.nodes[0]?.id === logged.createInteraction.id) first++;
      const upcoming = await h.ok<{ timeline: { nodes: Item[] } }>(TIMELINE, { id: account, part: 'upcoming' });
      expect(upcoming.timeline.nodes.some((i) => i.kind === 'task')).toBe(true);
      expect(upcoming.timeline.nodes.map((i) => i.id)).not.toContain(logged.createInteraction.id);
    }
    expect(first).toBe(ACCOUNTS);
  });

  it('keeps what lies ahead out of the history, and the upcoming part in order from the most overdue', async () => {
    const busy = await h.ok<{ accounts: { nodes: { id: string }[] } }>(`{ accounts(first: 40) { nodes { id } } }`);
    for (const { id } of busy.accounts.nodes) {
      const at = now().toISOString();
      const history = await h.ok<{ timeline: { nodes: Item[] } }>(TIMELINE, { id, first: 50 });
      const times = history.timeline.nodes.map((i) => i.occurredAt);
      expect(times.every((t) => t <= at)).toBe(true);
      expect([...times].sort().reverse()).toEqual(times);
      const upcoming = await h.ok<{ timeline: { nodes: Item[] } }>(TIMELINE, { id, part: 'upcoming', first: 50 });
      const soon = upcoming.timeline.nodes;
      expect([...soon.map((i) => i.occurredAt)].sort()).toEqual(soon.map((i) => i.occurredAt));
      // What is not after the present is there only as open work, and then it is overdue (or undated).
      for (const item of soon.filter((i) => i.occurredAt <= at && i.kind !== 'task')) expect(item).toBeUndefined();
    }
  });

  it('counts relative dates from the same present', async () => {
    const at = now().getTime();
    const make = async (ms: number) =>
      (
        await h.ok<{ createInteraction: { id: string } }>(
          `mutation ($input: InteractionInput!) { createInteraction(input: $input) { id } }`,
          { input: { subject: 'Relative', channel: 'email', occurredAt: new Date(ms).toISOString() } },
        )
      ).createInteraction.id;
    const hourAgo = await make(at - HOUR);
    const dayAndHourAgo = await make(at - 25 * HOUR);
    const inAnHour = await make(at + HOUR);
    const ids = async (filter: string) =>
      (
        await h.ok<{ interactions: { nodes: { id: string }[] } }>(
          `{ interactions(filter: { subject: { eq: "Relative" }, occurredAt: ${filter} }) { nodes { id } } }`,
        )
      ).interactions.nodes.map((n) => n.id);
    expect(await ids('{ inLast: { amount: 1, unit: day } }')).toEqual([hourAgo]);
    expect(await ids('{ inNext: { amount: 1, unit: day } }')).toEqual([inAnHour]);
    expect((await ids('{ inLast: { amount: 2, unit: day } }')).sort()).toEqual([hourAgo, dayAndHourAgo].sort());
  });
});
