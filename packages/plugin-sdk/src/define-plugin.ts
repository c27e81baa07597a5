// `definePlugin` is the one thing a plugin's entry module calls. It checks the definition where the author
// will see the message (in their tests, and when the host loads the bundle), and wraps each action so its
// input is validated against the action's spec before `run` sees it.
import { type InputSpec, validateInput, validateInputSpec } from './input-spec.ts';
import type { ActionDefinition, EntityHooks, TouchpointPlugin } from './types.ts';
import { HOOK_NAMES } from './types.ts';

export interface PluginDefinition {
  /** Entity name → hooks on its records. */
  hooks?: { readonly [entity: string]: EntityHooks };
  /** Action name → action; wrap each in `defineAction` to have its input typed from its spec. */
  actions?: { readonly [name: string]: ActionDefinition };
}

const NAME = /^[a-z][a-zA-Z0-9]{0,39}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problems(definition: PluginDefinition): string[] {
  const found: string[] = [];
  const { hooks = {}, actions = {} } = definition;
  if (!isObject(hooks)) found.push('hooks: must map entity names to hooks');
  else {
    for (const [entity, entityHooks] of Object.entries(hooks)) {
      if (!NAME.test(entity)) found.push(`hooks.${entity}: is not an entity name`);
      if (!isObject(entityHooks)) {
        found.push(`hooks.${entity}: must be a mapping of hook names to functions`);
        continue;
      }
      for (const [name, fn] of Object.entries(entityHooks)) {
        if (!(HOOK_NAMES as readonly string[]).includes(name)) {
          found.push(`hooks.${entity}.${name}: unknown hook; hooks are ${HOOK_NAMES.join(', ')}`);
        } else if (typeof fn !== 'function') found.push(`hooks.${entity}.${name}: must be a function`);
      }
    }
  }
  if (!isObject(actions)) found.push('actions: must map action names to actions');
  else {
    for (const [name, action] of Object.entries(actions)) {
      const at = `actions.${name}`;
      if (!NAME.test(name)) found.push(`${at}: action names start with a lowercase letter, then letters and digits`);
      if (!isObject(action)) {
        found.push(`${at}: must be { entity, input, run }`);
        continue;
      }
      if (typeof action.entity !== 'string' || !NAME.test(action.entity))
        found.push(`${at}.entity: must be an entity name`);
      if (typeof action.run !== 'function') found.push(`${at}.run: must be a function`);
      for (const issue of validateInputSpec(action.input, `${at}.input`)) found.push(`${issue.path}: ${issue.message}`);
    }
  }
  return found;
}

function withInputValidation(action: ActionDefinition): ActionDefinition {
  return {
    ...action,
    run(ctx) {
      const issues = validateInput(action.input, ctx.input, 'input');
      if (issues.length > 0) {
        const whole = issues.find((i) => i.path === 'input');
        if (whole) ctx.reject(whole.message);
        ctx.reject(Object.fromEntries(issues.map((i) => [i.path.slice('input.'.length), i.message])));
      }
      return action.run.call(action, ctx);
    },
  };
}

/**
 * Declares an action with its input typed from its spec:
 * `defineAction({ entity: 'account', input: { count: { type: 'integer', required: true } }, run(ctx) { ctx.input.count … } })`.
 * (TypeScript cannot infer the spec literally inside `definePlugin`'s object; a call per action can.)
 */
export function defineAction<const S extends InputSpec>(action: ActionDefinition<S>): ActionDefinition {
  return action as unknown as ActionDefinition;
}

/**
 * Declares a plugin: `export default definePlugin({ hooks: { account: { beforeCreate(ctx) { … } } } })`.
 * Throws, listing every problem, when the definition is malformed.
 */
export function definePlugin(definition: PluginDefinition): TouchpointPlugin {
  const found = problems(definition);
  if (found.length > 0) throw new TypeError(`The plugin definition is not valid:\n  - ${found.join('\n  - ')}`);
  const actions: Record<string, ActionDefinition> = {};
  for (const [name, action] of Object.entries(definition.actions ?? {})) {
    actions[name] = withInputValidation(action);
  }
  return Object.freeze({ kind: 'touchpoint.plugin', apiVersion: 1, hooks: { ...definition.hooks }, actions });
}
