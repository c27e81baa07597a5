// How values read on screen: every value through its field type's formatter, as its label, in both languages.
import { describe, expect, it } from 'vitest';
import {
  formatMonth,
  formatQuarter,
  formatTitle,
  formatValue,
  labelledFormula,
  recordTitle,
  shortLabel,
} from './format.ts';
import type { EntityDefinition, FieldDefinition } from './meta.ts';

const status = (name: string): FieldDefinition => ({
  name,
  type: 'select',
  labels: { en: name, 'zh-CN': name },
  options: [
    { value: 'inProgress', labels: { en: 'In progress', 'zh-CN': '处理中' } },
    { value: 'resolved', labels: { en: 'Resolved', 'zh-CN': '已解决' } },
  ],
});

const caseEntity: EntityDefinition = {
  name: 'case',
  labels: { en: 'Case', 'zh-CN': '服务请求' },
  titleField: 'caseNumber',
  fields: [{ name: 'caseNumber', type: 'text', labels: { en: 'Case number', 'zh-CN': '编号' } }],
};
const statusChange: EntityDefinition = {
  name: 'caseStatusChange',
  labels: { en: 'Case status change', 'zh-CN': '服务请求状态变更' },
  titleField: 'summary',
  fields: [
    {
      name: 'case',
      type: 'relation',
      labels: { en: 'Case', 'zh-CN': '服务请求' },
      relation: { target: 'case', kind: 'manyToOne' },
    },
    status('fromStatus'),
    status('toStatus'),
    {
      name: 'summary',
      type: 'formula',
      labels: { en: 'Summary', 'zh-CN': '摘要' },
      formula: { expression: "COALESCE(fromStatus, '—') & ' → ' & toStatus", resultType: 'text' },
    },
  ],
};
const interaction: EntityDefinition = {
  name: 'interaction',
  labels: { en: 'Interaction', 'zh-CN': '客户接触' },
  titleField: 'occurredAt',
  fields: [{ name: 'occurredAt', type: 'datetime', labels: { en: 'Occurred at', 'zh-CN': '发生时间' } }],
};
const entities = new Map([caseEntity, statusChange, interaction].map((e) => [e.name, e]));

describe('values read as labels', () => {
  it('a boolean formula (SLA breached) reads Yes/No and 是/否, not true/false', () => {
    const breached: FieldDefinition = {
      name: 'slaBreached',
      type: 'formula',
      labels: { en: 'SLA breached', 'zh-CN': '超出 SLA' },
      formula: { expression: 'false', resultType: 'boolean' },
    };
    expect(formatValue(breached, false, 'en')).toBe('No');
    expect(formatValue(breached, true, 'en')).toBe('Yes');
    expect(formatValue(breached, false, 'zh-CN')).toBe('否');
    expect(formatValue(breached, true, 'zh-CN')).toBe('是');
  });

  it('a relation reads as its target title, never [object Object]', () => {
    const field = statusChange.fields[0]!;
    const value = { id: 'c1', title: 'CASE-000247' };
    expect(formatValue(field, value, 'en', entities)).toBe('CASE-000247');
    // A target whose title is itself a relation: its title's title.
    const nested: EntityDefinition = { ...statusChange, name: 'x', titleField: 'case' };
    expect(formatTitle(nested, value, 'en', entities)).toBe('CASE-000247');
  });

  it('a datetime title reads as a formatted date, not an ISO timestamp', () => {
    const iso = '2026-12-07T07:50:00.000Z';
    const en = formatTitle(interaction, iso, 'en', entities);
    expect(en).not.toContain('T07');
    expect(en).toMatch(/2026/);
    expect(en).toMatch(/Dec/);
    expect(formatTitle(interaction, iso, 'zh-CN', entities)).toMatch(/2026年12月/);
  });

  it('a status change title joins the statuses as labels (inProgress → resolved reads In progress → Resolved)', () => {
    const row = { summary: 'inProgress → resolved', fromStatus: 'inProgress', toStatus: 'resolved' };
    expect(recordTitle(statusChange, row, 'en', entities)).toBe('In progress → Resolved');
    expect(recordTitle(statusChange, row, 'zh-CN', entities)).toBe('处理中 → 已解决');
    expect(recordTitle(statusChange, { ...row, fromStatus: null }, 'en', entities)).toBe('— → Resolved');
    // Without the fields it joins, the stored text is all there is.
    expect(recordTitle(statusChange, { summary: 'inProgress → resolved' }, 'en', entities)).toBe(
      'inProgress → resolved',
    );
  });

  it('a formula using anything but joins, texts and fields is not read again', () => {
    expect(labelledFormula(statusChange, "UPPER(toStatus) & 'x'", { toStatus: 'resolved' }, 'en')).toBeUndefined();
  });
});

describe('report labels', () => {
  it('months and quarters read as dates in both languages, not 2026-12 or 2026-10-01', () => {
    expect(formatMonth('2026-12', 'en')).toBe('Dec 2026');
    expect(formatMonth('2026-12', 'zh-CN')).toBe('2026年12月');
    expect(formatQuarter('2026-10-01', 'en')).toBe('Q4 2026');
    expect(formatQuarter('2026-01-01', 'zh-CN')).toBe('2026年第1季度');
  });

  it('long campaign names are cut for an axis, a CJK character counting as two', () => {
    expect(shortLabel('Spring fair', 30)).toBe('Spring fair');
    expect(shortLabel('a'.repeat(40), 30)).toBe(`${'a'.repeat(30)}…`);
    expect(shortLabel('智能工厂解决方案交流会·北京站（2026）', 20)).toBe('智能工厂解决方案交流…');
  });
});
