// The list screen's filter: a list of conditions (field, operator, value) kept in the address, turned into
// the API's filter input. Operators come from the field type's filter family in @touchpoint/schema.
import { FILTER_OPERATORS, type FilterFamily, fieldType, RELATIVE_DATE_RANGES } from '@touchpoint/schema';
import type { Lang } from './api.ts';
import { type EntityDefinition, type FieldDefinition, isManyToOne, type Row } from './meta.ts';

export interface Condition {
  field: string;
  op: string;
  value: unknown;
}

export type Family = FilterFamily | 'id';

/** The filter family of a field in the list filter; many-to-one relations filter by the picked records. */
export function familyOf(field: FieldDefinition): Family {
  if (isManyToOne(field)) return 'id';
  if (field.type === 'relation') return 'none';
  return fieldType(field).filter(field);
}

export function operatorsOf(field: FieldDefinition): readonly string[] {
  const family = familyOf(field);
  if (family === 'id') return ['in', 'notIn', 'isNull'];
  // Money filters need a currency beside the amount; the list offers the comparisons.
  return FILTER_OPERATORS[family].filter((op) => op !== 'currency');
}

export function filterableFields(entity: EntityDefinition): FieldDefinition[] {
  return entity.fields.filter((f) => operatorsOf(f).length > 0);
}

const OP_LABELS: Record<string, { en: string; zh: string }> = {
  eq: { en: 'is', zh: '等于' },
  neq: { en: 'is not', zh: '不等于' },
  in: { en: 'is any of', zh: '属于' },
  notIn: { en: 'is none of', zh: '不属于' },
  contains: { en: 'contains', zh: '包含' },
  notContains: { en: 'does not contain', zh: '不包含' },
  startsWith: { en: 'starts with', zh: '开头是' },
  endsWith: { en: 'ends with', zh: '结尾是' },
  isNull: { en: 'is empty', zh: '为空' },
  lt: { en: 'less than', zh: '小于' },
  lte: { en: 'at most', zh: '不大于' },
  gt: { en: 'greater than', zh: '大于' },
  gte: { en: 'at least', zh: '不小于' },
  between: { en: 'between', zh: '介于' },
  inLast: { en: 'in the last', zh: '过去' },
  inNext: { en: 'in the next', zh: '未来' },
  relative: { en: 'is in', zh: '属于时段' },
  containsAny: { en: 'has any of', zh: '包含任一' },
  containsAll: { en: 'has all of', zh: '包含全部' },
  isEmpty: { en: 'is empty', zh: '为空' },
};

export function opLabel(op: string, lang: Lang): string {
  const entry = OP_LABELS[op];
  return entry ? (lang === 'zh-CN' ? entry.zh : entry.en) : op;
}

export const RELATIVE_RANGES = RELATIVE_DATE_RANGES;

const RANGE_ZH: Record<string, string> = {
  today: '今天',
  yesterday: '昨天',
  tomorrow: '明天',
  thisWeek: '本周',
  lastWeek: '上周',
  nextWeek: '下周',
  thisMonth: '本月',
  lastMonth: '上月',
  nextMonth: '下月',
  thisQuarter: '本季度',
  lastQuarter: '上季度',
  thisYear: '今年',
  lastYear: '去年',
};

