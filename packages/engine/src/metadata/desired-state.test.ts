// The desired-state planner on its own: what the admin's layer holds, and which changes a desired state
// turns into. The CLI tests (tests/cli-metadata*.test.ts) runs the same through files and a real database.
import type { EntityDefinition, FieldDefinition, PermissionModel, RoleDefinition } from '@touchpoint/schema';
import { describe, expect, it } from 'vitest';
import type { MetadataChange } from './changes.ts';
import { adminLayer, desiredEntities, type MetadataDocument, planChanges } from './desired-state.ts';
import { adminPermissionLayer, desiredPermissions, planPermissionChanges } from './permission-desired-state.ts';

const labels = (en: string) => ({ en, 'zh-CN': en });
const field = (entity: string, name: string, extra: Partial<FieldDefinition> = {}): FieldDefinition =>
  ({ id: `${entity}.${name}`, name, type: 'text', labels: labels(name), source: 'core', ...extra }) as FieldDefinition;
const account = (): EntityDefinition => ({
  id: 'account',
  name: 'account',
  labels: labels('Account'),
  titleField: 'name',
  source: 'core',
  fields: [field('account', 'name', { required: true }), field('account', 'fax'), field('account', 'website')],
});

describe('adminLayer and planChanges', () => {
  it('exports a renamed core entity and its changed, added and removed fields, and plans nothing back', () => {
    const base = [account()];
    const current = structuredClone(base);
    const live = current[0]!;
    live.name = 'client';
    live.fields[0]!.required = false;
    live.fields[2]!.name = 'homepage';
    live.fields.splice(1, 1);
    live.fields.push({ ...field('account', 'acmeTier'), id: 'fld_1', source: 'workspace' });
    const layer = adminLayer(base, current);
    expect(layer.entities).toEqual([]);
    expect(layer.layers[0]).toMatchObject({
      extends: 'account',
      patch: { name: 'client' },
      removedFields: ['fax'],
      fields: [
        { name: 'name', extends: 'name', required: false },
        { name: 'homepage', extends: 'website' },
        { name: 'acmeTier', id: 'fld_1', type: 'text' },
      ],
    });
    const documents: MetadataDocument[] = [
      {
        kind: 'entityLayer',
        file: 'x.yaml',
        layer: {
          extends: 'account',
          patch: { name: 'client' },
          changed: [
            { extends: 'name', name: 'name', patch: { required: false } },
            { extends: 'website', name: 'homepage', patch: {} },
          ],
          added: [{ ...field('account', 'acmeTier'), id: 'fld_1' }],
          removedFields: ['fax'],
        },
      },
    ];
    const desired = desiredEntities(base, documents);
    expect(desired.issues).toEqual([]);
    expect(planChanges(base, current, desired.entities)).toEqual({ changes: [], issues: [] });
    // Against the bare core, the same file is a rename of the entity and of a field, by id.
    const fromScratch = planChanges(base, base, desired.entities);
    expect(fromScratch.changes).toContainEqual({
      op: 'updateEntity',
      entity: 'account',
      entityId: 'account',
      patch: { name: 'client' },
    });
    expect(fromScratch.changes).toContainEqual(
      expect.objectContaining({
        op: 'updateField',
        field: 'website',
        fieldId: 'account.website',
        patch: { name: 'homepage' },
      }),
    );
    expect(fromScratch.changes.at(-1)).toMatchObject({ op: 'removeField', field: 'fax' });
  });

  it('sets a flag left out back to its default, and refuses to drop a key that has none', () => {
    const gadget: EntityDefinition = {
      id: 'gadget',
      name: 'gadget',
      labels: labels('Gadget'),
      description: labels('Things'),
      titleField: 'title',
      fields: [field('gadget', 'title', { required: true, source: 'workspace' })],
    };
    const desired = structuredClone(gadget);
    delete desired.description;
    delete desired.fields[0]!.required;
    const planned = planChanges([], [gadget], [desired]);
    expect(planned.changes).toContainEqual(expect.objectContaining({ op: 'updateField', patch: { required: false } }));
    expect(planned.issues).toEqual([
      { path: 'gadget.description', message: expect.stringMatching(/"description" cannot be taken out/) },
    ]);
  });
});

