// Lead conversion: in ONE transaction, find or create the account and contact the lead becomes, create an
// opportunity, mark the lead converted, and move the lead's touchpoints (interactions, tasks, campaign
// memberships) onto the contact and account. Every record is written through the record service
// (validation, hooks, audit columns, events); the touchpoint moves through its set-based `updateMany`, so
// plugin hooks see them like any other write. Reads go through the transaction's scoped reader. Any failure
// rolls everything back.
import { type Engine, MAX_BATCH, type RecordService, type RequestContext, recordTransaction } from '@touchpoint/engine';
import { isTouchpointError, TouchpointError, validationFailed } from '@touchpoint/schema';
import { type ConvertTarget, mappedValues, readKey, resolveMapping } from './convert-lead-mapping.ts';
import { REQUIREMENTS } from './features.ts';
import { type CrmModel, crmReads } from './model.ts';
import { Checks, notFound } from './sql.ts';

export interface ConvertLeadInput {
  /** Convert into this existing account instead of finding or creating one. */
  accountId?: string | null;
  /** Convert into this existing contact instead of finding (by e-mail) or creating one. */
  contactId?: string | null;
  /** Create an opportunity (default true). */
  createOpportunity?: boolean | null;
  /** Values of the opportunity in record-service form (`pipeline`, `stage`, `amount`, `name`, …). */
  opportunity?: Record<string, unknown> | null;
  /** Values for a created account, over the mapped ones (ignored when an account is matched or given). */
  account?: Record<string, unknown> | null;
  /** Values for a created contact, over the mapped ones, e.g. `{ firstName }` for a lead without one. */
  contact?: Record<string, unknown> | null;
  /** Changes to the default field mapping: `{ contact: { wechat: 'imHandle', title: null } }`. */
  fieldMapping?: unknown;
}

export interface ConvertLeadResult {
  leadId: string;
  accountId: string;
  contactId: string;
  opportunityId: string | null;
  created: { account: boolean; contact: boolean; opportunity: boolean };
  moved: { interactions: number; tasks: number; campaignMembers: number };
}

export const CONVERTED_STATUS = 'converted';

/** Runs a record-service write and names the target in any validation problem (`contact.firstName`). */
async function writing<T>(target: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isTouchpointError(error) || error.code !== 'VALIDATION_FAILED' || error.issues.length === 0) throw error;
    throw validationFailed(
      `Converting the lead would write a ${target} that is not valid:`,
      error.issues.map((i) => ({ ...i, path: `${target}.${i.path.replace(/^input\.?/, '')}` })),
    );
  }
}

