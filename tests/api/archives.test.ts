// Archives over real HTTP on a real database: what removing fields leaves behind, purging it as a planned,
// confirmed, recorded change, a purged archive staying gone, the retention listing, and PostgreSQL's
// 1,600 columns per table (dropped columns counted) refused before they are reached.
import { type ColumnSlots, columnSlots, describeStep, type StepCode, type StepParams } from '@touchpoint/engine';
import type { FieldDefinition } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

// Low enough to reach with a few dozen fields; the default is 1,400.
const LIMIT = 120;
const CYCLES = 40;

let h: Harness;
const labels = (en: string, zh: string) => ({ en, 'zh-CN': zh });
const field = (name: string, type = 'text'): FieldDefinition => ({ name, type, labels: labels(name, name) }) as never;

interface Archive {
  id: number;
  kind: string;
  name: string;
  version: number;
  archivedAt: string;
  purgeDue: boolean;
  purgeDueFrom: string | null;
}
interface Step {
  code: string;
  params: Record<string, unknown>;
  description: string;
  destructive: boolean;
}

const slots = async (table: string): Promise<ColumnSlots> =>
  (await columnSlots(h.engine.db, 'ws_default', [table]))[0]!;
const archives = async () =>
  (
    await h.ok<{ metadataArchives: Archive[] }>(
      `{ metadataArchives { id kind name version archivedAt purgeDue purgeDueFrom } }`,
    )
  ).metadataArchives;
const version = async () => (await h.ok<{ metadataVersion: number }>(`{ metadataVersion }`)).metadataVersion;
const tableExists = async (table: string) =>
  (await h.engine.db.query<{ t: string | null }>(`select to_regclass($1)::text as t`, [`ws_default.${table}`]))[0]
    ?.t !== null;

beforeAll(async () => {
  h = await startHarness({ engine: { maxTableColumns: LIMIT } });
});

afterAll(async () => {
  await h?.close();
});

let before: ColumnSlots;
let purgedIds: number[] = [];

