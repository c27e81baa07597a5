// The field-type registry. A field type says how a value is stored, how it appears in GraphQL, which
// filter operators it offers and how an input value is checked. Plugins register their own the same way.
import { phoneDigitsSql, phoneKeySql } from './phone.ts';
import { textBigramsSql } from './text-search.ts';
import type { FieldDefinition, FieldTypeName } from './types.ts';

/** One physical column a field occupies. `suffix` is appended to the field's column name. */
export interface ColumnSpec {
  suffix: string;
  sqlType: string;
}

/** The GraphQL shape of a field's value. `enum`/`enumList` are generated per select field. */
export type GraphQLShape =
  | 'String'
  | 'Int'
  | 'Float'
  | 'Boolean'
  | 'Decimal'
  | 'Date'
  | 'DateTime'
  | 'JSON'
  | 'Money'
  | 'enum'
  | 'enumList'
  | 'relation';

/** Which family of filter input a field gets; every family has a fixed operator list below. */
export type FilterFamily =
  | 'string'
  | 'number'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'select'
  | 'multiSelect'
  | 'money'
  | 'json'
  | 'none';

export const FILTER_OPERATORS: Record<FilterFamily, readonly string[]> = {
  string: ['eq', 'neq', 'in', 'notIn', 'contains', 'notContains', 'startsWith', 'endsWith', 'isNull'],
  number: ['eq', 'neq', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte', 'between', 'isNull'],
  decimal: ['eq', 'neq', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte', 'between', 'isNull'],
  boolean: ['eq', 'neq', 'isNull'],
  date: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'between', 'isNull', 'inLast', 'inNext', 'relative'],
  datetime: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'between', 'isNull', 'inLast', 'inNext', 'relative'],
  select: ['eq', 'neq', 'in', 'notIn', 'isNull'],
  multiSelect: ['containsAny', 'containsAll', 'isEmpty'],
  money: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'between', 'isNull', 'currency'],
  json: ['isNull'],
  none: [],
};

/**
 * An index the engine keeps on an expression over a field's value, because queries compare by exactly that
 * expression (a phone number's key). Queries must write the same expression for PostgreSQL to use it.
 */
export interface ExpressionIndex {
  /** Short stable name, part of the index name: `key`. */
  name: string;
  /** What the index serves, in words for the migration plan: `lookups by the normalised number`. */
  purpose: string;
  /** The indexed expression over `value` (a quoted column, or another SQL expression of the field's value). */
  expression(value: string): string;
  /**
   * `btree` (default): equality and ranges. `trigram`: a GIN index with pg_trgm's `gin_trgm_ops` (LIKE and
   * ILIKE on the expression; left out where the database has no pg_trgm). `gin`: a GIN index on an array.
   */
  method?: 'btree' | 'trigram' | 'gin';
}

/** The substring indexes of a field with `substringSearch` (see text-search.ts). */
export function substringIndexes(field: FieldDefinition): readonly ExpressionIndex[] {
  if (field.substringSearch !== true) return [];
  return [
    { name: 'trgm', purpose: 'substring search', method: 'trigram', expression: (v) => v },
    { name: 'bigram', purpose: 'substring search of 2-character words', method: 'gin', expression: textBigramsSql },
  ];
}

/** Named periods the `relative` operator of date and datetime filters understands. */
export const RELATIVE_DATE_RANGES = [
  'today',
  'yesterday',
  'tomorrow',
  'thisWeek',
  'lastWeek',
  'nextWeek',
  'thisMonth',
  'lastMonth',
  'nextMonth',
  'thisQuarter',
  'lastQuarter',
  'thisYear',
  'lastYear',
] as const;

/** The result of checking one input value: the value to store, or what is wrong with it. */
export type CheckResult = { ok: true; value: unknown } | { ok: false; message: string };

export interface FieldType {
  name: string;
  /** Columns the field occupies; empty for computed fields (formula, rollup) and many-to-many relations. */
  columns(field: FieldDefinition): ColumnSpec[];
  graphql(field: FieldDefinition): GraphQLShape;
  filter(field: FieldDefinition): FilterFamily;
  /** Computed fields cannot be written. */
  writable: boolean;
  sortable: boolean;
  /** Can be a `groupBy` key in aggregates. */
  groupable: boolean;
  /** Offers sum/avg (min/max are offered for every sortable scalar). */
  summable: boolean;
  /** Matched by the free-text `search` argument. */
  searchable: boolean;
  /** Options this type accepts besides the common ones (for validation messages and the JSON Schema). */
  options: readonly string[];
  /** Types a field of this type can change into without losing information. */
  widensTo: readonly FieldTypeName[];
  /** Checks and normalises a non-null input value. */
  check(value: unknown, field: FieldDefinition): CheckResult;
  /** Expression indexes every field of this type gets (the engine creates and drops them with the field). */
  indexes?(field: FieldDefinition): readonly ExpressionIndex[];
}

