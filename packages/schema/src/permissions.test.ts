// The permission language on its own: the core files read cleanly, every problem of a bad document is named
// by its path at once, limits and reserved names hold, and the JSON Schema for editors is committed.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_LABEL_LENGTH } from './limits.ts';
import { permissionJsonSchema } from './permission-json-schema.ts';
import {
  checkPermissionReferences,
  ENTITY_SHARING_KEYS,
  OBJECT_RIGHTS,
  type PermissionModel,
  ROLE_KEYS,
  readPermissionDocuments,
  SHARING_RULE_KEYS,
  validatePermissionModel,
} from './permissions.ts';
import type { EntityDefinition } from './types.ts';
import { parsePermissionFiles } from './yaml.ts';

const DIR = fileURLToPath(new URL('../../../schemas/permissions', import.meta.url));
const COMMITTED = fileURLToPath(new URL('../../../schemas/permission.schema.json', import.meta.url));
const labels = (en: string) => ({ en, 'zh-CN': en });
const role = (extra: Record<string, unknown> = {}) => ({
  kind: 'role',
  name: 'auditor',
  labels: labels('Auditor'),
  objects: { '*': { read: true } },
  ...extra,
});

describe('the core permission files', () => {
  it('read without a problem, each starting with the schema line', () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));
    for (const { file, text } of files) {
      expect(text.split('\n')[0], file).toBe('# yaml-language-server: $schema=../permission.schema.json');
    }
    const { model, issues } = parsePermissionFiles(files);
    expect(issues).toEqual([]);
    expect(model.roles.map((r) => r.name).sort()).toEqual([
      'admin',
      'marketing',
      'partnerUser',
      'readOnly',
      'salesManager',
      'salesRep',
      'serviceAgent',
    ]);
    expect(validatePermissionModel(model)).toEqual([]);
  });
});

describe('readPermissionDocuments', () => {
  it('names every problem of every document at once, each by its path', () => {
    const { issues } = readPermissionDocuments([
      {
        file: 'bad-role.yaml',
        value: role({
          name: 'Bad Name',
          labels: { en: 'x'.repeat(MAX_LABEL_LENGTH + 1) },
          system: ['manageEverything'],
          objects: { account: { read: 'yes', fly: true } },
          fields: { account: { budget: 'secret' } },
          partner: 'no',
          colour: 'red',
        }),
      },
      {
        file: 'sharing.yaml',
        value: {
          kind: 'sharing',
          entities: {
            account: { default: 'hidden', parent: 'owner', extra: 1 },
            contact: { default: 'controlledByParent' },
          },
          rules: [
            { name: 'east', labels: labels('East'), entity: 'account', condition: {}, role: 'nobody', access: 'all' },
          ],
        },
      },
      { file: 'odd.yaml', value: { kind: 'profile' } },
    ]);
    const at = (file: string) => issues.filter((i) => i.file === file).map((i) => i.path);
    expect(at('bad-role.yaml')).toEqual([
      'colour',
      'name',
      'labels.en',
      'labels.zh-CN',
      'system[0]',
      'objects.account.read',
      'objects.account.fly',
      'fields.account.budget',
      'partner',
    ]);
    expect(issues.find((i) => i.path === 'labels.en')?.message).toBe(
      `the text must be at most ${MAX_LABEL_LENGTH} characters, got ${MAX_LABEL_LENGTH + 1}`,
    );
    expect(issues.find((i) => i.path === 'objects.account.fly')?.allowed).toEqual(OBJECT_RIGHTS);
    expect(at('sharing.yaml')).toEqual([
      'entities.account.extra',
      'entities.account.default',
      'entities.account.parent',
      'entities.contact.parent',
      'rules[0].condition',
      'rules[0].access',
    ]);
    expect(at('odd.yaml')).toEqual(['kind']);
    // Between documents: the rule's role.
    expect(issues.filter((i) => i.file === undefined).map((i) => i.path)).toEqual(['sharing.rules.east.role']);
  });

  it('refuses reserved names, a role defined twice, a reportsTo naming nothing and a cycle', () => {
    const { issues } = readPermissionDocuments([
      { value: role({ name: 'constructor' }) },
      { value: role({ name: 'system' }) },
      { value: role({ name: 'a', reportsTo: 'b' }) },
      { value: role({ name: 'b', reportsTo: 'a' }) },
      { value: role({ name: 'c', reportsTo: 'ghost' }) },
      { value: role({ name: 'c' }) },
      { value: role({ name: `r${'x'.repeat(40)}` }) },
    ]);
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['documents[0].name', expect.stringMatching(/"constructor" is reserved/)],
      ['documents[1].name', expect.stringMatching(/"system" is reserved/)],
      ['documents[6].name', expect.stringMatching(/at most 40 characters/)],
      ['roles.c.name', 'the role "c" is defined twice'],
      ['roles.a.reportsTo', 'makes a cycle: a → b → a'],
      ['roles.b.reportsTo', 'makes a cycle: b → a → b'],
      ['roles.c.reportsTo', 'names no role: "ghost"'],
    ]);
  });
});

describe('checkPermissionReferences', () => {
  const account: EntityDefinition = {
    name: 'account',
    labels: labels('Account'),
    titleField: 'name',
    fields: [
      { name: 'name', type: 'text', labels: labels('Name') },
      { name: 'owner', type: 'relation', labels: labels('Owner'), relation: { target: 'user', kind: 'manyToOne' } },
    ],
  } as EntityDefinition;
  it('names entities and fields that do not exist and sharing fields that are not the right relation', () => {
    const model: PermissionModel = {
      roles: [
        {
          name: 'rep',
          labels: labels('Rep'),
          objects: { account: { read: true }, ghost: { read: true } },
          fields: { account: { name: 'readOnly', budget: 'hidden' } },
        },
      ],
      sharing: {
        entities: { account: { default: 'private', ownerField: 'name', teamField: 'owner' } },
        rules: [{ name: 'r', labels: labels('R'), entity: 'lead', condition: { a: 1 }, role: 'rep', access: 'read' }],
      },
    };
    expect(checkPermissionReferences(model, [account]).map((i) => i.path)).toEqual([
      'roles.rep.objects.ghost',
      'roles.rep.fields.account.budget',
      'sharing.entities.account.ownerField',
      'sharing.entities.account.teamField',
      'sharing.rules[0].entity',
    ]);
  });
});

describe('permissionJsonSchema', () => {
  const schema = permissionJsonSchema();
  const defs = schema.$defs as Record<string, { properties: Record<string, unknown>; items?: unknown }>;
  it('knows exactly the keys the validator knows', () => {
    expect(Object.keys(defs.role!.properties).sort()).toEqual(['kind', ...ROLE_KEYS].sort());
    const sharing = defs.sharing!.properties as Record<string, { additionalProperties?: unknown; items?: unknown }>;
    const entity = sharing.entities!.additionalProperties as { properties: object };
    expect(Object.keys(entity.properties).sort()).toEqual([...ENTITY_SHARING_KEYS].sort());
    const rule = sharing.rules!.items as { properties: object };
    expect(Object.keys(rule.properties).sort()).toEqual([...SHARING_RULE_KEYS].sort());
  });

  it('is committed as schemas/permission.schema.json (UPDATE_SNAPSHOTS=1 rewrites it)', () => {
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
        'schemas/permission.schema.json is missing or stale: it differs from permissionJsonSchema(). ' +
          'Regenerate it with `pnpm --filter @touchpoint/schema gen` and commit the result.',
      );
    }
  });
});
