// The Touchpoint side of each scenario: a GraphQL query POSTed to /graphql over keep-alive HTTP, its answer
// checked (no errors, the expected number of records) so a failing request never counts as speed. Also
// the statement count per request, as the server reports it under the debug header.
import { Agent, request } from 'node:http';
import type { AccountJson, BaselineReads, GroupJson } from './baseline.ts';
import { prng } from './seed.ts';

/** Account scalars the get-by-id and list scenarios select; the baseline builds the same JSON. */
export const ACCOUNT_SCALARS = `id name accountNumber type industry lifecycleStage annualRevenue { amount currency }
  employees phone email website createdAt updatedAt`;

export const QUERIES = {
  getById: `query AccountById($id: ID!) { account(id: $id) { ${ACCOUNT_SCALARS} } }`,
  listScalars: `query FirstAccounts { accounts(first: 50) { nodes { ${ACCOUNT_SCALARS} } } }`,
  listWithContacts: `query AccountsWithContacts {
    accounts(first: 50) { nodes { id name contacts(first: 5) { id firstName lastName email } } }
  }`,
  countByIndustry: `query AccountsByIndustry { accountsAggregate(groupBy: [industry]) { key { industry } count } }`,
} as const;

export type ScenarioKey = keyof typeof QUERIES;

interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string }[];
  extensions?: { sqlStatements?: number };
}

export interface GraphQLClient {
  post<T>(query: string, variables?: Record<string, unknown>, debug?: boolean): Promise<GraphQLAnswer<T>>;
}

/**
 * A GraphQL client over keep-alive HTTP with node:http. Not fetch: on this bench's two CPUs the client's
 * own cost competes with the server and PostgreSQL, and undici's fetch spends about twice the CPU per
 * request of a plain http.request with a keep-alive agent (measured: ~0.4 against ~0.17 ms for a 35 kB
 * answer), which would count the load generator's weight against Touchpoint.
 */
export function graphqlClient(baseUrl: string, token: string): GraphQLClient {
  const url = new URL('/graphql', baseUrl);
  const agent = new Agent({ keepAlive: true });
  const headers = {
    'content-type': 'application/json',
    'x-touchpoint-workspace': 'default',
    // Signed in like an integration: every request pays for checking its token.
    authorization: `Bearer ${token}`,
  };
  const debugHeaders = { ...headers, 'x-touchpoint-debug': 'statements' };
  const send = (body: string, debug: boolean) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: { ...(debug ? debugHeaders : headers), 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    async post<T>(query: string, variables: Record<string, unknown> = {}, debug = false) {
      const response = await send(JSON.stringify({ query, variables }), debug);
      const answer = JSON.parse(response.text) as GraphQLAnswer<T>;
      if (response.status !== 200 || answer.errors) {
        throw new Error(`HTTP ${response.status}: ${JSON.stringify(answer.errors ?? answer).slice(0, 500)}`);
      }
      return answer;
    },
  };
}

/** What each Touchpoint request returns, for checking it and comparing it with the baseline. */
export interface TouchpointReads {
  getById(id: string, debug?: boolean): Promise<GraphQLAnswer<{ account: AccountJson | null }>>;
  listScalars(debug?: boolean): Promise<GraphQLAnswer<{ accounts: { nodes: AccountJson[] } }>>;
  listWithContacts(debug?: boolean): Promise<GraphQLAnswer<{ accounts: { nodes: AccountJson[] } }>>;
  countByIndustry(
    debug?: boolean,
  ): Promise<GraphQLAnswer<{ accountsAggregate: { key: { industry: string | null }; count: number }[] }>>;
}

export function touchpointReads(client: GraphQLClient): TouchpointReads {
  return {
    getById: (id, debug) => client.post(QUERIES.getById, { id }, debug),
    listScalars: (debug) => client.post(QUERIES.listScalars, {}, debug),
    listWithContacts: (debug) => client.post(QUERIES.listWithContacts, {}, debug),
    countByIndustry: (debug) => client.post(QUERIES.countByIndustry, {}, debug),
  };
}

