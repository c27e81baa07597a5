import { parse, visit } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type EntityDefinition, relatedDocuments, relatedLists } from './meta.ts';

const target = {
  name: 'contact',
  labels: { en: 'Contact', 'zh-CN': '联系人' },
  titleField: 'name',
  fields: [{ name: 'name', type: 'text', labels: { en: 'Name', 'zh-CN': '名称' } }],
} as unknown as EntityDefinition;
// Twelve entities point at a contact, each list with its own alias and a title alias of the contact relation.
const others = Array.from(
  { length: 12 },
  (_, i) =>
    ({
      name: `thing${i}`,
      labels: { en: `Thing ${i}`, 'zh-CN': `事物${i}` },
      titleField: 'name',
      fields: [
        { name: 'name', type: 'text', labels: { en: 'Name', 'zh-CN': '名称' } },
        {
          name: 'other',
          type: 'relation',
          labels: { en: 'Other', 'zh-CN': '其他' },
          relation: { kind: 'manyToOne', target: 'contact' },
        },
        {
          name: 'contact',
          type: 'relation',
          labels: { en: 'Contact', 'zh-CN': '联系人' },
          relation: { kind: 'manyToOne', target: 'contact' },
        },
      ],
    }) as unknown as EntityDefinition,
);

describe('a record page’s related lists', () => {
  it('are read in as few requests as the API’s 20 aliases per request allow', () => {
    const entities = [target, ...others];
    const lists = relatedLists(target, entities);
    expect(lists).toHaveLength(24);
    const documents = relatedDocuments(lists, new Map(entities.map((e) => [e.name, e])));
    for (const document of documents) {
      let aliases = 0;
      visit(parse(document), {
        Field(node) {
          if (node.alias) aliases += 1;
        },
      });
      expect(aliases).toBeLessThanOrEqual(20);
    }
    expect(documents.join('\n').match(/r_thing\d+_\w+:/g)).toHaveLength(24);
    expect(documents.length).toBeGreaterThan(1);
  });
});
