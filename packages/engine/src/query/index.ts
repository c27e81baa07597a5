// The read path's public surface inside the engine; the package entry re-exports it by name.
export type { CompiledAggregate } from './aggregate.ts';
export { aggregateRecords } from './aggregate.ts';
export type { QueryCompilerOptions } from './compiler.ts';
export { QueryCompiler } from './compiler.ts';
export type { Statement } from './context.ts';
export {
  DEFAULT_AGGREGATE_GROUPS,
  DEFAULT_FIRST,
  DEFAULT_NESTED_FIRST,
  MAX_AGGREGATE_GROUPS,
  MAX_FILTER_DEPTH,
  MAX_FIRST,
  MAX_IN_VALUES,
} from './context.ts';
export type { CompileFilterOptions } from './filter.ts';
export { compileFilter } from './filter.ts';
export type { CompiledList, GetOptions } from './list.ts';
export { getRecord, getRecordsByIds, listJson, listRecords } from './list.ts';
export { decodeCursor, encodeCursor } from './pagination.ts';
export type {
  AggregateFunction,
  AggregateGroup,
  AggregateRequest,
  Filter,
  ListRequest,
  ListResult,
  MoneyAggregate,
  OrderBy,
  RelationSelection,
  Selection,
} from './types.ts';