export async function convertLead(
  engine: Engine,
  context: RequestContext,
  m: CrmModel,
  leadId: string,
  input: ConvertLeadInput = {},
): Promise<ConvertLeadResult> {
  m.require('Lead conversion', REQUIREMENTS.convertLead);
  const now = engine.clock.now().toISOString();
  const checks = new Checks();
  const id = checks.id('leadId', leadId, true);
  const accountId = checks.id('accountId', input.accountId);
  const contactId = checks.id('contactId', input.contactId);
  const createOpportunity = input.createOpportunity ?? true;
  if (typeof createOpportunity !== 'boolean') checks.add('createOpportunity', 'must be true or false');
  if (createOpportunity)
    m.require('Creating an opportunity from a lead', { opportunity: ['account', 'contact', 'pipeline', 'stage'] });
  const opportunity = input.opportunity ?? {};
  if (typeof opportunity !== 'object' || Array.isArray(opportunity))
    checks.add('opportunity', 'must be an object of opportunity values');
  else if (!createOpportunity && Object.keys(opportunity).length > 0)
    checks.add('opportunity', 'is given but createOpportunity is false');
  else {
    for (const key of ['account', 'contact'])
      if (key in opportunity) checks.add(`opportunity.${key}`, 'is set by the conversion itself');
    checks.id('opportunity.pipeline', (opportunity as Record<string, unknown>).pipeline);
  }
  for (const key of ['account', 'contact'] as const) {
    const given = input[key];
    if (given != null && (typeof given !== 'object' || Array.isArray(given)))
      checks.add(key, `must be an object of ${key} values`);
  }
  if (input.contact && 'account' in input.contact) checks.add('contact.account', 'is set by the conversion itself');
  const mapping = resolveMapping(m, checks, input.fieldMapping);
  checks.done('The lead cannot be converted:');

  const name = (target: string) => m.entity(target)!.name;
  const col = (target: string, field: string) => m.col('t', target, field);
  return recordTransaction(engine, context, async ({ records, reader }) => {
    // The same model, its reads run in the transaction (they see its writes and take its locks).
    const tm = crmReads(reader);
    const sql = tm.sql;
    const [locked] = await sql.query(`select t.id from ${tm.table('lead')} t where t.id = $1 for update`, [id]);
    if (!locked) throw notFound('lead', id!, 'leadId');
    const leadFields = new Set([
      'status',
      'convertedAt',
      'convertedAccount',
      'company',
      'firstName',
      'lastName',
      'email',
    ]);
    for (const target of Object.values(mapping)) for (const pair of target.pairs) leadFields.add(pair.from.name);
    const lead = (await records.get(name('lead'), id!, {
      fields: [...leadFields]
        .map((f) => m.field('lead', f))
        .filter((f) => f !== undefined)
        .map(readKey),
      relations: [],
    }))!;
    const convertedAccount = lead[readKey(m.field('lead', 'convertedAccount')!)];
    if (lead[m.field('lead', 'status')!.name] === CONVERTED_STATUS || lead[m.field('lead', 'convertedAt')!.name]) {
      throw new TouchpointError(
        'CONFLICT',
        `Lead ${id} is already converted${convertedAccount ? ` (into account ${convertedAccount})` : ''}; a lead converts once.`,
        {
          issues: [{ path: 'leadId', message: 'is already converted' }],
          details: {
            convertedAccountId: convertedAccount ?? null,
            convertedAt: lead[m.field('lead', 'convertedAt')!.name] ?? null,
          },
        },
      );
    }

    // The contact: the one given, else the live contact with the lead's e-mail.
    const email = lead[m.field('lead', 'email')!.name];
    let contact: { id: string; account: string | null } | undefined;
    if (contactId) {
      [contact] = await sql.query(
        `select t.id, ${col('contact', 'account')} as account from ${tm.table('contact')} t where t.id = $1`,
        [contactId],
      );
      if (!contact) throw notFound('contact', contactId, 'contactId');
    } else if (typeof email === 'string') {
      [contact] = await sql.query(
        `select t.id, ${col('contact', 'account')} as account from ${tm.table('contact')} t where lower(${col('contact', 'email')}) = lower($1) order by t.created_at limit 1`,
        [email],
      );
    }
    if (contact && accountId && contact.account && contact.account !== accountId) {
      throw validationFailed('The lead cannot be converted:', [
        {
          path: contactId ? 'contactId' : 'accountId',
          message: `contact ${contact.id}${contactId ? '' : ` (same e-mail as the lead)`} belongs to account ${contact.account}, not to ${accountId}`,
        },
      ]);
    }

    // The account: the one given, else the contact's, else the one live account named like the lead's company.
    let account = accountId ?? contact?.account ?? undefined;
    if (accountId) {
      const [found] = await sql.query(`select t.id from ${tm.table('account')} t where t.id = $1`, [accountId]);
      if (!found) throw notFound('account', accountId, 'accountId');
    }
    const company = lead[m.field('lead', 'company')!.name];
    if (!account && typeof company === 'string' && company.trim() !== '') {
      const same = await sql.query<{ id: string; name: string }>(
        `select t.id, ${col('account', 'name')} as name from ${tm.table('account')} t where lower(btrim(${col('account', 'name')})) = lower(btrim($1)) order by t.created_at limit 6`,
        [company],
      );
      if (same.length > 1) {
        throw new TouchpointError(
          'CONFLICT',
          `${same.length > 5 ? 'More than 5' : same.length} accounts are named "${company}"; pass accountId to say which one the lead converts into.`,
          {
            issues: [
              {
                path: 'accountId',
                message: "is needed: several accounts match the lead's company",
                allowed: same.slice(0, 5).map((a) => a.id),
              },
            ],
            details: { candidates: same.slice(0, 5) },
          },
        );
      }
      account = same[0]?.id;
    }
    const created = { account: false, contact: false, opportunity: false };
    if (!account) {
      const values = { ...mappedValues(mapping.account.pairs, lead), ...input.account };
      const nameField = m.field('account', 'name')!.name;
      if (!values[nameField])
        values[nameField] = [
          lead[m.field('lead', 'lastName')?.name ?? ''],
          lead[m.field('lead', 'firstName')?.name ?? ''],
        ]
          .filter(Boolean)
          .join('');
      const stage = m.field('account', 'lifecycleStage');
      if (stage) values[stage.name] = createOpportunity ? 'opportunity' : 'qualified';
      account = (await writing('account', () => records.create(name('account'), values))).id;
      created.account = true;
    }
    const accountField = m.field('contact', 'account')!.name;
    if (!contact) {
      const values = { ...mappedValues(mapping.contact.pairs, lead), ...input.contact, [accountField]: account };
      contact = { id: (await writing('contact', () => records.create(name('contact'), values))).id, account };
      created.contact = true;
    } else if (!contact.account) {
      await writing('contact', () => records.update(name('contact'), contact!.id, { [accountField]: account }));
    }

    let opportunityId: string | null = null;
    if (createOpportunity) {
      opportunityId = await createOpportunityFor(
        tm,
        records,
        lead,
        mapping.opportunity.pairs,
        opportunity as Record<string, unknown>,
        account,
        contact.id,
        now,
      );
      created.opportunity = true;
    }
    const leadValues: Record<string, unknown> = {
      [m.field('lead', 'status')!.name]: CONVERTED_STATUS,
      [m.field('lead', 'convertedAt')!.name]: now,
      [m.field('lead', 'convertedAccount')!.name]: account,
      [m.field('lead', 'convertedContact')!.name]: contact.id,
      ...(opportunityId ? { [m.field('lead', 'convertedOpportunity')!.name]: opportunityId } : {}),
    };
    await writing('lead', () => records.update(name('lead'), id!, leadValues));
    const moved = await moveTouchpoints(tm, records, id!, account, contact.id);
    return { leadId: id!, accountId: account, contactId: contact.id, opportunityId, created, moved };
  });
}

