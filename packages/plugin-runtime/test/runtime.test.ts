// The runtime on a real engine and database: what install refuses, the namespacing rule, a restart that
// reloads plugins with their disables, hooks sharing one budget per request, after-hooks that never hold
// a write up, disable/enable, and code-only upgrades recorded as metadata versions.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  type Engine,
  loadCoreEntities,
  type TestDatabase,
  withStatementCounter,
} from '@touchpoint/engine';
import type { PluginArchive } from '@touchpoint/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldPrefix, namespaceIssues, PluginRuntime, packPluginFolder, TOUCHPOINT_VERSION } from '../src/index.ts';
import { type RuntimeFixture, startRuntime } from './fixture.ts';

const dirs: string[] = [];
const labels = (en: string) => ({ en, 'zh-CN': en });

let fixture: RuntimeFixture;
let engine: Engine;
let runtime: PluginRuntime;

beforeAll(async () => {
  fixture = await startRuntime();
  ({ engine, runtime } = fixture);
});
afterAll(async () => {
  await fixture?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Spec {
  id: string;
  version?: string;
  records?: string;
  touchpoint?: string;
  settings?: string;
  source: string;
  files?: Record<string, string>;
}

async function pack(spec: Spec): Promise<PluginArchive> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-runtime-'));
  dirs.push(dir);
  const files: Record<string, string> = {
    'plugin.yaml': [
      `id: ${spec.id}`,
      `version: ${spec.version ?? '1.0.0'}`,
      'labels: { en: Test, zh-CN: 测试 }',
      'description: { en: A test plugin. }',
      `touchpoint: "${spec.touchpoint ?? '^0.1.0'}"`,
      `capabilities: { records: ${spec.records ?? '{ account: [read] }'} }`,
      spec.settings ? `settings: ${spec.settings}` : '',
    ].join('\n'),
    'src/index.ts': `import { definePlugin } from '@touchpoint/plugin-sdk';\nexport default definePlugin(${spec.source});\n`,
    ...spec.files,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return (await packPluginFolder(dir)).archive;
}

const records = (workspace = 'default') => engine.records({ workspace, actor: 'tester' });

describe('namespacing', () => {
  it('derives the prefix from the plugin name and names what breaks the rule', () => {
    expect(fieldPrefix('touchpoint.asset-tracking')).toBe('assetTracking');
    const field = (name: string, inverse?: string) => ({
      name,
      type: 'relation' as const,
      labels: labels(name),
      relation: { target: 'account', kind: 'manyToOne' as const, ...(inverse ? { inverse } : {}) },
    });
    const issues = namespaceIssues('acme.fleet', {
      entities: [
        { name: 'truck', labels: labels('Truck'), titleField: 'account', fields: [field('account', 'trucks')] },
      ],
      fields: [
        { entity: 'account', field: field('owner') },
        { entity: 'account', field: field('fleetOwner', 'fleetAccounts') },
        { entity: 'truck', field: field('spare') },
      ],
    });
    expect(issues.map((i) => i.path)).toEqual([
      'entities.truck.fields.account.relation.inverse',
      'fields.account.owner',
    ]);
    expect(issues[1]!.message).toContain('must start with "fleet" (e.g. fleetOwner)');
  });
});

describe('install checks', () => {
  it('checks plugins against the version in the root package.json', () => {
    const root = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(TOUCHPOINT_VERSION).toBe(root.version);
  });

  it('refuses a wrong Touchpoint range, a changed archive, unprefixed fields, missing settings and clashing prefixes', async () => {
    const old = await pack({ id: 'acme.old', touchpoint: '^2.0.0', source: '{}' });
    await expect(runtime.install('default', old)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'manifest.touchpoint', message: expect.stringContaining('this is Touchpoint 0.1.0') }],
    });
    const tampered = { ...(await pack({ id: 'acme.tampered', source: '{}' })), bundle: 'globalThis.x = 1;' };
    await expect(runtime.install('default', tampered)).rejects.toMatchObject({ issues: [{ path: 'sha256' }] });
    const rude = await pack({
      id: 'acme.rude',
      source: '{}',
      files: {
        'metadata/fields/account.yaml':
          'entity: account\nfields:\n  score: { type: integer, labels: { en: S, zh-CN: S } }\n',
      },
    });
    await expect(runtime.install('default', rude)).rejects.toMatchObject({
      issues: [{ path: 'fields.account.score' }],
    });
    const needy = await pack({
      id: 'acme.needy',
      settings: '{ region: { type: string, required: true } }',
      source: '{}',
    });
    await expect(runtime.install('default', needy)).rejects.toMatchObject({ issues: [{ path: 'settings.region' }] });
    await runtime.install('default', needy, { settings: { region: 'eu' } });
    const twin = await pack({ id: 'globex.needy', source: '{}' });
    await expect(runtime.install('default', twin)).rejects.toMatchObject({ code: 'CONFLICT' });
    await runtime.uninstall('default', 'acme.needy');
  });
});

