// Limits per plugin per workspace: defaults a host can override, and a plugin's own values on top.
import { type Issue, TouchpointError, validationFailed } from '@touchpoint/schema';
import type { PluginLimits } from './types.ts';

export const DEFAULT_LIMITS: Readonly<PluginLimits> = Object.freeze({
  memoryMb: 64,
  cpuTimeMs: 100,
  wallTimeMs: 5_000,
  maxResultBytes: 1_000_000,
  hostCallsPerRequest: 1_000,
  startupTimeMs: 1_000,
  idleMs: 300_000,
  maxConsecutiveFailures: 5,
});

/** The smallest value each limit accepts (ivm refuses isolates under 8 MB). */
const MINIMUM: Readonly<PluginLimits> = {
  memoryMb: 8,
  cpuTimeMs: 1,
  wallTimeMs: 1,
  maxResultBytes: 64,
  hostCallsPerRequest: 0,
  startupTimeMs: 1,
  idleMs: 1,
  maxConsecutiveFailures: 1,
};

/** How each limit is named in messages. */
export const LIMIT_DESCRIPTIONS: Readonly<Record<keyof PluginLimits, string>> = {
  memoryMb: 'memory limit of {value} MB',
  cpuTimeMs: 'CPU time limit of {value} ms per call',
  wallTimeMs: 'wall-clock limit of {value} ms per call',
  maxResultBytes: 'result size limit of {value} bytes',
  hostCallsPerRequest: 'budget of {value} host API calls per request',
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
      if (typeof value !== 'number' || !Number.isInteger(value) || value < MINIMUM[name]) {
        issues.push({ path: `limits.${key}`, message: `must be a whole number of at least ${MINIMUM[name]}` });
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
