// The `touchpoint` command. Exit codes: 0 done, 1 failed, 2 bad usage, 3 invalid input, 4 needs confirmation,
// 5 server unreachable, 6 not signed in (API token unknown, revoked or expired), 7 not allowed (not an admin),
// 8 an import refused rows.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Engine, EngineOptions } from '@touchpoint/engine';
import { isTouchpointError, TouchpointError } from '@touchpoint/schema';
import { applyMetadata, exportMetadata, localTarget, type MetadataTarget, printPlan } from './metadata-command.ts';
import { RemoteMetadataTarget, ServerUnreachableError, sendsTokenInClear, serverUrl } from './metadata-remote.ts';
import { SEED_SIZES, type SeedSize } from './seed.ts';

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  invalid: 3,
  confirm: 4,
  unreachable: 5,
  unauthenticated: 6,
  forbidden: 7,
} as const;

const DEFAULT_SCHEMAS = fileURLToPath(new URL('../../../schemas/entities', import.meta.url));

const HELP = `touchpoint — the Touchpoint CRM platform

Usage: touchpoint <command> [options]

Commands:
  start                     Serve the API (and web app) on one port.
      --port <n>            Port (default: $PORT or 3000)
      --demo                Seed the demo dataset (size S) when the database is empty
  migrate                   Bring every workspace up to date with the core and plugin schemas
                            (and fill the data new fields derive from other records).
      --confirm-destructive Also apply destructive steps (data is archived, never dropped)
  metadata export           Write the workspace's metadata as code: its own entities whole, its changes
                            to core and plugin entities as "extends:" documents (core and plugin
                            definitions are left out). To stdout, or --out <file.yaml> (one file of
                            several documents) or --out <folder> (<folder>/entities/<name>.yaml; other
                            YAML files there are removed: the folder is the whole desired state)
  metadata diff <path>      Show what applying a file or folder would change (exit 4: destructive steps
                            pending). <path>: an export (desired state) or a list of changes (YAML or JSON)
  metadata apply <path>     Make the workspace match it, in one transaction; a desired state's
                            entities and fields are matched by id (a changed name is a rename), what it
                            no longer lists is removed.  --confirm-destructive for destructive steps
  metadata plan <path>      The same as diff (kept for scripts)
      --server <url>        Export, diff and apply against a running server over HTTP instead of opening
                            the database (which that server holds); needs an admin's API token in
                            $TOUCHPOINT_TOKEN or, with --token-stdin, on standard input
  user add                  Make someone able to sign in (their user record, credential and membership).
      --email <address> --name <name> --role <role> (e.g. admin, salesRep)
      --password-stdin      Read the password from standard input (else they cannot sign in with one yet)
  token create              Create an API token and print it (once: only its hash is kept).
      --user <email> --name <name> [--expires 30d] (days, 1-366; default 90d)
  import <entity> <file>    Import records from a CSV or XLSX file (first sheet; header row = column
                            names). Columns map to fields by name or label (English or Chinese) unless
                            --mapping <file.yaml> says (columns: { "<header>": <field> }, match, onMatch).
                            Every row is checked first; with any row refused nothing is written (exit 8)
      --dry-run             Only check: print what would be created, updated, skipped, refused, and why
      --match <fields>      Update the record whose key matches: email, phone (by the phone key), name+city,
                            an external id field.  --on-match update|skip  --on-no-match create|skip
      --skip-invalid        Import the good rows, leave the refused ones out (exit 8 still tells)
      --encoding <name>     utf-8, gbk, gb18030, utf-16le (default: detected)
      --time-zone <zone>    For date-times written without a zone (default UTC), e.g. Asia/Shanghai
      --language en|zh-CN   Language of the problems printed (default en)
  import --undo <id>        Undo an import: delete what it created, revert what it updated
  export <entity>           Export records to --out <file.csv|file.xlsx> (CSV: UTF-8 with BOM)
      --filter <json>       e.g. '{"city":{"eq":"Jinan"}}'   --columns name,city   --sort name:asc
      --language en|zh-CN   Header and option labels (default en)
  seed                      Generate deterministic demo data (with demo sign-ins, password "touchpoint").
      --size S|M|L          Dataset size (default S)   --seed <n> (default 42)
  plugin build <dir>        Bundle a plugin folder into one script.  --out <file> (default <dir>/dist/plugin.js)
  plugin pack <dir>         Make its versioned, sealed archive.  --out-dir <dir> (default <dir>/dist)
      --overlay <folder>    Lay a folder of the plugin over it first (e.g. versions/1.1.0: another release)
  plugin test <dir>         Run the plugin's tests (<dir>/test) against a real engine and database.
      --database <url>      PostgreSQL server the tests create their databases on
                            (default $TOUCHPOINT_TEST_POSTGRES, else the local one)

Common options:
  --workspace <slug>        Workspace (default: default)
  --help                    This text

Environment:
  DATABASE_URL              PostgreSQL to use; without it an embedded PostgreSQL (PGlite) runs
  TOUCHPOINT_DATA_DIR       Where the embedded database lives (default ./data)
  TOUCHPOINT_SCHEMAS_DIR    Core entity schemas (default: the repository's schemas/entities)
  TOUCHPOINT_WEB_DIR        Built web app served by start (default: the repository's apps/web/build)
  TOUCHPOINT_STATEMENT_TIMEOUT_MS
                            How long one read statement may run before it is stopped (default 30000)
  TOUCHPOINT_SERVER         The running server metadata commands talk to (as --server)
  TOUCHPOINT_TOKEN          The API token they send to it (\`touchpoint token create\`, or createApiToken)
  TOUCHPOINT_CLOCK          Run as if it were this instant (ISO 8601, e.g. 2026-12-03T15:00:00Z), the clock
                            going on from there: "now" for relative dates, the timeline and the demo data

Exit codes: 0 done, 1 failed, 2 bad usage, 3 invalid input (nothing applied), 4 destructive steps need
--confirm-destructive, 5 server unreachable, 6 API token refused (unknown, revoked or expired),
7 not allowed (metadata as code is for administrators), 8 an import refused rows
`;

