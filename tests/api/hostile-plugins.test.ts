// The hostile-plugin suite: plugins and archives written to abuse the server, each built and installed
// through the real install path (packPluginFolder → installPlugin over HTTP) on a real database. Every case
// asserts the refusal — its code and what its message names — and that the refusal changed nothing.
// Counts, never timings: nothing here depends on the wall clock.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PluginRuntime, type PluginRuntimeOptions, packPluginFolder } from '@touchpoint/plugin-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, type Harness, startHarness } from './harness.ts';

const dirs: string[] = [];
let h: Harness;
/** What the runtime logged about plugins (their own lines and its warnings about them). */
const logged: Parameters<NonNullable<PluginRuntimeOptions['onLog']>>[0][] = [];

beforeAll(async () => {
  h = await startHarness({ plugins: { onLog: (entry) => logged.push(entry) } });
});
afterAll(async () => {
  await h?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A plugin folder in a temporary directory: `files` relative to it. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tp-hostile-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const manifest = (id: string, records: string) =>
  `id: ${id}\nversion: 1.0.0\nlabels: { en: Test, zh-CN: 测试 }\ndescription: { en: A hostile test plugin. }\ntouchpoint: "^0.1.0"\ncapabilities:\n  records: ${records}\n`;

/** A plugin whose `src/index.ts` is `definePlugin(<definition>)`. */
async function plugin(id: string, records: string, definition: string, files: Record<string, string> = {}) {
  const source = `import { definePlugin } from '@touchpoint/plugin-sdk';\nexport default definePlugin(${definition});\n`;
  const dir = folder({ 'plugin.yaml': manifest(id, records), 'src/index.ts': source, ...files });
  return (await packPluginFolder(dir)).archive;
}

const INSTALL = `mutation($a: JSON!, $g: JSON, $l: JSON) { installPlugin(archive: $a, grants: $g, limits: $l) { applied plugin { id } } }`;

function errorOf(result: GraphQLResponse) {
  expect(result.errors, 'expected an error').toBeDefined();
  return result.errors![0]!;
}

/** A new workspace per case, so one hostile plugin never sees another. */
let workspaces = 0;
async function workspace(): Promise<string> {
  const slug = `hostile${++workspaces}`;
  await h.ok(`mutation { createWorkspace(slug: "${slug}", name: "Hostile ${workspaces}") { slug } }`);
  return slug;
}

/** The signed-in admin's user id in a workspace: the actor the effect chains name. */
async function me(ws: string): Promise<string> {
  return (await h.ok<{ viewer: { id: string } }>('{ viewer { id } }', {}, { workspace: ws })).viewer.id;
}

/** What a refusal must leave as it was: the metadata version, the installed plugins, the records. */
async function snapshot(ws: string) {
  const data = await h.ok<Record<string, unknown>>(
    `{ metadataVersion plugins { id version enabled } accounts { totalCount } contacts { totalCount } }`,
    {},
    { workspace: ws },
  );
  const rows = await h.engine.db.query<{ n: number }>(
    `select count(*)::int as n from touchpoint.plugin_installation i join touchpoint.workspace w on w.id = i.workspace_id where w.slug = $1`,
    [ws],
  );
  return { ...data, installationRows: rows[0]!.n };
}

describe('hostile plugins: limits a package asks for', () => {
  it('refuses limits beyond the host maximums at install, naming each path, value and allowed range', async () => {
    const ws = await workspace();
    const archive = await plugin('evil.greedy', '{ account: [read] }', '{}');
    const before = await snapshot(ws);
    const huge = errorOf(
      await h.gql(
        INSTALL,
        { a: archive, l: { memoryMb: 1e6, cpuTimeMs: 2 ** 31 - 1, wallTimeMs: 2 ** 31 - 1, hostCallsPerRequest: 1e9 } },
        { workspace: ws },
      ),
    );
    expect(huge.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [
        { path: 'limits.memoryMb', message: 'is 1000000; allowed is a whole number from 8 to 512 (MB)' },
        { path: 'limits.cpuTimeMs', message: 'is 2147483647; allowed is a whole number from 1 to 10000 (ms)' },
        { path: 'limits.wallTimeMs', message: 'is 2147483647; allowed is a whole number from 1 to 60000 (ms)' },
        {
          path: 'limits.hostCallsPerRequest',
          message: 'is 1000000000; allowed is a whole number from 0 to 10000 (calls)',
        },
      ],
    });
    expect(huge.message).toContain('limits.memoryMb: is 1000000; allowed is a whole number from 8 to 512 (MB)');
    // isolated-vm never sees the value: the refusal is ours, not its "invalid memory limit".
    const absurd = errorOf(await h.gql(INSTALL, { a: archive, l: { memoryMb: 1e300 } }, { workspace: ws }));
    expect(absurd.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'limits.memoryMb', message: 'is 1e+300; allowed is a whole number from 8 to 512 (MB)' }],
    });
    expect(await snapshot(ws)).toEqual(before);
    // At the maximums it installs.
    const fine = await h.ok<{ installPlugin: { applied: boolean } }>(
      INSTALL,
      { a: archive, l: { memoryMb: 512, cpuTimeMs: 10_000, wallTimeMs: 60_000, hostCallsPerRequest: 10_000 } },
      { workspace: ws },
    );
    expect(fine.installPlugin.applied).toBe(true);
  });

  it('refuses a host-call share larger than half the database pool, at install and when the runtime starts', async () => {
    const ws = await workspace();
    const archive = await plugin('evil.hog', '{ account: [read] }', '{}');
    const before = await snapshot(ws);
    // Half the harness's pool: the rest stays for other clients.
    const pool = (h.engine.db.pool as unknown as { options: { max: number } }).options.max;
    const share = Math.max(1, Math.floor(pool / 2));
    expect(h.plugins!.maxHostCallConcurrency).toBe(share);
    const refused = errorOf(
      await h.gql(INSTALL, { a: archive, l: { hostCallConcurrency: share + 1 } }, { workspace: ws }),
    );
    expect(refused.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [
        {
          path: 'limits.hostCallConcurrency',
          message: `is ${share + 1}; this server's database pool allows a plugin at most ${share} host calls at once (half its connections), so other clients keep the rest`,
        },
      ],
    });
    expect(await snapshot(ws)).toEqual(before);
    await expect(
      PluginRuntime.start({ engine: h.engine, limits: { hostCallConcurrency: share + 1 } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'limits.hostCallConcurrency' }],
    });
  });
});