describe('listing installations', () => {
  it('reads stored metadata, not the archives, however large the installed bundles are', async () => {
    // Three plugins of ~3 MB of bundle each: listing them used to read every archive (9 MB of a request's
    // 64 MB read budget per listing, and ten such plugins would have exhausted it).
    const ids = ['acme.big-one', 'acme.big-two', 'acme.big-three'];
    for (const [n, id] of ids.entries()) {
      const big = await pack({
        id,
        source: `(() => { const pad = '${String(n).repeat(3_000_000)}';
          return { actions: { size: { entity: 'account', input: {}, run: () => pad.length } } }; })()`,
      });
      expect(big.bundle.length).toBeGreaterThan(3_000_000);
      await runtime.install('default', big);
    }
    const { counter, run } = withStatementCounter(() => runtime.list('default'));
    const listed = await run;
    expect(listed.map((p) => p.id)).toEqual(expect.arrayContaining(ids));
    expect(listed.find((p) => p.id === 'acme.big-two')).toMatchObject({
      labels: { en: 'Test', 'zh-CN': '测试' },
      capabilitiesRequested: { records: { account: ['read'] } },
      actions: { size: { entity: 'account' } },
    });
    const readChars = (counter as { readChars?: number }).readChars ?? 0;
    expect(readChars).toBeGreaterThan(0);
    expect(readChars).toBeLessThan(50_000);
    const one = withStatementCounter(() => runtime.get('default', 'acme.big-one'));
    expect(await one.run).toMatchObject({ id: 'acme.big-one', description: { en: 'A test plugin.' } });
    expect((one.counter as { readChars?: number }).readChars).toBeLessThan(20_000);

    // An installation stored before the manifest had its own column gets it from its archive at start, and
    // a restart still loads the code from the archive.
    await engine.db.query(
      `update touchpoint.plugin_installation set manifest = null where plugin_id = 'acme.big-three'`,
    );
    await runtime.close();
    runtime = await PluginRuntime.start({ engine, onLog: () => {} });
    expect(await runtime.get('default', 'acme.big-three')).toMatchObject({ labels: { en: 'Test' } });
    const account = await records().create('account', { name: 'Sized' });
    expect(await runtime.runAction(records(), 'acme.big-three', 'size', String(account.id), {})).toBe(3_000_000);
    for (const id of ids) await runtime.uninstall('default', id);
  });
});

