// The one way the screens talk to the server: GraphQL over HTTP, with the workspace in a header and the
// person's session in its HttpOnly cookie (same origin), never a header naming them. Errors keep the server's
// code and per-field issues so forms can show them beside the fields; a lost session leads to sign-in.

import { messages } from './i18n.ts';

export type Lang = 'en' | 'zh-CN';

/** Who is signed in (the API's `viewer`). */
export interface Viewer {
  id: string;
  name: string;
  email: string;
  role: string | null;
  isAdmin: boolean;
}

export interface Session {
  workspace: string;
  /** The signed-in person's user id ('' on the sign-in page). */
  user: string;
  lang: Lang;
  viewer: Viewer | null;
}

/** Where sign-in sends the person afterwards: a path of this site only, never another origin. */
export function safeNext(next: string | null | undefined): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

/** Pages for people who are not signed in: sign-in, the first start's setup, accepting an invitation. */
export function isPublicPath(pathname: string): boolean {
  return pathname === '/signin' || pathname === '/setup' || pathname.startsWith('/invite/');
}

/** The sign-in page, remembering the page to come back to. */
export function signInPath(from: URL): string {
  const here = from.pathname + from.search;
  return here === '/' || from.pathname === '/signin' ? '/signin' : `/signin?next=${encodeURIComponent(here)}`;
}

export interface Issue {
  path: string;
  message: string;
  allowed?: unknown;
}

export class ApiError extends Error {
  readonly code: string;
  readonly issues: Issue[];
  readonly details: Record<string, unknown>;
  constructor(code: string, message: string, issues: Issue[] = [], details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.issues = issues;
    this.details = details;
  }
}

export type Fetch = typeof fetch;

// While the person signs out on purpose, a screen's request still under way is refused as well: it must not
// turn the sign-out into "your session ended, come back to this page afterwards".
let signingOut = false;

/** Runs a sign-out (its mutation and the way to the sign-in page) without the lost-session detour. */
export async function whileSigningOut<T>(run: () => Promise<T>): Promise<T> {
  signingOut = true;
  try {
    return await run();
  } finally {
    signingOut = false;
  }
}

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string; issues?: Issue[]; details?: Record<string, unknown> };
}

export async function gql<T>(
  fetchFn: Fetch,
  session: Pick<Session, 'workspace'>,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  let response: Response;
  try {
    response = await fetchFn('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-touchpoint-workspace': session.workspace,
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError('NETWORK', `The server could not be reached: ${(error as Error).message}`);
  }
  let body: { data?: T; errors?: GraphQLErrorBody[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError('NETWORK', `The server answered ${response.status} without a readable body.`);
  }
  const first = body.errors?.[0];
  // The session ended (idle, revoked, signed out elsewhere): in the browser, to sign-in and back afterwards.
  if (
    first?.extensions?.code === 'UNAUTHENTICATED' &&
    typeof window !== 'undefined' &&
    !signingOut &&
    window.location.pathname !== '/signin' &&
    !query.includes('signIn(')
  ) {
    window.location.assign(signInPath(new URL(window.location.href)));
  }
  if (first) {
    throw new ApiError(
      first.extensions?.code ?? 'ERROR',
      first.message,
      first.extensions?.issues ?? [],
      first.extensions?.details ?? {},
    );
  }
  if (!body.data) throw new ApiError('NETWORK', `The server answered ${response.status} without data.`);
  return body.data;
}

/**
 * A plugin's failure or refusal in the person's language, its own words (`details.pluginMessage`, already
 * made harmless by the server: one line, capped, links removed) quoted and labelled as the plugin's, so a
 * plugin cannot pass its text off as Touchpoint's.
 */
export function describePluginProblem(error: ApiError, lang: Lang): string | undefined {
  const { plugin, pluginMessage } = error.details;
  if (typeof plugin !== 'string' || typeof pluginMessage !== 'string') return undefined;
  const t = messages(lang);
  const what = (error.code === 'PLUGIN_FAILED' ? t.pluginFailed : t.pluginRefused).replace('{plugin}', plugin);
  return `${what} ${t.pluginSaid} “${pluginMessage}”`;
}

/** A message for people: the server's sentence plus its per-field issues, when any. */
export function describeError(error: unknown, lang: Lang = 'en'): string {
  if (error instanceof ApiError) {
    const fromPlugin = describePluginProblem(error, lang);
    if (fromPlugin) return fromPlugin;
    const issues = error.issues.map((i) => `${i.path}: ${i.message}`);
    return issues.length > 0 ? `${error.message} ${issues.join('; ')}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
