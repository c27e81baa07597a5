// Manual shares (a record shared with a user or a team, read or read/write, with a reason) and the answers
// to "who can see this record, and why". Shares live in each workspace's `_record_share` table, which the
// read predicate of grants.ts consults, so a share or its revocation counts on the next statement.
import { randomUUID } from 'node:crypto';
import {
  type EntityDefinition,
  IssueCollector,
  isUuid,
  type SharingAccess,
  TouchpointError,
  validationFailed,
} from '@touchpoint/schema';
import type { Channel } from '../audit/audit-log.ts';
import type { Sql } from '../db.ts';
import type { Engine, WorkspaceMetadata } from '../engine.ts';
import { ident, qualifiedTable, relationColumn } from '../physical.ts';
import { compileFilter } from '../query/filter.ts';
import { visibility } from '../scope.ts';
import { type AccessGrants, SHARE_TABLE } from './grants.ts';
import { assignedRoles } from './resolver.ts';
import { rolesBelow } from './rights.ts';

export interface RecordShare {
  id: string;
  entity: string;
  recordId: string;
  userId: string | null;
  teamId: string | null;
  access: SharingAccess;
  reason: string | null;
  createdBy: string;
  createdAt: Date;
}

export type AccessReason =
  | 'owner'
  | 'hierarchy'
  | 'team'
  | 'territory'
  | 'share'
  | 'rule'
  | 'default'
  | 'viewAll'
  | 'partner'
  | 'parent';

export interface AccessEntry {
  principalKind: 'user' | 'team' | 'role' | 'everyone';
  principalId: string | null;
  principalName: string | null;
  access: SharingAccess;
  reason: AccessReason;
  detail: string | null;
  shareId: string | null;
}

export interface SharingActor {
  workspace: string;
  actor: string;
  channel?: Channel;
  tokenId?: string | null;
}

const MAX_REASON = 500;
const MAX_PARENT_DEPTH = 6;

