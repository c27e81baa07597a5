// Host calls from plugin code. Each one is charged to the request's budget, checked against the grants
// (entity and operation) and its arguments type-checked — all here, on the host side, where the plugin
// cannot interfere — before the caller's host function runs. Replies are JSON texts; nothing is thrown
// across the boundary.
import { isTouchpointError, type TouchpointError } from '@touchpoint/schema';
import { describeGrants } from './grants.ts';
import type { HostCallGate, Invocation, Slot } from './host-calls.ts';
import { limitExceeded } from './limits.ts';
import type { HostApi, HostCall, JsonObject, ListArgs, PluginLimits, RecordOperation } from './types.ts';

/** One hook or action call in flight. */
export interface CallState {
  id: number;
  /** `account.beforeCreate`, `action registerAssets`. */
  where: string;
  call: HostCall;
  budget: { used: number };
  cpuStartNs: bigint;
  hostCalls: number;
  /** Its host calls as the gate tracks them: waiting ones are refused when the call ends. */
  invocation: Invocation;
  /** Set when the host decided the call failed (budget, CPU); wins over whatever the plugin returns. */
  failure?: TouchpointError;
  /** The last host call refused for want of a grant, to name it if the call then fails. */
  refusal?: string;
  /** The last limit a host call ran into (a nested hook's), reported as itself if the plugin passes it on. */
  limit?: TouchpointError;
  /** Ends the call at once with this error (the isolate may still be running). */
  abort(error: TouchpointError): void;
}

export interface BridgeContext {
  plugin: string;
  workspace: string;
  limits: PluginLimits;
  grants: ReadonlyMap<string, ReadonlySet<RecordOperation>>;
  hostApi: HostApi | undefined;
  calls: ReadonlyMap<number, CallState>;
  /** The plugin's share of host calls running at once. */
  gate: HostCallGate;
  /** The budget was spent: fail the call and stop the isolate. */
  onBudgetExceeded(state: CallState, error: TouchpointError): void;
  /** A host call arrived for a call that already ended. */
  onStrayCall(): void;
  onHostError?(error: unknown, call: HostCall, op: string): void;
}

const OPERATIONS: Record<string, { operation: RecordOperation; arity: number }> = {
  'records.get': { operation: 'read', arity: 3 },
  'records.list': { operation: 'read', arity: 2 },
  'records.create': { operation: 'create', arity: 2 },
  'records.update': { operation: 'update', arity: 3 },
};

type Refusal = { code: string; message: string; issues?: unknown };

