// One HTTP server, one port: the GraphQL API at /graphql (GraphiQL in a browser), /healthz, and later the
// web app. Each request runs on the schema of its workspace's current metadata version.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Principal } from '@touchpoint/engine';
import { currentStatementCount, type Engine, withStatementCounter } from '@touchpoint/engine';
import type { PluginRuntime } from '@touchpoint/plugin-runtime';
import { isTouchpointError, MAX_INPUT_DEPTH, nestingDepth, nulTextPaths } from '@touchpoint/schema';
import { createYoga, type Plugin } from 'graphql-yoga';
import { IdentityCache, isSecure, onlySignsIn, type RequestAuth, UNAUTHENTICATED_ERROR, type Viewer } from './auth.ts';
import { type ApiContext, DEBUG_HEADER, WORKSPACE_HEADER } from './context.ts';
import { toGraphQLError } from './errors.ts';
import { useCompiledExecution } from './jit.ts';
import {
  checkRequestDepth,
  depthLimitRule,
  limitRules,
  MAX_BODY_BYTES,
  MAX_QUERY_DEPTH,
  nulTextRule,
  parseWithTokenLimit,
} from './limits.ts';
import { Passthrough } from './passthrough.ts';
import { SchemaCache } from './schema-cache.ts';

export interface ApiServerOptions {
  engine: Engine;
  /** Runs plugins (hooks, actions) and serves the plugin API; without it the plugin fields answer BAD_REQUEST. */
  plugins?: PluginRuntime;
  /** Extra request handler tried before the API (the web app); returns true when it answered. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

type Entry = Awaited<ReturnType<SchemaCache['get']>>;

/** What the handler hands yoga with each request: the schema and metadata version chosen for it. */
interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
  entry: Entry;
  /** Undefined only for a request that does nothing but sign in. */
  viewer?: Viewer;
  principal?: Principal;
}

function jsonError(res: ServerResponse, status: number, error: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [error] }));
}

