// The `touchpoint` command as a user runs it: a real process, a real database, real files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@touchpoint/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
let database: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'tp-cli-'));

function touchpoint(...args: string[]) {
  return touchpointWithInput(undefined, ...args);
}

function touchpointWithInput(input: string | undefined, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--no-node-snapshot', bin, ...args], {
    encoding: 'utf8',
    input,
    env: {
      ...process.env,
      DATABASE_URL: database.url ?? '',
      TOUCHPOINT_DATA_DIR: database.dataDir ?? join(dir, 'data'),
    },
    timeout: 120_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

beforeAll(async () => {
  database = await createTestDatabase('tp_cli');
});
afterAll(async () => {
  await database?.drop();
});

describe('touchpoint CLI', () => {
  it('runs as the README says (npm run cli), with the machine’s own older Node first on the PATH', () => {
    // The project's tools (.tools/, Node 24) are taken off the PATH: the command must find them itself.
    const root = fileURLToPath(new URL('..', import.meta.url));
    const path = (process.env.PATH ?? '')
      .split(':')
      .filter((p) => !p.startsWith(root) && !p.includes('/.tools/'))
      .join(':');
    const result = spawnSync('npm', ['run', '--silent', 'cli', '--', '--help'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PATH: path || '/usr/bin:/bin', TOUCHPOINT_NODE: '' },
      timeout: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/touchpoint plugin|plugin build/);
  });

  it('adds a user who can sign in (password from stdin) and prints an API token once that works', async () => {
    const added = touchpointWithInput(
      'a long enough password\n',
      'user',
      'add',
      '--email',
      'Ops@Example.test',
      '--name',
      'Ops',
      '--role',
      'admin',
      '--password-stdin',
    );
    expect(added.code, added.err).toBe(0);
    expect(added.out).toMatch(/Ops@Example\.test can sign in to "default"/);
    const token = touchpoint(
      'token',
      'create',
      '--user',
      'ops@example.test',
      '--name',
      'backup job',
      '--expires',
      '7d',
    );
    expect(token.code, token.err).toBe(0);
    expect(token.out.trim()).toMatch(/^tp_[\w-]{43}$/);
    expect(token.err).toMatch(/shown this once/);
    expect(touchpoint('token', 'create', '--user', 'nobody@example.test', '--name', 'x')).toMatchObject({ code: 1 });
    expect(touchpoint('token', 'create', '--user', 'ops@example.test')).toMatchObject({ code: 2 });
    expect(touchpoint('user', 'add', '--email', 'x@example.test')).toMatchObject({ code: 2 });
    const { Engine, loadCoreEntities } = await import('@touchpoint/engine');
    const engine = await Engine.start({
      databaseUrl: database.url,
      dataDir: database.dataDir ?? join(dir, 'data'),
      coreEntities: loadCoreEntities(fileURLToPath(new URL('../schemas/entities', import.meta.url))),
    });
    try {
      expect((await engine.identity.authenticateToken(token.out.trim()))?.email).toBe('ops@example.test');
      const { principal } = await engine.identity.signIn('ops@example.test', 'a long enough password');
      expect(principal.memberships.map((m) => m.workspace)).toEqual(['default']);
    } finally {
      await engine.close();
    }
  });

  it('prints help and refuses unknown commands with exit code 2', () => {
    expect(touchpoint('--help')).toMatchObject({ code: 0 });
    expect(touchpoint('--help').out).toMatch(/metadata plan/);
    const unknown = touchpoint('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Unknown command "frobnicate"/);
  });

  it('plans and applies a change file, and refuses a destructive one without confirmation', () => {
    const add = join(dir, 'add.yaml');
    writeFileSync(
      add,
      `- op: addField\n  entity: account\n  field:\n    name: acmeRegionCode\n    type: text\n    labels: { en: Region, zh-CN: 区域 }\n`,
    );
    const plan = touchpoint('metadata', 'plan', add);
    expect(plan.code).toBe(0);
    expect(plan.out).toMatch(/Add the text field "acmeRegionCode" to "account"/);
    expect(touchpoint('metadata', 'apply', add).out).toMatch(/Applied: version \d+/);
    const remove = join(dir, 'remove.yaml');
    writeFileSync(remove, `- op: removeField\n  entity: account\n  field: acmeRegionCode\n`);
    const refused = touchpoint('metadata', 'apply', remove);
    expect(refused.code).toBe(4);
    expect(refused.err).toMatch(/CONFIRMATION_REQUIRED/);
    expect(touchpoint('metadata', 'apply', remove, '--confirm-destructive').code).toBe(0);
    expect(touchpoint('metadata', 'export').out).not.toMatch(/acmeRegionCode/);
  });

  it('names the file, line and column of malformed YAML, with exit code 3', () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, `- op: addField\n  entity: account\n  field: { name: x, type: text\n`);
    const result = touchpoint('metadata', 'plan', broken);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/broken\.yaml: line \d+, column \d+/);
  });

  it('plugin pack works as both READMEs say: it seals the plugin into an archive, exit code 0', () => {
    const out = join(dir, 'packed');
    const packed = touchpoint(
      'plugin',
      'pack',
      fileURLToPath(new URL('../plugins/asset-tracking', import.meta.url)),
      '--out-dir',
      out,
    );
    expect(packed.code, packed.err).toBe(0);
    const file = join(out, 'touchpoint.asset-tracking-1.0.0.tpplugin.json');
    expect(packed.out).toContain(file);
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).manifest.id).toBe('touchpoint.asset-tracking');
    // The READMEs list the plugin commands the CLI has, and call none of them planned.
    const help = touchpoint('--help').out;
    for (const readme of ['../README.md', '../packages/cli/README.md']) {
      const text = readFileSync(fileURLToPath(new URL(readme, import.meta.url)), 'utf8');
      expect(text, readme).not.toMatch(
        /\bplugin (\w+\|)*pack\b[^.\n]*\bplanned\b|\bpack\b[^.\n]{0,30}\b(is|are) planned/i,
      );
      for (const sub of ['build', 'pack', 'test']) {
        expect(text, readme).toMatch(new RegExp(`plugin (build\\|pack\\|test|${sub})`));
        expect(help).toContain(`plugin ${sub} <dir>`);
      }
    }
  });
});
