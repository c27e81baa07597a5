// Reads whose answer PostgreSQL can write by itself. For a query that is one entity list asking only for
// `nodes`, with fields whose JSON from PostgreSQL is exactly what GraphQL would write (ids, texts,
// booleans, relations of such fields), the record service returns the nodes as JSON text and the answer is
// spliced around it: Node neither parses the rows nor walks and serialises them again.
//
// Anything else — fragments, directives, __typename, aliases on scalars, numbers, dates, enums, money,
// JSON, pageInfo, edges, totalCount — runs the normal way, and so does a request whose variables or
// arguments are not valid, so every error is the normal one. A plan is made once per schema and document.
import type { ListRequest, RecordService, Selection } from '@touchpoint/engine';
import type { EntityDefinition } from '@touchpoint/schema';
import { entityRootFieldNames } from '@touchpoint/schema';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ApiContext } from './context.ts';
import { type RelationEdge, relationGraph } from './graph.ts';
import { typeNameOf } from './selection.ts';

// biome-ignore lint/suspicious/noExplicitAny: resolvers' fields of run-time types
type AnyField = GraphQLField<any, any>;

interface RecordShape {
  fields: string[];
  relations: { key: string; field: string; node: FieldNode; definition: AnyField; shape: RecordShape }[];
  keys: string[];
}

interface Plan {
  operation: OperationDefinitionNode;
  entity: string;
  root: FieldNode;
  rootDefinition: AnyField;
  rootKey: string;
  nodesKey: string;
  shape: RecordShape;
}

/** GraphQL output types whose values PostgreSQL's JSON writes exactly as GraphQL serialises them. */
const EXACT_TYPES = new Set(['ID', 'String', 'Boolean']);
/** The engine's value types behind them: uuid and text as JSON strings, boolean as true/false. */
const EXACT_VALUES = new Set(['uuid', 'text', 'boolean']);
/** objectSql keeps key order up to 50 keys (json_build_object); wider objects go through jsonb. */
const MAX_KEYS = 50;

type Model = ReturnType<ApiContext['metadata']['compiler']['entityModel']>;

function fieldsOf(set: SelectionSetNode | undefined): FieldNode[] | undefined {
  if (!set) return undefined;
  const fields: FieldNode[] = [];
  for (const selection of set.selections) {
    if (selection.kind !== Kind.FIELD || (selection.directives?.length ?? 0) > 0) return undefined;
    if (selection.name.value === '__typename') return undefined;
    fields.push(selection);
  }
  return fields;
}

function recordShape(
  entity: EntityDefinition,
  set: SelectionSetNode | undefined,
  schema: GraphQLSchema,
  ctx: ApiContext,
  graph: Map<string, RelationEdge[]>,
): RecordShape | undefined {
  const type = schema.getType(typeNameOf(entity));
  const nodes = fieldsOf(set);
  if (!isObjectType(type) || !nodes || nodes.length === 0 || nodes.length > MAX_KEYS) return undefined;
  const definitions = type.getFields();
  let model: Model;
  try {
    model = ctx.metadata.compiler.entityModel(entity.name);
  } catch {
    return undefined;
  }
  const shape: RecordShape = { fields: [], relations: [], keys: [] };
  for (const node of nodes) {
    const name = node.name.value;
    const key = node.alias?.value ?? name;
    const definition = definitions[name];
    if (!definition || shape.keys.includes(key)) return undefined;
    const edge = graph.get(entity.name)?.find((e) => e.name === name);
    if (edge) {
      const inner = recordShape(edge.target, node.selectionSet, schema, ctx, graph);
      if (!inner) return undefined;
      shape.relations.push({ key, field: name, node, definition, shape: inner });
    } else {
      const scalar = model.scalars.get(name);
      const exact =
        key === name &&
        scalar !== undefined &&
        EXACT_VALUES.has(scalar.valueType) &&
        EXACT_TYPES.has(getNamedType(definition.type).name) &&
        // A null in a non-null field is an error in GraphQL; only the primary key can never be null.
        (!isNonNullType(definition.type) || name === 'id');
      if (!exact) return undefined;
      shape.fields.push(name);
    }
    shape.keys.push(key);
  }
  return shape;
}

function makePlan(args: ExecutionArgs, ctx: ApiContext): Plan | undefined {
  const { schema, document } = args;
  if (document.definitions.length !== 1) return undefined;
  const operation = getOperationAST(document, args.operationName);
  if (operation?.operation !== 'query' || (operation.directives?.length ?? 0) > 0) return undefined;
  const roots = fieldsOf(operation.selectionSet);
  if (roots?.length !== 1) return undefined;
  const root = roots[0]!;
  const entity = ctx.metadata.entities.find((e) => entityRootFieldNames(e).many === root.name.value);
  const rootDefinition = schema.getQueryType()?.getFields()[root.name.value];
  const connection = fieldsOf(root.selectionSet);
  if (!entity || !rootDefinition || connection?.length !== 1 || connection[0]!.name.value !== 'nodes') return undefined;
  const nodes = connection[0]!;
  const shape = recordShape(entity, nodes.selectionSet, schema, ctx, relationGraph(ctx.metadata.entities));
  if (!shape) return undefined;
  return {
    operation,
    entity: entity.name,
    root,
    rootDefinition,
    rootKey: root.alias?.value ?? root.name.value,
    nodesKey: nodes.alias?.value ?? 'nodes',
    shape,
  };
}

