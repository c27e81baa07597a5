// Building and packing a plugin folder the way `touchpoint plugin build|pack` does: the SDK's manifest
// validator, `@touchpoint/plugin-sdk` resolvable even from outside the
// repository, and an optional overlay — a folder of files laid over the plugin's own (e.g.
// `versions/1.1.0` holding that release's `plugin.yaml` and what it adds), so one source tree can keep
// several releases.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateManifest } from '@touchpoint/plugin-sdk';
import { type BuiltPlugin, buildPlugin, type PluginArchive, packPlugin } from '@touchpoint/sandbox';
import { validationFailed } from '@touchpoint/schema';

/** Where `@touchpoint/plugin-sdk` resolves from when the plugin folder has no node_modules of its own. */
export const SDK_NODE_PATHS = [fileURLToPath(new URL('../node_modules', import.meta.url))];

const SKIPPED = new Set(['node_modules', 'dist', 'test', 'versions', '.git']);

export interface PluginFolderOptions {
  /** A folder (relative to the plugin's) whose files replace or add to the plugin's own. */
  overlay?: string;
  minify?: boolean;
}

/** Runs `fn` on the plugin folder, or on a temporary copy with the overlay laid over it. */
export async function withPluginFolder<T>(
  dir: string,
  overlay: string | undefined,
  fn: (folder: string, nodePaths: string[]) => Promise<T>,
): Promise<T> {
  const source = resolve(dir);
  const nodePaths = [join(source, 'node_modules'), ...SDK_NODE_PATHS];
  if (!overlay) return fn(source, nodePaths);
  const layer = resolve(source, overlay);
  if (!existsSync(layer)) {
    throw validationFailed(`The plugin in ${dir} cannot be built:`, [
      { path: overlay, message: 'the overlay folder does not exist' },
    ]);
  }
  const folder = mkdtempSync(join(tmpdir(), `tp-${basename(source)}-`));
  try {
    cpSync(source, folder, {
      recursive: true,
      filter: (path) => path === source || !SKIPPED.has(basename(path)),
    });
    cpSync(layer, folder, { recursive: true });
    return await fn(folder, nodePaths);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export function buildPluginFolder(dir: string, options: PluginFolderOptions = {}): Promise<BuiltPlugin> {
  return withPluginFolder(dir, options.overlay, (folder, nodePaths) =>
    buildPlugin(folder, { nodePaths, minify: options.minify ?? false }),
  );
}

/** Packs a plugin folder into a sealed archive; with `outDir`, writes `<id>-<version>.tpplugin.json` there. */
export function packPluginFolder(
  dir: string,
  options: PluginFolderOptions & { outDir?: string } = {},
): Promise<{ archive: PluginArchive; file?: string }> {
  return withPluginFolder(dir, options.overlay, (folder, nodePaths) =>
    packPlugin(folder, {
      nodePaths,
      minify: options.minify ?? false,
      // The Touchpoint range is checked where the archive is installed, which may be another Touchpoint.
      validateManifest: (manifest) => validateManifest(manifest),
      ...(options.outDir ? { outDir: resolve(options.outDir) } : {}),
    }),
  );
}
