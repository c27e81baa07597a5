// The permission oracle of the leak and write tests: which records and fields a user must see, computed
// from first principles with our own SQL over the workspace's tables (recursive CTEs over `user.manager` and
// `territory.parentTerritory`, the role hierarchy from the role definitions, teams, territories, the manual
// shares the test made, the sharing rules' conditions) — written from the Semantics section of issue 12, not
// from the engine's predicate, so the two can disagree and the test can fail.
import type { EntityDefinition, PermissionModel, RoleDefinition, SharingRule } from '@touchpoint/schema';
import { snakeCase } from '@touchpoint/schema';
import type pg from 'pg';

export type Right = 'read' | 'create' | 'edit' | 'delete' | 'restore' | 'export' | 'viewAll' | 'modifyAll';
export type Level = 'hidden' | 'readOnly' | 'editable';

/** A manual share the test made (and did not revoke). */
export interface Share {
  entity: string;
  recordId: string;
  userId?: string;
  teamId?: string;
  access: 'read' | 'edit';
}

export interface Actor {
  id: string;
  roles: string[];
}

const RANK: Record<Level, number> = { hidden: 0, readOnly: 1, editable: 2 };

export class PermissionOracle {
  readonly roles: Map<string, RoleDefinition>;
  readonly #entities: Map<string, EntityDefinition>;
  readonly model: PermissionModel;
  readonly db: pg.Client | pg.Pool;
  readonly schema: string;
  readonly shares: Share[];

  constructor(
    model: PermissionModel,
    entities: readonly EntityDefinition[],
    db: pg.Client | pg.Pool,
    schema: string,
    shares: Share[],
  ) {
    this.model = model;
    this.db = db;
    this.schema = schema;
    this.shares = shares;
    this.roles = new Map(model.roles.map((r) => [r.name, r]));
    this.#entities = new Map(entities.map((e) => [e.name, e]));
  }

  entity(name: string): EntityDefinition {
    const e = this.#entities.get(name);
    if (!e) throw new Error(`no entity ${name}`);
    return e;
  }

  table(entity: string): string {
    return `"${this.schema}"."${snakeCase(entity)}"`;
  }

  /** The right of one role on an entity: its own entry for the entity, else `'*'`. */
  roleRight(role: string, entity: string, right: Right): boolean {
    const r = this.roles.get(role);
    if (!r) return false;
    const rights = r.objects[entity] ?? r.objects['*'];
    return rights?.[right] === true;
  }

  right(actor: Actor, entity: string, right: Right): boolean {
    return actor.roles.some((role) => this.roleRight(role, entity, right));
  }

  isPartner(actor: Actor): boolean {
    return actor.roles.some((r) => this.roles.get(r)?.partner === true);
  }

  /** Roles strictly below `role` (whose reportsTo chain reaches it). */
  rolesBelow(role: string): Set<string> {
    const below = new Set<string>();
    for (const r of this.roles.values()) {
      let next = r.reportsTo;
      const seen = new Set<string>();
      while (next !== undefined && !seen.has(next)) {
        if (next === role) below.add(r.name);
        seen.add(next);
        next = this.roles.get(next)?.reportsTo;
      }
    }
    return below;
  }

  /** A rule for role R applies to holders of R and of every role above R. */
  ruleApplies(actor: Actor, rule: SharingRule): boolean {
    return actor.roles.some((role) => role === rule.role || this.rolesBelow(role).has(rule.role));
  }

  /** Field access: most permissive over the roles that can read the entity; a relation to an unreadable target is hidden. */
  fieldLevel(actor: Actor, entity: string, field: string): Level {
    const definition = this.entity(entity);
    const f = definition.fields.find((x) => x.name === field);
    if (f?.type === 'relation' && f.relation && !this.right(actor, f.relation.target, 'read')) return 'hidden';
    let best: Level | undefined;
    for (const role of actor.roles) {
      if (!this.roleRight(role, entity, 'read')) continue;
      const level = this.roles.get(role)?.fields?.[entity]?.[field] ?? 'editable';
      if (best === undefined || RANK[level] > RANK[best]) best = level;
    }
    return best ?? 'hidden';
  }

  hiddenFields(actor: Actor, entity: string): string[] {
    return this.entity(entity)
      .fields.filter((f) => this.fieldLevel(actor, entity, f.name) === 'hidden')
      .map((f) => f.name);
  }

