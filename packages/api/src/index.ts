export type { ApiContext } from './context.ts';
export { ACTOR_HEADER, DEBUG_HEADER, WORKSPACE_HEADER } from './context.ts';
export { toGraphQLError } from './errors.ts';
export { hasLargeInputVariables, MAX_COMPILED_INPUT_TYPES } from './jit.ts';
export { DEFAULT_RATE_LIMIT, MAX_BODY_BYTES, MAX_COST, MAX_QUERY_DEPTH } from './limits.ts';
export { buildSchema } from './schema/build-schema.ts';
export type { ApiServerOptions, RateLimitConfig, RequestIdentity } from './server.ts';
export { createApiHandler, createApiServer, requestIdentity } from './server.ts';
