// The one way the screens talk to the server: GraphQL over HTTP, with the workspace and the acting user in
// headers. Errors keep the server's code and per-field issues so forms can show them beside the fields.

import { messages } from './i18n.ts';

export type Lang = 'en' | 'zh-CN';

export interface Session {
  workspace: string;
  user: string;
  lang: Lang;
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

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string; issues?: Issue[]; details?: Record<string, unknown> };
}

export async function gql<T>(
  fetchFn: Fetch,
  session: Pick<Session, 'workspace' | 'user'>,
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
        'x-touchpoint-actor': session.user,
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
