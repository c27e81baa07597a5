// The descriptor comes out of the plugin's own isolate, so the host re-checks all of it before anything
// (hook registration, GraphQL generation) relies on it. The input-spec check mirrors plugin-sdk's
// validateInputSpec, which the sandbox may not import; both accept the same language.
import { API_NAME_PATTERN, type Issue } from '@touchpoint/schema';
import { HOOK_NAMES, type HookName, type JsonObject, type PluginDescriptor } from './types.ts';

const SPEC_KEYS: Record<string, readonly string[]> = {
  string: ['minLength', 'maxLength', 'enum'],
  number: ['minimum', 'maximum'],
  integer: ['minimum', 'maximum'],
  boolean: [],
  id: [],
  date: [],
  datetime: [],
  list: ['items', 'minItems', 'maxItems'],
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFieldSpec(spec: unknown, path: string, issues: Issue[], inList: boolean): void {
  if (
    !isObject(spec) ||
    typeof spec.type !== 'string' ||
    !(spec.type in SPEC_KEYS) ||
    (inList && spec.type === 'list')
  ) {
    const allowed = Object.keys(SPEC_KEYS).filter((t) => !inList || t !== 'list');
    issues.push({ path: `${path}.type`, message: 'is not an input type', allowed });
    return;
  }
  const allowed = ['type', 'required', 'description', ...SPEC_KEYS[spec.type]!];
  for (const [key, value] of Object.entries(spec)) {
    if (!allowed.includes(key))
      issues.push({ path: `${path}.${key}`, message: `not a setting of ${spec.type}`, allowed });
    else if (key === 'required' && typeof value !== 'boolean')
      issues.push({ path: `${path}.${key}`, message: 'must be true or false' });
    else if (key === 'description' && typeof value !== 'string')
      issues.push({ path: `${path}.${key}`, message: 'must be a text' });
    else if (/^(min|max)/.test(key) && !(typeof value === 'number' && Number.isFinite(value))) {
      issues.push({ path: `${path}.${key}`, message: 'must be a number' });
    } else if (
      key === 'enum' &&
      !(
        Array.isArray(value) &&
        value.length > 0 &&
        value.every((v) => typeof v === 'string' && API_NAME_PATTERN.test(v))
      )
    ) {
      issues.push({
        path: `${path}.enum`,
        message: 'must be a non-empty list of names (they become GraphQL enum values)',
      });
    }
  }
  if (spec.type === 'list') checkFieldSpec(spec.items, `${path}.items`, issues, true);
}

export function checkInputSpec(spec: unknown, path: string, issues: Issue[]): void {
  if (!isObject(spec)) {
    issues.push({ path, message: 'must be a mapping from input field name to field spec' });
    return;
  }
  for (const [name, field] of Object.entries(spec)) {
    if (!API_NAME_PATTERN.test(name))
      issues.push({ path: `${path}.${name}`, message: 'is not a valid input field name' });
    checkFieldSpec(field, `${path}.${name}`, issues, false);
  }
}

/** Parses and checks what the isolate's `init` returned; issues name what is wrong. */
export function parseDescriptor(
  raw: unknown,
  plugin: { id: string; version: string },
): { descriptor?: PluginDescriptor; issues: Issue[] } {
  const issues: Issue[] = [];
  if (!isObject(raw) || !isObject(raw.hooks) || !isObject(raw.actions)) {
    return { issues: [{ path: '', message: 'the plugin did not describe its hooks and actions' }] };
  }
  const hooks: Record<string, HookName[]> = {};
  for (const [entity, names] of Object.entries(raw.hooks)) {
    if (!API_NAME_PATTERN.test(entity)) issues.push({ path: `hooks.${entity}`, message: 'is not an entity name' });
    if (!Array.isArray(names) || !names.every((n) => (HOOK_NAMES as readonly unknown[]).includes(n))) {
      issues.push({ path: `hooks.${entity}`, message: 'names an unknown hook', allowed: HOOK_NAMES });
      continue;
    }
    hooks[entity] = names as HookName[];
  }
  const actions: PluginDescriptor['actions'] = {};
  for (const [name, action] of Object.entries(raw.actions)) {
    const path = `actions.${name}`;
    if (!API_NAME_PATTERN.test(name)) issues.push({ path, message: 'is not a valid action name' });
    if (!isObject(action) || typeof action.entity !== 'string' || !API_NAME_PATTERN.test(action.entity)) {
      issues.push({ path: `${path}.entity`, message: 'must name the entity the action runs on' });
      continue;
    }
    checkInputSpec(action.input, `${path}.input`, issues);
    const labels = action.labels;
    if (labels !== undefined && !(isObject(labels) && typeof labels.en === 'string')) {
      issues.push({ path: `${path}.labels`, message: 'must be { en, zh-CN? }' });
    }
    if (action.description !== undefined && typeof action.description !== 'string') {
      issues.push({ path: `${path}.description`, message: 'must be a text' });
    }
    actions[name] = {
      entity: action.entity,
      input: action.input as JsonObject,
      ...(labels === undefined ? {} : { labels: labels as { en: string } }),
      ...(typeof action.description === 'string' ? { description: action.description } : {}),
    };
  }
  if (issues.length > 0) return { issues };
  return { descriptor: { plugin: plugin.id, version: plugin.version, hooks, actions }, issues };
}
