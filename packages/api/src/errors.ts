// Domain errors become GraphQL errors here, once, at the edge. Anything unexpected is logged with its
// context and masked, so clients never see internals.
import { randomUUID } from 'node:crypto';
import { type ErrorCode, isTouchpointError } from '@touchpoint/schema';
import { GraphQLError } from 'graphql';

/** Exhaustive by type: a new error code does not compile until it has a status here. */
const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  CONFLICT: 409,
  LIMIT_EXCEEDED: 400,
  CONFIRMATION_REQUIRED: 400,
  MIGRATION_FAILED: 400,
  PLUGIN_FAILED: 500,
  UNAUTHENTICATED: 401,
};

export function toGraphQLError(error: unknown, path?: readonly (string | number)[]): GraphQLError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (isTouchpointError(original)) {
    // Stacks belong in the server log, never in an answer (a plugin's error once carried its own here).
    const { stack: _stack, ...details } = original.details;
    return new GraphQLError(original.message, {
      path,
      extensions: {
        code: original.code,
        ...(original.issues.length > 0 ? { issues: original.issues } : {}),
        ...(Object.keys(details).length > 0 ? { details } : {}),
        http: { status: HTTP_STATUS[original.code] },
      },
    });
  }
  // Parse, validation and variable errors (a variable's value of the wrong shape wraps graphql's own error).
  if (error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError)) {
    return variableError(error) ?? error;
  }
  const incident = randomUUID();
  console.error(`[touchpoint] unexpected error (incident ${incident}) at ${path?.join('.') ?? 'request'}:`, original);
  return new GraphQLError(`Unexpected error. It was logged as incident ${incident}.`, {
    path,
    extensions: { code: 'INTERNAL_SERVER_ERROR', incident },
  });
}

/**
 * graphql-js's refusal of a variable's value (`Variable "$input" got invalid value "x" at "input.closeDate";
 * Date must be YYYY-MM-DD…`) as a VALIDATION_FAILED whose issue names the spot inside the variable.
 */
function variableError(error: GraphQLError): GraphQLError | undefined {
  const match = /^Variable "\$([^"]+)" (?:got invalid value .*?(?: at "([^"]+)")?; ([\s\S]*)|([\s\S]*))$/.exec(
    error.message,
  );
  if (error.extensions.code !== undefined) return undefined;
  if (error.message.startsWith('Too many errors processing variables')) {
    // graphql-js stops after 50 refused values; the 50 before this one carry their own paths.
    return new GraphQLError(error.message, {
      extensions: {
        code: 'VALIDATION_FAILED',
        issues: [{ path: 'variables', message: 'too many invalid values; the first 50 are reported' }],
        http: { status: 400 },
      },
    });
  }
  if (!match) return undefined;
  const path = match[2] ?? match[1]!;
  const message = match[3] ?? match[4]!;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    extensions: { code: 'VALIDATION_FAILED', issues: [{ path, message }], http: { status: 400 } },
  });
}
