// Variables of an entity's filter type: answered like literals, and not handed to graphql-jit, whose
// compiled variable parsing grows with every input type the filter reaches (seconds and hundreds of MB).
import { buildSchema, hasLargeInputVariables, MAX_COMPILED_INPUT_TYPES } from '@touchpoint/api';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.ok(
    `mutation { a: createAccount(input: { name: "Huayuan CNC" }) { id } b: createAccount(input: { name: "Qilu Tools" }) { id } }`,
  );
});

afterAll(async () => {
  await h?.close();
});

describe('filter variables', () => {
  it('are answered exactly as the same filter written inline', async () => {
    const withVariable = await h.ok<{ accounts: { nodes: { name: string }[] } }>(
      'query($filter: AccountFilter, $orderBy: [AccountOrderBy!]) { accounts(filter: $filter, orderBy: $orderBy) { nodes { name } } }',
      { filter: { name: { contains: 'Huayuan' } }, orderBy: [{ field: 'name', direction: 'asc' }] },
    );
    const inline = await h.ok<{ accounts: { nodes: { name: string }[] } }>(
      '{ accounts(filter: { name: { contains: "Huayuan" } }, orderBy: [{ field: name }]) { nodes { name } } }',
    );
    expect(withVariable.accounts.nodes).toEqual([{ name: 'Huayuan CNC' }]);
    expect(withVariable).toEqual(inline);
  });

  it('still refuse a value of the wrong shape, naming the variable', async () => {
    const response = await h.gql('query($filter: AccountFilter) { accounts(filter: $filter) { nodes { name } } }', {
      filter: { name: { contains: 5 } },
    });
    expect(response.errors?.[0]?.message, JSON.stringify(response)).toMatch(/\$filter/);
  });

  it('are kept from compiled execution when their type reaches many input types', async () => {
    const schema = buildSchema(await h.engine.metadata('default'));
    const big = parse('query($filter: ContactFilter) { contacts(filter: $filter) { nodes { id } } }');
    const small = parse('query($id: ID!, $input: AccountInput!) { updateAccount(id: $id, input: $input) { id } }');
    expect(hasLargeInputVariables(schema, big)).toBe(true);
    expect(hasLargeInputVariables(schema, small)).toBe(false);
    expect(MAX_COMPILED_INPUT_TYPES).toBeGreaterThan(1);
  });
});
