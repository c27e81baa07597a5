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
