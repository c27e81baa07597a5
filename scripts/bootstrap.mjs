#!/usr/bin/env node
// Makes a fresh machine that has only Node (20 or newer) and npm able to run Touchpoint.
//
// `npm start` and `npm test` call this script. It fetches what the machine lacks from the npm
// registry into `.tools/` inside the project (never globally): Node 24 from the `node` package and
// pnpm. It then installs the locked dependencies when the lockfile changed since the last install
// and hands over to `pnpm run <script>` under Node 24.
//
// Plain JavaScript on purpose: it must run on the machine's own, older Node before anything else exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_VERSION = '24.21.0';
const PNPM_VERSION = '10.34.8';
const MIN_NODE_MAJOR = 24;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools');
const toolsModules = join(toolsDir, 'node_modules');

function log(message) {
  process.stderr.write(`[touchpoint] ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function nodeMajor(version) {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

function localNodeBinary() {
  const candidate = join(toolsModules, 'node', 'bin', 'node');
  return existsSync(candidate) ? candidate : null;
}

function ensureTools() {
  const needNode = nodeMajor(process.version) < MIN_NODE_MAJOR && !localNodeBinary();
  const pnpmEntry = join(toolsModules, 'pnpm', 'bin', 'pnpm.cjs');
  const needPnpm = !existsSync(pnpmEntry);
  if (needNode || needPnpm) {
    const packages = [];
    if (needNode) packages.push(`node@${NODE_VERSION}`);
    if (needPnpm) packages.push(`pnpm@${PNPM_VERSION}`);
    log(`fetching ${packages.join(' and ')} from the npm registry into .tools/`);
    mkdirSync(toolsDir, { recursive: true });
    if (!existsSync(join(toolsDir, 'package.json'))) {
      writeFileSync(join(toolsDir, 'package.json'), '{ "private": true, "name": "touchpoint-tools" }\n');
    }
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    // The `node` package downloads the platform binary in its preinstall script, so scripts must run.
    const status = run(
      npm,
      ['install', '--prefix', toolsDir, '--no-audit', '--no-fund', '--ignore-scripts=false', ...packages],
      {
        env: { ...process.env, npm_config_nodedir: undefined },
      },
    );
    if (status !== 0) {
      log('could not fetch the tools from the npm registry (see the npm output above)');
      process.exit(status);
    }
  }
  const nodeBinary = nodeMajor(process.version) >= MIN_NODE_MAJOR ? process.execPath : localNodeBinary();
  if (!nodeBinary) {
    log(`Node ${MIN_NODE_MAJOR} is missing from .tools/node_modules/node/bin after the install`);
    process.exit(1);
  }
  return { nodeBinary, pnpmEntry };
}

function toolEnvironment(nodeBinary) {
  const nodeBinDir = dirname(nodeBinary);
  const env = { ...process.env };
  env.PATH = [nodeBinDir, join(toolsModules, '.bin'), env.PATH ?? ''].join(':');
  // Native addons must build against Node 24's headers, not the machine's (~/.npmrc may say nodedir=/usr).
  const headers = join(nodeBinDir, '..', 'include', 'node');
  if (existsSync(headers)) env.npm_config_nodedir = join(nodeBinDir, '..');
  else delete env.npm_config_nodedir;
  env.TOUCHPOINT_NODE = nodeBinary;
  return env;
}

function installStamp() {
  const hash = createHash('sha256');
  hash.update(NODE_VERSION);
  for (const file of ['pnpm-lock.yaml', 'package.json', 'pnpm-workspace.yaml']) {
    const path = join(root, file);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

function ensureDependencies(nodeBinary, pnpmEntry, env) {
  const stampFile = join(root, 'node_modules', '.touchpoint-install');
  const stamp = installStamp();
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  log('installing the locked dependencies with pnpm');
  const args = [pnpmEntry, 'install', '--frozen-lockfile'];
  const status = run(nodeBinary, args, { env });
  if (status !== 0) process.exit(status);
  writeFileSync(stampFile, stamp);
}

const [command, script, ...rest] = process.argv.slice(2);
if (command !== 'run' || !script) {
  log('usage: node scripts/bootstrap.mjs run <package script> [args...]');
  process.exit(2);
}
const { nodeBinary, pnpmEntry } = ensureTools();
const env = toolEnvironment(nodeBinary);
ensureDependencies(nodeBinary, pnpmEntry, env);
process.exit(run(nodeBinary, [pnpmEntry, 'run', script, ...rest], { env }));
