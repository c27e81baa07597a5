// The audit log through the GraphQL API over real HTTP: record writes, metadata changes, filters, paging,
// hostile arguments, and the field history of tracked fields (the core opportunity keeps its history).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Harness, startHarness } from './harness.ts';

let h: Harness;
let rep1: Client;
let rep2: Client;
let pager: Client;

beforeAll(async () => {
  h = await startHarness();
  rep1 = await h.addUser({ email: 'rep1@audit.test', name: 'Rep One', role: 'salesRep' });
  rep2 = await h.addUser({ email: 'rep2@audit.test', name: 'Rep Two', role: 'salesRep' });
  pager = await h.addUser({ email: 'pager@audit.test', name: 'Pager', role: 'salesRep' });
});
afterAll(async () => {
  await h?.close();
});

const ENTRY = `id at actor tokenId channel action entity recordId metadataVersion pluginId changes { field old new } details`;

interface Entry {
  id: string;
  at: string;
  actor: string;
  channel: string;
  action: string;
  entity: string | null;
  recordId: string | null;
  metadataVersion: number | null;
  changes: { field: string; old: unknown; new: unknown }[];
}
interface Page {
  auditLog: {
    nodes: Entry[];
    edges: { cursor: string }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const log = (variables: Record<string, unknown>) =>
  h.ok<Page>(
    `query($filter: AuditFilter, $first: Int, $after: String) {
      auditLog(filter: $filter, first: $first, after: $after) { nodes { ${ENTRY} } edges { cursor } pageInfo { hasNextPage endCursor } }
    }`,
    variables,
  );

describe('auditLog', () => {
  it('records each write made through the API with its actor, channel and old → new', async () => {
    // Owned by rep1, who may then change it (accounts are private to their owner side).
    const { createAccount } = await h.ok<{ createAccount: { id: string } }>(
      `mutation($o: ID!) { createAccount(input: { name: "Audit Ltd", ownerId: $o }) { id } }`,
      { o: rep1.userId },
    );
    const id = createAccount.id;
    await rep1.ok(`mutation($id: ID!) { updateAccount(id: $id, input: { name: "Audit Group" }) { id } }`, { id });
    await h.ok(`mutation($id: ID!) { deleteAccount(id: $id) { id } }`, { id });
    const { auditLog } = await log({ filter: { recordId: id } });
    expect(auditLog.nodes.map((n) => [n.action, n.actor, n.channel, n.entity])).toEqual([
      ['record.deleted', h.userId, 'web', 'account'],
      ['record.updated', rep1.userId, 'web', 'account'],
      ['record.created', h.userId, 'web', 'account'],
    ]);
    expect(auditLog.nodes[1]!.changes).toEqual([{ field: 'name', old: 'Audit Ltd', new: 'Audit Group' }]);
    expect(auditLog.nodes[2]!.changes).toContainEqual({ field: 'name', old: null, new: 'Audit Ltd' });
  });

  it('a refused write adds nothing', async () => {
    const before = await log({ first: 1 });
    const refused = await h.gql(
      `mutation { createAccounts(inputs: [{ name: "ok" }, { name: "bad", email: "not an address" }]) { id } }`,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect((await log({ first: 1 })).auditLog.nodes[0]!.id).toBe(before.auditLog.nodes[0]!.id);
  });

  it('records metadata changes with their version', async () => {
    const { addField } = await h.ok<{ addField: { version: number } }>(
      `mutation($f: JSON!) { addField(entity: "account", field: $f) { version } }`,
      { f: { name: 'auditNote', type: 'text', labels: { en: 'Audit note', 'zh-CN': '审计备注' } } },
    );
    const { auditLog } = await log({ filter: { action: 'metadata.changed' }, first: 1 });
    expect(auditLog.nodes[0]).toMatchObject({
      actor: h.userId,
      channel: 'web',
      metadataVersion: addField.version,
      changes: [{ field: 'version', old: addField.version - 1, new: addField.version }],
    });
  });

  it('filters by actor, entity, channel and time, and pages with cursors', async () => {
    const inputs = Array.from({ length: 5 }, (_, i) => ({ name: `Paged ${i}` }));
    await pager.ok(`mutation($inputs: [AccountInput!]!) { createAccounts(inputs: $inputs) { id } }`, { inputs });
    const filter = { actor: pager.userId, entity: 'account', channel: 'web' };
    const first = await log({ filter, first: 3 });
    expect(first.auditLog.nodes).toHaveLength(3);
    expect(first.auditLog.pageInfo.hasNextPage).toBe(true);
    const rest = await log({ filter, first: 3, after: first.auditLog.pageInfo.endCursor });
    expect(rest.auditLog.nodes).toHaveLength(2);
    expect(rest.auditLog.pageInfo.hasNextPage).toBe(false);
    const names = [...first.auditLog.nodes, ...rest.auditLog.nodes].map(
      (n) => n.changes.find((c) => c.field === 'name')?.new,
    );
    expect(names).toEqual(['Paged 4', 'Paged 3', 'Paged 2', 'Paged 1', 'Paged 0']);
    const at = first.auditLog.nodes[0]!.at;
    expect((await log({ filter: { ...filter, to: at } })).auditLog.nodes).toEqual([]);
    expect((await log({ filter: { ...filter, from: at } })).auditLog.nodes).toHaveLength(5);
    expect((await log({ filter: { ...filter, channel: 'plugin' } })).auditLog.nodes).toEqual([]);
  });

  it.each([
    ['first 0', { first: 0 }, 'first'],
    ['first over the limit', { first: 501 }, 'first'],
    ['a forged cursor', { after: 'WyIxOyBkcm9wIHRhYmxlIHgiXQ' }, 'after'],
    ['a cursor of another list', { after: 'eyJ4IjoxfQ' }, 'after'],
    ['an actor of 300 characters', { filter: { actor: 'x'.repeat(300) } }, 'filter.actor'],
    [
      'a window that ends before it starts',
      { filter: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } },
      'filter.to',
    ],
  ])('refuses %s with VALIDATION_FAILED at its path', async (_, variables, path) => {
    const result = await h.gql(
      `query($filter: AuditFilter, $first: Int, $after: String) { auditLog(filter: $filter, first: $first, after: $after) { nodes { id } } }`,
      variables,
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path }] });
  });

