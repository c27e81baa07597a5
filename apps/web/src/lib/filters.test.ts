import { describe, expect, it } from 'vitest';
import { type Condition, filterText, fromFilter, toFilter } from './filters.ts';
import type { EntityDefinition } from './meta.ts';

const account = {
  name: 'account',
  labels: { en: 'Account', 'zh-CN': '客户' },
  titleField: 'name',
  fields: [
    { name: 'name', type: 'text', labels: { en: 'Name', 'zh-CN': '名称' } },
    {
      name: 'region',
      type: 'select',
      labels: { en: 'Region', 'zh-CN': '区域' },
      options: [
        { value: 'east', labels: { en: 'East China', 'zh-CN': '华东' } },
        { value: 'north', labels: { en: 'North China', 'zh-CN': '华北' } },
      ],
    },
    {
      name: 'owner',
      type: 'relation',
      labels: { en: 'Owner', 'zh-CN': '负责人' },
      relation: { kind: 'manyToOne', target: 'user' },
    },
  ],
} as unknown as EntityDefinition;

describe('a sharing rule condition in the filter builder', () => {
  it('reads back what the builder wrote', () => {
    const conditions: Condition[] = [
      { field: 'region', op: 'in', value: ['east'] },
      { field: 'owner', op: 'in', value: ['u1'] },
    ];
    const filter = toFilter(account, conditions);
    expect(filter).toEqual({ and: [{ region: { in: ['east'] } }, { ownerId: { in: ['u1'] } }] });
    expect(fromFilter(account, filter)).toEqual(conditions);
    expect(fromFilter(account, { region: { eq: 'north' } })).toEqual([{ field: 'region', op: 'eq', value: 'north' }]);
    expect(fromFilter(account, {})).toEqual([]);
  });

  it('keeps a filter it cannot show (or, other operators, unknown fields) as null', () => {
    expect(fromFilter(account, { or: [{ region: { eq: 'east' } }] })).toBeNull();
    expect(fromFilter(account, { secret: { eq: 1 } })).toBeNull();
    expect(fromFilter(account, { region: { eq: 'east', neq: 'north' } })).toBeNull();
  });

  it('says the condition in words, options by their labels', () => {
    expect(filterText(account, { region: { in: ['east', 'north'] } }, 'en', ['Yes', 'No'])).toBe(
      'Region is any of East China, North China',
    );
    expect(filterText(account, { region: { eq: 'east' } }, 'zh-CN', ['是', '否'])).toBe('区域 等于 华东');
  });
});
