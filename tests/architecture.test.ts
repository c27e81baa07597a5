// Keeps the dependency direction of docs/architecture.md true: every workspace package's manifest and every
// import in its `src/` are checked against the table below, so a forbidden import fails CI instead of
// slowly turning the layers into a tangle. The same scan keeps the one read scope true (rules e-g): no
// hand-written visibility predicate, no read past the engine's scoped door, no record written by hand.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCOPE = '@touchpoint/';

type Kind = 'package' | 'plugin' | 'app';

interface Rule {
  /** Our packages (without the scope) this one may depend on. */
  mayImport: readonly string[];
  /** Why, for the failure message. */
  reason: string;
}

/** The dependency direction. A package in packages/ that is missing here fails the test until it is added. */
const PACKAGE_RULES: Record<string, Rule> = {
  schema: { mayImport: [], reason: 'the metadata language is pure and imports nothing of ours' },
  'plugin-sdk': { mayImport: [], reason: 'what plugin authors import stands alone' },
  engine: { mayImport: ['schema'], reason: 'the engine sits directly above the metadata language' },
  crm: {
    mayImport: ['schema', 'engine'],
    reason: 'CRM-specific services over the generic engine, so the engine stays domain-free',
  },
  sandbox: { mayImport: ['schema'], reason: 'the sandbox host knows the metadata language only' },
  'plugin-runtime': {
    mayImport: ['schema', 'engine', 'sandbox', 'plugin-sdk'],
    reason: 'the plugin runtime joins the sandbox to the engine',
  },
  transfer: {
    mayImport: ['schema', 'engine'],
    reason: 'import and export write through the record service and read through the query compiler and scoped reader',
  },
  api: {
    mayImport: ['schema', 'engine', 'crm', 'plugin-runtime', 'transfer'],
    reason: 'the API reaches the engine, the CRM services and the plugin runtime through their public entries only',
  },
  cli: {
    mayImport: ['schema', 'engine', 'crm', 'api', 'sandbox', 'plugin-runtime', 'plugin-sdk', 'transfer'],
    reason: 'the CLI wires everything together',
  },
};
const PLUGIN_RULE: Rule = { mayImport: ['plugin-sdk'], reason: 'plugins are built as a partner builds theirs' };
const APP_RULE: Rule = {
  mayImport: ['schema'],
  reason:
    'apps talk to the API over HTTP only; the pure metadata language (types, names, field checks) is shared so screens check input exactly as the server does',
};

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.svelte'];

interface WorkspacePackage {
  kind: Kind;
  /** Folder name, e.g. `engine`. */
  id: string;
  /** Path relative to the repository root, e.g. `packages/engine`. */
  path: string;
  dir: string;
  rule: Rule | undefined;
}

interface FoundImport {
  specifier: string;
  line: number;
}

function workspacePackages(): WorkspacePackage[] {
  const groups: { folder: string; kind: Kind }[] = [
    { folder: 'packages', kind: 'package' },
    { folder: 'plugins', kind: 'plugin' },
    { folder: 'apps', kind: 'app' },
  ];
  const found: WorkspacePackage[] = [];
  for (const { folder, kind } of groups) {
    const groupDir = join(root, folder);
    if (!existsSync(groupDir)) continue;
    for (const id of readdirSync(groupDir).sort()) {
      const dir = join(groupDir, id);
      if (id.startsWith('.') || !statSync(dir).isDirectory()) continue;
      const rule = kind === 'package' ? PACKAGE_RULES[id] : kind === 'plugin' ? PLUGIN_RULE : APP_RULE;
      found.push({ kind, id, path: `${folder}/${id}`, dir, rule });
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) files.push(path);
  }
  return files.sort();
}

