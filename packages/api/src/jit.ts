// Executes queries with graphql-jit: each (schema, document) pair is compiled once into a plain function,
// which spends far less Node CPU per returned field than graphql-js's interpreter — the records arrive
// already shaped by PostgreSQL, so field resolution is most of what is left of a read.
//
// Compiled queries are cached per schema object: a new metadata version or another workspace has another
// schema, so a document never runs with resolvers built for different metadata.
//
// Before that, a read PostgreSQL can answer by itself skips execution altogether (see passthrough.ts).
//
// graphql-jit also compiles the parsing of the operation's variables, type by type. For an input type that
// reaches many others (an entity's filter reaches every related entity's filter) that code grows with the
// whole reachable graph: one `$filter: ContactFilter` took 5 s and 700 MB to compile. Such operations run on
// graphql-js, which checks variables by walking the values it is given.
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isInputObjectType,
  Kind,
  type OperationDefinitionNode,
  type TypeNode,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import type { Passthrough } from './passthrough.ts';

type Compiled = { query: (root: unknown, context: unknown, variables: unknown) => unknown };

/** Input object types reachable from a variable's type past which its parsing is not compiled. */
export const MAX_COMPILED_INPUT_TYPES = 12;

const reachCache = new WeakMap<GraphQLSchema, Map<string, number>>();

/** How many input object types a named input type reaches, itself included (memoised per schema). */
function reachableInputTypes(schema: GraphQLSchema, type: GraphQLNamedType): number {
  if (!isInputObjectType(type)) return 0;
  let bySchema = reachCache.get(schema);
  if (!bySchema) {
    bySchema = new Map();
    reachCache.set(schema, bySchema);
  }
  const known = bySchema.get(type.name);
  if (known !== undefined) return known;
  const seen = new Set<string>();
  const stack = [type];
  while (stack.length > 0 && seen.size <= MAX_COMPILED_INPUT_TYPES) {
    const next = stack.pop()!;
    if (seen.has(next.name)) continue;
    seen.add(next.name);
    for (const field of Object.values(next.getFields())) {
      const inner = getNamedType(field.type);
      if (isInputObjectType(inner) && !seen.has(inner.name)) stack.push(inner);
    }
  }
  bySchema.set(type.name, seen.size);
  return seen.size;
}

function namedTypeOf(node: TypeNode): string {
  return node.kind === Kind.NAMED_TYPE ? node.name.value : namedTypeOf(node.type);
}

/** True when one of the operation's variables has an input type too large to compile its parsing. */
export function hasLargeInputVariables(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null) {
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  return (operation?.variableDefinitions ?? []).some((v) => {
    const type = schema.getType(namedTypeOf(v.type)) as GraphQLInputType | undefined;
    return type !== undefined && reachableInputTypes(schema, getNamedType(type)) > MAX_COMPILED_INPUT_TYPES;
  });
}

export function useCompiledExecution(passthrough: Passthrough): Plugin {
  const cache = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Compiled | null>>>();
  const compiled = (args: ExecutionArgs): Compiled | null => {
    let bySchema = cache.get(args.schema);
    if (!bySchema) {
      bySchema = new WeakMap();
      cache.set(args.schema, bySchema);
    }
    let byOperation = bySchema.get(args.document);
    if (!byOperation) {
      byOperation = new Map();
      bySchema.set(args.document, byOperation);
    }
    const operation = args.operationName ?? '';
    if (!byOperation.has(operation)) {
      if (hasLargeInputVariables(args.schema, args.document, args.operationName)) {
        byOperation.set(operation, null);
        return null;
      }
      const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
      // What graphql-jit cannot compile runs on graphql-js, which reports the same errors.
      byOperation.set(operation, isCompiledQuery(result) ? (result as Compiled) : null);
    }
    return byOperation.get(operation) ?? null;
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const query = compiled(args);
      // graphql-jit's errors for invalid variables misname them (`$openedAt` for `$input.openedAt`): when it
      // refuses the variables (an answer without data), graphql-js checks them again and says where.
      const jit = query
        ? async () => {
            const result = (await query.query(
              args.rootValue,
              args.contextValue,
              args.variableValues,
            )) as ExecutionResult;
            return 'data' in result ? result : ((await executeFn(args)) as ExecutionResult);
          }
        : undefined;
      const fast = passthrough.executor(args, jit ?? (async () => (await executeFn(args)) as ExecutionResult));
      if (fast) setExecuteFn(fast);
      else if (jit) setExecuteFn(jit);
    },
  };
}