  it('is for administrators: a sales rep is refused FORBIDDEN, saying what and why', async () => {
    const refused = await rep1.gql(`{ auditLog(first: 5) { nodes { id } } }`);
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toMatch(/Only administrators may read the audit log/);
  });

  it('records writes made with an API token as channel api, naming the token', async () => {
    const { createApiToken } = await rep2.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      `mutation { createApiToken(name: "sync", expiresInDays: 7) { token apiToken { id } } }`,
    );
    const response = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${createApiToken.token}` },
      body: JSON.stringify({ query: `mutation { createAccount(input: { name: "Via token" }) { id } }` }),
    });
    const { data } = (await response.json()) as { data: { createAccount: { id: string } } };
    const { auditLog } = await log({ filter: { recordId: data.createAccount.id } });
    expect(
      auditLog.nodes.map((n) => [n.action, n.actor, n.channel, (n as never as { tokenId: string }).tokenId]),
    ).toEqual([['record.created', rep2.userId, 'api', createApiToken.apiToken.id]]);
  });

  it('refuses an unknown channel and a malformed instant before running', async () => {
    const result = await h.gql(`{ auditLog(filter: { channel: telepathy, from: "yesterday" }) { nodes { id } } }`);
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(result.data).toBeUndefined();
  });
});

describe('fieldHistory', () => {
  it('lists the changes of a tracked record, newest first, whoever made them', async () => {
    const { createAccount } = await h.ok<{ createAccount: { id: string } }>(
      `mutation { createAccount(input: { name: "History Co" }) { id } }`,
    );
    const { createPipeline } = await h.ok<{ createPipeline: { id: string } }>(
      `mutation { createPipeline(input: { name: "Direct", type: expansion }) { id } }`,
    );
    const { createOpportunity } = await h.ok<{ createOpportunity: { id: string } }>(
      `mutation($a: ID!, $p: ID!, $t: ID!) { createOpportunity(input: { name: "Big deal", accountId: $a, pipelineId: $p, teamId: $t }) { id } }`,
      { a: createAccount.id, p: createPipeline.id, t: await teamOf(rep1, rep2) },
    );
    const id = createOpportunity.id;
    for (const [client, stage] of [
      [rep1, 'qualification'],
      [rep2, 'proposal'],
    ] as const) {
      await client.ok(`mutation($id: ID!) { updateOpportunity(id: $id, input: { stage: ${stage} }) { id } }`, { id });
    }
    const { fieldHistory } = await h.ok<{
      fieldHistory: { actor: string; field: string; old: unknown; new: unknown; action: string; channel: string }[];
    }>(
      `query($id: ID!) { fieldHistory(entity: "opportunity", id: $id, fields: ["stage"]) { actor field old new action channel } }`,
      {
        id,
      },
    );
    // Whoever made them: every person's change is there.
    expect(fieldHistory).toEqual([
      {
        actor: rep2.userId,
        field: 'stage',
        old: 'qualification',
        new: 'proposal',
        action: 'record.updated',
        channel: 'web',
      },
      {
        actor: rep1.userId,
        field: 'stage',
        old: 'prospecting',
        new: 'qualification',
        action: 'record.updated',
        channel: 'web',
      },
      { actor: h.userId, field: 'stage', old: null, new: 'prospecting', action: 'record.created', channel: 'web' },
    ]);
  });

  it('refuses an untracked entity or field, and a malformed id', async () => {
    const untracked = await h.gql(
      `{ fieldHistory(entity: "product", id: "00000000-0000-4000-8000-000000000000") { field } }`,
    );
    expect(untracked.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'entity' }],
    });
    const field = await h.gql(
      `{ fieldHistory(entity: "opportunity", id: "00000000-0000-4000-8000-000000000000", fields: ["nope"]) { field } }`,
    );
    expect(field.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'fields[0]' }] });
    const id = await h.gql(`{ fieldHistory(entity: "opportunity", id: "1' or '1'='1") { field } }`);
    expect(id.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'id' }] });
    const entity = await h.gql(
      `{ fieldHistory(entity: "nothing", id: "00000000-0000-4000-8000-000000000000") { field } }`,
    );
    expect(entity.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

/** A team with these members: the records of the team are theirs to read and change. */
async function teamOf(...members: { userId: string }[]): Promise<string> {
  const { createTeam } = await h.ok<{ createTeam: { id: string } }>(
    'mutation { createTeam(input: { name: "Audit team" }) { id } }',
  );
  for (const m of members) {
    await h.ok('mutation($id: ID!, $t: ID!) { updateUser(id: $id, input: { teamId: $t }) { id } }', {
      id: m.userId,
      t: createTeam.id,
    });
  }
  return createTeam.id;
}
