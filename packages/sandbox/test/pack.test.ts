// From a plugin folder to a sealed archive and back into a running sandbox.
import { existsSync, readFileSync } from 'node:fs';
import { validateManifest } from '@touchpoint/plugin-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPlugin, PluginHost, packPlugin, pluginMetadata, readPluginArchive } from '../src/index.ts';
import { IMPORT, NODE_PATHS, removePluginDirs, writePlugin } from './fixtures.ts';

afterAll(removePluginDirs);

const MANIFEST = `id: acme.assets
version: 1.2.0
labels: { en: Assets, zh-CN: 资产 }
description: { en: Tracks the assets of each account. }
touchpoint: ">=0.1.0 <1.0.0"
capabilities:
  records:
    account: [read, update]
    asset: [read, create]
`;

const ASSET = `name: asset
labels: { en: Asset, zh-CN: 资产 }
pluralLabels: { en: Assets, zh-CN: 资产 }
titleField: name
fields:
  name:
    type: text
    labels: { en: Name, zh-CN: 名称 }
    required: true
`;

const ACCOUNT_FIELDS = `entity: account
fields:
  assetCount:
    type: integer
    labels: { en: Assets, zh-CN: 资产数 }
`;

const SOURCE = `${IMPORT}
import { normalize } from './normalize.ts';
export default definePlugin({ hooks: { asset: { beforeCreate(ctx) { ctx.values.name = normalize(String(ctx.values.name)); } } } });
`;

function pluginFolder(overrides: Record<string, string> = {}): string {
  return writePlugin({
    'plugin.yaml': MANIFEST,
    'metadata/entities/asset.yaml': ASSET,
    'metadata/fields/account.yaml': ACCOUNT_FIELDS,
    'src/index.ts': SOURCE,
    'src/normalize.ts': 'export const normalize = (s: string): string => s.trim().toUpperCase();\n',
    ...overrides,
  });
}

describe('buildPlugin', () => {
  it('bundles the entry and what it imports into one script', async () => {
    const { bundle } = await buildPlugin(pluginFolder(), { nodePaths: NODE_PATHS });
    expect(bundle).toContain('globalThis.__touchpointPlugin = __touchpointExports.default;');
    expect(bundle).not.toMatch(/\bimport\s|\brequire\(/);
  });

  it('refuses Node built-ins and unresolvable imports, naming the file and line', async () => {
    const dir = pluginFolder({
      'src/index.ts': `${IMPORT}import { readFileSync } from 'node:fs';\nexport default definePlugin({ hooks: { a: { beforeCreate: () => readFileSync('x') } } });\n`,
    });
    await expect(buildPlugin(dir, { nodePaths: NODE_PATHS })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'line 2, column 29', file: 'src/index.ts', message: 'Could not resolve "node:fs"' }],
    });
  });

  it('says what is missing in a folder without an entry', async () => {
    await expect(buildPlugin(writePlugin({ 'plugin.yaml': MANIFEST }))).rejects.toMatchObject({
      issues: [{ path: 'src/index.ts', message: expect.stringContaining('is missing') }],
    });
  });
});

