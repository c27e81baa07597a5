// Record access through the real API: each kind of grant (owner, management and role hierarchy, team,
// territory and its children, manual shares read vs edit, criteria rule, controlled-by-parent chains,
// partner users, view all) for every kind of read (list, get, count, aggregate, nested both ways, relation
// filters), and the write checks (object → field → record) as a table of role × entity × operation.
import { loadCoreEntities, loadCorePermissions } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, CORE_PERMISSIONS, CORE_SCHEMAS, type Harness, startHarness } from './harness.ts';

let h: Harness;
const users: Record<string, Client> = {};
const ids: Record<string, string> = {};

const model = () => {
  const permissions = loadCorePermissions(CORE_PERMISSIONS, loadCoreEntities(CORE_SCHEMAS));
  permissions.sharing.rules.push({
    name: 'ruleCoLeads',
    labels: { en: 'Rule Co leads', 'zh-CN': 'Rule Co 线索' },
    entity: 'lead',
    condition: { company: { eq: 'Rule Co' } },
    role: 'salesRep',
    access: 'read',
  });
  return permissions;
};

beforeAll(async () => {
  h = await startHarness({ engine: { corePermissions: model() } });
  const records = h.engine.records({ workspace: 'default', actor: 'system' });
  const make = async (entity: string, values: Record<string, unknown>) => (await records.create(entity, values)).id;
  for (const [key, role] of [
    ['manager', 'salesManager'],
    ['rep1', 'salesRep'],
    ['rep2', 'salesRep'],
    ['rep3', 'salesRep'],
    ['rep4', 'salesRep'],
    ['service', 'serviceAgent'],
    ['marketing', 'marketer'],
    ['partner', 'channelManager'],
    ['nobody', 'presales'],
  ] as const) {
    users[key] = await h.addUser({ email: `${key}@perm.test`, name: key, role });
  }
  await h.engine.people.setRoles('default', users.partner!.userId, ['partnerUser'], {
    actor: 'system',
    channel: 'system',
  });
  await h.engine.people.setRoles('default', users.nobody!.userId, ['readOnly'], { actor: 'system', channel: 'system' });
  ids.partnerCo = await make('partner', { name: 'Channel Co', type: 'reseller' });
  ids.otherPartner = await make('partner', { name: 'Other Co', type: 'agent' });
  ids.team = await make('team', { name: 'Team Two', type: 'sales' });
  ids.queue = await make('team', { name: 'Queue', type: 'service' });
  ids.east = await make('territory', { name: 'East', owner: users.rep3!.userId });
  ids.eastSub = await make('territory', { name: 'East sub', parentTerritory: ids.east });
  await records.update('user', users.rep4!.userId, { manager: users.rep1!.userId });
  await records.update('user', users.rep2!.userId, { team: ids.team });
  await records.update('user', users.service!.userId, { team: ids.queue });
  await records.update('user', users.partner!.userId, { partner: ids.partnerCo });
  const admin = h.userId;
  ids.a1 = await make('account', { name: 'A1 rep1', owner: users.rep1!.userId });
  ids.a2 = await make('account', { name: 'A2 rep2', owner: users.rep2!.userId });
  ids.a3 = await make('account', { name: 'A3 rep4', owner: users.rep4!.userId });
  ids.a4 = await make('account', { name: 'A4 team', owner: admin, team: ids.team });
  ids.a5 = await make('account', { name: 'A5 territory', owner: admin, territory: ids.eastSub });
  ids.a6 = await make('account', { name: 'A6 shared', owner: admin });
  ids.a7 = await make('account', { name: 'A7 partner', owner: admin, partner: ids.partnerCo });
  ids.c1 = await make('contact', { firstName: 'C1', lastName: 'OnA1', account: ids.a1 });
  ids.c2 = await make('contact', { firstName: 'C2', lastName: 'Secret', account: ids.a2 });
  // Owned by rep1 on an account rep1 cannot see: the contact shows, its account does not.
  ids.c3 = await make('contact', { firstName: 'C3', lastName: 'Mine', account: ids.a2, owner: users.rep1!.userId });
  ids.pipeline = await make('pipeline', { name: 'P', type: 'expansion' });
  ids.o1 = await make('opportunity', { name: 'O1', account: ids.a1, pipeline: ids.pipeline });
  ids.ol1 = await make('opportunityLine', { opportunity: ids.o1, quantity: '1' }).catch(() => '');
  ids.o7 = await make('opportunity', { name: 'O7 partner deal', partner: ids.partnerCo, pipeline: ids.pipeline });
  ids.l1 = await make('lead', { lastName: 'L1', company: 'Rule Co', owner: admin });
  ids.l2 = await make('lead', { lastName: 'L2', company: 'Plain', owner: admin });
  ids.l3 = await make('lead', { lastName: 'L3', company: 'Partner lead', owner: admin, partner: ids.partnerCo });
  ids.l4 = await make('lead', { lastName: 'L4', company: 'Other partner', owner: admin, partner: ids.otherPartner });
  const openedAt = '2026-01-05T08:00:00Z';
  ids.case1 = await make('case', { subject: 'In queue', openedAt, team: ids.queue, owner: admin });
  ids.case2 = await make('case', { subject: 'Elsewhere', openedAt, owner: admin });
}, 180_000);

