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
    return error;
  }
  const incident = randomUUID();
  console.error(`[touchpoint] unexpected error (incident ${incident}) at ${path?.join('.') ?? 'request'}:`, original);
  return new GraphQLError(`Unexpected error. It was logged as incident ${incident}.`, {
    path,
    extensions: { code: 'INTERNAL_SERVER_ERROR', incident },
  });
}
