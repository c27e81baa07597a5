// The shape of metadata changes as they arrive (JSON from the API, YAML from the CLI): every problem of
// every change at once, each with its path, before anything is applied — a string where an object
// belongs is a VALIDATION_FAILED naming it, never a TypeError. What a change means (does the entity
// exist, is the result valid metadata) is checked after, by applyChanges and validateMetadata.
import {
  describeValue as describe,
  ENTITY_KEYS,
  FIELD_COMMON_KEYS,
  fieldOptionKeys,
  type Issue,
  isRecord,
  NUL_MESSAGE,
  nulTextPaths,
  validateEntity,
  validateEntitySharing,
  validateFieldDefinition,
  validateRole,
  validateSharingRule,
  validationFailed,
} from '@touchpoint/schema';
import { CHANGE_OPS, type MetadataChange } from './changes.ts';
import { ROLE_OPTIONAL_KEYS, ROLE_PATCH_KEYS, RULE_PATCH_KEYS } from './permission-changes.ts';

type Raw = Record<string, unknown>;

/** Most positions an added field may name (an entity has far fewer fields; past its end means last). */
export const MAX_FIELD_POSITION = 1000;

/** The keys each change may carry besides `op` (ids are filled in when a change is stored). */
const CHANGE_KEYS: Record<(typeof CHANGE_OPS)[number], readonly string[]> = {
  createEntity: ['entity'],
  updateEntity: ['entity', 'entityId', 'patch'],
  removeEntity: ['entity', 'entityId'],
  addField: ['entity', 'entityId', 'field', 'position'],
  updateField: ['entity', 'entityId', 'field', 'fieldId', 'patch'],
  removeField: ['entity', 'entityId', 'field', 'fieldId'],
  restoreField: ['archiveId'],
  restoreEntity: ['archiveId'],
  purgeArchive: ['archiveId'],
  createRole: ['role'],
  updateRole: ['role', 'roleId', 'patch'],
  removeRole: ['role', 'roleId'],
  setEntitySharing: ['entity', 'sharing'],
  addSharingRule: ['rule'],
  updateSharingRule: ['rule', 'ruleId', 'patch'],
  removeSharingRule: ['rule', 'ruleId'],
};

const STAND_IN_LABELS = { en: 'x', 'zh-CN': 'x' };

/**
 * The problems of a role or rule patch's values: the patch laid over a valid stand-in and checked whole, only
 * the issues of patched keys kept. `null` takes an optional key out.
 */
function checkPermissionPatch(
  issues: Issue[],
  path: string,
  patch: Raw,
  optional: readonly string[],
  validate: (value: Raw, at: string) => Issue[],
  standIn: Raw,
): void {
  const laid: Raw = { ...standIn };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (!optional.includes(key)) {
        issues.push({ path: `${path}.${key}`, message: `"${key}" cannot be taken out (null); give it a value` });
      }
      delete laid[key];
    } else laid[key] = value;
  }
  for (const issue of validate(laid, path)) {
    const key = issue.path.slice(path.length + 1).split(/[.[]/)[0] ?? '';
    if (key in patch) issues.push(issue);
  }
}

/** What a patch may change: an entity's keys but its id, source and fields; a field's keys but id and source. */
export const ENTITY_PATCH_KEYS: readonly string[] = ENTITY_KEYS.filter((k) => !['id', 'source', 'fields'].includes(k));
const fieldPatchKeys = () => [...FIELD_COMMON_KEYS, ...fieldOptionKeys()].filter((k) => k !== 'id' && k !== 'source');

/**
 * `fields` written as in YAML, a mapping from field name to definition, becomes the list (in the mapping's
 * order, the key as the name). A definition whose own `name` differs from its key is refused: which
 * name was meant is ambiguous.
 */
