// Reads a user's roles and principal sets from PostgreSQL and keeps the resulting grants per workspace and
// user, until a user, team, territory or role assignment of the workspace changes (record events, role
// writes) or its metadata does: such a change counts on the next request in this process.
import type { EntityDefinition } from '@touchpoint/schema';
import type { Sql } from '../db.ts';
import type { WorkspaceMetadata } from '../engine.ts';
import { ident, qualifiedTable, relationColumn } from '../physical.ts';
import { visibility } from '../scope.ts';
import { SYSTEM_SCHEMA } from '../system-entities.ts';
import { AccessGrants, type PrincipalSets, SHARE_TABLE } from './grants.ts';
import { ROLE_FROM_USER_ROLE, rightsOf, rolesBelow, rolesFromUserRole } from './rights.ts';

/** Entities whose changes move principal sets. */
export const PRINCIPAL_ENTITIES: ReadonlySet<string> = new Set(['user', 'team', 'territory']);
const MAX_CACHED_USERS = 5000;

function hasRelation(entity: EntityDefinition | undefined, field: string, target: string): boolean {
  const f = entity?.fields.find((x) => x.name === field);
  return f?.relation?.kind === 'manyToOne' && f.relation.target === target;
}

export function shareTableDdl(schema: string): string[] {
  const table = `${ident(schema)}.${ident(SHARE_TABLE)}`;
  return [
    `create table if not exists ${table} (
      id uuid primary key,
      entity text not null,
      record_id uuid not null,
      user_id uuid,
      team_id uuid,
      access text not null check (access in ('read', 'edit')),
      reason text,
      created_by text not null,
      created_at timestamptz not null,
      check ((user_id is null) <> (team_id is null))
    )`,
    `create index if not exists "_record_share_record_idx" on ${table} (entity, record_id)`,
    `create index if not exists "_record_share_user_idx" on ${table} (user_id, entity) where user_id is not null`,
    `create index if not exists "_record_share_team_idx" on ${table} (team_id, entity) where team_id is not null`,
  ];
}

/** The roles assigned to users of a workspace, or the roles their `user.role` maps to when none are. */
export async function assignedRoles(
  sql: Sql,
  metadata: WorkspaceMetadata,
  userIds: readonly string[],
): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (userIds.length === 0) return result;
  const rows = await sql.query<{ user_id: string; role: string }>(
    `select user_id::text, role from ${SYSTEM_SCHEMA}.role_assignment where workspace_id = $1 and user_id = any($2::uuid[]) order by role`,
    [metadata.workspace.id, userIds],
  );
  for (const row of rows) result.set(row.user_id, [...(result.get(row.user_id) ?? []), row.role]);
  const missing = userIds.filter((id) => !result.has(id));
  const user = metadata.byName.get('user');
  if (missing.length > 0 && user) {
    const hasRole = user.fields.some((f) => f.name === 'role');
    const legacy = hasRole
      ? await sql.query<{ id: string; role: string | null }>(
          `select id::text, role from ${qualifiedTable(metadata.workspace.schemaName, user)} where id = any($1::uuid[])`,
          [missing],
        )
      : [];
    const byId = new Map(legacy.map((r) => [r.id, r.role]));
    for (const id of missing) result.set(id, rolesFromUserRole(byId.get(id), metadata.permissions));
  }
  return result;
}

export class GrantsResolver {
  readonly #sql: Sql;
  /** Per workspace: the metadata the entries were built for, and the grants per user. */
  readonly #cache = new Map<string, { metadata: WorkspaceMetadata; users: Map<string, Promise<AccessGrants>> }>();
  readonly #shareTables = new Map<string, Promise<void>>();
  #generation = 0;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** Forgets the grants of a workspace's users: their next request reads them again. */
  invalidate(workspace: string): void {
    this.#generation++;
    this.#cache.delete(workspace);
  }

  /** Forgets every workspace's grants (another instance committed a membership, role or user change). */
  invalidateAll(): void {
    this.#generation++;
    this.#cache.clear();
  }

