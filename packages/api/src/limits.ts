// Request limits a public API needs, in one place: nesting depth, aliases, directives, tokens and body size.
// Page sizes are capped by the engine, statement time by the database. Aliases and directives are counted by
// graphql-armor's rules (a well-kept library of the field); tokens by graphql-js's own parser limit.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

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

function limitExceeded(limit: string, value: number, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'LIMIT_EXCEEDED', limit, value } });
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
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      let deepest = 0;
      for (const selection of set?.selections ?? []) {
        if (selection.kind === Kind.FIELD)
          deepest = Math.max(deepest, selection.selectionSet ? 1 + depthOf(selection.selectionSet, seen) : 1);
        else if (selection.kind === Kind.INLINE_FRAGMENT)
          deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
        else if (!seen.has(selection.name.value)) {
          const fragment = fragments.get(selection.name.value);
          deepest = Math.max(deepest, depthOf(fragment?.selectionSet, new Set([...seen, selection.name.value])));
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
