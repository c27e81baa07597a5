// Every field type through the API: stored, read back, filtered with its own operators.
import { clockStartingAt } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
const labels = (en: string) => ({ en, 'zh-CN': en });
const f = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  labels: labels(name),
  ...extra,
});
const opts = (...values: string[]) => values.map((value) => ({ value, labels: labels(value), color: '#336699' }));

beforeAll(async () => {
  // "today" and "the last 30 days" count from noon UTC of a fixed day, whenever the test runs.
  h = await startHarness({
    clock: clockStartingAt('2026-06-17T12:00:00Z'),
    coreEntities: [
      {
        name: 'tag',
        labels: labels('Tag'),
        titleField: 'label',
        fields: [f('label', 'text', { required: true })] as never,
      },
      {
        name: 'item',
        labels: labels('Item'),
        titleField: 'title',
        fields: [
          f('title', 'text', { required: true }),
          f('body', 'longText'),
          f('email', 'email'),
          f('phone', 'phone'),
          f('site', 'url'),
          f('qty', 'integer'),
          f('price', 'decimal', { scale: 2 }),
          f('share', 'percent', { scale: 1 }),
          f('amount', 'currency', { currencyCode: 'CNY' }),
          f('active', 'boolean'),
          f('due', 'date'),
          f('seenAt', 'datetime'),
          f('level', 'select', { options: opts('low', 'high') }),
          f('channels', 'multiSelect', { options: opts('phone', 'email', 'visit') }),
          f('tags', 'relation', { relation: { target: 'tag', kind: 'manyToMany', inverse: 'items' } }),
          f('extra', 'json'),
          f('code', 'autonumber', { autonumber: { prefix: 'IT-', digits: 4 } }),
          f('total', 'formula', { formula: { expression: 'qty * price', resultType: 'number' } }),
        ] as never,
      },
    ],
  });
});

afterAll(async () => {
  await h?.close();
});

describe('field types', () => {
  it('stores and returns every type, and filters each with its operators', async () => {
    const { a, b } = await h.ok<{ a: { id: string }; b: { id: string } }>(
      `mutation { a: createTag(input: { label: "vip" }) { id } b: createTag(input: { label: "cn" }) { id } }`,
    );
    const today = h.engine.clock.now().toISOString().slice(0, 10);
    const { createItem } = await h.ok<{ createItem: Record<string, unknown> }>(
      `mutation($tags: [ID!], $due: Date, $seen: DateTime) { createItem(input: {
        title: "Lathe", body: "long text", email: "buyer@example.com", phone: "+86 135-6411-7256", site: "https://example.com",
        qty: 3, price: "19.99", share: "12.5", amount: { amount: "1000.5", currency: "USD" }, active: true, due: $due,
        seenAt: $seen, level: high, channels: [phone, visit], tagIds: $tags, extra: { note: ["a", 1] } }) {
        title body email phone site qty price share amount { amount currency } active due seenAt level channels
        tags(orderBy: [{ field: label }]) { label } extra code total } }`,
      { tags: [a.id, b.id], due: today, seen: '2026-11-01T08:30:00Z' },
    );
    expect(createItem).toMatchObject({
      title: 'Lathe',
      qty: 3,
      price: '19.99',
      share: '12.5',
      amount: { amount: '1000.50', currency: 'USD' },
      active: true,
      due: today,
      seenAt: '2026-11-01T08:30:00.000Z',
      level: 'high',
      channels: ['phone', 'visit'],
      tags: [{ label: 'cn' }, { label: 'vip' }],
      extra: { note: ['a', 1] },
      code: 'IT-0001',
    });
    expect(Number(createItem.total)).toBeCloseTo(59.97);
    await h.ok(
      `mutation { createItem(input: { title: "Drill", qty: 1, level: low, channels: [email], due: "2020-01-01" }) { id } }`,
    );

    const count = async (filter: string) =>
      (await h.ok<{ items: { totalCount: number } }>(`{ items(filter: ${filter}) { totalCount } }`)).items.totalCount;
    expect(await count(`{ email: { endsWith: "@EXAMPLE.com" } }`)).toBe(1);
    expect(await count(`{ qty: { between: [2, 5] } }`)).toBe(1);
    expect(await count(`{ price: { gt: "10" } }`)).toBe(1);
    expect(await count(`{ amount: { gte: "1000", currency: "USD" } }`)).toBe(1);
    expect(await count(`{ active: { eq: true } }`)).toBe(1);
    expect(await count(`{ due: { relative: today } }`)).toBe(1);
    expect(await count(`{ due: { inLast: { amount: 30, unit: day } } }`)).toBe(1);
    expect(await count(`{ seenAt: { isNull: true } }`)).toBe(1);
    expect(await count(`{ level: { in: [high] } }`)).toBe(1);
    expect(await count(`{ channels: { containsAny: [email, visit] } }`)).toBe(2);
    expect(await count(`{ channels: { containsAll: [phone, visit] } }`)).toBe(1);
    expect(await count(`{ tags: { some: { label: { eq: "vip" } } } }`)).toBe(1);
    expect(await count(`{ tags: { none: {} } }`)).toBe(1);
    expect(await count(`{ total: { gt: "50" } }`)).toBe(1);
    expect(await count(`{ code: { eq: "IT-0002" } }`)).toBe(1);
    const { tags } = await h.ok<{ tags: { nodes: { label: string; items: { title: string }[] }[] } }>(
      `{ tags(filter: { label: { eq: "vip" } }) { nodes { label items { title } } } }`,
    );
    expect(tags.nodes[0]?.items).toEqual([{ title: 'Lathe' }]);
    const search = await h.ok<{ items: { nodes: { title: string }[] } }>(
      `{ items(search: "lath") { nodes { title } } }`,
    );
    expect(search.items.nodes.map((n) => n.title)).toEqual(['Lathe']);
  });

  it('refuses values of the wrong shape for each type with a message per field', async () => {
    const result = await h.gql(
      `mutation { createItem(input: { title: "Bad", email: "not-mail", phone: "call me", site: "ftp://x", price: "1.234",
        amount: { amount: "5", currency: "RMB" }, due: "2026-13-01", tagIds: ["6f1d0c2e-0000-4000-8000-000000000000"] }) { id } }`,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(result.errors?.[0]?.extensions?.issues?.map((i) => i.path).sort()).toEqual(
      ['input.amount', 'input.due', 'input.email', 'input.phone', 'input.price', 'input.site'].sort(),
    );
    const dates = await h.gql(`mutation { createItem(input: { title: "Bad", due: "1 March" }) { id } }`);
    expect(dates.errors?.[0]?.message).toMatch(/Date must be YYYY-MM-DD/);
    const missing = await h.gql(
      `mutation { createItem(input: { title: "Bad", tagIds: ["6f1d0c2e-0000-4000-8000-000000000000"] }) { id } }`,
    );
    expect(missing.errors?.[0]?.extensions?.issues?.[0]).toMatchObject({
      path: 'input.tags',
      message: expect.stringMatching(/no tag/),
    });
  });
});
