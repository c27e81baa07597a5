// Executes queries with graphql-jit: each (schema, document) pair is compiled once into a plain function,
// which spends far less Node CPU per returned field than graphql-js's interpreter — the records arrive
// already shaped by PostgreSQL, so field resolution is most of what is left of a read.
//
// Compiled queries are cached per schema object: a new metadata version or another workspace has another
// schema, so a document never runs with resolvers built for different metadata.
//
// Before that, a read PostgreSQL can answer by itself skips execution altogether (see passthrough.ts).
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import type { Passthrough } from './passthrough.ts';

type Compiled = { query: (root: unknown, context: unknown, variables: unknown) => unknown };

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
      const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
      // What graphql-jit cannot compile runs on graphql-js, which reports the same errors.
      byOperation.set(operation, isCompiledQuery(result) ? (result as Compiled) : null);
    }
    return byOperation.get(operation) ?? null;
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const query = compiled(args);
      const jit = query
        ? () => query.query(args.rootValue, args.contextValue, args.variableValues) as Promise<ExecutionResult>
        : undefined;
      const fast = passthrough.executor(args, jit ?? (async () => (await executeFn(args)) as ExecutionResult));
      if (fast) setExecuteFn(fast);
      else if (jit) setExecuteFn(jit);
    },
  };
}
