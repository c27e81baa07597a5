// One HTTP server, one port: the GraphQL API at /graphql (GraphiQL in a browser), /healthz, and later the
// web app. Each request runs on the schema of its workspace's current metadata version.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { currentStatementCount, type Engine, withStatementCounter } from '@touchpoint/engine';
import type { PluginRuntime } from '@touchpoint/plugin-runtime';
import { isTouchpointError } from '@touchpoint/schema';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { type ApiContext, actorOf, DEBUG_HEADER, WORKSPACE_HEADER, workspaceOf } from './context.ts';
import { toGraphQLError } from './errors.ts';
import { useCompiledExecution } from './jit.ts';
import { depthLimitRule, MAX_BODY_BYTES, MAX_QUERY_DEPTH } from './limits.ts';
import { SchemaCache } from './schema-cache.ts';

export interface ApiServerOptions {
  engine: Engine;
  /** Runs plugins (hooks, actions) and serves the plugin API; without it the plugin fields answer BAD_REQUEST. */
  plugins?: PluginRuntime;
  /** Extra request handler tried before the API (the web app); returns true when it answered. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

type Entry = Awaited<ReturnType<SchemaCache['get']>>;

export function createApiHandler(options: ApiServerOptions) {
  const { engine } = options;
  const cache = new SchemaCache(engine);
  // The schema and the context of one request must come from the same metadata version.
  const entries = new WeakMap<Request, Entry>();
  const entryOf = async (request: Request): Promise<Entry> => {
    let entry = entries.get(request);
    if (!entry) {
      entry = await cache.get(workspaceOf(request));
      entries.set(request, entry);
    }
    return entry;
  };
  const limits: Plugin = {
    onValidate({ addValidationRule }) {
      addValidationRule(depthLimitRule(MAX_QUERY_DEPTH));
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      return {
        onExecuteDone({ result, setResult }) {
          const statements = currentStatementCount();
          if (statements === undefined || !request?.headers.get(DEBUG_HEADER) || Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, sqlStatements: statements } });
        },
      };
    },
  };

  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, ApiContext>({
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Unexpected errors are logged once, with an incident id, by toGraphQLError; expected ones are answers.
    logging: false,
    schema: async ({ request }): Promise<GraphQLSchema> => (await entryOf(request)).schema,
    context: async ({ request }): Promise<ApiContext> => {
      const entry = await entryOf(request);
      const workspace = entry.metadata.workspace.slug;
      const actor = actorOf(request);
      const records = engine.records({ workspace, actor });
      return { engine, workspace, actor, metadata: entry.metadata, records, plugins: options.plugins };
    },
    maskedErrors: { maskError: (error) => toGraphQLError(error) },
    plugins: [limits, useCompiledExecution()],
  });

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      res.writeHead(413, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          errors: [
            {
              message: `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
              extensions: { code: 'LIMIT_EXCEEDED' },
            },
          ],
        }),
      );
      return;
    }
    if (!url.startsWith('/graphql')) {
      if (options.fallback && (await options.fallback(req, res))) return;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found. The API is at /graphql.');
      return;
    }
    const header = req.headers[WORKSPACE_HEADER];
    const slug =
      typeof header === 'string' && header
        ? header
        : (new URL(url, 'http://localhost').searchParams.get('workspace') ?? 'default');
    try {
      await engine.metadata(slug);
    } catch (error) {
      const status = isTouchpointError(error) && error.code === 'NOT_FOUND' ? 404 : 500;
      const body = toGraphQLError(error);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [body.toJSON()] }));
      return;
    }
    // Counts the SQL statements of this request (reported in extensions when the debug header asks).
    const { run } = withStatementCounter(async () => yoga.handleNodeRequestAndResponse(req, res, { req, res }));
    const response = await run;
    res.statusCode = response.status;
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.end(Buffer.from(await response.arrayBuffer()));
  };
}

export function createApiServer(options: ApiServerOptions): Server {
  const handle = createApiHandler(options);
  return createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error('[touchpoint] request failed:', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error');
    });
  });
}
