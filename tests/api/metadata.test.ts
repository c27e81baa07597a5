// Metadata through the API over real HTTP and a real database: live schema changes without a failed
// request, destructive changes refused until confirmed and then restorable, failed migrations leaving
// nothing behind, bad definitions refused with every problem named, workspaces isolated, plugin layers.
import { describeStep, type StepCode, type StepParams } from '@touchpoint/engine';
import type { FieldDefinition } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
const labels = (en: string, zh: string) => ({ en, 'zh-CN': zh });
const field = (name: string, type: string, extra: Record<string, unknown> = {}): FieldDefinition =>
  ({ name, type, labels: labels(name, name), ...extra }) as FieldDefinition;

async function columns(table: string, schema = 'ws_default'): Promise<string[]> {
  const rows = await h.engine.db.query<{ column_name: string }>(
    'select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by column_name',
    [schema, table],
  );
  return rows.map((r) => r.column_name);
}

beforeAll(async () => {
  h = await startHarness();
  await h.ok(`mutation($d: JSON!) { createEntity(definition: $d) { applied } }`, {
    d: {
      name: 'machine',
      labels: labels('Machine', '设备'),
      titleField: 'serial',
      fields: [
        field('serial', 'text', { required: true, unique: true }),
        field('notes', 'text'),
        field('weight', 'text'),
      ],
    },
  });
});

afterAll(async () => {
  await h?.close();
});

