// Lead conversion: one transaction that creates or matches the account, contact and opportunity, marks the
// lead converted and moves every touchpoint; refused conversions change nothing at all.
import type { RecordEvent } from '@touchpoint/engine';
import { TouchpointError } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, type Fixture, money, startFixture } from './fixture.ts';

let fx: Fixture;
const id: Record<string, string> = {};

beforeAll(async () => {
  fx = await startFixture();
  const c = fx.create;
  id.U = await c('user', { name: 'Sales rep', email: 'rep@x.cn' });
  id.P = await c('pipeline', { name: 'Expansion', type: 'expansion', isDefault: true });
  id.P2 = await c('pipeline', { name: 'Project', type: 'project' });
  await fx.createMany('pipelineStage', [
    { pipeline: id.P, name: 'Needs', stage: 'needsAnalysis', sortOrder: 1, probability: '25' },
    { pipeline: id.P, name: 'Won', stage: 'closedWon', sortOrder: 0, probability: '100', isClosed: true, isWon: true },
    { pipeline: id.P, name: 'Proposal', stage: 'proposal', sortOrder: 2, probability: '50' },
  ]);
  id.K = await c('campaign', { name: 'CIMT 2026', type: 'tradeShow' });
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

const read = (entity: string, rid: string, fields: string[]) =>
  fx.engine.records({ workspace: 'default', actor: 't' }).get(entity, rid, { fields, relations: [] }) as Promise<
    Record<string, unknown>
  >;

describe('convertLead', () => {
  it('creates account, contact and opportunity from the lead and moves every touchpoint onto them', async () => {
    const c = fx.create;
    const lead = await c('lead', {
      firstName: '伟',
      lastName: '王',
      company: '新大陆机床有限公司',
      email: 'wang@xdl.cn',
      mobile: '13900001111',
      title: '采购经理',
      industry: 'manufacturing',
      city: '济南',
      source: 'tradeShow',
      campaign: id.K,
      owner: id.U,
      annualRevenue: money(8000000),
    });
    const other = await c('lead', { lastName: 'Other' });
    const i1 = await c('interaction', {
      subject: 'Booth visit',
      channel: 'event',
      occurredAt: '2026-03-01T10:00:00Z',
      lead,
    });
    const i2 = await c('interaction', {
      subject: 'Call back',
      channel: 'phone',
      occurredAt: '2026-03-03T10:00:00Z',
      lead,
    });
    const i3 = await c('interaction', {
      subject: 'Not theirs',
      channel: 'phone',
      occurredAt: '2026-03-03T10:00:00Z',
      lead: other,
    });
    const t1 = await c('task', { subject: 'Send brochure', dueAt: '2026-03-05T00:00:00Z', lead });
    const m1 = await c('campaignMember', {
      campaign: id.K,
      lead,
      status: 'responded',
      respondedAt: '2026-03-01T10:00:00Z',
    });
    const events: RecordEvent[] = [];
    const stop = fx.engine.events.subscribe('*', (e) => void events.push(e));

    const result = await fx
      .crm('rep')
      .convertLead(lead, { opportunity: { amount: money(50000), expectedCloseDate: '2026-06-30' } });
    stop();
    expect(result).toMatchObject({
      leadId: lead,
      created: { account: true, contact: true, opportunity: true },
      moved: { interactions: 2, tasks: 1, campaignMembers: 1 },
    });
    expect(
      await read('account', result.accountId, [
        'name',
        'industry',
        'city',
        'source',
        'sourceCampaignId',
        'ownerId',
        'lifecycleStage',
        'annualRevenue',
        'createdBy',
      ]),
    ).toMatchObject({
      name: '新大陆机床有限公司',
      industry: 'manufacturing',
      city: '济南',
      source: 'tradeShow',
      sourceCampaignId: id.K,
      ownerId: id.U,
      lifecycleStage: 'opportunity',
      annualRevenue: { amount: '8000000.00', currency: 'CNY' },
      createdBy: 'rep',
    });
    expect(
      await read('contact', result.contactId, ['firstName', 'lastName', 'email', 'mobile', 'title', 'accountId']),
    ).toEqual({
      firstName: '伟',
      lastName: '王',
      email: 'wang@xdl.cn',
      mobile: '13900001111',
      title: '采购经理',
      accountId: result.accountId,
    });
    expect(
      await read('opportunity', result.opportunityId!, [
        'name',
        'pipelineId',
        'stage',
        'probability',
        'campaignId',
        'amount',
        'accountId',
        'contactId',
        'expectedCloseDate',
      ]),
    ).toEqual({
      name: '新大陆机床有限公司',
      pipelineId: id.P,
      stage: 'needsAnalysis', // the default pipeline's first open stage, with its probability
      probability: '25.00',
      campaignId: id.K,
      amount: { amount: '50000.00', currency: 'CNY' },
      accountId: result.accountId,
      contactId: result.contactId,
      expectedCloseDate: '2026-06-30',
    });
    expect(
      await read('lead', lead, ['status', 'convertedAccountId', 'convertedContactId', 'convertedOpportunityId']),
    ).toEqual({
      status: 'converted',
      convertedAccountId: result.accountId,
      convertedContactId: result.contactId,
      convertedOpportunityId: result.opportunityId,
    });
    for (const x of [i1, i2]) {
      expect(await read('interaction', x, ['leadId', 'contactId', 'accountId', 'updatedBy', 'version'])).toEqual({
        leadId: lead,
        contactId: result.contactId,
        accountId: result.accountId,
        updatedBy: 'rep',
        version: 2,
      });
    }
    expect(await read('interaction', i3, ['contactId', 'version'])).toEqual({ contactId: null, version: 1 });
    expect(await read('task', t1, ['contactId', 'accountId'])).toEqual({
      contactId: result.contactId,
      accountId: result.accountId,
    });
    expect(await read('campaignMember', m1, ['contactId', 'leadId'])).toEqual({
      contactId: result.contactId,
      leadId: lead,
    });
    // Every touchpoint is on the new customer's timeline: the open task in the upcoming part, the rest in history.
    const history = await fx.crm().timeline({ entity: 'account', id: result.accountId });
    const upcoming = await fx.crm().timeline({ entity: 'account', id: result.accountId, part: 'upcoming' });
    expect(new Set(history.items.map((i) => i.id))).toEqual(new Set([i1, i2, m1]));
    expect(upcoming.items.map((i) => i.id)).toEqual([t1]);
    // Events after the commit: the created records, the lead, and each moved touchpoint.
    expect(events.filter((e) => e.type === 'record.created').map((e) => e.entity)).toEqual([
      'account',
      'contact',
      'opportunity',
    ]);
    expect(events.filter((e) => e.type === 'record.updated').map((e) => [e.entity, e.changed.join(',')])).toEqual(
      expect.arrayContaining([
        ['lead', 'status,convertedAt,convertedAccount,convertedContact,convertedOpportunity'],
        ['interaction', 'contact,account'],
        ['task', 'contact,account'],
        ['campaignMember', 'contact'],
      ]),
    );

    const before = await fx.snapshot();
    const error = await expectError(fx.crm().convertLead(lead), 'CONFLICT', ['leadId']);
    expect(error.message).toContain('already converted');
    expect(await fx.snapshot()).toEqual(before);
  });

  it('moves the touchpoints through the record service: a registered hook sees, changes and can refuse each write', async () => {
    const c = fx.create;
    const lead = await c('lead', { firstName: 'Hu', lastName: 'Hooked', company: 'Hook Works' });
    const i1 = await c('interaction', { subject: 'Met', channel: 'phone', occurredAt: '2026-03-01T10:00:00Z', lead });
    const t1 = await c('task', { subject: 'Follow up', dueAt: '2026-03-05T00:00:00Z', lead });
    const m1 = await c('campaignMember', { campaign: id.K, lead, status: 'targeted' });
    const seen: { entity: string; id: string | undefined; actor: string; fields: string[] }[] = [];
    let refuseTasks = false;
    const unregister = fx.engine.hooks.register({
      name: 'watch conversion',
      beforeUpdate({ context, entity, id: rid, values }) {
        seen.push({ entity: entity.name, id: rid, actor: context.actor, fields: Object.keys(values).sort() });
        if (entity.name === 'interaction') values.subject = 'Met (moved by conversion)';
        if (refuseTasks && entity.name === 'task') {
          throw new TouchpointError('VALIDATION_FAILED', 'Tasks are frozen', {
            issues: [{ path: 'contact', message: 'tasks are frozen this week' }],
          });
        }
      },
    });
    try {
      // A hook that refuses one write refuses the whole conversion, and nothing changes.
      refuseTasks = true;
      const before = await fx.snapshot();
      const error = await expectError(fx.crm('rep').convertLead(lead), 'VALIDATION_FAILED', [
        'task.updates[0].values.contact',
      ]);
      expect(error.message).toContain('task');
      expect(await fx.snapshot()).toEqual(before);

      refuseTasks = false;
      seen.length = 0;
      const result = await fx.crm('rep').convertLead(lead, { createOpportunity: false });
      expect(result.moved).toEqual({ interactions: 1, tasks: 1, campaignMembers: 1 });
      expect(seen).toEqual(
        expect.arrayContaining([
          { entity: 'interaction', id: i1, actor: 'rep', fields: ['account', 'contact'] },
          { entity: 'task', id: t1, actor: 'rep', fields: ['account', 'contact'] },
          { entity: 'campaignMember', id: m1, actor: 'rep', fields: ['contact'] },
        ]),
      );
      // What the hook set is written with the move, with the audit columns of any update.
      expect(await read('interaction', i1, ['subject', 'contactId', 'updatedBy', 'version'])).toEqual({
        subject: 'Met (moved by conversion)',
        contactId: result.contactId,
        updatedBy: 'rep',
        version: 2,
      });
    } finally {
      unregister();
    }
  });

  it('matches the account by company name and the contact by e-mail, and can skip the opportunity', async () => {
    const account = await fx.create('account', { name: 'Acme Machining', lifecycleStage: 'customer' });
    const contact = await fx.create('contact', { firstName: 'Ann', lastName: 'Lee', email: 'ann@acme.com' });
    const lead = await fx.create('lead', {
      firstName: 'Ann',
      lastName: 'Lee',
      company: '  acme machining ',
      email: 'ANN@acme.com',
    });
    const result = await fx.crm().convertLead(lead, { createOpportunity: false });
    expect(result).toMatchObject({
      accountId: account,
      contactId: contact,
      opportunityId: null,
      created: { account: false, contact: false, opportunity: false },
    });
    expect(await read('contact', contact, ['accountId'])).toEqual({ accountId: account }); // it had none
    expect(await read('account', account, ['lifecycleStage'])).toEqual({ lifecycleStage: 'customer' }); // untouched
  });

  it('applies the caller’s field mapping', async () => {
    const lead = await fx.create('lead', {
      firstName: 'Bo',
      lastName: 'Xu',
      company: 'Mapping Co',
      title: 'CTO',
      mobile: '13800000000',
      description: 'Met at CIMT',
    });
    const result = await fx.crm().convertLead(lead, {
      createOpportunity: false,
      fieldMapping: {
        contact: { title: null, wechat: 'mobile', notes: 'description' },
        account: { description: 'description' },
      },
    });
    expect(await read('contact', result.contactId, ['title', 'wechat', 'notes'])).toEqual({
      title: null,
      wechat: '13800000000',
      notes: 'Met at CIMT',
    });
    expect(await read('account', result.accountId, ['description'])).toEqual({ description: 'Met at CIMT' });
  });

  it('refuses bad input, naming every problem, and changes nothing', async () => {
    const lead = await fx.create('lead', { lastName: 'Zhou', company: 'Zhou Ltd', email: 'zhou@z.cn' });
    const before = await fx.snapshot();
    // The lead has no first name, which a contact needs: the error says so, and how to give one.
    const noName = await expectError(fx.crm().convertLead(lead), 'VALIDATION_FAILED', ['contact.firstName']);
    expect(noName.message).toContain('would write a contact that is not valid');
    await expectError(
      fx.crm().convertLead('nope', {
        accountId: 'bad',
        createOpportunity: false,
        opportunity: { amount: money(1) },
        fieldMapping: {
          contact: { nickname: 'lastName', account: 'company', fullName: 'company', email: 'employees' },
          partner: {},
        },
      }),
      'VALIDATION_FAILED',
      [
        'leadId',
        'accountId',
        'opportunity',
        'fieldMapping.contact.nickname',
        'fieldMapping.contact.account',
        'fieldMapping.contact.fullName',
        'fieldMapping.contact.email',
        'fieldMapping.partner',
      ],
    );
    await expectError(
      fx.crm().convertLead(lead, { opportunity: { account: id.P, pipeline: 'p1' } }),
      'VALIDATION_FAILED',
      ['opportunity.account', 'opportunity.pipeline'],
    );
    await expectError(fx.crm().convertLead('00000000-0000-4000-8000-000000000000'), 'NOT_FOUND', ['leadId']);
    await expectError(fx.crm().convertLead(lead, { accountId: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND', [
      'accountId',
    ]);
    // Fails only at the opportunity, after the account and contact were written: all of it rolls back.
    const named = { contact: { firstName: '周' } };
    await expectError(
      fx.crm().convertLead(lead, { ...named, opportunity: { stage: 'nonsense', probability: '150' } }),
      'VALIDATION_FAILED',
      ['opportunity.stage', 'opportunity.probability'],
    );
    await expectError(fx.crm().convertLead(lead, { ...named, opportunity: { pipeline: id.K } }), 'VALIDATION_FAILED', [
      'opportunity.pipeline',
    ]);
    expect(await fx.snapshot()).toEqual(before);
  });

  it('refuses an ambiguous company and a contact of another account, changing nothing', async () => {
    await fx.create('account', { name: 'Twin Co' });
    await fx.create('account', { name: 'twin co' });
    const lead = await fx.create('lead', { lastName: 'Tan', company: 'Twin Co' });
    const elsewhere = await fx.create('account', { name: 'Elsewhere' });
    const theirs = await fx.create('contact', { firstName: 'X', lastName: 'Y', account: elsewhere });
    const mine = await fx.create('account', { name: 'Mine' });
    const before = await fx.snapshot();
    const error = await expectError(fx.crm().convertLead(lead), 'CONFLICT', ['accountId']);
    expect(error.message).toContain('2 accounts are named "Twin Co"');
    await expectError(fx.crm().convertLead(lead, { accountId: mine, contactId: theirs }), 'VALIDATION_FAILED', [
      'contactId',
    ]);
    expect(await fx.snapshot()).toEqual(before);
  });
});
