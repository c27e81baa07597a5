export type { DatabaseOptions, Sql } from './db.ts';
export { Database, countStatements, currentStatementCount, withStatementCounter } from './db.ts';
export type { TestDatabase } from './test-database.ts';
export { createTestDatabase, LOCAL_POSTGRES_URL } from './test-database.ts';
export * as physical from './physical.ts';
export type {
  AggregateFunction,
  AggregateGroup,
  AggregateRequest,
  Filter,
  ListRequest,
  ListResult,
  OrderBy,
  RelationSelection,
  Selection,
} from './query/types.ts';
