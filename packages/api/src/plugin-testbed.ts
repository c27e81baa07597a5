// What a plugin's own tests start (`touchpoint plugin test`): a whole Touchpoint from the one composition root
// (createTouchpoint, as `touchpoint start` runs it: engine, CRM behaviour, plugin runtime, HTTP server) on a
// fresh database (PostgreSQL named by TOUCHPOINT_TEST_POSTGRES — `touchpoint plugin test --database` sets
// it — or the local one, else embedded), with the core schemas and the plugin packed from its folder and
// installed in `default`. It lives here, not in @touchpoint/plugin-runtime, because the composition root is
// this package's and the runtime sits below it (docs/architecture.md).
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  DEFAULT_WORKSPACE,
  type Engine,
  loadCoreEntities,
  type RecordService,
  type TestDatabase,
} from '@touchpoint/engine';
import {
  type InstallOptions,
  type LifecycleResult,
  type PluginRuntime,
  type PluginRuntimeOptions,
  packPluginFolder,
} from '@touchpoint/plugin-runtime';
import { createTouchpoint, type Touchpoint } from './touchpoint.ts';

/** A packed plugin (the sandbox's type, reached through the runtime this package may import). */
type PluginArchive = Awaited<ReturnType<typeof packPluginFolder>>['archive'];

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
  /** `http://127.0.0.1:<port>` of the running server, for tests that go through the API. */
  url: string;
  workspace: string;
  archive: PluginArchive;
  installed: LifecycleResult;
  /** The record service of a user (default `tester`) in the test workspace. */
  records(actor?: string): RecordService;
  runAction(action: string, recordId: string, input?: unknown, actor?: string): ReturnType<PluginRuntime['runAction']>;
  /** Packs the folder again (e.g. with another overlay) and upgrades to it. */
  upgrade(options?: { overlay?: string; confirmDestructive?: boolean }): Promise<LifecycleResult>;
  /** Waits for after-hooks in flight. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function createPluginTestbed(options: PluginTestbedOptions): Promise<PluginTestbed> {
  const database = await createTestDatabase('tp_plugin');
  let touchpoint: Touchpoint | undefined;
  try {
    touchpoint = await createTouchpoint({
      engine: {
        databaseUrl: database.url,
        dataDir: database.dataDir,
        coreEntities: loadCoreEntities(options.schemasDir ?? process.env.TOUCHPOINT_SCHEMAS_DIR ?? DEFAULT_SCHEMAS),
        poolSize: 4,
      },
      plugins: options.limits ? { limits: options.limits } : true,
    });
    const { engine, url } = touchpoint;
    const runtime = touchpoint.plugins!;
    const { archive } = await packPluginFolder(options.dir, options.overlay ? { overlay: options.overlay } : {});
    const workspace = DEFAULT_WORKSPACE;
    const installed = await runtime.install(workspace, archive, { ...options, actor: 'tester' });
    const records = (actor = 'tester') => engine.records({ workspace, actor });
    const running = touchpoint;
    return {
      engine,
      runtime,
      database,
      url,
      workspace,
      archive,
      installed,
      records,
      runAction: (action, recordId, input, actor) =>
        runtime.runAction(records(actor), archive.manifest.id, action, recordId, input),
      async upgrade(upgrade = {}) {
        const next = await packPluginFolder(options.dir, upgrade.overlay ? { overlay: upgrade.overlay } : {});
        return runtime.upgrade(workspace, next.archive, {
          actor: 'tester',
          confirmDestructive: upgrade.confirmDestructive ?? false,
        });
      },
      drain: () => runtime.drain(),
      async close() {
        await running.close();
        await database.drop();
      },
    };
  } catch (error) {
    await touchpoint?.close();
    await database.drop();
    throw error;
  }
}
