// `touchpoint import` and `touchpoint export` as a user runs them: the real command in a child process against
// a fresh PostgreSQL database, with exit codes that tell whether rows were refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@touchpoint/engine';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url));
let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase('tp_transfer_cli');
  dir = mkdtempSync(join(tmpdir(), 'tp-transfer-cli-'));
}, 120_000);

afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function run(...args: string[]) {
  if (!database.url) throw new Error('The CLI test runs against the local PostgreSQL server.');
  return spawnSync(process.execPath, ['--no-node-snapshot', bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: database.url },
    timeout: 120_000,
  });
}

describe('touchpoint import / export', () => {
  it('checks, imports, matches, exports and undoes, with exit codes telling refused rows', () => {
    const csv = join(dir, 'accounts.csv');
    writeFileSync(
      csv,
      iconv.encode(
        '客户名称,城市,行业,电子邮箱\n济南重工,济南,制造业,a@jnzg.cn\n青岛海洋,青岛,零售,b@qdhy.cn\n',
        'gbk',
      ),
    );
    const dry = run('import', 'account', csv, '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      '2 rows read (csv, gb18030): 2 would be created, 0 would be updated, 0 skipped, 0 refused.',
    );
    expect(dry.stdout).toContain('客户名称 → name');

    const done = run('import', 'account', csv);
    expect(done.status, done.stderr).toBe(0);
    const jobId = /Import ([0-9a-f-]{36}) done/.exec(done.stdout)?.[1];
    expect(jobId).toBeDefined();

    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'name,email,industry\nOK Co,ok@x.cn,Retail\nBad Co,=HYPERLINK("http://x"),Nonsense\n');
    const refused = run('import', 'account', bad, '--language', 'zh-CN');
    expect(refused.status).toBe(8);
    expect(refused.stdout).toContain('row 3, email: 看起来是电子表格公式');
    expect(refused.stdout).toContain('row 3, industry: “Nonsense”不是可选项');
    expect(refused.stdout).toContain('Nothing changed.');

    const mapping = join(dir, 'mapping.yaml');
    writeFileSync(mapping, 'columns:\n  Company: name\n  Mail: email\n  Staff: employees\nmatch: email\n');
    const update = join(dir, 'update.csv');
    writeFileSync(update, 'Company,Mail,Staff\n济南重工,A@JNZG.CN,"1,500"\n');
    const updated = run('import', 'account', update, '--mapping', mapping);
    expect(updated.status, updated.stderr).toBe(0);
    expect(updated.stdout).toContain('0 were created, 1 were updated');

    const out = join(dir, 'out.csv');
    const exported = run('export', 'account', '--out', out, '--columns', 'name,city,employees', '--sort', 'name:asc');
    expect(exported.status, exported.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(
      '\ufeffAccount name,City,Employees\r\n济南重工,济南,1500\r\n青岛海洋,青岛,\r\n',
    );
    const filtered = join(dir, 'filtered.xlsx');
    const x = run('export', 'account', '--out', filtered, '--filter', '{"city":{"eq":"青岛"}}');
    expect(x.status, x.stderr).toBe(0);
    expect(x.stdout).toContain('1 account records written');

    const undone = run('import', '--undo', jobId!);
    expect(undone.status, undone.stderr).toBe(0);
    expect(undone.stdout).toContain('2 records deleted, 0 reverted');
    const again = run('import', '--undo', jobId!);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('only a finished import can be undone');

    const missing = run('import', 'account', join(dir, 'nope.csv'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('There is no file at');
    const noName = join(dir, 'noname.csv');
    writeFileSync(noName, 'city\nJinan\n');
    const invalid = run('import', 'account', noName);
    expect(invalid.status).toBe(3);
    expect(invalid.stderr).toContain('No column is mapped to the required field(s) name');
    // A dozen commands, each opening the database: minutes on a busy machine.
  }, 300_000);
});
