// The arena for hostile plugins: one host with a well-behaved plugin in two workspaces, and helpers to load
// a hostile plugin beside it, watch the host's event loop while it runs, and check the others still answer.
import { TouchpointError } from '@touchpoint/schema';
import { afterAll, beforeAll, expect } from 'vitest';
import { PluginHost, type PluginLimits } from '../src/index.ts';
import { bundle, IMPORT, memoryHostApi, removePluginDirs } from './fixtures.ts';

export const ACCOUNT_ID = '00000000-0000-4000-8000-00000000000a';
export const CONTACT_ID = '00000000-0000-4000-8000-00000000000c';

/** A plugin whose beforeCreate hook on `account` is `body` (an async function body with `ctx`). */
export function hookPlugin(body: string): string {
  return `${IMPORT}export default definePlugin({ hooks: { account: { async beforeCreate(ctx) { ${body} } } } });`;
}

export const GOOD = hookPlugin(
  `ctx.values.checked = typeof ({}).polluted === 'undefined' && typeof [].polluted === 'undefined';`,
);

export const memory = memoryHostApi({
  account: [{ id: ACCOUNT_ID, name: 'Acme' }],
  contact: [{ id: CONTACT_ID, name: 'Ann' }],
});
export const host = new PluginHost({ hostApi: memory.api, limits: { cpuTimeMs: 50, wallTimeMs: 1_000 } });
let id = 0;

/** A fresh plugin id. */
export function nextPluginId(prefix = 'evil.p'): string {
  return `${prefix}${++id}`;
}

/** Loads `source` as a fresh plugin in workspace w1 and returns its id. */
export async function load(source: string, limits: Partial<PluginLimits> = {}, grants = {}): Promise<string> {
  const plugin = nextPluginId();
  await host.load({
    manifest: { id: plugin, version: '1.0.0' },
    bundle: await bundle(source),
    workspace: 'w1',
    limits,
    grants,
  });
  return plugin;
}

export function create(plugin: string, workspace = 'w1', request?: object) {
  return host.runHook(
    plugin,
    workspace,
    'account',
    'beforeCreate',
    { values: { name: 'x' } },
    request ? { request } : {},
  );
}

/**
 * Runs `work` while counting host timer ticks — proof the event loop was never blocked — and reading the
 * metrics on each tick, which must not wait for a busy isolate either.
 */
export async function whileCountingTicks<T>(
  work: () => Promise<T>,
): Promise<{ result: PromiseSettledResult<T>; ticks: number; ms: number; longestStallMs: number }> {
  let ticks = 0;
  const start = performance.now();
  let last = start;
  let longestStallMs = 0;
  const timer = setInterval(() => {
    host.metrics();
    ticks++;
    const now = performance.now();
    longestStallMs = Math.max(longestStallMs, now - last);
    last = now;
  }, 5);
  const [result] = await Promise.allSettled([work()]);
  clearInterval(timer);
  const end = performance.now();
  // The event loop's longest stretch without turning while the work ran, the final one included.
  longestStallMs = Math.max(longestStallMs, end - last);
  return { result: result!, ticks, ms: end - start, longestStallMs };
}

export async function until(condition: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function errorOf(result: PromiseSettledResult<unknown>): TouchpointError {
  expect(result.status).toBe('rejected');
  const reason = (result as PromiseRejectedResult).reason;
  expect(reason).toBeInstanceOf(TouchpointError);
  return reason as TouchpointError;
}

beforeAll(async () => {
  const good = await bundle(GOOD);
  await host.load({ manifest: { id: 'good.plugin', version: '1.0.0' }, bundle: good, workspace: 'w1' });
  await host.load({ manifest: { id: 'good.plugin', version: '1.0.0' }, bundle: good, workspace: 'w2' });
});

afterAll(() => {
  host.close();
  removePluginDirs();
});

/** The well-behaved plugin still answers, in both workspaces, and sees clean built-ins. */
export async function othersUnaffected(): Promise<void> {
  for (const ws of ['w1', 'w2']) {
    expect(await create('good.plugin', ws)).toEqual({ values: { name: 'x', checked: true } });
  }
  expect({} as Record<string, unknown>).not.toHaveProperty('polluted');
}
