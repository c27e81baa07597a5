// What the server checks of a request before it reads the body: the method and media type (CSRF), the origin
// (CORS) and the headers every answer carries. A browser lets any web page send a form (urlencoded, multipart,
// text/plain) or a GET to any address with the visitor's cookies, without asking; it asks first (a preflight)
// for anything else. So only `application/json` POSTs are executed, and a foreign origin gets no CORS headers
// unless the operator allowed it, which keeps the answers unreadable to other pages.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** Headers a browser client may send across origins (when its origin is allowed). */
const ALLOWED_HEADERS = 'content-type, accept, authorization, x-touchpoint-workspace, x-touchpoint-debug';
const PREFLIGHT_MAX_AGE = '600';

/** A refusal before anything is parsed: status, GraphQL error code, message and the header at fault. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  path: string;
  headers?: OutgoingHttpHeaders;
}

/** The media type of a content-type header, lower-cased and without parameters (`application/json`). */
export function mediaType(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type || undefined;
}

/**
 * Refuses what the API never executes, before the body is read: a POST of any media type but
 * `application/json` (forms and text/plain are what another site can make a browser send unasked), and methods
 * other than GET, HEAD, POST and OPTIONS. GET runs queries only; graphql-yoga refuses a mutation over GET (405).
 */
export function guardRequest(req: IncomingMessage, options: { multipart?: boolean } = {}): Refusal | undefined {
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined;
  if (method !== 'POST') {
    return {
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      message: `The API takes GET (queries) and POST; ${method.slice(0, 20)} is not allowed.`,
      path: 'method',
      headers: { allow: 'GET, POST, OPTIONS' },
    };
  }
  const type = mediaType(req.headers['content-type']);
  // A file upload (the import route only) is multipart; that route then demands its CSRF token.
  if (options.multipart && type === 'multipart/form-data') return undefined;
  if (type !== 'application/json') {
    return {
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `A POST to the API must be application/json; ${type === undefined ? 'it had no content-type' : `it was ${JSON.stringify(type.slice(0, 100))}`}.`,
      path: 'content-type',
      headers: { accept: 'application/json' },
    };
  }
  return undefined;
}

/**
 * The origins allowed to read the API across origins: exact origins (`https://app.example.com`) or `*`.
 * From `TOUCHPOINT_CORS_ORIGINS`, comma separated, when the server's options give none.
 */
export function corsOriginsFrom(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin !== '');
}

export type OriginVerdict =
  /** No Origin header (not a browser's cross-origin request), or the server's own origin. */
  | { kind: 'same' }
  /** An origin of the allow-list: the headers to answer with. */
  | { kind: 'allowed'; headers: Record<string, string> }
  | { kind: 'foreign'; origin: string };

/**
 * What to make of a request's Origin. Same-origin (the web app served by this server) needs no CORS headers;
 * an origin on the allow-list gets them, with credentials only when it is listed by name (a wildcard never
 * gets credentials, as the Fetch standard also demands); any other origin, `null` included, is foreign.
 */
export function corsHeaders(req: IncomingMessage, allowed: readonly string[]): OriginVerdict {
  const origin = req.headers.origin;
  if (origin === undefined) return { kind: 'same' };
  if (origin !== 'null' && sameHost(origin, req.headers.host)) return { kind: 'same' };
  const vary = { vary: 'Origin' };
  if (origin !== 'null' && allowed.includes(origin)) {
    return {
      kind: 'allowed',
      headers: { ...vary, 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' },
    };
  }
  if (allowed.includes('*')) return { kind: 'allowed', headers: { ...vary, 'access-control-allow-origin': '*' } };
  return { kind: 'foreign', origin };
}

/** The headers of an answer to a preflight (OPTIONS) of an allowed origin. */
export function preflightHeaders(verdict: OriginVerdict & { kind: 'allowed' }): Record<string, string> {
  return {
    ...verdict.headers,
    'access-control-allow-methods': 'GET, POST',
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': PREFLIGHT_MAX_AGE,
  };
}

/** The origin's host (with port) is the one the request was sent to: the server's own web app. */
function sameHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Headers on every answer of the API: its JSON is never a document to render, frame or sniff. (The web app's
 * pages carry their own policy, see apps/web/vite.config.ts.)
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});

/**
 * The address a request counts against: the peer's, or, when the peer is this machine (the web app's server
 * rendering, or a reverse proxy beside it), the last address of X-Forwarded-For, which that hop wrote.
 */
export function clientAddress(req: IncomingMessage): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const forwarded = req.headers['x-forwarded-for'];
  if (!isLoopback(peer) || typeof forwarded !== 'string') return peer;
  const last = forwarded.split(',').at(-1)?.trim();
  return last && last.length <= 64 ? last : peer;
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
