import { describe, expect, it } from 'vitest';
import { deal, field, L, problems } from '../test/validate-fixtures.ts';
import type { Issue } from './errors.ts';
import type { EntityDefinition, FieldDefinition, Labels } from './types.ts';
import { normalizeEntity, validateEntity } from './validate.ts';

describe('validateEntity', () => {
  it('accepts a valid entity', () => {
    expect(validateEntity(deal())).toEqual([]);
  });

  it('accepts substring search on text fields and on a text formula of stored text fields', () => {
    const entity = deal();
    entity.fields[0]!.substringSearch = true;
    entity.fields[6]!.substringSearch = true;
    entity.fields[5]!.formula = {
      expression: "IF(ISBLANK(code), title, UPPER(code) & ' ' & title)",
      resultType: 'text',
    };
    entity.fields[5]!.substringSearch = true;
    expect(validateEntity(entity)).toEqual([]);
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
    // substring search
    [
      'substringSearch not a flag',
      (e) => (e.fields[0]!.substringSearch = 'yes' as never),
      'fields[0].substringSearch: substringSearch must be true or false',
    ],
    [
      'substringSearch on a date',
      (e) => (e.fields[4]!.substringSearch = true),
      'fields[4].substringSearch: "substringSearch" does not apply to date fields',
    ],
    [
      'substringSearch on a number formula',
      (e) => (e.fields[5]!.substringSearch = true),
      'fields[5].substringSearch: the formula cannot be indexed for substring search: substring search needs a text formula; this one yields number',
    ],
    [
      'substringSearch on a formula reading a date',
      (e) => {
        e.fields[5]!.formula = { expression: "title & ' ' & closeDate", resultType: 'text' };
        e.fields[5]!.substringSearch = true;
      },
      'fields[5].substringSearch: the formula cannot be indexed for substring search: it reads "closeDate"; an indexed formula may read only stored text, number and true/false fields',
    ],
    [
      'substringSearch on a formula calling TODAY',
      (e) => {
        e.fields[5]!.formula = { expression: "IF(LEN(title) > 3, title, 'x' & YEAR(TODAY()))", resultType: 'text' };
        e.fields[5]!.substringSearch = true;
      },
      'fields[5].substringSearch: the formula cannot be indexed for substring search: it calls YEAR; an indexed formula may call only IF, AND, OR',
    ],
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
