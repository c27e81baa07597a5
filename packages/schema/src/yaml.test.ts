import { describe, expect, it } from 'vitest';
import type { EntityDefinition } from './types.ts';
import { normalizeEntity } from './validate.ts';
import { entityToYaml, parseEntityFile, parseEntityFiles } from './yaml.ts';

const DEAL = `name: deal
labels: { en: Deal, zh-CN: 交易 }
titleField: title
fields:
  title:
    type: text
    labels: { en: Title, zh-CN: 标题 }
    required: true
  stage:
    type: select
    labels: { en: Stage, zh-CN: 阶段 }
    options:
      - value: open
        labels: { en: Open, zh-CN: 进行中 }
        color: "#1565c0"
  account:
    type: relation
    labels: { en: Account, zh-CN: 客户 }
    relation:
      target: account
      kind: manyToOne
      inverse: deals
views:
  list:
    columns: [title, stage, account]
`;

const ACCOUNT = `name: account
labels: { en: Account, zh-CN: 客户 }
titleField: name
fields:
  name:
    type: text
    labels: { en: Name, zh-CN: 名称 }
  dealCount:
    type: rollup
    labels: { en: Deals, zh-CN: 交易数 }
    rollup:
      relation: deals
      fn: count
`;

function parsed(text: string): EntityDefinition {
  const { entity, issues } = parseEntityFile(text, 'entity.yaml');
  expect(issues).toEqual([]);
  return entity!;
}

