// The plugin host doing its job for well-behaved plugins: hooks, actions, the host API under grants,
// settings, logs, metrics, lifecycle (load, upgrade, idle, disable, unload).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DisableEvent, PluginHost, type PluginLogEntry } from '../src/index.ts';
import { bundle, IMPORT, memoryHostApi, removePluginDirs } from './fixtures.ts';

const ACCOUNT_ID = '00000000-0000-4000-8000-00000000000a';

const UPPER = `${IMPORT}
export default definePlugin({
  hooks: {
    account: {
      beforeCreate(ctx) {
        if (ctx.values.name === 'forbidden') ctx.reject({ name: 'this name is reserved', industry: 'pick another' });
        if (ctx.values.name === 'nope') ctx.reject('accounts named nope are refused');
        ctx.values.name = String(ctx.values.name).toUpperCase();
        ctx.values.stampedAt = ctx.host.now().toISOString();
        ctx.values.region = ctx.host.settings.region;
      },
      beforeUpdate(ctx) { ctx.values = { ...ctx.values, touchedBy: ctx.actor + ':' + ctx.id }; },
      async afterCreate(ctx) {
        ctx.host.log.info('created', { id: ctx.id, changed: ctx.changed });
        console.log('console works', ctx.version);
      },
    },
  },
  actions: {
    registerAssets: defineAction({
      entity: 'account',
      labels: { en: 'Register assets', 'zh-CN': '登记资产' },
      input: { count: { type: 'integer', required: true, minimum: 1, maximum: 10 }, kind: { type: 'string', enum: ['laptop', 'phone'] } },
      async run(ctx) {
        const account = await ctx.host.records.get('account', ctx.id);
        const ids = [];
        for (let i = 0; i < ctx.input.count; i++) {
          const created = await ctx.host.records.create('asset', { accountId: ctx.id, kind: ctx.input.kind ?? 'laptop', n: i });
          ids.push(created.id);
        }
        await ctx.host.records.update('account', ctx.id, { assetCount: ids.length });
        const page = await ctx.host.records.list('asset', { first: 100 });
        return { account: account && account.name, created: ids.length, listed: page.records.length, record: ctx.record };
      },
    }),
  },
});`;

let upper: string;
beforeAll(async () => {
  upper = await bundle(UPPER);
});
afterAll(removePluginDirs);

let host: PluginHost;
afterEach(() => host?.close());

function setup(options: { logs?: PluginLogEntry[]; disabled?: DisableEvent[] } = {}) {
  const memory = memoryHostApi({ account: [{ id: ACCOUNT_ID, name: 'Acme', version: 1 }] });
  host = new PluginHost({
    hostApi: memory.api,
    now: () => new Date('2030-01-02T03:04:05.000Z'),
    onLog: (entry) => options.logs?.push(entry),
    onDisable: (event) => options.disabled?.push(event),
  });
  return memory;
}

const grants = { records: { account: ['read', 'update'] as const, asset: ['read', 'create'] as const } };

