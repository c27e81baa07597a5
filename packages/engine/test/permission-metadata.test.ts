// Roles and sharing settings as layered, versioned metadata on a real database: the core model from
// schemas/permissions, plugin permission sets for their own entities, the admin's changes through the change
// API (each a version, stored with its effective model), and what is refused — every problem by its path.
import { fileURLToPath } from 'node:url';
import type { EntityDefinition, RoleDefinition } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  Engine,
  loadCoreEntities,
  loadCorePermissions,
  type MetadataChange,
  type PluginContribution,
  type TestDatabase,
} from '../src/index.ts';

const SCHEMAS = fileURLToPath(new URL('../../../schemas/', import.meta.url));
const labels = (en: string) => ({ en, 'zh-CN': en });

let database: TestDatabase;
let engine: Engine;

beforeAll(async () => {
  database = await createTestDatabase();
  const coreEntities = loadCoreEntities(`${SCHEMAS}entities`);
  engine = await Engine.start({
    databaseUrl: database.url,
    dataDir: database.dataDir,
    coreEntities,
    corePermissions: loadCorePermissions(`${SCHEMAS}permissions`, coreEntities),
  });
}, 120_000);
afterAll(async () => {
  await engine?.close();
  await database?.drop();
});

const change = (...changes: MetadataChange[]) => engine.changeMetadata('default', changes, { actor: 'tester' });
const model = async () => (await engine.metadata('default')).permissions;
const role = async (name: string) => (await model()).roles.find((r) => r.name === name);
const refusal = async (promise: Promise<unknown>) => {
  const error = (await promise.then(
    () => expect.fail('the change was applied'),
    (e: unknown) => e,
  )) as { code: string; issues: { path: string; message: string }[] };
  return { code: error.code, issues: error.issues.map((i) => [i.path, i.message]) };
};

const eastSales: RoleDefinition = {
  name: 'eastSales',
  labels: { en: 'East sales', 'zh-CN': '华东销售' },
  reportsTo: 'salesManager',
  objects: { '*': { read: true }, account: { read: true, create: true, edit: true } },
  fields: { account: { annualProfit: 'hidden' } },
};

describe('the core layer', () => {
  it('is the effective model of a new workspace, each role and rule stamped with its id and source', async () => {
    const roles = (await model()).roles;
    expect(roles.map((r) => [r.name, r.id, r.source])).toContainEqual(['salesRep', 'salesRep', 'core']);
    expect(roles).toHaveLength(7);
    expect((await model()).sharing.entities.account).toMatchObject({ default: 'private', ownerField: 'owner' });
  });
});

