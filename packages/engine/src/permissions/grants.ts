// A user's grants: their rights (rights.ts) and principal sets (who they own for, their teams, territories,
// partner company), compiled per entity into the SQL predicate `visibility` adds to every alias a read
// opens. Principal sets are inlined as literal arrays of uuids we read ourselves (never input), so a
// predicate is a plain string, the same for every statement of the request; shares and owners are columns
// read by that SQL, so a share or an owner change counts on the next statement.
import {
  type EntityDefinition,
  type EntitySharing,
  type FieldAccess,
  isUuid,
  type ObjectRight,
  type PermissionModel,
  type SystemPermission,
} from '@touchpoint/schema';
import { ident, qualifiedTable, relationColumn } from '../physical.ts';
import type { QueryCompiler } from '../query/compiler.ts';
import { compileFilter } from '../query/filter.ts';
import { visibility } from '../scope.ts';
import type { Rights } from './rights.ts';

/** The workspace table of manual shares; an entity's table cannot start with `_` (names start with a letter). */
export const SHARE_TABLE = '_record_share';

/** A user's principal sets, read from the workspace's users, teams and territories (see grants-resolver.ts). */
export interface PrincipalSets {
  user: string;
  /** The user and everyone below them in the management and role hierarchies. */
  owners: readonly string[];
  teams: readonly string[];
  /** Territories they own or their teams cover, and every territory below those. */
  territories: readonly string[];
  /** Their partner company, for a partner role. */
  partner: string | null;
  /** The roles whose sharing rules reach them: their roles and every role below. */
  ruleRoles: ReadonlySet<string>;
}

type Mode = 'read' | 'edit';

const PLACEHOLDER = '\u0000';
/** Stands for the alias of the parent row a nested list is read under (see `readUnder`). */
const PARENT_PLACEHOLDER = '\u0001';
/** Parents of `controlledByParent` followed at most this deep (a chain that loops gives nothing past it). */
const MAX_PARENT_DEPTH = 6;

function uuidList(ids: readonly string[]): string {
  return `'{${ids.join(',')}}'::uuid[]`;
}

function inSet(column: string, ids: readonly string[]): string | undefined {
  if (ids.length === 0) return undefined;
  return ids.length === 1 ? `${column} = '${ids[0]}'::uuid` : `${column} = any(${uuidList(ids)})`;
}

function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (Array.isArray(value)) return `array[${value.map(sqlLiteral).join(', ')}]`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.replaceAll("'", "''")}'`;
}

/** Grants of one user in one workspace at one metadata version. Immutable; cached by the resolver. */
export class AccessGrants {
  /** Distinguishes these grants from any other in compiled-statement caches. */
  readonly key: string;
  readonly rights: Rights;
  readonly sets: PrincipalSets;
  readonly #schema: string;
  readonly #entities: ReadonlyMap<string, EntityDefinition>;
  readonly #model: PermissionModel;
  readonly #compiler: QueryCompiler;
  readonly #memo = new Map<string, string | undefined>();

  constructor(
    key: string,
    rights: Rights,
    sets: PrincipalSets,
    metadata: {
      schema: string;
      byName: ReadonlyMap<string, EntityDefinition>;
      model: PermissionModel;
      compiler: QueryCompiler;
    },
  ) {
    this.key = key;
    this.rights = rights;
    this.sets = sets;
    this.#schema = metadata.schema;
    this.#entities = metadata.byName;
    this.#model = metadata.model;
    this.#compiler = metadata.compiler;
  }

  get actor(): string {
    return this.sets.user;
  }

  get roles(): readonly string[] {
    return this.rights.roles;
  }

  hasSystem(permission: SystemPermission): boolean {
    return this.rights.system.has(permission);
  }

  can(entity: string, right: ObjectRight): boolean {
    return this.rights.objects.get(entity)?.[right] === true;
  }

  field(entity: string, field: string): FieldAccess {
    return this.rights.fields.get(entity)?.get(field) ?? 'editable';
  }

  /** The hidden fields of an entity (for the GraphQL schema and the CRM's own reads). */
  hiddenFields(entity: string): string[] {
    return [...(this.rights.fields.get(entity) ?? new Map())].filter(([, a]) => a === 'hidden').map(([f]) => f);
  }

  /**
   * The rights as the API's `viewer.permissions` gives them: system permissions, object rights of every
   * entity, and per entity the fields that are not editable.
   */
  describe(): {
    system: SystemPermission[];
    objects: Record<string, Record<ObjectRight, boolean>>;
    fields: Record<string, Record<string, 'hidden' | 'readOnly'>>;
  } {
    return {
      system: [...this.rights.system],
      objects: Object.fromEntries(this.rights.objects),
      fields: Object.fromEntries(
        [...this.rights.fields].map(([entity, fields]) => [entity, Object.fromEntries(fields)]),
      ),
    };
  }

