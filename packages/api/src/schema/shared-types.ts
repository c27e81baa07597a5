// Types every workspace schema shares: scalars, money, page info, sort direction and the filter inputs
// of each field-type family. The operator lists come from the field-type registry, so they cannot drift.
import SchemaBuilder from '@pothos/core';
import { FILTER_OPERATORS, type FilterFamily, isUuid, RELATIVE_DATE_RANGES } from '@touchpoint/schema';
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import type { ApiContext } from '../context.ts';

export interface ApiTypes {
  Context: ApiContext;
  Scalars: {
    Decimal: { Input: string; Output: string };
    Date: { Input: string; Output: string };
    DateTime: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: true;
}

export type Builder = InstanceType<typeof SchemaBuilder<ApiTypes>>;
/** Records travel as the JSON objects PostgreSQL built; their shape depends on metadata, not on types. */
export type Row = Record<string, unknown>;

function literalValue(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literalValue);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalValue(f.value)]));
    default:
      return undefined;
  }
}

function decimal(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^-?\d+(\.\d+)?$/.test(text.trim())) {
    throw new GraphQLError(
      `Decimal must be a number or a numeric string such as "1234.56", got ${JSON.stringify(value)}`,
    );
  }
  return text.trim();
}

function dateText(value: unknown, what: 'Date' | 'DateTime'): string {
  const ok =
    typeof value === 'string' &&
    (what === 'Date' ? /^\d{4}-\d{2}-\d{2}$/.test(value) : !Number.isNaN(Date.parse(value)));
  if (!ok) {
    throw new GraphQLError(
      what === 'Date'
        ? `Date must be YYYY-MM-DD, got ${JSON.stringify(value)}`
        : `DateTime must be ISO 8601 such as 2026-03-01T09:30:00Z, got ${JSON.stringify(value)}`,
    );
  }
  return value as string;
}

// Pothos types each ref statically; types made from metadata at run time are held loosely.
// biome-ignore lint/suspicious/noExplicitAny: refs of types whose shape only exists at run time
export type AnyRef = any;

export interface SharedTypes {
  money: AnyRef;
  /** One currency's share of a money aggregate. */
  moneyAggregate: AnyRef;
  moneyInput: AnyRef;
  pageInfo: AnyRef;
  sortDirection: AnyRef;
  filters: Partial<Record<FilterFamily | 'id', AnyRef>>;
  labels: AnyRef;
}

const SCALAR_OF_FAMILY: Record<string, 'String' | 'Int' | 'Decimal' | 'Boolean' | 'Date' | 'DateTime' | 'ID'> = {
  string: 'String',
  number: 'Int',
  decimal: 'Decimal',
  boolean: 'Boolean',
  date: 'Date',
  datetime: 'DateTime',
  money: 'Decimal',
  id: 'ID',
};

export function createBuilder(): Builder {
  const builder = new SchemaBuilder<ApiTypes>({});
  builder.scalarType('Decimal', {
    description:
      'A decimal number sent as a string so no precision is lost, e.g. "1234.50". Numbers are accepted as input.',
    serialize: (v) => String(v),
    parseValue: decimal,
    parseLiteral: (node) => decimal(literalValue(node)),
  });
  builder.scalarType('Date', {
    description: 'A calendar date, YYYY-MM-DD.',
    serialize: (v) => String(v),
    parseValue: (v) => dateText(v, 'Date'),
    parseLiteral: (node) => dateText(literalValue(node), 'Date'),
  });
  builder.scalarType('DateTime', {
    description: 'An instant in ISO 8601, e.g. 2026-03-01T09:30:00.000Z.',
    serialize: (v) => String(v),
    parseValue: (v) => dateText(v, 'DateTime'),
    parseLiteral: (node) => dateText(literalValue(node), 'DateTime'),
  });
  builder.scalarType('JSON', {
    description: 'Any JSON value.',
    serialize: (v) => v,
    parseValue: (v) => v,
    parseLiteral: (node) => literalValue(node),
  });
  return builder;
}

