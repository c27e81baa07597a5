// Benchmarks that run on their own write their figures into their own section of docs/benchmarks.md:
// the section (from its heading to the next `## `) is replaced when present, appended otherwise, and the
// rest of the page is left alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function writePageSection(file: string, heading: string, section: string): void {
  const page = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = page.indexOf(heading);
  let next = start < 0 ? -1 : page.indexOf('\n## ', start + heading.length);
  if (next >= 0) next += 1;
  const updated =
    start < 0
      ? `${page.trimEnd()}\n\n${section}`
      : `${page.slice(0, start)}${section}${next >= 0 ? `\n${page.slice(next)}` : ''}`;
  writeFileSync(file, updated);
}
