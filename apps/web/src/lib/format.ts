// How a value reads on screen, per field type and language.
import { type FormulaAst, parseFormula } from '@touchpoint/schema';
import type { Lang } from './api.ts';
import type { EntityDefinition, FieldDefinition, Row } from './meta.ts';
import { fieldByName, label, optionOf } from './meta.ts';

/** Entities by API name: lets a relation's title be read through its target's title field. */
export type EntityMap = ReadonlyMap<string, EntityDefinition>;

const locale = (lang: Lang) => (lang === 'zh-CN' ? 'zh-CN' : 'en-US');

export function formatMoney(value: unknown, lang: Lang): string {
  if (!value || typeof value !== 'object') return '';
  const { amount, currency } = value as { amount?: string; currency?: string };
  if (amount == null) return '';
  try {
    return new Intl.NumberFormat(locale(lang), { style: 'currency', currency: currency ?? 'USD' }).format(
      Number(amount),
    );
  } catch {
    return `${amount} ${currency ?? ''}`;
  }
}

export function formatNumber(value: unknown, lang: Lang, digits?: number): string {
  if (value == null || value === '') return '';
  const n = Number(value);
  if (Number.isNaN(n)) return String(value);
  return new Intl.NumberFormat(locale(lang), digits === undefined ? {} : { maximumFractionDigits: digits }).format(n);
}

export function formatDate(value: unknown, lang: Lang): string {
  if (!value) return '';
  const text = String(value);
  const date = new Date(text.length === 10 ? `${text}T00:00:00` : text);
  if (Number.isNaN(date.getTime())) return text;
  return new Intl.DateTimeFormat(locale(lang), { year: 'numeric', month: 'short', day: 'numeric' }).format(date);
}

