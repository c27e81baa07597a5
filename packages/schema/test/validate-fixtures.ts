// A small valid entity shared by the validation tests; each test breaks one thing in a copy of it.
import type { EntityDefinition, FieldDefinition, Labels } from '../src/types.ts';
import { validateEntity } from '../src/validate.ts';

export const L = (en: string, zh: string): Labels => ({ en, 'zh-CN': zh });

export function deal(): EntityDefinition {
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

export function field(entity: EntityDefinition, name: string): FieldDefinition {
  const found = entity.fields.find((f) => f.name === name);
  if (!found) throw new Error(`no field ${name}`);
  return found;
}

/** Applies `change` to a fresh valid entity and returns the issues as `path: message`. */
export function problems(change: (e: EntityDefinition & Record<string, unknown>) => void): string[] {
  const entity = deal() as EntityDefinition & Record<string, unknown>;
  change(entity);
  return validateEntity(entity).map((i) => `${i.path}: ${i.message}`);
}