describe("the admin's changes", () => {
  it('creates a role, sets sharing and adds a rule: each change a version storing its model', async () => {
    const before = (await engine.metadata('default')).version;
    const created = await change({ op: 'createRole', role: structuredClone(eastSales) });
    expect(created).toMatchObject({ applied: true, version: before + 1, plan: { steps: [] } });
    const stored = await role('eastSales');
    expect(stored).toMatchObject({ source: 'workspace', reportsTo: 'salesManager' });
    expect(stored!.id).toMatch(/^role_[0-9a-f]{12}$/);
    await change({
      op: 'setEntitySharing',
      entity: 'lead',
      sharing: { default: 'publicRead', ownerField: 'owner' },
    });
    await change({
      op: 'addSharingRule',
      rule: {
        name: 'eastAccounts',
        labels: labels('East accounts'),
        entity: 'account',
        condition: { territory: { name: { eq: 'East' } } },
        role: 'eastSales',
        access: 'read',
      },
    });
    const latest = await model();
    expect(latest.sharing.entities.lead).toEqual({ default: 'publicRead', ownerField: 'owner' });
    expect(latest.sharing.rules).toEqual([expect.objectContaining({ name: 'eastAccounts', source: 'workspace' })]);
    const history = await engine.history('default');
    expect(history[0]!.changes).toEqual([expect.objectContaining({ op: 'addSharingRule' })]);
    // Each version keeps the model it made: the one before the rule has none.
    expect(history[1]!.permissions?.sharing.rules).toEqual([]);
    expect(history[2]!.permissions?.roles.some((r) => r.name === 'eastSales')).toBe(true);
    expect(history[3]!.permissions?.roles.some((r) => r.name === 'eastSales')).toBe(false);
  });

  it('updates a role and a rule, and changes nothing (no version) when the change changes nothing', async () => {
    await change({
      op: 'updateRole',
      role: 'eastSales',
      patch: { labels: labels('East'), fields: null, description: labels('The east') },
    });
    expect(await role('eastSales')).toMatchObject({ labels: labels('East'), description: labels('The east') });
    expect((await role('eastSales'))!.fields).toBeUndefined();
    await change({ op: 'updateSharingRule', rule: 'eastAccounts', patch: { access: 'edit' } });
    expect((await model()).sharing.rules[0]).toMatchObject({ access: 'edit' });
    const again = await change({ op: 'updateSharingRule', rule: 'eastAccounts', patch: { access: 'edit' } });
    expect(again.applied).toBe(false);
  });

  it('refuses a bad change with every problem by its path, and changes nothing', async () => {
    const version = (await engine.metadata('default')).version;
    expect(
      await refusal(
        change(
          { op: 'createRole', role: { ...eastSales, name: 'x y', labels: { en: '' } } as never },
          { op: 'setEntitySharing', entity: 'lead', sharing: { default: 'secret' } as never },
          { op: 'updateRole', role: 'eastSales', patch: { name: 'renamed', partner: 'yes' } as never },
        ),
      ),
    ).toEqual({
      code: 'VALIDATION_FAILED',
      issues: [
        ['changes[0].role.name', expect.stringMatching(/letters and digits/)],
        ['changes[0].role.labels.en', 'must be a text, got ""'],
        ['changes[0].role.labels.zh-CN', 'must be a text, got nothing'],
        ['changes[1].sharing.default', expect.stringMatching(/is not a sharing default/)],
        ['changes[2].patch.name', expect.stringMatching(/"name" cannot be patched on a role/)],
        ['changes[2].patch.partner', 'must be true or false, got "yes"'],
      ],
    });
    expect(
      await refusal(
        change(
          { op: 'createRole', role: { ...eastSales, name: 'ghostly', objects: { ghost: { read: true } } } },
          { op: 'setEntitySharing', entity: 'account', sharing: { default: 'private', ownerField: 'name' } },
          { op: 'updateRole', role: 'eastSales', patch: { reportsTo: 'nobody' } },
        ),
      ),
    ).toEqual({
      code: 'VALIDATION_FAILED',
      issues: [
        ['roles.eastSales.reportsTo', 'names no role: "nobody"'],
        ['roles.ghostly.objects.ghost', 'names no entity: "ghost"'],
        ['sharing.entities.account.ownerField', 'must be a many-to-one relation of account to user, got "name"'],
      ],
    });
    expect((await engine.metadata('default')).version).toBe(version);
  });

  it('keeps the administrator whole and the hierarchy connected', async () => {
    expect(
      await refusal(
        change(
          { op: 'removeRole', role: 'admin' },
          { op: 'updateRole', role: 'admin', patch: { system: ['manageUsers'] } },
          { op: 'removeRole', role: 'salesManager' },
        ),
      ),
    ).toEqual({
      code: 'VALIDATION_FAILED',
      issues: [
        ['changes[0].role', expect.stringMatching(/"admin" is a role of the core and cannot be removed/)],
        [
          'changes[1].patch.system',
          'the built-in administrator role keeps every system permission; it would lose manageMetadata, managePlugins, manageSharing, viewAuditLog',
        ],
        ['changes[2].role', expect.stringMatching(/"salesManager" is a role of the core/)],
      ],
    });
    await change({
      op: 'createRole',
      role: { ...structuredClone(eastSales), name: 'eastJunior', reportsTo: 'eastSales' },
    });
    expect(await refusal(change({ op: 'removeRole', role: 'eastSales' }))).toEqual({
      code: 'VALIDATION_FAILED',
      issues: [
        [
          'changes[0].role',
          '"eastSales" cannot be removed while the role eastJunior reports to it and the sharing rule eastAccounts shares with it; change those first',
        ],
      ],
    });
  });

  it('refuses to remove a role users hold (the role assignments table)', async () => {
    await engine.db.query(
      'create table if not exists touchpoint.role_assignment (workspace_id integer not null, user_id uuid not null, role text not null, primary key (workspace_id, user_id, role))',
    );
    const ws = await engine.getWorkspace('default');
    await engine.db.query(
      `insert into touchpoint.role_assignment (workspace_id, user_id, role) values ($1, gen_random_uuid(), 'eastJunior')`,
      [ws.id],
    );
    expect(await refusal(change({ op: 'removeRole', role: 'eastJunior' }))).toEqual({
      code: 'VALIDATION_FAILED',
      issues: [['changes[0].role', '"eastJunior" is held by 1 user; give them another role first']],
    });
    await engine.db.query(`delete from touchpoint.role_assignment where role = 'eastJunior'`);
    await change({ op: 'removeRole', role: 'eastJunior' });
    expect(await role('eastJunior')).toBeUndefined();
  });
});

