// The core entities in schemas/entities: every file must parse and validate cleanly, together, and
// survive a trip through the canonical printer. The package itself never reads files; this test does.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { entityToYaml, parseEntityFile, parseEntityFiles } from '../src/yaml.ts';

const DIRECTORY = fileURLToPath(new URL('../../../schemas/entities/', import.meta.url));
const files = readdirSync(DIRECTORY)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => ({ file: name, text: readFileSync(`${DIRECTORY}${name}`, 'utf8') }));

describe('schemas/entities', () => {
  it('holds the core entities', () => {
    expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['account.yaml', 'contact.yaml']));
  });

  it('validates together with zero issues', () => {
    const { entities, issues } = parseEntityFiles(files);
    expect(issues).toEqual([]);
    expect(entities).toHaveLength(files.length);
  });

  it.each(files)('$file names its entity after the file and points editors at the JSON Schema', ({ file, text }) => {
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../entity.schema.json');
    expect(parseEntityFile(text, file).entity?.name).toBe(file.replace(/\.yaml$/, ''));
  });

  it.each(files)('$file round-trips through entityToYaml', ({ file, text }) => {
    const entity = parseEntityFile(text, file).entity!;
    const printed = entityToYaml(entity, { schema: '../entity.schema.json' });
    expect(parseEntityFile(printed, file)).toEqual({ entity, issues: [] });
  });

  it('labels everything in real Chinese, not copies of the English', () => {
    for (const { file, text } of files) {
      const entity = parseEntityFile(text, file).entity!;
      for (const f of entity.fields) {
        expect(f.labels['zh-CN'], `${file} ${f.name}`).toMatch(/\p{Script=Han}/u);
        for (const option of f.options ?? [])
          expect(option.labels['zh-CN'], `${file} ${f.name}`).toMatch(/\p{Script=Han}/u);
      }
    }
  });

  it('account and contact have what the CRM expects', () => {
    const { entities } = parseEntityFiles(files);
    const account = entities.find((e) => e.name === 'account')!;
    const contact = entities.find((e) => e.name === 'contact')!;
    const typeOf = (e: typeof account, name: string) => e.fields.find((f) => f.name === name)?.type;
    expect(Object.fromEntries(account.fields.map((f) => [f.name, f.type]))).toMatchObject({
      name: 'text',
      type: 'select',
      industry: 'select',
      lifecycleStage: 'select',
      annualRevenue: 'currency',
      employees: 'integer',
      phone: 'phone',
      email: 'email',
      website: 'url',
      description: 'longText',
      parentAccount: 'relation',
      accountNumber: 'autonumber',
    });
    expect(account.fields.find((f) => f.name === 'type')!.options!.map((o) => o.value)).toEqual([
      'customer',
      'prospect',
      'partner',
      'competitor',
    ]);
    expect(account.fields.find((f) => f.name === 'parentAccount')!.relation).toMatchObject({
      target: 'account',
      kind: 'manyToOne',
      inverse: 'childAccounts',
    });
    expect(account.fields.find((f) => f.name === 'accountNumber')!.autonumber).toEqual({ prefix: 'ACC-', digits: 6 });
    expect(account.defaultSort).toEqual([{ field: 'name', direction: 'asc' }]);
    expect(account.indexes).toEqual([{ fields: ['industry'] }]);
    expect(Object.keys(account.views ?? {})).toEqual(['list', 'form', 'kanban']);

    expect(contact.titleField).toBe('fullName');
    expect(contact.fields.find((f) => f.name === 'fullName')!.formula).toEqual({
      // Chinese, Japanese and Korean names read family name first without a space (王伟).
      expression:
        "IF(LEFT(lastName, 1) >= '⺀' and LEFT(lastName, 1) <= '힯', lastName & firstName, firstName & ' ' & lastName)",
      resultType: 'text',
    });
    expect(contact.fields.find((f) => f.name === 'email')!.unique).toBe(true);
    expect(contact.fields.find((f) => f.name === 'account')!.relation).toMatchObject({
      target: 'account',
      inverse: 'contacts',
    });
    expect(['firstName', 'lastName'].map((n) => contact.fields.find((f) => f.name === n)!.required)).toEqual([
      true,
      true,
    ]);
    expect(['birthday', 'doNotCall', 'mobile', 'title', 'department'].map((n) => typeOf(contact, n))).toEqual([
      'date',
      'boolean',
      'phone',
      'text',
      'text',
    ]);
  });
});
