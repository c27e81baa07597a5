// `pnpm bench`: the read-path benchmark (run.ts, which writes docs/benchmarks.md with --write), then the
// plugin sandbox benchmark, whose figures are appended to the same page with --write, then the customer
// timeline benchmark (timeline.ts), the audit trail's cost on createAccounts (audit.ts) and what checking
// credentials costs a read (auth.ts), what record-level permissions cost a read (permissions.ts), import and
// export (transfer.ts: 100k rows against COPY, 1M rows exported with peak RSS), which write their own sections
// of the page with --write, and the web app
// in a browser (web.ts), whose figures are appended with --write.
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const node = [process.execPath, '--no-node-snapshot'];
const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const read = spawnSync(node[0]!, [...node.slice(1), path('./run.ts'), ...args], { stdio: 'inherit' });
if (read.status !== 0) process.exit(read.status ?? 1);

const sandbox = spawnSync(node[0]!, [...node.slice(1), path('../../packages/sandbox/bench/sandbox-bench.ts')], {
  encoding: 'utf8',
});
process.stdout.write(sandbox.stdout);
process.stderr.write(sandbox.stderr);
if (sandbox.status !== 0) process.exit(sandbox.status ?? 1);
if (args.includes('--write')) {
  appendFileSync(
    path('../../docs/benchmarks.md'),
    `\n## Plugin sandbox\n\n\`node --no-node-snapshot packages/sandbox/bench/sandbox-bench.ts\` (also part of \`pnpm bench\`):\n\n\`\`\`\n${sandbox.stdout.trim()}\n\`\`\`\n\nA warm hook call goes through isolated-vm's asynchronous \`apply\` (~30 µs), not \`applySync\` (~2-3 µs):\nplugin code never runs on the host thread, so a busy or hostile plugin cannot stall other workspaces.\n`,
  );
}

const writeArgs = args.includes('--write') ? ['--write'] : [];
const timeline = spawnSync(node[0]!, [...node.slice(1), path('./timeline.ts'), ...writeArgs], { stdio: 'inherit' });
if (timeline.status !== 0) process.exit(timeline.status ?? 1);

const audit = spawnSync(node[0]!, [...node.slice(1), path('./audit.ts'), ...writeArgs], { stdio: 'inherit' });
if (audit.status !== 0) process.exit(audit.status ?? 1);

const auth = spawnSync(node[0]!, [...node.slice(1), path('./auth.ts'), ...writeArgs], { stdio: 'inherit' });
if (auth.status !== 0) process.exit(auth.status ?? 1);

const transfer = spawnSync(node[0]!, [...node.slice(1), '--expose-gc', path('./transfer.ts'), ...writeArgs], {
  stdio: 'inherit',
});
if (transfer.status !== 0) process.exit(transfer.status ?? 1);

const permissions = spawnSync(node[0]!, [...node.slice(1), path('./permissions.ts'), ...writeArgs], {
  stdio: 'inherit',
});
if (permissions.status !== 0) process.exit(permissions.status ?? 1);

const web = spawnSync(node[0]!, [...node.slice(1), path('./web.ts'), ...writeArgs], { stdio: 'inherit' });
if (web.status !== 0) process.exit(web.status ?? 1);