describe('parseEntityFile', () => {
  it('turns the fields mapping into the fields list, in file order, with the key as name', () => {
    const entity = parsed(DEAL);
    expect(entity.fields.map((f) => f.name)).toEqual(['title', 'stage', 'account']);
    expect(entity.fields[0]).toEqual({
      name: 'title',
      type: 'text',
      labels: { en: 'Title', 'zh-CN': '标题' },
      required: true,
    });
    expect(entity.fields[1]!.options![0]!.color).toBe('#1565c0');
  });

  it('accepts fields written as a list', () => {
    const entity = parsed(`name: deal
labels: { en: Deal, zh-CN: 交易 }
titleField: title
fields:
  - name: title
    type: text
    labels: { en: Title, zh-CN: 标题 }
`);
    expect(entity.fields).toEqual([{ name: 'title', type: 'text', labels: { en: 'Title', 'zh-CN': '标题' } }]);
  });

  it('keeps trackHistory on an entity and on a field through parsing and printing', () => {
    const text = DEAL.replace('titleField: title', 'titleField: title\ntrackHistory: true').replace(
      '    labels: { en: Stage, zh-CN: 阶段 }',
      '    labels: { en: Stage, zh-CN: 阶段 }\n    trackHistory: true',
    );
    const entity = parsed(text);
    expect(entity.trackHistory).toBe(true);
    expect(entity.fields[1]!.trackHistory).toBe(true);
    const again = parsed(entityToYaml(entity));
    expect(again.trackHistory).toBe(true);
    expect(again.fields[1]!.trackHistory).toBe(true);
  });

  it('refuses a trackHistory that is not true or false, on the entity and on a field', () => {
    const text = DEAL.replace('titleField: title', 'titleField: title\ntrackHistory: always').replace(
      '    required: true',
      '    required: true\n    trackHistory: 1',
    );
    const messages = parseEntityFile(text, 'deal.yaml').issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^trackHistory: trackHistory must be true or false/),
      expect.stringMatching(/^fields\[0\]\.trackHistory: trackHistory must be true or false, got number 1/),
    ]);
  });

  it('keeps YAML 1.2 meanings: yes and dates stay texts', () => {
    const entity = parsed(DEAL.replace('required: true', 'required: true\n    default: yes'));
    expect(entity.fields[0]!.default).toBe('yes');
  });

  it.each([
    [
      'bad indentation',
      'name: deal\n  labels: x\n',
      'line 1, column 7',
      'malformed YAML: Nested mappings are not allowed',
    ],
    ['a duplicate key', 'name: deal\nname: other\n', 'line 2, column 1', 'malformed YAML: Map keys must be unique'],
    ['a tab', 'name: deal\n\tlabels: x\n', 'line 2, column 1', 'malformed YAML: Tabs are not allowed as indentation'],
    ['an unclosed flow', 'name: deal\nlabels: { en: x\n', 'line 3, column 1', 'malformed YAML:'],
    ['two documents', 'name: a\n---\nname: b\n', 'line 2, column 1', 'an entity file holds one entity'],
  ])('reports malformed YAML (%s) with line and column', (_, text, path, message) => {
    const { entity, issues } = parseEntityFile(text, 'broken.yaml');
    expect(entity).toBeUndefined();
    expect(issues[0]).toEqual({ path, message: expect.stringContaining(message), file: 'broken.yaml' });
  });

  it('reports a file that is not a mapping', () => {
    expect(parseEntityFile('- a\n- b\n', 'list.yaml').issues).toEqual([
      {
        path: '',
        message: 'an entity file must be a mapping with name, labels, titleField and fields; got a list',
        file: 'list.yaml',
      },
    ]);
    expect(parseEntityFile('# nothing\n', 'empty.yaml').issues[0]!.message).toContain('the file is empty');
  });

  it('refuses alias bombs', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
`;
    const { issues } = parseEntityFile(bomb, 'bomb.yaml');
    expect(issues[0]!.message).toMatch(/malformed YAML: .*alias/i);
  });

  it('checks the entity and says where each problem is in the file', () => {
    const text = DEAL.replace('color: "#1565c0"', 'color: blue').replace(
      '  title:\n    type: text',
      '  title:\n    type: txt',
    );
    const { entity, issues } = parseEntityFile(text, 'deal.yaml');
    expect(entity?.name).toBe('deal');
    expect(issues).toEqual([
      expect.objectContaining({
        file: 'deal.yaml',
        path: 'fields[0].type',
        message: expect.stringMatching(/\(line 6, column 11\)$/),
      }),
      expect.objectContaining({
        file: 'deal.yaml',
        path: 'fields[1].options[0].color',
        message: 'color must be #rrggbb, e.g. #2e7d32, got "blue" (line 15, column 16)',
      }),
    ]);
  });

  it('points at the key of a field when its name is wrong, and at an empty definition', () => {
    const text = DEAL.replace('  stage:\n', '  Stage:\n').replace('fields:\n', 'fields:\n  empty:\n');
    const { issues } = parseEntityFile(text, 'deal.yaml');
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(/^fields\[0\]\.labels: .* \(line 5, column 9\)$/),
      expect.stringMatching(/^fields\[0\]\.type: .* \(line 5, column 9\)$/),
      expect.stringMatching(
        /^fields\[2\]\.name: the field name "Stage" is not a valid API name.* \(line 10, column 3\)$/,
      ),
      'views.list.columns[1]: the list view names the unknown field "stage"; fields of deal: empty, title, Stage, account (line 26, column 22)',
    ]);
  });

  it('reports a name inside a field that disagrees with its key', () => {
    const { issues } = parseEntityFile(DEAL.replace('  title:\n', '  title:\n    name: heading\n'), 'deal.yaml');
    expect(issues).toEqual([
      {
        path: 'fields[0].name',
        message:
          'the field is listed under "title" but its name says "heading"; leave name out in a mapping (line 6, column 11)',
        file: 'deal.yaml',
      },
    ]);
  });
});

describe('parseEntityFiles', () => {
  it('checks the entities together and returns them all', () => {
    const { entities, issues } = parseEntityFiles([
      { file: 'account.yaml', text: ACCOUNT },
      { file: 'deal.yaml', text: DEAL },
    ]);
    expect(issues).toEqual([]);
    expect(entities.map((e) => e.name)).toEqual(['account', 'deal']);
  });

  it('gives every issue its file, cross-entity ones included, grouped by file', () => {
    const { entities, issues } = parseEntityFiles([
      { file: 'deal.yaml', text: DEAL.replace('target: account', 'target: acount') },
      { file: 'broken.yaml', text: 'name: [' },
      { file: 'account.yaml', text: ACCOUNT.replace('labels: { en: Name, zh-CN: 名称 }', 'labels: { en: Name }') },
      { file: 'again.yaml', text: ACCOUNT },
    ]);
    expect(entities.map((e) => e.name)).toEqual(['deal', 'account', 'account']);
    expect(issues.map((i) => `${i.file}: ${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(
        /^deal\.yaml: fields\[2\]\.relation\.target: the target entity "acount" does not exist; entities: deal, account \(line 20, column 15\)$/,
      ),
      expect.stringMatching(/^broken\.yaml: line 1, column 8: malformed YAML/),
      expect.stringMatching(
        /^account\.yaml: fields\[0\]\.labels\.zh-CN: the zh-CN text of the field labels is required \(line 7, column 13\)$/,
      ),
      expect.stringMatching(
        /^account\.yaml: fields\[1\]\.rollup\.relation: "deals" is not a to-many relation of account/,
      ),
      'again.yaml: name: the entity "account" is already defined in account.yaml (line 1, column 7)',
      expect.stringMatching(/^again\.yaml: fields\[1\]\.rollup\.relation: "deals" is not a to-many relation/),
    ]);
  });
});

