// The canonical YAML of an entity: keys in a fixed order, fields as a mapping, derived values left out,
// labels and short name lists on one line. The output is what Biome's YAML formatter would print, so
// exported files can be committed as they are.
import { Document, isMap, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { pluralize } from './naming.ts';
import type { EntityDefinition, FieldDefinition } from './types.ts';
import { LANGUAGES } from './types.ts';
import { isRecord, type RawObject } from './validate-shape.ts';

export interface EntityToYamlOptions {
  /**
   * Adds `# yaml-language-server: $schema=<schema>` as the first line so editors validate and complete
   * the file, e.g. `../entity.schema.json` for a file in `schemas/entities/`.
   */
  schema?: string;
}

const ENTITY_ORDER = [
  'extends',
  'name',
  'id',
  'pluralName',
  'labels',
  'pluralLabels',
  'description',
  'titleField',
  'fields',
];
const FIELD_ORDER = [
  'extends',
  'type',
  'id',
  'labels',
  'helpText',
  'required',
  'unique',
  'readOnly',
  'default',
  'min',
  'max',
  'minLength',
  'maxLength',
  'pattern',
  'scale',
  'currencyCode',
  'options',
  'relation',
  'autonumber',
  'formula',
  'rollup',
];
/** Key order of nested mappings, by the key they sit under. */
const NESTED_ORDER: Record<string, readonly string[]> = {
  options: ['value', 'labels', 'color'],
  relation: ['target', 'kind', 'inverse', 'inverseLabels', 'onDelete'],
  autonumber: ['prefix', 'digits', 'start'],
  formula: ['expression', 'resultType'],
  rollup: ['relation', 'fn', 'field', 'filter'],
  indexes: ['name', 'fields', 'unique'],
  defaultSort: ['field', 'direction'],
  views: ['list', 'form', 'kanban', 'calendar'],
  sections: ['labels', 'fields', 'columns'],
  calendar: ['dateField', 'endField'],
};
const LABEL_KEYS = new Set(['labels', 'pluralLabels', 'description', 'helpText', 'inverseLabels']);
/** Flow collections longer than this go on several lines (Biome wraps at 120; indentation is estimated). */
const FLOW_WIDTH = 96;

function ordered(value: RawObject, order: readonly string[], omit: readonly string[] = []): RawObject {
  const keys = [...order.filter((k) => k in value), ...Object.keys(value).filter((k) => !order.includes(k))];
  const out: RawObject = {};
  for (const key of keys) if (value[key] !== undefined && !omit.includes(key)) out[key] = value[key];
  return out;
}

/** Orders keys of nested mappings by where they sit, recursively; lists keep their order. */
function canonical(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, key));
  if (!isRecord(value)) return value;
  const order = LABEL_KEYS.has(key) ? LANGUAGES : (NESTED_ORDER[key] ?? []);
  const out = ordered(value, order);
  for (const k of Object.keys(out)) out[k] = canonical(out[k], k);
  return out;
}

/** Flags whose default is false: written only when true, so a designer that sends `required: false` adds no noise. */
const FALSE_BY_DEFAULT = ['required', 'unique', 'readOnly'];

function canonicalEntity(entity: EntityDefinition, fieldIdBase?: string): RawObject {
  const raw = entity as unknown as RawObject;
  const entityId = fieldIdBase ?? entity.id ?? entity.name;
  const omit = ['source', ...(entity.id === entity.name ? ['id'] : [])];
  if (typeof entity.name === 'string' && entity.pluralName === pluralize(entity.name)) omit.push('pluralName');
  const out = ordered(raw, ENTITY_ORDER, omit);
  for (const key of Object.keys(out)) if (key !== 'fields') out[key] = canonical(out[key], key);
  if (Array.isArray(entity.fields)) {
    const printed = entity.fields.map((field) => {
      const defaultId = [`${entityId}.${field.name}`, `${entity.name}.${field.name}`];
      const omit = ['source', ...(field.id !== undefined && defaultId.includes(field.id) ? ['id'] : [])];
      const flags = field as unknown as RawObject;
      for (const flag of FALSE_BY_DEFAULT) if (flags[flag] === false) omit.push(flag);
      return canonical(ordered(field as unknown as RawObject, ['name', ...FIELD_ORDER], omit), 'field') as RawObject;
    });
    const names = entity.fields.map((f) => f.name);
    // A mapping cannot hold two fields of one name (or a field without one); the list form loses nothing.
    const mappable = names.every((n) => typeof n === 'string') && new Set(names).size === names.length;
    out.fields = mappable ? Object.fromEntries(printed.map(({ name, ...rest }) => [name as string, rest])) : printed;
  }
  return out;
}