  /** Makes sure the workspace's share table exists (once per process and schema). */
  ensureShareTable(schema: string): Promise<void> {
    let done = this.#shareTables.get(schema);
    if (!done) {
      done = (async () => {
        for (const statement of shareTableDdl(schema)) await this.#sql.query(statement);
      })();
      done.catch(() => this.#shareTables.delete(schema));
      this.#shareTables.set(schema, done);
    }
    return done;
  }

  async grants(metadata: WorkspaceMetadata, user: string): Promise<AccessGrants> {
    const slug = metadata.workspace.slug;
    let entry = this.#cache.get(slug);
    if (!entry || entry.metadata !== metadata) {
      entry = { metadata, users: new Map() };
      this.#cache.set(slug, entry);
    }
    const hit = entry.users.get(user);
    if (hit) return hit;
    const generation = this.#generation;
    const made = this.#resolve(metadata, user, generation);
    if (entry.users.size >= MAX_CACHED_USERS) entry.users.clear();
    entry.users.set(user, made);
    made.catch(() => entry.users.delete(user));
    return made;
  }

  async #resolve(metadata: WorkspaceMetadata, user: string, generation: number): Promise<AccessGrants> {
    await this.ensureShareTable(metadata.workspace.schemaName);
    const model = metadata.permissions;
    const roles = (await assignedRoles(this.#sql, metadata, [user])).get(user) ?? [];
    const rights = rightsOf(model, roles, metadata.entities);
    const sets = await this.#principalSets(metadata, user, rights.roles);
    return new AccessGrants(`${user}@${metadata.version}.${generation}`, rights, sets, {
      schema: metadata.workspace.schemaName,
      byName: metadata.byName,
      model,
      compiler: metadata.compiler,
    });
  }

  async #principalSets(metadata: WorkspaceMetadata, user: string, roles: readonly string[]): Promise<PrincipalSets> {
    const schema = metadata.workspace.schemaName;
    const userEntity = metadata.byName.get('user');
    const team = metadata.byName.get('team');
    const territory = metadata.byName.get('territory');
    const below = rolesBelow(metadata.permissions, roles);
    const sets: PrincipalSets = {
      user,
      owners: [user],
      teams: [],
      territories: [],
      partner: null,
      ruleRoles: new Set([...roles, ...below]),
    };
    if (!userEntity) return sets;
    const users = qualifiedTable(schema, userEntity);
    const owners = new Set<string>([user]);
    const [me] = await this.#sql.query<{ team: string | null; partner: string | null }>(
      `select ${hasRelation(userEntity, 'team', 'team') ? `${ident(relationColumn({ name: 'team' }))}::text` : 'null'} as team,
              ${hasRelation(userEntity, 'partner', 'partner') ? `${ident(relationColumn({ name: 'partner' }))}::text` : 'null'} as partner
         from ${users} where id = $1`,
      [user],
    );
    if (hasRelation(userEntity, 'manager', 'user')) {
      const rows = await this.#sql.query<{ id: string }>(
        `with recursive below(id) as (select $1::uuid union select u.id from ${users} u join below b on u."manager_id" = b.id)
         select id::text from below`,
        [user],
      );
      for (const row of rows) owners.add(row.id);
    }
    if (below.size > 0) {
      const legacy = Object.entries(ROLE_FROM_USER_ROLE)
        .filter(([, role]) => below.has(role))
        .map(([value]) => value);
      const hasRole = userEntity.fields.some((f) => f.name === 'role');
      const legacyCondition = hasRole
        ? `(u.role = any($3::text[])${below.has('readOnly') ? ` or u.role is null or u.role <> all($4::text[])` : ''})`
        : below.has('readOnly')
          ? 'true'
          : 'false';
      const params: unknown[] = [metadata.workspace.id, [...below], legacy];
      if (hasRole && below.has('readOnly')) params.push(Object.keys(ROLE_FROM_USER_ROLE));
      const rows = await this.#sql.query<{ id: string }>(
        `select u.id::text from ${users} u
          where exists (select 1 from ${SYSTEM_SCHEMA}.role_assignment r where r.workspace_id = $1 and r.user_id = u.id and r.role = any($2::text[]))
             or (not exists (select 1 from ${SYSTEM_SCHEMA}.role_assignment r where r.workspace_id = $1 and r.user_id = u.id)
                 and ${legacyCondition})`,
        params,
      );
      for (const row of rows) owners.add(row.id);
    }
    const teams = new Set<string>();
    if (me?.team) teams.add(me.team);
    if (team && hasRelation(team, 'manager', 'user')) {
      const rows = await this.#sql.query<{ id: string }>(
        `select t.id::text from ${qualifiedTable(schema, team)} t where t."manager_id" = $1 and ${visibility(team, 't')}`,
        [user],
      );
      for (const row of rows) teams.add(row.id);
    }
    const territories = new Set<string>();
    if (territory) {
      const seeds: string[] = [];
      const params: unknown[] = [];
      if (hasRelation(territory, 'owner', 'user')) {
        params.push(user);
        seeds.push(
          `select t.id from ${qualifiedTable(schema, territory)} t where t."owner_id" = $${params.length} and ${visibility(territory, 't')}`,
        );
      }
      if (team && hasRelation(team, 'territory', 'territory') && teams.size > 0) {
        params.push([...teams]);
        seeds.push(
          `select "territory_id" from ${qualifiedTable(schema, team)} where id = any($${params.length}::uuid[]) and "territory_id" is not null`,
        );
      }
      if (seeds.length > 0) {
        const down = hasRelation(territory, 'parentTerritory', 'territory')
          ? ` union select t.id from ${qualifiedTable(schema, territory)} t join area a on t."parent_territory_id" = a.id where ${visibility(territory, 't')}`
          : '';
        const rows = await this.#sql.query<{ id: string }>(
          `with recursive area(id) as (${seeds.join(' union ')}${down}) select id::text from area`,
          params,
        );
        for (const row of rows) territories.add(row.id);
      }
    }
    return {
      ...sets,
      owners: [...owners].sort(),
      teams: [...teams].sort(),
      territories: [...territories].sort(),
      partner: me?.partner ?? null,
    };
  }
}
