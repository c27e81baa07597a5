// Where the time of one scenario goes: the same read measured layer by layer, from the hand-written SQL up
// to the full HTTP + GraphQL request. Each layer adds one thing to the one before, so the differences
// between rows (latency at concurrency 1, CPU per request) are what that thing costs.
import { DEFAULT_WORKSPACE, type Engine, type ListRequest } from '@touchpoint/engine';
import { type CpuProbe, type LoadResult, localSide, runLoads, type Side } from './load.ts';
import type { LoadProcess } from './load-process.ts';

export interface Layer {
  name: string;
  adds: string;
  side: Side;
}

export interface LayerResult {
  layer: Layer;
  load: LoadResult;
}

/**
 * The nested-list scenario, layer by layer. The record service runs in this process (the server's); every
 * other layer is sent from the load process, the SQL ones through its pg pool.
 */
export async function nestedListLayers(engine: Engine, load: LoadProcess, baselineSql: string): Promise<Layer[]> {
  // The engine request the GraphQL query becomes: it asks for nodes only, so the API has the record service
  // return them as PostgreSQL's JSON text, keys in the query's order (see packages/api/src/passthrough.ts).
  const request: ListRequest = {
    entity: 'account',
    first: 50,
    includeDeleted: false,
    selection: {
      fields: ['id', 'name'],
      keys: ['id', 'name', 'contacts'],
      relations: [
        {
          key: 'contacts',
          field: 'contacts',
          first: 5,
          selection: {
            fields: ['id', 'firstName', 'lastName', 'email'],
            keys: ['id', 'firstName', 'lastName', 'email'],
            relations: [],
          },
        },
      ],
    },
  };
  const metadata = await engine.metadata(DEFAULT_WORKSPACE);
  const statement = metadata.compiler.compileListJson(request).statement;
  const records = engine.records({ workspace: DEFAULT_WORKSPACE, actor: 'bench' });
  return [
    {
      name: 'baseline SQL through pg',
      adds: 'the practical limit',
      side: load.side({ kind: 'sql', text: baselineSql, params: [] }),
    },
    {
      name: "Touchpoint's SQL through pg",
      adds: 'the statement Touchpoint compiles for this request, run as is',
      side: load.side({ kind: 'sql', text: statement.text, params: [...statement.params] }),
    },
    {
      name: 'record service, in process',
      adds: 'compiling the request (cached per shape), the record service; the nodes stay JSON text',
      side: localSide(async () => {
        const nodes = await records.listJson(request);
        if (!nodes.startsWith('[') || nodes.length < 1000)
          throw new Error(`expected 50 accounts, got ${nodes.slice(0, 100)}`);
      }),
    },
    {
      name: 'HTTP only (GET /healthz)',
      adds: 'a keep-alive HTTP round trip (node:http) and no work behind it (not part of the read)',
      side: load.side({ kind: 'healthz' }),
    },
    {
      name: 'full: HTTP + GraphQL',
      adds: 'the whole request: HTTP client and server, the short lane for a document yoga already ran (variables, the answer written around the nodes), record service, SQL',
      side: load.side({ kind: 'touchpoint', scenario: 'listWithContacts' }),
    },
  ];
}

export async function measureLayers(
  layers: readonly Layer[],
  concurrency: readonly number[],
  options: { durationMs: number; warmupMs: number; databaseCpu?: CpuProbe },
  progress: (message: string) => void,
): Promise<LayerResult[]> {
  const results: LayerResult[] = [];
  for (const c of concurrency) {
    progress(`breakdown · ${layers.length} layers · concurrency ${c}`);
    const loads = await runLoads(
      layers.map((layer) => layer.side),
      { ...options, concurrency: c },
    );
    layers.forEach((layer, i) => {
      const load = loads[i]!;
      if (load.errors > 0) throw new Error(`breakdown layer "${layer.name}" failed: ${load.firstError}`);
      results.push({ layer, load });
    });
  }
  return results;
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);

export function breakdownMarkdown(title: string, results: readonly LayerResult[]): string {
  const lines = [
    `${title}: each layer measured alone (closed loop, same data). CPU is per request: *server* is the Touchpoint`,
    "server's process (for the record service row: the in-process calls), *load* the load generator's process (its",
    "pg calls for the SQL rows, its HTTP client for the HTTP rows), *PG* the bench database's PostgreSQL backends.",
    '',
    '| layer | concurrency | req/s | p50 ms | p95 ms | server CPU ms/req | load CPU ms/req | PG CPU ms/req | adds |',
    '|---|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const { layer, load } of results) {
    lines.push(
      `| ${layer.name} | ${load.concurrency} | ${Math.round(load.requestsPerSecond)} | ${ms(load.p50)} | ${ms(load.p95)} | ` +
        `${ms(load.serverCpuMs)} | ${ms(load.clientCpuMs)} | ${load.databaseCpuMs === undefined ? '—' : ms(load.databaseCpuMs)} | ${layer.adds} |`,
    );
  }
  const at = (name: string, c: number) =>
    results.find((r) => r.layer.name.startsWith(name) && r.load.concurrency === c);
  const c1 = Math.min(...results.map((r) => r.load.concurrency));
  const base = at('baseline', c1);
  const sql = at("Touchpoint's SQL", c1);
  const service = at('record service', c1);
  const http = at('HTTP only', c1);
  const full = at('full', c1);
  if (base && sql && service && http && full) {
    const graphql = full.load.p50 - service.load.p50 - http.load.p50;
    const graphqlCpu = full.load.serverCpuMs - service.load.serverCpuMs - http.load.serverCpuMs;
    const pg = (r: LayerResult) => r.load.databaseCpuMs;
    const pgBase = pg(base);
    const pgTouchpoint = pg(sql);
    lines.push(
      '',
      `At concurrency ${c1}, by p50 latency: hand-written SQL ${ms(base.load.p50)} ms; Touchpoint's SQL ${ms(sql.load.p50)} ms ` +
        `(${signed(sql.load.p50 - base.load.p50)} ms); record service ${ms(service.load.p50)} ms ` +
        `(${signed(service.load.p50 - sql.load.p50)} ms over its SQL); an empty HTTP round trip ${ms(http.load.p50)} ms; ` +
        `the full request ${ms(full.load.p50)} ms, which leaves ≈ ${ms(graphql)} ms (≈ ${ms(graphqlCpu)} ms of the server's CPU) ` +
        'for GraphQL (the short lane: body, variables, the answer around the nodes) and request plumbing.',
    );
    if (pgBase !== undefined && pgTouchpoint !== undefined) {
      lines.push(
        '',
        `By CPU per request: PostgreSQL spends ${ms(pgTouchpoint)} ms on Touchpoint's statement against ${ms(pgBase)} ms on ` +
          `the hand-written one (${(pgTouchpoint / pgBase).toFixed(2)}×); the Touchpoint server spends ${ms(full.load.serverCpuMs)} ms ` +
          `of Node CPU on the full request (its HTTP client another ${ms(full.load.clientCpuMs)} ms) against ` +
          `${ms(base.load.clientCpuMs)} ms for the baseline's pg call.`,
      );
    }
  }
  return lines.join('\n');
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;
}
