// The query compiler of one workspace at one metadata version: built once per version, then asked to
// compile reads into SQL. It holds no connection; the functions in list.ts and aggregate.ts run what it makes.
import type { EntityDefinition } from '@touchpoint/schema';
import { validationFailed } from '@touchpoint/schema';
import type { AccessGrants } from '../permissions/grants.ts';
import { type CompiledAggregate, compileAggregate } from './aggregate.ts';
import type { Statement } from './context.ts';
import { type CompiledList, compileGet, compileGetMany, compileList, type GetOptions } from './list.ts';
import { buildModel, type EntityModel } from './model.ts';
import type { AggregateRequest, ListRequest, Selection } from './types.ts';

export interface QueryCompilerOptions {
  /** IANA time zone that decides what "today" or "this month" means in date filters; default UTC. */
  timeZone?: string;
  /** The present as a SQL timestamptz expression (the engine's clock); default the database's `now()`. */
  now?: string;
}

/** Compiled list statements kept per compiler: enough for the shapes an app's screens ask for. */
const LIST_CACHE_SIZE = 500;

export class QueryCompiler {
  /** The workspace's PostgreSQL schema, e.g. `ws_default`. */
  readonly schema: string;
  readonly timeZone: string;
  /** The present in SQL: relative dates compare with it when the statement runs, so cached SQL stays true. */
  readonly now: string;
  readonly #entities: Map<string, EntityModel>;
  /**
   * Lists compiled before, by request. A compiler belongs to one metadata version and compiling is a pure
   * function of the request (relative dates are left to the present in SQL, read when the statement runs), so an entry never goes stale;
   * the least recently used one leaves when the cache is full.
   */
  readonly #lists = new Map<string, CompiledList>();

  constructor(entities: EntityDefinition[], schema: string, options: QueryCompilerOptions = {}) {
    this.schema = schema;
    this.timeZone = options.timeZone ?? 'UTC';
    this.now = options.now ?? 'now()';
    try {
      // PostgreSQL and ICU share the IANA names; checking here beats a database error in the first date filter.
      new Intl.DateTimeFormat('en', { timeZone: this.timeZone });
    } catch {
      throw validationFailed('Unknown time zone', [
        { path: 'timeZone', message: `${this.timeZone} is not an IANA time zone such as Asia/Shanghai` },
      ]);
    }
    this.#entities = buildModel(entities, schema);
  }

  /** The read model of an entity; an unknown name → VALIDATION_FAILED at `path` listing the entities. */
  entityModel(name: string, path = 'entity'): EntityModel {
    const model = this.#entities.get(name);
    if (!model) {
      throw validationFailed('Unknown entity', [
        { path, message: `${String(name)} is not an entity`, allowed: [...this.#entities.keys()] },
      ]);
    }
    return model;
  }

  /** The list's statements; callers must not change what it returns (it may be shared with other requests). */
  compileList(req: ListRequest, grants?: AccessGrants): CompiledList {
    return this.#cachedList(req, false, grants);
  }

  /** The statement of `listJson`: the page's nodes as JSON text, no look-ahead row, no cursors. */
  compileListJson(req: ListRequest, grants?: AccessGrants): CompiledList {
    if (req.withTotalCount) {
      throw validationFailed('The list request is not valid', [
        { path: 'withTotalCount', message: 'is not available when the nodes are returned as JSON text' },
      ]);
    }
    return this.#cachedList(req, true, grants);
  }

  #cachedList(req: ListRequest, json: boolean, grants: AccessGrants | undefined): CompiledList {
    let key: string;
    try {
      // Grants are part of the key: the same request compiles to another predicate for another user.
      key = `${json ? 'json' : 'rows'}:${grants?.key ?? ''}:${JSON.stringify(req)}`;
    } catch {
      // Not JSON (a BigInt, a cycle): compiling reports what is wrong with it.
      return compileList(this, req, json, grants);
    }
    const cached = this.#lists.get(key);
    if (cached) {
      this.#lists.delete(key);
      this.#lists.set(key, cached);
      return cached;
    }
    const compiled = compileList(this, req, json, grants);
    if (this.#lists.size >= LIST_CACHE_SIZE) this.#lists.delete(this.#lists.keys().next().value!);
    this.#lists.set(key, compiled);
    return compiled;
  }

  compileGet(entity: string, id: string, selection: Selection, opts?: GetOptions): Statement {
    return compileGet(this, entity, id, selection, opts);
  }

  compileGetMany(entity: string, ids: readonly string[], selection: Selection, opts?: GetOptions): Statement {
    return compileGetMany(this, entity, ids, selection, opts);
  }

  compileAggregate(req: AggregateRequest, grants?: AccessGrants): CompiledAggregate {
    return compileAggregate(this, req, grants);
  }
}
