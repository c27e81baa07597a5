// The core CRM model through the real API: every core entity is served, relations navigate both ways, and
// the demo data is deterministic — seeding size S twice with the same seed and day gives the same records,
// compared column by column with relations resolved to the content of the records they point at.
import { createHash } from 'node:crypto';
import { seedDemoData } from '@touchpoint/cli';
import { physical } from '@touchpoint/engine';
import type { EntityDefinition } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

const CORE_ENTITIES = [
  'user',
  'team',
  'territory',
  'account',
  'contact',
  'lead',
  'pipeline',
  'pipelineStage',
  'opportunity',
  'opportunityStageChange',
  'opportunityContact',
  'competitor',
  'opportunityCompetitor',
  'product',
  'priceBook',
  'priceBookEntry',
  'opportunityLine',
  'quote',
  'quoteLine',
  'order',
  'orderLine',
  'deliverySchedule',
  'paymentSchedule',
  'interaction',
  'task',
  'case',
  'caseStatusChange',
  'knowledgeArticle',
  'partner',
  'campaign',
  'campaignMember',
  'segment',
  'survey',
  'surveyDimension',
  'surveyResponse',
  'surveyScore',
];

const SEED = { size: 'S', seed: 7, anchor: '2026-06-30' } as const;
const SYSTEM = new Set(['id', 'created_at', 'updated_at', 'created_by', 'updated_by', 'version', 'deleted_at']);

let h: Harness;
let counts: Record<string, number>;

beforeAll(async () => {
  h = await startHarness();
  counts = (await seedDemoData(h.engine, { workspace: 'default', ...SEED }))!;
}, 300_000);

afterAll(async () => {
  await h?.close();
});

/**
 * One digest per table of a workspace. A row is its stored values without ids and audit columns; a
 * reference becomes the values of the record it points at, so two workspaces with different ids but the
 * same data have the same digests.
 */
async function digests(workspace: string): Promise<Record<string, { rows: number; digest: string }>> {
  const metadata = await h.engine.metadata(workspace);
  const schema = metadata.workspace.schemaName;
  const load = async (entity: EntityDefinition) =>
    h.engine.db.query<Record<string, unknown>>(`select * from ${physical.qualifiedTable(schema, entity)}`);
  const tables = new Map<string, Record<string, unknown>[]>();
  for (const entity of metadata.entities) tables.set(entity.name, await load(entity));
  const relationColumns = (entity: EntityDefinition) =>
    entity.fields
      .filter((f) => f.type === 'relation' && f.relation?.kind === 'manyToOne')
      .map((f) => ({ column: physical.relationColumn(f), target: f.relation!.target }));
  // A record's own content, with its references left out.
  const content = new Map<string, string>();
  for (const entity of metadata.entities) {
    const skip = new Set(relationColumns(entity).map((r) => r.column));
    for (const row of tables.get(entity.name)!) {
      const own = Object.keys(row)
        .filter((k) => !SYSTEM.has(k) && !skip.has(k))
        .sort()
        .map((k) => `${k}=${row[k] instanceof Date ? (row[k] as Date).toISOString() : JSON.stringify(row[k])}`);
      content.set(row.id as string, own.join('|'));
    }
  }
  const result: Record<string, { rows: number; digest: string }> = {};
  for (const entity of metadata.entities) {
    const relations = relationColumns(entity);
    const lines = tables.get(entity.name)!.map((row) => {
      const refs = relations.map((r) => `${r.column}->${row[r.column] ? content.get(row[r.column] as string) : ''}`);
      return `${content.get(row.id as string)}|${refs.join('|')}`;
    });
    for (const field of entity.fields.filter((f) => f.relation?.kind === 'manyToMany')) {
      const join = await h.engine.db.query<{ source_id: string; target_id: string }>(
        `select source_id, target_id from ${schema}.${physical.ident(physical.joinTableName(entity, field))}`,
      );
      for (const link of join)
        lines.push(`${field.name}:${content.get(link.source_id)}->${content.get(link.target_id)}`);
    }
    lines.sort();
    result[entity.name] = {
      rows: tables.get(entity.name)!.length,
      digest: createHash('sha256').update(lines.join('\n')).digest('hex'),
    };
  }
  return result;
}