describe('roles and sharing as desired state', () => {
  const role = (name: string, extra: Partial<RoleDefinition> = {}): RoleDefinition => ({
    id: name,
    name,
    labels: labels(name),
    objects: { account: { read: true } },
    source: 'core',
    ...extra,
  });
  const owner = field('account', 'owner', {
    type: 'relation',
    relation: { target: 'user', kind: 'manyToOne' },
  } as Partial<FieldDefinition>);
  const entities = (): EntityDefinition[] => [{ ...account(), fields: [...account().fields, owner] }];
  const base = (): PermissionModel => ({
    roles: [role('rep'), role('manager')],
    sharing: { entities: { account: { default: 'private', ownerField: 'owner' } }, rules: [] },
  });

  it('exports what the workspace created or changed, leaving out what names nothing that exists', () => {
    const current = base();
    current.roles[0]!.fields = { account: { fax: 'hidden' }, gone: { x: 'hidden' } };
    current.roles.push(role('east', { id: 'role_1', source: 'workspace', objects: { gone: { read: true } } }));
    current.sharing.entities.gone = { default: 'private' };
    const layer = adminPermissionLayer(base(), current, entities());
    expect(layer.roles).toEqual([
      {
        id: 'rep',
        name: 'rep',
        labels: labels('rep'),
        objects: { account: { read: true } },
        fields: { account: { fax: 'hidden' } },
      },
      { id: 'role_1', name: 'east', labels: labels('east'), objects: {} },
    ]);
    expect(layer.sharing).toEqual({ entities: {}, rules: [] });
  });

  it('plans by id around the entity changes: sharing first, renames followed, removals last', () => {
    const current = base();
    current.roles.push(role('east', { id: 'role_1', source: 'workspace' }));
    current.sharing.rules.push({
      id: 'rule_1',
      name: 'east',
      labels: labels('East'),
      entity: 'account',
      condition: { name: { eq: 'x' } },
      role: 'east',
      access: 'read',
      source: 'workspace',
    });
    // The file: the account's sharing no longer uses owner (which it removes), the rep reads more, the custom
    // role and its rule are gone, a new role arrives.
    const desired = desiredPermissions(base(), [
      { kind: 'sharing', sharing: { entities: { account: { default: 'publicRead' } } }, file: 'sharing.yaml' },
      {
        kind: 'role',
        role: role('rep', { objects: { account: { read: true, edit: true } }, source: undefined }),
        file: 'rep.yaml',
      },
      { kind: 'role', role: { name: 'west', labels: labels('West'), objects: {} }, file: 'west.yaml' },
    ]);
    expect(desired.issues).toEqual([]);
    const entityChanges: MetadataChange[] = [
      { op: 'removeField', entity: 'account', entityId: 'account', field: 'owner', fieldId: 'account.owner' },
    ];
    const planned = planPermissionChanges(entities(), current, entityChanges, desired.model, [account()]);
    expect(planned.issues).toEqual([]);
    expect(planned.changes.map((c) => c.op)).toEqual([
      'setEntitySharing',
      'removeField',
      'createRole',
      'updateRole',
      'removeSharingRule',
      'removeRole',
    ]);
    expect(planned.changes[2]).toEqual({
      op: 'createRole',
      role: { id: 'west', name: 'west', labels: labels('West'), objects: {} },
    });
    expect(planned.changes[3]).toEqual({
      op: 'updateRole',
      role: 'rep',
      roleId: 'rep',
      patch: { objects: { account: { read: true, edit: true } } },
    });
  });

  it('refuses a renamed role: its name is its key', () => {
    const desired = desiredPermissions(base(), [
      { kind: 'role', role: role('representative', { id: 'rep', source: undefined }), file: 'rep.yaml' },
    ]);
    const planned = planPermissionChanges(entities(), base(), [], desired.model, entities());
    expect(planned.issues).toEqual([
      {
        path: 'roles.representative.name',
        message: expect.stringMatching(/"rep" \(id rep\) cannot be renamed to "representative"/),
      },
    ]);
  });
});
