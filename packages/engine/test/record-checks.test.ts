// Input checks of the record service run once per value: createMany checks every row, and after the write
// hooks only what a hook set or changed is checked again (nothing at all without hooks), so a hook still
// cannot slip an invalid value in. Counted through a field type of this test's own, registered the way a
// plugin registers one.
import { type EntityDefinition, registerFieldType, validationFailed } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, Engine, type TestDatabase } from '../src/index.ts';

let checks = 0;
registerFieldType({
  name: 'countedCode',
  columns: () => [{ suffix: '', sqlType: 'text' }],
  graphql: () => 'String',
  filter: () => 'string',
  writable: true,
  sortable: true,
  groupable: true,
  summable: false,
  searchable: false,
  options: [],
  widensTo: [],
  check(value) {
    checks++;
    return typeof value === 'string' && /^[A-Z]{3}$/.test(value)
      ? { ok: true, value }
      : { ok: false, message: 'must be three capital letters' };
  },
});

const labels = (en: string) => ({ en, 'zh-CN': en });
const part: EntityDefinition = {
  name: 'part',
  labels: labels('Part'),
  titleField: 'title',
  fields: [
    { name: 'title', type: 'text', labels: labels('Title'), maxLength: 20 },
    // A type registered at run time, as a plugin's would be: not one of the built-in names the types list.
    { name: 'code', type: 'countedCode' as never, labels: labels('Code') },
  ],
};

let database: TestDatabase;
let engine: Engine;
const records = () => engine.records({ workspace: 'default', actor: 'tester' });
const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ title: `Part ${i}`, code: 'ABC' }));

beforeAll(async () => {
  database = await createTestDatabase();
  engine = await Engine.start({ databaseUrl: database.url, dataDir: database.dataDir, coreEntities: [part] });
});
afterAll(async () => {
  await engine?.close();
  await database?.drop();
});

describe('record input checks', () => {
  it('check each value of a batch once when no hook can change it', async () => {
    checks = 0;
    await records().createMany('part', rows(3));
    expect(checks).toBe(3);
    checks = 0;
    const [first] = await records().createMany('part', rows(1));
    await records().update('part', first!.id, { code: 'XYZ' });
    expect(checks).toBe(2);
  });

  it('check again only what a hook changed, and refuse what a hook made invalid', async () => {
    let code: string | undefined;
    const unregister = engine.hooks.register({
      name: 'stamp',
      beforeCreate({ values }) {
        values.title = `${values.title} (stamped)`;
        if (code !== undefined) values.code = code;
      },
    });
    try {
      checks = 0;
      await records().createMany('part', rows(3)); // the hook changes the title only
      expect(checks).toBe(3);

      code = 'DEF';
      checks = 0;
      const [created] = await records().createMany('part', rows(2)); // now the code too
      expect(checks).toBe(4);
      const read = await records().get('part', created!.id, { fields: ['title', 'code'], relations: [] });
      expect(read).toMatchObject({ title: 'Part 0 (stamped)', code: 'DEF' });

      code = 'nope';
      await expect(records().createMany('part', rows(2))).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        issues: [{ path: 'inputs[0].code', message: 'must be three capital letters' }],
      });
      code = undefined;
      await expect(records().create('part', { title: 'A twenty-char title', code: 'ABC' })).rejects.toMatchObject({
        issues: [{ path: 'input.title', message: expect.stringMatching(/at most 20 characters/) }],
      });
    } finally {
      unregister();
    }
  });

  it("refuse with the hook's own error when a hook refuses", async () => {
    const unregister = engine.hooks.register({
      name: 'policy',
      beforeCreate() {
        throw validationFailed('Refused by policy', [{ path: 'code', message: 'is not allowed' }]);
      },
    });
    try {
      await expect(records().create('part', rows(1)[0])).rejects.toMatchObject({
        issues: [{ path: 'input.code', message: 'is not allowed' }],
      });
    } finally {
      unregister();
    }
  });
});
