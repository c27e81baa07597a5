// What a read asks for, independent of GraphQL: the API turns a GraphQL selection into one of these and
// the query compiler turns it into ONE SQL statement that returns the whole nested result as JSON.

/**
 * Filter language (also used by rollup filters and saved views). Keys are field names of the entity:
 *  - scalar fields: an operator object, e.g. `{ name: { contains: 'acme' }, amount: { gte: '1000' } }`;
 *    operators per field type are `FILTER_OPERATORS[fieldType.filter(field)]` in @touchpoint/schema;
 *  - system fields `id`, `createdAt`, `updatedAt`, `createdBy`, `updatedBy`: operators like id/datetime/string;
 *  - a many-to-one relation `account`: a filter on the target entity (`{ account: { industry: { eq: 'it' } } }`),
 *    and `accountId`: an id filter (`eq`, `neq`, `in`, `notIn`, `isNull`);
 *  - a to-many relation (inverse of a many-to-one, or many-to-many) `contacts`:
 *    `{ contacts: { some: Filter } }`, `{ none: Filter }` or `{ every: Filter }`;
 *  - `and: Filter[]`, `or: Filter[]`, `not: Filter` combine.
 */
export type Filter = { [key: string]: unknown };

export interface OrderBy {
  /** Field name (scalar, formula, rollup or system field). */
  field: string;
  direction: 'asc' | 'desc';
}

/** What to return for each record. Relations nest; `key` is the GraphQL response key (alias). */
export interface Selection {
  /** Scalar field names (incl. system fields, formula and rollup fields, and `<relation>Id`). */
  fields: string[];
  relations: RelationSelection[];
  /**
   * The record's keys in output order (field names and relation keys), when the JSON must be exactly that:
   * what `listJson` returns is spliced into a response as is. Without it, scalars come before relations.
   */
  keys?: string[];
}

export interface RelationSelection {
  /** Key under which the result appears in the record JSON: the GraphQL alias or field name. */
  key: string;
  /** Relation field name on the parent entity: a many-to-one, a many-to-many or an inverse (one-to-many). */
  field: string;
  selection: Selection;
  /** To-many only. */
  filter?: Filter;
  orderBy?: OrderBy[];
  first?: number;
  offset?: number;
}

export interface ListRequest {
  entity: string;
  filter?: Filter;
  /** Free text matched case-insensitively against the entity's searchable fields. */
  search?: string;
  orderBy?: OrderBy[];
  first?: number;
  after?: string;
  last?: number;
  before?: string;
  selection: Selection;
  /** Also count every record matching the filter (a second statement). */
  withTotalCount?: boolean;
  /** Include soft-deleted records (for restore screens); by default they are invisible. */
  includeDeleted?: boolean;
  /**
   * `false` when the caller needs no cursors (a GraphQL query that selects neither edges nor pageInfo):
   * nodes come without `__cursor` and pageInfo's cursors are null, which spares building one per row.
   */
  withCursors?: boolean;
}

export interface ListResult {
  /** Records shaped as the selection asks, in order. Each has `__cursor` unless the request said withCursors: false. */
  nodes: Record<string, unknown>[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount?: number;
}

export type AggregateFunction = 'count' | 'sum' | 'avg' | 'min' | 'max';

export interface AggregateRequest {
  entity: string;
  filter?: Filter;
  /** Fields to group by: select, boolean, integer, text, date/datetime (truncated), many-to-one `<relation>Id`. */
  groupBy?: string[];
  /** Truncation for date/datetime group keys. */
  dateGranularity?: 'day' | 'week' | 'month' | 'quarter' | 'year';
  /** Which aggregates of which fields; `count` needs no field. */
  aggregates: { fn: AggregateFunction; field?: string }[];
  orderBy?: { key: string; direction: 'asc' | 'desc' }[];
  limit?: number;
}

export interface AggregateGroup {
  /** Group key values by field name. */
  keys: Record<string, unknown>;
  count: number;
  /**
   * `values[fn][field]`. For a money field, sum/avg/min/max are a list with one entry per currency, by code
   * (`MoneyAggregate`): amounts of different currencies are never added together.
   */
  values: Partial<Record<AggregateFunction, Record<string, unknown>>>;
}

/** One currency's share of a money aggregate: the amount (decimal text) and how many amounts made it. */
export interface MoneyAggregate {
  currency: string;
  amount: string | null;
  count: number;
}
