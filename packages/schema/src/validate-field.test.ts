import { describe, expect, it } from 'vitest';
import { deal, field, L, problems } from '../test/validate-fixtures.ts';
import type { EntityDefinition, FieldDefinition, Labels } from './types.ts';

describe('validateField (through validateEntity)', () => {
  it.each<[string, (e: EntityDefinition & Record<string, unknown>) => void, string]>([
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
  ])('%s', (_, change, expected) => {
    const found = problems(change);
    expect(found, found.join('\n')).toEqual([expect.stringContaining(expected)]);
  });

  it('checks a valid entity without issues', () => {
    expect(problems(() => {})).toEqual([]);
    expect(deal().fields.length).toBeGreaterThan(0);
  });
});
