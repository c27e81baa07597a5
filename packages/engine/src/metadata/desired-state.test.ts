// The desired-state planner on its own: what the admin's layer holds, and which changes a desired state
// turns into. The CLI tests (tests/cli-metadata*.test.ts) runs the same through files and a real database.
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';
import { describe, expect, it } from 'vitest';
import { adminLayer, desiredEntities, type MetadataDocument, planChanges } from './desired-state.ts';

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
