// Small checks of the shape of untrusted input (parsed YAML, JSON from the designer), shared by the
// entity and field validators. Each records an issue and says whether the value can be used further.
import type { IssueCollector } from './errors.ts';
import { MAX_DESCRIPTION_LENGTH, MAX_LABEL_LENGTH, NUL_MESSAGE, tooLong } from './limits.ts';
import { API_NAME_PATTERN } from './naming.ts';
import { LANGUAGES } from './types.ts';

export type RawObject = Record<string, unknown>;

export function isRecord(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a wrong value is shown in a message: short, never the whole of a long text. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length > 40 ? `a text of ${value.length} characters` : `"${value}"`;
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}

/** `fields[3]` + `options` → `fields[3].options`; the root path is the empty string. */
export function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function item(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** Reports every key of `value` that is not in `allowed`, listing what is allowed. */
export function checkKeys(
  issues: IssueCollector,
  path: string,
  value: RawObject,
  allowed: readonly string[],
  what: string,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      issues.add(child(path, key), `unknown key "${key}" in ${what}; allowed: ${allowed.join(', ')}`, { allowed });
    }
  }
}

export function expectRecord(issues: IssueCollector, path: string, value: unknown, what: string): value is RawObject {
  if (isRecord(value)) return true;
  issues.add(path, `${what} must be a mapping, got ${describeValue(value)}`);
  return false;
}

export function expectString(
  issues: IssueCollector,
  path: string,
  value: unknown,
  what: string,
  options: { required?: boolean; nonEmpty?: boolean; max?: number } = {},
): value is string {
  if (value === undefined) {
    if (options.required) issues.add(path, `${what} is required`);
    return false;
  }
  if (typeof value !== 'string') {
    issues.add(path, `${what} must be a text, got ${describeValue(value)}`);
    return false;
  }
  const long = tooLong(value, options.max ?? MAX_DESCRIPTION_LENGTH, what);
  if (long) {
    issues.add(path, long);
    return false;
  }
  if (value.includes('\u0000')) {
    issues.add(path, `${what} ${NUL_MESSAGE}`);
    return false;
  }
  if (options.nonEmpty && value.trim() === '') {
    issues.add(path, `${what} must not be empty`);
    return false;
  }
  return true;
}

export function expectBoolean(issues: IssueCollector, path: string, value: unknown, what: string): value is boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return true;
  issues.add(path, `${what} must be true or false, got ${describeValue(value)}`);
  return false;
}

export function expectInteger(
  issues: IssueCollector,
  path: string,
  value: unknown,
  what: string,
  min: number,
  max: number,
): value is number {
  if (value === undefined) return false;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    issues.add(path, `${what} must be a whole number from ${min} to ${max}, got ${describeValue(value)}`);
    return false;
  }
  return true;
}

export function expectOneOf<T extends string>(
  issues: IssueCollector,
  path: string,
  value: unknown,
  allowed: readonly T[],
  what: string,
  options: { required?: boolean } = {},
): value is T {
  if (value === undefined) {
    if (options.required) issues.add(path, `${what} is required; allowed: ${allowed.join(', ')}`, { allowed });
    return false;
  }
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return true;
  issues.add(path, `${what} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`, { allowed });
  return false;
}

/** An API name: camelCase, starting with a lower-case letter, at most 40 characters. */
export function expectApiName(
  issues: IssueCollector,
  path: string,
  value: unknown,
  what: string,
  options: { required?: boolean } = {},
): value is string {
  if (!expectString(issues, path, value, what, { required: options.required })) return false;
  if (API_NAME_PATTERN.test(value)) return true;
  issues.add(
    path,
    `${what} ${describeValue(value)} is not a valid API name: use camelCase letters and digits, starting with a lower-case letter, at most 40 characters (e.g. annualRevenue)`,
  );
  return false;
}

/** A text in every shipped language; a screen never has to fall back to an API name. */
export function checkLabels(
  issues: IssueCollector,
  path: string,
  value: unknown,
  what: string,
  options: { required?: boolean; max?: number } = {},
): void {
  if (value === undefined) {
    if (options.required) issues.add(path, `${what} are required in ${LANGUAGES.join(' and ')}`);
    return;
  }
  if (!expectRecord(issues, path, value, what)) return;
  for (const language of LANGUAGES) {
    expectString(issues, child(path, language), value[language], `the ${language} text of ${what}`, {
      required: true,
      nonEmpty: true,
      max: options.max ?? MAX_LABEL_LENGTH,
    });
  }
  checkKeys(issues, path, value, LANGUAGES, what);
}

/** A list of texts (field names), reporting what is not a text and what appears twice. */
export function expectNameList(
  issues: IssueCollector,
  path: string,
  value: unknown,
  what: string,
  options: { nonEmpty?: boolean } = {},
): { name: string; path: string }[] {
  if (!Array.isArray(value)) {
    issues.add(path, `${what} must be a list of field names, got ${describeValue(value)}`);
    return [];
  }
  if (options.nonEmpty && value.length === 0) issues.add(path, `${what} must name at least one field`);
  const names: { name: string; path: string }[] = [];
  value.forEach((name, i) => {
    const at = item(path, i);
    if (!expectString(issues, at, name, `each of ${what}`)) return;
    if (names.some((n) => n.name === name)) issues.add(at, `"${name}" appears twice in ${what}`);
    else names.push({ name, path: at });
  });
  return names;
}
