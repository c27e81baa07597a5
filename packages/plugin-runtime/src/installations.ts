// Which plugin runs in which workspace, with what: one row per installation in
// `touchpoint.plugin_installation`. The archive itself is kept, so a restart reloads exactly what was
// installed; the engine's `plugin_layer` table holds only the plugin's metadata contribution. The manifest is
// kept beside it, so listing and describing installations never reads an archive (a bundle may be 10 MB,
// and every request has a read budget): only loading the code does (`archive`).
import type { Database, Sql } from '@touchpoint/engine';
import type { JsonObject, PluginManifest } from '@touchpoint/plugin-sdk';
import type { PluginGrants, PluginLimits } from '@touchpoint/sandbox';

export interface Installation {
  workspaceId: number;
  workspace: string;
  pluginId: string;
  version: string;
  sha256: string;
  /** The archive's manifest, as stored beside it. */
  manifest: PluginManifest;
  grants: PluginGrants;
  limits: Partial<PluginLimits>;
  settings: JsonObject;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  installedBy: string;
  installedAt: string;
  updatedAt: string;
}

const TABLE = 'touchpoint.plugin_installation';

const COLUMNS = `i.workspace_id as "workspaceId", w.slug as "workspace", i.plugin_id as "pluginId", i.version,
  i.sha256, i.manifest, i.grants, i.limits, i.settings, i.enabled, i.disabled_reason as "disabledReason",
  to_char(i.disabled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "disabledAt",
  i.installed_by as "installedBy",
  to_char(i.installed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "installedAt",
  to_char(i.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "updatedAt"`;

export class Installations {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async ensureTable(): Promise<void> {
    await this.#db.query(`create table if not exists ${TABLE} (
      workspace_id integer not null references touchpoint.workspace (id) on delete cascade,
      plugin_id text not null,
      version text not null,
      sha256 text not null,
      archive text not null,
      manifest jsonb,
      grants jsonb not null,
      limits jsonb not null,
      settings jsonb not null,
      enabled boolean not null default true,
      disabled_reason text,
      disabled_at timestamptz,
      installed_by text not null,
      installed_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (workspace_id, plugin_id)
    )`);
    // Installations made before the manifest had its own column get it once, from their archive.
    await this.#db.query(`alter table ${TABLE} add column if not exists manifest jsonb`);
    await this.#db.query(`update ${TABLE} set manifest = (archive::jsonb) -> 'manifest' where manifest is null`);
  }

  /** Every installation, or those of one workspace, in the order they were installed. */
  async list(workspaceId?: number): Promise<Installation[]> {
    return this.#db.query<Installation>(
      `select ${COLUMNS} from ${TABLE} i join touchpoint.workspace w on w.id = i.workspace_id
       where $1::integer is null or i.workspace_id = $1 order by i.installed_at, i.plugin_id`,
      [workspaceId ?? null],
    );
  }

  /** The archive's JSON text of an installation (several MB for a large bundle): for loading its code only. */
  async archive(workspaceId: number, pluginId: string): Promise<string | undefined> {
    const [row] = await this.#db.query<{ archive: string }>(
      `select archive from ${TABLE} where workspace_id = $1 and plugin_id = $2`,
      [workspaceId, pluginId],
    );
    return row?.archive;
  }

  async get(workspaceId: number, pluginId: string): Promise<Installation | undefined> {
    const [row] = await this.#db.query<Installation>(
      `select ${COLUMNS} from ${TABLE} i join touchpoint.workspace w on w.id = i.workspace_id
       where i.workspace_id = $1 and i.plugin_id = $2`,
      [workspaceId, pluginId],
    );
    return row;
  }

  /**
   * Records an install or an upgrade; an upgrade keeps the install date and the enabled state. `sql` is the
   * metadata change's transaction (ChangeOptions.alongside), so the row and the layer commit together.
   */
  async save(
    row: Pick<
      Installation,
      'workspaceId' | 'pluginId' | 'version' | 'sha256' | 'manifest' | 'grants' | 'limits' | 'settings' | 'installedBy'
    > & { /** The archive's JSON text. */ archive: string },
    sql: Sql = this.#db,
  ): Promise<void> {
    await sql.query(
      `insert into ${TABLE} (workspace_id, plugin_id, version, sha256, archive, grants, limits, settings, installed_by,
         manifest)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10::jsonb)
       on conflict (workspace_id, plugin_id) do update set version = excluded.version, sha256 = excluded.sha256,
         archive = excluded.archive, manifest = excluded.manifest, grants = excluded.grants, limits = excluded.limits,
         settings = excluded.settings, updated_at = now()`,
      [
        row.workspaceId,
        row.pluginId,
        row.version,
        row.sha256,
        row.archive,
        JSON.stringify(row.grants),
        JSON.stringify(row.limits),
        JSON.stringify(row.settings),
        row.installedBy,
        JSON.stringify(row.manifest),
      ],
    );
  }

  async setEnabled(workspaceId: number, pluginId: string, enabled: boolean, reason: string | null): Promise<void> {
    await this.#db.query(
      `update ${TABLE} set enabled = $3, disabled_reason = $4, disabled_at = case when $3 then null else now() end,
         updated_at = now() where workspace_id = $1 and plugin_id = $2`,
      [workspaceId, pluginId, enabled, enabled ? null : reason],
    );
  }

  /** Forgets an installation; with `sql`, in the transaction that removes its layer. */
  async delete(workspaceId: number, pluginId: string, sql: Sql = this.#db): Promise<void> {
    await sql.query(`delete from ${TABLE} where workspace_id = $1 and plugin_id = $2`, [workspaceId, pluginId]);
  }
}