describe('entities and fields the permissions name', () => {
  const gizmo: EntityDefinition = {
    name: 'gizmo',
    labels: labels('Gizmo'),
    titleField: 'name',
    fields: [
      { name: 'name', type: 'text', labels: labels('Name') },
      { name: 'secret', type: 'text', labels: labels('Secret') },
      { name: 'keeper', type: 'relation', labels: labels('Keeper'), relation: { target: 'user', kind: 'manyToOne' } },
    ],
  };

  it('follows renames of entities and fields, and refuses removing a field the sharing uses', async () => {
    await change(
      { op: 'createEntity', entity: structuredClone(gizmo) },
      { op: 'setEntitySharing', entity: 'gizmo', sharing: { default: 'private', ownerField: 'keeper' } },
      {
        op: 'updateRole',
        role: 'eastSales',
        patch: { objects: { '*': { read: true }, gizmo: { read: true } }, fields: { gizmo: { secret: 'hidden' } } },
      },
    );
    await change(
      { op: 'updateField', entity: 'gizmo', field: 'keeper', patch: { name: 'holder' } },
      { op: 'updateField', entity: 'gizmo', field: 'secret', patch: { name: 'hush' } },
      { op: 'updateEntity', entity: 'gizmo', patch: { name: 'widget' } },
    );
    expect((await model()).sharing.entities.widget).toEqual({ default: 'private', ownerField: 'holder' });
    expect(await role('eastSales')).toMatchObject({
      objects: { widget: { read: true } },
      fields: { widget: { hush: 'hidden' } },
    });
    expect(
      await refusal(
        engine.changeMetadata('default', [{ op: 'removeField', entity: 'widget', field: 'holder' }], {
          actor: 'tester',
          confirmDestructive: true,
        }),
      ),
    ).toEqual({
      code: 'VALIDATION_FAILED',
      issues: [
        [
          'changes[0].field',
          `"widget.holder" is the ownerField of widget's sharing settings; change them first (setEntitySharing in the same change list)`,
        ],
      ],
    });
  });

  it('keeps the access of a removed field, so restoring it does not open it up', async () => {
    await engine.changeMetadata('default', [{ op: 'removeField', entity: 'widget', field: 'hush' }], {
      actor: 'tester',
      confirmDestructive: true,
    });
    expect((await role('eastSales'))!.fields).toEqual({ widget: { hush: 'hidden' } });
    // And the kept entry blocks nothing later.
    await change({ op: 'updateRole', role: 'eastSales', patch: { labels: labels('East again') } });
    const archive = (await engine.archives('default')).find((a) => a.kind === 'field');
    await change({ op: 'restoreField', archiveId: archive!.id });
    expect((await engine.metadata('default')).byName.get('widget')!.fields.map((f) => f.name)).toContain('hush');
  });
});

