// One budget for every chain of effects one request sets off. A user's write runs plugin hooks; a hook's
// host call writes a record, which runs hooks again (before-hooks inside the write, after-hooks once it
// committed), and so on — without a bound, one request once produced 13,629 records. The chain travels
// with the request context (`RequestContext.effects`, carried by the engine into the events of its writes,
// and `HostCall.effects` through the sandbox) and is charged for every hook and action a plugin runs:
// depth (how many plugin calls deep this one is nested) and the count of plugin calls of the whole request.
import type { RecordEvent, RequestContext } from '@touchpoint/engine';
import { TouchpointError } from '@touchpoint/schema';

/** The bounds of one request's chain of effects. */
export const EFFECT_LIMITS = Object.freeze({
  /** Plugin hook and action calls nested in one another. */
  maxDepth: 8,
  /** Plugin hook and action calls caused by one originating request, nested or not. */
  maxCalls: 200,
});

/** What one originating request set off, shared by everything it causes. */
export interface EffectRoot {
  /** What started it, as the admin reads it: `tester writing account`, `tester running acme.sync action push`. */
  origin: string;
  calls: number;
  /** The limit broken, once: every later step of the chain is refused with the same error. */
  stopped?: TouchpointError;
}

/** A point in the chain: the plugin calls that led here, outermost first. */
export interface EffectLink {
  root: EffectRoot;
  steps: readonly string[];
}

const links = new WeakSet<object>();

function isLink(value: unknown): value is EffectLink {
  return typeof value === 'object' && value !== null && links.has(value);
}

function link(root: EffectRoot, steps: readonly string[]): EffectLink {
  const made: EffectLink = Object.freeze({ root, steps });
  links.add(made);
  return made;
}

/**
 * The chain a request context belongs to. A context without one starts a chain, and keeps it (the engine
 * carries it into the events of the context's writes, so their after-hooks stay in it).
 */
export function chainOf(context: RequestContext, origin: string): EffectLink {
  if (isLink(context.effects)) return context.effects;
  const started = link({ origin: `${context.actor} ${origin}`, calls: 0 }, []);
  context.effects = started;
  return started;
}

/** The chain of the write an event reports, or a new one (a write made outside any chain). */
export function chainOfEvent(event: RecordEvent): EffectLink {
  if (isLink(event.effects)) return event.effects;
  return link({ origin: `${event.actor} writing ${event.entity}`, calls: 0 }, []);
}

/**
 * Charges one plugin call (`where`: `acme.sync account.afterCreate`) to the chain and returns the link its
 * own writes carry; throws LIMIT_EXCEEDED naming the chain and the limit when it would go too deep or too
 * far. The chain stays stopped: whatever else it tries afterwards is refused the same way.
 */
export function enter(from: EffectLink, where: string): EffectLink {
  const { root } = from;
  if (root.stopped) throw root.stopped;
  const steps = [...from.steps, where];
  root.calls++;
  let broken: string | undefined;
  let limit: keyof typeof EFFECT_LIMITS | undefined;
  if (steps.length > EFFECT_LIMITS.maxDepth) {
    limit = 'maxDepth';
    broken = `nested more than ${EFFECT_LIMITS.maxDepth} plugin calls deep`;
  } else if (root.calls > EFFECT_LIMITS.maxCalls) {
    limit = 'maxCalls';
    broken = `made more than ${EFFECT_LIMITS.maxCalls} plugin calls`;
  }
  if (!limit || !broken) return link(root, steps);
  const shown = steps.length > 4 ? [...steps.slice(0, 2), '…', ...steps.slice(-2)] : steps;
  root.stopped = new TouchpointError(
    'LIMIT_EXCEEDED',
    `The chain of plugin effects started by ${root.origin} ${broken} and was stopped at ${where} (chain: ${shown.join(' → ')}).`,
    { details: { limit, value: EFFECT_LIMITS[limit], origin: root.origin, chain: steps } },
  );
  throw root.stopped;
}
