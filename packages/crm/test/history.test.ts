// Stage and status history written from record events, as `system`, in batches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmBehaviour, installCrmBehaviour } from '../src/index.ts';
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

  it('ignores the seed and stops when unsubscribed', async () => {
    const seed = fx.engine.records({ workspace: 'default', actor: 'seed' });
    const seeded = await seed.create('case', { subject: 'Seeded', openedAt: '2026-01-01T00:00:00Z' });
    const other = installCrmBehaviour(fx.engine, { ignoreActors: [] });
    other();
    behaviour();
    const after = await fx.engine
      .records({ workspace: 'default', actor: 'agent' })
      .create('case', { subject: 'Later', openedAt: '2026-01-01T00:00:00Z' });
    await behaviour.idle();
    expect(await history('case_status_change', 'case', seeded.id)).toEqual([]);
    expect(await history('case_status_change', 'case', after.id)).toEqual([]);
  });
});
