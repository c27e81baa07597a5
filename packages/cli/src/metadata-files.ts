// Metadata files on disk: the desired state (a folder with one file per entity, or one multi-document
// YAML file) and the change list of scripted edits; which one a file is, is read from its content.
// Files come from anywhere, so every limit is checked before the content is used: size, count, nesting,
// aliases; every problem names its file and line, and nothing is applied while any is left.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import {
  checkChangeShape,
  type LayerDocument,
  type MetadataChange,
  type MetadataDocument,
  type ParsedEntityLayer,
} from '@touchpoint/engine';
import {
  describeValue,
  ENTITY_KEYS,
  FIELD_COMMON_KEYS,
  type FieldDefinition,
  fieldOptionKeys,
  type Issue,
  isRecord,
  MAX_INPUT_DEPTH,
  nestingDepth,
  parseEntityFile,
  type RoleDefinition,
  readPermissionDocuments,
  TouchpointError,
  validateFieldDefinition,
  validationFailed,
} from '@touchpoint/schema';
import { type Document, LineCounter, parseAllDocuments } from 'yaml';

/** Most bytes one file may have: a large workspace's metadata is a few hundred kilobytes. */
export const MAX_METADATA_FILE_BYTES = 4 * 1024 * 1024;
/** Most files a folder and most documents a file may hold. */
export const MAX_METADATA_DOCUMENTS = 2000;
/** Most aliases a document may expand: enough for hand-written reuse, far too few for an alias bomb. */
const MAX_ALIASES = 100;

/**
 * The kinds of metadata a desired state holds, each in its own folder of an exported folder. Workflows and
 * permission sets join here as they arrive: a folder name, a test that recognises their documents, and a
 * reader; the planner then learns to diff them (the engine's metadata/desired-state.ts).
 */
export const METADATA_KINDS = [
  {
    folder: 'entities',
    /** An entity document has a name and fields, an entity layer `extends`. */
    matches: (raw: Record<string, unknown>) =>
      !('kind' in raw) && ('extends' in raw || 'name' in raw || 'fields' in raw),
  },
  {
    folder: 'permissions',
    /** A role (`kind: role`) or the sharing settings (`kind: sharing`), as in schemas/permissions. */
    matches: (raw: Record<string, unknown>) => raw.kind === 'role' || raw.kind === 'sharing',
  },
] as const;

export type MetadataFile =
  | { format: 'changes'; changes: MetadataChange[] }
  | { format: 'desired'; documents: MetadataDocument[] };

function fail(message: string, issues: Issue[]): never {
  throw validationFailed(message, issues);
}

function readText(file: string): string {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(file);
  } catch (error) {
    throw new TouchpointError('BAD_REQUEST', `Cannot read ${file}: ${(error as Error).message}`);
  }
  // A device or a pipe (/dev/zero) has no size to check and may never end.
  if (!stat.isFile()) {
    fail(`${file} is not a file:`, [{ file, path: '(file)', message: 'give a YAML file or a folder of them' }]);
  }
  const size = stat.size;
  if (size > MAX_METADATA_FILE_BYTES) {
    fail(`${file} is too large to be metadata:`, [
      {
        file,
        path: '(file)',
        message: `${size} bytes; a metadata file may have at most ${MAX_METADATA_FILE_BYTES} bytes`,
      },
    ]);
  }
  return readFileSync(file, 'utf8');
}

interface LoadedDocument {
  doc: Document;
  value: unknown;
  /** The document's text with its line numbers kept (blank lines before it), for the entity parser. */
  text: string;
  line: number;
}

function where(lines: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return '(document)';
  const { line, col } = lines.linePos(offset);
  return `line ${line}, column ${col}`;
}