describe('live metadata changes', () => {
  it('adds a field while another client keeps querying, without one failed request', async () => {
    let running = true;
    let requests = 0;
    const failures: unknown[] = [];
    const reader = (async () => {
      while (running) {
        const result = await h.gql(`{ machines(first: 5) { totalCount nodes { serial } } }`);
        requests++;
        if (result.errors) failures.push(result.errors);
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    await h.ok(`mutation($f: JSON!) { addField(entity: "machine", field: $f) { version } }`, {
      f: field('location', 'text'),
    });
    await h.ok(`mutation { createMachine(input: { serial: "M-1", location: "Hall 3" }) { id } }`);
    await new Promise((r) => setTimeout(r, 100));
    running = false;
    await reader;
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(5);
    const { machines } = await h.ok<{ machines: { nodes: { location: string }[] } }>(
      `{ machines { nodes { location } } }`,
    );
    expect(machines.nodes[0]?.location).toBe('Hall 3');
  });

  it('renames a field by renaming its column: the data stays', async () => {
    await h.ok(`mutation { updateField(entity: "machine", field: "location", patch: { name: "site" }) { applied } }`);
    expect(await columns('machine')).toContain('site');
    expect(await columns('machine')).not.toContain('location');
    const { machines } = await h.ok<{ machines: { nodes: { site: string }[] } }>(`{ machines { nodes { site } } }`);
    expect(machines.nodes[0]?.site).toBe('Hall 3');
  });

  it('plans without writing, refuses a destructive change until confirmed, then restores it with the data', async () => {
    await h.ok(`mutation { updateMachine: createMachine(input: { serial: "M-2", notes: "keep me" }) { id } }`);
    const plan = await h.ok<{
      planMetadataChange: { destructive: boolean; steps: { description: string; destructive: boolean }[] };
    }>(
      `{ planMetadataChange(changes: [{ op: "removeField", entity: "machine", field: "notes" }]) { destructive steps { description destructive } } }`,
    );
    expect(plan.planMetadataChange.destructive).toBe(true);
    expect(plan.planMetadataChange.steps[0]?.description).toMatch(/archived/);
    expect(await columns('machine')).toContain('notes');

    const refused = await h.gql(`mutation { removeField(entity: "machine", field: "notes") { applied } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFIRMATION_REQUIRED');
    expect(await columns('machine')).toContain('notes');

    await h.ok(`mutation { removeField(entity: "machine", field: "notes", confirmDestructive: true) { applied } }`);
    expect(await columns('machine')).not.toContain('notes');
    const gone = await h.gql(`{ machines { nodes { notes } } }`);
    expect(gone.errors?.[0]?.message).toMatch(/notes/);

    const { metadataArchives } = await h.ok<{ metadataArchives: { id: number; name: string }[] }>(
      `{ metadataArchives { id name } }`,
    );
    const archive = metadataArchives.find((a) => a.name === 'notes')!;
    await h.ok(`mutation($id: Int!) { restoreArchive(id: $id) { applied } }`, { id: archive.id });
    const back = await h.ok<{ machines: { nodes: { serial: string; notes: string | null }[] } }>(
      `{ machines(filter: { serial: { eq: "M-2" } }) { nodes { serial notes } } }`,
    );
    expect(back.machines.nodes[0]?.notes).toBe('keep me');
  });

  it('restores the copy a narrowing type change keeps, which restoreArchive refused although listed (issue 9)', async () => {
    await h.ok(`mutation($f: JSON!) { addField(entity: "machine", field: $f) { applied } }`, {
      f: field('hours', 'decimal', { required: true, default: 0 }),
    });
    const { createMachine } = await h.ok<{ createMachine: { id: string } }>(
      `mutation { createMachine(input: { serial: "M-H", hours: "7.45" }) { id } }`,
    );
    const narrowed = await h.ok<{ updateField: { version: number } }>(
      `mutation { updateField(entity: "machine", field: "hours", patch: { type: "integer" }, confirmDestructive: true) { version } }`,
    );
    const version = narrowed.updateField.version;
    const { metadataArchives } = await h.ok<{
      metadataArchives: { id: number; name: string; version: number; restoresAs: string }[];
    }>(`{ metadataArchives { id name version restoresAs } }`);
    const copy = metadataArchives.find((a) => a.name === 'hours' && a.version === version)!;
    expect(copy.restoresAs).toBe(`hoursBeforeV${version}`);

    // The narrowed field is edited after the change; restoring must not overwrite it.
    await h.ok(`mutation($id: ID!) { updateMachine(id: $id, input: { hours: 9 }) { id } }`, { id: createMachine.id });
    const restored = await h.gql<{ restoreArchive: { applied: boolean } }>(
      `mutation($id: Int!) { restoreArchive(id: $id) { applied } }`,
      { id: copy.id },
    );
    expect(restored.errors).toBeUndefined();
    expect(restored.data?.restoreArchive.applied).toBe(true);
    const read = await h.ok<{ machine: Record<string, unknown> }>(
      `query($id: ID!) { machine(id: $id) { hours hoursBeforeV${version} } }`,
      { id: createMachine.id },
    );
    expect(read.machine).toEqual({ hours: 9, [`hoursBeforeV${version}`]: '7.45' });
    const entity = await h.ok<{ entity: { fields: { name: string; type: string; labels: Record<string, string> }[] } }>(
      `{ entity(name: "machine") { fields { name type labels { en zhCN } } } }`,
    );
    expect(entity.entity.fields.find((f) => f.name === `hoursBeforeV${version}`)).toMatchObject({
      type: 'decimal',
      labels: { en: `hours (before v${version})`, zhCN: `hours（v${version} 之前）` },
    });
    // Restored once: no longer listed, and a second restore says there is nothing to restore.
    const after = await h.ok<{ metadataArchives: { id: number }[] }>(`{ metadataArchives { id } }`);
    expect(after.metadataArchives.map((a) => a.id)).not.toContain(copy.id);
    const again = await h.gql(`mutation($id: Int!) { restoreArchive(id: $id) { applied } }`, { id: copy.id });
    expect(again.errors?.[0]?.extensions?.code).toMatch(/NOT_FOUND|VALIDATION_FAILED/);
  });

  it('leaves metadata and tables as they were when a migration fails', async () => {
    await h.ok(`mutation { createMachine(input: { serial: "M-3", weight: "heavy" }) { id } }`);
    const before = await h.ok<{ metadataVersion: number }>(`{ metadataVersion }`);
    const failed = await h.gql(
      `mutation { updateField(entity: "machine", field: "weight", patch: { type: "integer" }, confirmDestructive: true) { applied } }`,
    );
    expect(failed.errors?.[0]?.extensions?.code).toBe('MIGRATION_FAILED');
    expect(failed.errors?.[0]?.message).toMatch(/weight/);
    const after = await h.ok<{ metadataVersion: number; entity: { fields: { name: string; type: string }[] } }>(
      `{ metadataVersion entity(name: "machine") { fields { name type } } }`,
    );
    expect(after.metadataVersion).toBe(before.metadataVersion);
    expect(after.entity.fields.find((f) => f.name === 'weight')?.type).toBe('text');
    const rows = await h.engine.db.query<{ data_type: string }>(
      "select data_type from information_schema.columns where table_schema = 'ws_default' and table_name = 'machine' and column_name = 'weight'",
    );
    expect(rows[0]?.data_type).toBe('text');
    expect((await columns('machine')).filter((c) => c.startsWith('_archived_') && c.includes('weight'))).toEqual([]);
  });

  it('indexes the default order, and moves the index when the order changes', async () => {
    const indexes = async () =>
      (
        await h.engine.db.query<{ indexdef: string }>(
          "select indexdef from pg_indexes where schemaname = 'ws_default' and tablename = 'machine'",
        )
      ).map((r) => r.indexdef);
    await h.ok(
      `mutation { updateEntity(entity: "machine", patch: { defaultSort: [{ field: "serial", direction: "desc" }] }) { applied } }`,
    );
    expect(await indexes()).toContainEqual(expect.stringMatching(/\(serial DESC, id DESC\)/));
    await h.ok(
      `mutation { updateEntity(entity: "machine", patch: { defaultSort: [{ field: "site", direction: "asc" }] }) { applied } }`,
    );
    const after = await indexes();
    expect(after).toContainEqual(expect.stringMatching(/\(site, id\)/));
    expect(after).not.toContainEqual(expect.stringMatching(/serial DESC, id DESC/));
  });

  it('keeps the history of every version', async () => {
    const { metadataHistory } = await h.ok<{
      metadataHistory: { version: number; reason: string; steps: unknown[] }[];
    }>(`{ metadataHistory { version reason steps { description } } }`);
    expect(metadataHistory.length).toBeGreaterThanOrEqual(6);
    expect(metadataHistory[0]!.version).toBeGreaterThan(metadataHistory[1]!.version);
    const exported = await h.ok<{ exportMetadata: string }>(`{ exportMetadata }`);
    expect(exported.exportMetadata).toMatch(/name: machine/);
  });
});

describe('plan steps say what they do as data, so a client can word them in its language', () => {
  interface Step {
    code: string | null;
    params: Record<string, unknown> | null;
    description: string;
    destructive: boolean;
  }
  const STEP = 'code params description destructive';

  it('gives every planned step a code and parameters with the labels, next to the English sentence', async () => {
    await h.ok(`mutation($d: JSON!) { createEntity(definition: $d) { applied } }`, {
      d: {
        name: 'probe',
        labels: labels('Probe', '探头'),
        titleField: 'name',
        fields: [
          field('name', 'text', { required: true }),
          { name: 'size', type: 'integer', labels: labels('Size', '尺寸') },
          { name: 'memo', type: 'text', labels: labels('Memo', '备忘') },
        ],
      },
    });
    await h.ok(`mutation { createProbe(input: { name: "P-1", size: 3, memo: "keep" }) { id } }`);
    const { planMetadataChange } = await h.ok<{ planMetadataChange: { steps: Step[] } }>(
      `query($c: JSON!) { planMetadataChange(changes: $c) { steps { ${STEP} } } }`,
      {
        c: [
          {
            op: 'addField',
            entity: 'probe',
            field: { name: 'weight', type: 'decimal', required: true, labels: labels('Weight', '重量') },
          },
          { op: 'updateField', entity: 'probe', field: 'size', patch: { type: 'decimal' } },
          { op: 'removeField', entity: 'probe', field: 'memo' },
        ],
      },
    );
    const byCode = new Map(planMetadataChange.steps.map((s) => [s.code, s]));
    const probe = { entity: 'probe', entityLabels: labels('Probe', '探头') };
    expect(byCode.get('addRequiredFieldToFilledTable')).toMatchObject({
      destructive: true,
      params: { ...probe, field: 'weight', fieldLabels: labels('Weight', '重量'), type: 'decimal', count: 1 },
      description: expect.stringMatching(/^Add the decimal field "weight" to "probe"\. 1 existing record/),
    });
    expect(byCode.get('changeTypeWidening')).toMatchObject({
      destructive: false,
      params: { ...probe, field: 'size', fieldLabels: labels('Size', '尺寸'), fromType: 'integer', type: 'decimal' },
    });
    expect(byCode.get('archiveField')).toMatchObject({
      destructive: true,
      params: { ...probe, field: 'memo', fieldLabels: labels('Memo', '备忘'), count: 1 },
      description: 'Remove the field "probe.memo". Its values (1 record(s) have one) are archived and can be restored.',
    });
    // The English sentence is made from the code and the parameters, so the two never disagree.
    for (const step of planMetadataChange.steps) {
      expect(step.description).toBe(
        describeStep({ code: step.code as StepCode, params: step.params as unknown as StepParams }),
      );
    }
  });

  it('keeps the code and parameters of each step in the metadata history', async () => {
    await h.ok(`mutation { removeField(entity: "probe", field: "memo", confirmDestructive: true) { applied } }`);
    const { metadataHistory } = await h.ok<{ metadataHistory: { steps: Step[] }[] }>(
      `{ metadataHistory(first: 500) { steps { ${STEP} } } }`,
    );
    expect(metadataHistory[0]!.steps).toEqual([
      {
        code: 'archiveField',
        params: {
          entity: 'probe',
          entityLabels: labels('Probe', '探头'),
          field: 'memo',
          fieldLabels: labels('Memo', '备忘'),
          count: 1,
        },
        description:
          'Remove the field "probe.memo". Its values (1 record(s) have one) are archived and can be restored.',
        destructive: true,
      },
    ]);
    const steps = metadataHistory.flatMap((v) => v.steps);
    expect(steps.length).toBeGreaterThan(10);
    expect(steps.filter((s) => !s.code || typeof s.params?.entity !== 'string')).toEqual([]);
  });
});

describe('bad definitions are refused with every problem named, and change nothing', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'a reserved entity name',
      { name: 'metadata', labels: labels('M', 'M'), titleField: 'a', fields: [field('a', 'text')] },
      /reserved/i,
    ],
    [
      'an SQL-hostile entity name',
      { name: 'x"; drop table account; --', labels: labels('X', 'X'), titleField: 'a', fields: [field('a', 'text')] },
      /name/,
    ],
    [
      'an unknown field type',
      { name: 'gadget', labels: labels('G', 'G'), titleField: 'a', fields: [field('a', 'colour')] },
      /colour/,
    ],
    [
      'an invalid select option and a missing label',
      {
        name: 'gizmo',
        labels: { en: 'Gizmo' },
        titleField: 'a',
        fields: [
          field('a', 'text'),
          field('kind', 'select', { options: [{ value: 'bad value!', labels: labels('B', 'B') }] }),
        ],
      },
      /zh-CN[\s\S]*options|options[\s\S]*zh-CN/,
    ],
  ];
  for (const [what, definition, message] of cases) {
    it(`refuses ${what}`, async () => {
      const before = await h.ok<{ metadataVersion: number }>(`{ metadataVersion }`);
      const result = await h.gql(`mutation($d: JSON!) { createEntity(definition: $d) { applied } }`, { d: definition });
      expect(result.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
      expect(result.errors?.[0]?.message).toMatch(message);
      expect((await h.ok<{ metadataVersion: number }>(`{ metadataVersion }`)).metadataVersion).toBe(
        before.metadataVersion,
      );
    });
  }
});

describe('workspaces', () => {
  it('keeps records and metadata of two workspaces apart', async () => {
    await h.ok(`mutation { createWorkspace(slug: "acme", name: "ACME") { slug } }`);
    await h.ok(`mutation { createAccount(input: { name: "Only in default" }) { id } }`);
    await h.ok(`mutation { createAccount(input: { name: "Only in acme" }) { id } }`, {}, { workspace: 'acme' });
    const inAcme = await h.ok<{ accounts: { nodes: { name: string }[] } }>(
      `{ accounts { nodes { name } } }`,
      {},
      { workspace: 'acme' },
    );
    expect(inAcme.accounts.nodes.map((a) => a.name)).toEqual(['Only in acme']);
    const acmeMachines = await h.gql(`{ machines { totalCount } }`, {}, { workspace: 'acme' });
    expect(acmeMachines.errors?.[0]?.message).toMatch(/machines/);
    // A workspace the admin is no member of (here: one that does not exist) is refused, not looked up.
    const unknown = await h.gql(`{ accounts { totalCount } }`, {}, { workspace: 'nowhere' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('plugin layers', () => {
  it('merges a plugin contribution between core and workspace changes, refusing collisions', async () => {
    await h.engine.applyPluginLayer(
      'default',
      {
        pluginId: 'acme.assets',
        version: '1.0.0',
        entities: [
          {
            name: 'asset',
            labels: labels('Asset', '资产'),
            titleField: 'serialNumber',
            fields: [field('serialNumber', 'text', { required: true })],
          },
        ],
        fields: [{ entity: 'account', field: field('assetCount', 'integer') }],
      },
      { actor: 'test' },
    );
    const { entity } = await h.ok<{ entity: { source: string; fields: { name: string; source: string }[] } }>(
      `{ entity(name: "asset") { source fields { name source } } }`,
    );
    expect(entity.source).toBe('plugin:acme.assets');
    const account = await h.ok<{ entity: { fields: { name: string; source: string }[] } }>(
      `{ entity(name: "account") { fields { name source } } }`,
    );
    expect(account.entity.fields.find((f) => f.name === 'assetCount')?.source).toBe('plugin:acme.assets');
    await h.ok(`mutation { createAsset(input: { serialNumber: "SN-1" }) { id } }`);
    await expect(
      h.engine.applyPluginLayer(
        'default',
        {
          pluginId: 'other.plugin',
          version: '1.0.0',
          entities: [],
          fields: [{ entity: 'account', field: field('assetCount', 'text') }],
        },
        { actor: 'test' },
      ),
    ).rejects.toThrow(/assetCount[\s\S]*already defined by plugin:acme.assets/);
  });
});

describe('restarts', () => {
  it('does not create a new metadata version when nothing changed', async () => {
    const { metadataVersion } = await h.ok<{ metadataVersion: number }>(`{ metadataVersion }`);
    const workspace = await h.engine.getWorkspace('default');
    const result = await h.engine.syncLayers(workspace, 'test');
    expect(result.applied).toBe(false);
    expect((await h.ok<{ metadataVersion: number }>(`{ metadataVersion }`)).metadataVersion).toBe(metadataVersion);
  });
});
