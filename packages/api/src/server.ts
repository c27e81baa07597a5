// One HTTP server, one port: the GraphQL API at /graphql (GraphiQL in a browser), /healthz, and later the
// web app. Each request runs on the schema of its workspace's current metadata version.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import type { Principal } from '@touchpoint/engine';
import { currentStatementCount, type Engine, withStatementCounter } from '@touchpoint/engine';
import type { PluginRuntime } from '@touchpoint/plugin-runtime';
import { isTouchpointError, MAX_INPUT_DEPTH, nestingDepth, nulTextPaths } from '@touchpoint/schema';
import { type DocumentNode, GraphQLError, Kind, validate } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import {
  authenticate,
  carriesCredentials,
  IdentityCache,
  isSecure,
  onlyOpenFields,
  type RequestAuth,
  UNAUTHENTICATED_ERROR,
  type Viewer,
  withPermissions,
} from './auth.ts';
import { type ApiContext, DEBUG_HEADER, WORKSPACE_HEADER } from './context.ts';
import { toGraphQLError } from './errors.ts';
import {
  API_SECURITY_HEADERS,
  clientAddress,
  corsHeaders,
  corsOriginsFrom,
  guardRequest,
  preflightHeaders,
  type Refusal,
} from './guard.ts';
import { useCompiledExecution } from './jit.ts';
import {
  CostCache,
  checkRequestDepth,
  costError,
  DEFAULT_RATE_LIMIT,
  depthLimitRule,
  limitRules,
  MAX_BODY_BYTES,
  MAX_QUERY_DEPTH,
  nulTextRule,
  parseWithTokenLimit,
} from './limits.ts';
import { Passthrough } from './passthrough.ts';
import { addressBucket, RateLimiter, type RateLimitOptions, type RateVerdict, rateLimitFromEnv } from './rate-limit.ts';
import { SchemaCache } from './schema-cache.ts';
import { TransferService, transferRoute } from './transfer-http.ts';

/** Who a request comes from, as far as the server knows before it runs: what rate limits count against. */
export interface RequestIdentity {
  /** The client's address (see clientAddress in guard.ts). */
  address: string;
  /** The signed-in user (known after the request's session or token was checked). */
  user?: string;
  /** The API token the request signed in with. */
  token?: string;
}

export interface RateLimitConfig extends RateLimitOptions {
  /**
   * The bucket a request counts against; default the token, else the user, else the address (an IPv6 one by
   * its /64 network).
   */
  key?: (identity: RequestIdentity, req: IncomingMessage) => string;
}

export interface ApiServerOptions {
  engine: Engine;
  /** Runs plugins (hooks, actions) and serves the plugin API; without it the plugin fields answer BAD_REQUEST. */
  plugins?: PluginRuntime;
  /** Extra request handler tried before the API (the web app); returns true when it answered. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /**
   * Origins other than the server's own allowed to call the API from a browser: exact origins
   * (`https://app.example.com`, answered with credentials) or `*` (any origin, never with credentials).
   * Default: `TOUCHPOINT_CORS_ORIGINS` (comma separated), else none (same-origin only).
   */
  corsOrigins?: readonly string[];
  /**
   * Requests per client; false turns the limit off. Default: `TOUCHPOINT_RATE_LIMIT` (`<burst>/<perSecond>` or
   * `off`), else DEFAULT_RATE_LIMIT.
   */
  rateLimit?: RateLimitConfig | false;
  /** "Did you mean …" suggestions in errors; default only when NODE_ENV is `development`. */
  suggestions?: boolean;
  /**
   * BENCH ONLY (tests/bench/auth.ts measures what checking credentials costs): the first request's session
   * or token is checked as always, and every later request that carries credentials is taken to be that same
   * person without looking at them. Never set it in a running system; no environment variable or command
   * line option reaches it.
   */
  benchmarkWithoutAuthentication?: boolean;
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
  /** The request's parameters, when its body was parsed off the event loop (a large body). */
  preParsed?: Record<string, unknown>;
}

