// Metadata as code through the `touchpoint` command as an admin runs it: a real process, real PostgreSQL
// databases (one per instance), real files. Export → apply on a fresh instance → export must be the same
// bytes, with and without a plugin; changes are planned by stable id; bad files change nothing.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPluginTestbed, type PluginTestbed } from '@touchpoint/api';
import { createTestDatabase, type TestDatabase } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tp-cli-metadata-'));
const databases: TestDatabase[] = [];
const beds: PluginTestbed[] = [];

interface Instance {
  url?: string;
  dataDir?: string;
}

function touchpoint(instance: Instance, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--no-node-snapshot', bin, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      DATABASE_URL: instance.url ?? '',
      TOUCHPOINT_DATA_DIR: instance.dataDir ?? join(dir, 'unused-data'),
    },
    timeout: 180_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

async function fresh(): Promise<Instance> {
  const database = await createTestDatabase('tp_climeta');
  databases.push(database);
  return { url: database.url, dataDir: database.dataDir };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const exported = (instance: Instance) => {
  const result = touchpoint(instance, 'metadata', 'export');
  expect(result.code, result.err).toBe(0);
  return result.out;
};

// What a designer sends: every flag spelled out, `required: false` included.
const DESIGNER_CHANGES = `- op: addField
  entity: account
  field: { name: acmeRegion, type: text, labels: { en: Region, zh-CN: 区域 }, required: false, unique: false }
- op: createEntity
  entity:
    name: gadget
    labels: { en: Gadget, zh-CN: 小工具 }
    titleField: title
    fields:
      - { name: title, type: text, labels: { en: Title, zh-CN: 标题 }, required: true, unique: false, readOnly: false }
      - { name: weight, type: integer, labels: { en: Weight, zh-CN: 重量 }, required: false }
      - { name: keeper, type: relation, labels: { en: Keeper, zh-CN: 保管人 }, relation: { target: user, kind: manyToOne } }
- op: createRole
  role:
    name: gadgetKeeper
    labels: { en: Gadget keeper, zh-CN: 工具管理员 }
    reportsTo: salesManager
    objects: { gadget: { read: true, edit: true, create: true }, "*": { read: true } }
    fields: { account: { acmeRegion: readOnly } }
- op: updateRole
  role: salesRep
  patch: { fields: { account: { annualProfit: hidden, taxId: readOnly, acmeRegion: hidden } } }
- op: setEntitySharing
  entity: gadget
  sharing: { default: private, ownerField: keeper }
- op: addSharingRule
  rule:
    name: eastAccounts
    labels: { en: East accounts, zh-CN: 华东客户 }
    entity: account
    condition: { acmeRegion: { eq: east } }
    role: gadgetKeeper
    access: read
`;

afterAll(async () => {
  for (const bed of beds) await bed.close().catch(() => {});
  for (const database of databases) await database.drop().catch(() => {});
});

describe('touchpoint metadata export | apply | diff', { timeout: 600_000 }, () => {
  let a: Instance;
  let b: Instance;
  let first: string;

  beforeAll(async () => {
    [a, b] = [await fresh(), await fresh()];
    const applied = touchpoint(a, 'metadata', 'apply', file('designer.yaml', DESIGNER_CHANGES));
    expect(applied.code, applied.err).toBe(0);
    first = exported(a);
  }, 300_000);

  it('exports only the admin layer, without the defaults a designer sends', () => {
    expect(first).toMatch(/^# Touchpoint metadata/);
    expect(first).toContain('extends: account');
    expect(first).toMatch(/acmeRegion:\n\s+type: text\n\s+id: fld_[0-9a-f]+/);
    expect(first).toMatch(/name: gadget\nid: ent_[0-9a-f]+/);
    // Core entities are not repeated (the account's own fields are not in the file) and no default is written.
    expect(first).not.toMatch(/^name: account$/m);
    expect(first).not.toContain('industry');
    expect(first).not.toMatch(/required: false|unique: false|readOnly: false/);
    // Roles and sharing: the new role whole (with its id), the changed core role whole, the changed settings.
    expect(first).toMatch(/kind: role\nname: gadgetKeeper\nid: role_[0-9a-f]{12}\n/);
    expect(first).toContain('  "*": { read: true }\n  gadget: { read: true, create: true, edit: true }\n');
    expect(first).toMatch(/# salesRep comes from the core schemas[^\n]*\nkind: role\nname: salesRep\n/);
    expect(first).not.toMatch(/name: (salesManager|admin|readOnly)$/m);
    expect(first).toMatch(
      /kind: sharing\nentities:\n {2}gadget: \{ default: private, ownerField: keeper \}\nrules:\n {2}- name: eastAccounts\n {4}id: rule_/,
    );
    expect(first).not.toContain('source:');
  });

  it('regression: apply accepts what export wrote (no "Source contains multiple documents")', () => {
    const path = file('a.yaml', first);
    const diff = touchpoint(b, 'metadata', 'diff', path);
    expect(diff.code, diff.err).toBe(0);
    expect(diff.err).not.toMatch(/multiple documents/);
    expect(diff.out).toContain('Create the entity "gadget" with 3 fields.');
    expect(diff.out).toContain('Add the text field "acmeRegion" to "account".');
    expect(diff.out).toContain('Create the role "gadgetKeeper".');
    expect(diff.out).toContain('Change fields of the role "salesRep".');
    expect(diff.out).toContain('Set the sharing of "gadget" to private.');
    expect(diff.out).toContain('Add the sharing rule "eastAccounts"');
    // diff changed nothing
    expect(exported(b)).not.toContain('gadget');
  });

  it('round-trips byte for byte: export → apply on a fresh instance → export, ids carried across', () => {
    const applied = touchpoint(b, 'metadata', 'apply', file('a.yaml', first));
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toMatch(/Applied: version \d+/);
    expect(exported(b)).toBe(first);
    const again = touchpoint(b, 'metadata', 'diff', file('a.yaml', first));
    expect(again.out).toContain('Nothing to change: the workspace matches the file.');
    // The folder form reads back the same.
    const folder = join(dir, 'folder-a');
    expect(touchpoint(a, 'metadata', 'export', '--out', folder).code).toBe(0);
    expect(readFileSync(join(folder, 'entities', 'gadget.yaml'), 'utf8')).toMatch(/^name: gadget/);
    expect(readFileSync(join(folder, 'entities', 'account.yaml'), 'utf8')).toContain('extends: account');
    expect(readFileSync(join(folder, 'permissions', 'role-gadgetKeeper.yaml'), 'utf8')).toMatch(/^kind: role\n/);
    expect(readFileSync(join(folder, 'permissions', 'sharing.yaml'), 'utf8')).toContain('kind: sharing');
    expect(touchpoint(b, 'metadata', 'diff', folder).out).toContain('Nothing to change');
  });

  it('regression: an exported entity pasted into a createEntity change is accepted', async () => {
    const c = await fresh();
    const start = first.indexOf('name: gadget');
    const gadget = first.slice(start, first.indexOf('\n---', start) + 1);
    const pasted = gadget.replace('name: gadget', 'name: widget').replace(/^id: .*\n/m, '');
    const change = `- op: createEntity\n  entity:\n${pasted
      .split('\n')
      .map((line) => (line ? `    ${line}` : line))
      .join('\n')}`;
    const result = touchpoint(c, 'metadata', 'apply', file('pasted.yaml', change));
    expect(result.code, result.err).toBe(0);
    expect(result.err).not.toMatch(/TypeError/);
    expect(exported(c)).toMatch(/name: widget\nid: ent_/);
  });

  it('gives entities and fields written without ids the same ids on every instance', async () => {
    const handWritten = file(
      'hand.yaml',
      `name: device\nlabels: { en: Device, zh-CN: 设备 }\ntitleField: serial\nfields:\n  serial: { type: text, labels: { en: Serial, zh-CN: 序列号 }, required: true }\n---\nextends: account\nfields:\n  acmeTier: { type: text, labels: { en: Tier, zh-CN: 等级 } }\n`,
    );
    const [c, d] = [await fresh(), await fresh()];
    expect(touchpoint(c, 'metadata', 'apply', handWritten).code).toBe(0);
    expect(touchpoint(d, 'metadata', 'apply', handWritten).code).toBe(0);
    const fromC = exported(c);
    // Derived ids (<entity>, <entity>.<field>) are the defaults, so none is written and both agree.
    expect(fromC).not.toMatch(/\bid:/);
    expect(exported(d)).toBe(fromC);
  });

  it('renames by id, and removes only with --confirm-destructive (nothing changed without it)', () => {
    const edited = first
      .replace('  acmeRegion:', '  acmeArea:')
      .replace('{ en: Region, zh-CN: 区域 }', '{ en: Area, zh-CN: 地区 }')
      .replace(/---\nname: gadget[\s\S]*$/, '');
    const path = file('edited.yaml', edited);
    const before = exported(b);
    const refused = touchpoint(b, 'metadata', 'apply', path);
    expect(refused.code).toBe(4);
    expect(refused.out).toContain('Rename the field "account.acmeRegion" to "acmeArea"');
    expect(refused.out).toMatch(/\[DESTRUCTIVE\] Remove the entity "gadget"/);
    expect(refused.err).toMatch(/CONFIRMATION_REQUIRED/);
    expect(exported(b)).toBe(before);
    expect(touchpoint(b, 'metadata', 'diff', path).code).toBe(4);
    const confirmed = touchpoint(b, 'metadata', 'apply', path, '--confirm-destructive');
    expect(confirmed.code, confirmed.err).toBe(0);
    const after = exported(b);
    expect(after).not.toContain('gadget');
    // The same field, renamed: its id stayed.
    const id = /acmeRegion:\n\s+type: text\n\s+id: (fld_[0-9a-f]+)/.exec(first)?.[1];
    expect(after).toMatch(new RegExp(`acmeArea:\\n\\s+type: text\\n\\s+id: ${id}`));
  });

  it('refuses hostile files with the file and line, applying nothing', () => {
    const before = exported(a);
    const hostile: [string, string, RegExp][] = [
      ['huge.yaml', `# ${'x'.repeat(5 * 1024 * 1024)}\n`, /too large.*\n.*at most 4194304 bytes/],
      [
        'deep.yaml',
        `name: deep\nlabels: ${'{ a: '.repeat(200)}1${' }'.repeat(200)}\n`,
        /deep\.yaml.*(line \d+|nested more than)/,
      ],
      [
        'bomb.yaml',
        `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n`,
        /bomb\.yaml: line 1, column 1: refused: .*alias/i,
      ],
      [
        'proto.yaml',
        `name: sneaky\nlabels: { en: S, zh-CN: S }\ntitleField: t\n__proto__: { polluted: true }\nfields:\n  t: { type: text, labels: { en: T, zh-CN: T } }\n`,
        /proto\.yaml: __proto__: unknown key "__proto__".*\(line 4, column \d+\)/,
      ],
      [
        'unknown.yaml',
        `extends: account\nfields:\n  acmeRegion: { extends: acmeRegion, colour: red }\n`,
        /unknown\.yaml: fields\.acmeRegion\.colour \(line 3, column \d+\): "colour" cannot be changed/,
      ],
      ['nowhere.yaml', `extends: nowhere\n`, /nowhere\.yaml:1: extends: no core or plugin entity is named "nowhere"/],
    ];
    for (const [name, text, message] of hostile) {
      const result = touchpoint(a, 'metadata', 'apply', file(name, text), '--confirm-destructive');
      expect(result.code, `${name}: ${result.err}`).toBe(3);
      expect(result.err, name).toMatch(message);
      expect(result.err, name).not.toMatch(/TypeError|INTERNAL/);
    }
    // A device never ends: refused before it is read.
    const device = touchpoint(a, 'metadata', 'apply', '/dev/zero');
    expect(device.code).toBe(3);
    expect(device.err).toMatch(/\/dev\/zero is not a file/);
    expect(exported(a)).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('touchpoint metadata with a plugin installed', { timeout: 600_000 }, () => {
  it('leaves the plugin’s entities and fields out, marks its entity, and round-trips byte for byte', async () => {
    const plugin = fileURLToPath(new URL('../plugins/asset-tracking', import.meta.url));
    const [one, two] = [await createPluginTestbed({ dir: plugin }), await createPluginTestbed({ dir: plugin })];
    beds.push(one, two);
    const [a, b] = [{ url: one.database.url, dataDir: one.database.dataDir }, { url: two.database.url }];
    const changes = file(
      'plugin-changes.yaml',
      `- op: addField\n  entity: asset\n  field: { name: acmeRack, type: text, labels: { en: Rack, zh-CN: 机架 }, required: false }\n- op: updateField\n  entity: case\n  field: assetTrackingBillable\n  patch: { labels: { en: Charged, zh-CN: 计费 } }\n`,
    );
    expect(touchpoint(a, 'metadata', 'apply', changes).code).toBe(0);
    const text = exported(a);
    expect(text).toContain('plugins (touchpoint.asset-tracking)');
    expect(text).toContain('# asset comes from plugin:touchpoint.asset-tracking');
    expect(text).toMatch(/extends: asset\nfields:\n {2}acmeRack:/);
    expect(text).toMatch(/assetTrackingBillable:\n\s+extends: assetTrackingBillable\n\s+labels: \{ en: Charged/);
    expect(text).toContain('# assetTrackingBillable was added by plugin:touchpoint.asset-tracking.');
    // The plugin's own definitions are not repeated.
    expect(text).not.toContain('assetTrackingAsset');
    expect(text).not.toMatch(/serialNumber|warrantyEnd/);
    const applied = touchpoint(b, 'metadata', 'apply', file('plugin-a.yaml', text));
    expect(applied.code, applied.err).toBe(0);
    expect(exported(b)).toBe(text);
  });
});

describe('the embedded database’s data directory', { timeout: 600_000 }, () => {
  let server: ChildProcess | undefined;
  afterAll(() => {
    if (server?.pid && server.exitCode === null) server.kill('SIGKILL');
  });

  it('refuses to open a data directory a running server holds, naming its pid; a dead holder’s lock is taken over', async () => {
    const dataDir = join(dir, 'embedded');
    mkdirSync(dataDir, { recursive: true });
    const embedded = { dataDir };
    // A lock left by a process that is gone does not stand in the way.
    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    writeFileSync(join(dataDir, 'touchpoint.pid'), JSON.stringify({ pid: gone.pid, command: 'x', since: 'then' }));
    expect(touchpoint(embedded, 'metadata', 'export').code).toBe(0);
    expect(existsSync(join(dataDir, 'touchpoint.pid'))).toBe(false);

    server = spawn(process.execPath, ['--no-node-snapshot', bin, 'start', '--port', '0'], {
      env: { ...process.env, DATABASE_URL: '', TOUCHPOINT_DATA_DIR: dataDir, TOUCHPOINT_WEB_DIR: join(dir, 'no-web') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((ready, failed) => {
      server!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Touchpoint is ready')) ready();
      });
      server!.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      server!.once('exit', (code) => failed(new Error(`the server exited (${code}): ${output}`)));
    });
    const refused = touchpoint(embedded, 'metadata', 'export');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`in use by another Touchpoint process (pid ${server.pid}`);
    expect(refused.err).toMatch(/Stop that process first/);
    const stopped = new Promise((done) => server!.once('exit', done));
    server.kill('SIGTERM');
    await stopped;
    expect(touchpoint(embedded, 'metadata', 'export').code).toBe(0);
  });
});
