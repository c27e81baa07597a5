import { describe, expect, it } from 'vitest';
import type { EntityDefinition, FieldDefinition, Labels } from './types.ts';
import { validateMetadata } from './validate.ts';

const L = (en: string, zh: string): Labels => ({ en, 'zh-CN': zh });
const text = (name: string): FieldDefinition => ({ name, type: 'text', labels: L(name, `${name}中`) });

function entity(name: string, fields: FieldDefinition[], extra: Partial<EntityDefinition> = {}): EntityDefinition {
  return { name, labels: L(name, `${name}中`), titleField: 'name', fields: [text('name'), ...fields], ...extra };
}

function crm(): EntityDefinition[] {
  return [
    entity('account', [
      { name: 'revenue', type: 'currency', labels: L('Revenue', '收入') },
      {
        name: 'parent',
        type: 'relation',
        labels: L('Parent', '上级'),
        relation: { target: 'account', kind: 'manyToOne', inverse: 'children', onDelete: 'setNull' },
      },
      {
        name: 'contactCount',
        type: 'rollup',
        labels: L('Contacts', '联系人数'),
        rollup: { relation: 'contacts', fn: 'count' },
      },
      {
        name: 'pipeline',
        type: 'rollup',
        labels: L('Pipeline', '管道'),
        rollup: { relation: 'deals', fn: 'sum', field: 'amount', filter: { stage: { eq: 'open' } } },
      },
      {
        name: 'lastDeal',
        type: 'rollup',
        labels: L('Last deal', '最近交易'),
        rollup: { relation: 'deals', fn: 'max', field: 'createdAt' },
      },
      {
        name: 'tags',
        type: 'relation',
        labels: L('Tags', '标签'),
        relation: { target: 'tag', kind: 'manyToMany', inverse: 'accounts' },
      },
      { name: 'tagCount', type: 'rollup', labels: L('Tag count', '标签数'), rollup: { relation: 'tags', fn: 'count' } },
    ]),
    entity('contact', [
      {
        name: 'account',
        type: 'relation',
        labels: L('Account', '客户'),
        relation: { target: 'account', kind: 'manyToOne', inverse: 'contacts' },
      },
      {
        name: 'referredBy',
        type: 'relation',
        labels: L('Referred by', '推荐客户'),
        relation: { target: 'account', kind: 'manyToOne', inverse: 'referrals' },
      },
    ]),
    entity('deal', [
      { name: 'amount', type: 'decimal', labels: L('Amount', '金额') },
      {
        name: 'account',
        type: 'relation',
        labels: L('Account', '客户'),
        relation: { target: 'account', kind: 'manyToOne', inverse: 'deals' },
      },
    ]),
    entity('tag', [
      {
        name: 'accountCount',
        type: 'rollup',
        labels: L('Accounts', '客户数'),
        rollup: { relation: 'accounts', fn: 'count' },
      },
    ]),
  ];
}

const find = (entities: EntityDefinition[], name: string) => entities.find((e) => e.name === name)!;
const fieldOf = (e: EntityDefinition, name: string) => e.fields.find((f) => f.name === name)!;

function problems(change: (entities: EntityDefinition[]) => void): string[] {
  const entities = crm();
  change(entities);
  return validateMetadata(entities).map((i) => `${i.path}: ${i.message}`);
}