interface Options {
  port?: string;
  demo?: boolean;
  'confirm-destructive'?: boolean;
  out?: string;
  size?: string;
  seed?: string;
  workspace?: string;
  overlay?: string;
  'out-dir'?: string;
  database?: string;
  email?: string;
  name?: string;
  role?: string;
  'password-stdin'?: boolean;
  user?: string;
  expires?: string;
  server?: string;
  'token-stdin'?: boolean;
  help?: boolean;
  mapping?: string;
  'dry-run'?: boolean;
  match?: string;
  'on-match'?: string;
  'on-no-match'?: string;
  'skip-invalid'?: boolean;
  encoding?: string;
  'time-zone'?: string;
  undo?: string;
  filter?: string;
  columns?: string;
  sort?: string;
  language?: string;
}

// The engine and the API load lazily: `--help` and usage errors answer without loading the database stack.
async function engineOptions(): Promise<EngineOptions> {
  const { clockStartingAt, loadCoreEntities, loadCorePermissions } = await import('@touchpoint/engine');
  const entitiesDir = process.env.TOUCHPOINT_SCHEMAS_DIR ?? DEFAULT_SCHEMAS;
  const coreEntities = loadCoreEntities(entitiesDir);
  // The roles and sharing settings sit beside the entities: `schemas/permissions`.
  const permissionsDir = join(dirname(entitiesDir), 'permissions');
  const corePermissions = existsSync(permissionsDir) ? loadCorePermissions(permissionsDir, coreEntities) : undefined;
  const clockStart = process.env.TOUCHPOINT_CLOCK;
  const timeout = process.env.TOUCHPOINT_STATEMENT_TIMEOUT_MS;
  return {
    statementTimeoutMs: timeout ? Number(timeout) : undefined,
    clock: clockStart ? clockStartingAt(clockStart, 'TOUCHPOINT_CLOCK') : undefined,
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: process.env.TOUCHPOINT_DATA_DIR ?? './data',
    coreEntities,
    corePermissions,
  };
}

async function openEngine(): Promise<Engine> {
  const { Engine } = await import('@touchpoint/engine');
  return Engine.start(await engineOptions());
}