/** The `<script>` blocks of a Svelte component, with everything else blanked so line numbers stay right. */
function svelteScripts(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(/(<script\b[^>]*>)([\s\S]*?)<\/script>/g)) {
    const start = match.index + match[1]!.length;
    out += text.slice(last, start).replace(/[^\n]/g, ' ') + match[2]!;
    last = start + match[2]!.length;
  }
  return out + text.slice(last).replace(/[^\n]/g, ' ');
}

/**
 * Every module specifier a file refers to: `import … from`, `import '…'`, `export … from`, `import('…')`,
 * `import x = require('…')`, `require('…')` and type positions such as `typeof import('…')`. Parsed with
 * the TypeScript compiler rather than a regular expression, so comments and strings cannot hide or fake one.
 */
function findImports(fileName: string, text: string): FoundImport[] {
  const source = fileName.endsWith('.svelte') ? svelteScripts(text) : text;
  const sourceFile = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: FoundImport[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) {
      const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
      found.push({ specifier: node.text, line });
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isDynamicImport || isRequire) add(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

interface Manifest {
  name?: string;
  exports?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readManifest(pkg: WorkspacePackage): Manifest | undefined {
  const path = join(pkg.dir, 'package.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Manifest) : undefined;
}

/** `@touchpoint/engine/src/db.ts` → `{ name: 'engine', subpath: '/src/db.ts' }`; anything else → undefined. */
function ourPackage(specifier: string): { name: string; subpath: string } | undefined {
  if (!specifier.startsWith(SCOPE)) return undefined;
  const rest = specifier.slice(SCOPE.length);
  const slash = rest.indexOf('/');
  return slash === -1 ? { name: rest, subpath: '' } : { name: rest.slice(0, slash), subpath: rest.slice(slash) };
}

function allowedText(rule: Rule): string {
  return rule.mayImport.length === 0 ? 'nothing of ours' : rule.mayImport.map((n) => SCOPE + n).join(', ');
}

/** Dependency direction (a), deep imports (b) and undeclared dependencies (d) for one package. */
function importViolations(pkg: WorkspacePackage, manifest: Manifest | undefined): string[] {
  const rule = pkg.rule;
  if (!rule) return [];
  const violations: string[] = [];
  const declared = { ...manifest?.dependencies, ...manifest?.peerDependencies };
  const direction = `rule (a) dependency direction: ${pkg.path} may import ${allowedText(rule)} (${rule.reason})`;

  for (const name of Object.keys(declared)) {
    const ours = ourPackage(name);
    if (ours && !rule.mayImport.includes(ours.name)) {
      violations.push(`${pkg.path}/package.json declares '${name}' — ${direction}`);
    }
  }

  for (const file of sourceFiles(join(pkg.dir, 'src'))) {
    const where = `${pkg.path}/${relative(pkg.dir, file).split(sep).join('/')}`;
    for (const { specifier, line } of findImports(file, readFileSync(file, 'utf8'))) {
      const at = `${where}:${line} imports '${specifier}'`;
      const ours = ourPackage(specifier);
      if (ours) {
        if (ours.subpath) {
          violations.push(`${at} — rule (b) no deep imports: use '${SCOPE}${ours.name}' (its src/index.ts) instead`);
        }
        // A forbidden import must go, not be declared: only an allowed one gets the rule (d) advice.
        if (!rule.mayImport.includes(ours.name)) violations.push(`${at} — ${direction}`);
        else if (!(SCOPE + ours.name in declared)) {
          violations.push(
            `${at} — rule (d) undeclared: add '${SCOPE}${ours.name}' to ${pkg.path}/package.json dependencies`,
          );
        }
      } else if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = resolve(dirname(file), specifier);
        if (target !== pkg.dir && !target.startsWith(pkg.dir + sep)) {
          violations.push(
            `${at} — rule (b) no paths out of the package: it resolves to ${relative(root, target)}; import another package by its name`,
          );
        }
      }
    }
  }
  return violations;
}

/** Package layout (c): manifest with one `exports` entry, README, tsconfig, src/index.ts. */
function layoutViolations(pkg: WorkspacePackage, manifest: Manifest | undefined): string[] {
  const violations: string[] = [];
  const need = (file: string, why: string) => {
    if (!existsSync(join(pkg.dir, file))) violations.push(`${pkg.path}/${file} is missing — rule (c) layout: ${why}`);
  };
  need('package.json', 'every package has a manifest');
  need('README.md', 'every package says its purpose, public API and what it may import');
  need('tsconfig.json', 'every package has a tsconfig.json extending the root base');
  // An app (SvelteKit) is not imported by anyone, so it has no library entry.
  if (pkg.kind === 'app') return violations;
  need('src/index.ts', 'the one public entry of the package');
  if (manifest) {
    const exportsField = manifest.exports;
    const single =
      exportsField === './src/index.ts' ||
      (typeof exportsField === 'object' &&
        exportsField !== null &&
        Object.keys(exportsField).length === 1 &&
        (exportsField as Record<string, unknown>)['.'] === './src/index.ts');
    if (!single) {
      violations.push(
        `${pkg.path}/package.json has exports ${JSON.stringify(exportsField)} — rule (c) layout: exports must be { ".": "./src/index.ts" }`,
      );
    }
  }
  return violations;
}

/**
 * Rule (e), one read scope: which rows of an entity a read may see is said in one place, the engine's
 * `visibility` (scope.ts), which the query compiler calls and `ScopedReader.from` (the CRM's `m.table`) builds
 * in. The soft-delete column is named only where it is defined and stored, and by the writes that set it.
 */
const SOFT_DELETE_ALLOWED: { file: string; lines?: RegExp; reason: string }[] = [
  { file: 'packages/engine/src/scope.ts', reason: 'the door: the one visibility predicate' },
  { file: 'packages/engine/src/physical.ts', reason: 'the column names' },
  { file: 'packages/engine/src/migration/ddl.ts', reason: 'the column and its partial unique indexes (storage)' },
  { file: 'packages/engine/src/migration/derived-indexes.ts', reason: 'partial indexes (storage)' },
  {
    file: 'packages/engine/src/records/service.ts',
    lines: /set "deleted_at" = |\brow\.deleted_at !== null/,
    reason: 'soft delete and restore set the column; a write checks the row it locked',
  },
];
const SOFT_DELETE = /deleted_at|SYSTEM_COLUMNS\.deletedAt/;
/** Rule (f): packages whose SQL reaches workspace tables only through `engine.reader(scope)` and the record service. */
const SCOPED_PACKAGES = ['crm', 'api'];
const PAST_THE_DOOR = /\bengine\.db\b|\.db\.(query|queryGeneric|transaction|orm)\b|\bqualifiedTable\b|\.schemaName\b/;
/** Rule (g): nor do they write records by hand — the record service keeps audit columns, hooks and events. */
const HAND_WRITE = /\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+\$\{/i;

function scopeViolations(pkg: WorkspacePackage): string[] {
  const violations: string[] = [];
  const scoped = pkg.kind === 'package' && SCOPED_PACKAGES.includes(pkg.id);
  for (const file of sourceFiles(join(pkg.dir, 'src'))) {
    if (file.endsWith('.test.ts')) continue;
    const where = `${pkg.path}/${relative(pkg.dir, file).split(sep).join('/')}`;
    const allowed = SOFT_DELETE_ALLOWED.find((a) => a.file === where);
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const at = `${where}:${i + 1}`;
        if (SOFT_DELETE.test(line) && !(allowed && (!allowed.lines || allowed.lines.test(line)))) {
          violations.push(
            `${at} names the soft-delete column — rule (e) one read scope: ask the engine's visibility(entity, alias), or read through engine.reader(scope) (CrmModel.table), with { includeDeleted: true } where deleted rows are wanted`,
          );
        }
        if (scoped && PAST_THE_DOOR.test(line)) {
          violations.push(
            `${at} reaches the database past the scoped door — rule (f): read through engine.reader(scope) (CrmModel.table, RecordTransaction.reader) or the record service`,
          );
        }
        if (scoped && HAND_WRITE.test(line)) {
          violations.push(
            `${at} writes SQL by hand — rule (g): write through the record service (create, update, updateMany), which keeps audit columns, hooks and events`,
          );
        }
      });
  }
  return violations;
}

const packages = workspacePackages();

describe('architecture', () => {
  it('finds the workspace packages', () => {
    expect(packages.map((p) => p.path)).toEqual(expect.arrayContaining(['packages/schema', 'packages/engine']));
  });

  it.each(packages.filter((p) => p.kind === 'package').map((p) => [p.path, p] as const))(
    '%s has a dependency rule',
    (_path, pkg) => {
      expect(
        pkg.rule,
        `${pkg.path} has no dependency rule — add it to PACKAGE_RULES in tests/architecture.test.ts and to docs/architecture.md`,
      ).toBeDefined();
    },
  );

  it.each(packages.map((p) => [p.path, p] as const))('%s follows the dependency rules', (_path, pkg) => {
    expect(importViolations(pkg, readManifest(pkg))).toEqual([]);
  });

  it.each(packages.map((p) => [p.path, p] as const))(
    '%s reads and writes records through the scoped door',
    (_path, pkg) => {
      expect(scopeViolations(pkg)).toEqual([]);
    },
  );

  it.each(packages.map((p) => [p.path, p] as const))('%s has the package layout', (_path, pkg) => {
    expect(layoutViolations(pkg, readManifest(pkg))).toEqual([]);
  });
});

describe('scopeViolations', () => {
  it('catches a hand-written visibility predicate, a read past the door and a hand-written write', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-architecture-'));
    try {
      mkdirSync(join(dir, 'src'));
      writeFileSync(
        join(dir, 'src/report.ts'),
        [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of a sample file
          "const ok = `select a.id from ${m.table('account')} a where a.name = $1`;",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of a sample file
          "const live = `select a.id from ${m.table('account')} a where a.deleted_at is null`;",
          'const quoted = `where t."deleted_at" is null`;',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of a sample file
          'const sneaky = `${alias}.${physical.ident(physical.SYSTEM_COLUMNS.deletedAt)} is null`;',
          'const rows = await engine.db.query(text);',
          'const table = physical.qualifiedTable(metadata.workspace.schemaName, entity);',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of a sample file
          'await sql.query(`update ${m.table(\'task\')} t set "status" = $1`);',
          'await sql.query(`insert into "ws_default"."task" default values`);',
        ].join('\n'),
      );
      const pkg: WorkspacePackage = {
        kind: 'package',
        id: 'crm',
        path: 'packages/crm',
        dir,
        rule: PACKAGE_RULES['crm'],
      };
      const violations = scopeViolations(pkg);
      expect(violations.map((v) => v.replace(/ — rule \((.)\).*/, ' ($1)'))).toEqual([
        'packages/crm/src/report.ts:2 names the soft-delete column (e)',
        'packages/crm/src/report.ts:3 names the soft-delete column (e)',
        'packages/crm/src/report.ts:4 names the soft-delete column (e)',
        'packages/crm/src/report.ts:5 reaches the database past the scoped door (f)',
        'packages/crm/src/report.ts:6 reaches the database past the scoped door (f)',
        'packages/crm/src/report.ts:7 writes SQL by hand (g)',
        'packages/crm/src/report.ts:8 writes SQL by hand (g)',
      ]);
      // The engine may name the column only where it is defined, stored or set.
      const engine: WorkspacePackage = { ...pkg, id: 'engine', path: 'packages/engine' };
      expect(scopeViolations(engine)).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('findImports', () => {
  it('sees every form of import and export, and nothing inside comments or strings', () => {
    const text = [
      "import { a } from '@touchpoint/schema';",
      "import type { B } from '@touchpoint/engine';",
      "import '@touchpoint/side-effect';",
      "export { c } from './c.ts';",
      "export * as d from '../d.ts';",
      'const e = await import("@touchpoint/api");',
      "type F = typeof import('@touchpoint/cli');",
      "const g = require('@touchpoint/sandbox');",
      "// import { h } from '@touchpoint/commented';",
      'const s = "import { i } from \'@touchpoint/in-a-string\'";',
    ].join('\n');
    expect(findImports('sample.ts', text)).toEqual([
      { specifier: '@touchpoint/schema', line: 1 },
      { specifier: '@touchpoint/engine', line: 2 },
      { specifier: '@touchpoint/side-effect', line: 3 },
      { specifier: './c.ts', line: 4 },
      { specifier: '../d.ts', line: 5 },
      { specifier: '@touchpoint/api', line: 6 },
      { specifier: '@touchpoint/cli', line: 7 },
      { specifier: '@touchpoint/sandbox', line: 8 },
    ]);
  });

  it('reads the script blocks of Svelte components with their line numbers', () => {
    const text = [
      '<h1>{title}</h1>',
      '<script lang="ts">',
      "  import { x } from '@touchpoint/engine';",
      '</script>',
    ].join('\n');
    expect(findImports('page.svelte', text)).toEqual([{ specifier: '@touchpoint/engine', line: 3 }]);
  });

  it('names the file, the import and the rule of each violation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-architecture-'));
    try {
      mkdirSync(join(dir, 'src'));
      const manifest = {
        name: '@touchpoint/engine',
        dependencies: { '@touchpoint/api': '*' },
      };
      writeFileSync(
        join(dir, 'src/index.ts'),
        [
          "import { a } from '@touchpoint/schema';",
          "import { b } from './b.ts';",
          "import { c } from '@touchpoint/schema/src/types.ts';",
          "import { d } from '@touchpoint/cli';",
          "import { e } from '../../outside.ts';",
        ].join('\n'),
      );
      const pkg: WorkspacePackage = {
        kind: 'package',
        id: 'engine',
        path: 'packages/engine',
        dir,
        rule: PACKAGE_RULES['engine'],
      };
      const violations = importViolations(pkg, manifest);
      expect(violations).toHaveLength(6);
      expect(violations[0]).toMatch(/^packages\/engine\/package.json declares '@touchpoint\/api' — rule \(a\)/);
      expect(violations[1]).toMatch(/^packages\/engine\/src\/index.ts:1 imports '@touchpoint\/schema' — rule \(d\)/);
      expect(violations[2]).toMatch(
        /^packages\/engine\/src\/index.ts:3 imports '@touchpoint\/schema\/src\/types.ts' — rule \(b\)/,
      );
      expect(violations[3]).toMatch(
        /^packages\/engine\/src\/index.ts:3 imports '@touchpoint\/schema\/src\/types.ts' — rule \(d\)/,
      );
      expect(violations[4]).toMatch(
        /^packages\/engine\/src\/index.ts:4 imports '@touchpoint\/cli' — rule \(a\) .* may import @touchpoint\/schema /,
      );
      expect(violations[5]).toMatch(/^packages\/engine\/src\/index.ts:5 imports '..\/..\/outside.ts' — rule \(b\)/);
      expect(layoutViolations(pkg, { exports: { '.': './src/index.ts', './db': './src/db.ts' } })).toEqual([
        'packages/engine/package.json is missing — rule (c) layout: every package has a manifest',
        'packages/engine/README.md is missing — rule (c) layout: every package says its purpose, public API and what it may import',
        'packages/engine/tsconfig.json is missing — rule (c) layout: every package has a tsconfig.json extending the root base',
        'packages/engine/package.json has exports {".":"./src/index.ts","./db":"./src/db.ts"} — rule (c) layout: exports must be { ".": "./src/index.ts" }',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