const tooLarge = () => ({
  message: `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
  extensions: { code: 'LIMIT_EXCEEDED' },
});

/**
 * The request body; `tooLarge` when it grows past MAX_BODY_BYTES (a chunked body has no length up front),
 * after which reading stops so the caller can still answer; `gone` when the client went away meanwhile.
 */
function readBody(req: IncomingMessage): Promise<Buffer | 'tooLarge' | 'gone'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      stop();
      req.pause();
      resolve('tooLarge');
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onGone = () => {
      stop();
      resolve('gone');
    };
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/** A POST body the short lane may answer: a plain JSON request, parsed; undefined when yoga must look at it. */
function plainParams(
  req: IncomingMessage,
  body: Buffer,
): { query: string; variables: unknown; operationName: string | undefined } | undefined {
  // CORS headers, other media types and other encodings are graphql-yoga's to negotiate.
  const accept = req.headers.accept;
  if (req.headers.origin !== undefined || (accept !== undefined && accept !== '*/*' && accept !== 'application/json'))
    return undefined;
  if (req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() !== 'application/json') return undefined;
  let params: unknown;
  try {
    params = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const { query, variables, operationName, ...rest } = params as Record<string, unknown>;
  if (typeof query !== 'string' || Object.keys(rest).length > 0) return undefined;
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  return { query, variables, operationName: operationName ?? undefined };
}

/** Through what a request came: an API token, or a browser session. */
function channelOf(principal: Principal): { channel: 'api' | 'web'; tokenId?: string } {
  return principal.tokenId ? { channel: 'api', tokenId: principal.tokenId } : { channel: 'web' };
}

export function createApiHandler(options: ApiServerOptions) {
  const { engine } = options;
  const cache = new SchemaCache(engine);
  const identities = new IdentityCache(engine);
  const passthrough = new Passthrough();

  /**
   * The short lane: a POST of a document graphql-yoga has already parsed, validated and run as a
   * passthrough read against this schema (see passthrough.ts) is answered without yoga, exactly as yoga
   * answered it. Undefined when the request must go through yoga (anything else, or any doubt).
   */
  async function shortLane(
    req: IncomingMessage,
    body: Buffer,
    entry: Entry,
    viewer: Viewer,
    principal: Principal,
  ): Promise<string | undefined> {
    const params = plainParams(req, body);
    // Deep variables go through yoga, which refuses them (see checkRequestDepth).
    if (
      params?.variables &&
      (nestingDepth(params.variables) > MAX_INPUT_DEPTH || nulTextPaths(params.variables, '', 1).length > 0)
    )
      return undefined;
    const plan = params && passthrough.known(entry.schema, params.query, params.operationName);
    if (!params || !plan) return undefined;
    const records = engine.records({
      workspace: entry.metadata.workspace.slug,
      actor: viewer.userId,
      ...channelOf(principal),
    });
    const data = await passthrough.data(plan, entry.schema, params.variables, records);
    if (data === undefined) return undefined;
    const statements = req.headers[DEBUG_HEADER] ? currentStatementCount() : undefined;
    return statements === undefined
      ? `{"data":${data}}`
      : `{"data":${data},"extensions":${JSON.stringify({ sqlStatements: statements })}}`;
  }

  const limits: Plugin = {
    onParams({ params }) {
      checkRequestDepth(params);
    },
    onParse({ parseFn, setParseFn }) {
      setParseFn(parseWithTokenLimit(parseFn as never) as never);
    },
    onValidate({ addValidationRule }) {
      addValidationRule(depthLimitRule(MAX_QUERY_DEPTH));
      addValidationRule(nulTextRule);
      for (const rule of limitRules()) addValidationRule(rule as never);
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

  const yoga = createYoga<ServerContext, ApiContext>({
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Unexpected errors are logged once, with an incident id, by toGraphQLError; expected ones are answers.
    logging: false,
    // The handler reads the body itself, within MAX_BODY_BYTES, and hands yoga a buffer: yoga's own limit
    // would pipe every body through a stream transform again.
    maxRequestBodySize: false,
    // The schema and the context of one request come from the same metadata version: the handler's entry.
    schema: ({ entry }) => entry.schema,
    context: ({ req, res, entry, viewer, principal }): ApiContext => {
      const workspace = entry.metadata.workspace.slug;
      const actor = viewer?.userId ?? 'anonymous';
      const records = engine.records({ workspace, actor, ...(principal ? channelOf(principal) : {}) });
      const auth: RequestAuth = {
        principal,
        address: req.socket.remoteAddress,
        userAgent: req.headers['user-agent'],
        secure: isSecure(req),
        forget: () => identities.clear(),
        setHeader: (name, value) => {
          const previous = res.getHeader(name);
          res.setHeader(name, previous === undefined ? value : [...[previous].flat().map(String), value]);
        },
      };
      return { engine, workspace, actor, viewer, auth, metadata: entry.metadata, records, plugins: options.plugins };
    },
    maskedErrors: { maskError: (error) => toGraphQLError(error) },
    plugins: [limits, useCompiledExecution(passthrough)],
  });

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      jsonError(res, 413, tooLarge());
      return;
    }
    if (!url.startsWith('/graphql')) {
      if (options.fallback && (await options.fallback(req, res))) return;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found. The API is at /graphql.');
      return;
    }
    const method = req.method ?? 'GET';
    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const read = await readBody(req);
      if (read === 'gone') return;
      if (read === 'tooLarge') {
        // The rest of the body is not read: the connection cannot carry another request.
        res.setHeader('connection', 'close');
        jsonError(res, 413, tooLarge());
        return;
      }
      body = read;
    }
    const header = req.headers[WORKSPACE_HEADER];
    const requested =
      typeof header === 'string' && header
        ? header
        : (new URL(url, 'http://localhost').searchParams.get('workspace') ?? undefined);
    // Who asks, before anything else is looked at: without a working session or token only signIn runs. A
    // sign-in is anonymous whatever cookie it carries (a stale one must not stand in the way of a new one).
    const signingIn = method === 'POST' && onlySignsIn(body, req.headers['content-type']);
    let principal: Principal | undefined;
    let viewer: Viewer | undefined;
    try {
      const known = signingIn ? undefined : await identities.identify(req, requested);
      principal = known?.principal;
      viewer = known?.viewer;
    } catch (error) {
      const status = isTouchpointError(error) && error.code === 'FORBIDDEN' ? 403 : 500;
      jsonError(res, status, toGraphQLError(error).toJSON());
      return;
    }
    if (!principal && !signingIn) {
      jsonError(res, 401, UNAUTHENTICATED_ERROR);
      return;
    }
    const slug = viewer?.workspace ?? requested ?? 'default';
    let entry: Entry;
    try {
      entry = await cache.get(slug);
    } catch (error) {
      const status = isTouchpointError(error) && error.code === 'NOT_FOUND' ? 404 : 500;
      jsonError(res, status, toGraphQLError(error).toJSON());
      return;
    }
    if (body && method === 'POST' && viewer && principal) {
      const { run } = withStatementCounter(() => shortLane(req, body, entry, viewer, principal));
      const answer = await run;
      if (answer !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(answer);
        return;
      }
    }
    const request = new yoga.fetchAPI.Request(`http://localhost${url}`, {
      method,
      headers: req.headers as Record<string, string>,
      // A Buffer is a BodyInit to the fetch ponyfill, which keeps it as is (no stream).
      body: body as BodyInit | undefined,
    });
    // Counts the SQL statements of this request (reported in extensions when the debug header asks).
    const { run } = withStatementCounter(async () =>
      yoga.handleRequest(request, { req, res, entry, viewer, principal }),
    );
    const response = await run;
    const headers: Record<string, string> = {};
    for (const [key, value] of response.headers) headers[key] = value;
    // yoga's answers are strings (JSON, or GraphiQL's page): written as they are, without another copy.
    res.writeHead(response.status, headers).end(await response.text());
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
