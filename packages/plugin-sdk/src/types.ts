// What plugin code sees. Everything a plugin receives or returns is JSON: values are copied into the
// plugin's sandbox and copied out again, so a Date arrives as an ISO text and a function never crosses.
import type { InputOf, InputSpec, InputValue } from './input-spec.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Field values of a record, by field name (`name`, `industry`, `accountId`, …). */
export type RecordValues = JsonObject;

/** A record as the host returns it: its fields plus the system fields `id`, `version`, `createdAt`, …. */
export interface RecordData extends JsonObject {
  id: string;
}

/** Field name → what is wrong with it, as shown next to the field. */
export type FieldErrors = { readonly [field: string]: string };

export const HOOK_NAMES = [
  'beforeCreate',
  'beforeUpdate',
  'beforeDelete',
  'afterCreate',
  'afterUpdate',
  'afterDelete',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** The filter language of Touchpoint: `{ name: { contains: 'acme' }, and: [...], or: [...] }`. */
export type Filter = JsonObject;

export interface ListOptions {
  filter?: Filter;
  orderBy?: { field: string; direction: 'asc' | 'desc' }[];
  /** Page size; the host caps it. */
  first?: number;
  /** `endCursor` of the previous page. */
  after?: string;
  /** Fields to return (default: every scalar field). */
  fields?: string[];
}

export interface ListPage {
  records: RecordData[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface WriteResult {
  id: string;
  version: number;
}

/**
 * The host API. Each record call is checked against the capabilities the admin granted for this
 * workspace (entity and operation) and counts against the plugin's budget of host calls per request; a
 * refused call rejects with an error whose `code` says why (`FORBIDDEN`, `LIMIT_EXCEEDED`, …).
 */
export interface HostApi {
  records: {
    get(entity: string, id: string, options?: { fields?: string[] }): Promise<RecordData | null>;
    list(entity: string, options?: ListOptions): Promise<ListPage>;
    create(entity: string, values: RecordValues): Promise<WriteResult>;
    update(entity: string, id: string, values: RecordValues): Promise<WriteResult>;
  };
  /** Lines in the workspace's plugin log; each counts as a host call. */
  log: {
    info(message: string, data?: JsonValue): void;
    warn(message: string, data?: JsonValue): void;
    error(message: string, data?: JsonValue): void;
  };
  /** The host's clock at the start of this call: the same value for the whole call. */
  now(): Date;
  /** This plugin's settings in this workspace (read-only). */
  readonly settings: Readonly<JsonObject>;
}

/** What every hook and action is given. */
export interface HookContext {
  plugin: { id: string; version: string };
  workspace: string;
  /** The entity whose record is being written. */
  entity: string;
  hook: HookName;
  /** Who is writing: a user id, `system`, `plugin:<id>`. */
  actor: string;
  host: HostApi;
}

export interface BeforeWriteContext extends HookContext {
  hook: 'beforeCreate' | 'beforeUpdate';
  /** The record id (update only). */
  id?: string;
  /**
   * The values about to be written (on update, only the changed ones). Change them in place; the host
   * checks the result like user input.
   */
  values: RecordValues;
  /** Refuses the write, showing each message next to its field, or one message for the whole record. */
  reject(errors: FieldErrors | string): never;
}

export interface BeforeDeleteContext extends HookContext {
  hook: 'beforeDelete';
  id: string;
  reject(errors: FieldErrors | string): never;
}

/** After the write committed: it cannot be refused any more, only reacted to. */
export interface AfterWriteContext extends HookContext {
  hook: 'afterCreate' | 'afterUpdate' | 'afterDelete';
  id: string;
  /** The record version after the write. */
  version: number;
  /** Fields whose value changed (every given field on create). */
  changed: string[];
  /** When the write happened, ISO 8601. */
  at: string;
}

type Awaitable<T> = T | Promise<T>;

export interface EntityHooks {
  beforeCreate?(ctx: BeforeWriteContext & { hook: 'beforeCreate' }): Awaitable<void>;
  beforeUpdate?(ctx: BeforeWriteContext & { hook: 'beforeUpdate'; id: string }): Awaitable<void>;
  beforeDelete?(ctx: BeforeDeleteContext): Awaitable<void>;
  afterCreate?(ctx: AfterWriteContext & { hook: 'afterCreate' }): Awaitable<void>;
  afterUpdate?(ctx: AfterWriteContext & { hook: 'afterUpdate' }): Awaitable<void>;
  afterDelete?(ctx: AfterWriteContext & { hook: 'afterDelete' }): Awaitable<void>;
}

export interface ActionContext<I = { [name: string]: InputValue | undefined }> {
  plugin: { id: string; version: string };
  workspace: string;
  entity: string;
  action: string;
  actor: string;
  /** The record the action runs against. */
  id: string;
  /** Its values as the host read them for the caller, when the host passes them. */
  record: RecordData | null;
  /** The validated input. */
  input: I;
  host: HostApi;
  /** Refuses the action, with messages for input fields (`{ quantity: 'must be positive' }`) or one message. */
  reject(errors: FieldErrors | string): never;
}

/** A named operation on one record of `entity`, with a typed input; what `run` returns goes to the caller. */
export interface ActionDefinition<S extends InputSpec = InputSpec> {
  entity: string;
  labels?: { en: string; 'zh-CN'?: string };
  description?: string;
  input: S;
  // biome-ignore lint/suspicious/noConfusingVoidType: an action that returns nothing is written without a return
  run(ctx: ActionContext<InputOf<S>>): Awaitable<JsonValue | undefined | void>;
}

/** What a plugin's entry module exports by default, made by `definePlugin`. */
export interface TouchpointPlugin {
  readonly kind: 'touchpoint.plugin';
  readonly apiVersion: 1;
  readonly hooks: { readonly [entity: string]: EntityHooks };
  readonly actions: { readonly [name: string]: ActionDefinition };
}
