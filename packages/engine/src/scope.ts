// The one read scope: every SQL read of workspace records — the query compiler's, the CRM's own statements,
// the passthrough's — takes its rows through `visibility` (a WHERE predicate for a table alias) or through a
// `ScopedReader` (a FROM item that carries that predicate inside). Today the predicate hides soft-deleted
// rows; the permissions issue adds the actor's grants to the same function, so no report can forget them.
// Reads that deliberately see deleted rows (restore, history backfill) say so with `{ includeDeleted: true }`,
// which keeps the exception visible and greppable.
import type { EntityDefinition } from '@touchpoint/schema';
import { TouchpointError } from '@touchpoint/schema';
import type { Sql } from './db.ts';
import type { WorkspaceMetadata } from './engine.ts';
import type { AccessGrants } from './permissions/grants.ts';
import { ident, qualifiedTable, SYSTEM_COLUMNS } from './physical.ts';

/** Who reads, in which workspace. Travels with every read of records. */
export interface RequestScope {
  workspace: string;
  /** Who acts: a user id, `system`, `plugin:<id>`. */
  actor: string;
  /**
   * The actor's grants (permissions/grants.ts), which `visibility` turns into SQL. The engine fills them for a
   * user actor (`engine.reader`, the record service) from its cache; `system`, `cli` and `plugin:<id>` acting
   * for nobody have none and see every live record.
   */
  grants?: AccessGrants;
  /**
   * The caller checked the actor's permission for this work itself (an administrator adding users, making
   * a workspace): the actor is recorded as usual, but no grants apply. Never set from request input.
   */
  fullAccess?: boolean;
  /**
   * The user an actor acting for nobody works for (a plugin's host calls during a user's request): the
   * grants are that user's, the actor stays the one recorded.
   */
  onBehalfOf?: string;
}

export interface VisibilityOptions {
  /** Also the soft-deleted rows: for restore, trash and history maintenance, never for ordinary reads. */
  includeDeleted?: boolean;
  /**
   * The rows are a to-many list nested under `parentAlias`, a row of `parentEntity` the same grants already
   * filter, linked by the child's `column` (see `AccessGrants.readUnder`).
   */
  under?: { parentEntity: string; parentAlias: string; column: string };
}

const DELETED_AT = ident(SYSTEM_COLUMNS.deletedAt);

/**
 * The condition a row of `entity` under `alias` must meet to be read: `<alias>."deleted_at" is null` (the
 * predicate of the partial indexes the migration planner makes; dropped with `includeDeleted`) and, with
 * grants, the user's record access compiled into SQL (owners, teams, territories, shares, rules, parents:
 * see `AccessGrants.read`). A plain string built per alias, memoised per entity in the grants.
 */
export function visibility(
  entity: Pick<EntityDefinition, 'name'>,
  alias: string,
  options?: VisibilityOptions,
  grants?: AccessGrants,
): string {
  const live = options?.includeDeleted ? undefined : `${alias}.${DELETED_AT} is null`;
  const access = options?.under
    ? grants?.readUnder(entity.name, alias, options.under)
    : grants?.read(entity.name, alias);
  if (live && access) return `${live} and ${access}`;
  return live ?? access ?? 'true';
}

/** FORBIDDEN naming the entity when the grants give no `read` on it at all. */
export function assertReadable(entity: string, grants: AccessGrants | undefined): void {
  if (grants && !grants.can(entity, 'read')) {
    throw new TouchpointError('FORBIDDEN', `You may not read ${entity} records.`, {
      details: { entity, right: 'read' },
      issues: [
        { path: 'entity', message: `your roles (${grants.roles.join(', ') || 'none'}) give no read on ${entity}` },
      ],
    });
  }
}

/** The alias of the table inside a `ScopedReader.from` item; the caller's own alias goes outside. */
const INNER = 'tp_visible';

/**
 * Reads of one request: the workspace's records as its scope may see them, and a runner for the statements
 * built from them. Obtained from `engine.reader(scope)`; `within(tx)` runs the same reads in a transaction.
 *
 *   const r = await engine.reader({ workspace: 'default', actor: userId });
 *   await r.query(`select a.id from ${r.from(account)} a where a.name = $1`, ['Acme']);
 */
export class ScopedReader {
  readonly scope: RequestScope;
  readonly metadata: WorkspaceMetadata;
  readonly #sql: Sql & { queryGeneric?: Sql['query'] };

  constructor(sql: Sql & { queryGeneric?: Sql['query'] }, metadata: WorkspaceMetadata, scope: RequestScope) {
    this.#sql = sql;
    this.metadata = metadata;
    this.scope = scope;
  }

  /**
   * A FROM item of the rows of `entity` the scope may read: `(select * from "ws"."account" tp_visible where
   * <visibility>)`. Give it an alias (`${r.from(account)} a`). PostgreSQL pulls such a subquery up into the
   * outer statement, so the plan is the one of the bare table with the predicate written beside it. With
   * `includeDeleted` it is the bare table.
   */
  from(entity: Pick<EntityDefinition, 'name'>, options?: VisibilityOptions): string {
    const table = qualifiedTable(this.metadata.workspace.schemaName, entity);
    if (options?.includeDeleted && !this.scope.grants) return table;
    return `(select * from ${table} ${INNER} where ${visibility(entity, INNER, options, this.scope.grants)})`;
  }

  /** The predicate for an alias, for the few statements that must name the bare table (see `from`). */
  visible(entity: Pick<EntityDefinition, 'name'>, alias: string, options?: VisibilityOptions): string {
    return visibility(entity, alias, options, this.scope.grants);
  }

  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#sql.query<T>(text, params);
  }

  /** With a generic plan kept per connection where the database offers it (see `Database.queryGeneric`). */
  queryGeneric<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#sql.queryGeneric ? this.#sql.queryGeneric<T>(text, params) : this.#sql.query<T>(text, params);
  }

  /** The same scope, its statements run by `sql` (a transaction's). */
  within(sql: Sql): ScopedReader {
    return new ScopedReader(sql, this.metadata, this.scope);
  }
}