/** Display width: CJK and other wide characters take two columns. */
function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}

function isLabelMap(node: YAMLMap): boolean {
  return node.items.every((p) => LANGUAGES.includes(String((p.key as { value?: unknown }).value) as 'en'));
}

function isNameList(node: YAMLSeq): boolean {
  return node.items.every(
    (i) =>
      typeof (i as { value?: unknown }).value === 'string' && /^[A-Za-z0-9_]+$/.test((i as { value: string }).value),
  );
}

/** Puts labels and lists of names on one line when that line stays short. */
function chooseFlow(node: Node | null, key: string, depth: number): void {
  if (isMap(node)) {
    if (LABEL_KEYS.has(key) && isLabelMap(node) && fits(node, key, depth)) {
      node.flow = true;
      return;
    }
    for (const pair of node.items)
      chooseFlow(pair.value as Node, String((pair.key as { value?: unknown }).value), depth + 1);
  } else if (isSeq(node)) {
    if (node.items.length > 0 && isNameList(node) && fits(node, key, depth)) {
      node.flow = true;
      return;
    }
    for (const itemNode of node.items) chooseFlow(itemNode as Node, key, depth + 1);
  }
}

function fits(node: YAMLMap | YAMLSeq, key: string, depth: number): boolean {
  const copy = new Document(node.toJSON());
  (copy.contents as YAMLMap | YAMLSeq).flow = true;
  const text = copy.toString({ lineWidth: 0 }).trim();
  return depth * 2 + width(key) + 2 + width(text) <= FLOW_WIDTH;
}

/**
 * A workspace's changes to an entity of the core or a plugin, as `touchpoint metadata export` writes it:
 * `extends` names the entity, the entity's other keys are the ones changed, `fields` holds the fields added
 * (whole definitions) and the fields changed (`extends` naming the field, then only the changed keys),
 * `removedFields` the fields taken out.
 */
export interface EntityLayer {
  extends: string;
  /** The id the entity's field ids derive from (`<entityId>.<field>`), so default ids are left out. */
  entityId: string;
  patch: Record<string, unknown>;
  fields: (Partial<FieldDefinition> & { name: string; extends?: string })[];
  removedFields: string[];
}

/** The canonical YAML text of an entity; `parseEntityFile` reads it back to the same definition. */
export function entityToYaml(entity: EntityDefinition, options: EntityToYamlOptions = {}): string {
  return printCanonical(canonicalEntity(entity), options);
}

/** The canonical YAML text of an entity layer (see EntityLayer), in the key order of entity files. */
export function entityLayerToYaml(layer: EntityLayer, options: EntityToYamlOptions = {}): string {
  const raw = {
    extends: layer.extends,
    ...layer.patch,
    ...(layer.fields.length > 0 ? { fields: layer.fields } : {}),
  } as unknown as EntityDefinition;
  const out = canonicalEntity(raw, layer.entityId);
  if (layer.removedFields.length > 0) out.removedFields = layer.removedFields;
  return printCanonical(out, options);
}

function printCanonical(canonicalForm: RawObject, options: EntityToYamlOptions): string {
  const doc = new Document(canonicalForm);
  chooseFlow(doc.contents as Node, '', 0);
  const text = doc
    .toString({ lineWidth: 0, indentSeq: true })
    // Biome writes flow sequences without inner padding ([a, b]) but flow mappings with it ({ a: b }).
    .replace(/^(\s*(?:- )?[^\s:]+: )\[ ((?:[A-Za-z0-9_]+, )*[A-Za-z0-9_]+) \]$/gm, '$1[$2]');
  return options.schema === undefined ? text : `# yaml-language-server: $schema=${options.schema}\n${text}`;
}