function fail(code: string, message: string, issues?: unknown): string {
  return JSON.stringify({ ok: false, error: { code, message, ...(issues ? { issues } : {}) } });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ENDED = 'this call has ended: keep no host API object or promise beyond the hook or action that received it';

/** Finds the call and charges one host call to its budget, or says why the call may not go on. */
export function charge(ctx: BridgeContext, callId: number): { state: CallState } | { refused: Refusal; ended?: true } {
  const state = ctx.calls.get(callId);
  if (!state) {
    ctx.onStrayCall();
    return { refused: { code: 'PLUGIN_FAILED', message: ENDED }, ended: true };
  }
  const ended = state.failure ?? state.invocation.ended;
  if (ended) return { refused: { code: ended.code, message: ended.message } };
  state.budget.used++;
  state.hostCalls++;
  if (state.budget.used > ctx.limits.hostCallsPerRequest) {
    const error = limitExceeded(
      ctx.plugin,
      ctx.workspace,
      'hostCallsPerRequest',
      ctx.limits.hostCallsPerRequest,
      state.where,
    );
    ctx.onBudgetExceeded(state, error);
    return { refused: { code: error.code, message: error.message } };
  }
  return { state };
}

/** Answers one `records.*` call from the isolate with a JSON reply text. */
export async function handleHostCall(
  ctx: BridgeContext,
  callId: number,
  op: string,
  argsJson: string,
): Promise<string> {
  const charged = charge(ctx, callId);
  if ('refused' in charged) return fail(charged.refused.code, charged.refused.message);
  const { state } = charged;
  const spec = OPERATIONS[op];
  let args: unknown;
  try {
    args = JSON.parse(argsJson);
  } catch {
    args = undefined;
  }
  if (!spec || !Array.isArray(args) || args.length !== spec.arity)
    return fail('BAD_REQUEST', `unknown host call ${op}`);
  const [entity] = args;
  if (typeof entity !== 'string') return fail('BAD_REQUEST', `${op}: the entity must be a name, got ${typeof entity}`);
  if (!ctx.grants.get(entity)?.has(spec.operation)) {
    const message = `plugin ${ctx.plugin} may not ${spec.operation} ${entity} records in workspace ${ctx.workspace}; ${describeGrants(ctx.grants)}`;
    state.refusal = message;
    return fail('FORBIDDEN', message);
  }
  if (!ctx.hostApi) return fail('PLUGIN_FAILED', 'this host offers no record access to plugins');
  const records = ctx.hostApi.records;
  let work: () => Promise<unknown>;
  switch (op) {
    case 'records.get': {
      const [, id, options] = args;
      if (typeof id !== 'string') return fail('BAD_REQUEST', 'records.get: the id must be a text');
      if (!isObject(options)) return fail('BAD_REQUEST', 'records.get: the options must be a mapping');
      work = () => records.get(state.call, entity, id, pickFields(options));
      break;
    }
    case 'records.list': {
      const [, options] = args;
      const problem = listArgsProblem(options);
      if (problem) return fail('BAD_REQUEST', `records.list: ${problem}`);
      work = () => records.list(state.call, entity, options as ListArgs);
      break;
    }
    case 'records.create': {
      const [, values] = args;
      if (!isObject(values)) return fail('BAD_REQUEST', 'records.create: the values must be a mapping of fields');
      work = () => records.create(state.call, entity, values);
      break;
    }
    default: {
      const [, id, values] = args;
      if (typeof id !== 'string') return fail('BAD_REQUEST', 'records.update: the id must be a text');
      if (!isObject(values)) return fail('BAD_REQUEST', 'records.update: the values must be a mapping of fields');
      work = () => records.update(state.call, entity, id, values);
    }
  }
  let slot: Slot;
  try {
    slot = await ctx.gate.acquire(state.invocation, () => {
      const error = limitExceeded(
        ctx.plugin,
        ctx.workspace,
        'hostCallQueue',
        ctx.limits.hostCallQueue,
        state.where,
        `${op} on ${entity} was refused without running: ${ctx.limits.hostCallQueue} host calls of this call were already waiting for one of the plugin's ${ctx.limits.hostCallConcurrency} slots`,
      );
      state.limit = error;
      return error;
    });
  } catch (error) {
    const refusal = error as TouchpointError;
    return fail(refusal.code, refusal.message);
  }
  try {
    // Granted just as the call ended (a slot freed in the same turn): nothing is started for it.
    const ended = state.failure ?? state.invocation.ended;
    if (ended) return fail(ended.code, ended.message);
    const value = await slot.run(work);
    return JSON.stringify({ ok: true, value: value ?? null });
  } catch (error) {
    if (isTouchpointError(error)) {
      if (error.code === 'LIMIT_EXCEEDED') state.limit = error;
      // A grant the host function found missing (an entity its filter reaches) is a refusal like ours.
      if (error.code === 'FORBIDDEN') state.refusal = error.message;
      return fail(error.code, error.message, error.issues.length ? error.issues : undefined);
    }
    ctx.onHostError?.(error, state.call, op);
    return fail('PLUGIN_FAILED', `the host could not complete ${op} (internal error)`);
  } finally {
    slot.release();
  }
}

const LIST_KEYS = ['filter', 'orderBy', 'first', 'after', 'fields'];

/** The list options are passed on to the record service, so their types are checked here. */
function listArgsProblem(options: unknown): string | undefined {
  if (!isObject(options)) return 'the options must be a mapping';
  const unknown = Object.keys(options).find((k) => !LIST_KEYS.includes(k));
  if (unknown) return `unknown option "${unknown}"; the options are ${LIST_KEYS.join(', ')}`;
  const { filter, orderBy, first, after, fields } = options;
  if (filter !== undefined && !isObject(filter)) return 'filter must be a mapping';
  if (first !== undefined && !(Number.isInteger(first) && (first as number) >= 0))
    return 'first must be a whole number';
  if (after !== undefined && typeof after !== 'string')
    return 'after must be a cursor (endCursor of the previous page)';
  if (fields !== undefined && !(Array.isArray(fields) && fields.every((f) => typeof f === 'string'))) {
    return 'fields must be a list of field names';
  }
  const orders = orderBy ?? [];
  const validOrder = (o: unknown) =>
    isObject(o) && typeof o.field === 'string' && (o.direction === 'asc' || o.direction === 'desc');
  if (!Array.isArray(orders) || !orders.every(validOrder))
    return 'orderBy must be a list of { field, direction: asc | desc }';
  return undefined;
}

function pickFields(options: JsonObject): { fields?: string[] } {
  const fields = options.fields;
  return Array.isArray(fields) && fields.every((f) => typeof f === 'string') ? { fields: fields as string[] } : {};
}

export const MAX_LOG_MESSAGE = 2_000;
export const MAX_LOG_DATA = 8_000;

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  data?: unknown;
}

/**
 * A plugin log line, charged like a host call. The isolate waits for this answer (a synchronous call), so
 * a flood of lines is paced by the host and charged before the plugin goes on. Lines of calls that ended
 * (or of code running outside any call) are dropped without failing.
 */
export function handleLog(
  ctx: BridgeContext,
  callId: number,
  level: string,
  message: string,
  dataJson: string | undefined,
): { line?: LogLine; reply: true | Refusal } {
  const charged = charge(ctx, callId);
  if ('refused' in charged) return { reply: charged.ended ? true : charged.refused };
  const text = String(message);
  const line: LogLine = {
    level: level === 'warn' || level === 'error' ? level : 'info',
    message: text.length > MAX_LOG_MESSAGE ? `${text.slice(0, MAX_LOG_MESSAGE)}… (cut)` : text,
  };
  if (typeof dataJson === 'string' && dataJson.length <= MAX_LOG_DATA) {
    try {
      line.data = JSON.parse(dataJson);
    } catch {
      // Not JSON after all: the line is kept without its data.
    }
  }
  return { line, reply: true };
}
