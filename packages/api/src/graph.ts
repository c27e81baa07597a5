// The relation graph of a workspace: for each entity, the relations it can navigate, both ways.
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';

export interface RelationEdge {
  /** Field name on this entity: the relation field itself, or the inverse name declared on the other side. */
  name: string;
  toMany: boolean;
  target: EntityDefinition;
  /** The field that defines the relation (on this entity, or on the target for an inverse). */
  definedBy: { entity: EntityDefinition; field: FieldDefinition };
  labels: FieldDefinition['labels'];
}

export function relationGraph(entities: EntityDefinition[]): Map<string, RelationEdge[]> {
  const byName = new Map(entities.map((e) => [e.name, e]));
  const graph = new Map<string, RelationEdge[]>(entities.map((e) => [e.name, []]));
  for (const entity of entities) {
    for (const field of entity.fields) {
      const relation = field.relation;
      if (field.type !== 'relation' || !relation) continue;
      const target = byName.get(relation.target);
      if (!target) continue;
      graph.get(entity.name)!.push({
        name: field.name,
        toMany: relation.kind === 'manyToMany',
        target,
        definedBy: { entity, field },
        labels: field.labels,
      });
      if (relation.inverse) {
        graph.get(target.name)!.push({
          name: relation.inverse,
          toMany: true,
          target: entity,
          definedBy: { entity, field },
          labels: relation.inverseLabels ?? entity.pluralLabels ?? entity.labels,
        });
      }
    }
  }
  return graph;
}