describe('hooks', () => {
  it('share one host-call budget per request, nested writes included', async () => {
    const chain = await pack({
      id: 'acme.chain',
      records: '{ account: [read], contact: [read, create] }',
      source: `{ hooks: {
        account: { async beforeCreate(ctx) {
          await ctx.host.records.list('account', { first: 1 });
          await ctx.host.records.create('contact', { firstName: 'Auto', lastName: String(ctx.values.name) });
        } },
        contact: { async beforeCreate(ctx) {
          await ctx.host.records.list('contact', { first: 1 });
          await ctx.host.records.list('contact', { first: 1 });
        } },
      } }`,
    });
    // The account hook makes 2 calls and its contact write runs the contact hook, which makes 2 more: 4 in
    // one request. With separate budgets a limit of 3 would do; shared, it takes 4.
    await runtime.install('default', chain, { limits: { hostCallsPerRequest: 3 } });
    await records().create('contact', { firstName: 'A', lastName: 'B' });
    const refused = await records()
      .create('account', { name: 'Chained' })
      .then(
        () => undefined,
        (error: Error & { code: string }) => error,
      );
    expect(['PLUGIN_FAILED', 'LIMIT_EXCEEDED']).toContain(refused?.code);
    expect(refused?.message).toContain('Plugin acme.chain');
    expect((await runtime.get('default', 'acme.chain')).metrics.errors).toBeGreaterThan(0);
    await runtime.uninstall('default', 'acme.chain');
    await runtime.install('default', chain, { limits: { hostCallsPerRequest: 4 } });
    await records().create('account', { name: 'Chained' });
    await runtime.uninstall('default', 'acme.chain');
  });

  it('run after-hooks without holding the write; their failures are logged and counted', async () => {
    const slow = await pack({
      id: 'acme.after',
      source: `{ hooks: { account: { afterCreate: () => new Promise(() => {}) } } }`,
    });
    await runtime.install('default', slow, { limits: { wallTimeMs: 1500 } });
    const started = Date.now();
    await records().create('account', { name: 'Quick' });
    expect(Date.now() - started).toBeLessThan(1000);
    await runtime.drain();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    const [plugin] = (await runtime.list('default')).filter((p) => p.id === 'acme.after');
    expect(plugin!.metrics).toMatchObject({ errors: 1, afterHookErrors: 1, lastError: { code: 'LIMIT_EXCEEDED' } });
    await runtime.uninstall('default', 'acme.after');
  });

  it('skips a disabled plugin, and a restart reloads plugins keeping their disables', async () => {
    const strict = await pack({
      id: 'acme.strict',
      source: `{ hooks: { account: { beforeCreate(ctx) { if (ctx.values.name === 'x') ctx.reject({ name: 'no x' }); } } } }`,
    });
    await runtime.install('default', strict);
    await expect(records().create('account', { name: 'x' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await runtime.disable('default', 'acme.strict', 'maintenance');
    await records().create('account', { name: 'x' });
    await runtime.close();
    runtime = fixture.runtime = await PluginRuntime.start({ engine, onLog: () => {} });
    expect(await runtime.get('default', 'acme.strict')).toMatchObject({
      enabled: false,
      disabledReason: 'maintenance',
    });
    await records().create('account', { name: 'x' });
    await runtime.enable('default', 'acme.strict');
    await expect(records().create('account', { name: 'x' })).rejects.toMatchObject({
      issues: [{ path: 'input.name', message: 'no x' }],
    });
  });

  it('records a code-only upgrade as a metadata version and refuses going back', async () => {
    const next = await pack({
      id: 'acme.strict',
      version: '1.0.1',
      source: `{ hooks: { account: { beforeCreate(ctx) { if (ctx.values.name === 'y') ctx.reject({ name: 'no y' }); } } } }`,
    });
    const result = await runtime.upgrade('default', next);
    expect(result.change).toMatchObject({ applied: true, plan: { steps: [] } });
    expect((await engine.history('default'))[0]!.reason).toBe('plugin acme.strict@1.0.1');
    await records().create('account', { name: 'x' });
    await expect(records().create('account', { name: 'y' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(runtime.upgrade('default', next)).rejects.toMatchObject({
      issues: [{ path: 'manifest.version', message: 'must be newer than the installed version 1.0.1' }],
    });
    await runtime.uninstall('default', 'acme.strict');
    expect(await runtime.list('default')).toEqual([]);
  });
});
