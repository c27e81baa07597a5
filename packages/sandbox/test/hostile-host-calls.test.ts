// Hostile plugins flooding the host API: their host calls take a bounded share (hostCallConcurrency running,
// hostCallQueue waiting per call), wait first come first served, and stop with the call that made them.
// Host functions here block until the test releases them, so every count is exact: nothing depends on time.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type HostApi, type HostCall, PluginHost, type PluginLimits } from '../src/index.ts';
import { bundle, IMPORT, removePluginDirs } from './fixtures.ts';

const ACCOUNT_ID = '00000000-0000-4000-8000-00000000000a';

/** Host functions that count what runs and hold each call until `release()`. */
function blockingHostApi() {
  const held: (() => void)[] = [];
  const calls: { first: number | undefined; call: HostCall }[] = [];
  let running = 0;
  let peak = 0;
  let open = false;
  const hold = async <T>(value: T): Promise<T> => {
    running++;
    peak = Math.max(peak, running);
    try {
      if (!open) await new Promise<void>((resolve) => held.push(resolve));
      return value;
    } finally {
      running--;
    }
  };
  const api: HostApi = {
    records: {
      get: (call) => {
        calls.push({ first: undefined, call });
        return hold({ id: ACCOUNT_ID, name: 'Acme' });
      },
      list: (call, _entity, options) => {
        calls.push({ first: options.first, call });
        return hold({ records: [], hasNextPage: false, endCursor: null });
      },
      create: (call) => {
        calls.push({ first: undefined, call });
        return hold({ id: ACCOUNT_ID, version: 1 });
      },
      update: (call) => {
        calls.push({ first: undefined, call });
        return hold({ id: ACCOUNT_ID, version: 2 });
      },
    },
  };
  return {
    api,
    calls,
    get running() {
      return running;
    },
    get peak() {
      return peak;
    },
    /** Lets every held call finish, and every later one run through. */
    release() {
      open = true;
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

let host: PluginHost | undefined;
afterEach(() => host?.close());
afterAll(removePluginDirs);

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`never happened: ${what}`);
}

async function loadFlood(source: string, limits: Partial<PluginLimits>, hostApi: HostApi): Promise<PluginHost> {
  host = new PluginHost({ hostApi, limits: { cpuTimeMs: 5_000, wallTimeMs: 30_000 } });
  await host.load({
    manifest: { id: 'evil.flood', version: '1.0.0' },
    bundle: await bundle(source),
    workspace: 'w1',
    limits,
    grants: { records: { account: ['read', 'create'] } },
  });
  return host;
}

describe('hostile plugins: a flood of host calls', () => {
  it('1,000 parallel records.list: 4 run at once, 50 wait in order, the other 946 are refused naming the limit', async () => {
    const hostApi = blockingHostApi();
    const source = `${IMPORT}export default definePlugin({ actions: { flood: { entity: 'account', input: {}, async run(ctx) {
      let refused = 0;
      let message = '';
      const all = [];
      for (let i = 0; i < 1000; i++) {
        all.push(ctx.host.records.list('account', { first: i }).then(() => 'ok', (e) => {
          if (++refused === 946) ctx.host.log.info('refused 946');
          message = e.message;
          return e.code;
        }));
      }
      const codes = {};
      for (const code of await Promise.all(all)) codes[code] = (codes[code] ?? 0) + 1;
      return { codes, message };
    } } } });`;
    // The log line is a host call too: the budget leaves room for it.
    const limits = { hostCallConcurrency: 4, hostCallQueue: 50, hostCallsPerRequest: 2_000 };
    const plugin = await loadFlood(source, limits, hostApi.api);
    const result = plugin.runAction('evil.flood', 'w1', 'flood', { id: ACCOUNT_ID, input: {} });
    await until(() => plugin.logs('evil.flood', 'w1').some((l) => l.message === 'refused 946'), 'refusals');
    expect(hostApi.running).toBe(4);
    expect(hostApi.calls.map((c) => c.first)).toEqual([0, 1, 2, 3]);
    hostApi.release();
    expect(await result).toEqual({
      codes: { ok: 54, LIMIT_EXCEEDED: 946 },
      message:
        "Plugin evil.flood exceeded its queue of 50 host API calls waiting per call in action flood (workspace w1): records.list on account was refused without running: 50 host calls of this call were already waiting for one of the plugin's 4 slots",
    });
    // First come, first served; never more than the share at once.
    expect(hostApi.calls.map((c) => c.first)).toEqual(Array.from({ length: 54 }, (_, i) => i));
    expect(hostApi.peak).toBe(4);
    expect(plugin.metrics()[0]).toMatchObject({ hostCallsPeak: 4, hostCallsDropped: 0, errors: 0 });
  });

  it('the share holds across calls: two calls of the plugin together run 2 host calls at a time', async () => {
    const hostApi = blockingHostApi();
    const source = `${IMPORT}export default definePlugin({ actions: { flood: { entity: 'account', input: {}, async run(ctx) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.host.records.list('account', { first: i })));
      return 'done';
    } } } });`;
    const plugin = await loadFlood(source, { hostCallConcurrency: 2 }, hostApi.api);
    const run = () => plugin.runAction('evil.flood', 'w1', 'flood', { id: ACCOUNT_ID, input: {} });
    const both = Promise.all([run(), run()]);
    await until(() => hostApi.running === 2, 'two running');
    expect(hostApi.calls).toHaveLength(2);
    hostApi.release();
    expect(await both).toEqual(['done', 'done']);
    expect(hostApi.calls).toHaveLength(40);
    expect(hostApi.peak).toBe(2);
  });

  it('when the call ends its waiting host calls are refused without running, and the running ones see the abort', async () => {
    const hostApi = blockingHostApi();
    // The 101st host call breaks the budget of 100: the call ends then and there, with 4 running and 96 waiting.
    const source = `${IMPORT}export default definePlugin({ actions: {
      flood: { entity: 'account', input: {}, async run(ctx) {
        await Promise.all(Array.from({ length: 101 }, (_, i) => ctx.host.records.list('account', { first: i })));
      } },
      one: { entity: 'account', input: {}, run: (ctx) => ctx.host.records.get('account', '${ACCOUNT_ID}') },
    } });`;
    const plugin = await loadFlood(source, { hostCallConcurrency: 4, hostCallsPerRequest: 100 }, hostApi.api);
    const refused = await plugin
      .runAction('evil.flood', 'w1', 'flood', { id: ACCOUNT_ID, input: {} })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'hostCallsPerRequest', value: 100 } });
    // The host calls reach the host over the sandbox process's channel, often many in one turn: the 101st
    // can break the budget before the first four got to run. At most four ran; none of the others did.
    const ran = hostApi.calls.length;
    expect(ran).toBeLessThanOrEqual(4);
    expect(plugin.metrics()[0]!.hostCallsPeak).toBeLessThanOrEqual(4);
    for (const { call } of hostApi.calls) {
      expect(call.signal?.aborted).toBe(true);
      expect(call.signal?.reason).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'hostCallsPerRequest' } });
    }
    // The four running finish; nothing of that call runs after them, and the slots are free again.
    hostApi.release();
    await until(() => hostApi.running === 0, 'the running calls finished');
    await new Promise((r) => setTimeout(r, 50));
    expect(hostApi.calls).toHaveLength(ran);
    expect(await plugin.runAction('evil.flood', 'w1', 'one', { id: ACCOUNT_ID, input: {} })).toEqual({
      id: ACCOUNT_ID,
      name: 'Acme',
    });
    expect(hostApi.calls).toHaveLength(ran + 1);
  });

  it('a hook nested in its own host call borrows that slot: five levels deep with a share of one', async () => {
    let depth = 0;
    const nested: HostApi = {
      records: {
        get: async () => null,
        list: async () => ({ records: [], hasNextPage: false, endCursor: null }),
        // A write runs the plugin's beforeCreate hook again, as the engine does, inside this host call.
        create: async () => {
          if (++depth < 5) await host!.runHook('evil.nest', 'w1', 'account', 'beforeCreate', { values: {} });
          return { id: ACCOUNT_ID, version: 1 };
        },
        update: async () => ({ id: ACCOUNT_ID, version: 1 }),
      },
    };
    host = new PluginHost({ hostApi: nested, limits: { cpuTimeMs: 5_000, wallTimeMs: 5_000 } });
    await host.load({
      manifest: { id: 'evil.nest', version: '1.0.0' },
      bundle: await bundle(
        `${IMPORT}export default definePlugin({ hooks: { account: { async beforeCreate(ctx) {
          await ctx.host.records.list('account', {});
          await ctx.host.records.create('account', { name: 'again' });
        } } } });`,
      ),
      workspace: 'w1',
      limits: { hostCallConcurrency: 1 },
      grants: { records: { account: ['read', 'create'] } },
    });
    await expect(host.runHook('evil.nest', 'w1', 'account', 'beforeCreate', { values: {} })).resolves.toEqual({
      values: {},
    });
    expect(depth).toBe(5);
    expect(host.metrics()[0]).toMatchObject({ hostCallsPeak: 1, errors: 0 });
  });

  it('refuses a share or a queue outside the allowed range, naming the limit and the range', () => {
    expect(() => new PluginHost({ limits: { hostCallConcurrency: 0, hostCallQueue: 10_001 } })).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        issues: [
          { path: 'limits.hostCallConcurrency', message: 'is 0; allowed is a whole number from 1 to 16 (calls)' },
          { path: 'limits.hostCallQueue', message: 'is 10001; allowed is a whole number from 0 to 10000 (calls)' },
        ],
      }),
    );
  });
});