  /** What the user's fields look like, for schema caches: equal for users who see the same fields. */
  get fieldSignature(): string {
    const parts: string[] = [];
    for (const [entity, rights] of this.rights.objects) if (!rights.read) parts.push(`-${entity}`);
    for (const [entity, fields] of this.rights.fields) {
      for (const [field, access] of fields) parts.push(`${entity}.${field}:${access[0]}`);
    }
    return parts.sort().join(',');
  }

  /** The condition on `alias` (a row of `entity`) for reading it; undefined: every row. */
  read(entity: string, alias: string): string | undefined {
    return this.#cached(entity, 'read', alias);
  }

  /**
   * The condition on `alias` (a row of `entity`) for reading it in a to-many list nested under `parentAlias`,
   * whose rows hold the parent's id in `column`. `parentAlias` MUST be a row of `parentEntity` that these
   * grants already let the statement read (the compiler filters every alias it opens with `read`). When
   * `entity` is `controlledByParent` by exactly that relation, its "the parent is readable" part is then
   * already true but for the parent's liveness (a list of deleted records reads deleted parents), so it
   * becomes that column test instead of a subquery over every readable parent (a scan of the parent's
   * table per statement). Every other part stays as in `read`; nothing else is relaxed.
   */
  readUnder(
    entity: string,
    alias: string,
    via: { parentEntity: string; parentAlias: string; column: string },
  ): string | undefined {
    const key = `read:${entity}:${via.parentEntity}.${via.column}`;
    let template: string | undefined;
    if (this.#memo.has(key)) template = this.#memo.get(key);
    else {
      template = this.#predicate(entity, 'read', PLACEHOLDER, 0, via);
      this.#memo.set(key, template);
    }
    return template?.replaceAll(PLACEHOLDER, alias).replaceAll(PARENT_PLACEHOLDER, via.parentAlias);
  }

  /** The condition on `alias` for changing it (update, delete, restore); undefined: every row. */
  edit(entity: string, alias: string): string | undefined {
    return this.#cached(entity, 'edit', alias);
  }

  #cached(entity: string, mode: Mode, alias: string): string | undefined {
    const key = `${mode}:${entity}`;
    let template: string | undefined;
    if (this.#memo.has(key)) template = this.#memo.get(key);
    else {
      template = this.#predicate(entity, mode, PLACEHOLDER, 0);
      this.#memo.set(key, template);
    }
    return template?.replaceAll(PLACEHOLDER, alias);
  }

  /** An entity the sharing settings do not list is public read/write (its object rights still apply). */
  #sharing(entity: EntityDefinition): EntitySharing {
    return this.#model.sharing.entities[entity.name] ?? { default: 'publicReadWrite' };
  }