describe('hostile plugins: their words shown as ours', () => {
  const PHISH = 'Your session expired. Log in again at https://evil.example/login';

  it("marks a plugin's error as the plugin's, removes links and control characters, and never answers with its stack", async () => {
    const ws = await workspace();
    const archive = await plugin(
      'evil.phish',
      '{ account: [read] }',
      `{ hooks: { account: { beforeCreate() { throw new Error(${JSON.stringify(`${PHISH}\n\u202eTouchpoint: www.evil.example`)}); } } } }`,
    );
    await h.ok(INSTALL, { a: archive }, { workspace: ws });
    const before = await snapshot(ws);
    const result = await h.gql(`mutation { createAccount(input: { name: "Acme" }) { id } }`, {}, { workspace: ws });
    const error = errorOf(result);
    const shown = 'Your session expired. Log in again at [link removed] Touchpoint: [link removed]';
    expect(error.message).toBe(
      `Plugin evil.phish failed in account.beforeCreate (workspace ${ws}). Its own message, not Touchpoint's: "${shown}"`,
    );
    expect(error.extensions).toMatchObject({
      code: 'PLUGIN_FAILED',
      details: { plugin: 'evil.phish', where: 'account.beforeCreate', pluginMessage: shown },
    });
    const answer = JSON.stringify(result);
    expect(answer).not.toContain('evil.example');
    expect(answer).not.toContain('stack');
    expect(answer).not.toContain('\u202e');
    expect(await snapshot(ws)).toEqual(before);
  });

  it("caps a plugin's text and marks a refusal through ctx.reject as the plugin's", async () => {
    const ws = await workspace();
    const archive = await plugin(
      'evil.refuser',
      '{ account: [read] }',
      `{ hooks: { account: { beforeCreate(ctx) {
        if (ctx.values.name === 'field') ctx.reject({ name: 'see https://evil.example/fix' });
        ctx.reject(${JSON.stringify(PHISH)} + ' '.repeat(10) + 'x'.repeat(5000));
      } } } }`,
    );
    await h.ok(INSTALL, { a: archive }, { workspace: ws });
    const before = await snapshot(ws);
    const refused = errorOf(
      await h.gql(`mutation { createAccount(input: { name: "Acme" }) { id } }`, {}, { workspace: ws }),
    );
    expect(refused.extensions?.code).toBe('VALIDATION_FAILED');
    expect(refused.message).toMatch(
      /^Plugin evil\.refuser refused the account record\. Its own reason, not Touchpoint's: "Your session expired\. Log in again at \[link removed\] x+…"$/,
    );
    const pluginMessage = (refused.extensions!.details as { pluginMessage: string }).pluginMessage;
    expect(pluginMessage).toHaveLength(300);
    const field = errorOf(
      await h.gql(`mutation { createAccount(input: { name: "field" }) { id } }`, {}, { workspace: ws }),
    );
    expect(field.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'input.name', message: 'see [link removed]' }],
    });
    expect(await snapshot(ws)).toEqual(before);
  });
});

