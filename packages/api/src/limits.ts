// Request limits a public API needs, in one place: nesting depth (of documents and of variables), aliases,
// directives, tokens, the estimated cost of an operation, body size, NUL characters in texts and the request
// rate. Page sizes are capped by the engine, statement time by the database. Aliases and directives are
// counted by graphql-armor's rules (a well-kept library of the field); tokens by graphql-js's own parser limit;
// cost by graphql-query-complexity with an estimator of our list shapes (graphql-armor's cost rule does not
// multiply by page sizes, which is where the cost of a read lies).
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MAX_INPUT_DEPTH, NUL_MESSAGE, nestingDepth, nulTextPaths } from '@touchpoint/schema';
import {
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { type ComplexityEstimatorArgs, getComplexity } from 'graphql-query-complexity';

export const MAX_QUERY_DEPTH = 12;
export const MAX_BODY_BYTES = 20 * 1024 * 1024;
/**
 * Aliases per operation. Without a bound one request can repeat any field: 300 aliases of exportMetadata took
 * 86 s and 8.8 GB; 100 × accounts(first: 500) asked for 50,000 records (issue 10). The web app uses none.
 */
export const MAX_ALIASES = 20;
/** Directives per operation. */
export const MAX_DIRECTIVES = 20;
/** Lexical tokens per document; the web app's largest (a record page of a wide entity) has under 1,500. */
export const MAX_TOKENS = 10_000;

/**
 * The estimated cost of one operation (see `operationCost`). The web app's costliest request, measured over
 * the whole browser suite, is in packages/api/README.md; abuse such as 20 × accounts(first: 500) with
 * contacts(first: 500) each estimates at over 15 million.
 */
export const MAX_COST = 50_000;
/** What a list field with a page-size argument (`first`, `last`, `limit`) counts when the request gives none. */
export const DEFAULT_PAGE_ESTIMATE = 50;
/**
 * The largest page any field takes (an aggregate's `limit`; lists take at most 500). A larger size counts as
 * this much: the field refuses it anyway, with an error that names its own limit.
 */
export const MAX_PAGE_ESTIMATE = 1_000;
/** Fields (fragments counted at each spread) the cost estimate walks before it gives up: fragment bombs. */
export const MAX_COST_NODES = 10_000;
/**
 * Requests per address (per user and per token, once requests carry one): a token bucket of `burst` requests,
 * refilled at `perSecond`. In-process, per API instance; see rate-limit.ts for why.
 */
export const DEFAULT_RATE_LIMIT = { burst: 1_000, perSecond: 100 } as const;

function limitExceeded(limit: string, value: number, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'LIMIT_EXCEEDED', limit, value, http: { status: 400 } } });
}

const PAGE_ARGUMENTS = ['first', 'last', 'limit'];

/**
 * Every field costs 1; a field that pages (has `first`, `last` or `limit`) multiplies the cost of what is
 * selected inside it by the page size asked for (DEFAULT_PAGE_ESTIMATE when none is given, at most
 * MAX_PAGE_ESTIMATE), so
 * `accounts(first: 50) { nodes { id name } }` costs 1 + 50 × 3. Lists without a page size (metadata: entities,
 * fields) are bounded by the metadata and count once.
 */
function pageEstimator({ field, args, childComplexity }: ComplexityEstimatorArgs): number {
  const pages = field.args.filter((arg) => PAGE_ARGUMENTS.includes(arg.name));
  if (pages.length === 0) return 1 + childComplexity;
  const asked = pages.map((arg) => args[arg.name]).filter((value): value is number => typeof value === 'number');
  const size = asked.length > 0 ? Math.min(MAX_PAGE_ESTIMATE, Math.max(0, ...asked)) : DEFAULT_PAGE_ESTIMATE;
  return 1 + Math.max(1, size) * childComplexity;
}

/**
 * The estimated cost of the operation a request runs, with its variables; undefined when the variables do
 * not fit the operation (execution then refuses them with its own, precise error).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number | undefined {
  try {
    return getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName,
      estimators: [pageEstimator],
      maxQueryNodes: MAX_COST_NODES,
    });
  } catch (error) {
    if (error instanceof GraphQLError && error.message.includes('maximum allowed number of nodes')) {
      return Number.POSITIVE_INFINITY;
    }
    return undefined;
  }
}

const COSTS_PER_DOCUMENT = 32;

/**
 * Estimates are remembered per schema, document and the numbers among the variables: a page size can come
 * only from a literal or a variable of its own, so nothing else changes the estimate. A fresh estimate takes
 * ~0.1 ms (graphql-query-complexity builds a validation context and coerces the variables), too much for
 * the short lane, which answers a read in about that.
 */
