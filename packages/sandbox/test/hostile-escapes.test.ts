// Hostile plugins trying to get out: prototype pollution, constructor chains, records not granted, host
// objects kept beyond their call, failing again and again, bundles that misbehave at startup.
import { describe, expect, it } from 'vitest';
import type { PluginDescriptor, PluginLimits } from '../src/index.ts';
import { bundle, IMPORT } from './fixtures.ts';
import {
  ACCOUNT_ID,
  CONTACT_ID,
  create,
  errorOf,
  GOOD,
  hookPlugin,
  host,
  load,
  memory,
  nextPluginId,
  othersUnaffected,
  whileCountingTicks,
} from './hostile-arena.ts';

describe('hostile plugins: escapes, grants, failures', () => {
  it('prototype pollution stays inside the polluting plugin', async () => {
    const plugin = await load(
      hookPlugin(`
        Object.prototype.polluted = 'yes';
        Array.prototype.polluted = 'yes';
        Object.defineProperty(Object.prototype, 'isAdmin', { get() { return true; } });
        JSON.parse = () => ({ hijacked: true });
        ctx.values = JSON.parse('{"__proto__": {"isAdmin": true}}');
        ctx.values.ownPolluted = ({}).polluted;
        ctx.values.sneaky = { ['__proto__']: { isAdmin: true } };
      `),
    );
    const { values } = await create(plugin);
    expect(values).toEqual({ hijacked: true, ownPolluted: 'yes', sneaky: {} });
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect((Object.assign({}, values!.sneaky) as Record<string, unknown>).isAdmin).toBeUndefined();
    expect({} as Record<string, unknown>).not.toHaveProperty('isAdmin');
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse('{"a":1}')).toEqual({ a: 1 });
    // The same plugin in another workspace has its own isolate, untouched.
    await host.load({ manifest: { id: plugin, version: '1.0.0' }, bundle: await bundle(GOOD), workspace: 'w3' });
    expect(await create(plugin, 'w3')).toEqual({ values: { name: 'x', checked: true } });
    await othersUnaffected();
  });

  it('constructor-chain and other escapes find no process, require, host References or timers', async () => {
    const plugin = await load(
      `${IMPORT}
      const attempt = (f) => { try { const v = f(); return v === undefined ? 'undefined' : typeof v; } catch (e) { return 'threw ' + e.name; } };
      export default definePlugin({ hooks: { account: { async beforeCreate(ctx) {
        const g = (() => {}).constructor('return this')();
        const r = {
          thisChain: attempt(() => this.constructor.constructor('return process')()),
          ctxChain: attempt(() => ctx.constructor.constructor('return process')()),
          hostFnChain: attempt(() => ctx.host.records.get.constructor('return process')()),
          rejectChain: attempt(() => ctx.reject.constructor('return require')()),
          asyncChain: await (async () => {}).constructor('return process')().then(() => 'resolved', (e) => 'threw ' + e.name),
          globals: ['process', 'require', 'module', 'Buffer', 'setTimeout', 'setInterval', 'fetch', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', '_ivm', 'ivm'].filter((n) => typeof g[n] !== 'undefined'),
          references: Object.getOwnPropertyNames(g).filter((n) => { try { const v = g[n]; return v && (typeof v.deref === 'function' || typeof v.applySync === 'function' || typeof v.copySync === 'function'); } catch { return false; } }),
        };
        Error.prepareStackTrace = (_e, frames) => frames.map((f) => [String(f.getFileName()), typeof f.getFunction(), typeof f.getThis()]);
        try { ctx.host.log.info({ toString() { throw new Error('probe'); } }); } catch (e) { r.frames = e.stack.filter((f) => f[0].startsWith('touchpoint:')); }
        try { await import(['node', 'fs'].join(':')); r.dynamicImport = 'loaded'; } catch (e) { r.dynamicImport = 'refused'; }
        ctx.values = r;
      } } } });`,
    );
    const { values } = await create(plugin);
    expect(values).toMatchObject({
      thisChain: 'threw ReferenceError',
      ctxChain: 'threw ReferenceError',
      hostFnChain: 'threw ReferenceError',
      rejectChain: 'threw ReferenceError',
      asyncChain: 'threw ReferenceError',
      globals: [],
      references: [],
      dynamicImport: 'refused',
    });
    // Frames of the host runtime expose neither their function nor their receiver (strict mode).
    expect((values!.frames as unknown[]).length).toBeGreaterThan(0);
    for (const frame of values!.frames as string[][]) expect(frame.slice(1)).toEqual(['undefined', 'undefined']);
    expect(typeof process.pid).toBe('number');
    await othersUnaffected();
  });

  it('a record it was not granted: refused, the host function never called', async () => {
    const plugin = await load(
      hookPlugin(`ctx.values.contact = await ctx.host.records.get('contact', '${CONTACT_ID}');`),
      {},
      {
        records: { account: ['read'] },
      },
    );
    const seen = memory.seen.length;
    const error = errorOf((await whileCountingTicks(() => create(plugin))).result);
    expect(error.code).toBe('PLUGIN_FAILED');
    expect(error.message).toBe(
      `Plugin ${plugin} failed in account.beforeCreate (workspace w1): a host call was refused: plugin ${plugin} may not read contact records in workspace w1; it was granted account: read`,
    );
    expect(memory.seen.length).toBe(seen);
    const writer = await load(
      hookPlugin(`await ctx.host.records.update('account', '${ACCOUNT_ID}', { name: 'hacked' });`),
      {},
      {
        records: { account: ['read'] },
      },
    );
    await expect(create(writer)).rejects.toThrow('may not update account records');
    expect(memory.tables.get('account')!.get(ACCOUNT_ID)!.name).toBe('Acme');
    await othersUnaffected();
  });

  it('a refusal can be caught and handled by the plugin', async () => {
    const plugin = await load(
      hookPlugin(`try { await ctx.host.records.list('contact'); } catch (e) { ctx.values.code = e.code; }`),
    );
    expect(await create(plugin)).toEqual({ values: { name: 'x', code: 'FORBIDDEN' } });
  });

  it('host API objects kept beyond their call are refused', async () => {
    const plugin = await load(
      hookPlugin(`
        if (globalThis.kept) { try { await globalThis.kept.records.get('account', '${ACCOUNT_ID}'); } catch (e) { ctx.values.error = e.message; } }
        globalThis.kept = ctx.host;`),
      {},
      { records: { account: ['read'] } },
    );
    await create(plugin);
    expect((await create(plugin)).values!.error).toContain('this call has ended');
  });

  it('a plugin that keeps failing is disabled automatically, with the reason visible', async () => {
    const plugin = await load(hookPlugin(`throw new TypeError('broken on purpose');`), { maxConsecutiveFailures: 3 });
    for (let i = 0; i < 3; i++) {
      await expect(create(plugin)).rejects.toThrow(
        `Plugin ${plugin} failed in account.beforeCreate (workspace w1). Its own message, not Touchpoint's: "TypeError: broken on purpose"`,
      );
    }
    const [metrics] = host.metrics({ plugin });
    expect(metrics).toMatchObject({ state: 'disabled', errors: 3 });
    expect(metrics!.disabled!.reason).toContain('it failed 3 times in a row; last: Plugin');
    expect(host.hooksFor('w1', 'account', 'beforeCreate')).not.toContain(plugin);
    await expect(create(plugin)).rejects.toThrow('it is disabled: it failed 3 times in a row');
    await othersUnaffected();
  });

  it('bundles that loop, throw or define nothing at startup are refused at load', async () => {
    const attempts: [string, Partial<PluginLimits>, RegExp][] = [
      [
        `${IMPORT}while (true) {}\nexport default definePlugin({});`,
        { startupTimeMs: 100 },
        /startup time limit of 100 ms/,
      ],
      [
        `throw new Error('no');\nexport default 1;`,
        {},
        /failed in startup \(workspace .*\)\. Its own message, not Touchpoint's: ".*no"/,
      ],
      [`export default { hooks: {} };`, {}, /the bundle defines no plugin/],
      [
        `${IMPORT}export default definePlugin({ hooks: { account: { beforeSave() {} } } });`,
        {},
        /hooks.account.beforeSave: unknown hook/,
      ],
    ];
    for (const [source, limits, message] of attempts) {
      const plugin = nextPluginId('evil.s');
      const loading: Promise<PluginDescriptor> = host.load({
        manifest: { id: plugin, version: '1.0.0' },
        bundle: await bundle(source),
        workspace: 'w1',
        limits,
      });
      await expect(loading).rejects.toThrow(message);
    }
    await othersUnaffected();
  });
});