function jsonError(res: ServerResponse, status: number, error: object, headers: Record<string, unknown> = {}): void {
  res
    .writeHead(status, { ...headers, 'content-type': 'application/json' } as Record<string, string>)
    .end(JSON.stringify({ errors: [error] }));
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  jsonError(
    res,
    refusal.status,
    {
      message: refusal.message,
      extensions: { code: refusal.code, issues: [{ path: refusal.path, message: refusal.message }] },
    },
    refusal.headers,
  );
}

/** Who a request comes from before it runs; identity (sessions, tokens) adds the user and the token here. */
export function requestIdentity(req: IncomingMessage): RequestIdentity {
  return { address: clientAddress(req) };
}

function defaultRateKey(identity: RequestIdentity): string {
  if (identity.token) return `token:${identity.token}`;
  if (identity.user) return `user:${identity.user}`;
  return `address:${addressBucket(identity.address)}`;
}

const SUGGESTION = / ?Did you mean [^?]*\?/g;

/** The error without graphql-js's "Did you mean …" (which tells a stranger the schema's names). */
function withoutSuggestions(error: GraphQLError): GraphQLError {
  if (!error.message.includes('Did you mean')) return error;
  return new GraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
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

/**
 * Bodies above this size skip the checks that parse them before yoga does (sign-in, short lane): neither a
 * sign-in nor a passthrough read is that large, and each parse of a 9 MB plugin archive held the event loop.
 */
const PRE_PARSE_MAX_BYTES = 256 * 1024;

/**
 * POST bodies from this size on are parsed on a worker thread (json-worker.ts) rather than by graphql-yoga on
 * the event loop: only plugin archives and large imports come near it.
 */
const OFF_THREAD_PARSE_BYTES = 1024 * 1024;

/**
 * A JSON body parsed off the event loop: the parameters, or the body back when it is not a JSON object (for
 * yoga to refuse it the usual way).
 */
async function parseOffThread(body: Buffer): Promise<{ params: Record<string, unknown> } | { body: Buffer }> {
  // A body read in several chunks has a buffer of its own, handed over without a copy.
  const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
  const buffer = (
    own ? body.buffer : body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)
  ) as ArrayBuffer;
  const worker = new Worker(new URL('./json-worker.ts', import.meta.url));
  try {
    const reply = await new Promise<{ ok: true; params: Record<string, unknown> } | { ok: false; body: ArrayBuffer }>(
      (resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`The request body reader stopped (exit code ${code}).`)));
        worker.postMessage(buffer, [buffer]);
      },
    );
    return reply.ok ? { params: reply.params } : { body: Buffer.from(reply.body) };
  } finally {
    void worker.terminate();
  }
}