/** An archive changed by hand and sealed again, as a hostile partner can: the seal is no signature. */
function tampered(archive: unknown, metadata: { path: string; text: string }[]): Record<string, unknown> {
  const { format, manifest, bundle } = archive as { format: string; manifest: unknown; bundle: string };
  const sha256 = createHash('sha256')
    .update(JSON.stringify([format, manifest, metadata, bundle]))
    .digest('hex');
  return { format, manifest, metadata, bundle, sha256 };
}

describe('hostile archives: metadata paths and sizes', () => {
  const FIELDS = 'entity: account\nfields: {}\n';

  it('refuses entries whose path climbs out, hides a NUL or a control character, is absolute or uses backslashes', async () => {
    const ws = await workspace();
    const archive = await plugin('evil.paths', '{ account: [read] }', '{}');
    const before = await snapshot(ws);
    const cases: [string, string][] = [
      ['metadata/entities/../../../etc/passwd.yaml', 'contains ".."'],
      ['metadata/fields/account.yaml\u0000.sh', 'contains a NUL byte or another control character'],
      ['metadata/fields/\u001b[31maccount.yaml', 'contains a NUL byte or another control character'],
      ['/metadata/fields/account.yaml', 'is absolute; paths are relative to the plugin folder'],
      ['metadata\\fields\\account.yaml', 'contains a backslash; paths use /'],
      ['metadata/fields/./account.yaml', 'has an empty, "." or hidden segment'],
      [
        'metadata/fields/account.yaml.js',
        'must be a .yaml file under metadata/entities/, metadata/fields/ or metadata/permissions/',
      ],
    ];
    for (const [path, why] of cases) {
      const refused = errorOf(
        await h.gql(
          INSTALL,
          {
            a: tampered(archive, [
              { path: 'metadata/fields/ok.yaml', text: FIELDS },
              { path, text: FIELDS },
            ]),
          },
          { workspace: ws },
        ),
      );
      expect(refused.extensions?.code, path).toBe('VALIDATION_FAILED');
      if (path.includes('\u0000')) {
        // A NUL byte is refused at the API's door already, in any argument, before the archive is read.
        expect(refused.extensions?.issues).toEqual([
          { path: 'a.metadata[1].path', message: expect.stringContaining('must not contain the NUL character') },
        ]);
        continue;
      }
      expect(refused.extensions?.issues).toEqual([
        { path: 'metadata[1].path', message: expect.stringContaining(`the entry ${JSON.stringify(path)} ${why}`) },
      ]);
      expect(refused.message).toContain('The plugin archive is not valid:');
    }
    expect(await snapshot(ws)).toEqual(before);
  });

  it('refuses an archive with too many entries or too much unpacked metadata', async () => {
    const ws = await workspace();
    const archive = await plugin('evil.bulky', '{ account: [read] }', '{}');
    const before = await snapshot(ws);
    const many = Array.from({ length: 201 }, (_, i) => ({ path: `metadata/fields/f${i}.yaml`, text: FIELDS }));
    const tooMany = errorOf(await h.gql(INSTALL, { a: tampered(archive, many) }, { workspace: ws }));
    expect(tooMany.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'metadata', message: 'holds 201 files; at most 200 are allowed' }],
    });
    const big = [0, 1, 2].map((i) => ({ path: `metadata/fields/big${i}.yaml`, text: `# ${'x'.repeat(700_000)}\n` }));
    const tooBig = errorOf(await h.gql(INSTALL, { a: tampered(archive, big) }, { workspace: ws }));
    expect(tooBig.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'metadata', message: 'unpacks to 2100009 characters; at most 2000000 are allowed' }],
    });
    expect(await snapshot(ws)).toEqual(before);
  });
});

