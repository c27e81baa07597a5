// The history's words for the role and sharing changes, in both languages.
import { describe, expect, it } from 'vitest';
import { changeText } from './plan-text.ts';

describe('changeText of permission changes', () => {
  const role = { name: 'eastSales', labels: { en: 'East sales', 'zh-CN': '华东销售' } };
  it('names the role by its label when the change carries it, by its name otherwise', () => {
    expect(changeText({ op: 'createRole', role }, 'en')).toBe('Created the role "East sales"');
    expect(changeText({ op: 'createRole', role }, 'zh-CN')).toBe('新建角色“华东销售”');
    expect(changeText({ op: 'removeRole', role: 'eastSales' }, 'en')).toBe('Removed the role "eastSales"');
  });
  it('says which entity a sharing change is about, and which rule', () => {
    const entities = [{ name: 'lead', labels: { en: 'Lead', 'zh-CN': '线索' }, titleField: 'name', fields: [] }];
    expect(changeText({ op: 'setEntitySharing', entity: 'lead' }, 'zh-CN', entities as never)).toBe(
      '设置“线索”的共享方式',
    );
    expect(changeText({ op: 'removeSharingRule', rule: 'east' }, 'en')).toBe('Removed the sharing rule "east"');
  });
});