const ok = (value: unknown): CheckResult => ({ ok: true, value });
const fail = (message: string): CheckResult => ({ ok: false, message });

/** Upper bound on a text field's length when the field sets none: keeps a 5 MB paste out of a name. */
export const DEFAULT_TEXT_MAX_LENGTH = 1000;
export const DEFAULT_LONG_TEXT_MAX_LENGTH = 100_000;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ()./-]{3,32}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Active ISO 4217 currency codes. */
export const CURRENCY_CODES: ReadonlySet<string> = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF ' +
    'CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD ' +
    'HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD ' +
    'MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN ' +
    'PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY ' +
    'TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG'
  ).split(' '),
);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length > 40 ? `a text of ${value.length} characters` : `"${value}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function checkText(value: unknown, field: FieldDefinition, defaultMax: number): CheckResult {
  if (typeof value !== 'string') return fail(`must be a text, got ${describe(value)}`);
  const max = field.maxLength ?? defaultMax;
  if (value.length > max) return fail(`must be at most ${max} characters long, got ${value.length}`);
  if (field.minLength !== undefined && value.length < field.minLength) {
    return fail(`must be at least ${field.minLength} characters long, got ${value.length}`);
  }
  if (field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`, 'u').test(value)) {
    return fail(`must match the pattern ${field.pattern}`);
  }
  return ok(value);
}

function textType(
  name: FieldTypeName,
  defaultMax: number,
  format?: { test: (v: string) => boolean; what: string },
): FieldType {
  return {
    name,
    columns: () => [{ suffix: '', sqlType: 'text' }],
    graphql: () => 'String',
    filter: () => 'string',
    writable: true,
    sortable: true,
    groupable: name !== 'longText',
    summable: false,
    searchable: true,
    options:
      name === 'longText'
        ? ['minLength', 'maxLength', 'pattern']
        : ['minLength', 'maxLength', 'pattern', 'substringSearch'],
    widensTo: name === 'longText' ? [] : name === 'text' ? ['longText'] : ['text', 'longText'],
    indexes: substringIndexes,
    check(value, field) {
      const result = checkText(value, field, defaultMax);
      if (result.ok && format && !format.test(value as string))
        return fail(`must be ${format.what}, got ${describe(value)}`);
      return result;
    },
  };
}

function checkBounds(n: number, field: FieldDefinition): CheckResult {
  if (typeof field.min === 'number' && n < field.min) return fail(`must be at least ${field.min}, got ${n}`);
  if (typeof field.max === 'number' && n > field.max) return fail(`must be at most ${field.max}, got ${n}`);
  return ok(n);
}

/** Decimals travel as strings so no precision is lost between PostgreSQL `numeric` and the client. */
function checkDecimal(value: unknown, field: FieldDefinition): CheckResult {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^-?\d{1,18}(\.\d+)?$/.test(text.trim())) {
    return fail(`must be a decimal number such as 1234.56, got ${describe(value)}`);
  }
  const scale = field.scale ?? 2;
  const fraction = text.trim().split('.')[1] ?? '';
  if (fraction.length > scale) return fail(`must have at most ${scale} digits after the decimal point`);
  const bounds = checkBounds(Number(text), field);
  return bounds.ok ? ok(text.trim()) : bounds;
}

function isRealDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

const numericScale = (field: FieldDefinition) => Math.min(Math.max(field.scale ?? 2, 0), 10);

const registry = new Map<string, FieldType>();

/** Adds a field type. Plugins call this through the engine; a name can be registered once. */
export function registerFieldType(type: FieldType): void {
  if (registry.has(type.name)) throw new Error(`field type "${type.name}" is already registered`);
  registry.set(type.name, type);
}

export function getFieldType(name: string): FieldType | undefined {
  return registry.get(name);
}

export function fieldType(field: FieldDefinition): FieldType {
  const type = registry.get(field.type);
  if (!type) throw new Error(`unknown field type "${field.type}" on field "${field.name}"`);
  return type;
}

export function fieldTypeNames(): string[] {
  return [...registry.keys()];
}

registerFieldType(textType('text', DEFAULT_TEXT_MAX_LENGTH));
registerFieldType(textType('longText', DEFAULT_LONG_TEXT_MAX_LENGTH));
registerFieldType(
  textType('email', 320, { test: (v) => EMAIL.test(v), what: 'an e-mail address such as name@example.com' }),
);
const PHONE_INDEXES: readonly ExpressionIndex[] = [
  { name: 'key', purpose: 'lookups by the normalised number (caller identification)', expression: phoneKeySql },
];

