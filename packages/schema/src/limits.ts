// What a request may hold, in one place: how deeply input may nest, and which characters texts may not
// carry. The API refuses beyond these before any recursive code runs, the engine before SQL does.

/**
 * How deeply the JSON of a request (variables, JSON arguments such as a definition or a filter) and the
 * brackets of a GraphQL document may nest. Checked by the API without recursion before anything parses
 * recursively, so a deep input is refused instead of overflowing the stack.
 */
export const MAX_INPUT_DEPTH = 64;

/**
 * Metadata texts. A label reaches every page of the web app, so a 5 MB label weighs on every page:
 * each is bounded, and longer is VALIDATION_FAILED naming the path, the limit and the length.
 */
/** Labels, plural labels, option labels, inverse labels (each language), and a workspace's name. */
export const MAX_LABEL_LENGTH = 200;
/** Descriptions and help texts (each language). */
export const MAX_DESCRIPTION_LENGTH = 2000;
/** Options of one select or multiSelect field. */
export const MAX_SELECT_OPTIONS = 500;
/** An option's value (it becomes a GraphQL enum value). */
export const MAX_OPTION_VALUE_LENGTH = 100;
/** Ids of entities and fields, `source`, an autonumber prefix. */
export const MAX_ID_LENGTH = 100;
/** Entity and field names (`API_NAME_PATTERN`). */
export const MAX_NAME_LENGTH = 40;
/** A formula's source (the formula language's own limit, `FORMULA_MAX_LENGTH`). */
export const MAX_FORMULA_LENGTH = 2000;
/** Each text of a filter (`contains`, `eq`, every value of `in`) and a search: a longer one has no use. */
export const MAX_FILTER_TEXT_LENGTH = 500;

/** `${what} must be at most N characters, got L` when `text` is longer than `max`; undefined otherwise. */
export function tooLong(text: string, max: number, what: string): string | undefined {
  return text.length > max ? `${what} must be at most ${max} characters, got ${text.length}` : undefined;
}

/** PostgreSQL cannot store U+0000 in text or jsonb; a text carrying it is refused, never sent. */
export const NUL_MESSAGE = 'must not contain the NUL character (\\u0000), which cannot be stored';

/**
 * Paths of the texts in `value` (object keys included) that carry U+0000, at most `max` of them.
 * Walks with its own stack, so any depth is safe.
 */
export function nulTextPaths(value: unknown, path: string, max = 20): string[] {
  const found: string[] = [];
  const stack: { value: unknown; path: string }[] = [{ value, path }];
  while (stack.length > 0 && found.length < max) {
    const next = stack.pop()!;
    const v = next.value;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) found.push(next.path);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${next.path}[${i}]` });
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i]!;
        if (key.includes('\u0000')) found.push(next.path);
        else stack.push({ value: inner, path: next.path === '' ? key : `${next.path}.${key}` });
      }
    }
  }
  return found;
}

/** How deeply `value` nests (a scalar is 0, `[]` and `{}` are 1); counting stops past `max`. Iterative. */
export function nestingDepth(value: unknown, max = MAX_INPUT_DEPTH): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const here = depth + 1;
    if (here > deepest) deepest = here;
    if (deepest > max) return deepest;
    for (const inner of Array.isArray(v) ? v : Object.values(v)) stack.push({ value: inner, depth: here });
  }
  return deepest;
}