export function groupsOf(answer: Awaited<ReturnType<TouchpointReads['countByIndustry']>>): GroupJson[] {
  return (answer.data?.accountsAggregate ?? []).map((g) => ({ industry: g.key.industry, count: g.count }));
}

/** Request functions for the load generator; each throws unless the answer has the expected records. */
export function touchpointRequests(
  reads: TouchpointReads,
  accountIds: readonly string[],
  expected: { pageSize: number; accounts: number },
): Record<ScenarioKey, () => Promise<void>> {
  const random = prng(7);
  const page = (nodes: unknown[] | undefined, what: string) => {
    if (nodes?.length !== expected.pageSize) {
      throw new Error(`${what}: expected ${expected.pageSize} accounts, got ${nodes?.length}`);
    }
  };
  return {
    async getById() {
      const id = accountIds[Math.floor(random() * accountIds.length)]!;
      const answer = await reads.getById(id);
      if (answer.data?.account?.id !== id) throw new Error(`account(id): ${id} not found`);
    },
    async listScalars() {
      page((await reads.listScalars()).data?.accounts.nodes, 'accounts(first: 50)');
    },
    async listWithContacts() {
      const nodes = (await reads.listWithContacts()).data?.accounts.nodes;
      page(nodes, 'accounts(first: 50) with contacts');
      if (!nodes?.some((n) => (n.contacts?.length ?? 0) > 0)) throw new Error('no account came with contacts');
    },
    async countByIndustry() {
      const groups = groupsOf(await reads.countByIndustry());
      const total = groups.reduce((sum, g) => sum + g.count, 0);
      if (total !== expected.accounts) throw new Error(`accountsAggregate counted ${total} of ${expected.accounts}`);
    },
  };
}

/**
 * SQL statements per request as the server counts them (`extensions.sqlStatements` under the debug
 * header), over a few sample requests; a count that differs between samples is reported as a range.
 */
export async function statementsPerRequest(sample: (debug: boolean) => Promise<GraphQLAnswer<unknown>>) {
  const counts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const statements = (await sample(true)).extensions?.sqlStatements;
    if (statements === undefined) throw new Error('the server did not report extensions.sqlStatements');
    counts.push(statements);
  }
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  return min === max ? String(min) : `${min}–${max}`;
}

function sameList(what: string, baseline: readonly unknown[], touchpoint: readonly unknown[]): void {
  const a = JSON.stringify(baseline);
  const b = JSON.stringify(touchpoint);
  if (a !== b)
    throw new Error(
      `${what}: the baseline and Touchpoint disagree\n  baseline:   ${a.slice(0, 300)}\n  touchpoint: ${b.slice(0, 300)}`,
    );
}

/**
 * Before measuring: each baseline statement returns the same records, in the same order, as its Touchpoint
 * request — otherwise the ratio would compare different work.
 */
export async function checkSameAnswers(baseline: BaselineReads, touchpoint: TouchpointReads, sampleId: string) {
  const one = await baseline.getById(sampleId);
  const other = (await touchpoint.getById(sampleId)).data?.account;
  sameList('account by id', [one?.id, one?.name], [other?.id, other?.name]);

  const ids = (nodes: AccountJson[] | undefined) => (nodes ?? []).map((n) => n.id);
  sameList(
    'first 50 accounts',
    ids(await baseline.listScalars()),
    ids((await touchpoint.listScalars()).data?.accounts.nodes),
  );

  const nested = (nodes: AccountJson[] | undefined) =>
    (nodes ?? []).map((n) => [n.id, (n.contacts ?? []).map((c) => c.id)]);
  sameList(
    '50 accounts × first 5 contacts',
    nested(await baseline.listWithContacts()),
    nested((await touchpoint.listWithContacts()).data?.accounts.nodes),
  );
  sameList('count by industry', await baseline.countByIndustry(), groupsOf(await touchpoint.countByIndustry()));
}
