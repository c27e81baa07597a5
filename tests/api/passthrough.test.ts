// Lists PostgreSQL answers by itself (nodes only, exact field types) must answer exactly what the normal
// execution answers: the same values, the same keys in the same order, the same errors. Each case is asked
// as is (twice: through graphql-yoga, then through the server's short lane) and with `totalCount` added,
// which always runs the normal way, and the nodes compared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
const STRANGE = 'quote " backslash \\ newline \n tab \t bell \u0007 $& $1 汉字 😀 \u2028 </script>';

beforeAll(async () => {
  h = await startHarness();
  const names = ['Acme', STRANGE, 'Zeta'];
  for (const [i, name] of names.entries()) {
    const { createAccount } = await h.ok<{ createAccount: { id: string } }>(
      'mutation($input: AccountInput!) { createAccount(input: $input) { id } }',
      { input: { name, website: i === 0 ? null : `https://example.com/${i}` } },
    );
    for (let c = 0; c < 3; c++) {
      await h.ok('mutation($input: ContactInput!) { createContact(input: $input) { id } }', {
        input: {
          firstName: `F${c}`,
          lastName: c === 1 ? STRANGE : `L${c}`,
          email: c === 2 ? null : `p${i}.${c}@example.com`,
          doNotCall: c === 0,
          accountId: createAccount.id,
        },
      });
    }
  }
  // A contact without an account: its many-to-one is null.
  await h.ok('mutation { createContact(input: { firstName: "Solo", lastName: "Person" }) { id } }');
});
afterAll(async () => {
  await h?.close();
});

/** The raw answer text, and the answer of the same query with totalCount added (the normal execution). */
async function both(query: string, variables: Record<string, unknown> = {}) {
  const post = async (q: string) => {
    const response = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-touchpoint-debug': 'statements', ...h.credentials },
      body: JSON.stringify({ query: q, variables }),
    });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  const fast = await post(query);
  // The same text again takes the server's short lane (the document is known by then): byte for byte the
  // same answer, without graphql-yoga.
  const again = await post(query);
  expect(again).toEqual(fast);
  const normal = await post(query.replace(/(\w+:\s*)?nodes\s*\{/, 'totalCount $&'));
  return { fast, normal, fastJson: JSON.parse(fast.text), normalJson: JSON.parse(normal.text) };
}

describe('lists PostgreSQL answers by itself', () => {
  it('answers the same nodes, keys in the order asked, as the normal execution', async () => {
    const cases: [string, Record<string, unknown>][] = [
      [
        '{ accounts(first: 10) { nodes { id name website contacts(first: 5) { id firstName lastName email doNotCall } } } }',
        {},
      ],
      [
        '{ accounts { nodes { name id contacts(orderBy: [{ field: firstName, direction: desc }]) { email id } } } }',
        {},
      ],
      [
        'query($n: Int, $f: ContactFilter) { contacts(first: $n, filter: $f) { nodes { lastName account { name id } } } }',
        { n: 20, f: { firstName: { in: ['F1', 'Solo'] } } },
      ],
      ['{ list: accounts(last: 2) { items: nodes { id people: contacts(first: 1) { id } } } }', {}],
    ];
    for (const [query, variables] of cases) {
      const { fast, fastJson, normalJson } = await both(query, variables);
      expect(fast.status).toBe(200);
      // PostgreSQL's json_build_object writes `"key" : value`: the nodes came from it, not re-serialised.
      expect(fast.text).toContain('" : ');
      const root = Object.keys(normalJson.data)[0]!;
      const nodesKey = Object.keys(fastJson.data[root])[0]!;
      // Same values and the same key order at every level.
      expect(JSON.stringify(fastJson.data[root][nodesKey])).toBe(JSON.stringify(normalJson.data[root][nodesKey]));
      expect(fastJson.data[root][nodesKey].length).toBeGreaterThan(0);
      expect(fastJson.extensions).toEqual({ sqlStatements: 1 });
      expect(fastJson.errors).toBeUndefined();
    }
  });

  it('keeps the strange text intact', async () => {
    const { fastJson } = await both('{ accounts(filter: { name: { startsWith: "quote" } }) { nodes { name } } }');
    expect(fastJson.data.accounts.nodes).toEqual([{ name: STRANGE }]);
  });

  it('answers invalid arguments and variables with the normal errors', async () => {
    for (const [query, variables] of [
      ['{ accounts(first: 100000) { nodes { id } } }', {}],
      ['query($n: Int) { accounts(first: $n) { nodes { id } } }', { n: 'many' }],
      ['{ accounts(after: "not-a-cursor") { nodes { id } } }', {}],
      ['{ accounts(filter: { name: { eq: 1 } }) { nodes { id } } }', {}],
    ] as const) {
      const { fast, normal, fastJson, normalJson } = await both(query, variables);
      expect(fastJson.errors).toBeDefined();
      expect(fast.status).toBe(normal.status);
      expect(fastJson.errors.map((e: { message: string }) => e.message)).toEqual(
        normalJson.errors.map((e: { message: string }) => e.message),
      );
    }
  });
});
