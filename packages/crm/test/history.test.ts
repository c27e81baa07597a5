// Stage and status history written from record events, as `system`, in batches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmBehaviour, installCrmBehaviour, syncHistoryLinks } from '../src/index.ts';
import { type Fixture, money, startFixture } from './fixture.ts';

let fx: Fixture;
let behaviour: CrmBehaviour;
let pipeline: string;

beforeAll(async () => {
  fx = await startFixture();
  behaviour = installCrmBehaviour(fx.engine);
  pipeline = await fx.create('pipeline', { name: 'P', type: 'expansion' });
}, 120_000);

afterAll(async () => {
  behaviour?.();
  await fx?.close();
});

const history = async (table: string, link: string, id: string) =>
  fx.engine.db.query<Record<string, unknown>>(
    `select * from ws_default.${table} where ${link}_id = $1 and deleted_at is null order by changed_at, created_at`,
    [id],
  );

describe('stage and status history', () => {
  it('records the first stage on create and each change on update, not other edits', async () => {
    const user = await fx.create('user', { name: 'Rep', email: 'rep@x.cn' });
    const records = fx.engine.records({ workspace: 'default', actor: user });
    const { id } = await records.create('opportunity', {
      name: 'Deal',
      pipeline,
      stage: 'prospecting',
      amount: money(1000),
      probability: '10',
    });
    await records.update('opportunity', id, { stage: 'proposal', probability: '50' });
    await records.update('opportunity', id, { name: 'Deal renamed' });
    await records.update('opportunity', id, { stage: 'closedWon', probability: '100' });
    await behaviour.idle();
    const rows = await history('opportunity_stage_change', 'opportunity', id);
    expect(
      rows.map((r) => [r.from_stage, r.to_stage, r.probability, r.amount_amount, r.changed_by_id, r.created_by]),
    ).toEqual([
      [null, 'prospecting', '10.00', '1000.00', user, 'system'],
      ['prospecting', 'proposal', '50.00', '1000.00', user, 'system'],
      ['proposal', 'closedWon', '100.00', '1000.00', user, 'system'],
    ]);
    // changedAt is when the record changed (its updatedAt, to the millisecond a datetime field keeps).
    const [same] = await fx.engine.db.query<{ ok: boolean }>(
      "select date_trunc('milliseconds', o.updated_at) = h.changed_at as ok from ws_default.opportunity o join ws_default.opportunity_stage_change h on h.opportunity_id = o.id where o.id = $1 and h.to_stage = $2",
      [id, 'closedWon'],
    );
    expect(same?.ok).toBe(true);
  });

  it('records case status changes, for bulk creates too', async () => {
    const records = fx.engine.records({ workspace: 'default', actor: 'agent' });
    const cases = await records.createMany(
      'case',
      Array.from({ length: 30 }, (_, i) => ({ subject: `Case ${i}`, openedAt: '2026-01-01T00:00:00Z' })),
    );
    await records.update('case', cases[0]!.id, { status: 'inProgress' });
    await behaviour.idle();
    const first = await history('case_status_change', 'case', cases[0]!.id);
    expect(first.map((r) => [r.from_status, r.to_status, r.changed_by_id])).toEqual(
      [
        [null, 'new'],
        ['new', 'inProgress'],
      ].map((x) => [...x, null]),
    );
    const [{ n }] = (await fx.engine.db.query<{ n: number }>(
      'select count(*)::int as n from ws_default.case_status_change',
    )) as [{ n: number }];
    expect(n).toBe(31);
  });

  it('copies the account and contact onto each change and keeps them equal when the record moves', async () => {
    const a = await fx.create('account', { name: 'A' });
    const b = await fx.create('account', { name: 'B' });
    const ca = await fx.create('contact', { firstName: 'Ann', lastName: 'Lee', account: a });
    const cb = await fx.create('contact', { firstName: 'Bo', lastName: 'Li', account: b });
    const records = fx.engine.records({ workspace: 'default', actor: 'agent' });
    const kase = await records.create('case', {
      subject: 'Noise',
      openedAt: '2026-01-01T00:00:00Z',
      account: a,
      contact: ca,
    });
    const deal = await records.create('opportunity', { name: 'Deal', pipeline, stage: 'prospecting', account: a });
    await records.update('case', kase.id, { status: 'inProgress' });
    await behaviour.idle();
    const links = async () => [
      ...(await history('case_status_change', 'case', kase.id)).map((r) => [r.to_status, r.account_id, r.contact_id]),
      ...(await history('opportunity_stage_change', 'opportunity', deal.id)).map((r) => [
        r.to_stage,
        r.account_id,
        r.contact_id,
      ]),
    ];
    expect(await links()).toEqual([
      ['new', a, ca],
      ['inProgress', a, ca],
      ['prospecting', a, null],
    ]);
    await records.update('case', kase.id, { account: b, contact: cb });
    await records.update('opportunity', deal.id, { contact: cb });
    await behaviour.idle();
    expect(await links()).toEqual([
      ['new', b, cb],
      ['inProgress', b, cb],
      ['prospecting', a, cb],
    ]);
    // The timeline follows: the case's changes are B's now, the deal's still A's (and, by its contact, B's).
    const kinds = async (account: string) =>
      (
        await fx
          .crm()
          .timeline({ entity: 'account', id: account, kinds: ['caseStatusChange', 'opportunityStageChange'] })
      ).items
        .map((i) => i.summary)
        .sort();
    expect(await kinds(a)).toEqual(['— → prospecting']);
    expect(await kinds(b)).toEqual(['new → inProgress', '— → new', '— → prospecting'].sort());
    // A change written by someone else, without links, gets its case's.
    const manual = await records.create('caseStatusChange', {
      case: kase.id,
      fromStatus: 'inProgress',
      toStatus: 'resolved',
      changedAt: '2026-01-03T00:00:00Z',
    });
    await behaviour.idle();
    const [row] = await fx.engine.db.query<Record<string, unknown>>(
      'select account_id, contact_id, version, updated_by from ws_default.case_status_change where id = $1',
      [manual.id],
    );
    expect(row).toEqual({ account_id: b, contact_id: cb, version: 2, updated_by: 'system' });
  });

  it('backfills rows written before the links existed, once, touching nothing else', async () => {
    const a = await fx.create('account', { name: 'Old' });
    const c = await fx.create('contact', { firstName: 'Old', lastName: 'Timer', account: a });
    const kase = await fx.create('case', { subject: 'Old', openedAt: '2026-01-01T00:00:00Z', account: a, contact: c });
    // Rows of a past history, written as such (as the demo seed writes them): the behaviour leaves them alone.
    const seed = fx.engine.records({ workspace: 'default', actor: 'import', ownHistory: true });
    const old = await seed.createMany(
      'caseStatusChange',
      Array.from({ length: 7 }, (_, i) => ({
        case: kase,
        toStatus: 'inProgress',
        changedAt: `2026-01-0${i + 1}T00:00:00Z`,
      })),
    );
    await seed.delete('caseStatusChange', old[6]!.id);
    await behaviour.idle();
    const before = await fx.snapshot();
    const events: string[] = [];
    const unsubscribe = fx.engine.events.subscribe('record.updated', (e) => void events.push(e.id), {
      entity: 'caseStatusChange',
    });
    try {
      expect(await syncHistoryLinks(fx.engine, 'default', { batch: 3 })).toBe(7);
      expect(await syncHistoryLinks(fx.engine, 'default')).toBe(0);
    } finally {
      unsubscribe();
    }
    expect(events.sort()).toEqual(old.map((r) => r.id).sort());
    const rows = await fx.engine.db.query<Record<string, unknown>>(
      'select account_id, contact_id, version, deleted_at is not null as deleted from ws_default.case_status_change where id = any($1::uuid[]) order by changed_at',
      [old.map((r) => r.id)],
    );
    expect(rows.map((r) => [r.account_id, r.contact_id, r.version, r.deleted])).toEqual(
      old.map((_, i) => [a, c, i === 6 ? 3 : 2, i === 6]),
    );
    // Only those rows changed: every other table is as it was.
    const after = await fx.snapshot();
    expect({ ...after, caseStatusChange: before.caseStatusChange }).toEqual(before);
    const timeline = await fx.crm().timeline({ entity: 'contact', id: c, kinds: ['caseStatusChange'] });
    // Its 6 live old changes and the 'new' the behaviour recorded when the case was created.
    expect(timeline.items).toHaveLength(7);
  });

  it('records changes by the actor seed like any other actor (no actor is special-cased)', async () => {
    const seed = fx.engine.records({ workspace: 'default', actor: 'seed' });
    const { id } = await seed.create('opportunity', { name: 'Seeded deal', pipeline, stage: 'prospecting' });
    await seed.update('opportunity', id, { stage: 'proposal' });
    const kase = await seed.create('case', { subject: 'Seeded case', openedAt: '2026-01-01T00:00:00Z' });
    await seed.update('case', kase.id, { status: 'inProgress' });
    await behaviour.idle();
    const stages = await history('opportunity_stage_change', 'opportunity', id);
    expect(stages.map((r) => [r.from_stage, r.to_stage, r.created_by])).toEqual([
      [null, 'prospecting', 'system'],
      ['prospecting', 'proposal', 'system'],
    ]);
    const statuses = await history('case_status_change', 'case', kase.id);
    expect(statuses.map((r) => [r.from_status, r.to_status])).toEqual([
      [null, 'new'],
      ['new', 'inProgress'],
    ]);
  });

  it('leaves writes that bring their own history alone, whoever writes them, and stops when unsubscribed', async () => {
    const own = fx.engine.records({ workspace: 'default', actor: 'agent', ownHistory: true });
    const imported = await own.create('case', { subject: 'Imported', openedAt: '2026-01-01T00:00:00Z' });
    await own.update('case', imported.id, { status: 'inProgress' });
    const other = installCrmBehaviour(fx.engine);
    other();
    behaviour();
    const after = await fx.engine
      .records({ workspace: 'default', actor: 'agent' })
      .create('case', { subject: 'Later', openedAt: '2026-01-01T00:00:00Z' });
    await behaviour.idle();
    expect(await history('case_status_change', 'case', imported.id)).toEqual([]);
    expect(await history('case_status_change', 'case', after.id)).toEqual([]);
  });
});