export function sharedTypes(builder: Builder): SharedTypes {
  const money = builder.objectRef<{ amount: string; currency: string }>('Money').implement({
    description: 'An amount of money in a currency (ISO 4217).',
    fields: (t) => ({
      amount: t.exposeString('amount', { type: 'Decimal', nullable: false } as never),
      currency: t.exposeString('currency', { nullable: false }),
    }),
  });
  const moneyAggregate = builder
    .objectRef<{ currency: string; amount: string | null; count: number }>('MoneyAggregate')
    .implement({
      description:
        'A sum, average, minimum or maximum of money in one currency. Amounts of different currencies are never added together: an aggregate of a money field has one of these per currency.',
      fields: (t) => ({
        currency: t.exposeString('currency', { nullable: false }),
        amount: t.field({ type: 'Decimal', resolve: (m) => m.amount }),
        count: t.exposeInt('count', { nullable: false, description: 'How many amounts in this currency.' }),
      }),
    });
  const moneyInput = builder.inputRef<{ amount: string; currency?: string }>('MoneyInput').implement({
    fields: (t) => ({
      amount: t.field({ type: 'Decimal', required: true }),
      currency: t.string({ description: 'ISO 4217 code; the field default applies when omitted.' }),
    }),
  });
  const pageInfo = builder.objectRef<Row>('PageInfo').implement({
    fields: (t) => ({
      hasNextPage: t.boolean({ nullable: false, resolve: (p) => p.hasNextPage as boolean }),
      hasPreviousPage: t.boolean({ nullable: false, resolve: (p) => p.hasPreviousPage as boolean }),
      startCursor: t.string({ resolve: (p) => p.startCursor as string | null }),
      endCursor: t.string({ resolve: (p) => p.endCursor as string | null }),
    }),
  });
  const labels = builder.objectRef<Record<string, string>>('Labels').implement({
    fields: (t) => ({
      en: t.string({ resolve: (p) => p.en }),
      zhCN: t.string({ resolve: (p) => p['zh-CN'] }),
    }),
  });
  const sortDirection = builder.enumType('SortDirection', { values: ['asc', 'desc'] as const });
  const dateUnit = builder.enumType('DateUnit', { values: ['day', 'week', 'month', 'year'] as const });
  const relativeRange = builder.enumType('RelativeDateRange', { values: RELATIVE_DATE_RANGES });
  const period = builder.inputRef<{ amount: number; unit: string }>('DatePeriod').implement({
    fields: (t) => ({
      amount: t.int({ required: true }),
      unit: t.field({ type: dateUnit, required: true }),
    }),
  });
  const filters: SharedTypes['filters'] = {};
  const families: (FilterFamily | 'id')[] = [
    'string',
    'number',
    'decimal',
    'boolean',
    'date',
    'datetime',
    'money',
    'id',
  ];
  for (const family of families) {
    const scalar = SCALAR_OF_FAMILY[family]!;
    const operators = family === 'id' ? ['eq', 'neq', 'in', 'notIn', 'isNull'] : FILTER_OPERATORS[family];
    const name = `${family === 'number' ? 'Int' : family.charAt(0).toUpperCase() + family.slice(1)}Filter`;
    filters[family] = builder.inputRef<Row>(name === 'DatetimeFilter' ? 'DateTimeFilter' : name).implement({
      fields: (t) =>
        Object.fromEntries(
          operators.map((op) => {
            switch (op) {
              case 'in':
              case 'notIn':
              case 'between':
                return [op, t.field({ type: [scalar] as never, required: false })];
              case 'isNull':
                return [op, t.boolean()];
              case 'inLast':
              case 'inNext':
                return [op, t.field({ type: period })];
              case 'relative':
                return [op, t.field({ type: relativeRange })];
              case 'currency':
                return [op, t.string({ description: 'Only amounts in this currency (ISO 4217).' })];
              default:
                return [op, t.field({ type: scalar as never })];
            }
          }),
        ),
    });
  }
  filters.json = builder.inputRef<Row>('JSONFilter').implement({ fields: (t) => ({ isNull: t.boolean() }) });
  return { money, moneyAggregate, moneyInput, pageInfo, sortDirection, filters, labels };
}

export { isUuid };
