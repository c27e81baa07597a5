// How a value reads on screen, per field type and language.
import type { Lang } from './api.ts';
import type { FieldDefinition, Row } from './meta.ts';
import { label, optionOf } from './meta.ts';

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

/** Plain text of a value (lists, titles, exports); chips and links are drawn by FieldValue.svelte. */
export function formatValue(field: FieldDefinition, value: unknown, lang: Lang): string {
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
      return value ? (lang === 'zh-CN' ? '是' : 'Yes') : lang === 'zh-CN' ? '否' : 'No';
    case 'date':
      return formatDate(value, lang);
    case 'datetime':
      return formatDateTime(value, lang);
    case 'select':
      return label(optionOf(field, value)?.labels, lang, String(value));
    case 'multiSelect':
      return (value as unknown[]).map((v) => label(optionOf(field, v)?.labels, lang, String(v))).join(', ');
    case 'relation':
      if (Array.isArray(value)) return value.map((r) => String((r as Row).title ?? '')).join(', ');
      return String((value as Row).title ?? '');
    case 'json':
      return JSON.stringify(value);
    case 'formula':
      if (field.formula?.resultType === 'number') return formatNumber(value, lang);
      if (field.formula?.resultType === 'date') return formatDate(value, lang);
      if (field.formula?.resultType === 'datetime') return formatDateTime(value, lang);
      return String(value);
    case 'rollup':
      return formatNumber(value, lang);
    default:
      return String(value);
  }
}
