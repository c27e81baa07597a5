// Limits per plugin per workspace: defaults a host can override, and a plugin's own values on top.
import { type Issue, TouchpointError, validationFailed } from '@touchpoint/schema';
import { pluginText } from './plugin-text.ts';
import type { PluginLimits } from './types.ts';

export const DEFAULT_LIMITS: Readonly<PluginLimits> = Object.freeze({
  memoryMb: 64,
  cpuTimeMs: 100,
  wallTimeMs: 5_000,
  maxResultBytes: 1_000_000,
  hostCallsPerRequest: 1_000,
  hostCallConcurrency: 4,
  hostCallQueue: 1_000,
  startupTimeMs: 1_000,
  idleMs: 300_000,
  maxConsecutiveFailures: 5,
});

/**
 * The range each limit accepts — the one place plugin limits are bounded, whoever sets them (the host's
 * defaults, an admin at install or upgrade). Minimums: isolated-vm refuses isolates under 8 MB. Maximums:
 * what one plugin call may take of a shared server — beyond them a single plugin could hold a core, the
 * heap or a database connection for long enough to starve everybody else.
 */
export const LIMIT_RANGES: Readonly<Record<keyof PluginLimits, { min: number; max: number; unit: string }>> =
  Object.freeze({
    memoryMb: { min: 8, max: 512, unit: 'MB' },
    cpuTimeMs: { min: 1, max: 10_000, unit: 'ms' },
    wallTimeMs: { min: 1, max: 60_000, unit: 'ms' },
    maxResultBytes: { min: 64, max: 16_000_000, unit: 'bytes' },
    hostCallsPerRequest: { min: 0, max: 10_000, unit: 'calls' },
    hostCallConcurrency: { min: 1, max: 16, unit: 'calls' },
    hostCallQueue: { min: 0, max: 10_000, unit: 'calls' },
    startupTimeMs: { min: 1, max: 10_000, unit: 'ms' },
    idleMs: { min: 1, max: 86_400_000, unit: 'ms' },
    maxConsecutiveFailures: { min: 1, max: 1_000, unit: 'failures' },
  });

/** How each limit is named in messages. */
export const LIMIT_DESCRIPTIONS: Readonly<Record<keyof PluginLimits, string>> = {
  memoryMb: 'memory limit of {value} MB',
  cpuTimeMs: 'CPU time limit of {value} ms per call',
  wallTimeMs: 'wall-clock limit of {value} ms per call',
  maxResultBytes: 'result size limit of {value} bytes',
  hostCallsPerRequest: 'budget of {value} host API calls per request',
  hostCallConcurrency: 'share of {value} host API calls running at once',
  hostCallQueue: 'queue of {value} host API calls waiting per call',
  startupTimeMs: 'startup time limit of {value} ms',
  idleMs: 'idle time of {value} ms',
  maxConsecutiveFailures: 'limit of {value} failures in a row',
};

export function describeLimit(limit: keyof PluginLimits, value: number): string {
  return LIMIT_DESCRIPTIONS[limit].replace('{value}', String(value));
}

/** Defaults, then each override in turn; every bad value is reported at once. */
export function resolveLimits(...overrides: (Partial<PluginLimits> | undefined)[]): PluginLimits {
  const limits: PluginLimits = { ...DEFAULT_LIMITS };
  const issues: Issue[] = [];
  for (const override of overrides) {
    for (const [key, value] of Object.entries(override ?? {})) {
      if (!(key in DEFAULT_LIMITS)) {
        issues.push({ path: `limits.${key}`, message: 'is not a plugin limit', allowed: Object.keys(DEFAULT_LIMITS) });
        continue;
      }
      const name = key as keyof PluginLimits;
      if (value === undefined) continue;
      const { min, max, unit } = LIMIT_RANGES[name];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        const given = (typeof value === 'number' ? String(value) : JSON.stringify(value)).slice(0, 40);
        issues.push({
          path: `limits.${key}`,
          message: `is ${given}; allowed is a whole number from ${min} to ${max} (${unit})`,
        });
        continue;
      }
      limits[name] = value;
    }
  }
  if (issues.length > 0) throw validationFailed('The plugin limits are not valid:', issues);
  return limits;
}

/** `LIMIT_EXCEEDED` naming the plugin, the workspace and the limit. */
export function limitExceeded(
  plugin: string,
  workspace: string,
  limit: keyof PluginLimits,
  value: number,
  where: string,
  extra = '',
): TouchpointError {
  return new TouchpointError(
    'LIMIT_EXCEEDED',
    `Plugin ${plugin} exceeded its ${describeLimit(limit, value)} in ${where} (workspace ${workspace})${extra ? `: ${extra}` : '.'}`,
    { details: { plugin, workspace, limit, value, where } },
  );
}

/** `PLUGIN_FAILED` naming the plugin and where it failed. */
export function pluginFailed(
  plugin: string,
  workspace: string,
  where: string,
  message: string,
  details: Record<string, unknown> = {},
): TouchpointError {
  return new TouchpointError(
    'PLUGIN_FAILED',
    `Plugin ${plugin} failed in ${where} (workspace ${workspace}): ${message}`,
    {
      details: { plugin, workspace, where, ...details },
    },
  );
}

/** What the server log gets about a plugin failure and API answers never do. */
export interface PluginFailureCause {
  /** The plugin's own text, whole (up to what the sandbox copies out). */
  text: string;
  /** The stack the plugin's error carried. */
  stack?: string;
}

/**
 * `PLUGIN_FAILED` for a failure whose words are the plugin's (an error it threw): the message says so and
 * quotes the text made harmless (`pluginText`); `details.pluginMessage` holds the same text for the web app
 * to show labelled as the plugin's. The whole text and the stack go only to `cause`, for the server log.
 */
export function pluginThrew(
  plugin: string,
  workspace: string,
  where: string,
  text: string,
  options: { stack?: string; refusal?: string; details?: Record<string, unknown> } = {},
): TouchpointError {
  const shown = pluginText(text) || '(no message)';
  const refused = options.refusal ? ` after a host call was refused (${options.refusal})` : '';
  const cause: PluginFailureCause = { text, ...(options.stack ? { stack: options.stack } : {}) };
  return new TouchpointError(
    'PLUGIN_FAILED',
    `Plugin ${plugin} failed in ${where} (workspace ${workspace})${refused}. Its own message, not Touchpoint's: "${shown}"`,
    { details: { plugin, workspace, where, pluginMessage: shown, ...options.details }, cause },
  );
}
