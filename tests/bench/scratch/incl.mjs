import { readFileSync } from 'node:fs';

const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const dt = new Map();
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const incl = new Map();
let busy = 0;
for (const [id, t] of dt) {
  const n = byId.get(id);
  if (['(idle)', 'writev', '(program)'].includes(n.callFrame.functionName)) continue;
  busy += t;
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur).callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url
      .replace(/.*node_modules\/\.pnpm\//, '')
      .replace(/.*wt-perf\//, '')
      .replace(/\/node_modules\/[^/]+/, '')}:${f.lineNumber}`;
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + t);
  }
}
console.log('busy ms', (busy / 1000).toFixed(0));
console.log(
  [...incl]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(process.argv[3] ?? 60))
    .map(([k, t]) => `${((t / busy) * 100).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n'),
);
