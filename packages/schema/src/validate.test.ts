import { describe, expect, it } from 'vitest';
import type { Issue } from './errors.ts';
import type { EntityDefinition, FieldDefinition, Labels } from './types.ts';
import { normalizeEntity, validateEntity, validateMetadata } from './validate.ts';

const L = (en: string, zh: string): Labels => ({ en, 'zh-CN': zh });

/** A small valid entity; each test breaks one thing in a copy of it. */
function deal(): EntityDefinition {
  return {
    name: 'deal',
    labels: L('Deal', '交易'),
    titleField: 'title',
    fields: [
      { name: 'title', type: 'text', labels: L('Title', '标题'), required: true, maxLength: 200 },
      { name: 'amount', type: 'currency', labels: L('Amount', '金额'), min: 0, currencyCode: 'CNY' },
      { name: 'probability', type: 'percent', labels: L('Probability', '概率'), min: 0, max: 100 },
      {
        name: 'stage',
        type: 'select',
        labels: L('Stage', '阶段'),
        default: 'open',
        options: [
          { value: 'open', labels: L('Open', '进行中'), color: '#1565c0' },
          { value: 'won', labels: L('Won', '赢单') },
        ],
      },
      { name: 'closeDate', type: 'date', labels: L('Close date', '结束日期'), min: '2000-01-01' },
      {
        name: 'expected',
        type: 'formula',
        labels: L('Expected', '预期'),
        formula: { expression: 'amount * probability / 100', resultType: 'number' },
      },
      { name: 'code', type: 'autonumber', labels: L('Code', '编号'), autonumber: { prefix: 'D-', digits: 6 } },
    ],
    indexes: [{ fields: ['stage', 'closeDate'] }],
    defaultSort: [{ field: 'closeDate', direction: 'desc' }],
    views: {
      list: { columns: ['title', 'stage', 'amount', 'createdAt'] },
      form: { sections: [{ labels: L('Main', '主要'), fields: ['title', 'amount', 'stage'], columns: 2 }] },
      kanban: { groupBy: 'stage' },
      calendar: { dateField: 'closeDate' },
    },
  };
}

function field(entity: EntityDefinition, name: string): FieldDefinition {
  const found = entity.fields.find((f) => f.name === name);
  if (!found) throw new Error(`no field ${name}`);
  return found;
}

/** Applies `change` to a fresh valid entity and returns the issues as `path: message`. */
function problems(change: (e: EntityDefinition & Record<string, unknown>) => void): string[] {
  const entity = deal() as EntityDefinition & Record<string, unknown>;
  change(entity);
  return validateEntity(entity).map((i) => `${i.path}: ${i.message}`);
}

