export type { AuditEntry, AuditRow, Channel, FieldChange } from './audit/audit-log.ts';
export { CHANNELS } from './audit/audit-log.ts';
export type { AuditFilter, AuditPage, FieldHistoryEntry } from './audit/audit-queries.ts';
export { DEFAULT_AUDIT_FIRST, MAX_AUDIT_FIRST, trackedFields } from './audit/audit-queries.ts';
export type { Clock } from './clock.ts';
export { clockStartingAt, systemClock } from './clock.ts';
export { loadCoreEntities, loadCorePermissions } from './core-schemas.ts';
export { announceDataDirServer, DATA_DIR_LOCK_FILE } from './data-dir-lock.ts';
export type { DatabaseOptions, Sql } from './db.ts';
export {
  countStatements,
  currentStatementCount,
  Database,
  EMBEDDED_CONTENDED_TIMEOUT_MS,
  MAX_REQUEST_READ_CHARS,
  withAbortSignal,
  withStatementCounter,
} from './db.ts';
export type { EngineAudit, EngineOptions, MetadataListener, WorkspaceMetadata } from './engine.ts';
export { DEFAULT_ARCHIVE_RETENTION_DAYS, DEFAULT_WORKSPACE, Engine } from './engine.ts';
export type { RecordEvent, RecordEventHandler, RecordEventType } from './events.ts';
export { RecordEventBus } from './events.ts';
export type { RecordHook, WriteHookArgs } from './hooks.ts';
export { RecordHooks } from './hooks.ts';
export type { ApiTokenInfo, IdentityAudit, Membership, Principal, SessionInfo } from './identity/identity.ts';
export {
  AUDITED_EMAIL_LENGTH,
  attemptedEmail,
  checkPassword,
  FREE_FAILURES,
  Identity,
  MAX_TOKEN_DAYS,
  MIN_PASSWORD_LENGTH,
  normaliseEmail,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
} from './identity/identity.ts';
export type { InvitationInfo, MemberInfo, PeopleActor } from './identity/people.ts';
export { INVITATION_DAYS, People } from './identity/people.ts';
export type { RevocationListener } from './identity/revocations.ts';
export { IDENTITY_NOTIFY_CHANNEL, RevocationWatch } from './identity/revocations.ts';
export { archiveRestoresAs } from './metadata/archive-changes.ts';
export { checkChangeShape, checkChanges, ENTITY_PATCH_KEYS, MAX_FIELD_POSITION } from './metadata/change-shape.ts';
export type { EntityPatch, FieldPatch, MetadataChange } from './metadata/changes.ts';
export { applyChanges, CHANGE_OPS } from './metadata/changes.ts';
export type { AdminLayer, MetadataDocument, ParsedEntityLayer } from './metadata/desired-state.ts';
export { adminLayer, describeChange, desiredEntities, planChanges } from './metadata/desired-state.ts';
export type { LayerDocument, LayerExport, WorkspaceLayers } from './metadata/layer-export.ts';
export { exportLayer, layerDocuments, permissionDocuments, workspaceLayers } from './metadata/layer-export.ts';
export type { PluginContribution } from './metadata/layers.ts';
export { effectiveMetadata, mergeLayers } from './metadata/layers.ts';
export type {
  PermissionChange,
  PluginPermissions,
  RolePatch,
  RulePatch,
} from './metadata/permission-changes.ts';
export {
  ADMIN_ROLE,
  mergePermissionLayers,
  PERMISSION_OPS,
  ROLE_PATCH_KEYS,
  RULE_PATCH_KEYS,
} from './metadata/permission-changes.ts';
export type { PermissionDocumentOf, PermissionLayer } from './metadata/permission-desired-state.ts';
export {
  adminPermissionLayer,
  desiredPermissions,
  planPermissionChanges,
} from './metadata/permission-desired-state.ts';
export type { ChangeOptions, ChangeResult, PluginLayerChange } from './metadata/store.ts';
export type { ColumnSlots } from './migration/column-limit.ts';
export { columnSlots, DEFAULT_MAX_TABLE_COLUMNS, POSTGRES_MAX_COLUMNS } from './migration/column-limit.ts';
export type { MigrationPlan, MigrationStep, StepKind } from './migration/plan.ts';
export { planMigration } from './migration/plan.ts';
export type { StepCode, StepMessage, StepParams } from './migration/step-text.ts';
export { describeStep } from './migration/step-text.ts';
export type { PrincipalSets } from './permissions/grants.ts';
export { AccessGrants, isUserActor, SHARE_TABLE } from './permissions/grants.ts';
export { assignedRoles } from './permissions/resolver.ts';
export type { ObjectRights, Rights } from './permissions/rights.ts';
export { ROLE_FROM_USER_ROLE, rightsOf, rolesBelow, rolesFromUserRole } from './permissions/rights.ts';
export type { AccessEntry, AccessReason, RecordShare, SharingActor } from './permissions/shares.ts';
export { Sharing } from './permissions/shares.ts';
export * as physical from './physical.ts';
export type {
  CompiledAggregate,
  CompiledList,
  CompileFilterOptions,
  GetOptions,
  QueryCompilerOptions,
  Statement,
} from './query/index.ts';
export {
  aggregateRecords,
  compileFilter,
  DEFAULT_AGGREGATE_GROUPS,
  DEFAULT_FIRST,
  DEFAULT_NESTED_FIRST,
  decodeCursor,
  encodeCursor,
  getRecord,
  getRecordsByIds,
  listJson,
  listRecords,
  MAX_AGGREGATE_GROUPS,
  MAX_FILTER_DEPTH,
  MAX_FIRST,
  MAX_IN_VALUES,
  QueryCompiler,
} from './query/index.ts';
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
} from './query/types.ts';
export type { RequestContext, WriteResult } from './records/service.ts';
export { MAX_BATCH, RecordService } from './records/service.ts';
export type { RecordTransaction } from './records/transaction.ts';
export { recordTransaction } from './records/transaction.ts';
export type { RequestScope, VisibilityOptions } from './scope.ts';
export { assertReadable, ScopedReader, visibility } from './scope.ts';
export type { ArchiveRow, MetadataVersionRow, StoredStep, WorkspaceRow } from './system-entities.ts';
export type { TestDatabase } from './test-database.ts';
export { createTestDatabase, LOCAL_POSTGRES_URL } from './test-database.ts';
