// The host API plugins reach (`ctx.host.records`), over the engine's record service acting as
// `plugin:<id>`: every read and write a plugin makes passes the same validation, hooks and events as a
// user's. Plugins see relations by their input names (`accountId`, `tagIds`), as in the GraphQL API.
import {
  type Engine,
  MAX_FIRST,
  type RecordService,
  type RequestContext,
  type Selection,
  type WorkspaceMetadata,
  withAbortSignal,
} from '@touchpoint/engine';
import { describeGrants, type HostApi, type HostCall, type JsonObject } from '@touchpoint/sandbox';
import { type EntityDefinition, type FieldDefinition, singularize, TouchpointError } from '@touchpoint/schema';
import { Reach } from './reach.ts';

const SYSTEM_FIELDS = ['id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy'];
const DEFAULT_PAGE = 50;

/** The name a plugin uses for a field: `accountId` for a many-to-one, `tagIds` for a many-to-many. */
export function pluginFieldName(entity: EntityDefinition, field: FieldDefinition): string {
  if (field.type !== 'relation') return field.name;
  if (field.relation?.kind !== 'manyToMany') return `${field.name}Id`;
  const singular = `${singularize(field.name)}Ids`;
  const clash = entity.fields.some((f) => f !== field && (f.name === singular || `${f.name}Id` === singular));
  return clash ? `${field.name}Ids` : singular;
}

/** Engine values (`account`) → what a plugin sees (`accountId`). */
export function toPluginValues(entity: EntityDefinition, values: Record<string, unknown>): JsonObject {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const field = entity.fields.find((f) => f.name === name);
    out[field ? pluginFieldName(entity, field) : name] = value;
  }
  return JSON.parse(JSON.stringify(out)) as JsonObject;
}

/** What a plugin gives (`accountId`) → engine values (`account`); unknown names pass on to be refused there. */
export function fromPluginValues(entity: EntityDefinition, values: JsonObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const field = entity.fields.find((f) => f.type === 'relation' && pluginFieldName(entity, f) === key);
    out[field ? field.name : key] = value;
  }
  return out;
}

/** Field names as a plugin knows them (`account`, `accountId`) → the engine's (`account`). */
export function fromPluginNames(entity: EntityDefinition, names: readonly string[]): string[] {
  return names.map(
    (n) => entity.fields.find((f) => f.type === 'relation' && pluginFieldName(entity, f) === n)?.name ?? n,
  );
}

/** A record as plugins read it: system fields, every stored and computed field, many-to-one ids. */
export function recordSelection(entity: EntityDefinition, fields?: readonly string[]): Selection {
  if (fields) return { fields: [...new Set(['id', ...fields])], relations: [] };
  const names = [...SYSTEM_FIELDS];
  for (const field of entity.fields) {
    if (field.type !== 'relation') names.push(field.name);
    else if (field.relation?.kind === 'manyToOne') names.push(`${field.name}Id`);
  }
  return { fields: names, relations: [] };
}

function mayRead(call: HostCall, entity: string): boolean {
  return call.grants?.get(entity)?.has('read') ?? false;
}

/** Refuses, before it runs, a read whose filter, sort or selection reaches an entity the plugin may not read. */
function checkReach(call: HostCall, reach: Reach): void {
  for (const [entity, path] of reach.reached) {
    if (mayRead(call, entity)) continue;
    const granted = call.grants ? describeGrants(call.grants) : 'it was granted no record access';
    throw new TouchpointError(
      'FORBIDDEN',
      `plugin ${call.plugin} may not read ${entity} records in workspace ${call.workspace}, which ${path} reaches (it needs read on ${entity}); ${granted}`,
      { details: { plugin: call.plugin, entity, capability: 'read', path } },
    );
  }
}

/**
 * What a plugin reads of a record: the fields it names (each checked), or every field it may see — a
 * roll-up over an entity it may not read is left out rather than refused.
 */
function pluginSelection(
  metadata: WorkspaceMetadata,
  call: HostCall,
  entity: EntityDefinition,
  fields: readonly string[] | undefined,
  reach: Reach,
): Selection {
  if (fields) {
    reach.fields(entity, fields, 'fields');
    return recordSelection(entity, fields);
  }
  const selection = recordSelection(entity);
  const hidden = entity.fields.filter((field) => {
    const own = new Reach(metadata);
    own.field(entity, field, field.name);
    return [...own.reached.keys()].some((e) => !mayRead(call, e));
  });
  if (hidden.length === 0) return selection;
  const names = new Set(hidden.map((f) => f.name));
  return { ...selection, fields: selection.fields.filter((f) => !names.has(f)) };
}

/** What the host functions did for one plugin in one workspace (counted here, below the sandbox's gate). */
export interface HostCallUsage {
  /** Host functions started (each reads or writes the database). */
  started: number;
  /** Running now. */
  running: number;
  /** The most that ran at once. */
  peak: number;
}