/** A phone number is found by a fragment of its digits (`6411 7256` finds `+86 135-6411-7256`). */
const PHONE_DIGIT_INDEXES: readonly ExpressionIndex[] = [
  { name: 'digits', purpose: 'search by part of the number', method: 'trigram', expression: phoneDigitsSql },
];

registerFieldType({
  ...textType('phone', 40, { test: (v) => PHONE.test(v), what: 'a phone number of digits, spaces, + ( ) - . /' }),
  indexes: (field) => (field.substringSearch === true ? [...PHONE_INDEXES, ...PHONE_DIGIT_INDEXES] : PHONE_INDEXES),
});
registerFieldType(
  textType('url', 2000, {
    test: (v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    },
    what: 'an http(s) address such as https://example.com',
  }),
);

registerFieldType({
  name: 'integer',
  columns: () => [{ suffix: '', sqlType: 'integer' }],
  graphql: () => 'Int',
  filter: () => 'number',
  writable: true,
  sortable: true,
  groupable: true,
  summable: true,
  searchable: false,
  options: ['min', 'max'],
  widensTo: ['decimal', 'percent'],
  check(value, field) {
    if (typeof value !== 'number' || !Number.isInteger(value))
      return fail(`must be a whole number, got ${describe(value)}`);
    if (Math.abs(value) > 2_147_483_647) return fail('must be between -2147483647 and 2147483647');
    return checkBounds(value, field);
  },
});

for (const name of ['decimal', 'percent'] as const) {
  registerFieldType({
    name,
    columns: (f) => [{ suffix: '', sqlType: `numeric(${18 + numericScale(f)}, ${numericScale(f)})` }],
    graphql: () => 'Decimal',
    filter: () => 'decimal',
    writable: true,
    sortable: true,
    groupable: false,
    summable: true,
    searchable: false,
    options: ['min', 'max', 'scale'],
    widensTo: name === 'decimal' ? ['percent'] : ['decimal'],
    check: checkDecimal,
  });
}

registerFieldType({
  name: 'currency',
  columns: (f) => [
    { suffix: '_amount', sqlType: `numeric(${18 + numericScale(f)}, ${numericScale(f)})` },
    { suffix: '_currency', sqlType: 'char(3)' },
  ],
  graphql: () => 'Money',
  filter: () => 'money',
  writable: true,
  sortable: true,
  groupable: false,
  summable: true,
  searchable: false,
  options: ['min', 'max', 'scale', 'currencyCode'],
  widensTo: [],
  check(value, field) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return fail(`must be an object { amount, currency }, got ${describe(value)}`);
    }
    const { amount, currency, ...rest } = value as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) return fail(`has unknown keys ${extra.join(', ')}; allowed: amount, currency`);
    const code = currency ?? field.currencyCode;
    if (typeof code !== 'string' || !CURRENCY_CODES.has(code)) {
      return fail(`currency must be an ISO 4217 code such as CNY, USD or EUR, got ${describe(code)}`);
    }
    const checked = checkDecimal(amount, field);
    if (!checked.ok) return fail(`amount ${checked.message}`);
    return ok({ amount: checked.value, currency: code });
  },
});

registerFieldType({
  name: 'boolean',
  columns: () => [{ suffix: '', sqlType: 'boolean' }],
  graphql: () => 'Boolean',
  filter: () => 'boolean',
  writable: true,
  sortable: true,
  groupable: true,
  summable: false,
  searchable: false,
  options: [],
  widensTo: [],
  check: (value) => (typeof value === 'boolean' ? ok(value) : fail(`must be true or false, got ${describe(value)}`)),
});

registerFieldType({
  name: 'date',
  columns: () => [{ suffix: '', sqlType: 'date' }],
  graphql: () => 'Date',
  filter: () => 'date',
  writable: true,
  sortable: true,
  groupable: true,
  summable: false,
  searchable: false,
  options: ['min', 'max'],
  widensTo: ['datetime'],
  check(value, field) {
    if (typeof value !== 'string' || !isRealDate(value))
      return fail(`must be a date YYYY-MM-DD, got ${describe(value)}`);
    if (typeof field.min === 'string' && value < field.min) return fail(`must be on or after ${field.min}`);
    if (typeof field.max === 'string' && value > field.max) return fail(`must be on or before ${field.max}`);
    return ok(value);
  },
});

registerFieldType({
  name: 'datetime',
  columns: () => [{ suffix: '', sqlType: 'timestamptz' }],
  graphql: () => 'DateTime',
  filter: () => 'datetime',
  writable: true,
  sortable: true,
  groupable: true,
  summable: false,
  searchable: false,
  options: ['min', 'max'],
  widensTo: [],
  check(value) {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
      return fail(`must be an ISO 8601 date and time such as 2026-03-01T09:30:00Z, got ${describe(value)}`);
    }
    return ok(new Date(value).toISOString());
  },
});

