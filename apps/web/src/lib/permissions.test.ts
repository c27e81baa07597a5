import { describe, expect, it } from 'vitest';
import { permissionMessages } from './i18n-permissions.ts';
import type { EntityDefinition } from './meta.ts';
import { can, entitiesFor, hasSystem, readPermissions } from './permissions.ts';

const entities = [
  {
    name: 'account',
    labels: { en: 'Account', 'zh-CN': '客户' },
    titleField: 'name',
    fields: [
      { name: 'name', type: 'text', labels: { en: 'Name', 'zh-CN': '名称' } },
      { name: 'annualProfit', type: 'decimal', labels: { en: 'Profit', 'zh-CN': '利润' } },
      { name: 'taxId', type: 'text', labels: { en: 'Tax id', 'zh-CN': '税号' } },
      {
        name: 'secret',
        type: 'relation',
        labels: { en: 'Secret', 'zh-CN': '机密' },
        relation: { kind: 'manyToOne', target: 'secretThing' },
      },
    ],
  },
  { name: 'secretThing', labels: { en: 'Secret', 'zh-CN': '机密' }, titleField: 'name', fields: [] },
] as unknown as EntityDefinition[];

const rep = readPermissions({
  system: [],
  objects: { account: { read: true, create: true, edit: true }, secretThing: { read: false } },
  fields: { account: { annualProfit: 'hidden', taxId: 'readOnly' } },
});

describe('the screens follow viewer.permissions', () => {
  it('without permissions everything is as before: every right, administration by isAdmin', () => {
    expect(can(null, 'account', 'delete')).toBe(true);
    expect(hasSystem(null, 'manageUsers', true)).toBe(true);
    expect(hasSystem(null, 'manageUsers', false)).toBe(false);
    expect(entitiesFor(entities, null)).toBe(entities);
    expect(readPermissions('nonsense')).toBeNull();
    expect(readPermissions({ system: [], objects: {}, fields: {} })).toBeNull();
  });

  it('gives only the rights granted, denying entities it does not list', () => {
    expect(can(rep, 'account', 'edit')).toBe(true);
    expect(can(rep, 'account', 'delete')).toBe(false);
    expect(can(rep, 'lead', 'read')).toBe(false);
    expect(hasSystem(rep, 'manageUsers', true)).toBe(false);
  });

  it('drops unreadable entities, hidden fields and relations to unreadable entities; marks read-only fields', () => {
    const shown = entitiesFor(entities, rep);
    expect(shown.map((e) => e.name)).toEqual(['account']);
    const account = shown[0]!;
    expect(account.fields.map((f) => f.name)).toEqual(['name', 'taxId']);
    expect(account.fields.find((f) => f.name === 'taxId')?.readOnly).toBe(true);
    expect(account.fields.find((f) => f.name === 'name')?.readOnly).toBeUndefined();
  });

  it('has every word of roles and sharing in both languages', () => {
    const en = permissionMessages('en');
    const zh = permissionMessages('zh-CN');
    const keys = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
    expect(keys(zh).sort()).toEqual(keys(en).sort());
    for (const k of keys(zh)) {
      const value = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], zh);
      expect(value, k).not.toBe('');
    }
  });
});
