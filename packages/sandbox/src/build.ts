// A plugin folder → one script the sandbox evaluates. The folder holds `plugin.yaml` (the manifest),
// `metadata/entities/*.yaml`, `metadata/fields/*.yaml` and `metadata/permissions/*.yaml` (its metadata contributions) and `src/index.ts`,
// whose default export is `definePlugin({...})`. esbuild bundles the entry with everything it imports
// into a classic script for a neutral platform: a plugin importing `node:fs` or any Node built-in fails to
// build instead of failing in the sandbox.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type Issue, TouchpointError, validationFailed } from '@touchpoint/schema';
import { build, type Message } from 'esbuild';
import { parse as parseYaml } from 'yaml';

export const MANIFEST_FILE = 'plugin.yaml';
export const ENTRY_FILE = 'src/index.ts';
/** The global the bundle leaves its plugin definition in (see runtime-source.ts). */
export const BUNDLE_GLOBAL = '__touchpointPlugin';

export interface BuildOptions {
  /** Extra folders to resolve packages from (for a plugin outside a workspace with node_modules). */
  nodePaths?: string[];
  minify?: boolean;
}

export interface BuiltPlugin {
  bundle: string;
  warnings: string[];
}

function located(message: Message, dir: string): Issue {
  const loc = message.location;
  const file = loc ? relative(dir, join(dir, loc.file)).split(sep).join('/') : undefined;
  return {
    path: loc ? `line ${loc.line}, column ${loc.column}` : '',
    message: message.text,
    ...(file ? { file } : {}),
  };
}

/** Bundles `src/index.ts` of a plugin folder into one script. Build errors are VALIDATION_FAILED with locations. */
export async function buildPlugin(dir: string, options: BuildOptions = {}): Promise<BuiltPlugin> {
  const entry = join(dir, ENTRY_FILE);
  if (!existsSync(entry)) {
    throw validationFailed(`The plugin in ${dir} cannot be built:`, [
      { path: ENTRY_FILE, message: 'is missing: it must `export default definePlugin({...})`' },
    ]);
  }
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: dir,
      bundle: true,
      write: false,
      format: 'iife',
      globalName: '__touchpointExports',
      footer: { js: `globalThis.${BUNDLE_GLOBAL} = __touchpointExports.default;` },
      platform: 'neutral',
      target: 'es2023',
      mainFields: ['module', 'main'],
      conditions: ['import', 'default'],
      legalComments: 'none',
      charset: 'utf8',
      logLevel: 'silent',
      minify: options.minify ?? false,
      ...(options.nodePaths ? { nodePaths: options.nodePaths } : {}),
    });
    const output = result.outputFiles[0];
    if (!output) throw new TouchpointError('PLUGIN_FAILED', `esbuild produced no output for ${entry}.`);
    return { bundle: output.text, warnings: result.warnings.map((w) => w.text) };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (!Array.isArray(errors)) throw error;
    throw validationFailed(
      `The plugin in ${dir} cannot be built:`,
      errors.map((m) => located(m, dir)),
    );
  }
}

export interface PluginFile {
  /** Relative to the plugin folder, with `/`: `metadata/entities/asset.yaml`. */
  path: string;
  text: string;
}

export interface PluginSource {
  /** `plugin.yaml` parsed, not yet validated (use plugin-sdk's `validateManifest`). */
  manifest: unknown;
  metadata: PluginFile[];
}

function yamlFiles(dir: string, base: string): PluginFile[] {
  if (!existsSync(dir)) return [];
  const files: PluginFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...yamlFiles(path, base));
    else if (/\.ya?ml$/.test(entry.name)) {
      files.push({ path: relative(base, path).split(sep).join('/'), text: readFileSync(path, 'utf8') });
    }
  }
  return files;
}

/** Reads the manifest and the metadata files of a plugin folder. */
export function readPluginSource(dir: string): PluginSource {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw validationFailed(`${dir} is not a plugin folder:`, [
      { path: MANIFEST_FILE, message: 'is missing: a plugin folder has a manifest with id, version, labels, …' },
    ]);
  }
  let manifest: unknown;
  try {
    manifest = parseYaml(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw validationFailed(`The manifest of ${dir} is not valid YAML:`, [
      { path: MANIFEST_FILE, message: (error as Error).message.split('\n')[0]!, file: MANIFEST_FILE },
    ]);
  }
  return { manifest, metadata: yamlFiles(join(dir, 'metadata'), dir) };
}