describe('the core model', () => {
  it('serves every core entity through the API', async () => {
    const { entities } = await h.ok<{ entities: { name: string; fields: { name: string }[] }[] }>(
      `{ entities { name fields { name } } }`,
    );
    expect(entities.map((e) => e.name)).toEqual(expect.arrayContaining(CORE_ENTITIES));
    const fields = (name: string) => entities.find((e) => e.name === name)!.fields.map((f) => f.name);
    expect(fields('opportunity')).toEqual(
      expect.arrayContaining([
        'stage',
        'amount',
        'probability',
        'weightedAmount',
        'expectedCloseDate',
        'closedAt',
        'isWon',
      ]),
    );
    expect(fields('interaction')).toEqual(
      expect.arrayContaining(['channel', 'occurredAt', 'account', 'contact', 'lead']),
    );
  });

  it('navigates relations both ways', async () => {
    const data = await h.ok<{ accounts: { nodes: Record<string, never>[] } }>(
      `{ accounts(first: 1, filter: { name: { eq: "济南华远数控设备有限公司" } }) { nodes {
          name valueTier owner { name ownedAccounts(first: 1) { name } }
          contacts(first: 20) { mobile account { name } }
          opportunities(first: 5) { stage account { name } stageChanges(first: 10) { toStage opportunity { name } } }
          orders(first: 3) { orderNumber lines(first: 5) { product { name orderLines(first: 1) { order { orderNumber } } } } }
          cases(first: 3) { caseNumber statusChanges(first: 5) { toStatus case { caseNumber } } }
          interactions(first: 3) { channel account { name } }
        } } }`,
    );
    const [account] = data.accounts.nodes as unknown as {
      name: string;
      owner: { ownedAccounts: unknown[] };
      contacts: { mobile: string | null; account: { name: string } }[];
      opportunities: { account: { name: string }; stageChanges: { opportunity: { name: string } }[] }[];
      orders: { lines: unknown[] }[];
      cases: { caseNumber: string; statusChanges: { case: { caseNumber: string } }[] }[];
      interactions: { account: { name: string } }[];
    }[];
    expect(account).toBeDefined();
    expect(account!.owner.ownedAccounts).toHaveLength(1);
    expect(account!.contacts.map((c) => c.mobile)).toContain('13564117256');
    expect(account!.contacts.every((c) => c.account.name === account!.name)).toBe(true);
    expect(account!.opportunities.length).toBeGreaterThan(0);
    for (const o of account!.opportunities) {
      expect(o.account.name).toBe(account!.name);
      expect(o.stageChanges.length).toBeGreaterThan(0);
    }
    expect(account!.orders[0]?.lines.length).toBeGreaterThan(0);
    for (const c of account!.cases) for (const s of c.statusChanges) expect(s.case.caseNumber).toBe(c.caseNumber);
    expect(account!.interactions.every((i) => i.account.name === account!.name)).toBe(true);

    const campaigns = await h.ok<{
      campaigns: {
        nodes: {
          name: string;
          members: { campaign: { name: string } }[];
          subCampaigns: { parentCampaign: { name: string } }[];
        }[];
      };
    }>(
      `{ campaigns(first: 100) { nodes { name members(first: 3) { campaign { name } } subCampaigns { parentCampaign { name } } } } }`,
    );
    const withMembers = campaigns.campaigns.nodes.filter((c) => c.members.length > 0);
    expect(withMembers.length).toBeGreaterThan(0);
    for (const c of withMembers) expect(c.members[0]!.campaign.name).toBe(c.name);
    const parents = campaigns.campaigns.nodes.filter((c) => c.subCampaigns.length > 0);
    expect(parents.length).toBeGreaterThan(0);
    for (const c of parents) expect(c.subCampaigns[0]!.parentCampaign.name).toBe(c.name);
  });

  it('stores segment filters the API can evaluate', async () => {
    const records = h.engine.records({ workspace: 'default', actor: 'test' });
    const segments = await records.list({
      entity: 'segment',
      first: 20,
      selection: { fields: ['name', 'targetEntity', 'filter'], relations: [] },
    });
    expect(segments.nodes.length).toBeGreaterThan(0);
    for (const s of segments.nodes as { targetEntity: string; filter: Record<string, unknown> }[]) {
      const members = await records.list({
        entity: s.targetEntity,
        filter: s.filter,
        first: 5,
        selection: { fields: ['id'], relations: [] },
      });
      expect(Array.isArray(members.nodes)).toBe(true);
    }
  });
});

