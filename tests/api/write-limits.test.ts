// A refused write leaves nothing behind: limits of a batch and of the answer's read-back are checked
// before anything is written, so a client that retries a refused request never duplicates rows.
import { MAX_BATCH, MAX_FIRST } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const count = async (prefix: string) =>
  (
    await h.ok<{ accounts: { totalCount: number } }>(
      `query($p: String!) { accounts(filter: { name: { startsWith: $p } }) { totalCount } }`,
      { p: prefix },
    )
  ).accounts.totalCount;

const createMany = (prefix: string, n: number) =>
  h.gql<{ createAccounts: { id: string; name: string }[] }>(
    `mutation($inputs: [AccountInput!]!) { createAccounts(inputs: $inputs) { id name } }`,
    { inputs: Array.from({ length: n }, (_, i) => ({ name: `${prefix} ${i}` })) },
  );

describe('createAccounts over the batch limit committed every row before refusing (issue 9)', () => {
  it('the batch limit is the read-back page limit', () => {
    expect(MAX_BATCH).toBe(MAX_FIRST);
  });

  it('creates the largest allowed batch and answers with every record it created', async () => {
    const result = await createMany('Largest', MAX_BATCH);
    expect(result.errors).toBeUndefined();
    const created = result.data!.createAccounts;
    expect(created).toHaveLength(MAX_BATCH);
    expect(created.every((a, i) => a.name === `Largest ${i}`)).toBe(true);
    expect(new Set(created.map((a) => a.id)).size).toBe(MAX_BATCH);
    expect(await count('Largest ')).toBe(MAX_BATCH);
  });

  it('refuses one more with LIMIT_EXCEEDED naming inputs, the limit and the count, and writes nothing', async () => {
    const before = await count('OneMore ');
    for (const attempt of [1, 2]) {
      const result = await createMany('OneMore', MAX_BATCH + 1);
      expect(result.data?.createAccounts ?? null, `attempt ${attempt}`).toBeNull();
      const error = result.errors?.[0];
      expect(error?.extensions?.code).toBe('LIMIT_EXCEEDED');
      expect(error?.message).toContain(`inputs: at most ${MAX_BATCH} records`);
      expect(error?.message).toContain(`got ${MAX_BATCH + 1}`);
      expect(error?.extensions?.issues?.[0]?.path).toBe('inputs');
      expect(error?.extensions?.details).toEqual({ argument: 'inputs', limit: MAX_BATCH, got: MAX_BATCH + 1 });
    }
    expect(await count('OneMore ')).toBe(before);
    expect(before).toBe(0);
  });
});

describe('a mutation whose answer asks for a too-big nested page wrote before refusing (issue 9)', () => {
  it('createAccount refuses contacts(first: 1000) before creating the account', async () => {
    const result = await h.gql(
      `mutation { createAccount(input: { name: "Nested too big" }) { id contacts(first: 1000) { id } } }`,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    expect(result.errors?.[0]?.message).toContain(`must be at most ${MAX_FIRST}, got 1000`);
    expect(await count('Nested too big')).toBe(0);
  });

  it('createAccounts refuses it before creating any account', async () => {
    const result = await h.gql(
      `mutation { createAccounts(inputs: [{ name: "Nested batch 1" }, { name: "Nested batch 2" }]) { id contacts(first: 501) { id } } }`,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    expect(await count('Nested batch')).toBe(0);
  });

  it('updateAccount and deleteAccount refuse it before changing the account', async () => {
    const { createAccount } = await h.ok<{ createAccount: { id: string; version: number } }>(
      `mutation { createAccount(input: { name: "Kept as is" }) { id version } }`,
    );
    const update = await h.gql(
      `mutation($id: ID!) { updateAccount(id: $id, input: { name: "Changed" }) { id contacts(first: 1000) { id } } }`,
      { id: createAccount.id },
    );
    expect(update.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    const remove = await h.gql(`mutation($id: ID!) { deleteAccount(id: $id) { id contacts(first: 1000) { id } } }`, {
      id: createAccount.id,
    });
    expect(remove.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    const after = await h.ok<{ account: { name: string; version: number; deletedAt: string | null } }>(
      `query($id: ID!) { account(id: $id) { name version deletedAt } }`,
      { id: createAccount.id },
    );
    expect(after.account).toEqual({ name: 'Kept as is', version: createAccount.version, deletedAt: null });
  });
});

describe('convertLead whose answer asks for a too-big nested page converted before refusing (issue 9)', () => {
  it('refuses before converting: the lead stays open and no account is made', async () => {
    const { createLead } = await h.ok<{ createLead: { id: string } }>(
      `mutation { createLead(input: { firstName: "Bo", lastName: "Wu", company: "Wu Nested Ltd" }) { id } }`,
    );
    const result = await h.gql(
      `mutation($lead: ID!) { convertLead(leadId: $lead) { account { id contacts(first: 1000) { id } } } }`,
      { lead: createLead.id },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    const after = await h.ok<{ lead: { status: string; convertedAccountId: string | null } }>(
      `query($id: ID!) { lead(id: $id) { status convertedAccountId } }`,
      { id: createLead.id },
    );
    expect(after.lead.convertedAccountId).toBeNull();
    expect(after.lead.status).not.toBe('converted');
    expect(await count('Wu Nested')).toBe(0);
  });
});