describe('hostile plugins: chains of effects', () => {
  const accounts = async (ws: string) =>
    (await h.ok<{ accounts: { totalCount: number } }>(`{ accounts { totalCount } }`, {}, { workspace: ws })).accounts
      .totalCount;

  it('an afterCreate hook creating a record per record created is stopped at depth 8', async () => {
    const ws = await workspace();
    const archive = await plugin(
      'evil.echo',
      '{ account: [read, create] }',
      `{ hooks: { account: { async afterCreate(ctx) { await ctx.host.records.create('account', { name: 'echo' }); } } } }`,
    );
    await h.ok(INSTALL, { a: archive }, { workspace: ws });
    await h.ok(`mutation { createAccount(input: { name: "Seed" }) { id } }`, {}, { workspace: ws });
    await h.plugins!.drain();
    // The user's account, then one per after-hook of depth 1 … 8; the ninth is refused before it runs.
    expect(await accounts(ws)).toBe(9);
    const { plugins } = await h.ok<{ plugins: { metrics: { afterHookErrors: number } }[] }>(
      `{ plugins { metrics { afterHookErrors } } }`,
      {},
      { workspace: ws },
    );
    expect(plugins[0]!.metrics.afterHookErrors).toBe(1);
    expect(logged.filter((l) => l.workspace === ws).map((l) => l.message)).toEqual([
      expect.stringContaining(
        `The chain of plugin effects started by ${await me(ws)} writing account nested more than 8 plugin calls deep and was stopped at evil.echo account.afterCreate`,
      ),
    ]);
    await h.plugins!.drain();
    expect(await accounts(ws)).toBe(9);
  });

  it('a beforeCreate hook writing the record it guards is refused at depth 8, and nothing is written', async () => {
    const ws = await workspace();
    const archive = await plugin(
      'evil.mirror',
      '{ account: [read, create] }',
      `{ hooks: { account: { async beforeCreate(ctx) { await ctx.host.records.create('account', { name: 'mirror' }); } } } }`,
    );
    await h.ok(INSTALL, { a: archive }, { workspace: ws });
    const before = await snapshot(ws);
    const refused = errorOf(
      await h.gql(`mutation { createAccount(input: { name: "Seed" }) { id } }`, {}, { workspace: ws }),
    );
    expect(refused.extensions).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'maxDepth', value: 8, origin: `${await me(ws)} writing account` },
    });
    expect(refused.message).toBe(
      `The chain of plugin effects started by ${await me(ws)} writing account nested more than 8 plugin calls deep and was stopped at evil.mirror account.beforeCreate (chain: evil.mirror account.beforeCreate → evil.mirror account.beforeCreate → … → evil.mirror account.beforeCreate → evil.mirror account.beforeCreate).`,
    );
    await h.plugins!.drain();
    expect(await snapshot(ws)).toEqual(before);
  });

  it('an action whose writes run hooks is stopped after 200 plugin calls in one request', async () => {
    const ws = await workspace();
    const seed = (
      await h.ok<{ createAccount: { id: string } }>(
        `mutation { createAccount(input: { name: "Seed" }) { id } }`,
        {},
        { workspace: ws },
      )
    ).createAccount.id;
    const archive = await plugin(
      'evil.fanout',
      '{ account: [read, create] }',
      `{ hooks: { account: { beforeCreate() {} } },
         actions: { flood: { entity: 'account', input: {}, async run(ctx) {
           for (let i = 0; i < 300; i++) await ctx.host.records.create('account', { name: 'flood ' + i });
         } } } }`,
    );
    await h.ok(INSTALL, { a: archive }, { workspace: ws });
    const refused = errorOf(
      await h.gql(
        `mutation($r: ID!) { runAction(plugin: "evil.fanout", action: "flood", recordId: $r) }`,
        { r: seed },
        { workspace: ws },
      ),
    );
    expect(refused.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'maxCalls', value: 200 } });
    expect(refused.message).toContain(
      `The chain of plugin effects started by ${await me(ws)} running evil.fanout action flood made more than 200 plugin calls and was stopped at evil.fanout account.beforeCreate`,
    );
    // The action is call 1, the hooks of its first 199 writes calls 2-200; the 200th write was refused.
    expect(await accounts(ws)).toBe(1 + 199);
  });
});