  /**
   * Reference data (pipelines, products, price books, users…): no sharing setting, or one that names no owner,
   * partner or parent field and is not `private`. Partner users follow its organisation-wide default too.
   */
  referenceData(entity: string): boolean {
    const setting = this.model.sharing.entities[entity];
    return (
      !setting || (setting.default !== 'private' && !setting.ownerField && !setting.partnerField && !setting.parent)
    );
  }

  sharing(entity: string) {
    const s = this.model.sharing.entities[entity];
    const definition = this.entity(entity);
    const relationTo = (name: string | undefined, target: string) =>
      name !== undefined &&
      definition.fields.some((f) => f.name === name && f.relation?.kind === 'manyToOne' && f.relation.target === target)
        ? name
        : undefined;
    return {
      default: s?.default ?? 'publicReadWrite',
      parent: s?.parent,
      ownerField: relationTo(s?.ownerField ?? 'owner', 'user'),
      teamField: relationTo(s?.teamField, 'team'),
      territoryField: relationTo(s?.territoryField, 'territory'),
      partnerField: relationTo(s?.partnerField ?? 'partner', 'partner'),
    };
  }

  async #ids(sql: string, params: unknown[]): Promise<string[]> {
    return (await this.db.query<{ id: string }>(sql, params)).rows.map((r) => r.id);
  }

  /** {u} ∪ everyone below u by `user.manager` (transitive) ∪ every holder of a role strictly below one of u's roles. */
  async owners(actor: Actor, roleHolders: Map<string, string[]>): Promise<string[]> {
    const users = await this.#ids(
      `with recursive below(id) as (
         select $1::uuid
         union
         select u.id from ${this.table('user')} u join below b on u.manager_id = b.id where u.deleted_at is null
       ) select id::text from below`,
      [actor.id],
    );
    const set = new Set(users);
    for (const role of actor.roles) {
      for (const lower of this.rolesBelow(role)) for (const id of roleHolders.get(lower) ?? []) set.add(id);
    }
    return [...set];
  }

  /** Teams u is a member of (`user.team`) or manages (`team.manager`). */
  async teams(actor: Actor): Promise<string[]> {
    return this.#ids(
      `select t.id::text as id from ${this.table('team')} t where t.deleted_at is null and
         (t.manager_id = $1 or t.id = (select u.team_id from ${this.table('user')} u where u.id = $1 and u.deleted_at is null))`,
      [actor.id],
    );
  }

  /** Territories u owns or whose team u belongs to, and every territory below them. */
  async territories(actor: Actor, teams: string[]): Promise<string[]> {
    return this.#ids(
      `with recursive t(id) as (
         select x.id from ${this.table('territory')} x where x.deleted_at is null and x.owner_id = $1
         union select tm.territory_id from ${this.table('team')} tm where tm.id = any($2::uuid[]) and tm.territory_id is not null
         union select c.id from ${this.table('territory')} c join t on c.parent_territory_id = t.id where c.deleted_at is null
       ) select id::text from t`,
      [actor.id, teams],
    );
  }

  async partnerOf(actor: Actor): Promise<string | null> {
    const user = this.entity('user');
    if (!user.fields.some((f) => f.name === 'partner')) return null;
    const rows = await this.db.query<{ p: string | null }>(
      `select partner_id::text as p from ${this.table('user')} where id = $1`,
      [actor.id],
    );
    return rows.rows[0]?.p ?? null;
  }

  /** A rule's condition as SQL over alias `t`: `{ field: { eq | in | ne: … } }`, `and`, `or` — what the tests use. */
  conditionSql(entity: string, condition: Record<string, unknown>, params: unknown[]): string {
    const parts: string[] = [];
    for (const [key, value] of Object.entries(condition)) {
      if (key === 'and' || key === 'or') {
        const items = (value as Record<string, unknown>[]).map((c) => `(${this.conditionSql(entity, c, params)})`);
        parts.push(`(${items.join(key === 'and' ? ' and ' : ' or ') || 'true'})`);
        continue;
      }
      const f = this.entity(entity).fields.find((x) => x.name === key || `${x.name}Id` === key);
      if (!f) throw new Error(`oracle: no field ${key} of ${entity}`);
      const column = f.type === 'relation' ? `t."${snakeCase(f.name)}_id"` : `t."${snakeCase(f.name)}"`;
      for (const [op, operand] of Object.entries(value as Record<string, unknown>)) {
        params.push(operand);
        const p = `$${params.length}`;
        if (op === 'eq') parts.push(`${column}::text = ${p}::text`);
        else if (op === 'ne') parts.push(`${column}::text is distinct from ${p}::text`);
        else if (op === 'in') parts.push(`${column}::text = any(${p}::text[])`);
        else throw new Error(`oracle: operator ${op}`);
      }
    }
    return parts.length ? parts.join(' and ') : 'true';
  }

  /**
   * The ids of the live records of `entity` the actor may read (`edit`: may edit), by the Semantics of issue 12.
   * `context` carries the principal sets; `memo` the sets of parents already computed.
   */
  async allowed(
    actor: Actor,
    entity: string,
    access: 'read' | 'edit',
    context: ActorContext,
    memo = new Map<string, Set<string>>(),
  ): Promise<Set<string>> {
    const key = `${entity}:${access}`;
    const known = memo.get(key);
    if (known) return known;
    const result = await this.#allowed(actor, entity, access, context, memo);
    memo.set(key, result);
    return result;
  }

  async #allowed(
    actor: Actor,
    entity: string,
    access: 'read' | 'edit',
    context: ActorContext,
    memo: Map<string, Set<string>>,
  ): Promise<Set<string>> {
    if (!this.right(actor, entity, access)) return new Set();
    const s = this.sharing(entity);
    const live = `select t.id::text as id from ${this.table(entity)} t where t.deleted_at is null`;
    const partner = this.isPartner(actor);
    const all = async () => new Set(await this.#ids(live, []));
    if (
      !partner &&
      (this.right(actor, entity, 'modifyAll') || (access === 'read' && this.right(actor, entity, 'viewAll')))
    )
      return all();
    const col = (field: string) => `t."${snakeCase(field)}_id"`;
    const params: unknown[] = [];
    const add = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const shareIds = (principals: { users: string[]; teams: string[] }) =>
      this.shares
        .filter(
          (x) =>
            x.entity === entity &&
            (access === 'read' || x.access === 'edit') &&
            ((x.userId && principals.users.includes(x.userId)) || (x.teamId && principals.teams.includes(x.teamId))),
        )
        .map((x) => x.recordId);
    const grants: string[] = [];
    const open = s.default === 'publicReadWrite' || (access === 'read' && s.default === 'publicRead');
    if (partner && this.referenceData(entity) && open) return all();
    if (partner) {
      if (s.ownerField) grants.push(`${col(s.ownerField)} = ${add(actor.id)}::uuid`);
      if (context.partner && s.partnerField) grants.push(`${col(s.partnerField)} = ${add(context.partner)}::uuid`);
      if (context.partner && entity === 'partner') grants.push(`t.id = ${add(context.partner)}::uuid`);
      grants.push(`t.id::text = any(${add(shareIds({ users: [actor.id], teams: [] }))}::text[])`);
    } else {
      if (s.default === 'publicReadWrite' || (access === 'read' && s.default === 'publicRead')) return all();
      if (s.ownerField) grants.push(`${col(s.ownerField)}::text = any(${add(context.owners)}::text[])`);
      if (s.teamField) grants.push(`${col(s.teamField)}::text = any(${add(context.teams)}::text[])`);
      if (s.territoryField) grants.push(`${col(s.territoryField)}::text = any(${add(context.territories)}::text[])`);
      grants.push(`t.id::text = any(${add(shareIds({ users: context.owners, teams: context.teams }))}::text[])`);
      for (const rule of this.model.sharing.rules) {
        if (rule.entity !== entity || !this.ruleApplies(actor, rule)) continue;
        if (access === 'edit' && rule.access !== 'edit') continue;
        grants.push(`(${this.conditionSql(entity, rule.condition, params)})`);
      }
      if (s.default === 'controlledByParent' && s.parent) {
        const target = this.entity(entity).fields.find((f) => f.name === s.parent)?.relation?.target;
        if (target) {
          const parents = await this.allowed(actor, target, access, context, memo);
          grants.push(`${col(s.parent)}::text = any(${add([...parents])}::text[])`);
        }
      }
    }
    return new Set(await this.#ids(`${live} and (${grants.join(' or ') || 'false'})`, params));
  }

  async context(actor: Actor, roleHolders: Map<string, string[]>): Promise<ActorContext> {
    const teams = await this.teams(actor);
    return {
      owners: await this.owners(actor, roleHolders),
      teams,
      territories: await this.territories(actor, teams),
      partner: await this.partnerOf(actor),
    };
  }
}

export interface ActorContext {
  owners: string[];
  teams: string[];
  territories: string[];
  partner: string | null;
}
