// The one error root of Touchpoint. Every package throws these; the API maps them to GraphQL errors once.

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'LIMIT_EXCEEDED'
  | 'CONFIRMATION_REQUIRED'
  | 'MIGRATION_FAILED'
  | 'PLUGIN_FAILED'
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED';

/** One problem with one place in the input: `path` names it (`fields[2].type`, `input.email`, `rows[3].name`). */
export interface Issue {
  path: string;
  message: string;
  /** The file the problem is in, when the input came from a file. */
  file?: string;
  /** What would have been accepted, when that is a short list. */
  allowed?: readonly string[];
}

export class TouchpointError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly Issue[];
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: readonly Issue[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TouchpointError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
  }
}

/** Collects every problem before failing, so a user fixes all of them in one round. */
export class IssueCollector {
  readonly issues: Issue[] = [];

  add(path: string, message: string, extra: Omit<Issue, 'path' | 'message'> = {}): void {
    this.issues.push({ path, message, ...extra });
  }

  get empty(): boolean {
    return this.issues.length === 0;
  }

  /** Throws `VALIDATION_FAILED` listing every collected issue, if there are any. */
  throwIfAny(summary: string): void {
    if (this.issues.length > 0) throw validationFailed(summary, this.issues);
  }
}

export function validationFailed(summary: string, issues: readonly Issue[]): TouchpointError {
  const lines = issues.map((i) => `${i.file ? `${i.file}: ` : ''}${i.path}: ${i.message}`);
  return new TouchpointError('VALIDATION_FAILED', `${summary}\n${lines.map((l) => `  - ${l}`).join('\n')}`, {
    issues,
  });
}

/** By shape, not only `instanceof`: errors may cross module instances (test runners, sandboxes). */
export function isTouchpointError(error: unknown): error is TouchpointError {
  if (error instanceof TouchpointError) return true;
  const e = error as Partial<TouchpointError> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.name === 'TouchpointError' &&
    typeof e.code === 'string' &&
    Array.isArray(e.issues)
  );
}