describe('packPlugin', () => {
  it('packs manifest, metadata and bundle into a sealed archive that loads and runs', async () => {
    const outDir = writePlugin({});
    const { archive, file } = await packPlugin(pluginFolder(), { nodePaths: NODE_PATHS, validateManifest, outDir });
    expect(file).toMatch(/acme\.assets-1\.2\.0\.tpplugin\.json$/);
    expect(existsSync(file!)).toBe(true);
    expect(archive.manifest).toMatchObject({ id: 'acme.assets', version: '1.2.0' });
    expect(archive.metadata.map((f) => f.path)).toEqual([
      'metadata/entities/asset.yaml',
      'metadata/fields/account.yaml',
    ]);
    expect(archive.sha256).toMatch(/^[0-9a-f]{64}$/);

    const read = readPluginArchive(readFileSync(file!, 'utf8'));
    expect(read).toEqual(archive);
    const metadata = pluginMetadata(read.metadata);
    expect(metadata.entities.map((e) => e.name)).toEqual(['asset']);
    expect(metadata.fields).toEqual([
      {
        entity: 'account',
        field: { name: 'assetCount', type: 'integer', labels: { en: 'Assets', 'zh-CN': '资产数' } },
      },
    ]);

    const host = new PluginHost();
    try {
      const descriptor = await host.load({ manifest: read.manifest, bundle: read.bundle, workspace: 'w1' });
      expect(descriptor.hooks).toEqual({ asset: ['beforeCreate'] });
      expect(
        await host.runHook('acme.assets', 'w1', 'asset', 'beforeCreate', { values: { name: ' laptop ' } }),
      ).toEqual({
        values: { name: 'LAPTOP' },
      });
    } finally {
      host.close();
    }
  });

  it('detects an archive changed after packing', async () => {
    const { archive } = await packPlugin(pluginFolder(), { nodePaths: NODE_PATHS });
    const tampered = JSON.stringify({ ...archive, bundle: archive.bundle.replace('toUpperCase', 'toLowerCase') });
    expect(() => readPluginArchive(tampered)).toThrow(
      'sha256: does not match the content: the archive was changed after it was packed',
    );
  });

  it('refuses a pack whose manifest or metadata is not valid, with every problem', async () => {
    const badManifest = pluginFolder({ 'plugin.yaml': 'id: Acme\nversion: one\nlabels: { en: A }\n' });
    await expect(packPlugin(badManifest, { nodePaths: NODE_PATHS, validateManifest })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: expect.arrayContaining([
        expect.objectContaining({ path: 'id', file: 'plugin.yaml' }),
        expect.objectContaining({ path: 'version' }),
        expect.objectContaining({ path: 'labels.zh-CN' }),
        expect.objectContaining({ path: 'touchpoint' }),
      ]),
    });
    const badMetadata = pluginFolder({
      'metadata/fields/account.yaml':
        'entity: account\nfields:\n  assetCount: { type: integr, labels: { en: A, zh-CN: A } }\n',
      'metadata/views.yaml': 'x: 1\n',
    });
    await expect(packPlugin(badMetadata, { nodePaths: NODE_PATHS })).rejects.toMatchObject({
      issues: [
        expect.objectContaining({ path: 'fields.assetCount.type', file: 'metadata/fields/account.yaml' }),
        expect.objectContaining({
          path: 'metadata/views.yaml',
          message: expect.stringContaining('metadata/entities/'),
        }),
      ],
    });
  });
});

describe('plugin permission sets (metadata/permissions/)', () => {
  it('reads roles, grants for other layers’ roles and sharing', () => {
    const metadata = pluginMetadata([
      { path: 'metadata/entities/asset.yaml', text: ASSET },
      {
        path: 'metadata/permissions/asset-keeper.yaml',
        text: 'kind: role\nname: assetKeeper\nlabels: { en: Asset keeper, zh-CN: 资产管理员 }\nreportsTo: salesManager\nobjects:\n  asset: { read: true, create: true, edit: true }\n',
      },
      {
        path: 'metadata/permissions/sales-rep.yaml',
        text: 'kind: grant\nrole: salesRep\nobjects:\n  asset: { read: true }\n',
      },
      {
        path: 'metadata/permissions/sharing.yaml',
        text: 'kind: sharing\nentities:\n  asset: { default: publicRead }\n',
      },
    ]);
    expect(metadata.permissions).toEqual({
      roles: [
        {
          name: 'assetKeeper',
          labels: { en: 'Asset keeper', 'zh-CN': '资产管理员' },
          reportsTo: 'salesManager',
          objects: { asset: { read: true, create: true, edit: true } },
        },
      ],
      grants: [{ name: 'salesRep', objects: { asset: { read: true } } }],
      sharing: { entities: { asset: { default: 'publicRead' } } },
    });
  });

  it('names every problem of every permission file', () => {
    let issues: { file?: string; path: string }[] = [];
    try {
      pluginMetadata([
        {
          path: 'metadata/permissions/a.yaml',
          text: 'kind: grant\nrole: 12\nobjects: { asset: { fly: true } }\ncolour: red\n',
        },
        { path: 'metadata/permissions/b.yaml', text: 'kind: sharing\nentities: { asset: { default: open } }\n' },
      ]);
    } catch (error) {
      issues = (error as { issues: typeof issues }).issues;
    }
    expect(issues.map((i) => [i.file, i.path])).toEqual([
      ['metadata/permissions/a.yaml', 'colour'],
      ['metadata/permissions/a.yaml', 'role'],
      ['metadata/permissions/a.yaml', 'objects.asset.fly'],
      ['metadata/permissions/b.yaml', 'entities.asset.default'],
    ]);
  });
});