describe('hostile plugins: reading past their grants', () => {
  const ORACLE = `{ contacts: { some: { email: { contains: '@' } } } }`;
  /** A before-hook on account that runs `read`, catching a refusal and writing its code and message into the name. */
  const probe = (read: string) =>
    `{ hooks: { account: { async beforeCreate(ctx) {
      if (ctx.values.name !== 'probe') { await ${read}; return; }
      try { await ${read}; ctx.values.name = 'read it'; } catch (e) { ctx.values.name = e.code + ': ' + e.message; }
    } } } }`;

  async function names(ws: string): Promise<string[]> {
    const { accounts } = await h.ok<{ accounts: { nodes: { name: string }[] } }>(
      `{ accounts(orderBy: [{ field: createdAt, direction: asc }]) { nodes { name } } }`,
      {},
      { workspace: ws },
    );
    return accounts.nodes.map((n) => n.name);
  }

  it('a relation filter reaching contacts is refused FORBIDDEN before it runs, naming the entity and the capability', async () => {
    const ws = await workspace();
    await h.ok(
      `mutation { createContact(input: { firstName: "Li", lastName: "Wei", email: "li.wei@secret.example" }) { id } }`,
      {},
      { workspace: ws },
    );
    const archive = await plugin(
      'evil.oracle',
      '{ account: [read, create], contact: [read] }',
      probe(`ctx.host.records.list('account', { filter: ${ORACLE} })`),
    );
    await h.ok(INSTALL, { a: archive, g: { records: { account: ['read', 'create'] } } }, { workspace: ws });
    await h.ok(`mutation { createAccount(input: { name: "probe" }) { id } }`, {}, { workspace: ws });
    const expected = `plugin evil.oracle may not read contact records in workspace ${ws}, which filter.contacts reaches (it needs read on contact); it was granted account: read, create`;
    expect(await names(ws)).toEqual([`FORBIDDEN: ${expected}`]);
    // Uncaught, the refusal fails the write and says what was refused.
    const before = await snapshot(ws);
    const refused = errorOf(
      await h.gql(`mutation { createAccount(input: { name: "Acme" }) { id } }`, {}, { workspace: ws }),
    );
    expect(refused.extensions?.code).toBe('PLUGIN_FAILED');
    expect(refused.message).toBe(
      `Plugin evil.oracle failed in account.beforeCreate (workspace ${ws}): a host call was refused: ${expected}`,
    );
    expect(await snapshot(ws)).toEqual(before);
  });

  it('reaches through and/or/not, many-to-one filters, roll-up sorts and selected roll-ups are refused the same way', async () => {
    const ws = await workspace();
    const reads: [string, string, string][] = [
      [
        `ctx.host.records.list('account', { filter: { or: [{ name: { eq: 'x' } }, { not: ${ORACLE} }] } })`,
        'contact',
        'filter.or[1].not.contacts',
      ],
      [`ctx.host.records.list('account', { filter: { owner: { name: { eq: 'x' } } } })`, 'user', 'filter.owner'],
      [
        `ctx.host.records.list('account', { orderBy: [{ field: 'openCaseCount', direction: 'desc' }] })`,
        'case',
        'orderBy[0]',
      ],
      [`ctx.host.records.list('account', { fields: ['name', 'openCaseCount'] })`, 'case', 'fields[1]'],
    ];
    const archive = await plugin(
      'evil.reach',
      '{ account: [read, create] }',
      `{ hooks: { account: { async beforeCreate(ctx) {
        const reads = [${reads.map(([read]) => `() => ${read}`).join(', ')}];
        const seen = [];
        for (const read of reads) { try { await read(); seen.push('read it'); } catch (e) { seen.push(e.code + ' ' + e.message); } }
        const [plain] = (await ctx.host.records.list('account', { first: 1 })).records;
        seen.push(plain === undefined ? 'no account' : 'openCaseCount' in plain ? 'rollup shown' : 'rollup left out');
        ctx.values.description = JSON.stringify(seen);
      } } } }`,
    );
    await h.ok(`mutation { createAccount(input: { name: "First" }) { id } }`, {}, { workspace: ws });
    await h.ok(INSTALL, { a: archive }, { workspace: ws });
    await h.ok(`mutation { createAccount(input: { name: "Probe" }) { id } }`, {}, { workspace: ws });
    const { accounts } = await h.ok<{ accounts: { nodes: { description: string }[] } }>(
      `{ accounts(filter: { name: { eq: "Probe" } }) { nodes { description } } }`,
      {},
      { workspace: ws },
    );
    const seen = JSON.parse(accounts.nodes[0]!.description) as string[];
    expect(seen).toEqual([
      ...reads.map(
        ([, entity, path]) =>
          `FORBIDDEN plugin evil.reach may not read ${entity} records in workspace ${ws}, which ${path} reaches (it needs read on ${entity}); it was granted account: read, create`,
      ),
      'rollup left out',
    ]);
  });
});