export function fieldsMappingAsList(entity: Raw, path: string, issues: Issue[]): void {
  const fields = entity.fields;
  if (!isRecord(fields)) return;
  entity.fields = Object.entries(fields).map(([name, definition]) => {
    if (definition === null || definition === undefined) return { name };
    if (!isRecord(definition)) return definition;
    if (definition.name !== undefined && definition.name !== name) {
      issues.push({
        path: `${path}.fields.${name}.name`,
        message: `the field is listed under "${name}" but its name says ${describe(definition.name)}; leave name out in a mapping`,
      });
    }
    return { ...definition, name };
  });
}

function checkPatch(issues: Issue[], path: string, patch: unknown, allowed: readonly string[], what: string): void {
  if (!isRecord(patch)) {
    issues.push({
      path,
      message: `the patch must be a mapping of the keys of ${what} to new values, got ${describe(patch)}`,
    });
    return;
  }
  for (const key of Object.keys(patch)) {
    if (!allowed.includes(key)) {
      issues.push({
        path: `${path}.${key}`,
        message: `"${key}" cannot be patched on ${what}; allowed: ${allowed.join(', ')}`,
        allowed,
      });
    }
  }
}

function checkName(issues: Issue[], path: string, value: unknown, what: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value === '') {
    issues.push({ path, message: `${what} must be a name (a text), got ${describe(value)}` });
  }
}

