// The small JSON-schema-like language that describes an action's input and a plugin's settings. Small on
// purpose: every type maps to one GraphQL input type (String, Float, Int, Boolean, ID, a list of one of
// them), so the host can validate an input and generate the GraphQL argument from the same spec.

export const INPUT_TYPES = ['string', 'number', 'integer', 'boolean', 'id', 'date', 'datetime', 'list'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

interface FieldSpecBase {
  /** Absent or null is refused when true. */
  required?: boolean;
  description?: string;
}

export interface StringFieldSpec extends FieldSpecBase {
  type: 'string';
  minLength?: number;
  maxLength?: number;
  /** When given, only these values are accepted (a GraphQL enum). */
  enum?: readonly string[];
}

export interface NumberFieldSpec extends FieldSpecBase {
  type: 'number' | 'integer';
  minimum?: number;
  maximum?: number;
}

export interface SimpleFieldSpec extends FieldSpecBase {
  /** `id`: a record id (UUID); `date`: `YYYY-MM-DD`; `datetime`: an ISO 8601 timestamp with offset. */
  type: 'boolean' | 'id' | 'date' | 'datetime';
}

export type ScalarFieldSpec = StringFieldSpec | NumberFieldSpec | SimpleFieldSpec;

export interface ListFieldSpec extends FieldSpecBase {
  type: 'list';
  items: ScalarFieldSpec;
  minItems?: number;
  maxItems?: number;
}

export type InputFieldSpec = ScalarFieldSpec | ListFieldSpec;

/** Input field name → its spec. Names follow the API naming rule (camelCase letters and digits). */
export type InputSpec = { readonly [name: string]: InputFieldSpec };

type ScalarOf<F> = F extends { type: 'string'; enum: readonly (infer E)[] }
  ? E
  : F extends { type: 'string' | 'id' | 'date' | 'datetime' }
    ? string
    : F extends { type: 'number' | 'integer' }
      ? number
      : F extends { type: 'boolean' }
        ? boolean
        : never;
type ValueOf<F> = F extends { type: 'list'; items: infer I } ? ScalarOf<I>[] : ScalarOf<F>;
type RequiredKeys<S> = { [K in keyof S]: S[K] extends { required: true } ? K : never }[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] };

/** Any value an input field can hold. */
export type InputValue = string | number | boolean | (string | number | boolean)[] | null;

/**
 * The TypeScript type of an input described by `S`: required fields are present, others may be absent.
 * For a spec not known literally (`InputSpec` itself) it is a record of `InputValue`s.
 */
export type InputOf<S extends InputSpec> = string extends keyof S
  ? { [name: string]: InputValue | undefined }
  : Flatten<
      { -readonly [K in RequiredKeys<S>]: ValueOf<S[K]> } & {
        -readonly [K in Exclude<keyof S, RequiredKeys<S>>]?: ValueOf<S[K]> | null;
      }
    >;

/** One problem, shaped like Touchpoint's `Issue` (`path` names the place, `allowed` lists what would do). */
export interface SpecIssue {
  path: string;
  message: string;
  allowed?: readonly string[];
}

const NAME = /^[a-z][A-Za-z0-9]{0,62}$/;
const SCALAR_KEYS: Record<string, readonly string[]> = {
  string: ['type', 'required', 'description', 'minLength', 'maxLength', 'enum'],
  number: ['type', 'required', 'description', 'minimum', 'maximum'],
  integer: ['type', 'required', 'description', 'minimum', 'maximum'],
  boolean: ['type', 'required', 'description'],
  id: ['type', 'required', 'description'],
  date: ['type', 'required', 'description'],
  datetime: ['type', 'required', 'description'],
  list: ['type', 'required', 'description', 'items', 'minItems', 'maxItems'],
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkField(spec: unknown, path: string, issues: SpecIssue[], inList: boolean): void {
  if (!isObject(spec)) {
    issues.push({ path, message: 'must be a mapping with at least `type`' });
    return;
  }
  const allowedTypes = inList ? INPUT_TYPES.filter((t) => t !== 'list') : INPUT_TYPES;
  if (typeof spec.type !== 'string' || !(allowedTypes as readonly string[]).includes(spec.type)) {
    issues.push({ path: `${path}.type`, message: `unknown type ${JSON.stringify(spec.type)}`, allowed: allowedTypes });
    return;
  }
  const keys = SCALAR_KEYS[spec.type]!;
  for (const key of Object.keys(spec)) {
    if (!keys.includes(key))
      issues.push({ path: `${path}.${key}`, message: `not a setting of ${spec.type}`, allowed: keys });
  }
  if (spec.required !== undefined && typeof spec.required !== 'boolean') {
    issues.push({ path: `${path}.required`, message: 'must be true or false' });
  }
  if (spec.description !== undefined && typeof spec.description !== 'string') {
    issues.push({ path: `${path}.description`, message: 'must be a text' });
  }
  for (const key of ['minLength', 'maxLength', 'minItems', 'maxItems']) {
    const v = spec[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0)) {
      issues.push({ path: `${path}.${key}`, message: 'must be a whole number of at least 0' });
    }
  }
  for (const key of ['minimum', 'maximum']) {
    const v = spec[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v))) {
      issues.push({ path: `${path}.${key}`, message: 'must be a finite number' });
    }
  }
  if (spec.enum !== undefined) {
    const values = spec.enum;
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string')) {
      issues.push({ path: `${path}.enum`, message: 'must be a non-empty list of texts' });
    } else if (new Set(values).size !== values.length) {
      issues.push({ path: `${path}.enum`, message: 'lists a value twice' });
    }
  }
  if (spec.type === 'list') {
    if (spec.items === undefined) issues.push({ path: `${path}.items`, message: 'a list needs the spec of its items' });
    else checkField(spec.items, `${path}.items`, issues, true);
  }
  if (inList && spec.required !== undefined) {
    issues.push({ path: `${path}.required`, message: 'list items are always present; set required on the list' });
  }
}

