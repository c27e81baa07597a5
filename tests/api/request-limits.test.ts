// No single request may take an unbounded share of the server (issue 10): 300 aliases of exportMetadata took
// 86 s and 8.8 GB, 1,000 aliased createAccount and 100 × accounts(first: 500) were accepted. Each limit is
// refused before anything runs, as LIMIT_EXCEEDED naming the limit and its value, and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const aliased = (n: number, field: string) => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join('\n');

async function accountCount(): Promise<number> {
  return (await h.ok<{ accounts: { totalCount: number } }>('{ accounts { totalCount } }')).accounts.totalCount;
}

describe('request limits', () => {
  it('refuses more than 20 aliases: 300 × exportMetadata, 100 × accounts(first: 500), 1,000 × createAccount', async () => {
    for (const [document, limit] of [
      [`{ ${aliased(300, 'exportMetadata')} }`, 'aliases'],
      [`{ ${aliased(100, 'accounts(first: 500) { nodes { id name } }')} }`, 'aliases'],
      [`mutation { ${aliased(21, 'createAccount(input: { name: "Flood" }) { id }')} }`, 'aliases'],
      // A thousand of them is longer than any document may be: refused before it is even parsed whole.
      [`mutation { ${aliased(1000, 'createAccount(input: { name: "Flood" }) { id }')} }`, 'tokens'],
    ]) {
      const result = await h.gql(document!);
      expect(result.data ?? null).toBeNull();
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit });
      expect(result.errors![0]!.message).toMatch(/at most (20|10000) are allowed/);
    }
    expect(await accountCount()).toBe(0);
  });

  it('accepts 20 aliases', async () => {
    const result = await h.ok<Record<string, { totalCount: number }>>(`{ ${aliased(20, 'accounts { totalCount }')} }`);
    expect(Object.keys(result)).toHaveLength(20);
  });

  it('refuses a document of more than 10,000 tokens and one with more than 20 directives', async () => {
    const huge = `{ accounts { nodes { ${Array.from({ length: 12_000 }, () => 'id').join(' ')} } } }`;
    const tokens = await h.gql(huge);
    expect(tokens.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'tokens', value: 10_000 });
    const directives = await h.gql(`{ accounts { totalCount ${'@include(if: true) '.repeat(25)} } }`);
    expect(directives.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'directives' });
  });
});

describe('cost per operation', () => {
  it('refuses nested pages that multiply: accounts(first: 500) × contacts(first: 500), before anything runs', async () => {
    const result = await h.gql(
      '{ accounts(first: 500) { nodes { id name contacts(first: 500) { id email phone } } } }',
    );
    expect(result.data ?? null).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'cost', value: 50_000 });
    // accounts 1 + 500 × nodes (1 + id 1 + name 1 + contacts (1 + 500 × 3)) = 752,001
    expect(result.errors![0]!.message).toMatch(/estimated cost of 752001; at most 50000 is allowed/);
  });

  it('counts page sizes given in variables, on the short lane as well', async () => {
    const query = 'query ($n: Int) { accounts(first: $n) { nodes { id name contacts(first: $n) { id } } } }';
    // Twice with small pages: the second is answered by the short lane, without yoga.
    for (let i = 0; i < 2; i++) expect((await h.gql(query, { n: 10 })).errors).toBeUndefined();
    const big = await h.gql(query, { n: 400 });
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'cost' });
  });

  it('a page size left out counts 50; 20 aliases of a costly list add up', async () => {
    const page = 'accounts { nodes { id name contacts(first: 100) { id email } } }';
    // 1 + 50 × (1 + 2 + 1 + 100 × 2) = 10,201 each: four fit, five do not.
    expect((await h.gql(`{ ${aliased(4, page)} }`)).errors).toBeUndefined();
    const five = await h.gql(`{ ${aliased(5, page)} }`);
    expect(five.errors?.[0]?.message).toMatch(/estimated cost of 51005/);
  });

  it('counts fragments at each spread, and gives up on a fragment bomb', async () => {
    // Ten spreads a level, five levels: 100,000 fields from a document of a few hundred tokens.
    const spreads = (next: number) => ` ... on Contact { reportsTo { ...F${next} } }`.repeat(10);
    const levels = Array.from(
      { length: 6 },
      (_, i) => `fragment F${i} on Contact { ${i === 5 ? 'id' : spreads(i + 1)} }`,
    ).join('\n');
    const bomb = await h.gql(`{ contacts(first: 1) { nodes { ...F0 } } }\n${levels}`);
    expect(bomb.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'cost' });
    expect(bomb.errors?.[0]?.message).toMatch(/more than 10000 fields once its fragments are spread/);
    // Deeper and wider (30 spreads a level, ten levels: 30^10 fields): refused as fast, by every rule.
    const wide = (next: number) => ` ... on Contact { reportsTo { ...G${next} } }`.repeat(30);
    const deep = Array.from(
      { length: 10 },
      (_, i) => `fragment G${i} on Contact { ${i === 9 ? 'id' : wide(i + 1)} }`,
    ).join('\n');
    const started = performance.now();
    const deeper = await h.gql(`{ contacts(first: 1) { nodes { ...G0 } } }\n${deep}`);
    expect(deeper.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'cost' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("accepts the web app's costliest request (the opportunity board, estimated 6,129)", async () => {
    const column = (stage: string) =>
      `${stage}: opportunities(filter: { stage: { eq: ${stage} } }, first: 40) { totalCount nodes { id version updatedAt updatedBy createdAt createdBy name accountId account { id title: name } amount { amount currency } probability } }`;
    const stages = ['prospecting', 'qualification', 'proposal', 'negotiation', 'closedWon', 'closedLost'];
    const result = await h.gql(`{ ${stages.map(column).join('\n')} }`);
    expect(result.errors).toBeUndefined();
  });
});

describe('field suggestions', () => {
  it('an unknown field, argument, type or enum value is named without "Did you mean"', async () => {
    for (const document of [
      '{ accounts { nodes { nam } } }',
      '{ accounts(frist: 5) { totalCount } }',
      'query ($f: AccountFiltr) { accounts(filter: $f) { totalCount } }',
      '{ opportunities(filter: { stage: { eq: prospectin } }) { totalCount } }',
    ]) {
      const result = await h.gql(document);
      expect(result.errors?.length, document).toBeGreaterThan(0);
      for (const error of result.errors!) expect(error.message, document).not.toMatch(/Did you mean|\?$/);
    }
    // A variable's value of the wrong shape is checked when it runs: no suggestion there either.
    const variable = await h.gql('mutation ($input: AccountInput!) { createAccount(input: $input) { id } }', {
      input: { nam: 'x' },
    });
    expect(variable.errors?.[0]?.message).toMatch(/"nam" is not defined/);
    expect(variable.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('suggests in development (an explicit option)', async () => {
    const dev = await startHarness({ api: { suggestions: true } });
    try {
      const result = await dev.gql('{ accounts { nodes { nam } } }');
      expect(result.errors?.[0]?.message).toMatch(/Did you mean "name"/);
    } finally {
      await dev.close();
    }
  });
});