function selectionOf(shape: RecordShape, variables: Record<string, unknown>): Selection {
  return {
    fields: shape.fields,
    keys: shape.keys,
    relations: shape.relations.map((relation) => {
      const args = getArgumentValues(relation.definition, relation.node, variables);
      return {
        key: relation.key,
        field: relation.field,
        selection: selectionOf(relation.shape, variables),
        filter: args['filter'] as never,
        orderBy: args['orderBy'] as never,
        first: args['first'] as number | undefined,
        offset: args['offset'] as number | undefined,
      };
    }),
  };
}

/** The request the list resolver would make, or undefined when variables or arguments are not valid. */
function listRequest(plan: Plan, schema: GraphQLSchema, rawVariables: unknown): ListRequest | undefined {
  const coerced = getVariableValues(
    schema,
    plan.operation.variableDefinitions ?? [],
    (rawVariables ?? {}) as Record<string, unknown>,
  );
  if (coerced.errors) return undefined;
  try {
    const variables = coerced.coerced;
    const a = getArgumentValues(plan.rootDefinition, plan.root, variables);
    return {
      entity: plan.entity,
      filter: (a['filter'] ?? undefined) as ListRequest['filter'],
      orderBy: (a['orderBy'] ?? undefined) as ListRequest['orderBy'],
      search: (a['search'] ?? undefined) as string | undefined,
      first: (a['first'] ?? undefined) as number | undefined,
      after: (a['after'] ?? undefined) as string | undefined,
      last: (a['last'] ?? undefined) as number | undefined,
      before: (a['before'] ?? undefined) as string | undefined,
      includeDeleted: (a['includeDeleted'] ?? false) as boolean,
      selection: selectionOf(plan.shape, variables),
    };
  } catch {
    return undefined;
  }
}

/** Documents remembered per schema by their text, for the server's short lane (see `known`). */
const KNOWN_PER_SCHEMA = 1000;

export class Passthrough {
  readonly #plans = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Plan | null>>>();
  readonly #known = new WeakMap<GraphQLSchema, Map<string, Plan>>();

  /**
   * An executor for the request when PostgreSQL can write its answer, else undefined. `fallback` runs the
   * request the normal way; it answers whenever the short way fails, so errors are the normal ones.
   */
  executor(
    args: ExecutionArgs,
    fallback: () => Promise<ExecutionResult>,
  ): (() => Promise<ExecutionResult>) | undefined {
    const ctx = args.contextValue as ApiContext & { params?: { query?: unknown } };
    let bySchema = this.#plans.get(args.schema);
    if (!bySchema) {
      bySchema = new WeakMap();
      this.#plans.set(args.schema, bySchema);
    }
    let byOperation = bySchema.get(args.document);
    if (!byOperation) {
      byOperation = new Map();
      bySchema.set(args.document, byOperation);
    }
    const name = args.operationName ?? '';
    if (!byOperation.has(name)) byOperation.set(name, makePlan(args, ctx) ?? null);
    const plan = byOperation.get(name);
    if (!plan) return undefined;
    // graphql-yoga parsed and validated this text against this schema (the depth limit included), so the
    // same text may skip both next time.
    if (typeof ctx.params?.query === 'string') this.#remember(args.schema, ctx.params.query, name, plan);
    return async () => {
      const nodes = await this.#nodes(plan, args.schema, args.variableValues, ctx.records);
      if (nodes === undefined) return fallback();
      // The answer is serialised around a token that stands where the nodes go; the token is random, so no
      // value can look like it.
      const token = `tp-nodes-${crypto.randomUUID()}`;
      return {
        data: { [plan.rootKey]: { [plan.nodesKey]: token } },
        // graphql-yoga serialises a result with its `stringify` when it has one.
        stringify: (result: unknown) => JSON.stringify(result).replace(`"${token}"`, () => nodes),
      } as ExecutionResult;
    };
  }

  /** The plan of a document text graphql-yoga has already run through this passthrough, if any. */
  known(schema: GraphQLSchema, query: string, operationName: string | undefined): Plan | undefined {
    return this.#known.get(schema)?.get(`${operationName ?? ''}\n${query}`);
  }

  /**
   * The `data` of the answer as JSON text, or undefined when the request must run the normal way (invalid
   * variables or arguments, or the read failed) — which then gives the normal answer or error.
   */
  async data(
    plan: Plan,
    schema: GraphQLSchema,
    variables: unknown,
    records: RecordService,
  ): Promise<string | undefined> {
    const nodes = await this.#nodes(plan, schema, variables, records);
    if (nodes === undefined) return undefined;
    return `{${JSON.stringify(plan.rootKey)}:{${JSON.stringify(plan.nodesKey)}:${nodes}}}`;
  }

  async #nodes(plan: Plan, schema: GraphQLSchema, variables: unknown, records: RecordService) {
    const request = listRequest(plan, schema, variables);
    if (!request) return undefined;
    try {
      return await records.listJson(request);
    } catch {
      return undefined;
    }
  }

  #remember(schema: GraphQLSchema, query: string, operationName: string, plan: Plan): void {
    let known = this.#known.get(schema);
    if (!known) {
      known = new Map();
      this.#known.set(schema, known);
    }
    if (known.size >= KNOWN_PER_SCHEMA) known.delete(known.keys().next().value!);
    known.set(`${operationName}\n${query}`, plan);
  }
}

export type { Plan as PassthroughPlan };
