// One request may read at most MAX_REQUEST_READ_CHARS (64 MB of values) from the database. The API's shape
// limits (aliases, cost, page sizes) all held for 20 aliases of accounts(first: 500) with 39 KB descriptions,
// which answered 372 MB in 35 s and left the server 1.1 GB larger (tests/bench/robustness.ts).
import { MAX_REQUEST_READ_CHARS } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
const DESCRIPTION = 'd'.repeat(39_000);
/** Pages of 500 accounts of 39 KB: ~19.5 MB each, so four of them pass the budget. */
const PAGE = 'accounts(first: 500) { nodes { id description } }';

beforeAll(async () => {
  h = await startHarness();
  const created = await h.gql(`mutation($a: [AccountInput!]!) { createAccounts(inputs: $a) { id } }`, {
    a: Array.from({ length: 500 }, (_, i) => ({ name: `Long ${i}`, description: DESCRIPTION })),
  });
  expect(created.errors).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('the read budget of one request', () => {
  it('one page of 500 long descriptions (~19.5 MB) is answered', async () => {
    const page = await h.ok<{ accounts: { nodes: { description: string }[] } }>(`{ ${PAGE} }`);
    expect(page.accounts.nodes).toHaveLength(500);
    expect(page.accounts.nodes.every((n) => n.description === DESCRIPTION)).toBe(true);
  }, 60_000);

  it('20 aliases of that page, within the cost limit, are refused once the request has read 64 MB', async () => {
    expect(MAX_REQUEST_READ_CHARS).toBe(64 * 1024 * 1024);
    const query = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: ${PAGE}`).join(' ')} }`;
    const answer = await h.gql(query);
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'requestReadChars', value: MAX_REQUEST_READ_CHARS },
    });
    expect(answer.errors?.[0]?.message).toContain('read more than 64 MB from the database');
    // What was answered stays under the budget (plus the JSON around it): the rest was never sent.
    expect(JSON.stringify(answer).length).toBeLessThan(MAX_REQUEST_READ_CHARS * 1.5);
    // The next request has a budget of its own.
    await expect(h.ok(`{ accounts(first: 1) { totalCount } }`)).resolves.toMatchObject({
      accounts: { totalCount: 500 },
    });
  }, 120_000);
});