describe('purging archives', () => {
  it(`keeps every removed field as an archived column: ${CYCLES} add/remove cycles add ${CYCLES} columns`, async () => {
    before = await slots('account');
    for (let i = 0; i < CYCLES; i++) {
      await h.ok(`mutation($f: JSON!) { addField(entity: "account", field: $f) { applied } }`, {
        f: field('scratch'),
      });
      if (i === CYCLES - 1) {
        await h.ok(`mutation { createAccount(input: { name: "Kept", scratch: "last value" }) { id } }`);
      }
      await h.ok(`mutation { removeField(entity: "account", field: "scratch", confirmDestructive: true) { applied } }`);
    }
    const after = await slots('account');
    expect(after).toMatchObject({
      live: before.live,
      archived: before.archived + CYCLES,
      slots: before.slots + CYCLES,
    });
    expect((await archives()).filter((a) => a.name === 'scratch')).toHaveLength(CYCLES);
  }, 600_000);

  it('plans the purge as destructive steps in words, and refuses it without confirmation, changing nothing', async () => {
    purgedIds = (await archives()).filter((a) => a.name === 'scratch').map((a) => a.id);
    const changes = purgedIds.map((archiveId) => ({ op: 'purgeArchive', archiveId }));
    const { planMetadataChange: plan } = await h.ok<{ planMetadataChange: { destructive: boolean; steps: Step[] } }>(
      `query($c: JSON!) { planMetadataChange(changes: $c) { destructive steps { code params description destructive } } }`,
      { c: changes },
    );
    expect(plan.destructive).toBe(true);
    expect(plan.steps).toHaveLength(CYCLES);
    for (const step of plan.steps) {
      expect(step).toMatchObject({ code: 'purgeArchivedField', destructive: true, params: { entity: 'account' } });
      expect(step.description).toBe(
        describeStep({ code: step.code as StepCode, params: step.params as unknown as StepParams }),
      );
    }
    // The one archived column holding a value says so.
    const last = plan.steps.at(-1)!;
    expect(last.description).toMatch(
      /^Delete for good the values of the field "account\.scratch" archived in version \d+ \("_archived_v\d+_scratch"; 1 record\(s\) have one\)\. They can no longer be restored\.$/,
    );

    const at = await version();
    const held = await slots('account');
    const refused = await h.gql(`mutation($ids: [Int!]!) { purgeArchives(ids: $ids) { applied } }`, {
      ids: purgedIds,
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFIRMATION_REQUIRED');
    expect(refused.errors?.[0]?.extensions?.issues).toHaveLength(CYCLES);
    expect(refused.errors?.[0]?.extensions?.issues?.[0]?.path).toBe('confirmDestructive');
    expect(await version()).toBe(at);
    expect(await slots('account')).toEqual(held);
    expect((await archives()).filter((a) => a.name === 'scratch')).toHaveLength(CYCLES);
  });

  it('purges with confirmation: the archived columns are dropped, the version recorded, the archives no longer listed', async () => {
    const result = await h.ok<{ purgeArchives: { applied: boolean; version: number; plan: { steps: Step[] } } }>(
      `mutation($ids: [Int!]!) { purgeArchives(ids: $ids, confirmDestructive: true) { applied version plan { steps { code } } } }`,
      { ids: purgedIds },
    );
    expect(result.purgeArchives.applied).toBe(true);
    const after = await slots('account');
    // Data and names gone; PostgreSQL keeps the numbers of dropped columns, so the slots stay taken.
    expect(after).toMatchObject({
      live: before.live,
      archived: before.archived,
      dropped: before.dropped + CYCLES,
      slots: before.slots + CYCLES,
    });
    expect((await archives()).filter((a) => a.name === 'scratch')).toEqual([]);
    const { metadataHistory } = await h.ok<{
      metadataHistory: { version: number; actor: string; changes: { op: string }[]; steps: Step[] }[];
    }>(`{ metadataHistory(first: 1) { version actor changes steps { code destructive params description } } }`);
    const entry = metadataHistory[0]!;
    expect(entry.version).toBe(result.purgeArchives.version);
    expect(entry.actor).toBe(h.userId);
    expect(entry.changes.map((c) => c.op)).toEqual(purgedIds.map(() => 'purgeArchive'));
    expect(entry.steps.map((s) => s.code)).toEqual(purgedIds.map(() => 'purgeArchivedField'));
    // The record that had a value in the last archive is still there; only the archived value is gone.
    const { accounts } = await h.ok<{ accounts: { totalCount: number } }>(
      `{ accounts(filter: { name: { eq: "Kept" } }) { totalCount } }`,
    );
    expect(accounts.totalCount).toBe(1);
    // VACUUM FULL rewrites the rows but not the columns' numbering: the dropped columns still count.
    await h.engine.db.query('vacuum full ws_default.account');
    expect((await slots('account')).slots).toBe(before.slots + CYCLES);
  });

  it('refuses to restore or purge again a purged archive, saying it was purged and when', async () => {
    const at = await version();
    const id = purgedIds[0]!;
    const restore = await h.gql(`mutation($id: Int!) { restoreArchive(id: $id) { applied } }`, { id });
    expect(restore.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(restore.errors?.[0]?.message).toBe(
      `Archive ${id} was purged in version ${at}: its data was deleted for good and cannot be restored.`,
    );
    expect(restore.errors?.[0]?.extensions?.issues?.[0]?.path).toBe('id');
    const asChange = await h.gql(`mutation($c: JSON!) { applyMetadataChange(changes: $c) { applied } }`, {
      c: [{ op: 'restoreField', archiveId: id }],
    });
    expect(asChange.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(asChange.errors?.[0]?.extensions?.issues?.[0]?.path).toBe('changes[0].archiveId');
    const again = await h.gql(
      `mutation($ids: [Int!]!) { purgeArchives(ids: $ids, confirmDestructive: true) { applied } }`,
      {
        ids: [id],
      },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(again.errors?.[0]?.message).toMatch(/was purged in version/);
    expect(again.errors?.[0]?.extensions?.issues?.[0]?.path).toBe('ids[0]');
    const unknown = await h.gql(`mutation { purgeArchives(ids: [999999], confirmDestructive: true) { applied } }`);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const none = await h.gql(`mutation { purgeArchives(ids: [], confirmDestructive: true) { applied } }`);
    expect(none.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(await version()).toBe(at);
  });

  it('purges an archived entity with its records and the archives of its fields', async () => {
    await h.ok(`mutation($d: JSON!) { createEntity(definition: $d) { applied } }`, {
      d: {
        name: 'gadget',
        labels: labels('Gadget', '小工具'),
        titleField: 'title',
        fields: [{ ...field('title'), required: true }, field('memo')],
      },
    });
    await h.ok(`mutation { createGadget(input: { title: "G-1", memo: "m" }) { id } }`);
    await h.ok(`mutation { removeField(entity: "gadget", field: "memo", confirmDestructive: true) { applied } }`);
    await h.ok(`mutation { removeEntity(entity: "gadget", confirmDestructive: true) { applied } }`);
    const listed = (await archives()).filter((a) => a.name === 'gadget' || a.name === 'memo');
    expect(listed.map((a) => a.kind).sort()).toEqual(['entity', 'field']);
    const entity = listed.find((a) => a.kind === 'entity')!;
    const memo = listed.find((a) => a.kind === 'field')!;

    // Restoring and purging one archive in one change is refused; so is purging it twice.
    for (const c of [
      [
        { op: 'restoreEntity', archiveId: entity.id },
        { op: 'purgeArchive', archiveId: entity.id },
      ],
      [
        { op: 'purgeArchive', archiveId: memo.id },
        { op: 'purgeArchive', archiveId: memo.id },
      ],
    ]) {
      const refused = await h.gql(
        `mutation($c: JSON!) { applyMetadataChange(changes: $c, confirmDestructive: true) { applied } }`,
        { c },
      );
      expect(refused.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
      expect(refused.errors?.[0]?.extensions?.issues?.[0]?.path).toBe('changes[1].archiveId');
    }

    // A field archived before its entity keeps its column in the entity's archived table; purged from there.
    const columnsOf = async (table: string) =>
      (await columnSlots(h.engine.db, 'ws_default', [table]))[0] ?? { live: 0, archived: 0, dropped: 0 };
    const archivedTable = `_archived_v${entity.version}_gadget`;
    expect((await columnsOf(archivedTable)).archived).toBe(1);
    await h.ok(`mutation($ids: [Int!]!) { purgeArchives(ids: $ids, confirmDestructive: true) { applied } }`, {
      ids: [memo.id],
    });
    expect(await columnsOf(archivedTable)).toMatchObject({ archived: 0, dropped: 1 });
    const { planMetadataChange: plan } = await h.ok<{ planMetadataChange: { steps: Step[] } }>(
      `query($c: JSON!) { planMetadataChange(changes: $c) { steps { code params description destructive } } }`,
      { c: [{ op: 'purgeArchive', archiveId: entity.id }] },
    );
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ code: 'purgeArchivedTable', destructive: true, params: { count: 1 } });
    const table = String(plan.steps[0]!.params.archivedAs);
    expect(await tableExists(table)).toBe(true);
    await h.ok(`mutation($ids: [Int!]!) { purgeArchives(ids: $ids, confirmDestructive: true) { applied } }`, {
      ids: [entity.id],
    });
    expect(await tableExists(table)).toBe(false);
    expect((await archives()).filter((a) => a.name === 'gadget' || a.name === 'memo')).toEqual([]);
    const restore = await h.gql(`mutation($id: Int!) { restoreArchive(id: $id) { applied } }`, { id: entity.id });
    expect(restore.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('lists archives due for purging after the retention period (90 days by default), and purges none on its own', async () => {
    await h.ok(`mutation($f: JSON!) { addField(entity: "account", field: $f) { applied } }`, { f: field('kept') });
    await h.ok(`mutation { removeField(entity: "account", field: "kept", confirmDestructive: true) { applied } }`);
    const archive = (await archives()).find((a) => a.name === 'kept')!;
    expect(archive.purgeDue).toBe(false);
    expect(new Date(archive.purgeDueFrom!).getTime() - new Date(archive.archivedAt).getTime()).toBe(90 * 86_400_000);
    const due = await h.ok<{ metadataArchives: { id: number }[] }>(`{ metadataArchives(purgeDue: true) { id } }`);
    expect(due.metadataArchives.map((a) => a.id)).not.toContain(archive.id);
    const notDue = await h.ok<{ metadataArchives: { id: number }[] }>(`{ metadataArchives(purgeDue: false) { id } }`);
    expect(notDue.metadataArchives.map((a) => a.id)).toContain(archive.id);
  });
});

describe('the columns of a table', () => {
  it('refuses a change past the limit, counting dropped columns, saying what the table holds; nothing changes', async () => {
    const held = await slots('account');
    // The live and archived columns alone leave room for the change; the dropped ones do not.
    const room = LIMIT - held.slots;
    expect(held.dropped).toBeGreaterThanOrEqual(CYCLES);
    expect(held.live + held.archived + room + 1).toBeLessThanOrEqual(LIMIT);
    const changes = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ op: 'addField', entity: 'account', field: field(`extra${i}`) }));
    const at = await version();
    for (const query of [
      `query($c: JSON!) { planMetadataChange(changes: $c) { destructive } }`,
      `mutation($c: JSON!) { applyMetadataChange(changes: $c) { applied } }`,
    ]) {
      const refused = await h.gql(query, { c: changes(room + 1) });
      const error = refused.errors?.[0];
      expect(error?.extensions?.code).toBe('LIMIT_EXCEEDED');
      expect(error?.message).toBe(
        `The table "account" of the entity "account" would hold ${LIMIT + 1} columns, past the ${LIMIT} Touchpoint allows (PostgreSQL stops at 1,600, counting dropped columns): ` +
          `it holds ${held.slots} — ${held.live} in use, ${held.archived} archived, ${held.dropped} dropped — and this change adds ${room + 1}. ` +
          'Purging archives (purgeArchives) deletes the archived data; the numbers of archived and dropped columns are freed only when the table is recreated ' +
          '(e.g. pg_dump and restore of the workspace schema; VACUUM FULL keeps them). Nothing was changed.',
      );
      expect(error?.extensions?.issues?.[0]?.path).toBe('changes');
    }
    expect(await version()).toBe(at);
    expect(await slots('account')).toEqual(held);
    // Up to the limit is allowed.
    await h.ok(`mutation($c: JSON!) { applyMetadataChange(changes: $c) { applied } }`, { c: changes(room) });
    expect((await slots('account')).slots).toBe(LIMIT);
  });
});