/** A POST body the short lane may answer: a plain JSON request, parsed; undefined when yoga must look at it. */
function plainParams(
  req: IncomingMessage,
  body: Buffer,
): { query: string; variables: unknown; operationName: string | undefined } | undefined {
  // Other media types and encodings are graphql-yoga's to negotiate. (CORS is decided before: see guard.ts.)
  const accept = req.headers.accept;
  if (accept !== undefined && accept !== '*/*' && accept !== 'application/json') return undefined;
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
  let pinned: Awaited<ReturnType<IdentityCache['identify']>>;
  const identify: IdentityCache['identify'] = options.benchmarkWithoutAuthentication
    ? async (req, requested) => {
        pinned ??= await identities.identify(req, requested);
        return pinned;
      }
    : (req, requested) => identities.identify(req, requested);
  const passthrough = new Passthrough();
  const transferService = new TransferService(engine);
  const costs = new CostCache();
  // The short lane's plans hold an operation; its estimates are remembered under one document per plan.
  const planDocuments = new WeakMap<object, DocumentNode>();
  const corsOrigins = options.corsOrigins ?? corsOriginsFrom(process.env.TOUCHPOINT_CORS_ORIGINS);
  const suggestions = options.suggestions ?? process.env.NODE_ENV === 'development';
  const rateConfig: RateLimitConfig | false =
    options.rateLimit ?? rateLimitFromEnv(process.env.TOUCHPOINT_RATE_LIMIT) ?? DEFAULT_RATE_LIMIT;
  const limiter = rateConfig === false ? undefined : new RateLimiter(rateConfig, engine.clock);
  const rateKey = (rateConfig !== false && rateConfig.key) || defaultRateKey;

  /** Takes one request from the bucket of `identity`: whether that was one too many. */
  function take(req: IncomingMessage, identity: RequestIdentity): Extract<RateVerdict, { allowed: false }> | undefined {
    const verdict = limiter?.take(rateKey(identity, req));
    return verdict && !verdict.allowed ? verdict : undefined;
  }

  /** Counts the request against `identity`; when over the limit, answers 429 and is true. */
  function overLimit(req: IncomingMessage, res: ServerResponse, identity: RequestIdentity): boolean {
    const verdict = take(req, identity);
    if (!verdict) return false;
    refuse(res, {
      status: 429,
      code: 'RATE_LIMITED',
      message: `Too many requests: at most ${limiter!.burst} at once and ${limiter!.perSecond} per second are allowed. Try again in ${verdict.retryAfterSeconds} s.`,
      path: 'request',
      headers: { 'retry-after': String(verdict.retryAfterSeconds) },
    });
    return true;
  }

  /**
   * Everything decided about a /graphql request before its body is read: the security headers, the client's
   * rate, the origin (a foreign one is refused, a preflight answered), and the method and media type.
   * True when it has answered the request.
   */
  function admit(req: IncomingMessage, res: ServerResponse): boolean {
    for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) res.setHeader(name, value);
    // Each request is counted once. One without credentials counts against its address, first, so that no
    // kind of request (refused ones included) escapes the limit; one with credentials counts against its user
    // or token once they are checked (handle), or its address when they do not work or it is refused here.
    const anonymous = !carriesCredentials(req);
    if (anonymous && overLimit(req, res, requestIdentity(req))) return true;
    if (!refusedBeforeIdentity(req, res)) return false;
    // Refused already: it still counts, so that adding a cookie buys a hostile client nothing.
    if (!anonymous) take(req, requestIdentity(req));
    return true;
  }

  /** The origin, a preflight, the method and the media type: true when it has answered the request. */
  function refusedBeforeIdentity(req: IncomingMessage, res: ServerResponse, multipart = false): boolean {
    const origin = corsHeaders(req, corsOrigins);
    if (origin.kind === 'foreign') {
      refuse(res, {
        status: 403,
        code: 'FORBIDDEN',
        message: `Requests from the origin ${JSON.stringify(origin.origin.slice(0, 200))} are not allowed; the API answers its own web app and the origins its operator allows (TOUCHPOINT_CORS_ORIGINS).`,
        path: 'origin',
      });
      return true;
    }
    if (origin.kind === 'allowed')
      for (const [name, value] of Object.entries(origin.headers)) res.setHeader(name, value);
    if (req.method === 'OPTIONS') {
      if (origin.kind === 'allowed') res.writeHead(204, preflightHeaders(origin)).end();
      else res.writeHead(204, { allow: 'GET, POST, OPTIONS' }).end();
      return true;
    }
    const refusal = guardRequest(req, { multipart });
    if (refusal) {
      refuse(res, refusal);
      return true;
    }
    return false;
  }

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
    // The same text with other variables may ask for larger pages: yoga refuses it when it costs too much.
    let document = planDocuments.get(plan);
    if (!document) {
      document = { kind: Kind.DOCUMENT, definitions: [plan.operation] };
      planDocuments.set(plan, document);
    }
    if (costError(costs.cost(entry.schema, document, params.variables as never, params.operationName)))
      return undefined;
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
    // A large body was parsed off the event loop already: yoga takes those parameters instead of parsing.
    onRequestParse({ serverContext, setRequestParser }) {
      const parsed = (serverContext as Partial<ServerContext>).preParsed;
      if (parsed) setRequestParser(() => parsed as never);
    },
    onParams({ params }) {
      checkRequestDepth(params);
    },
    onParse({ parseFn, setParseFn }) {
      setParseFn(parseWithTokenLimit(parseFn as never) as never);
    },
    onValidate({ addValidationRule, setValidationFn }) {
      if (!suggestions) {
        setValidationFn((schema, document, rules, validationOptions, typeInfo) =>
          validate(schema, document, rules, { ...validationOptions, hideSuggestions: true }, typeInfo),
        );
      }
      addValidationRule(depthLimitRule(MAX_QUERY_DEPTH));
      addValidationRule(nulTextRule);
      for (const rule of limitRules()) addValidationRule(rule as never);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const tooCostly = costError(
        costs.cost(
          args.schema,
          args.document,
          (args.variableValues ?? undefined) as Record<string, unknown> | undefined,
          args.operationName ?? undefined,
        ),
      );
      if (tooCostly) {
        setResultAndStopExecution({ errors: [tooCostly] });
        return;
      }
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
    // Origins are decided before yoga sees the request (admit), so yoga adds no CORS headers of its own.
    cors: false,
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
        presented: () => authenticate(engine, req),
        forget: () => {
          identities.clear();
          return engine.revocations.settle();
        },
        setHeader: (name, value) => {
          const previous = res.getHeader(name);
          res.setHeader(name, previous === undefined ? value : [...[previous].flat().map(String), value]);
        },
      };
      return {
        engine,
        workspace,
        actor,
        viewer,
        auth,
        metadata: entry.metadata,
        records,
        plugins: options.plugins,
        transfer: transferService,
      };
    },
    maskedErrors: {
      maskError: (error) => (suggestions ? toGraphQLError(error) : withoutSuggestions(toGraphQLError(error))),
    },
    plugins: [limits, useCompiledExecution(passthrough)],
  });

  /**
   * Import uploads and export downloads (transfer-http.ts): the same admission as /graphql (security headers,
   * rate, origin, method; multipart allowed for the upload, which then needs its CSRF token), signed in.
   */
  async function transfer(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) res.setHeader(name, value);
    const anonymous = !carriesCredentials(req);
    if (anonymous && overLimit(req, res, requestIdentity(req))) return;
    if (refusedBeforeIdentity(req, res, url.startsWith('/transfer/import/'))) {
      if (!anonymous) take(req, requestIdentity(req));
      return;
    }
    const header = req.headers[WORKSPACE_HEADER];
    const requested =
      typeof header === 'string' && header
        ? header
        : (new URL(url, 'http://localhost').searchParams.get('workspace') ?? undefined);
    let known: Awaited<ReturnType<typeof identify>>;
    try {
      known = await identify(req, requested);
    } catch (error) {
      if (carriesCredentials(req) && overLimit(req, res, requestIdentity(req))) return;
      const status = isTouchpointError(error) && error.code === 'FORBIDDEN' ? 403 : 500;
      jsonError(res, status, toGraphQLError(error).toJSON());
      return;
    }
    const { principal, viewer } = known ?? {};
    if (carriesCredentials(req)) {
      const identity =
        principal && viewer
          ? { ...requestIdentity(req), user: viewer.userId, token: principal.tokenId }
          : requestIdentity(req);
      if (overLimit(req, res, identity)) return;
    }
    if (!principal || !viewer) {
      jsonError(res, 401, UNAUTHENTICATED_ERROR);
      return;
    }
    const context = { workspace: viewer.workspace, actor: viewer.userId, ...channelOf(principal) };
    await transferRoute(req, res, transferService, context, principal);
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url.startsWith('/transfer/')) {
      await transfer(req, res, url);
      return;
    }
    if (url === '/healthz') {
      res
        .writeHead(200, { ...API_SECURITY_HEADERS, 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      jsonError(res, 413, tooLarge());
      return;
    }
    if (!url.startsWith('/graphql')) {
      if (options.fallback && (await options.fallback(req, res))) return;
      res
        .writeHead(404, { ...API_SECURITY_HEADERS, 'content-type': 'text/plain' })
        .end('Not found. The API is at /graphql.');
      return;
    }
    if (admit(req, res)) return;
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
    // Who asks, before anything else is looked at: without a working session or token only the open fields
    // run (signIn, acceptInvitation, setupFirstAdmin, setupNeeded). They run anonymous whatever cookie the
    // request carries (a stale one must not stand in the way of a new sign-in).
    const signingIn =
      method === 'POST' &&
      (body?.length ?? 0) <= PRE_PARSE_MAX_BYTES &&
      onlyOpenFields(body, req.headers['content-type']);
    let principal: Principal | undefined;
    let viewer: Viewer | undefined;
    try {
      const known = signingIn ? undefined : await identify(req, requested);
      principal = known?.principal;
      // Roles and system permissions as they are now (the grants cache forgets a changed user at once).
      viewer = known?.viewer ? await withPermissions(engine, known.viewer) : undefined;
    } catch (error) {
      // Refused (a workspace the person is not a member of): counted against the address all the same.
      if (carriesCredentials(req) && overLimit(req, res, requestIdentity(req))) return;
      const status = isTouchpointError(error) && error.code === 'FORBIDDEN' ? 403 : 500;
      jsonError(res, status, toGraphQLError(error).toJSON());
      return;
    }
    if (carriesCredentials(req)) {
      const identity =
        principal && viewer
          ? { ...requestIdentity(req), user: viewer.userId, token: principal.tokenId }
          : requestIdentity(req);
      if (overLimit(req, res, identity)) return;
    }
    if (!principal && !signingIn) {
      jsonError(res, 401, UNAUTHENTICATED_ERROR);
      return;
    }
    const slug = viewer?.workspace ?? requested ?? 'default';
    let entry: Entry;
    try {
      entry = await cache.get(slug, viewer?.grants);
    } catch (error) {
      const status = isTouchpointError(error) && error.code === 'NOT_FOUND' ? 404 : 500;
      jsonError(res, status, toGraphQLError(error).toJSON());
      return;
    }
    const small = body && body.length <= PRE_PARSE_MAX_BYTES ? body : undefined;
    if (small && method === 'POST' && viewer && principal) {
      const { run } = withStatementCounter(() => shortLane(req, small, entry, viewer, principal));
      const answer = await run;
      if (answer !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(answer);
        return;
      }
    }
    let preParsed: Record<string, unknown> | undefined;
    if (body && method === 'POST' && body.length >= OFF_THREAD_PARSE_BYTES) {
      const parsed = await parseOffThread(body);
      if ('params' in parsed) {
        preParsed = parsed.params;
        body = undefined;
      } else body = parsed.body;
    }
    const request = new yoga.fetchAPI.Request(`http://localhost${url}`, {
      method,
      // A POST's media type is application/json by now (guardRequest), in whatever casing; yoga's is exact.
      headers: (method === 'POST' ? { ...req.headers, 'content-type': 'application/json' } : req.headers) as Record<
        string,
        string
      >,
      // A Buffer is a BodyInit to the fetch ponyfill, which keeps it as is (no stream).
      body: body as BodyInit | undefined,
    });
    // Counts the SQL statements of this request (reported in extensions when the debug header asks).
    const { run } = withStatementCounter(async () =>
      yoga.handleRequest(request, { req, res, entry, viewer, principal, ...(preParsed ? { preParsed } : {}) }),
    );
    const response = await run;
    const headers: Record<string, string> = {};
    for (const [key, value] of response.headers) headers[key] = value;
    // GraphiQL's page (a browser asking for HTML) runs its own inline script: it keeps only the framing rule.
    if (headers['content-type']?.startsWith('text/html')) headers['content-security-policy'] = "frame-ancestors 'none'";
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