export function rangeLabel(range: string, lang: Lang): string {
  if (lang === 'zh-CN') return RANGE_ZH[range] ?? range;
  return range.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

/** A sensible first operator and value when a condition is added or its field changes. */
export function defaultCondition(field: FieldDefinition): Condition {
  const family = familyOf(field);
  switch (family) {
    case 'string':
      return { field: field.name, op: 'contains', value: '' };
    case 'select':
      return { field: field.name, op: 'in', value: [] };
    case 'multiSelect':
      return { field: field.name, op: 'containsAny', value: [] };
    case 'boolean':
      return { field: field.name, op: 'eq', value: true };
    case 'date':
    case 'datetime':
      return { field: field.name, op: 'relative', value: 'thisMonth' };
    case 'id':
      return { field: field.name, op: 'in', value: [] };
    default:
      return { field: field.name, op: 'gte', value: '' };
  }
}

function isBlank(value: unknown): boolean {
  return value == null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Conditions → the API filter (`{ and: [...] }`); conditions still missing a value are left out. */
export function toFilter(entity: EntityDefinition, conditions: Condition[]): Row | null {
  const parts: Row[] = [];
  for (const c of conditions) {
    const field = entity.fields.find((f) => f.name === c.field);
    if (!field) continue;
    const family = familyOf(field);
    const key = family === 'id' ? `${field.name}Id` : field.name;
    let value = c.value;
    if (c.op === 'isNull' || c.op === 'isEmpty') value = value !== false;
    else if (isBlank(value)) continue;
    if (['number', 'decimal', 'money'].includes(family) && typeof value === 'string') {
      value = family === 'number' ? Number(value) : value;
    }
    if (c.op === 'between' && Array.isArray(value)) {
      if (value.some(isBlank)) continue;
      if (family === 'number') value = value.map(Number);
    }
    if ((c.op === 'in' || c.op === 'notIn') && family === 'string' && typeof value === 'string') {
      value = value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
    }
    if (c.op === 'inLast' || c.op === 'inNext') {
      const period = value as { amount?: unknown; unit?: string };
      if (!period || isBlank(period.amount)) continue;
      value = { amount: Number(period.amount), unit: period.unit ?? 'day' };
    }
    parts.push({ [key]: { [c.op]: value } });
  }
  return parts.length === 0 ? null : { and: parts };
}

export function parseConditions(text: string | null): Condition[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as Condition[]) : [];
  } catch {
    return [];
  }
}

/**
 * An API filter back into conditions, for editing a filter stored elsewhere (a sharing rule's condition):
 * `{ and: [{ field: { op: value } }, …] }` or one `{ field: { op: value } }`, relations as `<field>Id`. Null
 * when the filter says more than the builder can show (or, nesting, other fields' filters): it is kept as it is.
 */
export function fromFilter(entity: EntityDefinition, filter: unknown): Condition[] | null {
  if (filter == null) return [];
  if (typeof filter !== 'object' || Array.isArray(filter)) return null;
  const record = filter as Row;
  const keys = Object.keys(record);
  if (keys.length === 0) return [];
  const parts =
    keys.length === 1 && keys[0] === 'and' && Array.isArray(record.and) ? (record.and as unknown[]) : [record];
  const conditions: Condition[] = [];
  for (const part of parts) {
    if (!part || typeof part !== 'object' || Array.isArray(part)) return null;
    const entries = Object.entries(part as Row);
    if (entries.length !== 1) return null;
    const [key, test] = entries[0]!;
    const field = entity.fields.find((f) => (familyOf(f) === 'id' ? `${f.name}Id` : f.name) === key);
    if (!field || !test || typeof test !== 'object' || Array.isArray(test)) return null;
    const ops = Object.entries(test as Row);
    if (ops.length !== 1) return null;
    const [op, value] = ops[0]!;
    if (!operatorsOf(field).includes(op)) return null;
    conditions.push({ field: field.name, op, value });
  }
  return conditions;
}

/** A filter in words for a summary line ("Region is any of East, North"); one the builder cannot read as JSON. */
export function filterText(entity: EntityDefinition, filter: unknown, lang: Lang, yesNo: [string, string]): string {
  const conditions = fromFilter(entity, filter);
  if (conditions === null) return JSON.stringify(filter);
  return conditions
    .map((c) => {
      const field = entity.fields.find((f) => f.name === c.field);
      if (!field) return '';
      const labelOf = (value: unknown): string => {
        if (typeof value === 'boolean') return value ? yesNo[0] : yesNo[1];
        const option = field.options?.find((o) => o.value === value);
        if (option) return (lang === 'zh-CN' ? option.labels['zh-CN'] : option.labels.en) || option.value;
        if (typeof value === 'object' && value !== null) {
          if (Array.isArray(value)) return value.map(labelOf).join(lang === 'zh-CN' ? '、' : ', ');
          return Object.values(value as Row)
            .map(String)
            .join(' ');
        }
        return String(value);
      };
      const name = (lang === 'zh-CN' ? field.labels['zh-CN'] : field.labels.en) || field.name;
      const value = c.op === 'isNull' || c.op === 'isEmpty' ? '' : ` ${labelOf(c.value)}`;
      const notEmpty = lang === 'zh-CN' ? '不为空' : 'is not empty';
      const op = (c.op === 'isNull' || c.op === 'isEmpty') && c.value === false ? notEmpty : opLabel(c.op, lang);
      return `${name} ${op}${value}`;
    })
    .filter(Boolean)
    .join(lang === 'zh-CN' ? '，且 ' : ' and ');
}