afterAll(async () => {
  await h?.close();
});

async function names(client: Client, entity: string): Promise<string[]> {
  const field = `${entity}s`;
  const result = await client.ok<Record<string, { nodes: { name: string }[] }>>(
    `{ ${field}(first: 100) { nodes { name } } }`,
  );
  return result[field]!.nodes.map((n) => n.name).sort();
}

const count = async (client: Client, query: string) =>
  Object.values(await client.ok<Record<string, { totalCount: number }>>(query))[0]!.totalCount;

describe('reads', () => {
  it('owner, management hierarchy, role hierarchy, team, territory (child too), partner, view all', async () => {
    expect(await names(users.rep1!, 'account')).toEqual(['A1 rep1', 'A3 rep4']);
    expect(await names(users.rep2!, 'account')).toEqual(['A2 rep2', 'A4 team']);
    expect(await names(users.rep3!, 'account')).toEqual(['A5 territory']);
    // Above every sales rep by role: all the reps' accounts, none of the admin's.
    expect(await names(users.manager!, 'account')).toEqual(['A1 rep1', 'A2 rep2', 'A3 rep4']);
    expect(await names(users.partner!, 'account')).toEqual(['A7 partner']);
    expect((await names(users.service!, 'account')).length).toBe(7);
    expect(await names(users.nobody!, 'account')).toEqual([]);
    expect(await names(h, 'account')).toHaveLength(7);
  });

  it('get, totalCount and aggregates agree with the list', async () => {
    const get = async (client: Client, id: string) =>
      (await client.ok<{ account: { name: string } | null }>('query($id: ID!) { account(id: $id) { name } }', { id }))
        .account;
    expect(await get(users.rep1!, ids.a1!)).toEqual({ name: 'A1 rep1' });
    expect(await get(users.rep1!, ids.a2!)).toBeNull();
    expect(await count(users.rep1!, '{ accounts { totalCount } }')).toBe(2);
    expect(await count(users.rep1!, '{ accounts(filter: { name: { eq: "A2 rep2" } }) { totalCount } }')).toBe(0);
    const { accountsAggregate } = await users.rep1!.ok<{ accountsAggregate: { count: number }[] }>(
      '{ accountsAggregate { count } }',
    );
    expect(accountsAggregate[0]!.count).toBe(2);
  });

  it('nested relations both ways and relation filters never reveal a hidden record', async () => {
    // controlledByParent: contacts follow their account, plus the ones rep1 owns.
    const { contacts } = await users.rep1!.ok<{
      contacts: { nodes: { firstName: string; account: { name: string } | null }[] };
    }>('{ contacts(first: 50) { nodes { firstName account { name } } } }');
    expect(contacts.nodes.map((c) => [c.firstName, c.account?.name ?? null]).sort()).toEqual([
      ['C1', 'A1 rep1'],
      ['C3', null],
    ]);
    // From a visible account down: only visible contacts (C2 and C3 are on A2 anyway).
    const { account } = await users.rep2!.ok<{ account: { contacts: { firstName: string }[] } }>(
      'query($id: ID!) { account(id: $id) { contacts { firstName } } }',
      { id: ids.a2 },
    );
    // C3 is rep1's, on rep2's account: rep2 sees it through the account (controlled by parent).
    expect(account.contacts.map((c) => c.firstName).sort()).toEqual(['C2', 'C3']);
    const mine = await users.rep1!.ok<{ contact: { account: { contacts: { firstName: string }[] } | null } }>(
      'query($id: ID!) { contact(id: $id) { account { contacts { firstName } } } }',
      { id: ids.c3 },
    );
    expect(mine.contact.account).toBeNull();
    // "Accounts having a contact named Secret": rep1 may not learn that A2 has one.
    expect(
      await count(
        users.rep1!,
        '{ accounts(filter: { contacts: { some: { lastName: { eq: "Secret" } } } }) { totalCount } }',
      ),
    ).toBe(0);
    // Nor through the contact they own: its hidden account does not match a filter on the account.
    expect(
      await count(users.rep1!, '{ contacts(filter: { account: { name: { eq: "A2 rep2" } } }) { totalCount } }'),
    ).toBe(0);
    expect(
      await count(
        users.rep2!,
        '{ accounts(filter: { contacts: { some: { lastName: { eq: "Secret" } } } }) { totalCount } }',
      ),
    ).toBe(1);
    // Chains: an opportunity line follows its opportunity, which follows its account.
    expect(await count(users.rep1!, '{ opportunities { totalCount } }')).toBe(1);
    expect(await count(users.rep2!, '{ opportunities { totalCount } }')).toBe(0);
  });

  it('a list nested under a deleted parent shows only the children readable on their own grants', async () => {
    const records = h.engine.records({ workspace: 'default', actor: 'system' });
    const a8 = (await records.create('account', { name: 'A8 rep2 deleted', owner: users.rep2!.userId })).id;
    await records.create('contact', { firstName: 'C8', lastName: 'Through parent', account: a8, owner: h.userId });
    await records.create('contact', { firstName: 'C9', lastName: 'Own', account: a8, owner: users.rep2!.userId });
    const read = async () =>
      (
        await users.rep2!.ok<{ account: { contacts: { firstName: string }[] } | null }>(
          'query($id: ID!) { account(id: $id, includeDeleted: true) { contacts { firstName } } }',
          { id: a8 },
        )
      ).account?.contacts
        .map((c) => c.firstName)
        .sort();
    // Live, C8 is readable through its account (controlled by parent).
    expect(await read()).toEqual(['C8', 'C9']);
    await records.delete('account', a8);
    // Deleted, the account still reads with includeDeleted, but no longer opens C8; C9 is rep2's own.
    expect(await read()).toEqual(['C9']);
  });

  it('criteria rules reach the rule role and the roles above it; partners see only their company', async () => {
    const leads = async (client: Client) =>
      (await client.ok<{ leads: { nodes: { lastName: string }[] } }>('{ leads { nodes { lastName } } }')).leads.nodes
        .map((l) => l.lastName)
        .sort();
    expect(await leads(users.rep1!)).toEqual(['L1']);
    expect(await leads(users.manager!)).toEqual(['L1']);
    expect(await leads(users.nobody!)).toEqual([]);
    expect(await leads(users.partner!)).toEqual(['L3']);
    const opportunities = await users.partner!.ok<{ opportunities: { nodes: { name: string }[] } }>(
      '{ opportunities { nodes { name } } }',
    );
    expect(opportunities.opportunities.nodes).toEqual([{ name: 'O7 partner deal' }]);
    // Service agents: the cases of their queue.
    const cases = await users.service!.ok<{ cases: { nodes: { subject: string }[] } }>(
      '{ cases { nodes { subject } } }',
    );
    expect(cases.cases.nodes).toEqual([{ subject: 'In queue' }]);
  });

  it('hidden fields are absent from that user’s schema: not selectable, filterable or sortable', async () => {
    const select = await users.rep1!.gql('{ accounts { nodes { name annualProfit { amount } } } }');
    expect(select.errors?.[0]?.message).toMatch(/Cannot query field "annualProfit"/);
    const filter = await users.rep1!.gql('{ accounts(filter: { annualProfit: { gt: 0 } }) { totalCount } }');
    expect(filter.errors?.[0]?.message).toMatch(/annualProfit/);
    // The partner user's hidden lead score; the admin still has both.
    expect((await users.partner!.gql('{ leads { nodes { score } } }')).errors?.[0]?.message).toMatch(/score/);
    expect(
      (await h.gql('{ accounts { nodes { annualProfit { amount } } } leads { nodes { score } } }')).errors,
    ).toBeUndefined();
  });

  it('partners read reference data by its default: pipelines, users — their own too, without a company', async () => {
    const partner = users.partner!;
    const data = await partner.ok<{ pipelines: { nodes: { id: string }[] }; users: { totalCount: number } }>(
      '{ pipelines { nodes { id } } users { totalCount } }',
    );
    expect(data.pipelines.nodes.map((p) => p.id)).toContain(ids.pipeline);
    const all = await h.ok<{ users: { totalCount: number } }>('{ users { totalCount } }');
    expect(data.users.totalCount).toBe(all.users.totalCount);
    // Records with an owner, partner or parent setting keep the strict partner rule.
    expect(await count(partner, '{ accounts { totalCount } }')).toBe(1);
    // A partner user whose company is not set yet still reads their own user record, so they can sign in.
    const records = h.engine.records({ workspace: 'default', actor: 'system' });
    await records.update('user', partner.userId, { partner: null });
    try {
      const own = await partner.gql('query($id: ID!) { user(id: $id) { id } }', { id: partner.userId });
      expect(own.errors).toBeUndefined();
      expect((own.data as { user: { id: string } | null }).user?.id).toBe(partner.userId);
      expect(await count(partner, '{ accounts { totalCount } }')).toBe(0);
    } finally {
      await records.update('user', partner.userId, { partner: ids.partnerCo });
    }
  });

  it('an entity without read is refused by name', async () => {
    const refused = await users.partner!.gql('{ cases { totalCount } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toMatch(/case/);
  });
});

describe('shares', () => {
  it('a read share opens reading on the next request, an edit share editing; revoking closes both', async () => {
    const rename = (name: string) =>
      users.rep1!.gql('mutation($id: ID!, $n: String!) { updateAccount(id: $id, input: { name: $n }) { id } }', {
        id: ids.a6,
        n: name,
      });
    expect(await names(users.rep1!, 'account')).not.toContain('A6 shared');
    expect((await rename('A6 x')).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const share = await h.ok<{ shareRecord: { id: string; access: string } }>(
      'mutation($i: ShareRecordInput!) { shareRecord(input: $i) { id access } }',
      { i: { entity: 'account', id: ids.a6, userId: users.rep1!.userId, access: 'read', reason: 'project' } },
    );
    expect(await names(users.rep1!, 'account')).toContain('A6 shared');
    // The contacts follow (controlledByParent over a shared account).
    const refused = await rename('A6 x');
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toContain(ids.a6);
    // rep1 may read but not change it, so may not share it on either.
    const reshare = await users.rep1!.gql('mutation($i: ShareRecordInput!) { shareRecord(input: $i) { id } }', {
      i: { entity: 'account', id: ids.a6, userId: users.rep2!.userId, access: 'read' },
    });
    expect(reshare.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await h.ok('mutation($i: ShareRecordInput!) { shareRecord(input: $i) { id } }', {
      i: { entity: 'account', id: ids.a6, userId: users.rep1!.userId, access: 'edit' },
    });
    expect((await rename('A6 shared')).errors).toBeUndefined();
    const access = await h.ok<{ recordAccess: { reason: string; principalId: string; access: string }[] }>(
      'query($id: ID!) { recordAccess(entity: "account", id: $id) { reason principalId access shareId } }',
      { id: ids.a6 },
    );
    expect(access.recordAccess).toContainEqual(
      expect.objectContaining({ reason: 'share', principalId: users.rep1!.userId, access: 'edit' }),
    );
    const why = await h.ok<{ whyCanISee: { reason: string }[] }>(
      'query($id: ID!, $u: ID!) { whyCanISee(entity: "account", id: $id, userId: $u) { reason } }',
      { id: ids.a6, u: users.rep1!.userId },
    );
    expect(why.whyCanISee.map((w) => w.reason)).toEqual(['share']);
    const current = access.recordAccess.find((e) => e.reason === 'share') as unknown as { shareId: string };
    expect(share.shareRecord.access).toBe('read');
    await h.ok('mutation($id: ID!) { revokeShare(id: $id) }', { id: current.shareId });
    expect(await names(users.rep1!, 'account')).not.toContain('A6 shared');
  });

  it('an owner change takes effect on the next request', async () => {
    expect(await names(users.rep3!, 'account')).not.toContain('A6 shared');
    await h.ok('mutation($id: ID!, $o: ID!) { updateAccount(id: $id, input: { ownerId: $o }) { id } }', {
      id: ids.a6,
      o: users.rep3!.userId,
    });
    expect(await names(users.rep3!, 'account')).toContain('A6 shared');
    await h.ok('mutation($id: ID!, $o: ID!) { updateAccount(id: $id, input: { ownerId: $o }) { id } }', {
      id: ids.a6,
      o: h.userId,
    });
  });

  it('a team or hierarchy change takes effect on the next request', async () => {
    expect(await names(users.rep3!, 'account')).not.toContain('A4 team');
    await h.ok('mutation($id: ID!, $t: ID!) { updateUser(id: $id, input: { teamId: $t }) { id } }', {
      id: users.rep3!.userId,
      t: ids.team,
    });
    expect(await names(users.rep3!, 'account')).toContain('A4 team');
    await h.ok('mutation($id: ID!) { updateUser(id: $id, input: { teamId: null }) { id } }', {
      id: users.rep3!.userId,
    });
    expect(await names(users.rep3!, 'account')).not.toContain('A4 team');
  });
});

describe('writes', () => {
  type Op = 'create' | 'update' | 'delete';
  const cases: [user: string, entity: string, op: Op, target: string | null, expected: string][] = [
    ['rep1', 'account', 'update', 'a1', 'ok'],
    ['rep1', 'account', 'update', 'a3', 'ok'], // below them in the management hierarchy
    ['rep1', 'account', 'update', 'a2', 'NOT_FOUND'], // cannot read it: as if it did not exist
    ['manager', 'account', 'update', 'a2', 'ok'], // above by role
    ['rep2', 'account', 'update', 'a4', 'ok'], // team
    ['rep3', 'account', 'update', 'a5', 'ok'], // territory above the account's
    ['service', 'account', 'update', 'a1', 'FORBIDDEN'], // view all, no edit right
    ['service', 'case', 'update', 'case1', 'ok'],
    ['service', 'case', 'update', 'case2', 'NOT_FOUND'],
    ['rep1', 'case', 'create', null, 'FORBIDDEN'],
    ['nobody', 'account', 'create', null, 'FORBIDDEN'],
    ['rep1', 'account', 'create', null, 'ok'],
    ['partner', 'lead', 'update', 'l3', 'ok'],
    ['partner', 'lead', 'update', 'l4', 'NOT_FOUND'],
    ['partner', 'lead', 'delete', 'l3', 'FORBIDDEN'], // partner users have no delete on leads
    ['marketing', 'contact', 'update', 'c1', 'FORBIDDEN'], // view all contacts, not edit
    ['rep1', 'contact', 'update', 'c1', 'ok'], // follows the account they own
    ['rep2', 'opportunity', 'update', 'o1', 'NOT_FOUND'],
    ['rep1', 'opportunity', 'update', 'o1', 'ok'],
    ['rep1', 'account', 'delete', 'a3', 'ok'],
  ];
  const inputs: Record<string, string> = {
    account: '{ name: "Written" }',
    case: '{ subject: "Written", openedAt: "2026-01-05T08:00:00Z" }',
    lead: '{ lastName: "Written" }',
    contact: '{ lastName: "Written" }',
    opportunity: '{ name: "Written" }',
  };
  for (const [user, entity, op, target, expected] of cases) {
    it(`${user} ${op} ${entity}${target ? ` ${target}` : ''} → ${expected}`, async () => {
      const type = entity[0]!.toUpperCase() + entity.slice(1);
      const mutation =
        op === 'create'
          ? `mutation { create${type}(input: ${inputs[entity]}) { id } }`
          : op === 'update'
            ? `mutation($id: ID!) { update${type}(id: $id, input: ${inputs[entity]}) { id } }`
            : `mutation($id: ID!) { delete${type}(id: $id) { id } }`;
      const before = target
        ? await h.engine.db.query('select version from ws_default.' + tableOf(entity) + ' where id = $1', [ids[target]])
        : [];
      const result = await users[user]!.gql(mutation, target ? { id: ids[target] } : {});
      if (expected === 'ok') {
        expect(result.errors).toBeUndefined();
      } else {
        expect(result.errors?.[0]?.extensions?.code).toBe(expected);
        if (target) {
          const after = await h.engine.db.query(
            'select version from ws_default.' + tableOf(entity) + ' where id = $1',
            [ids[target]],
          );
          expect(after).toEqual(before); // nothing changed
        }
      }
    });
  }

  it('a created record without an owner is the creator’s, so they see it', async () => {
    const { createAccount } = await users.rep4!.ok<{ createAccount: { id: string; ownerId: string } }>(
      'mutation { createAccount(input: { name: "Rep4 new" }) { id ownerId } }',
    );
    expect(createAccount.ownerId).toBe(users.rep4!.userId);
    // and their manager sees it too
    expect(await names(users.rep1!, 'account')).toContain('Rep4 new');
  });

  it('a read-only or hidden field in the input is refused by name, before validation', async () => {
    const refused = await users.rep1!.gql(
      'mutation($id: ID!) { updateAccount(id: $id, input: { taxId: "X", name: "" }) { id } }',
      { id: ids.a1 },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toContain('account.taxId');
    expect(refused.errors?.[0]?.extensions?.issues).toEqual([{ path: 'input.taxId', message: 'is read-only for you' }]);
  });
});

describe('roles', () => {
  it('setUserRoles is audited, shows in members and viewer, and counts on the next request', async () => {
    const rep = await h.addUser({ email: 'promote@perm.test', name: 'Promote', role: 'salesRep' });
    expect(await names(rep, 'account')).toEqual([]);
    const before = await rep.ok<{ viewer: { roles: string[]; isAdmin: boolean; permissions: { system: string[] } } }>(
      '{ viewer { roles isAdmin permissions } }',
    );
    expect(before.viewer).toMatchObject({ roles: ['salesRep'], isAdmin: false, permissions: { system: [] } });
    const refused = await rep.gql('mutation($u: ID!) { setUserRoles(userId: $u, roles: ["admin"]) { roles } }', {
      u: rep.userId,
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await h.gql('mutation($u: ID!) { setUserRoles(userId: $u, roles: ["boss"]) { roles } }', {
      u: rep.userId,
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const set = await h.ok<{ setUserRoles: { roles: string[] } }>(
      'mutation($u: ID!) { setUserRoles(userId: $u, roles: ["salesManager", "marketing"]) { roles } }',
      { u: rep.userId },
    );
    expect(set.setUserRoles.roles).toEqual(['marketing', 'salesManager']);
    const after = await rep.ok<{
      viewer: { roles: string[]; permissions: { objects: { contact: { viewAll: boolean } } } };
    }>('{ viewer { roles permissions } }');
    expect(after.viewer.roles).toEqual(['marketing', 'salesManager']);
    expect(after.viewer.permissions.objects.contact.viewAll).toBe(true);
    // Above every sales rep now: their accounts (A1, A2 and the ones created in the write tests).
    expect((await names(rep, 'account')).length).toBeGreaterThanOrEqual(3);
    const { auditLog } = await h.ok<{ auditLog: { nodes: { action: string; details: unknown }[] } }>(
      '{ auditLog(filter: { action: "membership.roles" }, first: 1) { nodes { action details } } }',
    );
    expect(auditLog.nodes[0]).toEqual({
      action: 'membership.roles',
      details: { before: [], after: ['marketing', 'salesManager'] },
    });
    const { members } = await h.ok<{ members: { email: string; roles: string[] }[] }>('{ members { email roles } }');
    expect(members.find((m) => m.email === 'promote@perm.test')?.roles).toEqual(['marketing', 'salesManager']);
  });

  it('admin-only operations follow system permissions', async () => {
    const refused = await users.manager!.gql('{ members { email } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const plan = await users.manager!.gql('mutation { planMetadataChange(changes: []) { steps { kind } } }');
    expect(plan.errors?.[0]?.extensions?.code).toBeDefined();
    const planQuery = await users.manager!.gql('{ planMetadataChange(changes: []) { steps { kind } } }');
    expect(planQuery.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

function tableOf(entity: string): string {
  return entity.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
