// Roles and sharing settings through the metadata API over real HTTP: an administrator reads the effective
// model, creates a role, sets an entity's sharing and adds a rule — each a version in metadataHistory; a bad
// change is VALIDATION_FAILED naming the path (never an internal error); anyone else is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

interface Model {
  roles: { name: string; id: string; source: string; reportsTo?: string }[];
  sharing: { entities: Record<string, { default: string }>; rules: { name: string; role: string; source: string }[] };
}
const MODEL = '{ permissionModel }';
const APPLY = 'mutation($changes: JSON!) { applyMetadataChange(changes: $changes) { applied version } }';
const labels = (en: string, zh: string) => ({ en, 'zh-CN': zh });

describe('permissions through the metadata API', () => {
  it('gives the administrator the effective model, core roles marked as such', async () => {
    const { permissionModel } = await h.ok<{ permissionModel: Model }>(MODEL);
    expect(permissionModel.roles.find((r) => r.name === 'salesRep')).toMatchObject({
      id: 'salesRep',
      source: 'core',
      reportsTo: 'salesManager',
    });
    expect(permissionModel.sharing.entities.account).toMatchObject({ default: 'private' });
  });

  it('creates a role, sets sharing and adds a rule; each shows in metadataHistory', async () => {
    const changes = [
      {
        op: 'createRole',
        role: {
          name: 'eastSales',
          labels: labels('East sales', '华东销售'),
          reportsTo: 'salesManager',
          objects: { '*': { read: true }, account: { read: true, create: true, edit: true } },
        },
      },
      { op: 'setEntitySharing', entity: 'campaign', sharing: { default: 'private', ownerField: 'owner' } },
      {
        op: 'addSharingRule',
        rule: {
          name: 'eastAccounts',
          labels: labels('East accounts', '华东客户'),
          entity: 'account',
          condition: { city: { eq: '上海' } },
          role: 'eastSales',
          access: 'read',
        },
      },
    ];
    const planned = await h.ok<{ planMetadataChange: { steps: unknown[] } }>(
      'query($changes: JSON!) { planMetadataChange(changes: $changes) { steps { description } } }',
      { changes },
    );
    expect(planned.planMetadataChange.steps).toEqual([]);
    const { applyMetadataChange } = await h.ok<{ applyMetadataChange: { applied: boolean; version: number } }>(APPLY, {
      changes,
    });
    expect(applyMetadataChange.applied).toBe(true);
    const { permissionModel } = await h.ok<{ permissionModel: Model }>(MODEL);
    expect(permissionModel.roles.find((r) => r.name === 'eastSales')).toMatchObject({ source: 'workspace' });
    expect(permissionModel.sharing.entities.campaign).toEqual({ default: 'private', ownerField: 'owner' });
    expect(permissionModel.sharing.rules).toEqual([
      expect.objectContaining({ name: 'eastAccounts', role: 'eastSales', source: 'workspace' }),
    ]);
    const { metadataHistory } = await h.ok<{
      metadataHistory: { version: number; actor: string; changes: { op: string }[] }[];
    }>('{ metadataHistory(first: 1) { version actor changes } }');
    expect(metadataHistory[0]).toMatchObject({
      version: applyMetadataChange.version,
      actor: h.userId,
      changes: [{ op: 'createRole' }, { op: 'setEntitySharing' }, { op: 'addSharingRule' }],
    });
  });

  it('answers a bad change with VALIDATION_FAILED naming each path, and changes nothing', async () => {
    const before = await h.ok<{ metadataVersion: number }>('{ metadataVersion }');
    const bad = await h.gql(APPLY, {
      changes: [
        { op: 'createRole', role: 'eastSales' },
        { op: 'updateRole', role: 'admin', patch: { system: [] } },
        { op: 'setEntitySharing', entity: 'nothing', sharing: { default: 'private' } },
        {
          op: 'addSharingRule',
          rule: {
            name: 'x',
            labels: labels('x', 'x'),
            entity: 'account',
            condition: { a: 1 },
            role: 'ghost',
            access: 'all',
          },
        },
        { op: 'removeRole', role: { name: 'eastSales' } },
      ],
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(bad.errors?.[0]?.extensions?.issues?.map((i) => i.path)).toEqual([
      'changes[0].role',
      'changes[3].rule.access',
      'changes[4].role',
    ]);
    // Shape first; then what the changes mean.
    const meaning = await h.gql(APPLY, {
      changes: [
        { op: 'updateRole', role: 'admin', patch: { system: [] } },
        { op: 'setEntitySharing', entity: 'nothing', sharing: { default: 'private' } },
        { op: 'removeRole', role: 'eastSales' },
      ],
    });
    expect(meaning.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [
        { path: 'changes[0].patch.system', message: expect.stringMatching(/administrator role keeps every system/) },
        { path: 'changes[2].role', message: expect.stringMatching(/sharing rule eastAccounts shares with it/) },
      ],
    });
    const unknownEntity = await h.gql(APPLY, {
      changes: [{ op: 'setEntitySharing', entity: 'nothing', sharing: { default: 'private' } }],
    });
    expect(unknownEntity.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'sharing.entities.nothing', message: 'names no entity: "nothing"' }],
    });
    expect(await h.ok<{ metadataVersion: number }>('{ metadataVersion }')).toEqual(before);
  });

  it('refuses anyone but an administrator', async () => {
    const rep = await h.addUser({ email: 'rep@example.test', name: 'Rep', role: 'salesRep' });
    const read = await rep.gql(MODEL);
    expect(read.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(read.data).toBeNull();
    const write = await rep.gql(APPLY, { changes: [{ op: 'removeSharingRule', rule: 'eastAccounts' }] });
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await h.anonymous.gql(MODEL);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const { permissionModel } = await h.ok<{ permissionModel: Model }>(MODEL);
    expect(permissionModel.sharing.rules.map((r) => r.name)).toEqual(['eastAccounts']);
  });
});
