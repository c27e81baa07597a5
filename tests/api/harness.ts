// One real Touchpoint per test file, started by the same composition root as `touchpoint start`
// (createTouchpoint): a fresh PostgreSQL database (or embedded PGlite when no server answers), the engine
// with the repository's core schemas, and the HTTP server on a free port.
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createTouchpoint } from '@touchpoint/api';
import {
  type Clock,
  createTestDatabase,
  type Engine,
  type EngineOptions,
  loadCoreEntities,
  type TestDatabase,
} from '@touchpoint/engine';
import type { PluginRuntime, PluginRuntimeOptions } from '@touchpoint/plugin-runtime';
import type { EntityDefinition } from '@touchpoint/schema';

export const CORE_SCHEMAS = fileURLToPath(new URL('../../schemas/entities', import.meta.url));

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T;
  errors?: {
    message: string;
    path?: string[];
    extensions?: { code?: string; issues?: { path: string; message: string }[] } & Record<string, unknown>;
  }[];
  extensions?: { sqlStatements?: number };
}

export interface Harness {
  engine: Engine;
  /** The plugin runtime, when started with `plugins`. */
  plugins?: PluginRuntime;
  url: string;
  database: TestDatabase;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { workspace?: string; actor?: string; debug?: boolean },
  ): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test with the errors when there are any. */
  ok<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { workspace?: string },
  ): Promise<T>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    coreEntities?: EntityDefinition[];
    plugins?: boolean | Omit<PluginRuntimeOptions, 'engine'>;
    /** The engine's clock (default the machine's). */
    clock?: Clock;
    /** Engine options beyond the database and the core (e.g. `maxTableColumns`). */
    engine?: Pick<EngineOptions, 'archiveRetentionDays' | 'maxTableColumns'>;
  } = {},
): Promise<Harness> {
  const database = await createTestDatabase();
  let touchpoint: Awaited<ReturnType<typeof createTouchpoint>>;
  try {
    touchpoint = await createTouchpoint({
      engine: {
        ...options.engine,
        clock: options.clock,
        databaseUrl: database.url,
        dataDir: database.dataDir,
        coreEntities: options.coreEntities ?? loadCoreEntities(CORE_SCHEMAS),
        poolSize: 8,
      },
      plugins: options.plugins ?? false,
      // crm.test.ts installs the CRM's behaviour itself, to wait for it; other API tests do not need it.
      crmBehaviour: false,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const { engine, plugins, url } = touchpoint;
  const gql: Harness['gql'] = async (query, variables = {}, opts = {}) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-touchpoint-workspace': opts.workspace ?? 'default',
        'x-touchpoint-actor': opts.actor ?? 'tester',
        ...(opts.debug ? { 'x-touchpoint-debug': 'statements' } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<never>;
  };
  return {
    engine,
    plugins,
    url,
    database,
    gql,
    async ok(query, variables, opts) {
      const result = await gql(query, variables, opts);
      if (result.errors) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
      return result.data as never;
    },
    async close() {
      await touchpoint.close();
      await database.drop();
    },
  };
}
