// What a plugin's own tests start: a real engine on a fresh database (PostgreSQL named by
// TOUCHPOINT_TEST_POSTGRES — `touchpoint plugin test` sets it — or the local one, else embedded), the
// core schemas, the plugin runtime, and the plugin packed from its folder and installed in `default`.
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  DEFAULT_WORKSPACE,
  Engine,
  loadCoreEntities,
  type RecordService,
  type TestDatabase,
} from '@touchpoint/engine';
import type { JsonValue } from '@touchpoint/plugin-sdk';
import type { PluginArchive } from '@touchpoint/sandbox';
import type { InstallOptions } from './lifecycle.ts';
import { packPluginFolder } from './pack-folder.ts';
import { type LifecycleResult, PluginRuntime, type PluginRuntimeOptions } from './runtime.ts';

const DEFAULT_SCHEMAS = fileURLToPath(new URL('../../../schemas/entities', import.meta.url));

export interface PluginTestbedOptions extends Omit<InstallOptions, 'actor'> {
  /** The plugin folder (the one holding plugin.yaml). */
  dir: string;
  /** An overlay folder inside it to build a release from (see packPluginFolder). */
  overlay?: string;
  /** Core entity schemas; default $TOUCHPOINT_SCHEMAS_DIR or the repository's schemas/entities. */
  schemasDir?: string;
  limits?: PluginRuntimeOptions['limits'];
}

export interface PluginTestbed {
  engine: Engine;
  runtime: PluginRuntime;
  database: TestDatabase;
  workspace: string;
  archive: PluginArchive;
  installed: LifecycleResult;
  /** The record service of a user (default `tester`) in the test workspace. */
  records(actor?: string): RecordService;
  runAction(action: string, recordId: string, input?: unknown, actor?: string): Promise<JsonValue>;
  /** Packs the folder again (e.g. with another overlay) and upgrades to it. */
  upgrade(options?: { overlay?: string; confirmDestructive?: boolean }): Promise<LifecycleResult>;
  /** Waits for after-hooks in flight. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function createPluginTestbed(options: PluginTestbedOptions): Promise<PluginTestbed> {
  const database = await createTestDatabase('tp_plugin');
  let engine: Engine | undefined;
  let runtime: PluginRuntime | undefined;
  try {
    engine = await Engine.start({
      databaseUrl: database.url,
      dataDir: database.dataDir,
      coreEntities: loadCoreEntities(options.schemasDir ?? process.env.TOUCHPOINT_SCHEMAS_DIR ?? DEFAULT_SCHEMAS),
      poolSize: 4,
    });
    runtime = await PluginRuntime.start({ engine, ...(options.limits ? { limits: options.limits } : {}) });
    const { archive } = await packPluginFolder(options.dir, options.overlay ? { overlay: options.overlay } : {});
    const workspace = DEFAULT_WORKSPACE;
    const installed = await runtime.install(workspace, archive, { ...options, actor: 'tester' });
    const [e, r] = [engine, runtime];
    const records = (actor = 'tester') => e.records({ workspace, actor });
    return {
      engine: e,
      runtime: r,
      database,
      workspace,
      archive,
      installed,
      records,
      runAction: (action, recordId, input, actor) =>
        r.runAction(records(actor), archive.manifest.id, action, recordId, input),
      async upgrade(upgrade = {}) {
        const next = await packPluginFolder(options.dir, upgrade.overlay ? { overlay: upgrade.overlay } : {});
        return r.upgrade(workspace, next.archive, {
          actor: 'tester',
          confirmDestructive: upgrade.confirmDestructive ?? false,
        });
      },
      drain: () => r.drain(),
      async close() {
        await r.close();
        await e.close();
        await database.drop();
      },
    };
  } catch (error) {
    await runtime?.close();
    await engine?.close();
    await database.drop();
    throw error;
  }
}
