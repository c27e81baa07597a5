// Reads what a GraphQL request selects and turns it into the engine's `Selection`, so the whole nested
// result comes back from one SQL statement. Fragments, aliases and @skip/@include are honoured.
import type { RelationSelection, Selection } from '@touchpoint/engine';
import { type EntityDefinition, pascalCase } from '@touchpoint/schema';
import {
  type FieldNode,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import type { RelationEdge } from './graph.ts';

interface Collected {
  name: string;
  nodes: FieldNode[];
}

function included(node: { directives?: readonly unknown[] }, info: GraphQLResolveInfo): boolean {
  const n = node as FieldNode;
  if (getDirectiveValues(GraphQLSkipDirective, n, info.variableValues)?.if === true) return false;
  if (getDirectiveValues(GraphQLIncludeDirective, n, info.variableValues)?.if === false) return false;
  return true;
}

/** Sub-fields of the given nodes, merged by response key (alias or name) like GraphQL execution does. */
export function collectFields(
  nodes: readonly FieldNode[],
  info: GraphQLResolveInfo,
  into = new Map<string, Collected>(),
): Map<string, Collected> {
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (!included(selection, info)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const entry = into.get(key) ?? { name: selection.name.value, nodes: [] };
        entry.nodes.push(selection);
        into.set(key, entry);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else {
        visit(info.fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const node of nodes) visit(node.selectionSet);
  return into;
}

export interface SelectionContext {
  entities: Map<string, EntityDefinition>;
  relations: Map<string, RelationEdge[]>;
}

/** The selection of one record of `entity`, from the field nodes that select it. */
export function recordSelection(
  entity: EntityDefinition,
  nodes: readonly FieldNode[],
  info: GraphQLResolveInfo,
  context: SelectionContext,
): Selection {
  const fields = new Set<string>(['id']);
  const relations: RelationSelection[] = [];
  const edges = context.relations.get(entity.name) ?? [];
  const type = info.schema.getType(typeNameOf(entity));
  for (const [key, { name, nodes: subNodes }] of collectFields(nodes, info)) {
    if (name === '__typename') continue;
    const edge = edges.find((e) => e.name === name);
    if (!edge) {
      fields.add(name);
      continue;
    }
    const fieldDef = isObjectType(type) ? type.getFields()[name] : undefined;
    const args = fieldDef
      ? getArgumentValues(fieldDef as GraphQLField<unknown, unknown>, subNodes[0]!, info.variableValues)
      : {};
    relations.push({
      key,
      field: name,
      selection: recordSelection(edge.target, subNodes, info, context),
      filter: args.filter as RelationSelection['filter'],
      orderBy: args.orderBy as RelationSelection['orderBy'],
      first: args.first as number | undefined,
      offset: args.offset as number | undefined,
    });
  }
  return { fields: [...fields], relations };
}

/**
 * For a connection field: the selection under `nodes` and `edges.node`, whether totalCount is asked, and
 * whether cursors are (edges or pageInfo selected).
 */
export function connectionSelection(
  entity: EntityDefinition,
  info: GraphQLResolveInfo,
  context: SelectionContext,
): { selection: Selection; withTotalCount: boolean; withCursors: boolean } {
  const top = collectFields(info.fieldNodes, info);
  const recordNodes: FieldNode[] = [];
  let withTotalCount = false;
  let withCursors = false;
  for (const { name, nodes } of top.values()) {
    if (name === 'nodes') recordNodes.push(...nodes);
    if (name === 'totalCount') withTotalCount = true;
    if (name === 'pageInfo' || name === 'edges') withCursors = true;
    if (name === 'edges') {
      for (const edge of collectFields(nodes, info).values()) if (edge.name === 'node') recordNodes.push(...edge.nodes);
    }
  }
  return { selection: recordSelection(entity, recordNodes, info, context), withTotalCount, withCursors };
}

export function typeNameOf(entity: EntityDefinition): string {
  return pascalCase(entity.name);
}

/** The object type a field returns (unwrapping lists and non-null), if it is one. */
export function returnObjectType(info: GraphQLResolveInfo): GraphQLObjectType | undefined {
  const named = getNamedType(info.returnType);
  return isObjectType(named) ? named : undefined;
}
