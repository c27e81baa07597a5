// From a spreadsheet cell's text to a record's input value, per field type: select labels in either language,
// dates and date-times in the common written forms, numbers with thousands separators, amounts with a
// currency code or sign, yes/no in both languages, multi-select lists. A value that cannot be read becomes a
// problem code with parameters (messages.ts words it); the record service's own checks still follow.
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';
import { CURRENCY_CODES, fieldType } from '@touchpoint/schema';

export type Converted = { ok: true; value: unknown } | { ok: false; code: string; params: Record<string, unknown> };

const ok = (value: unknown): Converted => ({ ok: true, value });
const bad = (code: string, params: Record<string, unknown> = {}): Converted => ({ ok: false, code, params });

/**
 * A cell that a spreadsheet would run as a formula: it starts with `=` or `@`, or with `+`/`-` followed by
 * anything but a number or a phone number. A leading apostrophe (how exports neutralise) makes it text.
 */
export function isFormula(text: string): boolean {
  const t = text.trimStart();
  if (t === '') return false;
  const c = t[0];
  if (c === '=' || c === '@') return true;
  if (c === '+' || c === '-') return !/^[+-][\d\s().,/-]*$/.test(t);
  return false;
}

/** Undoes an export's neutralising apostrophe (`'=x` → `=x`): the value is text, kept as written. */
export function unquote(text: string): string {
  return /^'[=+\-@]/.test(text) ? text.slice(1) : text;
}