describe('demo data', () => {
  it('comes with demo sign-ins (password "touchpoint"); each rep of the manager owns their own accounts and deals', async () => {
    const who = async (email: string) => {
      const client = await h.signIn(email, 'touchpoint');
      const { viewer } = await client.ok<{ viewer: { id: string; role: string; roles: string[] } }>(
        '{ viewer { id role roles } }',
      );
      return { client, ...viewer };
    };
    const accounts = async (client: Awaited<ReturnType<typeof who>>['client']) =>
      (await client.ok<{ accounts: { totalCount: number } }>('{ accounts { totalCount } }')).accounts.totalCount;
    const admin = await who('admin@example.com');
    expect([admin.role, admin.roles]).toEqual(['admin', ['admin']]);
    const manager = await who('manager@example.com');
    expect([manager.role, manager.roles]).toEqual(['salesManager', ['salesManager']]);
    const service = await who('service@example.com');
    expect([service.role, service.roles]).toEqual(['serviceAgent', ['serviceAgent']]);
    expect((await who('marketing@example.com')).roles).toEqual(['marketing']);
    // The service agent works the cases of their queue (their team) and their own, not every case.
    const cases = '{ cases { totalCount } queued: cases(filter: { teamId: { isNull: false } }) { totalCount } }';
    type Cases = { cases: { totalCount: number }; queued: { totalCount: number } };
    const queue = await service.client.ok<Cases>(cases);
    const everyCase = await admin.client.ok<Cases>(cases);
    expect(queue.queued.totalCount).toBeGreaterThan(0);
    expect(queue.queued.totalCount).toBe(everyCase.queued.totalCount);
    expect(queue.cases.totalCount).toBeLessThan(everyCase.cases.totalCount);
    // The partner user sees their company's leads and deals, and nothing of anyone else's.
    const partner = await who('partner@example.com');
    expect(partner.roles).toEqual(['partnerUser']);
    const theirs = await partner.client.ok<{
      user: { partnerId: string };
      leads: { totalCount: number; nodes: { partnerId: string }[] };
      opportunities: { totalCount: number; nodes: { partnerId: string | null; ownerId: string | null }[] };
    }>(
      `query($me: ID!) { user(id: $me) { partnerId } leads(first: 100) { totalCount nodes { partnerId } }
         opportunities(first: 100) { totalCount nodes { partnerId ownerId } } }`,
      { me: partner.id },
    );
    expect(theirs.leads.totalCount).toBeGreaterThan(0);
    expect(theirs.opportunities.totalCount).toBeGreaterThan(0);
    expect(new Set(theirs.leads.nodes.map((l) => l.partnerId))).toEqual(new Set([theirs.user.partnerId]));
    // Each rep sees less than the manager above them, the manager less than the administrator.
    const everything = await accounts(admin.client);
    const managerSees = await accounts(manager.client);
    expect(managerSees).toBeLessThan(everything);
    const owned = new Map<string, { accounts: number; opportunities: number }>();
    for (const email of ['rep1@example.com', 'rep2@example.com']) {
      const rep = await who(email);
      expect(rep.role).toBe('salesRep');
      const mine = await rep.client.ok<{
        user: { managerId: string };
        accounts: { totalCount: number };
        opportunities: { totalCount: number };
      }>(
        `query($me: ID!) { user(id: $me) { managerId }
           accounts(filter: { ownerId: { eq: $me } }) { totalCount }
           opportunities(filter: { ownerId: { eq: $me } }) { totalCount } }`,
        { me: rep.id },
      );
      expect(mine.user.managerId).toBe(manager.id);
      expect(mine.accounts.totalCount).toBeGreaterThan(0);
      expect(mine.opportunities.totalCount).toBeGreaterThan(0);
      owned.set(rep.id, { accounts: mine.accounts.totalCount, opportunities: mine.opportunities.totalCount });
      expect(await accounts(rep.client)).toBeLessThan(managerSees);
    }
    expect(owned.size).toBe(2);
  });

  it('has the size and spread the reports need', async () => {
    expect(counts.accounts).toBe(1000);
    expect(counts.contacts).toBeGreaterThan(4500);
    expect(counts.interactions).toBeGreaterThan(9000);
    for (const name of [
      'users',
      'opportunities',
      'opportunityStageChanges',
      'orders',
      'orderLines',
      'cases',
      'caseStatusChanges',
      'leads',
      'campaignMembers',
      'surveyResponses',
      'surveyScores',
      'tasks',
    ]) {
      expect(counts[name], name).toBeGreaterThan(0);
    }
    const rows = await h.engine.db.query<Record<string, string>>(
      `select (select count(*) from ws_default.account)::int as accounts,
              (select count(distinct stage) from ws_default.opportunity)::int as stages,
              (select count(distinct channel) from ws_default.interaction)::int as channels,
              (select count(*) from ws_default."case" where resolved_at > sla_due_at)::int as breached,
              (select count(*) from ws_default.lead where status = 'converted' and converted_account_id is not null)::int as converted,
              (select count(distinct extract(year from order_date)) from ws_default."order")::int as years`,
    );
    expect(rows[0]).toMatchObject({ accounts: 1000, channels: 11 });
    expect(Number(rows[0]!.stages)).toBeGreaterThanOrEqual(8);
    expect(Number(rows[0]!.breached)).toBeGreaterThan(0);
    expect(Number(rows[0]!.converted)).toBeGreaterThan(0);
    expect(Number(rows[0]!.years)).toBe(4);
  });

  it('leaves the planner statistics of every table it filled', async () => {
    const rows = await h.engine.db.query<{ table: string; analyzed: boolean }>(
      `select c.relname as table, exists (select 1 from pg_stats s where s.schemaname = 'ws_default' and s.tablename = c.relname) as analyzed
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'ws_default' and c.relkind = 'r' and c.relname in ('account', 'contact', 'interaction', 'case_status_change')`,
    );
    expect(rows).toHaveLength(4);
    expect(rows.filter((r) => !r.analyzed)).toEqual([]);
  });

  it('is the same data for the same seed and day', async () => {
    await h.ok(`mutation { createWorkspace(slug: "twin", name: "Twin") { slug } }`);
    const again = await seedDemoData(h.engine, { workspace: 'twin', ...SEED });
    expect(again).toEqual(counts);
    const [first, second] = [await digests('default'), await digests('twin')];
    expect(Object.keys(first).sort()).toEqual(expect.arrayContaining(CORE_ENTITIES));
    for (const name of CORE_ENTITIES) expect(second[name], name).toEqual(first[name]);
    for (const [name, plural] of [
      ['account', 'accounts'],
      ['interaction', 'interactions'],
      ['opportunityStageChange', 'opportunityStageChanges'],
    ] as const) {
      expect(first[name]!.rows).toBe(counts[plural]);
    }
    // The digests do see a difference: one changed subject changes the interactions', nothing else.
    const records = h.engine.records({ workspace: 'twin', actor: 'test' });
    const [touch] = (
      await records.list({ entity: 'interaction', first: 1, selection: { fields: ['id'], relations: [] } })
    ).nodes as { id: string }[];
    await records.update('interaction', touch!.id, { subject: 'changed' });
    const changed = await digests('twin');
    expect(changed.interaction!.digest).not.toBe(first.interaction!.digest);
    expect(changed.account).toEqual(first.account);
  }, 300_000);

  it('leaves a workspace that has accounts alone when asked to', async () => {
    expect(await seedDemoData(h.engine, { workspace: 'default', ...SEED, onlyIfEmpty: true })).toBeNull();
  });
});