export class Sharing {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async #context(by: SharingActor) {
    const metadata = await this.#engine.metadata(by.workspace);
    await this.#engine.permissions.ensureShareTable(metadata.workspace.schemaName);
    const grants = await this.#engine.grants(by.workspace, by.actor, metadata);
    return { metadata, grants };
  }

  #entity(metadata: WorkspaceMetadata, name: unknown, path = 'entity'): EntityDefinition {
    const entity = typeof name === 'string' ? metadata.byName.get(name) : undefined;
    if (!entity) {
      throw validationFailed('Unknown entity', [
        { path, message: `${JSON.stringify(name)} is not an entity`, allowed: [...metadata.byName.keys()] },
      ]);
    }
    return entity;
  }

  /** Whether the actor may read / edit the record; system actors may. */
  async #can(metadata: WorkspaceMetadata, grants: AccessGrants | undefined, entity: EntityDefinition, id: string) {
    const read = grants?.read(entity.name, 't');
    const edit = grants?.edit(entity.name, 't');
    const [row] = await this.#engine.db.query<{ edit: boolean }>(
      `select ${edit ?? 'true'} as edit from ${qualifiedTable(metadata.workspace.schemaName, entity)} t where t.id = $1 and ${visibility(entity, 't')}${read ? ` and ${read}` : ''}`,
      [id],
    );
    return { read: row !== undefined, edit: row?.edit === true };
  }

  #notFound(entity: EntityDefinition, id: string): TouchpointError {
    return new TouchpointError('NOT_FOUND', `There is no ${entity.name} with id ${id}.`, {
      issues: [{ path: 'id', message: `no ${entity.name} has this id` }],
    });
  }

  /**
   * Shares a record with a user or a team. Allowed to whoever may edit the record and to holders of
   * manageSharing; audited as `share.created`. A second share of the same record with the same principal
   * replaces the first (the access and reason given now count).
   */
  async share(
    by: SharingActor,
    input: { entity: unknown; id: unknown; userId?: unknown; teamId?: unknown; access: unknown; reason?: unknown },
  ): Promise<RecordShare> {
    const { metadata, grants } = await this.#context(by);
    const entity = this.#entity(metadata, input.entity);
    const issues = new IssueCollector();
    if (typeof input.id !== 'string' || !isUuid(input.id)) issues.add('id', 'must be a record id (UUID)');
    const userId = input.userId ?? null;
    const teamId = input.teamId ?? null;
    if ((userId === null) === (teamId === null)) issues.add('userId', 'give exactly one of userId and teamId');
    if (userId !== null && (typeof userId !== 'string' || !isUuid(userId))) issues.add('userId', 'must be a user id');
    if (teamId !== null && (typeof teamId !== 'string' || !isUuid(teamId))) issues.add('teamId', 'must be a team id');
    if (input.access !== 'read' && input.access !== 'edit') {
      issues.add('access', `must be read or edit, got ${JSON.stringify(input.access)}`, { allowed: ['read', 'edit'] });
    }
    const reason = input.reason ?? null;
    if (reason !== null && (typeof reason !== 'string' || reason.length > MAX_REASON || reason.includes('\u0000'))) {
      issues.add('reason', `must be a text of at most ${MAX_REASON} characters`);
    }
    issues.throwIfAny('The share is not valid:');
    const id = input.id as string;
    const can = await this.#can(metadata, grants, entity, id);
    if (!can.read) throw this.#notFound(entity, id);
    if (grants && !can.edit && !grants.hasSystem('manageSharing')) {
      throw new TouchpointError(
        'FORBIDDEN',
        `You may not share the ${entity.name} ${id}: only those who may change it, and sharing administrators, may.`,
        { details: { entity: entity.name, record: id }, issues: [{ path: 'id', message: 'you may not change it' }] },
      );
    }
    const principal = userId !== null ? 'user' : 'team';
    const target = metadata.byName.get(principal);
    const principalId = (userId ?? teamId) as string;
    const found =
      target &&
      (await this.#engine.db.query(
        `select 1 from ${qualifiedTable(metadata.workspace.schemaName, target)} t where t.id = $1 and ${visibility(target, 't')}`,
        [principalId],
      ));
    if (!found || found.length === 0) {
      throw validationFailed('The share is not valid:', [
        {
          path: principal === 'user' ? 'userId' : 'teamId',
          message: `there is no ${principal} with id ${principalId}`,
        },
      ]);
    }
    const table = `${ident(metadata.workspace.schemaName)}.${ident(SHARE_TABLE)}`;
    return this.#engine.db.transaction(async (tx) => {
      const column = principal === 'user' ? 'user_id' : 'team_id';
      await tx.query(`delete from ${table} where entity = $1 and record_id = $2 and ${column} = $3`, [
        entity.name,
        id,
        principalId,
      ]);
      const [row] = await tx.query<ShareRow>(
        `insert into ${table} (id, entity, record_id, user_id, team_id, access, reason, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, ${this.#engine.clock.sql}) returning *`,
        [randomUUID(), entity.name, id, userId, teamId, input.access, reason, by.actor],
      );
      const share = toShare(row!);
      await this.#audit(tx, by, 'share.created', share);
      return share;
    });
  }

  /** Removes a share (a real delete, audited as `share.revoked`), for the same people who may make it. */
  async revoke(by: SharingActor, shareId: unknown): Promise<boolean> {
    const { metadata, grants } = await this.#context(by);
    if (typeof shareId !== 'string' || !isUuid(shareId)) {
      throw validationFailed('The share id is not valid:', [{ path: 'id', message: 'must be a share id (UUID)' }]);
    }
    const table = `${ident(metadata.workspace.schemaName)}.${ident(SHARE_TABLE)}`;
    const [row] = await this.#engine.db.query<ShareRow>(`select * from ${table} where id = $1`, [shareId]);
    const missing = new TouchpointError('NOT_FOUND', `There is no share with id ${shareId}.`, {
      issues: [{ path: 'id', message: 'no share has this id' }],
    });
    const entity = row ? metadata.byName.get(row.entity) : undefined;
    if (!row || !entity) throw missing;
    const can = await this.#can(metadata, grants, entity, row.record_id);
    if (!can.read) throw missing;
    if (grants && !can.edit && !grants.hasSystem('manageSharing')) {
      throw new TouchpointError('FORBIDDEN', `You may not revoke shares of the ${entity.name} ${row.record_id}.`, {
        details: { entity: entity.name, record: row.record_id },
        issues: [{ path: 'id', message: 'you may not change the shared record' }],
      });
    }
    await this.#engine.db.transaction(async (tx) => {
      await tx.query(`delete from ${table} where id = $1`, [shareId]);
      await this.#audit(tx, by, 'share.revoked', toShare(row));
    });
    return true;
  }

  async #audit(tx: Sql, by: SharingActor, action: string, share: RecordShare): Promise<void> {
    await this.#engine.audit.append(tx, {
      workspace: by.workspace,
      actor: by.actor,
      tokenId: by.tokenId ?? null,
      channel: by.channel ?? 'system',
      action,
      entity: share.entity,
      recordId: share.recordId,
      details: {
        share: share.id,
        ...(share.userId ? { userId: share.userId } : { teamId: share.teamId }),
        access: share.access,
        ...(share.reason ? { reason: share.reason } : {}),
      },
    });
  }

  /**
   * Who can see a record and why. The record must be readable by the actor; its manual shares are listed
   * for everyone who may read it, the full listing (owner side, teams, territories, rules, defaults, roles
   * with view all, partner users, the parent's) for manageSharing and for actors acting for nobody.
   */
  async recordAccess(by: SharingActor, entityName: unknown, id: unknown): Promise<AccessEntry[]> {
    const { metadata, grants } = await this.#context(by);
    const entity = this.#entity(metadata, entityName);
    if (typeof id !== 'string' || !isUuid(id)) {
      throw validationFailed('The record id is not valid:', [{ path: 'id', message: 'must be a record id (UUID)' }]);
    }
    if (!(await this.#can(metadata, grants, entity, id)).read) throw this.#notFound(entity, id);
    const full = !grants || grants.hasSystem('manageSharing');
    return full ? this.#everyone(metadata, entity, id, 0) : this.#shares(metadata, entity, id);
  }

  /** Why a given user can see a record (manageSharing): the grants of theirs that reach it; empty: they cannot. */
  async whyCanISee(by: SharingActor, entityName: unknown, id: unknown, userId: unknown): Promise<AccessEntry[]> {
    const { metadata, grants } = await this.#context(by);
    if (grants && !grants.hasSystem('manageSharing')) {
      throw new TouchpointError('FORBIDDEN', 'Only sharing administrators may ask why someone can see a record.', {
        details: { permission: 'manageSharing' },
      });
    }
    const entity = this.#entity(metadata, entityName);
    const issues = new IssueCollector();
    if (typeof id !== 'string' || !isUuid(id)) issues.add('id', 'must be a record id (UUID)');
    if (typeof userId !== 'string' || !isUuid(userId)) issues.add('userId', 'must be a user id (UUID)');
    issues.throwIfAny('The question is not valid:');
    if (!(await this.#can(metadata, undefined, entity, id as string)).read) throw this.#notFound(entity, id as string);
    const theirs = await this.#engine.permissions.grants(metadata, userId as string);
    return this.#why(metadata, theirs, entity, id as string, 0);
  }

  async #shares(metadata: WorkspaceMetadata, entity: EntityDefinition, id: string): Promise<AccessEntry[]> {
    const schema = metadata.workspace.schemaName;
    const user = metadata.byName.get('user');
    const team = metadata.byName.get('team');
    const rows = await this.#engine.db.query<ShareRow & { name: string | null }>(
      `select s.*, coalesce(${user ? `(select u.name from ${qualifiedTable(schema, user)} u where u.id = s.user_id)` : 'null'},
                            ${team ? `(select t.name from ${qualifiedTable(schema, team)} t where t.id = s.team_id)` : 'null'}) as name
         from ${ident(schema)}.${ident(SHARE_TABLE)} s where s.entity = $1 and s.record_id = $2 order by s.created_at, s.id`,
      [entity.name, id],
    );
    return rows.map((r) => ({
      principalKind: r.user_id ? 'user' : 'team',
      principalId: r.user_id ?? r.team_id,
      principalName: r.name,
      access: r.access,
      reason: 'share',
      detail: r.reason,
      shareId: r.id,
    }));
  }

  async #userNames(metadata: WorkspaceMetadata, ids: readonly string[]): Promise<Map<string, string>> {
    const user = metadata.byName.get('user');
    if (!user || ids.length === 0) return new Map();
    const rows = await this.#engine.db.query<{ id: string; name: string }>(
      `select id::text, name from ${qualifiedTable(metadata.workspace.schemaName, user)} where id = any($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** The record's row with the relation columns the sharing settings name. */
  async #row(metadata: WorkspaceMetadata, entity: EntityDefinition, id: string) {
    const [row] = await this.#engine.db.query<Record<string, string | null>>(
      `select * from ${qualifiedTable(metadata.workspace.schemaName, entity)} where id = $1`,
      [id],
    );
    return row;
  }

  #column(entity: EntityDefinition, name: string | undefined, target: string): string | undefined {
    const field = name === undefined ? undefined : entity.fields.find((f) => f.name === name);
    return field?.relation?.kind === 'manyToOne' && field.relation.target === target
      ? relationColumn(field)
      : undefined;
  }

  async #ruleMatches(metadata: WorkspaceMetadata, entity: EntityDefinition, id: string, condition: object) {
    try {
      const { sql, params } = compileFilter(metadata.compiler, entity.name, condition as never, {
        alias: 't',
        params: [id],
      });
      const rows = await this.#engine.db.query(
        `select 1 from ${qualifiedTable(metadata.workspace.schemaName, entity)} t where t.id = $1 and ${sql}`,
        params,
      );
      return rows.length > 0;
    } catch {
      return false;
    }
  }

  /** Every grant that reaches the record, whoever holds it. */
  async #everyone(
    metadata: WorkspaceMetadata,
    entity: EntityDefinition,
    id: string,
    depth: number,
  ): Promise<AccessEntry[]> {
    const model = metadata.permissions;
    const sharing = model.sharing.entities[entity.name] ?? { default: 'publicReadWrite' as const };
    const row = await this.#row(metadata, entity, id);
    if (!row) return [];
    const entries: AccessEntry[] = [];
    const entry = (e: Partial<AccessEntry> & Pick<AccessEntry, 'principalKind' | 'access' | 'reason'>) =>
      entries.push({ principalId: null, principalName: null, detail: null, shareId: null, ...e });
    for (const role of model.roles) {
      const access = role.objects[entity.name] ?? role.objects['*'] ?? {};
      if (!access.read || role.partner) continue;
      if (access.modifyAll || access.viewAll) {
        entry({
          principalKind: 'role',
          principalId: role.name,
          principalName: role.labels.en,
          access: access.modifyAll && access.edit ? 'edit' : 'read',
          reason: 'viewAll',
        });
      }
    }
    if (sharing.default === 'publicRead' || sharing.default === 'publicReadWrite') {
      entry({
        principalKind: 'everyone',
        access: sharing.default === 'publicRead' ? 'read' : 'edit',
        reason: 'default',
      });
    }
    const ownerColumn = this.#column(entity, sharing.ownerField ?? 'owner', 'user');
    const owner = ownerColumn ? row[ownerColumn] : null;
    if (owner) {
      const chain = await this.#managers(metadata, owner);
      const names = await this.#userNames(metadata, [owner, ...chain]);
      entry({
        principalKind: 'user',
        principalId: owner,
        principalName: names.get(owner) ?? null,
        access: 'edit',
        reason: 'owner',
      });
      for (const manager of chain) {
        entry({
          principalKind: 'user',
          principalId: manager,
          principalName: names.get(manager) ?? null,
          access: 'edit',
          reason: 'hierarchy',
          detail: `above ${names.get(owner) ?? owner}`,
        });
      }
      const ownerRoles = (await assignedRoles(this.#engine.db, metadata, [owner])).get(owner) ?? [];
      for (const role of model.roles) {
        if (rolesBelow(model, [role.name]).size === 0) continue;
        if (ownerRoles.some((r) => rolesBelow(model, [role.name]).has(r))) {
          entry({
            principalKind: 'role',
            principalId: role.name,
            principalName: role.labels.en,
            access: 'edit',
            reason: 'hierarchy',
            detail: `above the owner's role ${ownerRoles.join(', ')}`,
          });
        }
      }
    }
    const teamColumn = this.#column(entity, sharing.teamField, 'team');
    const teamId = teamColumn ? row[teamColumn] : null;
    const team = metadata.byName.get('team');
    if (teamId && team) {
      const [t] = await this.#engine.db.query<{ name: string }>(
        `select name from ${qualifiedTable(metadata.workspace.schemaName, team)} where id = $1`,
        [teamId],
      );
      entry({
        principalKind: 'team',
        principalId: teamId,
        principalName: t?.name ?? null,
        access: 'edit',
        reason: 'team',
      });
    }
    const territoryColumn = this.#column(entity, sharing.territoryField, 'territory');
    const territoryId = territoryColumn ? row[territoryColumn] : null;
    const territory = metadata.byName.get('territory');
    if (territoryId && territory) {
      const rows = await this.#engine.db.query<{ owner: string | null; name: string }>(
        `with recursive up(id, parent, owner, name) as (
           select id, parent_territory_id, owner_id, name from ${qualifiedTable(metadata.workspace.schemaName, territory)} where id = $1
           union select t.id, t.parent_territory_id, t.owner_id, t.name from ${qualifiedTable(metadata.workspace.schemaName, territory)} t join up on t.id = up.parent)
         select owner::text, name from up`,
        [territoryId],
      );
      const names = await this.#userNames(
        metadata,
        rows.flatMap((r) => (r.owner ? [r.owner] : [])),
      );
      for (const r of rows) {
        if (!r.owner) continue;
        entry({
          principalKind: 'user',
          principalId: r.owner,
          principalName: names.get(r.owner) ?? null,
          access: 'edit',
          reason: 'territory',
          detail: r.name,
        });
      }
    }
    const partnerColumn = this.#column(entity, sharing.partnerField ?? 'partner', 'partner');
    const partnerId = partnerColumn ? row[partnerColumn] : entity.name === 'partner' ? id : null;
    const user = metadata.byName.get('user');
    if (partnerId && user && this.#column(user, 'partner', 'partner')) {
      const rows = await this.#engine.db.query<{ id: string; name: string }>(
        `select id::text, name from ${qualifiedTable(metadata.workspace.schemaName, user)} where partner_id = $1 order by name`,
        [partnerId],
      );
      for (const r of rows) {
        entry({ principalKind: 'user', principalId: r.id, principalName: r.name, access: 'edit', reason: 'partner' });
      }
    }
    entries.push(...(await this.#shares(metadata, entity, id)));
    for (const rule of model.sharing.rules) {
      if (rule.entity !== entity.name || !(await this.#ruleMatches(metadata, entity, id, rule.condition))) continue;
      const role = model.roles.find((r) => r.name === rule.role);
      entry({
        principalKind: 'role',
        principalId: rule.role,
        principalName: role?.labels.en ?? rule.role,
        access: rule.access,
        reason: 'rule',
        detail: rule.name,
      });
    }
    if (sharing.default === 'controlledByParent' && sharing.parent && depth < MAX_PARENT_DEPTH) {
      const field = entity.fields.find((f) => f.name === sharing.parent);
      const parent = field?.relation ? metadata.byName.get(field.relation.target) : undefined;
      const parentId = field ? row[relationColumn(field)] : null;
      if (parent && parentId) {
        for (const e of await this.#everyone(metadata, parent, parentId, depth + 1)) {
          entries.push({ ...e, reason: 'parent', detail: `${parent.name} ${parentId}: ${e.reason}`, shareId: null });
        }
      }
    }
    return entries;
  }

  async #managers(metadata: WorkspaceMetadata, user: string): Promise<string[]> {
    const entity = metadata.byName.get('user');
    if (!entity || !this.#column(entity, 'manager', 'user')) return [];
    const rows = await this.#engine.db.query<{ id: string }>(
      `with recursive up(id) as (select manager_id from ${qualifiedTable(metadata.workspace.schemaName, entity)} where id = $1
         union select u.manager_id from ${qualifiedTable(metadata.workspace.schemaName, entity)} u join up on u.id = up.id)
       select id::text from up where id is not null`,
      [user],
    );
    return rows.map((r) => r.id);
  }

  /** The grants of one user that reach the record (the same rules as AccessGrants.read, one by one). */
  async #why(
    metadata: WorkspaceMetadata,
    grants: AccessGrants,
    entity: EntityDefinition,
    id: string,
    depth: number,
  ): Promise<AccessEntry[]> {
    if (!grants.can(entity.name, 'read')) return [];
    const row = await this.#row(metadata, entity, id);
    if (!row) return [];
    const me = grants.actor;
    const edit = (granted: boolean) => (granted && grants.can(entity.name, 'edit') ? 'edit' : 'read') as SharingAccess;
    const entries: AccessEntry[] = [];
    const entry = (e: Partial<AccessEntry> & Pick<AccessEntry, 'access' | 'reason'>) =>
      entries.push({
        principalKind: 'user',
        principalId: me,
        principalName: null,
        detail: null,
        shareId: null,
        ...e,
      });
    const sharing = metadata.permissions.sharing.entities[entity.name] ?? { default: 'publicReadWrite' as const };
    const { partner } = grants.rights;
    if (!partner && (grants.can(entity.name, 'viewAll') || grants.can(entity.name, 'modifyAll'))) {
      entry({
        principalKind: 'role',
        principalId: grants.roles.join(','),
        access: edit(grants.can(entity.name, 'modifyAll')),
        reason: 'viewAll',
      });
    }
    const ownerColumn = this.#column(entity, sharing.ownerField ?? 'owner', 'user');
    const owner = ownerColumn ? row[ownerColumn] : null;
    const shares = (await this.#shares(metadata, entity, id)).filter((s) =>
      s.principalKind === 'user'
        ? partner
          ? s.principalId === me
          : grants.sets.owners.includes(s.principalId!)
        : !partner && grants.sets.teams.includes(s.principalId!),
    );
    if (partner) {
      if (owner === me) entry({ access: edit(true), reason: 'owner' });
      const partnerColumn = this.#column(entity, sharing.partnerField ?? 'partner', 'partner');
      const partnerId = partnerColumn ? row[partnerColumn] : entity.name === 'partner' ? id : null;
      if (grants.sets.partner && partnerId === grants.sets.partner) entry({ access: edit(true), reason: 'partner' });
      entries.push(...shares.map((s) => ({ ...s, access: edit(s.access === 'edit') })));
      return entries;
    }
    if (sharing.default === 'publicRead' || sharing.default === 'publicReadWrite') {
      entry({
        principalKind: 'everyone',
        principalId: null,
        access: edit(sharing.default === 'publicReadWrite'),
        reason: 'default',
      });
    }
    if (owner && owner === me) entry({ access: edit(true), reason: 'owner' });
    else if (owner && grants.sets.owners.includes(owner))
      entry({ access: edit(true), reason: 'hierarchy', detail: owner });
    const teamColumn = this.#column(entity, sharing.teamField, 'team');
    const teamId = teamColumn ? row[teamColumn] : null;
    if (teamId && grants.sets.teams.includes(teamId)) {
      entry({ principalKind: 'team', principalId: teamId, access: edit(true), reason: 'team' });
    }
    const territoryColumn = this.#column(entity, sharing.territoryField, 'territory');
    const territoryId = territoryColumn ? row[territoryColumn] : null;
    if (territoryId && grants.sets.territories.includes(territoryId)) {
      entry({ access: edit(true), reason: 'territory', detail: territoryId });
    }
    entries.push(...shares.map((s) => ({ ...s, access: edit(s.access === 'edit') })));
    for (const rule of metadata.permissions.sharing.rules) {
      if (rule.entity !== entity.name || !grants.sets.ruleRoles.has(rule.role)) continue;
      if (!(await this.#ruleMatches(metadata, entity, id, rule.condition))) continue;
      entry({
        principalKind: 'role',
        principalId: rule.role,
        access: edit(rule.access === 'edit'),
        reason: 'rule',
        detail: rule.name,
      });
    }
    if (sharing.default === 'controlledByParent' && sharing.parent && depth < MAX_PARENT_DEPTH) {
      const field = entity.fields.find((f) => f.name === sharing.parent);
      const parent = field?.relation ? metadata.byName.get(field.relation.target) : undefined;
      const parentId = field ? row[relationColumn(field)] : null;
      if (parent && parentId) {
        for (const e of await this.#why(metadata, grants, parent, parentId, depth + 1)) {
          entries.push({
            ...e,
            access: edit(e.access === 'edit'),
            reason: 'parent',
            detail: `${parent.name} ${parentId}: ${e.reason}`,
            shareId: null,
          });
        }
      }
    }
    return entries;
  }
}

interface ShareRow {
  id: string;
  entity: string;
  record_id: string;
  user_id: string | null;
  team_id: string | null;
  access: SharingAccess;
  reason: string | null;
  created_by: string;
  created_at: Date;
}

function toShare(row: ShareRow): RecordShare {
  return {
    id: row.id,
    entity: row.entity,
    recordId: row.record_id,
    userId: row.user_id,
    teamId: row.team_id,
    access: row.access,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}