describe('validateEntity', () => {
  it('accepts a valid entity', () => {
    expect(validateEntity(deal())).toEqual([]);
  });

  it('prefixes every path with the given path', () => {
    const entity = deal();
    entity.labels = { en: 'Deal' } as Labels;
    expect(validateEntity(entity, 'entities[4]')).toEqual([
      { path: 'entities[4].labels.zh-CN', message: 'the zh-CN text of the entity labels is required' },
    ]);
  });

  it('reports a non-mapping at the root', () => {
    expect(validateEntity('deal')).toEqual([{ path: '', message: 'an entity must be a mapping, got "deal"' }]);
    expect(validateEntity(null, 'entities[0]')[0]!.path).toBe('entities[0]');
  });

  it.each<[string, (e: EntityDefinition & Record<string, unknown>) => void, string]>([
    // shape and keys
    [
      'unknown entity key',
      (e) => (e.color = 'red'),
      'color: unknown key "color" in an entity; allowed: id, name, pluralName',
    ],
    ['missing name', (e) => delete (e as Partial<EntityDefinition>).name, 'name: the entity name is required'],
    ['name not camelCase', (e) => (e.name = 'Deal'), 'name: the entity name "Deal" is not a valid API name'],
    ['reserved entity name', (e) => (e.name = 'metadata'), 'name: the entity name "metadata" is reserved by the API'],
    ['reserved suffix', (e) => (e.name = 'dealInput'), 'name: the entity name "dealInput" ends in "Input"'],
    [
      'plural same as name',
      (e) => (e.pluralName = 'deal'),
      'pluralName: the plural name must differ from the name "deal"',
    ],
    [
      'plural not an API name',
      (e) => (e.pluralName = 'deal_s'),
      'pluralName: the plural name "deal_s" is not a valid API name',
    ],
    [
      'plural reserved',
      (e) => (e.pluralName = 'reports'),
      'pluralName: the plural name "reports" is reserved by the API',
    ],
    [
      'labels missing',
      (e) => delete (e as Partial<EntityDefinition>).labels,
      'labels: the entity labels are required in en and zh-CN',
    ],
    [
      'empty label',
      (e) => (e.labels = L('Deal', ' ')),
      'labels.zh-CN: the zh-CN text of the entity labels must not be empty',
    ],
    [
      'extra language',
      (e) => (e.labels = { ...L('a', 'b'), fr: 'c' } as Labels),
      'labels.fr: unknown key "fr" in the entity labels; allowed: en, zh-CN',
    ],
    [
      'description not labels',
      (e) => (e.description = 'text' as unknown as Labels),
      'description: the description must be a mapping, got "text"',
    ],
    ['fields missing', (e) => delete (e as Partial<EntityDefinition>).fields, 'fields: fields are required'],
    ['fields empty', (e) => (e.fields = []), 'fields: an entity needs at least one field'],
    [
      'fields not a list',
      (e) => (e.fields = 3 as unknown as FieldDefinition[]),
      'fields: fields must be a list or a mapping',
    ],
    // field names
    [
      'field not a mapping',
      (e) => e.fields.push('x' as unknown as FieldDefinition),
      'fields[7]: a field must be a mapping, got "x"',
    ],
    [
      'field name invalid',
      (e) => (field(e, 'code').name = 'code-2'),
      'fields[6].name: the field name "code-2" is not a valid API name',
    ],
    [
      'field name reserved',
      (e) => (field(e, 'code').name = 'createdAt'),
      'fields[6].name: the field name "createdAt" is reserved',
    ],
    [
      'field name twice',
      (e) => (field(e, 'code').name = 'title'),
      'fields[6].name: the field name "title" is already used by fields[0]',
    ],
    [
      'field id twice',
      (e) => {
        field(e, 'title').id = 'x';
        field(e, 'amount').id = 'x';
      },
      'fields[1].id: the field id "x" is already used by fields[0]',
    ],
    [
      'relation id clash',
      (e) => {
        e.fields.push({
          name: 'owner',
          type: 'relation',
          labels: L('O', '负责人'),
          relation: { target: 'deal', kind: 'manyToOne' },
        });
        field(e, 'code').name = 'ownerId';
      },
      'fields[6].name: "ownerId" is taken by the relation "owner", whose id the API exposes under that name',
    ],
    // field type and options
    [
      'type missing',
      (e) => delete (field(e, 'title') as Partial<FieldDefinition>).type,
      'fields[0].type: the field type is required; allowed: text, longText',
    ],
    [
      'type unknown',
      (e) => (field(e, 'title').type = 'string' as 'text'),
      'fields[0].type: unknown field type "string"; allowed: text, longText, email',
    ],
    [
      'field labels missing',
      (e) => delete (field(e, 'title') as Partial<FieldDefinition>).labels,
      'fields[0].labels: the field labels are required in en and zh-CN',
    ],
    [
      'unknown field key',
      (e) => ((field(e, 'title') as unknown as Record<string, unknown>).size = 3),
      'fields[0].size: unknown key "size" in a field; allowed for text: id, name, type',
    ],
    [
      'option of another type',
      (e) => (field(e, 'title').scale = 2),
      'fields[0].scale: "scale" does not apply to text fields; their options: minLength, maxLength, pattern',
    ],
    [
      'options on boolean',
      (e) => e.fields.push({ name: 'hot', type: 'boolean', labels: L('Hot', '热'), options: [] }),
      'fields[7].options: "options" does not apply to boolean fields; their options: none',
    ],
    [
      'flag not boolean',
      (e) => (field(e, 'title').required = 'yes' as unknown as boolean),
      'fields[0].required: required must be true or false, got "yes"',
    ],
    // bounds
    ['min above max', (e) => (field(e, 'probability').min = 101), 'fields[2].min: min 101 is greater than max 100'],
    ['min not a number', (e) => (field(e, 'probability').min = '5'), 'fields[2].min: must be a number, got "5"'],
    [
      'date bound not a date',
      (e) => (field(e, 'closeDate').max = '2020-13-45x'),
      'fields[4].max: must be a date YYYY-MM-DD',
    ],
    [
      'date min after max',
      (e) => (field(e, 'closeDate').max = '1999-12-31'),
      'fields[4].min: min 2000-01-01 is greater than max 1999-12-31',
    ],
    [
      'minLength above maxLength',
      (e) => (field(e, 'title').minLength = 300),
      'fields[0].minLength: minLength 300 is greater than maxLength 200',
    ],
    [
      'maxLength zero',
      (e) => (field(e, 'title').maxLength = 0),
      'fields[0].maxLength: maxLength must be a whole number from 1 to 1000000, got number 0',
    ],
    [
      'pattern does not compile',
      (e) => (field(e, 'title').pattern = '[a-'),
      'fields[0].pattern: the pattern does not compile: Invalid regular expression',
    ],
    [
      'scale out of range',
      (e) => (field(e, 'amount').scale = 11),
      'fields[1].scale: scale must be a whole number from 0 to 10, got number 11',
    ],
    [
      'currency code',
      (e) => (field(e, 'amount').currencyCode = 'rmb'),
      'fields[1].currencyCode: currencyCode must be an ISO 4217 code such as CNY or USD, got "rmb"',
    ],
    // defaults and flags
    [
      'default fails the type check',
      (e) => (field(e, 'stage').default = 'lost'),
      'fields[3].default: the default must be one of open, won, got "lost"',
    ],
    [
      'default too long',
      (e) => (field(e, 'title').default = 'x'.repeat(201)),
      'fields[0].default: the default must be at most 200 characters long, got 201',
    ],
    [
      'default on a computed field',
      (e) => (field(e, 'expected').default = 1),
      'fields[5].default: formula fields are computed and cannot have a default',
    ],
    [
      'required computed field',
      (e) => (field(e, 'code').required = true),
      'fields[6].required: autonumber fields are computed, so required does not apply',
    ],
    [
      'required read-only without default',
      (e) => (field(e, 'title').readOnly = true),
      'fields[0].readOnly: a required read-only field needs a default',
    ],
    [
      'unique without a column',
      (e) => (field(e, 'expected').unique = true),
      'fields[5].unique: this formula field has no column of its own, so unique does not apply',
    ],
    // select options
    [
      'select without options',
      (e) => delete field(e, 'stage').options,
      'fields[3].options: a select field needs "options"',
    ],
    [
      'select with no option',
      (e) => (field(e, 'stage').options = []),
      'fields[3].options: a select field needs at least one option',
    ],
    [
      'option value invalid',
      (e) => (field(e, 'stage').options![1]!.value = 'closed-won'),
      'fields[3].options[1].value: option value "closed-won" must be letters, digits and _',
    ],
    [
      'option value reserved by GraphQL',
      (e) => (field(e, 'stage').options![1]!.value = 'null'),
      'fields[3].options[1].value: option value "null" must be letters',
    ],
    [
      'option value twice',
      (e) => (field(e, 'stage').options![1]!.value = 'open'),
      'fields[3].options[1].value: option value "open" is already used by fields[3].options[0]',
    ],
    [
      'option colour',
      (e) => (field(e, 'stage').options![0]!.color = '#12345'),
      'fields[3].options[0].color: color must be #rrggbb, e.g. #2e7d32, got "#12345"',
    ],
    [
      'option labels',
      (e) => (field(e, 'stage').options![0]!.labels = { en: 'Open' } as Labels),
      'fields[3].options[0].labels.zh-CN: the zh-CN text of the option labels is required',
    ],
    [
      'option unknown key',
      (e) => ((field(e, 'stage').options![0] as unknown as Record<string, unknown>).icon = 'x'),
      'fields[3].options[0].icon: unknown key "icon" in an option; allowed: value, labels, color',
    ],
    // relation (shape; targets are checked by validateMetadata)
    [
      'relation without options',
      (e) => e.fields.push({ name: 'owner', type: 'relation', labels: L('O', '负责人') }),
      'fields[7].relation: a relation field needs "relation"',
    ],
    [
      'relation kind',
      (e) =>
        e.fields.push({
          name: 'owner',
          type: 'relation',
          labels: L('O', '负责人'),
          relation: { target: 'user', kind: 'oneToMany' as 'manyToOne' },
        }),
      'fields[7].relation.kind: the relation kind must be one of manyToOne, manyToMany, got "oneToMany"',
    ],
    [
      'relation onDelete',
      (e) =>
        e.fields.push({
          name: 'owner',
          type: 'relation',
          labels: L('O', '负责人'),
          relation: { target: 'user', kind: 'manyToOne', onDelete: 'drop' as 'cascade' },
        }),
      'fields[7].relation.onDelete: onDelete must be one of setNull, cascade, restrict, got "drop"',
    ],
    [
      'onDelete on manyToMany',
      (e) =>
        e.fields.push({
          name: 'tags',
          type: 'relation',
          labels: L('T', '标签'),
          relation: { target: 'tag', kind: 'manyToMany', onDelete: 'cascade' },
        }),
      'fields[7].relation.onDelete: onDelete applies to manyToOne relations only',
    ],
    [
      'required relation set null',
      (e) => {
        e.fields.push({
          name: 'owner',
          type: 'relation',
          required: true,
          labels: L('O', '负责人'),
          relation: { target: 'user', kind: 'manyToOne', onDelete: 'setNull' },
        });
        e.views!.form!.sections[0]!.fields.push('owner');
      },
      'fields[7].relation.onDelete: a required relation cannot be set to null on delete; use cascade or restrict',
    ],
    [
      'inverse reserved',
      (e) =>
        e.fields.push({
          name: 'owner',
          type: 'relation',
          labels: L('O', '负责人'),
          relation: { target: 'user', kind: 'manyToOne', inverse: 'nodes' },
        }),
      'fields[7].relation.inverse: the inverse name "nodes" is reserved',
    ],
    [
      'inverse labels without inverse',
      (e) =>
        e.fields.push({
          name: 'owner',
          type: 'relation',
          labels: L('O', '负责人'),
          relation: { target: 'user', kind: 'manyToOne', inverseLabels: L('Deals', '交易') },
        }),
      'fields[7].relation.inverseLabels: inverseLabels need an inverse name',
    ],
    // autonumber
    [
      'autonumber prefix too long',
      (e) => (field(e, 'code').autonumber!.prefix = 'P'.repeat(21)),
      'fields[6].autonumber.prefix: the prefix must be at most 20 characters, got 21',
    ],
    [
      'autonumber digits',
      (e) => (field(e, 'code').autonumber!.digits = 0),
      'fields[6].autonumber.digits: digits must be a whole number from 1 to 12, got number 0',
    ],
    [
      'autonumber start too wide',
      (e) => (field(e, 'code').autonumber!.start = 1_000_000),
      'fields[6].autonumber.start: start 1000000 has more than 6 digits',
    ],
    // formula
    [
      'formula without options',
      (e) => delete field(e, 'expected').formula,
      'fields[5].formula: a formula field needs "formula"',
    ],
    [
      'formula result type',
      (e) => (field(e, 'expected').formula!.resultType = 'text'),
      'fields[5].formula.resultType: the expression yields number, but resultType says text',
    ],
    [
      'formula syntax',
      (e) => (field(e, 'expected').formula!.expression = 'amount *'),
      'fields[5].formula.expression: the formula ends where a value was expected (at offset 8)',
    ],
    [
      'formula unknown field',
      (e) => (field(e, 'expected').formula!.expression = 'amount * discount'),
      'fields[5].formula.expression: unknown field "discount"; fields: title, amount, probability, stage, closeDate, expected, code (at offset 9)',
    ],
    [
      'formula uses a formula',
      (e) => (field(e, 'expected').formula!.expression = 'expected + 1'),
      'fields[5].formula.expression: "expected" is a formula field; a formula cannot use another formula (at offset 0)',
    ],
    [
      'formula type error',
      (e) => (field(e, 'expected').formula!.expression = 'title + 1'),
      'fields[5].formula.expression: "+" expects numbers on both sides, got a text; use & to join texts (at offset 0)',
    ],
    [
      'formula system field',
      (e) => (field(e, 'expected').formula!.expression = 'version'),
      'fields[5].formula.expression: the system field "version" cannot be used in a formula (at offset 0)',
    ],
    [
      'formula unusable type',
      (e) => {
        e.fields.push({
          name: 'tags',
          type: 'multiSelect',
          labels: L('Tags', '标签'),
          options: [{ value: 'a', labels: L('A', '甲') }],
        });
        field(e, 'expected').formula!.expression = 'LEN(tags)';
      },
      'fields[5].formula.expression: multiSelect fields such as "tags" cannot be used in a formula (at offset 4)',
    ],
    [
      'formula result type unknown',
      (e) => (field(e, 'expected').formula!.resultType = 'money' as 'number'),
      'fields[5].formula.resultType: resultType must be one of text, number, boolean, date, datetime, got "money"',
    ],
    // rollup (shape; the relation is checked by validateMetadata)
    [
      'rollup fn',
      (e) =>
        e.fields.push({
          name: 'n',
          type: 'rollup',
          labels: L('N', '数'),
          rollup: { relation: 'lines', fn: 'median' as 'sum' },
        }),
      'fields[7].rollup.fn: fn must be one of count, sum, min, max, avg, got "median"',
    ],
    [
      'rollup sum without field',
      (e) =>
        e.fields.push({ name: 'n', type: 'rollup', labels: L('N', '数'), rollup: { relation: 'lines', fn: 'sum' } }),
      'fields[7].rollup.field: a sum rollup needs the field to aggregate',
    ],
    [
      'rollup filter',
      (e) =>
        e.fields.push({
          name: 'n',
          type: 'rollup',
          labels: L('N', '数'),
          rollup: { relation: 'lines', fn: 'count', filter: 'won' as unknown as Record<string, unknown> },
        }),
      'fields[7].rollup.filter: filter must be a mapping',
    ],
    // title field
    [
      'title field missing',
      (e) => delete (e as Partial<EntityDefinition>).titleField,
      'titleField: titleField is required',
    ],
    [
      'title field unknown',
      (e) => (e.titleField = 'name'),
      'titleField: titleField names the unknown field "name"; fields: title, amount',
    ],
    [
      'title field not text',
      (e) => (e.titleField = 'amount'),
      'titleField: titleField "amount" is a currency field; a title must be text, email, phone, url, autonumber or a text formula',
    ],
    [
      'title field number formula',
      (e) => (e.titleField = 'expected'),
      'titleField: titleField "expected" is a formula field',
    ],
    ['title field system', (e) => (e.titleField = 'id'), 'titleField: titleField names the unknown field "id"'],
    // indexes, sort, views
    [
      'index unknown field',
      (e) => (e.indexes = [{ fields: ['stag'] }]),
      'indexes[0].fields[0]: the index names the unknown field "stag"; fields of deal: title, amount',
    ],
    [
      'index on formula',
      (e) => (e.indexes = [{ fields: ['expected'] }]),
      'indexes[0].fields[0]: the index cannot use "expected": formula fields have no column of their own to index',
    ],
    [
      'index twice',
      (e) => (e.indexes = [{ fields: ['stage'] }, { fields: ['stage'] }]),
      'indexes[1]: the same index as indexes[0]',
    ],
    [
      'index field twice',
      (e) => (e.indexes = [{ fields: ['stage', 'stage'] }]),
      'indexes[0].fields[1]: "stage" appears twice in the index fields',
    ],
    [
      'index name',
      (e) => (e.indexes = [{ name: 'By Stage', fields: ['stage'] }]),
      'indexes[0].name: the index name "By Stage" must be letters',
    ],
    [
      'sort unknown field',
      (e) => (e.defaultSort = [{ field: 'nope', direction: 'asc' }]),
      'defaultSort[0].field: the sort names the unknown field "nope"',
    ],
    [
      'sort direction',
      (e) => (e.defaultSort = [{ field: 'title', direction: 'up' as 'asc' }]),
      'defaultSort[0].direction: direction must be one of asc, desc, got "up"',
    ],
    [
      'unknown view',
      (e) => ((e.views as Record<string, unknown>).gantt = {}),
      'views.gantt: unknown key "gantt" in views; allowed: list, form, kanban, calendar',
    ],
    [
      'list column unknown',
      (e) => (e.views!.list!.columns = ['title', 'owner']),
      'views.list.columns[1]: the list view names the unknown field "owner"',
    ],
    [
      'list without columns',
      (e) => (e.views!.list!.columns = []),
      'views.list.columns: the list columns must name at least one field',
    ],
    [
      'form field twice',
      (e) => e.views!.form!.sections.push({ labels: L('More', '更多'), fields: ['title'] }),
      'views.form.sections[1].fields[0]: "title" is already on the form at views.form.sections[0].fields[0]',
    ],
    [
      'form without required field',
      (e) => (e.views!.form!.sections[0]!.fields = ['amount']),
      'views.form.sections: the required field "title" is on no section, so the form could not create records',
    ],
    [
      'form columns',
      (e) => (e.views!.form!.sections[0]!.columns = 3 as 2),
      'views.form.sections[0].columns: columns must be 1 or 2, got number 3',
    ],
    [
      'form system field',
      (e) => e.views!.form!.sections[0]!.fields.push('createdAt'),
      'views.form.sections[0].fields[3]: the form cannot use "createdAt": system fields are filled in by Touchpoint',
    ],
    [
      'kanban on a non-select',
      (e) => (e.views!.kanban!.groupBy = 'amount'),
      'views.kanban.groupBy: the kanban view cannot use "amount": kanban columns come from a select field, and it is a currency',
    ],
    [
      'calendar on a non-date',
      (e) => (e.views!.calendar!.dateField = 'title'),
      'views.calendar.dateField: the calendar view cannot use "title": a calendar places records by a date or datetime field, and it is a text',
    ],
    [
      'calendar end equals start',
      (e) => (e.views!.calendar!.endField = 'closeDate'),
      'views.calendar.endField: endField must differ from dateField',
    ],
  ])('%s', (_, change, expected) => {
    const found = problems(change);
    expect(found, found.join('\n')).toEqual([expect.stringContaining(expected)]);
  });

  it('accepts system fields where they make sense: list columns, sort, calendar, formulas', () => {
    const entity = deal();
    entity.defaultSort = [{ field: 'createdAt', direction: 'desc' }];
    entity.views!.calendar = { dateField: 'createdAt', endField: 'closeDate' };
    field(entity, 'expected').formula = { expression: 'DAYS_BETWEEN(createdAt, closeDate)', resultType: 'number' };
    expect(validateEntity(entity)).toEqual([]);
  });

  it('accepts a text formula as the title field', () => {
    const entity = deal();
    entity.fields.push({
      name: 'label',
      type: 'formula',
      labels: L('Label', '名称'),
      formula: { expression: "code & ' ' & title", resultType: 'text' },
    });
    entity.titleField = 'label';
    expect(validateEntity(entity)).toEqual([]);
  });

  it('reports ALL problems at once, each at its own path', () => {
    const issues = validateEntity({
      name: 'Bad Name',
      labels: { en: 'Bad' },
      titleField: 'missing',
      fields: [
        {
          name: 'a',
          type: 'select',
          labels: L('A', '甲'),
          options: [{ value: '1', labels: L('1', '一'), color: 'blue' }],
        },
        { name: 'a', type: 'integer', labels: L('A', '甲'), min: 5, max: 1, wat: true },
        {
          name: 'f',
          type: 'formula',
          labels: L('F', '丙'),
          formula: { expression: 'UPPER(a) + nope', resultType: 'number' },
        },
      ],
      views: { kanban: { groupBy: 'f' } },
    });
    expect(issues.map((i: Issue) => i.path)).toEqual([
      'name',
      'labels.zh-CN',
      'fields[0].options[0].value',
      'fields[0].options[0].color',
      'fields[1].wat',
      'fields[1].min',
      'fields[1].name',
      'fields[2].formula.expression',
      'fields[2].formula.expression',
      'titleField',
      'views.kanban.groupBy',
    ]);
  });

  it('lists the allowed values with the issue', () => {
    const [issue] = problems((e) => (field(e, 'title').type = 'varchar' as 'text'));
    expect(issue).toContain('allowed: text, longText');
    const entity = deal() as unknown as Record<string, unknown>;
    entity.colour = 1;
    expect(validateEntity(entity)[0]!.allowed).toContain('titleField');
  });
});

describe('normalizeEntity', () => {
  it('fills the plural name and the field ids, and keeps what is given', () => {
    const entity = deal();
    field(entity, 'title').id = 'fld_1';
    const normal = normalizeEntity(entity);
    expect(normal.pluralName).toBe('deals');
    expect(normal.fields.map((f) => f.id)).toEqual([
      'fld_1',
      'deal.amount',
      'deal.probability',
      'deal.stage',
      'deal.closeDate',
      'deal.expected',
      'deal.code',
    ]);
    expect(normalizeEntity({ ...entity, name: 'opportunity' }).pluralName).toBe('opportunities');
    expect(normalizeEntity({ ...entity, pluralName: 'dealz' }).pluralName).toBe('dealz');
    expect(entity.pluralName).toBeUndefined();
    expect(validateEntity(normal)).toEqual([]);
  });
});
