// The part of semantic versioning a plugin manifest needs: exact versions (`1.4.0`, `2.0.0-beta.1`) and the
// ranges npm users know (`^0.3.0`, `~1.2`, `>=0.2.0 <1.0.0`, `1.x`, `*`, alternatives joined by `||`).
// Written here rather than imported so the SDK stays dependency-free inside every plugin bundle.

export interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: readonly (string | number)[];
}

const VERSION =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  const prerelease = m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease };
}

export function isVersion(text: unknown): text is string {
  return typeof text === 'string' && parseVersion(text) !== undefined;
}

/** Negative when a < b, 0 when equal (build metadata ignored), positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return Math.sign(x - y);
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

type Operator = '<' | '<=' | '>' | '>=' | '=';
interface Comparator {
  op: Operator;
  version: Version;
}

const PARTIAL = /^(?:v)?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?$/;

function v(major: number, minor: number, patch: number, prerelease: readonly (string | number)[] = []): Version {
  return { major, minor, patch, prerelease };
}

/** `^1.2.3`, `~1.2`, `>=1.0.0`, `1.x`, `1` → comparators, or undefined when not a range term. */
function parseTerm(term: string): Comparator[] | undefined {
  const m = /^(\^|~|>=|<=|>|<|=)?\s*(.*)$/.exec(term)!;
  const op = m[1] ?? '';
  const p = PARTIAL.exec(m[2]!);
  if (!p) return undefined;
  const wild = (s: string | undefined) => s === undefined || /^[xX*]$/.test(s);
  const [major, minor, patch] = [p[1], p[2], p[3]].map((s) => (wild(s) ? undefined : Number(s)));
  const pre = p[4] ? parseVersion(`0.0.0-${p[4]}`)!.prerelease : [];
  if (p[4] && patch === undefined) return undefined;
  if (major === undefined) return op === '' || op === '=' || op === '>=' ? [] : undefined;
  const low = v(major, minor ?? 0, patch ?? 0, pre);
  const exactUpper =
    minor === undefined ? v(major + 1, 0, 0) : patch === undefined ? v(major, minor + 1, 0) : undefined;
  switch (op) {
    case '^': {
      const upper =
        major > 0 || minor === undefined
          ? v(major + 1, 0, 0)
          : minor > 0 || patch === undefined
            ? v(0, minor + 1, 0)
            : v(0, 0, patch + 1);
      return [
        { op: '>=', version: low },
        { op: '<', version: upper },
      ];
    }
    case '~':
      return [
        { op: '>=', version: low },
        { op: '<', version: minor === undefined ? v(major + 1, 0, 0) : v(major, minor + 1, 0) },
      ];
    case '':
    case '=':
      return exactUpper
        ? [
            { op: '>=', version: low },
            { op: '<', version: exactUpper },
          ]
        : [{ op: '=', version: low }];
    case '>':
      return exactUpper ? [{ op: '>=', version: exactUpper }] : [{ op: '>', version: low }];
    case '<=':
      return exactUpper ? [{ op: '<', version: exactUpper }] : [{ op: '<=', version: low }];
    default:
      return [{ op: op as Operator, version: low }];
  }
}

/** A range as alternatives of comparator sets, or undefined when the text is not a range. */
function parseRange(range: string): Comparator[][] | undefined {
  const sets: Comparator[][] = [];
  for (const alternative of range.split('||')) {
    const text = alternative.trim().replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1');
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    const terms = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : text === '' ? ['*'] : text.split(/\s+/);
    const set: Comparator[] = [];
    for (const term of terms) {
      const comparators = parseTerm(term);
      if (!comparators) return undefined;
      set.push(...comparators);
    }
    sets.push(set);
  }
  return sets;
}

export function isVersionRange(range: unknown): range is string {
  return typeof range === 'string' && range.trim() !== '' && parseRange(range) !== undefined;
}

function test(c: Comparator, version: Version): boolean {
  const d = compareVersions(version, c.version);
  switch (c.op) {
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
    case '=':
      return d === 0;
  }
}

/**
 * Whether `version` is in `range`. As in npm, a prerelease only matches a comparator set that names a
 * prerelease of the same major.minor.patch, so `^1.0.0` does not accept `2.0.0-beta.1`.
 */
export function satisfies(version: string, range: string): boolean {
  const parsed = parseVersion(version);
  const sets = parseRange(range);
  if (!parsed || !sets) return false;
  return sets.some((set) => {
    if (!set.every((c) => test(c, parsed))) return false;
    if (parsed.prerelease.length === 0) return true;
    return set.some(
      (c) =>
        c.version.prerelease.length > 0 &&
        c.version.major === parsed.major &&
        c.version.minor === parsed.minor &&
        c.version.patch === parsed.patch,
    );
  });
}
