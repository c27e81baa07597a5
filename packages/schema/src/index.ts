export type { ErrorCode, Issue } from './errors.ts';
export { IssueCollector, isTouchpointError, TouchpointError, validationFailed } from './errors.ts';
export type { CheckResult, ColumnSpec, ExpressionIndex, FieldType, FilterFamily, GraphQLShape } from './field-types.ts';
export {
  CURRENCY_CODES,
  DEFAULT_LONG_TEXT_MAX_LENGTH,
  DEFAULT_TEXT_MAX_LENGTH,
  FILTER_OPERATORS,
  fieldType,
  fieldTypeNames,
  getFieldType,
  isUuid,
  RELATIVE_DATE_RANGES,
  registerFieldType,
  substringIndexes,
} from './field-types.ts';
export type {
  FieldTypeLookup,
  FormulaAst,
  FormulaBinaryOperator,
  FormulaField,
  FormulaIssue,
  FormulaSpan,
  FormulaValueType,
} from './formula.ts';
export {
  checkFormula,
  compileFormula,
  FORMULA_FUNCTION_NAMES,
  FORMULA_MAX_DEPTH,
  FORMULA_MAX_LENGTH,
  formulaReferences,
  parseFormula,
  quoteText,
} from './formula.ts';
export type { JsonSchema } from './json-schema.ts';
export { entityJsonSchema } from './json-schema.ts';
export {
  MAX_DESCRIPTION_LENGTH,
  MAX_FILTER_TEXT_LENGTH,
  MAX_FORMULA_LENGTH,
  MAX_ID_LENGTH,
  MAX_INPUT_DEPTH,
  MAX_LABEL_LENGTH,
  MAX_NAME_LENGTH,
  MAX_OPTION_VALUE_LENGTH,
  MAX_SELECT_OPTIONS,
  NUL_MESSAGE,
  nestingDepth,
  nulTextPaths,
  tooLong,
} from './limits.ts';
export {
  API_NAME_PATTERN,
  entityRootFieldNames,
  pascalCase,
  pluralize,
  RESERVED_ENTITY_NAMES,
  RESERVED_ENTITY_SUFFIXES,
  RESERVED_FIELD_NAMES,
  RESERVED_OBJECT_NAMES,
  relationInputName,
  SYSTEM_FIELD_NAMES,
  singularize,
  snakeCase,
} from './naming.ts';
export { permissionJsonSchema } from './permission-json-schema.ts';
export { roleToYaml, sharingToYaml } from './permission-print.ts';
export type {
  EntitySharing,
  FieldAccess,
  ObjectAccess,
  ObjectRight,
  PermissionDocument,
  PermissionModel,
  PluginPermissionSet,
  RoleDefinition,
  SharingAccess,
  SharingDefault,
  SharingRule,
  SharingSettings,
  SystemPermission,
} from './permissions.ts';
export {
  ANY_ENTITY,
  checkPermissionReferences,
  EMPTY_PERMISSIONS,
  ENTITY_SHARING_KEYS,
  FIELD_ACCESS_LEVELS,
  OBJECT_RIGHTS,
  PERMISSION_NAME_PATTERN,
  RESERVED_PERMISSION_NAMES,
  ROLE_KEYS,
  readPermissionDocuments,
  readPluginPermissionDocuments,
  SHARING_ACCESS,
  SHARING_DEFAULTS,
  SHARING_RULE_KEYS,
  SYSTEM_PERMISSIONS,
  validateEntitySharing,
  validatePermissionModel,
  validateRole,
  validateSharingRule,
} from './permissions.ts';
export { phoneDigits, phoneDigitsSql, phoneKey, phoneKeySql } from './phone.ts';
export {
  TEXT_BIGRAMS_FUNCTION,
  TRIGRAM_MIN_LENGTH,
  textBigrams,
  textBigramsSql,
} from './text-search.ts';
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
export type { ValidateMetadataOptions } from './validate.ts';
export { normalizeEntity, validateEntity, validateFieldDefinition, validateMetadata } from './validate.ts';
export { ENTITY_KEYS } from './validate-entity.ts';
export { FIELD_COMMON_KEYS, fieldOptionKeys } from './validate-field.ts';
export { formulaValueTypeOf } from './validate-field-options.ts';
export { describeValue, isRecord } from './validate-shape.ts';
export type { EntityFile, EntityLayer, EntityToYamlOptions, ParsedEntityFile } from './yaml.ts';
export { entityLayerToYaml, entityToYaml, parseEntityFile, parseEntityFiles, parsePermissionFiles } from './yaml.ts';
