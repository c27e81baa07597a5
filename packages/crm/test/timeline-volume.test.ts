// The timeline's first page on a customer with a long history (test/busy-account.ts): the right items, in one
// statement, and a plan that reads a page's worth of rows through indexes — no table read whole. How fast
// that is, is measured by the benchmark (`pnpm bench`, tests/bench/timeline.ts), not asserted here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_ACCOUNT_EVENTS, BUSY_ACCOUNT_OPEN_TASKS, type BusyAccount, seedBusyAccount } from './busy-account.ts';
import {
  explain,
  explainAnalyze,
  explainGeneric,
  indexLookups,
  planNodes,
  type Recorded,
  recordingCrm,
  scannedTables,
} from './explain.ts';
import { type Fixture, startFixture } from './fixture.ts';

let fx: Fixture;
let busy: BusyAccount;

beforeAll(async () => {
  fx = await startFixture();
  busy = await seedBusyAccount(fx.engine);
}, 300_000);

afterAll(async () => {
  await fx?.close();
});

describe('timeline volume', () => {
  it(`pages through ${BUSY_ACCOUNT_EVENTS} items on one account, each once, newest first`, async () => {
    const crm = fx.crm();
    const seen = new Set<string>();
    // History newest first, then what is upcoming (the open tasks) soonest first: every item once.
    for (const part of ['history', 'upcoming'] as const) {
      let after: string | null = null;
      let last = part === 'history' ? '9999' : '0000';
      for (;;) {
        const page = await crm.timeline({ entity: 'account', id: busy.account, first: 100, after, part });
        for (const item of page.items) {
          expect(seen.has(item.id)).toBe(false);
          expect(part === 'history' ? item.occurredAt <= last : item.occurredAt >= last).toBe(true);
          seen.add(item.id);
          last = item.occurredAt;
        }
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
    }
    expect(seen.size).toBe(BUSY_ACCOUNT_EVENTS);
  });

  it('serves the first page in one statement that reads the busy tables through indexes', async () => {
    const statements: Recorded[] = [];
    const crm = recordingCrm(fx.engine, statements);
    const all = await fx.crm().timeline({ entity: 'account', id: busy.account, first: 200 });
    const page = await crm.timeline({ entity: 'account', id: busy.account, first: 20 });
    expect(page.items.map((i) => i.id)).toEqual(all.items.slice(0, 20).map((i) => i.id));
    expect(statements).toHaveLength(1);
    const plan = await explain(fx.engine, statements[0]!);
    // Interactions hold another customer's 20,000 newer rows: the page must not read past them.
    expect(scannedTables(plan)).not.toContain('interaction');
    // Every source of the account and of each contact is read through its (link, instant…) index, from the
    // newest row, and stops after a page: no index scan yields more than a page (and its ties) per loop, and
    // none filters rows out (which would mean walking past other customers' or other links' rows). Sequential
    // scans are priced out: a table of 200 quotes PostgreSQL rightly reads whole, which says nothing about
    // whether the indexes fit.
    const indexed = [
      ['interaction', 'account_id, occurred_at'],
      ['interaction', 'contact_id, occurred_at'],
      ['task', 'account_id, completed_at, due_at'],
      ['case', 'account_id, opened_at'],
      ['case', 'contact_id, opened_at'],
      ['case_status_change', 'account_id, changed_at'],
      ['case_status_change', 'contact_id, changed_at'],
      ['opportunity_stage_change', 'account_id, changed_at'],
      ['quote', 'account_id, sent_at, quote_date'],
      ['order', 'account_id, order_date'],
      ['survey_response', 'account_id, responded_at'],
    ];
    const definitions = await fx.engine.db.query<{ name: string; definition: string }>(
      `select indexname as name, indexdef as definition from pg_indexes where schemaname = 'ws_default'`,
    );
    const busyTables = new Set(indexed.map(([table]) => table));
    // The plan for these values, and the generic plan the service runs the statement with (made once per
    // connection, for every customer): both must walk the indexes.
    for (const ran of [
      await explainAnalyze(fx.engine, statements[0]!, true),
      await explainGeneric(fx.engine, statements[0]!, true),
    ]) {
      const used = indexLookups(ran).map((name) => definitions.find((d) => d.name === name)?.definition ?? name);
      for (const [table, columns] of indexed) {
        expect(used).toContainEqual(
          expect.stringMatching(new RegExp(`ON ws_default\\."?${table}"? USING btree \\(${columns}\\)`)),
        );
      }
      for (const node of planNodes(ran).filter((n) => busyTables.has(n['Relation Name'] ?? ''))) {
        expect(node['Node Type'], JSON.stringify(node)).toMatch(/^Index (Only )?Scan$/);
        expect(node['Actual Rows'] as number).toBeLessThanOrEqual(21 + 1);
        // One exception, bounded by the customer's open work rather than its history: the history's branches of
        // undone tasks walk (account, completedAt, dueAt) past the open ones, which belong to the upcoming part.
        const skipped = node['Relation Name'] === 'task' ? BUSY_ACCOUNT_OPEN_TASKS : 0;
        expect(node['Rows Removed by Filter'] ?? 0).toBeLessThanOrEqual(skipped);
      }
    }
  });
});
