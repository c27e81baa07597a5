// What a request may hold, in one place: how deeply input may nest, and which characters texts may not
// carry. The API refuses beyond these before any recursive code runs, the engine before SQL does.

/**
 * How deeply the JSON of a request (variables, JSON arguments such as a definition or a filter) and the
 * brackets of a GraphQL document may nest. Checked by the API without recursion before anything parses
 * recursively, so a deep input is refused instead of overflowing the stack.
 */
export const MAX_INPUT_DEPTH = 64;

/** Labels (each language), option labels and names people read: a workspace's name. */
export const MAX_LABEL_LENGTH = 200;

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