/** Every YAML document of a file, refused as a whole on a syntax error, an alias bomb or deep nesting. */
function loadDocuments(text: string, file: string): { documents: LoadedDocument[]; lines: LineCounter } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const issues: Issue[] = [];
  if (list.length > MAX_METADATA_DOCUMENTS) {
    fail(`${file} holds too many documents:`, [
      { file, path: '(file)', message: `${list.length} documents; at most ${MAX_METADATA_DOCUMENTS}` },
    ]);
  }
  const documents: LoadedDocument[] = [];
  for (const doc of list) {
    for (const error of [...doc.errors, ...doc.warnings]) {
      issues.push({
        file,
        path: where(lines, error.pos[0]),
        message: `malformed YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      });
    }
    if (doc.errors.length > 0) continue;
    const start = doc.range[0];
    const line = lines.linePos(start).line;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (error) {
      issues.push({ file, path: where(lines, start), message: `refused: ${(error as Error).message}` });
      continue;
    }
    if (nestingDepth(value) > MAX_INPUT_DEPTH) {
      issues.push({
        file,
        path: where(lines, start),
        message: `nested more than ${MAX_INPUT_DEPTH} levels deep; metadata never is`,
      });
      continue;
    }
    if (value === null || value === undefined) continue; // an empty document (e.g. after a trailing ---)
    documents.push({ doc, value, text: `${'\n'.repeat(line - 1)}${text.slice(start, doc.range[2])}`, line });
  }
  if (issues.length > 0) fail(`${file} cannot be read as metadata:`, issues);
  return { documents, lines };
}

/** The line of the node at `path` (keys of nested mappings), or of the document. */
function lineOf(loaded: LoadedDocument, lines: LineCounter, path: readonly string[]): string {
  const node = loaded.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  return where(lines, node?.range?.[0] ?? loaded.doc.range?.[0]);
}

const FIELD_PATCH_KEYS = () => [...FIELD_COMMON_KEYS, ...fieldOptionKeys()].filter((k) => k !== 'id' && k !== 'source');
/** `name` renames the core or plugin entity in this workspace; its id (and so `extends`) stays. */
const LAYER_KEYS = ['extends', ...ENTITY_KEYS.filter((k) => !['id', 'source'].includes(k)), 'removedFields'];

/** Reads an `extends:` document: what a workspace changes of a core or plugin entity. */
function readLayer(raw: Record<string, unknown>, loaded: LoadedDocument, lines: LineCounter, file: string) {
  const issues: Issue[] = [];
  const at = (path: string[], message: string, label = path.join('.')) =>
    issues.push({ file, path: `${label} (${lineOf(loaded, lines, path)})`, message });
  if (typeof raw.extends !== 'string' || raw.extends === '') {
    at(['extends'], `extends must name a core or plugin entity, got ${describeValue(raw.extends)}`);
  }
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!LAYER_KEYS.includes(key)) {
      at([key], `unknown key "${key}" in an entity layer; allowed: ${LAYER_KEYS.join(', ')}`);
    } else if (!['extends', 'fields', 'removedFields'].includes(key)) patch[key] = value;
  }
  const layer: ParsedEntityLayer = { extends: String(raw.extends), patch, added: [], changed: [], removedFields: [] };
  const removed = raw.removedFields;
  if (removed !== undefined) {
    if (!Array.isArray(removed) || !removed.every((n) => typeof n === 'string')) {
      at(['removedFields'], `removedFields must be a list of field names, got ${describeValue(removed)}`);
    } else layer.removedFields = removed;
  }
  const fields = raw.fields ?? {};
  if (!isRecord(fields))
    at(['fields'], `fields must be a mapping from field name to definition, got ${describeValue(fields)}`);
  else {
    const allowed = ['extends', ...FIELD_PATCH_KEYS().filter((k) => k !== 'name')];
    for (const [name, definition] of Object.entries(fields)) {
      if (!isRecord(definition)) {
        at(['fields', name], `a field must be a mapping, got ${describeValue(definition)}`);
        continue;
      }
      if (definition.extends === undefined) {
        const field = { name, ...definition };
        const found = validateFieldDefinition(field, `fields.${name}`);
        for (const issue of found) at(['fields', name], issue.message, issue.path);
        if (found.length === 0) layer.added.push(field as unknown as FieldDefinition);
        continue;
      }
      if (typeof definition.extends !== 'string') {
        at(['fields', name, 'extends'], `extends must name a field of "${layer.extends}"`);
        continue;
      }
      const { extends: base, ...rest } = definition;
      for (const key of Object.keys(rest)) {
        if (!allowed.includes(key))
          at(['fields', name, key], `"${key}" cannot be changed on a field; allowed: ${allowed.join(', ')}`);
      }
      layer.changed.push({ extends: base, name, patch: rest });
    }
  }
  return { layer, issues };
}

/** A desired-state or change-list file: which one is read from its content. */
export function readMetadataFile(file: string): MetadataFile {
  const { documents, lines } = loadDocuments(readText(file), file);
  const [first] = documents;
  if (
    documents.length === 1 &&
    first &&
    (Array.isArray(first.value) || (isRecord(first.value) && 'op' in first.value))
  ) {
    const list = Array.isArray(first.value) ? first.value : [first.value];
    const issues: Issue[] = [];
    list.forEach((change, i) => {
      checkChangeShape(issues, `[${i}]`, change);
    });
    if (issues.length > 0)
      fail(
        `${file} holds changes that are not valid:`,
        issues.map((i) => ({ ...i, file })),
      );
    return { format: 'changes', changes: list as MetadataChange[] };
  }
  return { format: 'desired', documents: readDesired(documents, lines, file) };
}

function readDesired(documents: LoadedDocument[], lines: LineCounter, file: string): MetadataDocument[] {
  const issues: Issue[] = [];
  const out: MetadataDocument[] = [];
  for (const loaded of documents) {
    const raw = loaded.value;
    const label = `${file}:${loaded.line}`;
    if (!isRecord(raw) || !METADATA_KINDS.some((kind) => kind.matches(raw))) {
      issues.push({
        file: label,
        path: '(document)',
        message: `a document must be an entity (name, labels, titleField, fields), an entity layer (extends: <entity>), a role (kind: role) or the sharing settings (kind: sharing), got ${describeValue(raw)}`,
      });
      continue;
    }
    if (raw.kind === 'role' || raw.kind === 'sharing') {
      const read = readPermissionDocuments([{ file: label, value: raw }]);
      // The document's own shape; what it names (roles, entities) is checked against the workspace on apply.
      const found = read.issues.filter((i) => i.file !== undefined);
      issues.push(...found);
      if (found.length > 0) continue;
      if (raw.kind === 'role') out.push({ kind: 'role', role: read.model.roles[0] as RoleDefinition, file: label });
      else out.push({ kind: 'sharing', sharing: read.model.sharing, file: label });
      continue;
    }
    if ('extends' in raw) {
      const { layer, issues: found } = readLayer(raw, loaded, lines, file);
      issues.push(...found);
      if (found.length === 0) out.push({ kind: 'entityLayer', layer, file: label });
      continue;
    }
    const parsed = parseEntityFile(loaded.text, file);
    issues.push(...parsed.issues);
    if (parsed.entity && parsed.issues.length === 0) out.push({ kind: 'entity', entity: parsed.entity, file: label });
  }
  if (issues.length > 0) fail(`${file} is not a valid metadata description:`, issues);
  return out;
}

/** A folder as `metadata export --out <folder>` writes it: `<kind>/*.yaml`, or YAML files at its top. */
export function readMetadataFolder(dir: string): MetadataDocument[] {
  const kinds = METADATA_KINDS.map((k) => join(dir, k.folder)).filter((d) => existsSync(d));
  const folders = kinds.length > 0 ? kinds : [dir];
  const files = folders.flatMap((folder) =>
    readdirSync(folder)
      .filter((name) => ['.yaml', '.yml'].includes(extname(name)))
      .sort()
      .map((name) => join(folder, name)),
  );
  if (files.length > MAX_METADATA_DOCUMENTS) {
    fail(`${dir} holds too many files:`, [
      { file: dir, path: '(folder)', message: `${files.length} YAML files; at most ${MAX_METADATA_DOCUMENTS}` },
    ]);
  }
  const documents: MetadataDocument[] = [];
  const issues: Issue[] = [];
  for (const file of files) {
    try {
      const read = readMetadataFile(file);
      if (read.format === 'changes') {
        issues.push({ file, path: '(file)', message: 'a change list cannot be part of a desired-state folder' });
      } else documents.push(...read.documents);
    } catch (error) {
      if (!(error instanceof TouchpointError) || error.code !== 'VALIDATION_FAILED') throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) fail(`${dir} is not a valid metadata description:`, issues);
  return documents;
}

export function readMetadataPath(path: string): MetadataFile {
  if (existsSync(path) && statSync(path).isDirectory())
    return { format: 'desired', documents: readMetadataFolder(path) };
  return readMetadataFile(path);
}

/**
 * Writes the folder form: `<dir>/entities/<name>.yaml`, `<dir>/permissions/<name>.yaml`. YAML files of those
 * folders that no longer describe anything are removed, because the folder is read back as the whole desired
 * state. Answers the files written, relative to `dir`.
 */
export function writeMetadataFolder(dir: string, documents: LayerDocument[]): string[] {
  mkdirSync(join(dir, 'entities'), { recursive: true });
  const written = documents.map(({ name, yaml, folder }) => {
    mkdirSync(join(dir, folder), { recursive: true });
    const file = join(dir, folder, `${name}.yaml`);
    writeFileSync(file, yaml);
    return file;
  });
  for (const { folder: kind } of METADATA_KINDS) {
    const folder = join(dir, kind);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      const file = join(folder, name);
      if (['.yaml', '.yml'].includes(extname(name)) && !written.includes(file)) rmSync(file);
    }
  }
  return written.map((f) => `${basename(join(f, '..'))}/${basename(f)}`);
}
