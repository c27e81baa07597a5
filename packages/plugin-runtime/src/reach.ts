// Which entities a plugin's read reaches. A filter on `account` may test its contacts' e-mail addresses
// (`{ contacts: { some: { email: { contains: … } } } }`), a sort or a selected field may be a roll-up over
// cases: each reads another entity, so each needs the grant to read it — or a plugin granted `account:read`
// could read contacts one character at a time. Walked on the host before the read runs.
import type { WorkspaceMetadata } from '@touchpoint/engine';
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';

/** Deeper than the engine's own filter depth limit: what the engine would refuse anyway is not walked. */
const MAX_WALK_DEPTH = 64;
const QUANTIFIERS = ['some', 'none', 'every'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Relation name → target entity, as filters name them: declared relations, then inverses of others'. */
export function relationTargets(metadata: WorkspaceMetadata, entity: EntityDefinition): Map<string, string> {
  const targets = new Map<string, string>();
  for (const field of entity.fields) {
    if (field.type === 'relation' && field.relation) targets.set(field.name, field.relation.target);
  }
  for (const other of metadata.entities) {
    for (const field of other.fields) {
      const relation = field.type === 'relation' ? field.relation : undefined;
      if (relation?.target === entity.name && relation.inverse && !targets.has(relation.inverse)) {
        if (!entity.fields.some((f) => f.name === relation.inverse)) targets.set(relation.inverse, other.name);
      }
    }
  }
  return targets;
}

/** The walk: every entity reached, with the first path that reaches it. */
export class Reach {
  readonly reached = new Map<string, string>();
  readonly #metadata: WorkspaceMetadata;

  constructor(metadata: WorkspaceMetadata) {
    this.#metadata = metadata;
  }

  #add(entity: string, path: string): void {
    if (!this.reached.has(entity)) this.reached.set(entity, path);
  }

  /** A roll-up field reads the records of its relation's target, through its own filter too. */
  field(entity: EntityDefinition, field: FieldDefinition, path: string, depth = 0): void {
    if (field.type !== 'rollup' || !field.rollup) return;
    const target = relationTargets(this.#metadata, entity).get(field.rollup.relation);
    if (!target) return;
    this.#add(target, path);
    if (field.rollup.filter) this.filter(target, field.rollup.filter, path, depth + 1);
  }

  filter(entityName: string, filter: unknown, path: string, depth = 0): void {
    const entity = this.#metadata.byName.get(entityName);
    if (!entity || !isObject(filter) || depth > MAX_WALK_DEPTH) return;
    const relations = relationTargets(this.#metadata, entity);
    for (const [key, value] of Object.entries(filter)) {
      const here = `${path}.${key}`;
      if ((key === 'and' || key === 'or') && Array.isArray(value)) {
        value.forEach((item, i) => {
          this.filter(entityName, item, `${here}[${i}]`, depth + 1);
        });
      } else if (key === 'not') {
        this.filter(entityName, value, here, depth + 1);
      } else if (relations.has(key)) {
        const target = relations.get(key)!;
        this.#add(target, here);
        if (!isObject(value)) continue;
        const quantified = Object.keys(value).some((k) => QUANTIFIERS.includes(k));
        if (!quantified) this.filter(target, value, here, depth + 1);
        else for (const q of QUANTIFIERS) this.filter(target, value[q], `${here}.${q}`, depth + 1);
      } else {
        const field = entity.fields.find((f) => f.name === key);
        if (field) this.field(entity, field, here, depth);
      }
    }
  }

  /** Sorted or selected fields by name (roll-ups reach their targets). */
  fields(entity: EntityDefinition, names: readonly string[], path: string): void {
    names.forEach((name, i) => {
      const field = entity.fields.find((f) => f.name === name);
      if (field) this.field(entity, field, `${path}[${i}]`);
    });
  }
}
