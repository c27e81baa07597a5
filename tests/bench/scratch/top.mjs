// summarise a .cpuprofile: self time by function and by file
import { readFileSync } from 'node:fs';

const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = new Map();
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
let total = 0;
const byFile = new Map();
for (const [id, t] of dt) {
  const n = byId.get(id);
  const f = n.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.replace(/.*node_modules\/\.pnpm\//, '').replace(/.*wt-perf\//, '')}:${f.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + t);
  const file = f.url.replace(/.*node_modules\/\.pnpm\/([^/]+)\/.*/, '$1').replace(/.*wt-perf\//, '') || f.functionName;
  byFile.set(file, (byFile.get(file) ?? 0) + t);
  total += t;
}
const top = (m, k) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([k2, t]) => `${((t / total) * 100).toFixed(1).padStart(5)}%  ${k2}`)
    .join('\n');
console.log(top(self, Number(process.argv[3] ?? 40)));
console.log('\n-- by package/file');
console.log(top(byFile, 25));