export function formatDateTime(value: unknown, lang: Lang): string {
  if (!value) return '';
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale(lang), {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

/** A report's month (`2026-12`): `Dec 2026`, `2026年12月`. */
export function formatMonth(value: string, lang: Lang): string {
  const match = /^(\d{4})-(\d{2})/.exec(value);
  if (!match) return value;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, 1);
  return new Intl.DateTimeFormat(locale(lang), { year: 'numeric', month: 'short' }).format(date);
}

/** A report's quarter, given by its first day (`2026-10-01`): `Q4 2026`, `2026年第4季度`. */
export function formatQuarter(value: string, lang: Lang): string {
  const match = /^(\d{4})-(\d{2})/.exec(value);
  if (!match) return value;
  const quarter = Math.floor((Number(match[2]) - 1) / 3) + 1;
  return lang === 'zh-CN' ? `${match[1]}年第${quarter}季度` : `Q${quarter} ${match[1]}`;
}

/**
 * A label cut to about `width` Latin characters for an axis (a CJK character counts as two, it is about twice
 * as wide), with an ellipsis; the whole text stays in the chart's tooltip.
 */
export function shortLabel(text: string, width: number): string {
  let used = 0;
  let out = '';
  for (const char of text) {
    used += /[\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]/.test(char) ? 2 : 1;
    if (used > width) return `${out.trimEnd()}…`;
    out += char;
  }
  return out;
}

/** Plain text of a value (lists, titles, exports); chips and links are drawn by FieldValue.svelte. */
export function formatBoolean(value: unknown, lang: Lang): string {
  return value ? (lang === 'zh-CN' ? '是' : 'Yes') : lang === 'zh-CN' ? '否' : 'No';
}

export function formatValue(field: FieldDefinition, value: unknown, lang: Lang, entities?: EntityMap): string {
  if (value == null) return '';
  switch (field.type) {
    case 'currency':
      return formatMoney(value, lang);
    case 'integer':
    case 'decimal':
      return formatNumber(value, lang);
    case 'percent':
      return `${formatNumber(value, lang, 2)} %`;
    case 'boolean':
      return formatBoolean(value, lang);
    case 'date':
      return formatDate(value, lang);
    case 'datetime':
      return formatDateTime(value, lang);
    case 'select':
      return label(optionOf(field, value)?.labels, lang, String(value));
    case 'multiSelect':
      return (value as unknown[]).map((v) => label(optionOf(field, v)?.labels, lang, String(v))).join(', ');
    case 'relation': {
      const target = entities?.get(field.relation?.target ?? '');
      const title = (r: unknown) => {
        const raw = (r as Row | null)?.title;
        return target ? formatTitle(target, raw, lang, entities) : String(raw ?? '');
      };
      return Array.isArray(value) ? value.map(title).join(', ') : title(value);
    }
    case 'json':
      return JSON.stringify(value);
    case 'formula':
      if (field.formula?.resultType === 'number') return formatNumber(value, lang);
      if (field.formula?.resultType === 'date') return formatDate(value, lang);
      if (field.formula?.resultType === 'datetime') return formatDateTime(value, lang);
      if (field.formula?.resultType === 'boolean') return formatBoolean(value, lang);
      return String(value);
    case 'rollup':
      return formatNumber(value, lang);
    default:
      return String(value);
  }
}

/**
 * A title value as selected by `titleSelection` (the title field's value aliased `title`), read through the
 * title field's own formatter: a datetime title is a formatted date, a relation title its target's title.
 */
export function formatTitle(entity: EntityDefinition, value: unknown, lang: Lang, entities?: EntityMap): string {
  const field = fieldByName(entity, entity.titleField);
  if (!field) return value == null ? '' : String(value);
  return formatValue(field, value, lang, entities);
}

/**
 * A record's title as people read it. A text formula title that only joins fields and texts (a status
 * change's `COALESCE(fromStatus, '—') & ' → ' & toStatus`) is read again from the record's fields with their
 * labels, since the database joins stored values (`inProgress → resolved`) in no particular language.
 */
export function recordTitle(entity: EntityDefinition, row: Row, lang: Lang, entities?: EntityMap): string {
  const field = fieldByName(entity, entity.titleField);
  if (field?.type === 'formula' && field.formula?.resultType === 'text') {
    const text = labelledFormula(entity, field.formula.expression, row, lang, entities);
    if (text !== undefined) return text;
  }
  return formatTitle(entity, row[entity.titleField], lang, entities);
}

const parsed = new Map<string, FormulaAst | null>();

function parsedFormula(expression: string): FormulaAst | null {
  if (!parsed.has(expression)) {
    try {
      parsed.set(expression, parseFormula(expression));
    } catch {
      parsed.set(expression, null);
    }
  }
  return parsed.get(expression) ?? null;
}

/**
 * The text of a formula made of `&`, `COALESCE`, texts, numbers and fields, each field as its label; undefined
 * when it uses anything else or a field the row lacks (the stored value is shown then).
 */
export function labelledFormula(
  entity: EntityDefinition,
  expression: string,
  row: Row,
  lang: Lang,
  entities?: EntityMap,
): string | undefined {
  const ast = parsedFormula(expression);
  if (!ast) return undefined;
  const evaluate = (node: FormulaAst): string | null | undefined => {
    switch (node.kind) {
      case 'text':
        return node.value;
      case 'number':
        return node.text;
      case 'null':
        return null;
      case 'field': {
        const field = fieldByName(entity, node.name);
        if (!field || !(node.name in row)) return undefined;
        const value = row[node.name];
        return value == null || value === '' ? null : formatValue(field, value, lang, entities);
      }
      case 'binary': {
        if (node.op !== '&') return undefined;
        const left = evaluate(node.left);
        const right = evaluate(node.right);
        if (left === undefined || right === undefined) return undefined;
        return (left ?? '') + (right ?? '');
      }
      case 'call': {
        if (node.name !== 'COALESCE') return undefined;
        let found: string | null = null;
        for (const arg of node.args) {
          const value = evaluate(arg);
          if (value === undefined) return undefined;
          if (found === null && value !== null) found = value;
        }
        return found;
      }
      default:
        return undefined;
    }
  };
  const text = evaluate(ast);
  return text === undefined ? undefined : (text ?? '');
}
