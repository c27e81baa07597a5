// The costliest requests the API's limits still accept (issue 10, "Requests"), against `touchpoint start` on
// PostgreSQL: the server's time and RSS (before, peak sampled every 20 ms, after) for each. The limits are
// MAX_BODY_BYTES (20 MB), MAX_BATCH (500 records), MAX_ALIASES (20), MAX_COST (50,000) and a longText's
// 100,000 characters; nothing else bounds what one request reads or answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@touchpoint/engine';
import { gql, rssOf, startServer } from '../api/server-process.ts';

const MB = 1024 * 1024;

/** Runs `request` while sampling the server's RSS; one line of figures. */
async function measured(pid: number, label: string, request: () => Promise<string>): Promise<string> {
  const before = rssOf(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, 20);
  const started = performance.now();
  const outcome = await request();
  const took = performance.now() - started;
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 1_000));
  const after = rssOf(pid);
  return `${label}: ${outcome}, ${took.toFixed(0)} ms; server RSS ${(before / MB).toFixed(0)} -> peak ${(peak / MB).toFixed(0)} -> ${(after / MB).toFixed(0)} MB`;
}

/** One request; its outcome and the answer's size. */
async function post(url: string, query: string, variables: Record<string, unknown> = {}) {
  const body = await gql(url, query, variables);
  const code = body.errors
    ? `${String(body.errors[0]?.extensions?.code)} (${body.errors[0]?.message.slice(0, 120)})`
    : 'ok';
  return `${code}, ${(JSON.stringify(body).length / MB).toFixed(1)} MB answer`;
}

export async function measureCostliestRequests(lines: string[]): Promise<void> {
  const database = await createTestDatabase('tp_bench_budget');
  const work = mkdtempSync(join(tmpdir(), 'tp-bench-budget-'));
  try {
    const server = await startServer({
      DATABASE_URL: database.url ?? '',
      TOUCHPOINT_DATA_DIR: database.dataDir ?? join(work, 'data'),
    });
    try {
      const pid = server.child.pid!;
      await gql(server.url, 'mutation { createAccount(input: { name: "warm" }) { id } }');
      // 500 rows of 39,000 characters: as much as fits in one 20 MB body.
      const batch = (n: number, size: number) =>
        Array.from({ length: 500 }, (_, i) => ({ name: `Big ${n}-${i}`, description: 'd'.repeat(size) }));
      const CREATE = 'mutation($a: [AccountInput!]!) { createAccounts(inputs: $a) { id } }';
      lines.push(
        await measured(pid, 'createAccounts, 500 rows x 39,000 characters (19 MB body)', () =>
          post(server.url, CREATE, { a: batch(0, 39_000) }),
        ),
      );
      // Three more batches of the same: 2,000 accounts of 39 KB.
      for (let n = 1; n < 4; n++) await post(server.url, CREATE, { a: batch(n, 39_000) });
      const page = 'accounts(first: 500) { nodes { id description } }';
      lines.push(
        await measured(pid, 'one accounts(first: 500) of 39 KB descriptions', () => post(server.url, `{ ${page} }`)),
      );
      const aliased = Array.from({ length: 20 }, (_, i) => `a${i}: ${page}`);
      lines.push(
        await measured(pid, '20 aliases of accounts(first: 500) of 39 KB descriptions (cost within 50,000)', () =>
          post(server.url, `{ ${aliased.join(' ')} }`),
        ),
      );
      const exports = Array.from({ length: 20 }, (_, i) => `e${i}: exportMetadata`);
      lines.push(
        await measured(pid, '20 aliases of exportMetadata', () => post(server.url, `{ ${exports.join(' ')} }`)),
      );
      await server.stop('SIGTERM', 10_000);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  } finally {
    await database.drop();
    rmSync(work, { recursive: true, force: true });
  }
}