function optionValues(field: FieldDefinition): string[] {
  return (field.options ?? []).map((o) => o.value);
}

registerFieldType({
  name: 'select',
  columns: () => [{ suffix: '', sqlType: 'text' }],
  graphql: () => 'enum',
  filter: () => 'select',
  writable: true,
  sortable: true,
  groupable: true,
  summable: false,
  searchable: false,
  options: ['options'],
  widensTo: ['text'],
  check(value, field) {
    const allowed = optionValues(field);
    if (typeof value !== 'string' || !allowed.includes(value)) {
      return fail(`must be one of ${allowed.join(', ')}, got ${describe(value)}`);
    }
    return ok(value);
  },
});

registerFieldType({
  name: 'multiSelect',
  columns: () => [{ suffix: '', sqlType: 'text[]' }],
  graphql: () => 'enumList',
  filter: () => 'multiSelect',
  writable: true,
  sortable: false,
  groupable: false,
  summable: false,
  searchable: false,
  options: ['options'],
  widensTo: [],
  check(value, field) {
    const allowed = optionValues(field);
    if (!Array.isArray(value)) return fail(`must be a list of options, got ${describe(value)}`);
    const wrong = value.filter((v) => typeof v !== 'string' || !allowed.includes(v));
    if (wrong.length > 0) return fail(`has ${wrong.map(describe).join(', ')}; allowed: ${allowed.join(', ')}`);
    return ok([...new Set(value as string[])]);
  },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

registerFieldType({
  name: 'relation',
  columns: (f) => (f.relation?.kind === 'manyToMany' ? [] : [{ suffix: '_id', sqlType: 'uuid' }]),
  graphql: () => 'relation',
  filter: () => 'none',
  writable: true,
  sortable: false,
  groupable: true,
  summable: false,
  searchable: false,
  options: ['relation'],
  widensTo: [],
  check(value, field) {
    if (field.relation?.kind === 'manyToMany') {
      if (!Array.isArray(value) || !value.every(isUuid)) return fail('must be a list of record ids');
      return ok([...new Set(value)]);
    }
    return isUuid(value)
      ? ok(value)
      : fail(`must be the id of a ${field.relation?.target ?? 'related'} record, got ${describe(value)}`);
  },
});

registerFieldType({
  name: 'json',
  columns: () => [{ suffix: '', sqlType: 'jsonb' }],
  graphql: () => 'JSON',
  filter: () => 'json',
  writable: true,
  sortable: false,
  groupable: false,
  summable: false,
  searchable: false,
  options: [],
  widensTo: [],
  check(value) {
    const size = JSON.stringify(value)?.length ?? 0;
    return size > 1_000_000 ? fail(`must be at most 1000000 characters as JSON, got ${size}`) : ok(value);
  },
});

registerFieldType({
  name: 'autonumber',
  columns: () => [{ suffix: '', sqlType: 'text' }],
  graphql: () => 'String',
  filter: () => 'string',
  writable: false,
  sortable: true,
  groupable: false,
  summable: false,
  searchable: true,
  options: ['autonumber', 'substringSearch'],
  widensTo: [],
  check: () => fail('is numbered automatically and cannot be set'),
  indexes: substringIndexes,
});

const formulaShape: Record<string, { graphql: GraphQLShape; filter: FilterFamily }> = {
  text: { graphql: 'String', filter: 'string' },
  number: { graphql: 'Decimal', filter: 'decimal' },
  boolean: { graphql: 'Boolean', filter: 'boolean' },
  date: { graphql: 'Date', filter: 'date' },
  datetime: { graphql: 'DateTime', filter: 'datetime' },
};

registerFieldType({
  name: 'formula',
  columns: () => [],
  graphql: (f) => formulaShape[f.formula?.resultType ?? 'text']?.graphql ?? 'String',
  filter: (f) => formulaShape[f.formula?.resultType ?? 'text']?.filter ?? 'string',
  writable: false,
  sortable: true,
  groupable: false,
  summable: false,
  searchable: false,
  options: ['formula', 'substringSearch'],
  widensTo: [],
  check: () => fail('is computed from a formula and cannot be set'),
  // Over the compiled formula; metadata validation admits `substringSearch` only where that is immutable.
  indexes: substringIndexes,
});

registerFieldType({
  name: 'rollup',
  columns: () => [],
  graphql: () => 'Decimal',
  filter: () => 'decimal',
  writable: false,
  sortable: true,
  groupable: false,
  summable: false,
  searchable: false,
  options: ['rollup'],
  widensTo: [],
  check: () => fail('is computed from related records and cannot be set'),
});
