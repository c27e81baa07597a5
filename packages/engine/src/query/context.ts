// One statement being compiled: its bind parameters, its table aliases and the problems found in the request.
import { IssueCollector, TouchpointError } from '@touchpoint/schema';
import type { AccessGrants } from '../permissions/grants.ts';
import type { QueryCompiler } from './compiler.ts';

/** Most records one page or one nested list may return. */
export const MAX_FIRST = 500;
/** Page size of a root list when the request gives neither `first` nor `last`. */
export const DEFAULT_FIRST = 20;
/** Size of a nested to-many list when its selection gives no `first`. */
export const DEFAULT_NESTED_FIRST = 100;
export const MAX_FILTER_DEPTH = 10;
/** Values of one `in`/`notIn`/`containsAny`/`containsAll` list, and ids of one `getRecordsByIds`. */
export const MAX_IN_VALUES = 1000;
export const MAX_AGGREGATE_GROUPS = 1000;
/** Groups an aggregate returns when the request gives no `limit`. */
export const DEFAULT_AGGREGATE_GROUPS = 100;

export interface Statement {
  text: string;
  params: unknown[];
}

export class StatementContext {
  readonly compiler: QueryCompiler;
  readonly params: unknown[];
  readonly issues = new IssueCollector();
  /** `entity.field` of the computed fields being expanded, so a formula or rollup cannot expand itself forever. */
  readonly expanding = new Set<string>();
  /** Whose reads these are: every table alias the statement opens carries their `visibility`. */
  readonly grants: AccessGrants | undefined;
  #aliases = 0;

  constructor(compiler: QueryCompiler, params: unknown[] = [], grants?: AccessGrants) {
    this.compiler = compiler;
    this.params = params;
    this.grants = grants;
  }

  /** Adds a bind parameter and returns its placeholder, cast when the type cannot be inferred from context. */
  param(value: unknown, cast?: string): string {
    this.params.push(value);
    return cast ? `$${this.params.length}::${cast}` : `$${this.params.length}`;
  }

  /** A fresh table alias. The `tp` prefix keeps clear of the aliases a caller of `compileFilter` uses. */
  alias(): string {
    return `tp${this.#aliases++}`;
  }

  statement(text: string, summary: string): Statement {
    this.issues.throwIfAny(summary);
    return { text, params: this.params };
  }
}

/** `LIMIT_EXCEEDED` naming the argument, its cap and what was asked. */
export function limitExceeded(path: string, what: string, cap: number, got: number): TouchpointError {
  const message = `${what} must be at most ${cap}, got ${got}`;
  return new TouchpointError('LIMIT_EXCEEDED', `${path}: ${message}`, {
    issues: [{ path, message }],
    details: { argument: path, limit: cap, got },
  });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A SQL string literal of a name we validated (JSON keys); values never go through here. */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Short description of a wrong value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length > 40 ? `a text of ${value.length} characters` : `"${value}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** Checks a page size argument (`first`, `last`, `limit`): a whole number ≥ 0, at most `cap`. */
export function checkCount(ctx: StatementContext, value: unknown, path: string, fallback: number, cap: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    ctx.issues.add(path, `must be a whole number of at least 0, got ${describeValue(value)}`);
    return fallback;
  }
  if (value > cap) throw limitExceeded(path, path.split('.').at(-1) ?? path, cap, value);
  return value;
}