  #relationField(entity: EntityDefinition, name: string | undefined, target?: string): string | undefined {
    if (name === undefined) return undefined;
    const field = entity.fields.find((f) => f.name === name);
    if (field?.relation?.kind !== 'manyToOne') return undefined;
    if (target !== undefined && field.relation.target !== target) return undefined;
    return relationColumn(field);
  }

  #predicate(
    entityName: string,
    mode: Mode,
    alias: string,
    depth: number,
    via?: { parentEntity: string; column: string },
  ): string | undefined {
    const entity = this.#entities.get(entityName);
    if (!entity || !this.can(entityName, 'read')) return 'false';
    if (mode === 'edit' && !this.can(entityName, 'edit')) return 'false';
    const { partner } = this.rights;
    if (!partner && (this.can(entityName, 'modifyAll') || (mode === 'read' && this.can(entityName, 'viewAll')))) {
      return undefined;
    }
    const sharing = this.#sharing(entity);
    const ownerColumn = this.#relationField(
      entity,
      sharing.ownerField ?? (entity.fields.some((f) => f.name === 'owner') ? 'owner' : undefined),
      'user',
    );
    const col = (column: string) => `${alias}.${ident(column)}`;
    const ors: (string | undefined)[] = [];
    // Reference data (pipelines, products, price books, users…: a setting that names no owner, partner or
    // parent field and is not `private`) follows the organisation-wide default for partner users too.
    const setting = this.#model.sharing.entities[entityName];
    const reference =
      !setting || (setting.default !== 'private' && !setting.ownerField && !setting.partnerField && !setting.parent);
    const open = sharing.default === 'publicReadWrite' || (sharing.default === 'publicRead' && mode === 'read');
    if (partner && !(reference && open)) {
      const partnerColumn = this.#relationField(
        entity,
        sharing.partnerField ?? (entity.fields.some((f) => f.name === 'partner') ? 'partner' : undefined),
        'partner',
      );
      if (ownerColumn) ors.push(inSet(col(ownerColumn), [this.sets.user]));
      if (this.sets.partner) {
        if (partnerColumn) ors.push(inSet(col(partnerColumn), [this.sets.partner]));
        if (entityName === 'partner') ors.push(inSet(col('id'), [this.sets.partner]));
      }
      ors.push(this.#shares(entityName, alias, mode, [this.sets.user], [], depth));
      return this.#or(ors);
    }
    if (sharing.default === 'publicReadWrite') return undefined;
    if (sharing.default === 'publicRead' && mode === 'read') return undefined;
    if (ownerColumn) ors.push(inSet(col(ownerColumn), this.sets.owners));
    const teamColumn = this.#relationField(entity, sharing.teamField, 'team');
    if (teamColumn) ors.push(inSet(col(teamColumn), this.sets.teams));
    const territoryColumn = this.#relationField(entity, sharing.territoryField, 'territory');
    if (territoryColumn) ors.push(inSet(col(territoryColumn), this.sets.territories));
    ors.push(this.#shares(entityName, alias, mode, this.sets.owners, this.sets.teams, depth));
    for (const rule of this.#model.sharing.rules) {
      if (rule.entity !== entityName || !this.sets.ruleRoles.has(rule.role)) continue;
      if (mode === 'edit' && rule.access !== 'edit') continue;
      ors.push(this.#rule(rule.entity, rule.condition, alias, depth));
    }
    if (sharing.default === 'controlledByParent' && sharing.parent) {
      const field = entity.fields.find((f) => f.name === sharing.parent);
      const target = field?.relation?.kind === 'manyToOne' ? this.#entities.get(field.relation.target) : undefined;
      if (
        field &&
        target &&
        via !== undefined &&
        via.parentEntity === target.name &&
        via.column === relationColumn(field)
      ) {
        // Read under a parent row the statement may already read (`readUnder`): readable while it is live.
        // First, so PostgreSQL's left-to-right `or` usually stops there.
        ors.unshift(visibility(target, PARENT_PLACEHOLDER));
      } else if (field && target && depth < MAX_PARENT_DEPTH) {
        const p = `tpg${depth}`;
        const inner = this.#predicate(target.name, mode, p, depth + 1);
        // The parent must be live, like a direct read of it: a soft-deleted parent opens none of its children.
        // Uncorrelated, so PostgreSQL hashes the parents' ids once per statement. Kept as `in`: as
        // `= any(array(…))` a rep's contact count fell 23 → 13 ms but a manager's (every parent) rose
        // 19 → 30 ms at 20k accounts (docs/architecture.md).
        if (inner !== 'false') {
          const live = visibility(target, p);
          ors.push(
            `${col(relationColumn(field))} in (select ${p}."id" from ${qualifiedTable(this.#schema, target)} ${p} where ${inner === undefined ? live : `${live} and ${inner}`})`,
          );
        }
      }
    }
    return this.#or(ors);
  }

  #or(parts: (string | undefined)[]): string {
    const present = parts.filter((p): p is string => p !== undefined);
    if (present.length === 0) return 'false';
    return present.length === 1 ? present[0]! : `(${present.join(' or ')})`;
  }

  #shares(
    entity: string,
    alias: string,
    mode: Mode,
    users: readonly string[],
    teams: readonly string[],
    depth: number,
  ): string | undefined {
    const s = `tps${depth}`;
    const who = [inSet(`${s}.user_id`, users), inSet(`${s}.team_id`, teams)].filter(Boolean);
    if (who.length === 0) return undefined;
    // `= any(array(…))`: the shares are read once per statement (an InitPlan) and the test is an index
    // condition, so an `or` of owner, team, territory, shares and rules can be a BitmapOr of index scans
    // instead of a sequential scan (docs/architecture.md).
    return `${alias}."id" = any(array(select ${s}.record_id from ${ident(this.#schema)}.${ident(SHARE_TABLE)} ${s} where ${s}.entity = '${entity}'${mode === 'edit' ? ` and ${s}.access = 'edit'` : ''} and ${who.length === 1 ? who[0] : `(${who.join(' or ')})`}))`;
  }

  /** A sharing rule's condition on `alias`: the API filter compiled once, its values inlined as literals. */
  #rule(entity: string, condition: Record<string, unknown>, alias: string, depth: number): string | undefined {
    try {
      const { sql, params } = compileFilter(this.#compiler, entity, condition as never, { alias: 'tp_rule' });
      // The filter's own aliases (tp0, tp1…) are renamed so they cannot shadow the caller's.
      const renamed = sql.replace(/\btp(\d+)\b/g, `tpr${depth}_$1`);
      const inlined = renamed.replace(/\$(\d+)/g, (_, n: string) => sqlLiteral(params[Number(n) - 1]));
      return `(${inlined.replaceAll('tp_rule.', `${alias}.`)})`;
    } catch {
      // A rule whose condition no longer compiles (a field was removed) opens nothing.
      return undefined;
    }
  }
}

export function isUserActor(actor: string): boolean {
  return isUuid(actor);
}