describe('validateMetadata', () => {
  it('accepts a consistent set of entities', () => {
    expect(validateMetadata(crm())).toEqual([]);
  });

  it('includes every per-entity issue, under entities[<index>]', () => {
    expect(
      problems((es) => {
        find(es, 'deal').titleField = 'amount';
      }),
    ).toEqual([expect.stringMatching(/^entities\[2\]\.titleField: titleField "amount" is a decimal field/)]);
  });

  it.each<[string, (es: EntityDefinition[]) => void, string]>([
    [
      'duplicate entity',
      (es) => es.push(entity('tag', [])),
      'entities[4].name: the entity "tag" is already defined in entities[3]',
    ],
    [
      'plural equal to another name',
      (es) => es.push(entity('tags', []), entity('person', [], { pluralName: 'people' })),
      'entities[3].name: the plural name "tags" is the name of the entity in entities[4]',
    ],
    [
      'two entities with one plural',
      (es) => {
        find(es, 'tag').pluralName = 'labels';
        es.push(entity('label', []));
      },
      'entities[4].name: the plural name "labels" is also the plural of the entity in entities[3]',
    ],
    [
      'unknown relation target',
      (es) => (fieldOf(find(es, 'contact'), 'referredBy').relation!.target = 'acount'),
      'entities[1].fields[2].relation.target: the target entity "acount" does not exist; entities: account, contact, deal, tag',
    ],
    [
      'inverse is a field of the target',
      (es) => (fieldOf(find(es, 'contact'), 'referredBy').relation!.inverse = 'revenue'),
      'entities[1].fields[2].relation.inverse: the inverse name "revenue" is already a field of account (entities[0].fields[1])',
    ],
    [
      'inverse is a system field of the target',
      (es) => (fieldOf(find(es, 'contact'), 'referredBy').relation!.inverse = 'createdBy'),
      'entities[1].fields[2].relation.inverse: the inverse name "createdBy" is reserved',
    ],
    [
      'inverse used twice on the target',
      (es) => (fieldOf(find(es, 'contact'), 'referredBy').relation!.inverse = 'contacts'),
      'entities[1].fields[2].relation.inverse: the inverse name "contacts" is already on account, as the inverse of contact.account',
    ],
    [
      'inverse is the id of a relation of the target',
      (es) => (fieldOf(find(es, 'contact'), 'referredBy').relation!.inverse = 'parentId'),
      'entities[1].fields[2].relation.inverse: the inverse name "parentId" is taken on account by the id of its relation "parent"',
    ],
    [
      'rollup over a many-to-one',
      (es) => (fieldOf(find(es, 'account'), 'contactCount').rollup!.relation = 'parent'),
      'entities[0].fields[3].rollup.relation: "parent" points at one record; a rollup needs a to-many relation; to-many relations: children, tags, contacts, referrals, deals',
    ],
    [
      'rollup over nothing',
      (es) => (fieldOf(find(es, 'account'), 'contactCount').rollup!.relation = 'people'),
      'entities[0].fields[3].rollup.relation: "people" is not a to-many relation of account; to-many relations: children, tags, contacts, referrals, deals',
    ],
    [
      'rollup field unknown on the related entity',
      (es) => (fieldOf(find(es, 'account'), 'pipeline').rollup!.field = 'value'),
      'entities[0].fields[4].rollup.field: the rollup over deals names the unknown field "value"; fields of deal: name, amount, account',
    ],
    [
      'sum over a text',
      (es) => (fieldOf(find(es, 'account'), 'pipeline').rollup!.field = 'name'),
      'entities[0].fields[4].rollup.field: the rollup over deals cannot use "name": sum needs a number field (integer, decimal, percent, currency), and it is a text field',
    ],
    [
      'rollup over a computed field',
      (es) => {
        fieldOf(find(es, 'account'), 'tagCount').rollup = { relation: 'tags', fn: 'max', field: 'accountCount' };
      },
      'entities[0].fields[7].rollup.field: the rollup over tags cannot use "accountCount": rollups aggregate stored fields, and it is a rollup field',
    ],
  ])('%s', (_, change, expected) => {
    const found = problems(change);
    expect(found, found.join('\n')).toEqual([expect.stringContaining(expected)]);
  });

  it('gives issues the file of their entity, with paths relative to that file', () => {
    const entities = crm();
    fieldOf(find(entities, 'contact'), 'referredBy').relation!.target = 'acount';
    find(entities, 'tag').labels = { en: 'Tag' } as Labels;
    const issues = validateMetadata(entities, { files: ['account.yaml', 'contact.yaml', 'deal.yaml', 'tag.yaml'] });
    expect(issues).toEqual([
      expect.objectContaining({ file: 'contact.yaml', path: 'fields[2].relation.target' }),
      expect.objectContaining({ file: 'tag.yaml', path: 'labels.zh-CN' }),
    ]);
  });

  it('names the file of the other entity in a clash', () => {
    const entities = [...crm(), entity('deal', [])];
    const issues = validateMetadata(entities, { files: ['a.yaml', 'c.yaml', 'd.yaml', 't.yaml', 'more/deal.yaml'] });
    expect(issues).toEqual([
      { path: 'name', message: 'the entity "deal" is already defined in d.yaml', file: 'more/deal.yaml' },
    ]);
  });

  it('stays calm on malformed entities and still checks the rest', () => {
    const issues = validateMetadata([
      ...crm(),
      'junk' as unknown as EntityDefinition,
      { name: 'x' } as EntityDefinition,
    ]);
    expect(issues.map((i) => i.path)).toEqual([
      'entities[4]',
      'entities[5].labels',
      'entities[5].fields',
      'entities[5].titleField',
    ]);
  });
});