export class CostCache {
  readonly #costs = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number | undefined>>>();

  cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
  ): number | undefined {
    let bySchema = this.#costs.get(schema);
    if (!bySchema) {
      bySchema = new WeakMap();
      this.#costs.set(schema, bySchema);
    }
    let byVariables = bySchema.get(document);
    if (!byVariables) {
      byVariables = new Map();
      bySchema.set(document, byVariables);
    }
    let key = operationName ?? '';
    for (const name in variables) {
      const value = variables[name];
      if (typeof value === 'number') key += `\n${name}=${value}`;
    }
    if (byVariables.has(key)) return byVariables.get(key);
    const cost = operationCost(schema, document, variables, operationName);
    if (byVariables.size >= COSTS_PER_DOCUMENT) byVariables.delete(byVariables.keys().next().value!);
    byVariables.set(key, cost);
    return cost;
  }
}

/** LIMIT_EXCEEDED for an operation costlier than MAX_COST; undefined when it is within it. */
export function costError(cost: number | undefined): GraphQLError | undefined {
  if (cost === undefined || cost <= MAX_COST) return undefined;
  const what = Number.isFinite(cost)
    ? `an estimated cost of ${cost}`
    : `more than ${MAX_COST_NODES} fields once its fragments are spread`;
  return limitExceeded(
    'cost',
    MAX_COST,
    `The operation has ${what}; at most ${MAX_COST} is allowed in one request. Each field costs 1 and a list multiplies what it selects by its page size (first, last or limit): ask for smaller pages or fewer nested lists.`,
  );
}

/** The validation rules of the limits above, each reporting LIMIT_EXCEEDED with the limit and its value. */
export function limitRules(): ((context: ValidationContext) => unknown)[] {
  const report =
    (limit: string, value: number, what: string) => (context: ValidationContext | null, error: GraphQLError) => {
      const found = /found (\d+)/.exec(error.message)?.[1];
      context?.reportError(
        limitExceeded(
          limit,
          value,
          `The operation has ${found ?? 'more than ' + value} ${what}; at most ${value} are allowed in one request.`,
        ),
      );
    };
  return [
    maxAliasesRule({
      n: MAX_ALIASES,
      propagateOnRejection: false,
      onReject: [report('aliases', MAX_ALIASES, 'aliases')],
    }),
    maxDirectivesRule({
      n: MAX_DIRECTIVES,
      propagateOnRejection: false,
      onReject: [report('directives', MAX_DIRECTIVES, 'directives')],
    }),
  ];
}

/** Parses with graphql-js's token limit, answering LIMIT_EXCEEDED instead of a syntax error. */
export function parseWithTokenLimit<A extends unknown[], R>(
  parse: (source: unknown, options?: object, ...rest: A) => R,
) {
  return (source: unknown, options?: object, ...rest: A): R => {
    try {
      return parse(source, { ...options, maxTokens: MAX_TOKENS }, ...rest);
    } catch (error) {
      if (error instanceof GraphQLError && /Document contains more tha[nt] \d+ tokens/.test(error.message)) {
        throw limitExceeded(
          'tokens',
          MAX_TOKENS,
          `The document has more than ${MAX_TOKENS} tokens; at most ${MAX_TOKENS} are allowed.`,
        );
      }
      throw error;
    }
  };
}

/** Refuses queries nested deeper than `max` levels (fragments counted where they are spread). */
export function depthLimitRule(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    // A fragment's depth is measured once: walked at every spread, ten spreads a level would take 10^levels steps.
    const measured = new Map<string, number>();
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      let deepest = 0;
      for (const selection of set?.selections ?? []) {
        if (selection.kind === Kind.FIELD)
          deepest = Math.max(deepest, selection.selectionSet ? 1 + depthOf(selection.selectionSet, seen) : 1);
        else if (selection.kind === Kind.INLINE_FRAGMENT)
          deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
        else if (!seen.has(selection.name.value)) {
          const name = selection.name.value;
          let depth = measured.get(name);
          if (depth === undefined) {
            depth = depthOf(fragments.get(name)?.selectionSet, new Set([...seen, name]));
            measured.set(name, depth);
          }
          deepest = Math.max(deepest, depth);
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > max) {
          context.reportError(
            new GraphQLError(`The query is nested ${depth} levels deep; at most ${max} are allowed.`, {
              nodes: [node],
              extensions: { code: 'LIMIT_EXCEEDED' },
            }),
          );
        }
      },
    };
  };
}