describe('hooks', () => {
  it('lets a before-hook change the values, with the host clock and the plugin settings', async () => {
    setup();
    const descriptor = await host.load({
      manifest: { id: 'acme.upper', version: '1.0.0' },
      bundle: upper,
      workspace: 'w1',
      settings: { region: 'eu' },
    });
    expect(descriptor.hooks).toEqual({ account: ['beforeCreate', 'beforeUpdate', 'afterCreate'] });
    expect(descriptor.actions.registerAssets).toMatchObject({ entity: 'account', labels: { en: 'Register assets' } });
    expect(host.hooksFor('w1', 'account', 'beforeCreate')).toEqual(['acme.upper']);
    expect(host.hooksFor('w1', 'account', 'beforeDelete')).toEqual([]);
    const result = await host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: { name: 'acme' } });
    expect(result).toEqual({ values: { name: 'ACME', stampedAt: '2030-01-02T03:04:05.000Z', region: 'eu' } });
    const updated = await host.runHook(
      'acme.upper',
      'w1',
      'account',
      'beforeUpdate',
      { id: ACCOUNT_ID, values: { a: 1 } },
      { actor: 'u1' },
    );
    expect(updated.values).toEqual({ a: 1, touchedBy: `u1:${ACCOUNT_ID}` });
    expect(await host.runHook('acme.upper', 'w1', 'account', 'beforeDelete', { id: ACCOUNT_ID })).toEqual({});
  });

  it('turns ctx.reject into VALIDATION_FAILED with one issue per field, or one message', async () => {
    setup();
    await host.load({ manifest: { id: 'acme.upper', version: '1.0.0' }, bundle: upper, workspace: 'w1' });
    await expect(
      host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: { name: 'forbidden' } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [
        { path: 'name', message: 'this name is reserved' },
        { path: 'industry', message: 'pick another' },
      ],
    });
    await expect(
      host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: { name: 'nope' } }),
    ).rejects.toThrow(
      `Plugin acme.upper refused the account record. Its own reason, not Touchpoint's: "accounts named nope are refused"`,
    );
    expect(host.metrics()[0]).toMatchObject({ calls: 2, rejections: 2, errors: 0, consecutiveFailures: 0 });
  });

  it('runs after-hooks with the write event and keeps what the plugin logs', async () => {
    const logs: PluginLogEntry[] = [];
    setup({ logs });
    await host.load({ manifest: { id: 'acme.upper', version: '1.0.0' }, bundle: upper, workspace: 'w1' });
    await host.runHook('acme.upper', 'w1', 'account', 'afterCreate', {
      id: ACCOUNT_ID,
      version: 1,
      changed: ['name'],
      at: '2030-01-01T00:00:00Z',
    });
    await new Promise((r) => setTimeout(r, 20)); // log lines travel asynchronously
    expect(logs.map((l) => [l.level, l.message, l.data])).toEqual([
      ['info', 'created', { id: ACCOUNT_ID, changed: ['name'] }],
      ['info', 'console works 1', undefined],
    ]);
    expect(host.logs('acme.upper', 'w1')).toHaveLength(2);
  });
});

describe('actions', () => {
  it('runs an action against a record through the granted host API', async () => {
    const memory = setup();
    await host.load({ manifest: { id: 'acme.upper', version: '1.0.0' }, bundle: upper, workspace: 'w1', grants });
    const result = await host.runAction('acme.upper', 'w1', 'registerAssets', {
      id: ACCOUNT_ID,
      record: { id: ACCOUNT_ID, name: 'Acme' },
      input: { count: 3, kind: 'phone' },
    });
    expect(result).toEqual({ account: 'Acme', created: 3, listed: 3, record: { id: ACCOUNT_ID, name: 'Acme' } });
    expect(memory.tables.get('account')!.get(ACCOUNT_ID)).toMatchObject({ assetCount: 3, version: 2 });
    expect(memory.counts).toEqual({ get: 1, list: 1, create: 3, update: 1 });
    expect(memory.seen[0]!.call).toMatchObject({ plugin: 'acme.upper', version: '1.0.0', workspace: 'w1' });
    expect(host.metrics()[0]).toMatchObject({ calls: 1, hostCalls: 6, errors: 0 });
  });

  it('validates the input against the spec, with paths under input', async () => {
    setup();
    await host.load({ manifest: { id: 'acme.upper', version: '1.0.0' }, bundle: upper, workspace: 'w1', grants });
    await expect(
      host.runAction('acme.upper', 'w1', 'registerAssets', {
        id: ACCOUNT_ID,
        input: { count: 0, kind: 'car', extra: 1 },
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [
        { path: 'input.extra', message: 'is not an input field' },
        { path: 'input.count', message: 'must be at least 1' },
        { path: 'input.kind', message: '"car" is not one of the values' },
      ],
    });
    await expect(host.runAction('acme.upper', 'w1', 'missing', { id: ACCOUNT_ID, input: {} })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      issues: [{ allowed: ['registerAssets'] }],
    });
  });
});

