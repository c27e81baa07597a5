import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fieldTypeNames } from './field-types.ts';
import { entityJsonSchema, type JsonSchema } from './json-schema.ts';
import { ENTITY_KEYS } from './validate-entity.ts';
import { FIELD_COMMON_KEYS, fieldOptionKeys } from './validate-field.ts';

const COMMITTED = fileURLToPath(new URL('../../../schemas/entity.schema.json', import.meta.url));

const schema = entityJsonSchema();
const defs = schema.$defs as Record<string, JsonSchema>;
const keysOf = (value: unknown) => Object.keys((value as { properties: object }).properties);

describe('entityJsonSchema', () => {
  it('is a draft 2020-12 schema of one entity file', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['name', 'labels', 'titleField', 'fields']);
  });

  it('knows exactly the keys the validator knows', () => {
    expect(keysOf(schema).sort()).toEqual([...ENTITY_KEYS].sort());
    expect(keysOf(defs.field).sort()).toEqual([...FIELD_COMMON_KEYS, ...fieldOptionKeys()].sort());
  });

  it('lists every registered field type and describes each field key', () => {
    const properties = defs.field!.properties as Record<string, JsonSchema>;
    expect(properties.type!.enum).toEqual(fieldTypeNames());
    for (const [key, property] of Object.entries(properties)) {
      if (key !== 'relation' && key !== 'autonumber' && key !== 'formula' && key !== 'rollup') {
        expect(property.description, key).toEqual(expect.any(String));
      }
    }
  });

  it('requires the option block of each type and forbids the options of other types', () => {
    const rules = defs.field!.allOf as JsonSchema[];
    const rule = (type: string) =>
      rules.find((r) => (r.if as { properties: { type: { const: string } } }).properties.type.const === type)!
        .then as JsonSchema;
    expect(rule('select').required).toEqual(['options']);
    expect(rule('relation').required).toEqual(['relation']);
    expect(rule('text').required).toBeUndefined();
    expect(rule('text').properties).toMatchObject({ options: false, scale: false, relation: false });
    expect(rule('text').properties).not.toHaveProperty('pattern');
  });

  it('is committed as schemas/entity.schema.json (UPDATE_SNAPSHOTS=1 rewrites it)', () => {
    const text = `${JSON.stringify(schema, null, 2)}\n`;
    if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(COMMITTED, text);
    let committed = '';
    try {
      committed = readFileSync(COMMITTED, 'utf8');
    } catch {
      // reported below
    }
    if (committed !== text) {
      expect.fail(
        'schemas/entity.schema.json is missing or stale: it differs from entityJsonSchema(). ' +
          'Regenerate it with `pnpm --filter @touchpoint/schema gen` (or UPDATE_SNAPSHOTS=1 npx vitest run packages/schema/src/json-schema.test.ts) and commit the result.',
      );
    }
  });
});
