// Sorting by fields whose stored value is not their order: a select sorts in the order of its options, a
// multi-select by its first value in option order (then by how many it has), a many-to-one relation by
// the related record's title. Paging with cursors over such an order meets every record once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;

const labels = (en: string, zh: string) => ({ en, 'zh-CN': zh });
const option = (value: string, en: string, zh: string) => ({ value, labels: labels(en, zh) });

beforeAll(async () => {
  h = await startHarness();
  await h.ok(`mutation($d: JSON!) { createEntity(definition: $d) { applied } }`, {
    d: {
      name: 'ticket',
      labels: labels('Ticket', '工单'),
      titleField: 'title',
      fields: [
        { name: 'title', type: 'text', labels: labels('Title', '标题'), required: true },
        {
          name: 'priority',
          type: 'select',
          labels: labels('Priority', '优先级'),
          // Declared low → high; stored values sort alphabetically as high, low, mid.
          options: [option('low', 'Low', '低'), option('mid', 'Medium', '中'), option('high', 'High', '高')],
        },
        {
          name: 'labels',
          type: 'multiSelect',
          labels: labels('Labels', '标签'),
          options: [
            option('urgent', 'Urgent', '紧急'),
            option('billing', 'Billing', '账单'),
            option('api', 'API', '接口'),
          ],
        },
        {
          name: 'account',
          type: 'relation',
          labels: labels('Account', '客户'),
          relation: { target: 'account', kind: 'manyToOne', inverse: 'tickets' },
        },
      ],
    },
  });
  const accounts = await h.ok<{ createAccounts: { id: string; name: string }[] }>(
    `mutation { createAccounts(inputs: [{ name: "Cobalt" }, { name: "Acme" }, { name: "Beryl" }]) { id name } }`,
  );
  const id = (name: string) => accounts.createAccounts.find((a) => a.name === name)!.id;
  await h.ok(`mutation($inputs: [TicketInput!]!) { createTickets(inputs: $inputs) { id } }`, {
    inputs: [
      { title: 'T1', priority: 'high', labels: ['api'], accountId: id('Acme') },
      { title: 'T2', priority: 'low', labels: ['billing', 'api'], accountId: id('Cobalt') },
      { title: 'T3', priority: 'mid', labels: ['urgent'], accountId: id('Beryl') },
      { title: 'T4', priority: null, labels: [], accountId: null },
      { title: 'T5', priority: 'low', labels: ['api', 'urgent'], accountId: id('Acme') },
      { title: 'T6', priority: 'high', labels: ['billing'], accountId: id('Beryl') },
    ],
  });
});

afterAll(async () => {
  await h?.close();
});

type Page = { tickets: { nodes: { title: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };

/** Every title in the order, read two at a time with cursors. */
async function titles(orderBy: { field: string; direction: string }[]): Promise<string[]> {
  const all: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 10; i++) {
    const page: Page = await h.ok<Page>(
      `query($o: [TicketOrderBy!], $after: String) { tickets(orderBy: $o, first: 2, after: $after) { nodes { title } pageInfo { hasNextPage endCursor } } }`,
      { o: orderBy, after },
    );
    all.push(...page.tickets.nodes.map((n) => n.title));
    if (!page.tickets.pageInfo.hasNextPage) return all;
    after = page.tickets.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

// Ties are broken by id; the tests compare what the order decides.
const byGroup = (list: string[], groups: string[][]) => {
  const out: string[][] = [];
  let i = 0;
  for (const group of groups) {
    out.push(list.slice(i, i + group.length).sort());
    i += group.length;
  }
  return out;
};

describe('select fields sorted by stored value (high, low, mid) instead of the options order (issue 9)', () => {
  it('sorts a select in the order of its options, both ways, empty values last ascending', async () => {
    const asc = [['T2', 'T5'], ['T3'], ['T1', 'T6'], ['T4']];
    expect(byGroup(await titles([{ field: 'priority', direction: 'asc' }]), asc)).toEqual(asc);
    const desc = [['T4'], ['T1', 'T6'], ['T3'], ['T2', 'T5']];
    expect(byGroup(await titles([{ field: 'priority', direction: 'desc' }]), desc)).toEqual(desc);
  });

  it('combines with other keys', async () => {
    expect(
      await titles([
        { field: 'priority', direction: 'asc' },
        { field: 'title', direction: 'desc' },
      ]),
    ).toEqual(['T5', 'T2', 'T3', 'T6', 'T1', 'T4']);
  });
});

describe('multi-select fields offered no sort (issue 9)', () => {
  it('sorts by the first value in option order, then by how many values, empty last', async () => {
    // urgent < billing < api: T3 [urgent], T5 [api, urgent] → urgent first with 2 values; T6 [billing],
    // T2 [billing, api]; T1 [api]; T4 none.
    expect(await titles([{ field: 'labels', direction: 'asc' }])).toEqual(['T3', 'T5', 'T6', 'T2', 'T1', 'T4']);
    expect(await titles([{ field: 'labels', direction: 'desc' }])).toEqual(['T4', 'T1', 'T2', 'T6', 'T5', 'T3']);
  });
});

describe('relation fields offered no sort (issue 9)', () => {
  it("sorts a many-to-one relation by the related record's title", async () => {
    const asc = [['T1', 'T5'], ['T3', 'T6'], ['T2'], ['T4']];
    expect(byGroup(await titles([{ field: 'account', direction: 'asc' }]), asc)).toEqual(asc);
  });

  it('sorts the same in a nested list and in an answer of nodes only', async () => {
    const nested = await h.ok<{ accounts: { nodes: { tickets: { title: string }[] }[] } }>(
      `{ accounts(filter: { name: { eq: "Acme" } }) { nodes { tickets(orderBy: [{ field: priority, direction: desc }]) { title } } } }`,
    );
    expect(nested.accounts.nodes[0]?.tickets.map((t) => t.title)).toEqual(['T1', 'T5']);
    const plain = await h.ok<{ tickets: { nodes: { title: string }[] } }>(
      `{ tickets(orderBy: [{ field: labels, direction: asc }]) { nodes { title } } }`,
    );
    expect(plain.tickets.nodes.map((n) => n.title)).toEqual(['T3', 'T5', 'T6', 'T2', 'T1', 'T4']);
  });

  it('offers these fields in the orderBy enum, and refuses others naming what is allowed', async () => {
    const type = await h.ok<{ __type: { enumValues: { name: string }[] } }>(
      `{ __type(name: "TicketSortField") { enumValues { name } } }`,
    );
    expect(type.__type.enumValues.map((v) => v.name)).toEqual(
      expect.arrayContaining(['priority', 'labels', 'account']),
    );
    const wrong = await h.gql(`{ tickets(orderBy: [{ field: tickets }]) { nodes { id } } }`);
    expect(wrong.errors?.[0]?.message).toContain('TicketSortField');
  });
});