describe('lifecycle', () => {
  it('starts an isolate per plugin and workspace lazily, keeps it warm, and stops it when idle', async () => {
    setup();
    await host.load({ manifest: { id: 'acme.upper', version: '1.0.0' }, bundle: upper, workspace: 'w1' });
    await host.load({ manifest: { id: 'acme.upper', version: '1.0.0' }, bundle: upper, workspace: 'w2' });
    expect(host.metrics().map((m) => m.state)).toEqual(['cold', 'cold']);
    for (let i = 0; i < 3; i++)
      await host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: { name: 'x' } });
    const [w1, w2] = host.metrics();
    expect(w1).toMatchObject({ workspace: 'w1', state: 'warm', coldStarts: 1, calls: 3 });
    expect(w1!.memoryBytes).toBeGreaterThan(100_000);
    expect(w1!.cpuTimeMs).toBeGreaterThan(0);
    expect(w2).toMatchObject({ workspace: 'w2', state: 'cold', coldStarts: 0, memoryBytes: 0 });
    expect(host.sweepIdle(Date.now())).toBe(0);
    expect(host.sweepIdle(Date.now() + 300_001)).toBe(1);
    expect(host.metrics()[0]!.state).toBe('cold');
    await host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: { name: 'x' } });
    expect(host.metrics()[0]).toMatchObject({ state: 'warm', coldStarts: 2 });
  });

  it('upgrades a plugin in place and forgets it on unload', async () => {
    setup();
    await host.load({ manifest: { id: 'acme.upper', version: '1.0.0' }, bundle: upper, workspace: 'w1' });
    await host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: { name: 'x' } });
    const v2 = await bundle(
      `${IMPORT}export default definePlugin({ hooks: { account: { beforeCreate(ctx) { ctx.values.v = 2; } } } });`,
    );
    await host.load({ manifest: { id: 'acme.upper', version: '2.0.0' }, bundle: v2, workspace: 'w1' });
    expect(await host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: {} })).toEqual({
      values: { v: 2 },
    });
    expect(host.metrics()).toMatchObject([{ version: '2.0.0', calls: 1 }]);
    expect(host.unload('acme.upper', 'w1')).toBe(true);
    await expect(host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: {} })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('disables a plugin with a visible reason and enables it again', async () => {
    const disabled: DisableEvent[] = [];
    setup({ disabled });
    await host.load({ manifest: { id: 'acme.upper', version: '1.0.0' }, bundle: upper, workspace: 'w1' });
    host.disable('acme.upper', 'w1', 'turned off by the admin');
    expect(disabled).toMatchObject([{ plugin: 'acme.upper', workspace: 'w1', reason: 'turned off by the admin' }]);
    expect(host.hooksFor('w1', 'account', 'beforeCreate')).toEqual([]);
    expect(host.metrics()[0]).toMatchObject({ state: 'disabled', disabled: { reason: 'turned off by the admin' } });
    await expect(host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: {} })).rejects.toThrow(
      'Plugin acme.upper failed in account.beforeCreate (workspace w1): it is disabled: turned off by the admin',
    );
    host.enable('acme.upper', 'w1');
    expect(await host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: { name: 'a' } })).toMatchObject({
      values: { name: 'A' },
    });
  });

  it('does not keep an isolate that finished starting after the plugin was disabled', async () => {
    setup();
    await host.load({ manifest: { id: 'acme.upper', version: '1.0.0' }, bundle: upper, workspace: 'w1' });
    const call = host.runHook('acme.upper', 'w1', 'account', 'beforeCreate', { values: { name: 'a' } });
    host.disable('acme.upper', 'w1', 'maintenance');
    await expect(call).rejects.toThrow('it was stopped while starting');
    expect(host.metrics()[0]).toMatchObject({ state: 'disabled', memoryBytes: 0 });
  });

  it('refuses bad limits and grants with every problem named', async () => {
    setup();
    await expect(
      host.load({
        manifest: { id: 'acme.upper', version: '1.0.0' },
        bundle: upper,
        workspace: 'w1',
        limits: { memoryMb: 2, cpuTimeMs: 1.5 },
        grants: { records: { account: ['read', 'delete' as 'read'] } },
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [
        { path: 'limits.memoryMb', message: 'is 2; allowed is a whole number from 8 to 512 (MB)' },
        { path: 'limits.cpuTimeMs', message: 'is 1.5; allowed is a whole number from 1 to 10000 (ms)' },
      ],
    });
  });
});