/** Plain ASCII digits and separators from full-width forms (１２３，４５６．７８). */
function halfWidth(text: string): string {
  return text
    .replace(/[\uff01-\uff5e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

/** `1,234,567.89`, `1 234 567.89`, `1'234.5`, `1_000` → `1234567.89`; undefined when not a number. */
export function parseNumber(text: string): string | undefined {
  let t = halfWidth(text)
    .trim()
    .replace(/[\s'_\u00a0\u202f]/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(t)) {
    negative = true;
    t = t.slice(1, -1);
  }
  if (!/^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(t) && !/^[+-]?\.\d+$/.test(t)) return undefined;
  t = t.replace(/,/g, '');
  if (t.startsWith('+')) t = t.slice(1);
  if (t.startsWith('.')) t = `0${t}`;
  if (t.startsWith('-.')) t = `-0${t.slice(1)}`;
  if (negative) t = t.startsWith('-') ? t.slice(1) : `-${t}`;
  // Leading zeros go (007 → 7) but not the one before a point.
  t = t.replace(/^(-?)0+(?=\d)/, '$1');
  return t;
}

const SIGNS: Record<string, string> = {
  '¥': 'CNY',
  '￥': 'CNY',
  $: 'USD',
  US$: 'USD',
  '€': 'EUR',
  '£': 'GBP',
  HK$: 'HKD',
};
const CURRENCY_WORDS: Record<string, string> = { 元: 'CNY', 人民币: 'CNY', RMB: 'CNY', 美元: 'USD', 欧元: 'EUR' };

/** `1,234.50 CNY`, `CNY 1,234.50`, `¥1,234.50`, `$20`, `1234.5元`, or a bare number in `fallback`'s currency. */
export function parseMoney(text: string, fallback?: string): { amount: string; currency: string } | undefined {
  let t = halfWidth(text).trim();
  let currency: string | undefined;
  const sign = Object.keys(SIGNS)
    .sort((a, b) => b.length - a.length)
    .find((s) => t.startsWith(s) || t.startsWith(`-${s}`));
  if (sign) {
    currency = SIGNS[sign];
    t = t.startsWith('-') ? `-${t.slice(1 + sign.length)}` : t.slice(sign.length);
  } else {
    const code = /^([A-Za-z]{3})\s*(.+)$/.exec(t) ?? /^(.+?)\s*([A-Za-z]{3})$/.exec(t);
    if (code) {
      const [a, b] =
        code[1]!.length === 3 && /^[A-Za-z]{3}$/.test(code[1]!) ? [code[1]!, code[2]!] : [code[2]!, code[1]!];
      const upper = a.toUpperCase();
      if (upper === 'RMB') currency = 'CNY';
      else if (CURRENCY_CODES.has(upper)) currency = upper;
      else return undefined;
      t = b;
    } else {
      for (const [word, code2] of Object.entries(CURRENCY_WORDS)) {
        if (t.endsWith(word)) {
          currency = code2;
          t = t.slice(0, -word.length);
          break;
        }
      }
    }
  }
  const amount = parseNumber(t);
  const code = currency ?? fallback;
  if (amount === undefined || !code) return undefined;
  return { amount, currency: code };
}

function isoDate(y: number, m: number, d: number): string | undefined {
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text ? text : undefined;
}

/**
 * A date in a common written form: `2026-03-01`, `2026/3/1`, `2026.3.1`, `2026年3月1日`, `1.3.2026` (day
 * first, as in Europe), `3/1/2026` (month first, unless the first number is over 12), `20260301`.
 */
export function parseDate(text: string): string | undefined {
  const t = halfWidth(text).trim();
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(t);
  if (m) return isoDate(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t);
  if (m) return isoDate(+m[3]!, +m[2]!, +m[1]!);
  m = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(t);
  if (m) {
    const a = +m[1]!;
    const b = +m[2]!;
    return a > 12 ? isoDate(+m[3]!, b, a) : isoDate(+m[3]!, a, b);
  }
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (m) return isoDate(+m[1]!, +m[2]!, +m[3]!);
  return undefined;
}

/** Minutes east of UTC of `timeZone` at the instant whose wall time there is `local` (UTC fields). */
function zoneOffset(local: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(local);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - local.getTime()) / 60000);
}

/**
 * A date and time: ISO 8601 with a zone as is; otherwise a date form of `parseDate` with `HH:mm[:ss]`
 * (a date alone is midnight), read as wall time in `timeZone`.
 */
export function parseDateTime(text: string, timeZone = 'UTC'): string | undefined {
  const t = halfWidth(text).trim();
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  const m = /^(.+?)(?:[\sT]+(\d{1,2})[:时](\d{2})(?:[:分](\d{2}))?秒?)?$/.exec(t);
  if (!m) return undefined;
  const date = parseDate(m[1]!);
  if (!date) return undefined;
  const h = Number(m[2] ?? 0);
  const min = Number(m[3] ?? 0);
  const s = Number(m[4] ?? 0);
  if (h > 23 || min > 59 || s > 59) return undefined;
  const wall = new Date(`${date}T00:00:00Z`);
  wall.setUTCHours(h, min, s);
  const offset = zoneOffset(wall, timeZone);
  return new Date(wall.getTime() - offset * 60000).toISOString();
}

const TRUE = new Set(['true', 'yes', 'y', '1', '是', '对', '√', '✓', 'x', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', '否', '不', '×', '✗', 'off']);

function optionIndex(field: FieldDefinition): Map<string, string> {
  const index = new Map<string, string>();
  for (const option of field.options ?? []) {
    index.set(option.value.toLowerCase(), option.value);
    for (const label of Object.values(option.labels ?? {})) {
      if (typeof label === 'string' && !index.has(label.trim().toLowerCase()))
        index.set(label.trim().toLowerCase(), option.value);
    }
  }
  return index;
}

/** Separators of a multi-select list in a cell: `;` `,` `|` and the Chinese `；` `，` `、`. */
const LIST_SEPARATORS = /[;,|；，、\n]/;

export interface ConvertOptions {
  /** Wall-clock zone of date-times written without one (default UTC). */
  timeZone?: string;
}

/** A converter per field, with its option index built once. `undefined` for relations (looked up in batches). */
export function converter(field: FieldDefinition, options: ConvertOptions = {}): (text: string) => Converted {
  switch (field.type) {
    case 'integer':
      return (text) => {
        const n = parseNumber(text);
        if (n === undefined) return bad('number', { value: text });
        if (!/^-?\d+$/.test(n)) return bad('integer', { value: text });
        return ok(Number(n));
      };
    case 'decimal':
    case 'percent':
      return (text) => {
        const n = parseNumber(text.trim().replace(/%$/, ''));
        return n === undefined ? bad('number', { value: text }) : ok(n);
      };
    case 'currency':
      return (text) => {
        const money = parseMoney(text, field.currencyCode);
        return money ? ok(money) : bad('currency', { value: text });
      };
    case 'boolean':
      return (text) => {
        const t = text.trim().toLowerCase();
        if (TRUE.has(t)) return ok(true);
        if (FALSE.has(t)) return ok(false);
        return bad('boolean', { value: text });
      };
    case 'date':
      return (text) => {
        const d = parseDate(text);
        return d ? ok(d) : bad('date', { value: text });
      };
    case 'datetime':
      return (text) => {
        const d = parseDateTime(text, options.timeZone);
        return d ? ok(d) : bad('datetime', { value: text });
      };
    case 'select': {
      const index = optionIndex(field);
      const allowed = (field.options ?? []).map((o) => o.value);
      return (text) => {
        const value = index.get(text.trim().toLowerCase());
        return value ? ok(value) : bad('option', { value: text.trim(), allowed });
      };
    }
    case 'multiSelect': {
      const index = optionIndex(field);
      const allowed = (field.options ?? []).map((o) => o.value);
      return (text) => {
        const values: string[] = [];
        for (const part of text.split(LIST_SEPARATORS)) {
          const p = part.trim();
          if (p === '') continue;
          const value = index.get(p.toLowerCase());
          if (!value) return bad('option', { value: p, allowed });
          if (!values.includes(value)) values.push(value);
        }
        return ok(values);
      };
    }
    case 'json':
      return (text) => {
        try {
          return ok(JSON.parse(text));
        } catch {
          return bad('invalid', { message: `"${text}" is not JSON` });
        }
      };
    case 'phone':
    case 'email':
      return (text) => ok(halfWidth(text).trim());
    default:
      return (text) => ok(text.trim());
  }
}

/** The fields an import may set: writable, not read-only, not many-to-many (one cell, one value). */
export function importableFields(entity: EntityDefinition): FieldDefinition[] {
  return entity.fields.filter(
    (f) => fieldType(f).writable && !f.readOnly && !(f.type === 'relation' && f.relation?.kind === 'manyToMany'),
  );
}

/** Fields a row must give on create: required, without a default. */
export function requiredFields(entity: EntityDefinition): FieldDefinition[] {
  return importableFields(entity).filter((f) => f.required && (f.default === undefined || f.default === null));
}
