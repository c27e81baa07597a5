// A running Touchpoint server as the target of `touchpoint metadata … --server <url>`: the same questions the
// CLI asks its own database (the layers, a dry-run plan, an apply), asked over GraphQL with an API token, so
// the CLI sees what the server sees at that moment and never a copy of the files it has not written back.
import type { LayerExport, MetadataChange, MigrationPlan, WorkspaceLayers } from '@touchpoint/engine';
import { type ErrorCode, type Issue, TouchpointError } from '@touchpoint/schema';
import type { MetadataTarget } from './metadata-command.ts';

/** How long one request may take: an apply migrates tables, which can take a while on a large workspace. */
const REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

/** The server did not answer (down, wrong address, not a Touchpoint server): the CLI exits 5. */
export class ServerUnreachableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'ServerUnreachableError';
  }
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string; issues?: Issue[]; details?: Record<string, unknown> };
}

/** `http(s)://host[:port][/prefix]` without a trailing slash; anything else is a usage error. */
export function serverUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TouchpointError(
      'BAD_REQUEST',
      `--server must be the server's address, such as http://localhost:3000; got "${value}".`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TouchpointError('BAD_REQUEST', `--server must be an http:// or https:// address; got "${value}".`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when a token would cross a network in clear text: plain http to a host other than this machine. */
export function sendsTokenInClear(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && !LOOPBACK.has(hostname);
}

export class RemoteMetadataTarget implements MetadataTarget {
  readonly #url: string;
  readonly #token: string;
  readonly #workspace: string;

  constructor(url: string, token: string, workspace: string) {
    this.#url = url;
    this.#token = token;
    this.#workspace = workspace;
  }

  async #request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${this.#token}`,
          'x-touchpoint-workspace': this.#workspace,
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ServerUnreachableError(
        `Cannot reach the Touchpoint server at ${this.#url} (${why}). Is it running, and is this its address (the one \`touchpoint start\` printed)?`,
        error,
      );
    }
    let body: { data?: T | null; errors?: GraphQLError[] };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new ServerUnreachableError(
        `${this.#url}/graphql answered HTTP ${response.status} with something other than GraphQL: is ${this.#url} a Touchpoint server?`,
        error,
      );
    }
    const first = body.errors?.[0];
    const code = first?.extensions?.code ?? (response.status === 401 ? 'UNAUTHENTICATED' : undefined);
    if (code === 'UNAUTHENTICATED') {
      throw new TouchpointError(
        'UNAUTHENTICATED',
        `The server at ${this.#url} refused the API token: it is unknown, revoked or expired. ` +
          'Create a new one for an administrator (the createApiToken mutation, or `touchpoint token create --user <email> --name <name>` where the database is reachable) and pass it in TOUCHPOINT_TOKEN or with --token-stdin.',
      );
    }
    if (first) {
      throw new TouchpointError(
        (code ?? 'BAD_REQUEST') as ErrorCode,
        `The server at ${this.#url} refused: ${first.message}`,
        {
          issues: first.extensions?.issues ?? [],
          details: first.extensions?.details ?? {},
        },
      );
    }
    if (!response.ok || !body.data) {
      throw new ServerUnreachableError(`${this.#url}/graphql answered HTTP ${response.status} without data.`);
    }
    return body.data;
  }

  async layers(): Promise<WorkspaceLayers> {
    const data = await this.#request<{ metadataAsCode: WorkspaceLayers }>(
      '{ metadataAsCode { version plugins base entities basePermissions permissions } }',
    );
    return data.metadataAsCode;
  }

  async exported(): Promise<LayerExport> {
    const data = await this.#request<{ metadataAsCode: LayerExport }>(
      '{ metadataAsCode { text documents { name yaml folder } } }',
    );
    return data.metadataAsCode;
  }

  async plan(changes: MetadataChange[]): Promise<MigrationPlan> {
    const data = await this.#request<{ planMetadataChange: MigrationPlan }>(
      'query($changes: JSON!) { planMetadataChange(changes: $changes) { destructive steps { description destructive } } }',
      { changes },
    );
    return data.planMetadataChange;
  }

  async apply(changes: MetadataChange[], confirmDestructive: boolean): Promise<{ applied: boolean; version: number }> {
    const data = await this.#request<{ applyMetadataChange: { applied: boolean; version: number } }>(
      'mutation($changes: JSON!, $confirm: Boolean) { applyMetadataChange(changes: $changes, confirmDestructive: $confirm) { applied version } }',
      { changes, confirm: confirmDestructive },
    );
    return data.applyMetadataChange;
  }
}
