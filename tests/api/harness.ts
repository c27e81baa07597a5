// One real Touchpoint per test file, started by the same composition root as `touchpoint start`
// (createTouchpoint): a fresh PostgreSQL database (or embedded PGlite when no server answers), the engine
// with the repository's core schemas, and the HTTP server on a free port.
import { fileURLToPath } from 'node:url';
import { createTouchpoint, type TouchpointOptions } from '@touchpoint/api';
import {
  type Clock,
  createTestDatabase,
  type Engine,
  type EngineOptions,
  loadCoreEntities,
  loadCorePermissions,
  type TestDatabase,
} from '@touchpoint/engine';
import type { PluginRuntime, PluginRuntimeOptions } from '@touchpoint/plugin-runtime';
import type { EntityDefinition } from '@touchpoint/schema';

export const CORE_SCHEMAS = fileURLToPath(new URL('../../schemas/entities', import.meta.url));
export const CORE_PERMISSIONS = fileURLToPath(new URL('../../schemas/permissions', import.meta.url));
/** The core roles and sharing settings, as `touchpoint start` loads them (entities they name but a test lacks are ignored). */
export const corePermissions = () => loadCorePermissions(CORE_PERMISSIONS, loadCoreEntities(CORE_SCHEMAS));

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T;
  errors?: {
    message: string;
    path?: string[];
    extensions?: { code?: string; issues?: { path: string; message: string }[] } & Record<string, unknown>;
  }[];
  extensions?: { sqlStatements?: number };
}

export interface GqlOptions {
  workspace?: string;
  debug?: boolean;
  /** Extra headers (e.g. a forged `x-touchpoint-actor`, to show it is ignored). */
  headers?: Record<string, string>;
}

/** Someone talking to the API over HTTP with their own credentials (a session cookie or an API token). */
export interface Client {
  /** The user record id of the signed-in person in `default` (the actor of their writes). */
  userId: string;
  email: string;
  /** What the client sends: `Cookie: tp_session=…` or `Authorization: Bearer …` (none: anonymous). */
  credentials: Record<string, string>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: GqlOptions,
  ): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test with the errors when there are any. */
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, options?: GqlOptions): Promise<T>;
  /** The raw HTTP answer of a GraphQL request, for status codes and headers. */
  post(query: string, variables?: Record<string, unknown>, options?: GqlOptions): Promise<Response>;
}

/** The password of every user the harness makes (test only). */
export const TEST_PASSWORD = 'correct horse battery staple';

export interface Harness extends Client {
  engine: Engine;
  /** The plugin runtime, when started with `plugins`. */
  plugins?: PluginRuntime;
  url: string;
  database: TestDatabase;
  /** A client without credentials. */
  anonymous: Client;
  /** Signs in over HTTP (the signIn mutation); fails the test when refused. */
  signIn(email: string, password?: string, workspace?: string): Promise<Client>;
  /** Makes a user of `workspace` (default `default`) who can sign in with TEST_PASSWORD, and signs them in. */
  addUser(input: { email: string; name: string; role?: string; workspace?: string }): Promise<Client>;
  close(): Promise<void>;
}

/**
 * People sign in as records of the `user` entity: a test's own core without one gets the core `user` entity
 * without its relations (which would point at entities that test does not have).
 */
function withUsers(entities: EntityDefinition[] | undefined): EntityDefinition[] | undefined {
  if (!entities || entities.some((e) => e.name === 'user')) return entities;
  const user = loadCoreEntities(CORE_SCHEMAS).find((e) => e.name === 'user')!;
  const fields = user.fields.filter((f) => f.type !== 'relation');
  const names = new Set(fields.map((f) => f.name));
  return [
    ...entities,
    {
      ...user,
      fields,
      indexes: user.indexes?.filter((i) => i.fields.every((f) => names.has(f))),
      views: { list: { columns: fields.map((f) => f.name).slice(0, 5) } },
    } as EntityDefinition,
  ];
}

export async function startHarness(
  options: {
    coreEntities?: EntityDefinition[];
    plugins?: boolean | Omit<PluginRuntimeOptions, 'engine'>;
    /** The engine's clock (default the machine's). */
    clock?: Clock;
    /** Engine options beyond the database and the core (e.g. `maxTableColumns`). */
    engine?: Pick<EngineOptions, 'archiveRetentionDays' | 'maxTableColumns' | 'corePermissions'>;
    /** Server options beyond the engine and plugins (CORS origins, rate limit, suggestions). */
    api?: TouchpointOptions['api'];
    /** Start like a first start without demo data: nobody can sign in, `h` itself is anonymous. */
    withoutAdmin?: boolean;
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
        coreEntities: withUsers(options.coreEntities) ?? loadCoreEntities(CORE_SCHEMAS),
        corePermissions: options.engine?.corePermissions ?? corePermissions(),
        poolSize: 8,
      },
      plugins: options.plugins ?? false,
      // crm.test.ts installs the CRM's behaviour itself, to wait for it; other API tests do not need it.
      crmBehaviour: false,
      api: options.api,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const { engine, plugins, url } = touchpoint;
  const client = (userId: string, email: string, credentials: Record<string, string>): Client => {
    const post: Client['post'] = (query, variables = {}, opts = {}) =>
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-touchpoint-workspace': opts.workspace ?? 'default',
          ...credentials,
          ...(opts.debug ? { 'x-touchpoint-debug': 'statements' } : {}),
          ...opts.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
    const gql: Client['gql'] = async (query, variables, opts) =>
      (await (await post(query, variables, opts)).json()) as GraphQLResponse<never>;
    return {
      userId,
      email,
      credentials,
      post,
      gql,
      async ok(query, variables, opts) {
        const result = await gql(query, variables, opts);
        if (result.errors) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
        return result.data as never;
      },
    };
  };
  const anonymous = client('', '', {});
  const signIn: Harness['signIn'] = async (email, password = TEST_PASSWORD, workspace = 'default') => {
    const response = await anonymous.post(
      'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { id } }',
      { e: email, p: password },
      { workspace },
    );
    const body = (await response.json()) as GraphQLResponse<{ signIn: { id: string } }>;
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('tp_session='));
    if (body.errors || !cookie || !body.data) throw new Error(`Sign-in of ${email} failed: ${JSON.stringify(body)}`);
    return client(body.data.signIn.id, email, { cookie: cookie.split(';')[0]! });
  };
  const addUser: Harness['addUser'] = async (input) => {
    const workspace = input.workspace ?? 'default';
    await engine.addUser(workspace, { ...input, password: TEST_PASSWORD });
    return signIn(input.email, TEST_PASSWORD, workspace);
  };
  let admin: Client = anonymous;
  try {
    if (!options.withoutAdmin)
      admin = await addUser({ email: 'admin@example.test', name: 'Test Admin', role: 'admin' });
  } catch (error) {
    await touchpoint.close();
    await database.drop();
    throw error;
  }
  return {
    ...admin,
    engine,
    plugins,
    url,
    database,
    anonymous,
    signIn,
    addUser,
    async close() {
      await touchpoint.close();
      await database.drop();
    },
  };
}