/**
 * How deeply the brackets of a GraphQL document nest (`{`, `[`, `(`), outside strings and comments, and
 * where the deepest one opens. A plain loop: graphql-js parses recursively and overflows the stack on a
 * document thousands of levels deep, so this runs before it.
 */
export function documentDepth(text: string, max = MAX_INPUT_DEPTH): { depth: number; line: number; column: number } {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 35) {
      // # comment to the end of the line
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 10) i++;
    } else if (c === 34) {
      if (text.startsWith('"""', i)) {
        const end = text.indexOf('"""', i + 3);
        i = end === -1 ? text.length : end + 2;
      } else {
        for (i++; i < text.length && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 10; i++) {
          if (text.charCodeAt(i) === 92) i++;
        }
      }
    } else if (c === 123 || c === 91 || c === 40) {
      depth++;
      if (depth > max) return { depth, line, column: i - lineStart + 1 };
    } else if (c === 125 || c === 93 || c === 41) {
      depth = Math.max(0, depth - 1);
    }
  }
  return { depth: 0, line, column: 0 };
}

function tooDeep(path: string, message: string): GraphQLError {
  return new GraphQLError(`${path}: ${message}`, {
    extensions: { code: 'LIMIT_EXCEEDED', issues: [{ path, message }], http: { status: 400 } },
  });
}

function nulError(paths: string[], nodes?: ASTNode[]): GraphQLError {
  return new GraphQLError(`The request is not valid:\n${paths.map((p) => `  - ${p}: ${NUL_MESSAGE}`).join('\n')}`, {
    nodes,
    extensions: {
      code: 'VALIDATION_FAILED',
      issues: paths.map((path) => ({ path, message: NUL_MESSAGE })),
      http: { status: 400 },
    },
  });
}

/**
 * Refuses texts carrying U+0000 in a document's arguments: PostgreSQL cannot take them in any text or
 * jsonb, so no field of ours can use one. Paths start at the argument (`filter.name.contains`).
 */
export function nulTextRule(context: ValidationContext): ASTVisitor {
  return {
    Argument(node) {
      const found: string[] = [];
      const stack: { value: ValueNode; path: string }[] = [{ value: node.value, path: node.name.value }];
      while (stack.length > 0) {
        const { value, path } = stack.pop()!;
        if (value.kind === Kind.STRING && value.value.includes('\u0000')) found.push(path);
        else if (value.kind === Kind.LIST)
          for (const [i, v] of value.values.entries()) stack.push({ value: v, path: `${path}[${i}]` });
        else if (value.kind === Kind.OBJECT)
          for (const f of value.fields) stack.push({ value: f.value, path: `${path}.${f.name.value}` });
      }
      if (found.length > 0) context.reportError(nulError(found.sort(), [node]));
    },
  };
}

/**
 * Refuses a request whose document or variables nest deeper than MAX_INPUT_DEPTH, before graphql-js
 * parses or coerces them (both recurse), and variables carrying U+0000. The error names the variable
 * (`input.name`) or the spot in the document.
 */
export function checkRequestDepth(params: { query?: unknown; variables?: unknown }): void {
  if (typeof params.query === 'string') {
    const deep = documentDepth(params.query);
    if (deep.depth > MAX_INPUT_DEPTH) {
      throw tooDeep(
        'query',
        `the document nests more than ${MAX_INPUT_DEPTH} levels of brackets (at line ${deep.line}, column ${deep.column}); at most ${MAX_INPUT_DEPTH} are allowed`,
      );
    }
  }
  const variables = params.variables;
  if (typeof variables !== 'object' || variables === null) return;
  const nul = nulTextPaths(variables, '');
  if (nul.length > 0) throw nulError(nul);
  for (const [name, value] of Object.entries(variables)) {
    if (nestingDepth(value) > MAX_INPUT_DEPTH - 1) {
      throw tooDeep(
        name,
        `the value nests more than ${MAX_INPUT_DEPTH - 1} levels deep; at most ${MAX_INPUT_DEPTH - 1} are allowed`,
      );
    }
  }
}
