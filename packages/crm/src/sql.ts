// Small pieces every CRM statement uses: bind parameters, input checks that report every problem at once,
// and day boundaries. Days are UTC days: a report for 2026-03-01..2026-03-31 covers
// [2026-03-01T00:00Z, 2026-04-01T00:00Z).
import { IssueCollector, isUuid, TouchpointError } from '@touchpoint/schema';

/** Where a CRM statement runs: the request's scoped reader (engine `ScopedReader`), in or out of a transaction. */
export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** With a generic plan kept per connection (engine `Database.queryGeneric`), where the runner offers it. */
  queryGeneric?<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

/** Bind parameters of one statement. */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

export function isInstant(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

/** The start of a UTC day given as a `date` placeholder, as a timestamptz. */
export function dayStart(dateParam: string): string {
  return `(${dateParam}::timestamp at time zone 'UTC')`;
}

/** A date column as the timestamptz of its UTC midnight (for timelines that mix dates and instants). */
export function dateAsInstant(column: string): string {
  return `(${column}::timestamp at time zone 'UTC')`;
}

/** ISO 8601 UTC with microseconds: exact enough for cursors. */
export function isoMicros(expr: string): string {
  return `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** ISO 8601 UTC with milliseconds, as the rest of the API renders instants. */
export function isoMillis(expr: string): string {
  return `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Collects input problems of one operation and throws them all as VALIDATION_FAILED. */
export class Checks {
  readonly issues = new IssueCollector();

  id(path: string, value: unknown, required = false): string | undefined {
    if (value === undefined || value === null) {
      if (required) this.issues.add(path, 'is required: a record id (UUID)');
      return undefined;
    }
    if (!isUuid(value)) {
      this.issues.add(path, `must be a record id (UUID), got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  date(path: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isDate(value)) {
      this.issues.add(path, `must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  instant(path: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isInstant(value)) {
      this.issues.add(path, `must be an ISO 8601 instant such as 2026-03-01T09:30:00Z, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return new Date(value).toISOString();
  }

  int(path: string, value: unknown, fallback: number, min: number, max: number): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.issues.add(path, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[], fallback: T): T {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      this.issues.add(path, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { allowed });
      return fallback;
    }
    return value as T;
  }

  list<T extends string>(path: string, value: unknown, allowed: readonly T[]): T[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.issues.add(path, 'must be a list', { allowed });
      return undefined;
    }
    value.forEach((v, i) => {
      if (!allowed.includes(v as T)) {
        this.issues.add(`${path}[${i}]`, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`, { allowed });
      }
    });
    return value as T[];
  }

  add(path: string, message: string, allowed?: readonly string[]): void {
    this.issues.add(path, message, allowed ? { allowed } : {});
  }

  done(summary: string): void {
    this.issues.throwIfAny(summary);
  }
}

export function notFound(what: string, id: string, path: string): TouchpointError {
  return new TouchpointError('NOT_FOUND', `There is no ${what} with id ${id} (or it is deleted).`, {
    issues: [{ path, message: `there is no ${what} with id ${id}` }],
  });
}
