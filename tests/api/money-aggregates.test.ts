// Money is never added across currencies (there are no exchange rates): aggregates of a currency field
// answer per currency, rollups over one aggregate the field's own currency, and a rollup that could only
// mix currencies is refused when it is defined.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
let accountId: string;

const labels = (en: string, zh: string) => ({ en, 'zh-CN': zh });

beforeAll(async () => {
  h = await startHarness();
  await h.ok(`mutation($d: JSON!) { createEntity(definition: $d) { applied } }`, {
    d: {
      name: 'deal',
      labels: labels('Deal', '交易'),
      titleField: 'title',
      fields: [
        { name: 'title', type: 'text', labels: labels('Title', '标题'), required: true },
        { name: 'value', type: 'currency', labels: labels('Value', '金额'), currencyCode: 'CNY' },
        { name: 'fee', type: 'currency', labels: labels('Fee', '费用') },
        {
          name: 'kind',
          type: 'select',
          labels: labels('Kind', '类型'),
          options: [
            { value: 'new', labels: labels('New', '新') },
            { value: 'renewal', labels: labels('Renewal', '续约') },
          ],
        },
        {
          name: 'account',
          type: 'relation',
          labels: labels('Account', '客户'),
          relation: { target: 'account', kind: 'manyToOne', inverse: 'deals' },
        },
      ],
    },
  });
  const { createAccount } = await h.ok<{ createAccount: { id: string } }>(
    `mutation { createAccount(input: { name: "Money Co" }) { id } }`,
  );
  accountId = createAccount.id;
  await h.ok(`mutation($inputs: [DealInput!]!) { createDeals(inputs: $inputs) { id } }`, {
    inputs: [
      { title: 'D1', kind: 'new', value: { amount: '100.00', currency: 'CNY' }, accountId },
      { title: 'D2', kind: 'new', value: { amount: '50.00', currency: 'USD' }, accountId },
      { title: 'D3', kind: 'renewal', value: { amount: '20.50', currency: 'CNY' }, accountId },
      { title: 'D4', kind: 'renewal', value: null, accountId },
    ],
  });
});

afterAll(async () => {
  await h?.close();
});

describe('sums and averages over a currency field added CNY and USD together (issue 9)', () => {
  it('aggregates a currency field per currency: sum, avg, min, max and how many', async () => {
    const { dealsAggregate } = await h.ok<{ dealsAggregate: Record<string, unknown>[] }>(
      `{ dealsAggregate { count sum { value { currency amount count } } avg { value { currency amount } } min { value { currency amount } } max { value { currency amount } } } }`,
    );
    expect(dealsAggregate).toEqual([
      {
        count: 4,
        sum: {
          value: [
            { currency: 'CNY', amount: '120.50', count: 2 },
            { currency: 'USD', amount: '50.00', count: 1 },
          ],
        },
        avg: {
          value: [
            { currency: 'CNY', amount: '60.25' },
            { currency: 'USD', amount: '50' },
          ],
        },
        min: {
          value: [
            { currency: 'CNY', amount: '20.50' },
            { currency: 'USD', amount: '50.00' },
          ],
        },
        max: {
          value: [
            { currency: 'CNY', amount: '100.00' },
            { currency: 'USD', amount: '50.00' },
          ],
        },
      },
    ]);
  });

  it('per group too, with an empty list where a group has no amount', async () => {
    const { dealsAggregate } = await h.ok<{ dealsAggregate: Record<string, unknown>[] }>(
      `{ dealsAggregate(groupBy: [kind]) { key { kind } count sum { value { currency amount count } } } }`,
    );
    expect(dealsAggregate).toEqual([
      {
        key: { kind: 'new' },
        count: 2,
        sum: {
          value: [
            { currency: 'CNY', amount: '100.00', count: 1 },
            { currency: 'USD', amount: '50.00', count: 1 },
          ],
        },
      },
      { key: { kind: 'renewal' }, count: 2, sum: { value: [{ currency: 'CNY', amount: '20.50', count: 1 }] } },
    ]);
    const none = await h.ok<{ dealsAggregate: { sum: { value: unknown[] } }[] }>(
      `{ dealsAggregate(filter: { title: { eq: "nobody" } }) { sum { value { currency amount } } } }`,
    );
    expect(none.dealsAggregate).toEqual([{ sum: { value: [] } }]);
  });
});

describe('rollups over a currency field added CNY and USD together (issue 9)', () => {
  it("sums only the amounts in the field's currency", async () => {
    await h.ok(`mutation($f: JSON!) { addField(entity: "account", field: $f) { applied } }`, {
      f: {
        name: 'dealValue',
        type: 'rollup',
        labels: labels('Deal value (CNY)', '交易金额（人民币）'),
        rollup: { relation: 'deals', fn: 'sum', field: 'value' },
      },
    });
    const { account } = await h.ok<{ account: { dealValue: string } }>(
      `query($id: ID!) { account(id: $id) { dealValue } }`,
      { id: accountId },
    );
    expect(Number(account.dealValue)).toBe(120.5);
  });

  it('refuses a sum over a currency field without a currencyCode, naming the field and why', async () => {
    const refused = await h.gql(`mutation($f: JSON!) { addField(entity: "account", field: $f) { applied } }`, {
      f: {
        name: 'feeTotal',
        type: 'rollup',
        labels: labels('Fees', '费用合计'),
        rollup: { relation: 'deals', fn: 'sum', field: 'fee' },
      },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const issue = refused.errors?.[0]?.extensions?.issues?.[0];
    expect(issue?.path).toMatch(/rollup\.field$/);
    expect(issue?.message).toMatch(/currencyCode/);
    const { entity } = await h.ok<{ entity: { fields: { name: string }[] } }>(
      `{ entity(name: "account") { fields { name } } }`,
    );
    expect(entity.fields.map((f) => f.name)).not.toContain('feeTotal');
  });
});
