// Entities as YAML files: parse (with line and column for every problem) and print the canonical form.
// In a file, `fields` is a mapping from field name to definition, kept in file order; in memory it is the
// `fields` array of EntityDefinition. Pure: callers read and write the files.
import {
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Document as YamlDocument,
} from 'yaml';
import type { Issue } from './errors.ts';
import { type PermissionModel, readPermissionDocuments } from './permissions.ts';
import type { EntityDefinition } from './types.ts';
import { validateEntity } from './validate.ts';
import { validateMetadataIssues } from './validate-metadata.ts';
import { child, describeValue, isRecord, item, type RawObject } from './validate-shape.ts';

export { type EntityLayer, type EntityToYamlOptions, entityLayerToYaml, entityToYaml } from './yaml-print.ts';

export interface EntityFile {
  /** Shown in issues; usually the path the text was read from. */
  file: string;
  text: string;
}

export interface ParsedEntityFile {
  /**
   * The entity as written (fields turned into a list), absent only when the text is not a YAML mapping.
   * Trust it only when `issues` is empty.
   */
  entity?: EntityDefinition;
  issues: Issue[];
}

interface Loaded {
  raw?: RawObject;
  doc?: YamlDocument;
  lines: LineCounter;
  issues: Issue[];
}

function keyText(key: unknown): string {
  return String(isScalar(key) ? key.value : key);
}

/** Turns the `fields` mapping into the list of definitions, in file order, with the key as the name. */
function fieldsAsList(raw: RawObject, doc: YamlDocument, file: string, issues: Issue[]): void {
  const fields = raw.fields;
  if (!isRecord(fields)) return;
  const node = doc.get('fields', true);
  const keys = isMap(node) ? node.items.map((pair) => keyText(pair.key)) : Object.keys(fields);
  raw.fields = keys.map((name, i) => {
    const definition = fields[name];
    if (definition === null || definition === undefined) return { name };
    if (!isRecord(definition)) return definition;
    if (definition.name !== undefined && definition.name !== name) {
      issues.push({
        path: child(item('fields', i), 'name'),
        message: `the field is listed under "${name}" but its name says ${describeValue(definition.name)}; leave name out in a mapping`,
        file,
      });
    }
    const { name: _ignored, ...rest } = definition;
    return { name, ...rest };
  });
}

function load(text: string, file: string): Loaded {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: Issue[] = [];
  const errors = [...doc.errors, ...doc.warnings];
  for (const error of errors) {
    const { line, col } = lines.linePos(error.pos[0]);
    const message =
      error.code === 'MULTIPLE_DOCS'
        ? 'an entity file holds one entity; this one has several documents (split at ---)'
        : error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    issues.push({ path: `line ${line}, column ${col}`, message: `malformed YAML: ${message}`, file });
  }
  if (doc.errors.length > 0) return { lines, issues };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    issues.push({ path: 'line 1, column 1', message: `malformed YAML: ${(error as Error).message}`, file });
    return { lines, issues };
  }
  if (!isRecord(value)) {
    const got = value === null || value === undefined ? 'the file is empty' : `got ${describeValue(value)}`;
    issues.push({
      path: '',
      message: `an entity file must be a mapping with name, labels, titleField and fields; ${got}`,
      file,
    });
    return { lines, issues };
  }
  fieldsAsList(value, doc, file, issues);
  return { raw: value, doc, lines, issues };
}

/** The YAML node a path such as `fields[3].options[0].color` names, or the nearest existing ancestor. */
function nodeAt(doc: YamlDocument, path: string): Node | undefined {
  let node: unknown = doc.contents;
  let found = isNode(node) ? node : undefined;
  let pairKey: unknown;
  for (const [, key, index] of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    let next: unknown;
    if (isMap(node)) {
      const pair = index !== undefined ? node.items[Number(index)] : node.items.find((p) => keyText(p.key) === key);
      // In the mapping form of `fields`, `fields[3]` is the fourth pair and its name is the pair's key.
      if (!pair && key === 'name' && isNode(pairKey)) return pairKey;
      next = pair?.value ?? pair?.key;
      pairKey = index !== undefined ? pair?.key : undefined;
    } else if (isSeq(node) && index !== undefined) {
      next = node.items[Number(index)];
      pairKey = undefined;
    }
    if (!isNode(next)) break;
    node = next;
    found = next;
  }
  return found;
}

/** Adds `(line L, column C)` so the problem can be found in the file. */
function locate(issue: Issue, loaded: Loaded): Issue {
  if (!loaded.doc || issue.path.startsWith('line ')) return issue;
  const offset = nodeAt(loaded.doc, issue.path)?.range?.[0];
  if (offset === undefined) return issue;
  const { line, col } = loaded.lines.linePos(offset);
  return { ...issue, message: `${issue.message} (line ${line}, column ${col})` };
}

/** Parses one entity file and checks the entity on its own (other entities are not known here). */
export function parseEntityFile(text: string, file: string): ParsedEntityFile {
  const loaded = load(text, file);
  if (!loaded.raw) return { issues: loaded.issues };
  const issues = [...loaded.issues, ...validateEntity(loaded.raw).map((issue) => ({ ...issue, file }))];
  return { entity: loaded.raw as unknown as EntityDefinition, issues: issues.map((issue) => locate(issue, loaded)) };
}

/**
 * Parses every file and checks every entity, on its own and against the others (relation targets,
 * inverses, rollups, unique names). Every issue carries its `file`.
 */
export function parseEntityFiles(files: readonly EntityFile[]): { entities: EntityDefinition[]; issues: Issue[] } {
  const loaded = files.map(({ text, file }) => ({ file, ...load(text, file) }));
  const usable = loaded.filter((l) => l.raw !== undefined);
  const byFile = new Map(usable.map((l) => [l.file, l]));
  const checked = validateMetadataIssues(
    usable.map((l) => l.raw),
    { files: usable.map((l) => l.file) },
  ).map((issue) => {
    const source = issue.file === undefined ? undefined : byFile.get(issue.file);
    return source ? locate(issue, source) : issue;
  });
  const parseIssues = loaded.flatMap((l) => l.issues.map((issue) => locate(issue, l)));
  // Grouped by file, in the order the files were given; within a file, parse issues first.
  const order = new Map(files.map((f, i) => [f.file, i]).reverse() as [string, number][]);
  const issues = [...parseIssues, ...checked].sort((a, b) => (order.get(a.file!) ?? 0) - (order.get(b.file!) ?? 0));
  return { entities: usable.map((l) => l.raw as unknown as EntityDefinition), issues };
}

/**
 * Reads the files of `schemas/permissions/` (one role or the sharing settings per file) into one permission
 * model, with every problem of every file at once.
 */
export function parsePermissionFiles(files: readonly EntityFile[]): { model: PermissionModel; issues: Issue[] } {
  const issues: Issue[] = [];
  const documents: { file: string; value: unknown }[] = [];
  for (const { file, text } of files) {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        issues.push({ path: '', message: `malformed YAML: ${error.message.split('\n')[0]}`, file });
      }
      continue;
    }
    documents.push({ file, value: doc.toJS({ maxAliasCount: 100 }) });
  }
  const read = readPermissionDocuments(documents);
  return { model: read.model, issues: [...issues, ...read.issues] };
}