describe('plugin permission sets', () => {
  const tracker: EntityDefinition = {
    name: 'acmeTicket',
    labels: labels('Ticket'),
    titleField: 'title',
    fields: [
      { name: 'title', type: 'text', labels: labels('Title') },
      { name: 'owner', type: 'relation', labels: labels('Owner'), relation: { target: 'user', kind: 'manyToOne' } },
    ],
  };
  const layer = (permissions: PluginContribution['permissions']): PluginContribution => ({
    pluginId: 'acme.tickets',
    version: '1.0.0',
    entities: [tracker],
    fields: [],
    permissions,
  });

  it('refuses a set naming what the plugin does not own, naming the plugin', async () => {
    expect(
      await refusal(
        engine.applyPluginLayer(
          'default',
          layer({
            roles: [{ name: 'salesRep', labels: labels('x'), objects: {} }],
            grants: [{ name: 'salesRep', objects: { account: { delete: true } } }],
            sharing: { entities: { lead: { default: 'private' } } },
          }),
          { actor: 'tester' },
        ),
      ),
    ).toEqual({
      code: 'VALIDATION_FAILED',
      issues: [
        ['plugins.acme.tickets.permissions.roles.salesRep', 'the role "salesRep" is already defined by core'],
        ['plugins.acme.tickets.permissions.grants.salesRep.objects.account', 'is not an entity of plugin acme.tickets'],
        ['plugins.acme.tickets.permissions.sharing.entities.lead', 'is not an entity of plugin acme.tickets'],
      ],
    });
  });

  it('refuses a plugin role reporting to no role (checked on install like an admin change)', async () => {
    expect(
      await refusal(
        engine.applyPluginLayer(
          'default',
          layer({
            roles: [
              {
                name: 'ticketAgent',
                labels: labels('x'),
                reportsTo: 'nobody',
                objects: { acmeTicket: { read: true } },
              },
            ],
          }),
          { actor: 'tester' },
        ),
      ),
    ).toEqual({ code: 'VALIDATION_FAILED', issues: [['roles.ticketAgent.reportsTo', 'names no role: "nobody"']] });
  });

  it("adds its roles, its rights for other layers' roles and its sharing; removing the plugin takes them out", async () => {
    await engine.applyPluginLayer(
      'default',
      layer({
        roles: [{ name: 'ticketAgent', labels: labels('Ticket agent'), objects: { acmeTicket: { read: true } } }],
        grants: [{ name: 'salesRep', objects: { acmeTicket: { read: true, create: true } } }],
        sharing: { entities: { acmeTicket: { default: 'private', ownerField: 'owner' } } },
      }),
      { actor: 'tester' },
    );
    expect(await role('ticketAgent')).toMatchObject({ id: 'acme.tickets:ticketAgent', source: 'plugin:acme.tickets' });
    expect((await role('salesRep'))!.objects.acmeTicket).toEqual({ read: true, create: true });
    expect((await model()).sharing.entities.acmeTicket).toEqual({ default: 'private', ownerField: 'owner' });
    // The admin gives the plugin's role a right on a core entity; then the plugin goes.
    await change({
      op: 'updateRole',
      role: 'ticketAgent',
      patch: { objects: { acmeTicket: { read: true }, account: { read: true } } },
    });
    await engine.removePluginLayer('default', 'acme.tickets', { actor: 'tester', confirmDestructive: true });
    expect(await role('ticketAgent')).toBeUndefined();
    expect((await role('salesRep'))!.objects.acmeTicket).toBeUndefined();
    expect((await model()).sharing.entities.acmeTicket).toBeUndefined();
  });
});
