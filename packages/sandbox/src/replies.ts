// What comes back from the isolate is a JSON text; here it becomes a result or a TouchpointError. Nothing
// in it is trusted: sizes are measured again, shapes checked, `__proto__` keys dropped.
import { type Issue, TouchpointError, validationFailed } from '@touchpoint/schema';
import { limitExceeded, pluginFailed, pluginThrew } from './limits.ts';
import { pluginText } from './plugin-text.ts';
import type { JsonObject, JsonValue } from './types.ts';

export interface ReplyContext {
  plugin: string;
  workspace: string;
  where: string;
  maxResultBytes: number;
  /** A grant refusal the call met, named when the call then fails. */
  refusal?: string;
  /** A limit one of the call's host calls ran into, reported as itself when the plugin passes it on. */
  limit?: TouchpointError;
}

export type Reply =
  | { ok: true; values?: JsonObject; result?: JsonValue; skipped?: boolean }
  | { ok: false; rejected: { fields?: Record<string, string>; message?: string } };

const MAX_REJECTED_FIELDS = 100;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse without `__proto__` keys, so no later `Object.assign` can swap a prototype. */
function parseJson(text: string): unknown {
  return text.includes('"__proto__"')
    ? JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value))
    : JSON.parse(text);
}

export function readReply(raw: unknown, ctx: ReplyContext): Reply {
  if (typeof raw !== 'string')
    throw pluginFailed(ctx.plugin, ctx.workspace, ctx.where, 'the sandbox returned no reply');
  // Each UTF-16 unit is at least one UTF-8 byte, so only long texts need measuring.
  const bytes = raw.length * 3 <= ctx.maxResultBytes ? raw.length : Buffer.byteLength(raw);
  if (bytes > ctx.maxResultBytes) {
    throw limitExceeded(
      ctx.plugin,
      ctx.workspace,
      'maxResultBytes',
      ctx.maxResultBytes,
      ctx.where,
      `it returned ${bytes} bytes`,
    );
  }
  let reply: unknown;
  try {
    reply = parseJson(raw);
  } catch {
    throw pluginFailed(ctx.plugin, ctx.workspace, ctx.where, 'the sandbox returned a reply that is not JSON');
  }
  if (!isObject(reply))
    throw pluginFailed(ctx.plugin, ctx.workspace, ctx.where, 'the sandbox returned a malformed reply');
  if (reply.ok === true) {
    if (reply.values !== undefined && !isObject(reply.values)) {
      throw pluginFailed(ctx.plugin, ctx.workspace, ctx.where, 'ctx.values must stay a mapping of field values');
    }
    return reply as Reply;
  }
  if (typeof reply.tooLarge === 'number') {
    throw limitExceeded(
      ctx.plugin,
      ctx.workspace,
      'maxResultBytes',
      ctx.maxResultBytes,
      ctx.where,
      `it returned ${reply.tooLarge} characters of JSON`,
    );
  }
  if (isObject(reply.rejected)) {
    const { fields, message } = reply.rejected;
    const rejected: { fields?: Record<string, string>; message?: string } = {};
    if (typeof message === 'string') rejected.message = message.slice(0, 1000);
    if (isObject(fields)) {
      rejected.fields = Object.fromEntries(
        Object.entries(fields)
          .slice(0, MAX_REJECTED_FIELDS)
          .map(([k, v]) => [k.slice(0, 200), String(v).slice(0, 1000)]),
      );
    }
    return { ok: false, rejected };
  }
  const error = isObject(reply.error) ? reply.error : {};
  const message = typeof error.message === 'string' && error.message ? error.message.slice(0, 2000) : 'unknown error';
  const name = typeof error.name === 'string' && error.name !== 'Error' ? `${error.name.slice(0, 100)}: ` : '';
  const code = typeof error.code === 'string' ? error.code.slice(0, 100) : undefined;
  // The plugin only passed on a limit or a refusal of ours: say it in our words.
  if (ctx.limit && message.includes(ctx.limit.message)) throw ctx.limit;
  if (ctx.refusal && message.includes(ctx.refusal)) {
    throw pluginFailed(ctx.plugin, ctx.workspace, ctx.where, `a host call was refused: ${ctx.refusal}`);
  }
  throw pluginThrew(ctx.plugin, ctx.workspace, ctx.where, `${name}${message}`, {
    ...(typeof error.stack === 'string' ? { stack: error.stack } : {}),
    ...(ctx.refusal ? { refusal: ctx.refusal } : {}),
    ...(code ? { details: { cause: pluginText(code, 100) } } : {}),
  });
}

/**
 * A refusal through `ctx.reject` as VALIDATION_FAILED. Issue paths are field names for hooks (the record
 * service prefixes them, `input.email`) and `input.<field>` for actions.
 */
export function rejectionError(
  rejected: { fields?: Record<string, string>; message?: string },
  plugin: string,
  subject: string,
  pathPrefix: string,
): TouchpointError {
  // The reasons are the plugin's words: shown, but made harmless and marked as its own.
  const summary = `Plugin ${plugin} refused ${subject}`;
  const issues: Issue[] = Object.entries(rejected.fields ?? {}).map(([field, message]) => ({
    path: pathPrefix ? `${pathPrefix}.${field}` : field,
    message: pluginText(message),
  }));
  if (issues.length > 0) {
    const error = validationFailed(`${summary}:`, issues);
    return new TouchpointError('VALIDATION_FAILED', error.message, { issues, details: { plugin } });
  }
  const reason = pluginText(rejected.message ?? '') || 'no reason given';
  return new TouchpointError('VALIDATION_FAILED', `${summary}. Its own reason, not Touchpoint's: "${reason}"`, {
    details: { plugin, pluginMessage: reason },
  });
}
