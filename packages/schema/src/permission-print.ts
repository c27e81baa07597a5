// The canonical YAML of permission documents (`kind: role`, `kind: sharing`), as `schemas/permissions/` holds
// them and `touchpoint metadata export` writes them: keys in a fixed order, maps keyed by entity sorted (`*`
// first), rights in their fixed order, engine-set keys (`source`, an `id` equal to the name) left out. The same
// model always prints the same bytes, whatever order its keys were stored in.
import { Document, isMap, isSeq, type Node, type YAMLMap } from 'yaml';
import {
  ANY_ENTITY,
  ENTITY_SHARING_KEYS,
  OBJECT_RIGHTS,
  type RoleDefinition,
  type SharingRule,
  type SharingSettings,
} from './permissions.ts';
import { LANGUAGES } from './types.ts';

type Raw = Record<string, unknown>;

function labelsOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const raw = value as Raw;
  return Object.fromEntries(LANGUAGES.filter((l) => raw[l] !== undefined).map((l) => [l, raw[l]]));
}

const byName = (a: string, b: string) => (a === ANY_ENTITY ? -1 : b === ANY_ENTITY ? 1 : a < b ? -1 : a > b ? 1 : 0);

function sortedKeys<T>(map: Record<string, T>, each: (value: T) => unknown): Raw {
  return Object.fromEntries(
    Object.keys(map)
      .sort(byName)
      .map((k) => [k, each(map[k] as T)]),
  );
}

/** Nested mappings of a condition in a stable order (a filter's meaning does not depend on key order). */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (typeof value !== 'object' || value === null) return value;
  return sortedKeys(value as Raw, sortedDeep);
}

function canonicalRole(role: RoleDefinition): Raw {
  const out: Raw = { kind: 'role', name: role.name };
  if (role.id !== undefined && role.id !== role.name) out.id = role.id;
  out.labels = labelsOf(role.labels);
  if (role.description !== undefined) out.description = labelsOf(role.description);
  if (role.reportsTo !== undefined) out.reportsTo = role.reportsTo;
  if (role.partner !== undefined) out.partner = role.partner;
  if (role.system !== undefined) out.system = [...role.system];
  out.objects = sortedKeys(role.objects ?? {}, (rights) =>
    Object.fromEntries(OBJECT_RIGHTS.filter((r) => rights[r] !== undefined).map((r) => [r, rights[r]])),
  );
  if (role.fields !== undefined) out.fields = sortedKeys(role.fields, (fields) => sortedKeys(fields, (a) => a));
  return out;
}

function canonicalRule(rule: SharingRule): Raw {
  const out: Raw = { name: rule.name };
  if (rule.id !== undefined && rule.id !== rule.name) out.id = rule.id;
  out.labels = labelsOf(rule.labels);
  out.entity = rule.entity;
  out.role = rule.role;
  out.access = rule.access;
  out.condition = sortedDeep(rule.condition);
  return out;
}

/** A flow mapping's text length (a rough width: wide characters count once). */
function flatLength(node: YAMLMap): number {
  return JSON.stringify(node.toJSON()).length;
}

/**
 * Labels (when short), the rights of one entity, the field access of one entity, one entity's sharing and the
 * system permissions on one line; a rule's condition, and everything else, in block style.
 */
function flow(node: Node | null, key: string, depth: number): void {
  if (key === 'condition') return;
  if (isMap(node)) {
    const flat = node.items.length > 0 && node.items.every((p) => !isMap(p.value) && !isSeq(p.value));
    const labels = (key === 'labels' || key === 'description') && flatLength(node) <= 90;
    if (flat && (labels || (depth >= 2 && key !== 'labels' && key !== 'description'))) {
      node.flow = true;
      return;
    }
    for (const pair of node.items) flow(pair.value as Node, String((pair.key as { value?: unknown }).value), depth + 1);
  } else if (isSeq(node)) {
    if (key === 'system') {
      node.flow = true;
      return;
    }
    for (const item of node.items) flow(item as Node, key, depth);
  }
}

function print(value: Raw, schema: string | undefined): string {
  const doc = new Document(value);
  flow(doc.contents as Node, '', 0);
  const text = doc
    .toString({ lineWidth: 0, indentSeq: true })
    .replace(/^(\s*(?:- )?[^\s:]+: )\[ ((?:[A-Za-z0-9_]+, )*[A-Za-z0-9_]+) \]$/gm, '$1[$2]');
  return schema === undefined ? text : `# yaml-language-server: $schema=${schema}\n${text}`;
}

/** The canonical YAML text of a role (`kind: role`); `readPermissionDocuments` reads it back to the same role. */
export function roleToYaml(role: RoleDefinition, options: { schema?: string } = {}): string {
  return print(canonicalRole(role), options.schema);
}

/** The canonical YAML text of sharing settings (`kind: sharing`): entities sorted by name, rules in their order. */
export function sharingToYaml(sharing: Partial<SharingSettings>, options: { schema?: string } = {}): string {
  const out: Raw = { kind: 'sharing' };
  if (sharing.entities && Object.keys(sharing.entities).length > 0) {
    out.entities = sortedKeys(sharing.entities, (setting) =>
      Object.fromEntries(ENTITY_SHARING_KEYS.filter((k) => setting[k] !== undefined).map((k) => [k, setting[k]])),
    );
  }
  if (sharing.rules && sharing.rules.length > 0) out.rules = sharing.rules.map(canonicalRule);
  return print(out, options.schema);
}
