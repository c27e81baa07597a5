export type {
  AutonumberOptions,
  EntityDefinition,
  FieldDefinition,
  FieldTypeName,
  FormSection,
  FormulaOptions,
  FormulaResultType,
  IndexDefinition,
  Labels,
  Language,
  MetadataSnapshot,
  RelationKind,
  RelationOptions,
  RollupFunction,
  RollupOptions,
  SelectOption,
  SortDefinition,
  ViewDefinitions,
} from './types.ts';
export { LANGUAGES } from './types.ts';
export type { ErrorCode, Issue } from './errors.ts';
export { IssueCollector, isTouchpointError, TouchpointError, validationFailed } from './errors.ts';
export type { CheckResult, ColumnSpec, FieldType, FilterFamily, GraphQLShape } from './field-types.ts';
export {
  DEFAULT_LONG_TEXT_MAX_LENGTH,
  DEFAULT_TEXT_MAX_LENGTH,
  FILTER_OPERATORS,
  fieldType,
  fieldTypeNames,
  getFieldType,
  isUuid,
  registerFieldType,
} from './field-types.ts';
export {
  API_NAME_PATTERN,
  pascalCase,
  pluralize,
  RESERVED_ENTITY_NAMES,
  RESERVED_ENTITY_SUFFIXES,
  RESERVED_FIELD_NAMES,
  SYSTEM_FIELD_NAMES,
  snakeCase,
} from './naming.ts';