async function createOpportunityFor(
  m: CrmModel,
  records: RecordService,
  lead: Record<string, unknown>,
  pairs: Parameters<typeof mappedValues>[0],
  given: Record<string, unknown>,
  account: string,
  contact: string,
  now: string,
): Promise<string> {
  const f = (field: string) => m.field('opportunity', field)!.name;
  const values: Record<string, unknown> = {
    ...mappedValues(pairs, lead),
    ...given,
    [f('account')]: account,
    [f('contact')]: contact,
  };
  const nameField = m.field('opportunity', 'name');
  if (nameField && !values[nameField.name]) {
    values[nameField.name] = String(
      lead[m.field('lead', 'company')!.name] ||
        [lead[m.field('lead', 'lastName')?.name ?? ''], lead[m.field('lead', 'firstName')?.name ?? '']]
          .filter(Boolean)
          .join(''),
    );
  }
  if (!values[f('pipeline')]) {
    // The default pipeline, else the only one.
    const isDefault = m.field('pipeline', 'isDefault')
      ? `coalesce(${m.col('t', 'pipeline', 'isDefault')}, false)`
      : 'false';
    const active = m.field('pipeline', 'active') ? `coalesce(${m.col('t', 'pipeline', 'active')}, true)` : 'true';
    const pipelines = await m.sql.query<{ id: string; isDefault: boolean }>(
      `select t.id, ${isDefault} as "isDefault" from ${m.table('pipeline')} t where ${active}
       order by 2 desc, t.created_at, t.id limit 2`,
    );
    const chosen = pipelines[0]?.isDefault || pipelines.length === 1 ? pipelines[0] : undefined;
    if (!chosen) {
      throw validationFailed('The lead cannot be converted:', [
        {
          path: 'opportunity.pipeline',
          message:
            pipelines.length === 0
              ? 'is needed, and this workspace has no active pipeline'
              : 'is needed: there are several pipelines and none is the default',
        },
      ]);
    }
    values[f('pipeline')] = chosen.id;
  }
  if (
    !values[f('stage')] &&
    m.supports({ pipelineStage: ['pipeline', 'stage', 'sortOrder', 'probability', 'isClosed'] })
  ) {
    // The pipeline's first open stage, with its default probability.
    const [first] = await m.sql.query<{ stage: string; probability: string | null }>(
      `select ${m.col('t', 'pipelineStage', 'stage')} as stage, ${m.col('t', 'pipelineStage', 'probability')}::text as probability
       from ${m.table('pipelineStage')} t where ${m.col('t', 'pipelineStage', 'pipeline')} = $1::uuid
         and not coalesce(${m.col('t', 'pipelineStage', 'isClosed')}, false)
       order by ${m.col('t', 'pipelineStage', 'sortOrder')}, t.id limit 1`,
      [values[f('pipeline')]],
    );
    if (first) {
      values[f('stage')] = first.stage;
      const probability = m.field('opportunity', 'probability');
      if (probability && values[probability.name] === undefined && first.probability !== null) {
        values[probability.name] = first.probability;
      }
    }
  }
  const openedAt = m.field('opportunity', 'openedAt');
  if (openedAt && !values[openedAt.name]) values[openedAt.name] = now;
  return (await writing('opportunity', () => records.create(m.entity('opportunity')!.name, values))).id;
}