describe('entityToYaml', () => {
  it('prints the canonical form: fields as a mapping, labels and name lists on one line', () => {
    expect(entityToYaml(parsed(DEAL))).toBe(DEAL);
  });

  it('puts keys in canonical order whatever the input order', () => {
    const { name, labels, titleField, fields, views } = parsed(DEAL);
    const reversed = (value: object) => Object.fromEntries(Object.entries(value).reverse());
    const shuffled = { views, fields: fields.map(reversed), titleField, labels: reversed(labels), name };
    expect(Object.keys(shuffled.fields[0]!)).toEqual(['required', 'labels', 'type', 'name']);
    expect(entityToYaml(shuffled as unknown as EntityDefinition)).toBe(DEAL);
  });

  it('leaves out what is derived (plural, default ids, source) and keeps what is not', () => {
    const normal = { ...normalizeEntity(parsed(DEAL)), id: 'deal', source: 'core' };
    expect(entityToYaml(normal)).toBe(DEAL);
    const renamed = parsed(DEAL);
    renamed.fields[0]!.id = 'fld_123';
    renamed.pluralName = 'dealz';
    const text = entityToYaml(renamed);
    expect(text).toContain('pluralName: dealz\n');
    expect(text).toContain('  title:\n    type: text\n    id: fld_123\n');
    expect(parseEntityFile(text, 'x.yaml').entity).toEqual(renamed);
  });

  it('falls back to the list form when field names would collide in a mapping', () => {
    const entity = parsed(DEAL);
    entity.fields[1]!.name = 'title';
    const text = entityToYaml(entity);
    expect(text).toContain('fields:\n  - name: title\n    type: text\n');
    expect(parseEntityFile(text, 'x.yaml').entity).toEqual(entity);
  });

  it('adds the editor schema line when asked', () => {
    expect(entityToYaml(parsed(DEAL), { schema: '../entity.schema.json' })).toBe(
      `# yaml-language-server: $schema=../entity.schema.json\n${DEAL}`,
    );
  });

  it('round-trips awkward texts exactly', () => {
    const entity = parsed(DEAL);
    const awkward = [
      '#not a comment',
      'key: value',
      ' leading space',
      'yes',
      'null',
      '123',
      "it's",
      'say "hi"',
      '- dash',
      'multi\nline\n',
      '中文：冒号',
      '[x, y]',
      '{ a }',
      '&anchor *alias !tag',
      '',
    ];
    entity.description = { en: awkward.join(' | '), 'zh-CN': awkward.join('\n') };
    entity.fields[0]!.pattern = '^[A-Z]{2}-\\d+$ # \' "';
    entity.fields[0]!.default = awkward[1];
    entity.fields[1]!.options![0]!.labels = { en: awkward[0]!, 'zh-CN': awkward[5]! };
    const text = entityToYaml(entity);
    expect(parseEntityFile(text, 'x.yaml').entity).toEqual(entity);
    expect(entityToYaml(parseEntityFile(text, 'x.yaml').entity!)).toBe(text);
  });

  it('breaks long labels and lists onto several lines', () => {
    const entity = parsed(DEAL);
    entity.description = { en: 'x'.repeat(100), 'zh-CN': '长'.repeat(10) };
    entity.views!.list!.columns = Array.from({ length: 20 }, (_, i) => `column${i}`);
    const text = entityToYaml(entity);
    expect(text).toContain(`description:\n  en: ${'x'.repeat(100)}\n  zh-CN: ${'长'.repeat(10)}\n`);
    expect(text).toContain('    columns:\n      - column0\n      - column1\n');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
  });
});