describe('hostile plugins: flooding the host API', () => {
  const RUN = `mutation($r: ID!) { runAction(plugin: "evil.flood", action: "flood", recordId: $r) }`;

  it("1,000 parallel records.list hold at most 4 statements; others' reads answer meanwhile; the call's end cancels the rest", async (t) => {
    // The plugin's reads are held in PostgreSQL by a lock the test takes, so every count below is exact.
    // The embedded database has one connection: the lock would hold everything there.
    if (!h.database.url) t.skip();
    const ws = await workspace();
    const contact = (
      await h.ok<{ createContact: { id: string } }>(
        `mutation { createContact(input: { firstName: "Li", lastName: "Wei" }) { id } }`,
        {},
        { workspace: ws },
      )
    ).createContact.id;
    const archive = await plugin(
      'evil.flood',
      '{ account: [read], contact: [read] }',
      `{ actions: { flood: { entity: 'contact', input: {}, async run(ctx) {
        let refused = 0;
        const all = [];
        for (let i = 0; i < 1000; i++) {
          all.push(ctx.host.records.list('account', { first: 1 }).catch((e) => {
            if (++refused === 896) console.log('refused ' + refused + ': ' + e.code + ' ' + e.message);
          }));
        }
        await Promise.all(all);
      } } } }`,
    );
    // The budget leaves room for the log line, and the CPU limit for handling 1,000 replies on a loaded
    // machine: the call is to end at the wall-clock limit. The share is the default, 4.
    const limits = { wallTimeMs: 5_000, cpuTimeMs: 5_000, hostCallQueue: 100, hostCallsPerRequest: 2_000 };
    await h.ok(INSTALL, { a: archive, l: limits }, { workspace: ws });
    const usage = () => h.plugins!.bridge.usage(ws, 'evil.flood');

    const lock = await h.engine.db.pool.connect();
    try {
      await lock.query('begin');
      await lock.query(`lock table "ws_${ws}".account in access exclusive mode`);
      const flood = h.gql(RUN, { r: contact }, { workspace: ws });
      for (let i = 0; i < 500 && usage().running < 4; i++) await new Promise((r) => setTimeout(r, 10));
      expect(usage()).toEqual({ started: 4, running: 4, peak: 4 });
      // Another client's plain read answers while the plugin's four statements wait in the database.
      const read = await h.ok<{ contacts: { totalCount: number } }>(
        `{ contacts { totalCount } }`,
        {},
        { workspace: ws },
      );
      expect(read.contacts.totalCount).toBe(1);
      expect(usage()).toEqual({ started: 4, running: 4, peak: 4 });

      // The wall-clock limit ends the call: its 100 waiting host calls are refused without running.
      const refused = errorOf(await flood);
      expect(refused.extensions).toMatchObject({
        code: 'LIMIT_EXCEEDED',
        details: { plugin: 'evil.flood', limit: 'wallTimeMs', value: 5_000, where: 'action flood' },
      });
      // The four reads it had running are cancelled in PostgreSQL, while the lock still holds them there.
      for (let i = 0; i < 500 && usage().running > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(usage()).toEqual({ started: 4, running: 0, peak: 4 });
      const metrics = h.plugins!.host.metrics({ plugin: 'evil.flood', workspace: ws })[0]!;
      expect(metrics).toMatchObject({ hostCallsPeak: 4, hostCallsDropped: 100 });
      // Past the 4 running and the 100 waiting, the other 896 were refused at once, naming the limit.
      expect(logged.filter((l) => l.workspace === ws).map((l) => l.message)).toEqual([
        `refused 896: LIMIT_EXCEEDED Plugin evil.flood exceeded its queue of 100 host API calls waiting per call in action flood (workspace ${ws}): records.list on account was refused without running: 100 host calls of this call were already waiting for one of the plugin's 4 slots`,
      ]);
    } finally {
      await lock.query('commit');
      lock.release();
    }
    // Nothing of that call runs once the lock is gone.
    await h.ok(`{ accounts { totalCount } }`, {}, { workspace: ws });
    expect(usage()).toEqual({ started: 4, running: 0, peak: 4 });
  });
});
