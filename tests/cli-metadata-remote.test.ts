// `touchpoint metadata export|diff|apply --server`: the CLI against a running server, as an admin uses it
// while `touchpoint start` holds the embedded data folder. A real server process, real HTTP, API tokens made
// with `touchpoint token create` before the server starts (the folder is locked while it runs).
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, type ServerProcess, startServer } from './api/server-process.ts';

const bin = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tp-cli-remote-'));
const dataDir = join(dir, 'data');
const env = { DATABASE_URL: '', TOUCHPOINT_DATA_DIR: dataDir, TOUCHPOINT_WEB_DIR: join(dir, 'no-web') };

/** `touchpoint …` as a separate process; TOUCHPOINT_SERVER / TOUCHPOINT_TOKEN only when given. */
function touchpoint(args: string[], extra: Record<string, string> = {}, input?: string) {
  const { TOUCHPOINT_SERVER: _s, TOUCHPOINT_TOKEN: _t, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--no-node-snapshot', bin, ...args], {
    encoding: 'utf8',
    env: { ...inherited, ...env, ...extra },
    input,
    timeout: 180_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** The same without blocking this process: for a peer that this process serves itself. */
function touchpointAsync(args: string[], extra: Record<string, string>) {
  const { TOUCHPOINT_SERVER: _s, TOUCHPOINT_TOKEN: _t, ...inherited } = process.env;
  return new Promise<{ code: number | null; err: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--no-node-snapshot', bin, ...args],
      { env: { ...inherited, ...env, ...extra }, timeout: 180_000 },
      (error, _out, err) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, err }),
    );
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function addUser(email: string, role: string): void {
  const added = touchpoint(['user', 'add', '--email', email, '--name', email.split('@')[0]!, '--role', role]);
  expect(added.code, added.err).toBe(0);
}

function createToken(email: string): string {
  const created = touchpoint(['token', 'create', '--user', email, '--name', 'cli']);
  expect(created.code, created.err).toBe(0);
  return created.out.trim();
}

const GIZMO = `---
name: gizmo
labels: { en: Gizmo, zh-CN: 小装置 }
titleField: title
fields:
  - { name: title, type: text, labels: { en: Title, zh-CN: 标题 }, required: true }
`;

async function entityNamed(name: string): Promise<unknown> {
  const answer = await gql(server.url, 'query($n: String!) { entity(name: $n) { name fields { name } } }', { n: name });
  expect(answer.errors).toBeUndefined();
  return answer.data?.entity;
}

let server: ServerProcess;
let adminToken: string;
let repToken: string;
let remoteDiff: { code: number | null; out: string };
let before: string;

beforeAll(async () => {
  mkdirSync(dataDir, { recursive: true });
  addUser('ops@remote.test', 'admin');
  addUser('rep@remote.test', 'salesRep');
  adminToken = createToken('ops@remote.test');
  repToken = createToken('rep@remote.test');
  server = await startServer(env);
}, 300_000);

afterAll(async () => {
  if (server?.child.exitCode === null) await server.stop('SIGKILL', 10_000).catch(() => {});
});

describe('touchpoint metadata against a running server', { timeout: 600_000 }, () => {
  const admin = () => ({ TOUCHPOINT_SERVER: server.url, TOUCHPOINT_TOKEN: adminToken });

  it('without --server, the refusal of the locked folder names the server’s address and how to get a token', () => {
    const refused = touchpoint(['metadata', 'export']);
    expect(refused.code).toBe(1);
    const port = new URL(server.url).port;
    expect(refused.err).toContain(`It is a Touchpoint server answering at http://localhost:${port}.`);
    expect(refused.err).toContain(`touchpoint metadata export … --server http://localhost:${port}`);
    expect(refused.err).toContain('touchpoint token create');
  });

  it('export sees a designer change made a moment before, exactly as the server exports it', async () => {
    const added = await gql(server.url, 'mutation($f: JSON!) { addField(entity: "account", field: $f) { version } }', {
      f: { name: 'remoteRegion', type: 'text', labels: { en: 'Region', 'zh-CN': '区域' }, required: false },
    });
    expect(added.errors).toBeUndefined();
    const role = await gql(server.url, 'mutation($c: JSON!) { applyMetadataChange(changes: $c) { version } }', {
      c: [
        {
          op: 'createRole',
          role: {
            name: 'remoteDesk',
            labels: { en: 'Remote desk', 'zh-CN': '远程坐席' },
            objects: { '*': { read: true } },
          },
        },
      ],
    });
    expect(role.errors).toBeUndefined();
    const exported = touchpoint(['metadata', 'export', '--server', server.url], { TOUCHPOINT_TOKEN: adminToken });
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out).toMatch(/^# Touchpoint metadata/);
    expect(exported.out).toMatch(/extends: account[\s\S]*remoteRegion:\n\s+type: text/);
    expect(exported.out).not.toContain('required: false');
    expect(exported.out).toMatch(/kind: role\nname: remoteDesk\nid: role_[0-9a-f]{12}\n/);
    const served = await gql(server.url, '{ metadataAsCode { text } }');
    expect(exported.out).toBe((served.data!.metadataAsCode as { text: string }).text);
    before = exported.out;
    // The folder form from the same documents; the token read from standard input this time.
    const folder = join(dir, 'exported');
    const written = touchpoint(
      ['metadata', 'export', '--server', server.url, '--token-stdin', '--out', folder],
      {},
      `${adminToken}\n`,
    );
    expect(written.code, written.err).toBe(0);
    expect(readFileSync(join(folder, 'entities', 'account.yaml'), 'utf8')).toContain('remoteRegion');
    expect(readFileSync(join(folder, 'permissions', 'role-remoteDesk.yaml'), 'utf8')).toMatch(/^kind: role\n/);
  });

  it('diff and apply a desired state through the server: planned by the same code, applied by the server', async () => {
    const sharing = '---\nkind: sharing\nentities:\n  gizmo: { default: publicRead }\n';
    const desired = file('with-gizmo.yaml', `${before}${GIZMO}${sharing}`);
    const diff = touchpoint(['metadata', 'diff', desired], admin());
    expect(diff.code, diff.err).toBe(0);
    // The sharing of an entity no change renames goes first (see planPermissionChanges), then the entities.
    expect(diff.out).toContain(
      'Changes:\n  - Set the sharing of "gizmo" to publicRead.\n  - Create the entity "gizmo" with 1 field.',
    );
    expect(diff.out).toMatch(/Database steps:\n\s+1\. /);
    expect(await entityNamed('gizmo')).toBeNull();
    const applied = touchpoint(['metadata', 'apply', desired], admin());
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toMatch(/Applied: version \d+\./);
    expect(await entityNamed('gizmo')).toEqual({ name: 'gizmo', fields: [{ name: 'title' }] });
    const model = await gql(server.url, '{ permissionModel }');
    expect((model.data!.permissionModel as { sharing: { entities: object } }).sharing.entities).toMatchObject({
      gizmo: { default: 'publicRead' },
    });
    const again = touchpoint(['metadata', 'apply', desired], admin());
    expect(again.out).toContain('Nothing to change: the workspace matches the file.');
  });

  it('a removal is destructive: diff answers 4, apply without --confirm-destructive answers 4 and changes nothing', async () => {
    const without = file('without-gizmo.yaml', before);
    remoteDiff = touchpoint(['metadata', 'diff', without], admin());
    expect(remoteDiff.code, remoteDiff.out).toBe(4);
    expect(remoteDiff.out).toContain('Remove the entity "gizmo" (its table is archived).');
    expect(remoteDiff.out).toContain('[DESTRUCTIVE]');
    const refused = touchpoint(['metadata', 'apply', without], admin());
    expect(refused.code).toBe(4);
    expect(await entityNamed('gizmo')).not.toBeNull();
  });

  it('a sales rep’s token is refused (exit 7) and nothing changes', async () => {
    const rep = { TOUCHPOINT_SERVER: server.url, TOUCHPOINT_TOKEN: repToken };
    const other = file('widget.yaml', `${before}${GIZMO.replaceAll('gizmo', 'widget').replace('Gizmo', 'Widget')}`);
    const applied = touchpoint(['metadata', 'apply', other], rep);
    expect(applied.code).toBe(7);
    expect(applied.err).toMatch(
      /FORBIDDEN: .*Only administrators may export the metadata as code; you are signed in as rep@remote\.test/,
    );
    const changes = file('rep-changes.yaml', '- { op: removeEntity, entity: gizmo }\n');
    const direct = touchpoint(['metadata', 'apply', changes, '--confirm-destructive'], rep);
    expect(direct.code).toBe(7);
    // Planning is gated like applying (manageMetadata): the first call the CLI makes is refused.
    expect(direct.err).toMatch(/Only administrators may (run applyMetadataChange|plan a metadata change)/);
    expect(touchpoint(['metadata', 'export'], rep).code).toBe(7);
    expect(await entityNamed('widget')).toBeNull();
    expect(await entityNamed('gizmo')).not.toBeNull();
  });

  it('a revoked, an unknown or a missing token gets a clear answer: 6, 6, 2', async () => {
    const created = await gql(
      server.url,
      'mutation { createApiToken(name: "soon revoked", expiresInDays: 1) { token apiToken { id } } }',
    );
    expect(created.errors).toBeUndefined();
    const { token, apiToken } = created.data!.createApiToken as { token: string; apiToken: { id: string } };
    expect(touchpoint(['metadata', 'export'], { TOUCHPOINT_SERVER: server.url, TOUCHPOINT_TOKEN: token }).code).toBe(0);
    const revoked = await gql(server.url, 'mutation($id: ID!) { revokeApiToken(id: $id) }', { id: apiToken.id });
    expect(revoked.data?.revokeApiToken).toBe(true);
    const refused = touchpoint(['metadata', 'export'], { TOUCHPOINT_SERVER: server.url, TOUCHPOINT_TOKEN: token });
    expect(refused.code).toBe(6);
    expect(refused.err).toContain(
      `The server at ${server.url} refused the API token: it is unknown, revoked or expired.`,
    );
    const unknown = touchpoint(['metadata', 'export'], {
      TOUCHPOINT_SERVER: server.url,
      TOUCHPOINT_TOKEN: 'tp_nonsense',
    });
    expect(unknown.code).toBe(6);
    const missing = touchpoint(['metadata', 'export', '--server', server.url]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("needs an administrator's API token");
  });

  it('an unreachable address or something that is not a Touchpoint server exits 5; a bad address 2', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const down = touchpoint(['metadata', 'export', '--server', `http://127.0.0.1:${closed}`], {
      TOUCHPOINT_TOKEN: adminToken,
    });
    expect(down.code).toBe(5);
    expect(down.err).toContain(`Cannot reach the Touchpoint server at http://127.0.0.1:${closed} (ECONNREFUSED)`);
    // A web server that answers HTML: the CLI says so instead of printing a parse error.
    const html: Server = createServer((_req, res) => res.end('<html>hello</html>'));
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(html.address() as { port: number }).port}`;
      const other = await touchpointAsync(['metadata', 'diff', file('x.yaml', before), '--server', url], {
        TOUCHPOINT_TOKEN: adminToken,
      });
      expect(other.code).toBe(5);
      expect(other.err).toContain('with something other than GraphQL: is');
    } finally {
      await new Promise((resolve) => html.close(resolve));
    }
    const bad = touchpoint(['metadata', 'export', '--server', 'file:///etc/passwd'], { TOUCHPOINT_TOKEN: adminToken });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--server must be an http:// or https:// address');
  });

  it('once the server stops, the CLI on the database prints the same plan and exit code as it did remotely', async () => {
    await server.stop('SIGTERM', 30_000);
    const local = touchpoint(['metadata', 'diff', join(dir, 'without-gizmo.yaml')]);
    expect(local.code, local.err).toBe(remoteDiff.code);
    expect(local.out).toBe(remoteDiff.out);
  });
});
