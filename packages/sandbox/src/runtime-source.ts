// The code the host runs in every plugin isolate before the plugin's bundle. It holds the two host
// References in its closure (plugin code can reach neither: strict mode hides callers, nothing stores them on
// an object) and builds each call's context. It protects the HOST by construction, not by trusting itself:
// everything it returns is a JSON text the host parses and checks, so a plugin that tampers with its own
// built-ins can only break its own calls.
//
// Contract with the bundle: evaluating it leaves the plugin definition (plugin-sdk `definePlugin`) in
// `globalThis.__touchpointPlugin`; `init` takes it from there and removes the global.
//
// The source is one function expression (so V8 can cache its compiled code across isolates) taking
// bridge: Reference to the host-call bridge `(callId, op, argsJson) => Promise<replyJson>`,
// logSink: Reference to the log sink `(callId, level, message, dataJson) => Promise<JSON of true | refusal>`, and the
// config JSON. It returns `dispatch(op, callId, a, b, payloadJson, nowIso)` → JSON text (init) or a
// promise of one.
export const RUNTIME_SOURCE = `(function touchpointRuntime(bridge, logSink, configJson) {
'use strict';
const config = JSON.parse(configJson);
const G = globalThis;
const parse = JSON.parse;
const stringify = JSON.stringify;
const freeze = Object.freeze;
const keys = Object.keys;
const isArray = Array.isArray;
const apply = Reflect.apply;
const rejected = Promise.reject.bind(Promise);
const DateCtor = Date;
const ErrorCtor = Error;
const StringCtor = String;
const HOOKS = ['beforeCreate', 'beforeUpdate', 'beforeDelete', 'afterCreate', 'afterUpdate', 'afterDelete'];
const CALL_OPTIONS = { __proto__: null, arguments: { __proto__: null, copy: true }, result: { __proto__: null, promise: true, copy: true } };
const LOG_OPTIONS = { __proto__: null, arguments: { __proto__: null, copy: true } };

// Memory outside the V8 heap (wasm) escapes the memory limit; shared memory and Atomics.wait could block
// the isolate's thread without using CPU. A plugin needs none of them.
delete G.WebAssembly;
delete G.SharedArrayBuffer;
delete G.Atomics;

function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const key of keys(value)) deepFreeze(value[key]);
    freeze(value);
  }
  return value;
}
const settings = deepFreeze(config.settings);
const pluginInfo = freeze({ id: config.plugin.id, version: config.plugin.version });
let lastCallId = 0;

function describeError(error) {
  try {
    if (error !== null && typeof error === 'object') {
      return {
        name: StringCtor(error.name === undefined ? 'Error' : error.name),
        message: StringCtor(error.message === undefined ? '' : error.message),
        code: typeof error.code === 'string' ? error.code : undefined,
        stack: typeof error.stack === 'string' ? error.stack.slice(0, 4000) : undefined,
      };
    }
    return { name: 'Error', message: StringCtor(error) };
  } catch {
    return { name: 'Error', message: 'the plugin threw a value that cannot be read' };
  }
}

function finish(reply) {
  let text;
  try {
    text = stringify(reply);
  } catch (error) {
    return stringify({ ok: false, error: { name: 'TypeError', message: 'what the plugin returned is not JSON: ' + describeError(error).message } });
  }
  // Refused here so an oversized result is never copied into the host (the host checks again).
  if (text.length > config.maxResultBytes) return stringify({ ok: false, tooLarge: text.length });
  return text;
}

function hostError(refusal) {
  const error = new ErrorCtor(refusal.message);
  error.name = 'TouchpointHostError';
  error.code = refusal.code;
  if (refusal.issues) error.issues = refusal.issues;
  return error;
}

async function callHost(callId, op, args) {
  const reply = parse(await bridge.apply(undefined, [callId, op, stringify(args)], CALL_OPTIONS));
  if (reply.ok) return reply.value;
  throw hostError(reply.error);
}

// Synchronous (the isolate waits for the host's answer): the host charges the line before the plugin goes on,
// so lines cannot pile up unpaid.
function log(callId, level, message, data) {
  let json;
  try {
    json = data === undefined ? undefined : stringify(data);
  } catch {
    json = '"[not JSON]"';
  }
  const reply = parse(logSink.applySyncPromise(undefined, [callId, level, StringCtor(message), json], LOG_OPTIONS));
  if (reply !== true) throw hostError(reply);
}

function makeHost(callId, nowIso) {
  // Host calls started without awaiting could pile up tasks on the host faster than it refuses them:
  // past the budget (plus one, so the host sees the budget broken) they are refused here.
  let started = 0;
  const records = (op, args) => {
    if (++started > config.maxHostCalls + 1) {
      return rejected(hostError({ code: 'LIMIT_EXCEEDED', message: 'the budget of host API calls is spent' }));
    }
    return callHost(callId, op, args);
  };
  return freeze({
    records: freeze({
      get: (entity, id, options) => records('records.get', [entity, id, options === undefined ? {} : options]),
      list: (entity, options) => records('records.list', [entity, options === undefined ? {} : options]),
      create: (entity, values) => records('records.create', [entity, values]),
      update: (entity, id, values) => records('records.update', [entity, id, values]),
    }),
    log: freeze({
      info: (message, data) => log(callId, 'info', message, data),
      warn: (message, data) => log(callId, 'warn', message, data),
      error: (message, data) => log(callId, 'error', message, data),
    }),
    now: () => new DateCtor(nowIso),
    settings,
  });
}

// console.* goes to the plugin log, charged to the call that started last.
G.console = freeze({
  log: (...args) => log(lastCallId, 'info', args.map((a) => StringCtor(a)).join(' ')),
  info: (...args) => log(lastCallId, 'info', args.map((a) => StringCtor(a)).join(' ')),
  debug: (...args) => log(lastCallId, 'info', args.map((a) => StringCtor(a)).join(' ')),
  warn: (...args) => log(lastCallId, 'warn', args.map((a) => StringCtor(a)).join(' ')),
  error: (...args) => log(lastCallId, 'error', args.map((a) => StringCtor(a)).join(' ')),
});

let hookTable = null;
let actionTable = null;

function init() {
  const plugin = G.__touchpointPlugin;
  // The bundle's top-level 'var' cannot be deleted; emptying it is enough.
  if (!Reflect.deleteProperty(G, '__touchpointPlugin')) G.__touchpointPlugin = undefined;
  if (!Reflect.deleteProperty(G, '__touchpointExports')) G.__touchpointExports = undefined;
  if (plugin === null || typeof plugin !== 'object' || plugin.kind !== 'touchpoint.plugin') {
    return stringify({ ok: false, error: { name: 'Error', message: 'the bundle defines no plugin: its entry must "export default definePlugin({...})" from @touchpoint/plugin-sdk' } });
  }
  hookTable = { __proto__: null };
  actionTable = { __proto__: null };
  const hooks = {};
  const actions = {};
  for (const entity of keys(plugin.hooks || {})) {
    const target = plugin.hooks[entity];
    hooks[entity] = [];
    for (const name of HOOKS) {
      if (typeof target[name] === 'function') {
        hookTable[entity + ':' + name] = { target, fn: target[name] };
        hooks[entity].push(name);
      }
    }
  }
  for (const name of keys(plugin.actions || {})) {
    const action = plugin.actions[name];
    actionTable[name] = { target: action, fn: action.run, entity: action.entity };
    actions[name] = { entity: action.entity, input: action.input, labels: action.labels, description: action.description };
  }
  return finish({ ok: true, descriptor: { hooks, actions } });
}

function normalizeRejection(errors) {
  if (typeof errors === 'string') return { message: errors };
  const fields = {};
  if (errors !== null && typeof errors === 'object') {
    for (const key of keys(errors)) fields[key] = StringCtor(errors[key]);
  }
  return { fields };
}

async function run(entry, ctxBase, callId, payload, nowIso, canReject) {
  let rejection = null;
  const reject = (errors) => {
    rejection = normalizeRejection(errors);
    throw new ErrorCtor('rejected');
  };
  const ctx = { plugin: pluginInfo, workspace: config.workspace, actor: payload.actor, host: makeHost(callId, nowIso), ...ctxBase, ...(canReject ? { reject } : {}) };
  let result;
  try {
    result = await apply(entry.fn, entry.target, [ctx]);
  } catch (error) {
    if (rejection === null) return { reply: { ok: false, error: describeError(error) } };
  }
  if (rejection !== null) return { reply: { ok: false, rejected: rejection } };
  return { reply: null, ctx, result };
}

async function runHook(callId, entity, hook, payloadJson, nowIso) {
  const entry = hookTable[entity + ':' + hook];
  if (entry === undefined) return finish({ ok: true, skipped: true });
  const payload = parse(payloadJson);
  const base = { entity, hook, id: payload.id };
  if (hook === 'beforeCreate' || hook === 'beforeUpdate') base.values = payload.values;
  if (hook.startsWith('after')) {
    base.version = payload.version;
    base.changed = payload.changed;
    base.at = payload.at;
  }
  const outcome = await run(entry, base, callId, payload, nowIso, hook.startsWith('before'));
  if (outcome.reply !== null) return finish(outcome.reply);
  return finish(base.values === undefined ? { ok: true } : { ok: true, values: outcome.ctx.values });
}

async function runAction(callId, name, payloadJson, nowIso) {
  const entry = actionTable[name];
  if (entry === undefined) return finish({ ok: false, error: { name: 'Error', message: 'the plugin has no action ' + name } });
  const payload = parse(payloadJson);
  const base = { entity: entry.entity, action: name, id: payload.id, record: payload.record === undefined ? null : payload.record, input: payload.input };
  const outcome = await run(entry, base, callId, payload, nowIso, true);
  if (outcome.reply !== null) return finish(outcome.reply);
  return finish({ ok: true, result: outcome.result === undefined ? null : outcome.result });
}

return function dispatch(op, callId, a, b, payloadJson, nowIso) {
  lastCallId = callId;
  if (op === 'hook') return runHook(callId, a, b, payloadJson, nowIso);
  if (op === 'action') return runAction(callId, a, payloadJson, nowIso);
  if (op === 'init') return init();
  return stringify({ ok: false, error: { name: 'Error', message: 'unknown operation' } });
};
})`;