/**
 * Moves the lead's live touchpoints onto the contact and account: where an interaction or task has no
 * contact or account yet it gets the conversion's; a campaign membership moves to the contact unless the
 * contact is already a member of that campaign (one membership each). Read through the scope, written
 * through `records.updateMany` (hooks, audit columns, events), MAX_BATCH rows a statement.
 */
async function moveTouchpoints(
  m: CrmModel,
  records: RecordService,
  lead: string,
  account: string,
  contact: string,
): Promise<ConvertLeadResult['moved']> {
  const moved = { interactions: 0, tasks: 0, campaignMembers: 0 };
  const move = async (entity: string, updates: { id: string; values: Record<string, unknown> }[]) => {
    for (let start = 0; start < updates.length; start += MAX_BATCH) {
      await writing(entity, () => records.updateMany(m.entity(entity)!.name, updates.slice(start, start + MAX_BATCH)));
    }
    return updates.length;
  };
  for (const [entity, key] of [
    ['interaction', 'interactions'],
    ['task', 'tasks'],
  ] as const) {
    if (!m.supports({ [entity]: ['lead', 'contact', 'account'] })) continue;
    const c = (f: string) => m.col('t', entity, f);
    const rows = await m.sql.query<{ id: string; contact: string | null; account: string | null }>(
      `select t.id, ${c('contact')} as contact, ${c('account')} as account from ${m.table(entity)} t
       where ${c('lead')} = $1::uuid and (${c('contact')} is null or ${c('account')} is null) order by t.id`,
      [lead],
    );
    const contactField = m.field(entity, 'contact')!.name;
    const accountField = m.field(entity, 'account')!.name;
    moved[key] = await move(
      entity,
      rows.map((r) => ({
        id: r.id,
        values: {
          ...(r.contact === null ? { [contactField]: contact } : {}),
          ...(r.account === null ? { [accountField]: account } : {}),
        },
      })),
    );
  }
  if (m.supports({ campaignMember: ['lead', 'contact', 'campaign'] })) {
    const c = (alias: string, f: string) => m.col(alias, 'campaignMember', f);
    const rows = await m.sql.query<{ id: string }>(
      `select t.id from ${m.table('campaignMember')} t
       where ${c('t', 'lead')} = $1::uuid and ${c('t', 'contact')} is null
         and not exists (select 1 from ${m.table('campaignMember')} o where ${c('o', 'campaign')} = ${c('t', 'campaign')} and ${c('o', 'contact')} = $2::uuid)
       order by t.id`,
      [lead, contact],
    );
    const contactField = m.field('campaignMember', 'contact')!.name;
    moved.campaignMembers = await move(
      'campaignMember',
      rows.map((r) => ({ id: r.id, values: { [contactField]: contact } })),
    );
  }
  return moved;
}

export type { ConvertTarget };
