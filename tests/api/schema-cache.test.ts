// The GraphQL schema is rebuilt only when what it is made of changed. Building it is one synchronous stretch
// of the event loop (~60 ms of CPU for the CRM, several hundred ms on a loaded machine): a plugin install that
// brings only code made every other request wait that long, though the new version's schema was the same.
import { SchemaCache } from '@touchpoint/api';
import { type GraphQLSchema, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
const accountFields = (schema: GraphQLSchema) => {
  const type = schema.getType('Account');
  return isObjectType(type) ? Object.keys(type.getFields()) : [];
};
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe('the schema cache', () => {
  it('keeps the schema for a version that changes no entity, and builds one when an entity changes', async () => {
    const cache = new SchemaCache(h.engine);
    const first = await cache.get('default');
    expect(cache.builds).toBe(1);
    expect(await cache.get('default')).toBe(first);

    // A plugin that brings only code: a new metadata version with the same entities.
    const code = await h.engine.applyPluginLayer(
      'default',
      { pluginId: 'acme.code-only', version: '1.0.0', entities: [], fields: [] },
      { actor: 'system' },
    );
    expect(code.applied).toBe(true);
    const second = await cache.get('default');
    expect(second.metadata.version).toBeGreaterThan(first.metadata.version);
    expect(second.schema).toBe(first.schema);
    expect(cache.builds).toBe(1);

    // A field added: the schema is built again and has it.
    await h.engine.changeMetadata(
      'default',
      [
        {
          op: 'addField',
          entity: 'account',
          field: { name: 'cacheProbe', type: 'text', labels: { en: 'Cache probe', 'zh-CN': '缓存探针' } },
        },
      ],
      { actor: 'system' },
    );
    const third = await cache.get('default');
    expect(cache.builds).toBe(2);
    expect(third.schema).not.toBe(second.schema);
    expect(accountFields(third.schema)).toContain('cacheProbe');
    expect(accountFields(second.schema)).not.toContain('cacheProbe');

    // Any change of the entities builds it again, even one that changes no table (a label).
    await h.engine.changeMetadata(
      'default',
      [
        {
          op: 'updateField',
          entity: 'account',
          field: 'cacheProbe',
          patch: { labels: { en: 'Probe', 'zh-CN': '探针' } },
        },
      ],
      { actor: 'system' },
    );
    expect((await cache.get('default')).schema).not.toBe(third.schema);
    expect(cache.builds).toBe(3);
  });
});
