// Databases for tests: a fresh PostgreSQL database per run on the local server when it answers, otherwise
// an embedded PGlite in a temporary directory. Either way the caller gets a URL or data dir and a cleanup.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const LOCAL_POSTGRES_URL =
  process.env.TOUCHPOINT_TEST_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** Set when a PostgreSQL server is used. */
  url?: string;
  /** Set when the embedded database is used. */
  dataDir?: string;
  kind: 'postgresql' | 'embedded';
  drop(): Promise<void>;
}

async function serverAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createTestDatabase(prefix = 'tp_test'): Promise<TestDatabase> {
  if (process.env.TOUCHPOINT_TEST_EMBEDDED !== '1' && (await serverAnswers(LOCAL_POSTGRES_URL))) {
    const name = `${prefix}_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: LOCAL_POSTGRES_URL });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const url = new URL(LOCAL_POSTGRES_URL);
    url.pathname = `/${name}`;
    return {
      kind: 'postgresql',
      url: url.toString(),
      async drop() {
        const client = new pg.Client({ connectionString: LOCAL_POSTGRES_URL });
        await client.connect();
        await client.query(`drop database if exists "${name}" with (force)`);
        await client.end();
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    kind: 'embedded',
    dataDir,
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