async function start(options: Options): Promise<number> {
  const { createTouchpoint } = await import('@touchpoint/api');
  const { loadWebApp } = await import('./web.ts');
  const workspace = options.workspace ?? 'default';
  const port = Number(options.port ?? process.env.PORT ?? 3000);
  const touchpoint = await createTouchpoint({
    engine: await engineOptions(),
    port,
    host: null,
    prepare: async (engine) => {
      if (!options.demo) return;
      const { seedDemoData } = await import('./seed.ts');
      const seeded = await seedDemoData(engine, { workspace, size: 'S', seed: 42, onlyIfEmpty: true });
      if (seeded) console.log(`Seeded demo data: ${seeded.accounts} accounts, ${seeded.contacts} contacts.`);
    },
    web: async (url) => {
      const web = await loadWebApp(url);
      if (!web.handler) console.warn(`The web app is not served: ${web.reason}.`);
      return web.handler;
    },
  });
  const { engine } = touchpoint;
  // The port listened on (--port 0 asks for any free one).
  const listening = new URL(touchpoint.url).port;
  if (engine.db.embedded) {
    // A command refused the data folder while this server runs can then say where to reach it.
    const { announceDataDirServer } = await import('@touchpoint/engine');
    announceDataDirServer(resolve(process.env.TOUCHPOINT_DATA_DIR ?? './data'), `http://localhost:${listening}`);
  }
  const where = engine.db.embedded
    ? `embedded database in ${process.env.TOUCHPOINT_DATA_DIR ?? './data'}`
    : 'PostgreSQL';
  console.log(
    `Touchpoint is ready at http://localhost:${listening}/ (GraphQL API at http://localhost:${listening}/graphql, ${where})`,
  );
  // Catches up history rows written while no behaviour ran (e.g. before an upgrade added their links), in
  // the background: on a large dataset even finding nothing to do reads the history tables once.
  const { syncHistoryLinks } = await import('@touchpoint/crm');
  syncHistoryLinks(engine, workspace)
    .then((linked) => {
      if (linked > 0) console.log(`${linked} status/stage changes got their account and contact.`);
    })
    .catch((error) => console.error('[touchpoint] linking status/stage changes to their customers failed:', error));
  const stop = async () => {
    await touchpoint.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await new Promise(() => {});
  return EXIT.ok;
}

/** `touchpoint plugin build|pack|test <dir>` */
async function plugin(sub: string | undefined, dir: string | undefined, options: Options): Promise<number> {
  if (!dir || !['build', 'pack', 'test'].includes(sub ?? '')) {
    console.error(`Usage: touchpoint plugin build|pack|test <dir>\n\n${HELP}`);
    return EXIT.usage;
  }
  const { buildPluginFolder, packPluginFolder } = await import('@touchpoint/plugin-runtime');
  const overlay = options.overlay ? { overlay: options.overlay } : {};
  if (sub === 'build') {
    const { bundle, warnings } = await buildPluginFolder(dir, overlay);
    const out = resolve(options.out ?? join(dir, 'dist', 'plugin.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, bundle);
    for (const warning of warnings) console.warn(`warning: ${warning}`);
    console.log(`Built ${out} (${bundle.length} bytes).`);
    return EXIT.ok;
  }
  if (sub === 'pack') {
    const { archive, file } = await packPluginFolder(dir, {
      ...overlay,
      outDir: options['out-dir'] ?? join(dir, 'dist'),
    });
    console.log(`Packed ${archive.manifest.id}@${archive.manifest.version} into ${file} (sha256 ${archive.sha256}).`);
    return EXIT.ok;
  }
  // The plugin's own tests, each file on a fresh database of that server (createTestDatabase), with the
  // runtime the tests start; isolated-vm needs --no-node-snapshot in every worker.
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const env = { ...process.env, ...(options.database ? { TOUCHPOINT_TEST_POSTGRES: options.database } : {}) };
  const args = ['--no-node-snapshot', vitest, 'run', '--root', resolve(dir), '--dir', join(resolve(dir), 'test')];
  args.push('--pool=forks', '--execArgv=--no-node-snapshot', '--testTimeout=60000', '--hookTimeout=120000');
  const child = spawn(process.execPath, args, { stdio: 'inherit', env });
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  return code === 0 ? EXIT.ok : EXIT.failed;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One line: the trailing newline of `echo` or a here-string is not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `touchpoint user add --email … --name … --role … [--password-stdin]` */
async function userCommand(sub: string | undefined, workspace: string, options: Options): Promise<number> {
  if (sub !== 'add' || !options.email || !options.name || !options.role) {
    console.error(
      `Usage: touchpoint user add --email <address> --name <name> --role <role> [--password-stdin]\n\n${HELP}`,
    );
    return EXIT.usage;
  }
  const password = options['password-stdin'] ? await readStdin() : undefined;
  return withEngine(async (engine) => {
    const { userId } = await engine.addUser(
      workspace,
      { email: options.email!, name: options.name!, role: options.role!, password },
      { actor: 'cli', channel: 'cli' },
    );
    console.log(
      `${options.email} can ${password === undefined ? 'be given a password later' : 'sign in'} to "${workspace}" (user ${userId}).`,
    );
    return EXIT.ok;
  });
}

/** `touchpoint token create --user <email> --name <name> [--expires 30d]` */
async function tokenCommand(sub: string | undefined, options: Options): Promise<number> {
  const expires = /^(\d{1,4})d?$/.exec(options.expires ?? '90d');
  if (sub !== 'create' || !options.user || !options.name || !expires) {
    console.error(`Usage: touchpoint token create --user <email> --name <name> [--expires 30d]\n\n${HELP}`);
    return EXIT.usage;
  }
  return withEngine(async (engine) => {
    const credential = await engine.identity.credentialByEmail(options.user!);
    if (!credential) {
      throw new TouchpointError('NOT_FOUND', `Nobody signs in as ${options.user}.`, {
        issues: [{ path: '--user', message: 'no such email; `touchpoint user add` makes one' }],
      });
    }
    const { token, info } = await engine.identity.createToken(
      credential.id,
      options.name!,
      Number(expires[1]),
      credential.id,
      { actor: 'cli', channel: 'cli' },
    );
    console.error(`API token "${info.name}" for ${credential.email}, valid until ${info.expiresAt.toISOString()}.`);
    console.error('It is shown this once; send it as "Authorization: Bearer <token>".');
    console.log(token);
    return EXIT.ok;
  });
}

async function withEngine(fn: (engine: Engine) => Promise<number>): Promise<number> {
  const engine = await openEngine();
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** The server of `--server` / TOUCHPOINT_SERVER with its token, or the exit code of a usage error. */
async function remoteTarget(server: string, workspace: string, options: Options): Promise<MetadataTarget | number> {
  let url: string;
  try {
    url = serverUrl(server);
  } catch (error) {
    console.error((error as Error).message);
    return EXIT.usage;
  }
  const token = options['token-stdin'] ? (await readStdin()).trim() : (process.env.TOUCHPOINT_TOKEN ?? '').trim();
  if (!token) {
    console.error(
      `The server ${url} needs an administrator's API token: put it in TOUCHPOINT_TOKEN or pipe it in with --token-stdin ` +
        '(make one with `touchpoint token create --user <email> --name <name>`, or the createApiToken mutation).',
    );
    return EXIT.usage;
  }
  if (sendsTokenInClear(url)) {
    console.error(`Warning: ${url} is plain http to another machine; the API token crosses the network unencrypted.`);
  }
  return new RemoteMetadataTarget(url, token, workspace);
}

/**
 * The CLI's own database for a metadata command. When a running server holds the embedded data folder, the
 * refusal says how to run the same command against that server instead.
 */
async function withLocalEngine(sub: string, fn: (engine: Engine) => Promise<number>): Promise<number> {
  try {
    return await withEngine(fn);
  } catch (error) {
    if (!isTouchpointError(error) || error.code !== 'CONFLICT' || error.details.dataDir === undefined) throw error;
    const url = typeof error.details.url === 'string' ? error.details.url : '<its address>';
    throw new TouchpointError(
      'CONFLICT',
      `${error.message}\nTo work on the metadata while it runs, talk to that server instead: ` +
        `TOUCHPOINT_TOKEN=<an admin's API token> touchpoint metadata ${sub} … --server ${url}. ` +
        'Get a token from the server (the createApiToken mutation, signed in as an admin), or with ' +
        '`touchpoint token create --user <admin email> --name cli` while the server is stopped.',
      { details: error.details, issues: error.issues },
    );
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        demo: { type: 'boolean' },
        'confirm-destructive': { type: 'boolean' },
        out: { type: 'string' },
        size: { type: 'string' },
        seed: { type: 'string' },
        workspace: { type: 'string' },
        overlay: { type: 'string' },
        'out-dir': { type: 'string' },
        database: { type: 'string' },
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        user: { type: 'string' },
        expires: { type: 'string' },
        server: { type: 'string' },
        'token-stdin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        mapping: { type: 'string' },
        'dry-run': { type: 'boolean' },
        match: { type: 'string' },
        'on-match': { type: 'string' },
        'on-no-match': { type: 'string' },
        'skip-invalid': { type: 'boolean' },
        encoding: { type: 'string' },
        'time-zone': { type: 'string' },
        undo: { type: 'string' },
        filter: { type: 'string' },
        columns: { type: 'string' },
        sort: { type: 'string' },
        language: { type: 'string' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return EXIT.usage;
  }
  const options = parsed.values as Options;
  const [command, sub, file] = parsed.positionals;
  if (options.help || !command) {
    console.log(HELP);
    return options.help ? EXIT.ok : EXIT.usage;
  }
  const workspace = options.workspace ?? 'default';
  try {
    switch (command) {
      case 'start':
        return await start(options);
      case 'migrate':
        return await withEngine(async (engine) => {
          for (const ws of await engine.listWorkspaces()) {
            const result = await engine.store.change(ws, [], {
              actor: 'cli',
              channel: 'cli',
              reason: 'migrate',
              confirmDestructive: options['confirm-destructive'] ?? false,
            });
            console.log(`Workspace ${ws.slug}: ${result.applied ? `now at version ${result.version}` : 'up to date'}`);
            printPlan(result.plan);
            // Data the new metadata wants: history rows get their case's / deal's account and contact.
            const { syncHistoryLinks } = await import('@touchpoint/crm');
            const linked = await syncHistoryLinks(engine, ws.slug);
            if (linked > 0) console.log(`  ${linked} status/stage changes got their account and contact.`);
          }
          return EXIT.ok;
        });
      case 'metadata': {
        const metadataOptions = {
          workspace,
          out: options.out,
          confirmDestructive: options['confirm-destructive'] ?? false,
        };
        const run = (target: MetadataTarget) =>
          sub === 'export'
            ? exportMetadata(target, metadataOptions)
            : applyMetadata(target, file as string, { ...metadataOptions, dryRun: sub !== 'apply' });
        if (sub !== 'export' && (!['plan', 'diff', 'apply'].includes(sub ?? '') || !file)) {
          console.error(`Usage: touchpoint metadata diff|apply <file-or-folder> | metadata export\n\n${HELP}`);
          return EXIT.usage;
        }
        const server = options.server ?? (process.env.TOUCHPOINT_SERVER || undefined);
        if (server !== undefined) {
          const remote = await remoteTarget(server, workspace, options);
          return typeof remote === 'number' ? remote : await run(remote);
        }
        return await withLocalEngine(sub ?? 'export', (engine) => run(localTarget(engine, workspace)));
      }
      case 'seed': {
        const size = (options.size ?? 'S').toUpperCase();
        if (!SEED_SIZES.includes(size as SeedSize)) {
          console.error(`--size must be one of ${SEED_SIZES.join(', ')}, got ${options.size}`);
          return EXIT.usage;
        }
        const { seedDemoData } = await import('./seed.ts');
        return await withEngine(async (engine) => {
          const seeded = await seedDemoData(engine, {
            workspace,
            size: size as SeedSize,
            seed: Number(options.seed ?? 42),
          });
          console.log(
            `Seeded ${seeded?.accounts ?? 0} accounts and ${seeded?.contacts ?? 0} contacts into "${workspace}".`,
          );
          return EXIT.ok;
        });
      }
      case 'import': {
        const { importCommand } = await import('./transfer-command.ts');
        return await withEngine((engine) => importCommand(engine, sub, file, { ...options, workspace }));
      }
      case 'export': {
        const { exportCommand } = await import('./transfer-command.ts');
        return await withEngine((engine) => exportCommand(engine, sub, { ...options, workspace }));
      }
      case 'plugin':
        return await plugin(sub, file, options);
      case 'user':
        return await userCommand(sub, workspace, options);
      case 'token':
        return await tokenCommand(sub, options);
      default:
        console.error(`Unknown command "${command}".\n\n${HELP}`);
        return EXIT.usage;
    }
  } catch (error) {
    if (error instanceof ServerUnreachableError) {
      console.error(error.message);
      return EXIT.unreachable;
    }
    if (isTouchpointError(error)) {
      console.error(`${error.code}: ${error.message}`);
      for (const issue of error.message.includes(error.issues[0]?.message ?? '\u0000') ? [] : error.issues) {
        console.error(`  - ${issue.file ? `${issue.file}: ` : ''}${issue.path}: ${issue.message}`);
      }
      if (error.code === 'CONFIRMATION_REQUIRED') return EXIT.confirm;
      if (error.code === 'VALIDATION_FAILED') return EXIT.invalid;
      if (error.code === 'UNAUTHENTICATED') return EXIT.unauthenticated;
      if (error.code === 'FORBIDDEN') return EXIT.forbidden;
      return EXIT.failed;
    }
    console.error(error);
    return EXIT.failed;
  }
}

export { TouchpointError };