/** Checks one change, adding its problems (paths under `path`). The change may be modified: see fieldsMappingAsList. */
export function checkChangeShape(issues: Issue[], path: string, change: unknown): void {
  if (!isRecord(change)) {
    issues.push({
      path,
      message: `a change must be a mapping with an "op", got ${describe(change)}`,
      allowed: CHANGE_OPS,
    });
    return;
  }
  const op = change.op;
  if (typeof op !== 'string' || !(CHANGE_OPS as readonly string[]).includes(op)) {
    issues.push({
      path: `${path}.op`,
      message: `op must be one of ${CHANGE_OPS.join(', ')}, got ${describe(op)}`,
      allowed: CHANGE_OPS,
    });
    return;
  }
  const nul = nulTextPaths(change, path);
  if (nul.length > 0) {
    for (const where of nul) issues.push({ path: where, message: NUL_MESSAGE });
    return;
  }
  const keys = CHANGE_KEYS[op as (typeof CHANGE_OPS)[number]];
  for (const key of Object.keys(change)) {
    if (key !== 'op' && !keys.includes(key)) {
      issues.push({
        path: `${path}.${key}`,
        message: `unknown key "${key}" in a ${op} change; allowed: op, ${keys.join(', ')}`,
        allowed: ['op', ...keys],
      });
    }
  }
  if (keys.includes('entityId')) checkName(issues, `${path}.entityId`, change.entityId, 'entityId', false);
  if (keys.includes('fieldId')) checkName(issues, `${path}.fieldId`, change.fieldId, 'fieldId', false);
  if (keys.includes('roleId')) checkName(issues, `${path}.roleId`, change.roleId, 'roleId', false);
  if (keys.includes('ruleId')) checkName(issues, `${path}.ruleId`, change.ruleId, 'ruleId', false);
  switch (op) {
    case 'createRole':
      issues.push(...validateRole(change.role, `${path}.role`));
      return;
    case 'updateRole':
      checkName(issues, `${path}.role`, change.role, 'the role', true);
      checkPatch(issues, `${path}.patch`, change.patch, ROLE_PATCH_KEYS, 'a role');
      if (isRecord(change.patch)) {
        checkPermissionPatch(issues, `${path}.patch`, change.patch, ROLE_OPTIONAL_KEYS, validateRole, {
          name: 'standIn',
          labels: STAND_IN_LABELS,
          objects: {},
        });
      }
      return;
    case 'removeRole':
      checkName(issues, `${path}.role`, change.role, 'the role', true);
      return;
    case 'setEntitySharing':
      checkName(issues, `${path}.entity`, change.entity, 'the entity', true);
      issues.push(...validateEntitySharing(change.sharing, `${path}.sharing`));
      return;
    case 'addSharingRule':
      issues.push(...validateSharingRule(change.rule, `${path}.rule`));
      return;
    case 'updateSharingRule':
      checkName(issues, `${path}.rule`, change.rule, 'the rule', true);
      checkPatch(issues, `${path}.patch`, change.patch, RULE_PATCH_KEYS, 'a sharing rule');
      if (isRecord(change.patch)) {
        checkPermissionPatch(issues, `${path}.patch`, change.patch, [], validateSharingRule, {
          name: 'standIn',
          labels: STAND_IN_LABELS,
          entity: 'standIn',
          condition: { standIn: { eq: 1 } },
          role: 'standIn',
          access: 'read',
        });
      }
      return;
    case 'removeSharingRule':
      checkName(issues, `${path}.rule`, change.rule, 'the rule', true);
      return;
    case 'createEntity': {
      const entity = change.entity;
      if (!isRecord(entity)) {
        issues.push({
          path: `${path}.entity`,
          message: `the entity must be a definition (a mapping), got ${describe(entity)}`,
        });
        return;
      }
      const before = issues.length;
      fieldsMappingAsList(entity, `${path}.entity`, issues);
      if (issues.length === before) issues.push(...validateEntity(entity, `${path}.entity`));
      return;
    }
    case 'addField': {
      checkName(issues, `${path}.entity`, change.entity, 'the entity', true);
      if (!isRecord(change.field)) {
        issues.push({
          path: `${path}.field`,
          message: `the field must be a definition (a mapping), got ${describe(change.field)}`,
        });
      } else issues.push(...validateFieldDefinition(change.field, `${path}.field`));
      const position = change.position;
      if (
        position !== undefined &&
        position !== null &&
        (typeof position !== 'number' || !Number.isInteger(position) || position < 0 || position > MAX_FIELD_POSITION)
      ) {
        issues.push({
          path: `${path}.position`,
          message: `position must be a whole number from 0 to ${MAX_FIELD_POSITION} (past the last field means last), got ${describe(position)}`,
        });
      }
      return;
    }
    case 'updateEntity':
      checkName(issues, `${path}.entity`, change.entity, 'the entity', true);
      checkPatch(issues, `${path}.patch`, change.patch, ENTITY_PATCH_KEYS, 'an entity');
      return;
    case 'updateField':
      checkName(issues, `${path}.entity`, change.entity, 'the entity', true);
      checkName(issues, `${path}.field`, change.field, 'the field', true);
      checkPatch(issues, `${path}.patch`, change.patch, fieldPatchKeys(), 'a field');
      return;
    case 'removeEntity':
      checkName(issues, `${path}.entity`, change.entity, 'the entity', true);
      return;
    case 'removeField':
      checkName(issues, `${path}.entity`, change.entity, 'the entity', true);
      checkName(issues, `${path}.field`, change.field, 'the field', true);
      return;
    default: {
      const id = change.archiveId;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) {
        issues.push({
          path: `${path}.archiveId`,
          message: `archiveId must be the id of an archive (a whole number from 1), got ${describe(id)}`,
        });
      }
    }
  }
}

/**
 * Checks a list of changes as they arrived; throws VALIDATION_FAILED with every problem of every change.
 * `pathOf(i)` names change i in the issues (default `changes[i]`).
 */
export function checkChanges(
  changes: unknown,
  pathOf: (index: number) => string = (i) => `changes[${i}]`,
): asserts changes is MetadataChange[] {
  if (!Array.isArray(changes)) {
    throw validationFailed('The metadata change is not valid:', [
      { path: 'changes', message: `changes must be a list of changes, got ${describe(changes)}` },
    ]);
  }
  const issues: Issue[] = [];
  changes.forEach((change, i) => {
    checkChangeShape(issues, pathOf(i), change);
  });
  if (issues.length > 0) throw validationFailed('The metadata change is not valid:', issues);
}