/** Every problem of a spec (an action's `input` or a manifest's `settings`), paths under `path`. */
export function validateInputSpec(spec: unknown, path = 'input'): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (!isObject(spec)) {
    issues.push({ path, message: 'must be a mapping from field name to field spec (it may be empty: {})' });
    return issues;
  }
  for (const [name, field] of Object.entries(spec)) {
    if (!NAME.test(name)) {
      issues.push({ path: `${path}.${name}`, message: 'names start with a lowercase letter, then letters and digits' });
    }
    checkField(field, `${path}.${name}`, issues, false);
  }
  return issues;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** What is wrong with one scalar value, or undefined. */
function scalarProblem(
  spec: ScalarFieldSpec,
  value: unknown,
): { message: string; allowed?: readonly string[] } | undefined {
  const got = describe(value);
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return { message: `must be a text, got ${got}` };
      if (spec.enum && !spec.enum.includes(value))
        return { message: `"${value}" is not one of the values`, allowed: spec.enum };
      if (spec.minLength !== undefined && value.length < spec.minLength) {
        return { message: `must be at least ${spec.minLength} characters long` };
      }
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        return { message: `must be at most ${spec.maxLength} characters long, got ${value.length}` };
      }
      return undefined;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value)) return { message: `must be a number, got ${got}` };
      if (spec.type === 'integer' && !Number.isInteger(value))
        return { message: `must be a whole number, got ${value}` };
      if (spec.minimum !== undefined && value < spec.minimum) return { message: `must be at least ${spec.minimum}` };
      if (spec.maximum !== undefined && value > spec.maximum) return { message: `must be at most ${spec.maximum}` };
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : { message: `must be true or false, got ${got}` };
    case 'id':
      return typeof value === 'string' && UUID.test(value)
        ? undefined
        : { message: `must be a record id (UUID), got ${got}` };
    case 'date':
      return typeof value === 'string' && DATE.test(value)
        ? undefined
        : { message: `must be a date YYYY-MM-DD, got ${got}` };
    case 'datetime':
      return typeof value === 'string' && DATETIME.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : { message: `must be an ISO 8601 timestamp with offset, got ${got}` };
  }
}

function checkScalar(spec: ScalarFieldSpec, value: unknown, path: string, issues: SpecIssue[]): void {
  const problem = scalarProblem(spec, value);
  if (problem) issues.push({ path, ...problem });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'a mapping' : String(value);
}

/**
 * Every problem of `value` against a (valid) spec, paths under `path`: unknown fields, missing required
 * fields, wrong types and broken constraints.
 */
export function validateInput(spec: InputSpec, value: unknown, path = 'input'): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (!isObject(value)) {
    issues.push({ path, message: `must be a mapping of input fields, got ${describe(value)}` });
    return issues;
  }
  const names = Object.keys(spec);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(spec, key))
      issues.push({ path: `${path}.${key}`, message: 'is not an input field', allowed: names });
  }
  for (const [name, field] of Object.entries(spec)) {
    const v = value[name];
    const at = `${path}.${name}`;
    if (v === undefined || v === null) {
      if (field.required) issues.push({ path: at, message: 'is required' });
      continue;
    }
    if (field.type !== 'list') {
      checkScalar(field, v, at, issues);
      continue;
    }
    if (!Array.isArray(v)) {
      issues.push({ path: at, message: `must be a list, got ${describe(v)}` });
      continue;
    }
    if (field.minItems !== undefined && v.length < field.minItems) {
      issues.push({ path: at, message: `must have at least ${field.minItems} items` });
    }
    if (field.maxItems !== undefined && v.length > field.maxItems) {
      issues.push({ path: at, message: `must have at most ${field.maxItems} items, got ${v.length}` });
    }
    v.forEach((item, i) => {
      checkScalar(field.items, item, `${at}[${i}]`, issues);
    });
  }
  return issues;
}