/**
 * Refuses to start work for a host call whose hook or action call already ended. Reads running then are
 * cancelled by the engine (`withAbortSignal`); a write is let finish, so it commits or rolls back whole.
 */
function checkNotEnded(call: HostCall): void {
  const reason: unknown = call.signal?.aborted ? call.signal.reason : undefined;
  if (reason === undefined) return;
  if (reason instanceof TouchpointError) throw reason;
  throw new TouchpointError('PLUGIN_FAILED', `plugin ${call.plugin}: the call that made this host call has ended`);
}

export class RecordsBridge {
  readonly #engine: Engine;
  readonly #usage = new Map<string, HostCallUsage>();

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Host calls of a plugin in a workspace that reached the record service (zeros when none did). */
  usage(workspace: string, plugin: string): HostCallUsage {
    return { ...(this.#usage.get(`${workspace}\u0000${plugin}`) ?? { started: 0, running: 0, peak: 0 }) };
  }

  /** Runs one host function, counted; it starts no statement once the plugin's call ended, and its reads stop then. */
  async #counted<T>(call: HostCall, work: () => Promise<T>, read = false): Promise<T> {
    checkNotEnded(call);
    const key = `${call.workspace}\u0000${call.plugin}`;
    const usage = this.#usage.get(key) ?? { started: 0, running: 0, peak: 0 };
    this.#usage.set(key, usage);
    usage.started++;
    usage.running++;
    usage.peak = Math.max(usage.peak, usage.running);
    try {
      // A read is cancelled in PostgreSQL when the plugin's call ends. Not a write: the hooks and after-hooks
      // it runs (of any plugin) must not inherit the signal, and it commits or rolls back whole anyway.
      return await (read && call.signal ? withAbortSignal(call.signal, work) : work());
    } finally {
      usage.running--;
    }
  }

  /**
   * The record service a plugin call acts through, as `plugin:<id>`, in the effect chain of that call: the
   * hooks its writes run are charged to the same chain, and (with `call.request`, the chain's root) to the
   * same host-call budget as the request that started it.
   */
  recordsFor(call: HostCall): RecordService {
    const context: RequestContext = {
      workspace: call.workspace,
      actor: `plugin:${call.plugin}`,
      // On behalf of the user who caused the call: the plugin reads and writes only what they may.
      ...(call.actor ? { onBehalfOf: call.actor } : {}),
      channel: 'plugin',
      ...(call.effects ? { effects: call.effects } : {}),
    };
    return this.#engine.records(context);
  }

  hostApi(): HostApi {
    return {
      records: {
        get: (call, entityName, id, options) =>
          this.#counted(
            call,
            async () => {
              const records = this.recordsFor(call);
              const { metadata, entity } = await records.entity(entityName);
              const reach = new Reach(metadata);
              const selection = pluginSelection(metadata, call, entity, options.fields, reach);
              checkReach(call, reach);
              checkNotEnded(call);
              return (await records.get(entityName, id, selection)) as JsonObject | null;
            },
            true,
          ),
        list: (call, entityName, options) =>
          this.#counted(
            call,
            async () => {
              const records = this.recordsFor(call);
              const { metadata, entity } = await records.entity(entityName);
              const reach = new Reach(metadata);
              if (options.filter) reach.filter(entityName, options.filter, 'filter');
              if (options.orderBy)
                reach.fields(
                  entity,
                  options.orderBy.map((o) => o.field),
                  'orderBy',
                );
              const selection = pluginSelection(metadata, call, entity, options.fields, reach);
              checkReach(call, reach);
              checkNotEnded(call);
              const result = await records.list({
                entity: entityName,
                selection,
                first: Math.min(options.first ?? DEFAULT_PAGE, MAX_FIRST),
                ...(options.filter ? { filter: options.filter } : {}),
                ...(options.orderBy ? { orderBy: options.orderBy } : {}),
                ...(options.after ? { after: options.after } : {}),
              });
              return {
                records: result.nodes.map(({ __cursor: _, ...rest }) => rest as JsonObject),
                hasNextPage: result.pageInfo.hasNextPage,
                endCursor: result.pageInfo.endCursor,
              };
            },
            true,
          ),
        create: (call, entityName, values) =>
          this.#counted(call, async () => {
            const records = this.recordsFor(call);
            const { entity } = await records.entity(entityName);
            checkNotEnded(call);
            return records.create(entityName, fromPluginValues(entity, values));
          }),
        update: (call, entityName, id, values) =>
          this.#counted(call, async () => {
            const records = this.recordsFor(call);
            const { entity } = await records.entity(entityName);
            checkNotEnded(call);
            return records.update(entityName, id, fromPluginValues(entity, values));
          }),
      },
    };
  }
}
