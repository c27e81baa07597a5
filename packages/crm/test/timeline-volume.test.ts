// The timeline's first page on a customer with a long history (test/busy-account.ts): the right items, in one
// statement, and a plan that reads a page's worth of rows through indexes — no table read whole. How fast
// that is, is measured by the benchmark (`pnpm bench`, tests/bench/timeline.ts), not asserted here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_ACCOUNT_EVENTS, type BusyAccount, seedBusyAccount } from './busy-account.ts';
import { explain, indexLookups, type Recorded, recordingCrm, scannedTables } from './explain.ts';
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
    let after: string | null = null;
    let last = '9999';
    for (;;) {
      const page = await crm.timeline({ entity: 'account', id: busy.account, first: 100, after });
      for (const item of page.items) {
        expect(seen.has(item.id)).toBe(false);
        expect(item.occurredAt <= last).toBe(true);
        seen.add(item.id);
        last = item.occurredAt;
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
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
    // Status changes are read per case of the customer, through their (case, changedAt) index.
    const [byCase] = await fx.engine.db.query<{ name: string }>(
      `select indexname as name from pg_indexes where schemaname = 'ws_default' and tablename = 'case_status_change'
       and starts_with(indexname, 'ix_case_status_change_case_changedat_')`,
    );
    expect(indexLookups(plan)).toContain(byCase?.name);
  });
});
