// What `metadata export` writes, made in one place for the CLI (on its own database) and the API (for a CLI
// talking to a running server): a workspace's core and plugin layers, the admin's layer over them, and that
// layer as YAML documents — a multi-document text and one document per entity for the folder form.
import {
  type EntityDefinition,
  entityLayerToYaml,
  entityToYaml,
  type PermissionModel,
  roleToYaml,
  sharingToYaml,
} from '@touchpoint/schema';
import type { Engine } from '../engine.ts';
import { type AdminLayer, adminLayer } from './desired-state.ts';
import { adminPermissionLayer, type PermissionLayer } from './permission-desired-state.ts';

/** A workspace's metadata as code sees it: the layers below the admin's, and the live effective entities. */
export interface WorkspaceLayers {
  /** The core and plugin layers merged, without the workspace's own changes. */
  base: EntityDefinition[];
  /** The effective entities at the current version. */
  entities: EntityDefinition[];
  /** The plugins the base layers come from, as `id@version`, sorted. */
  plugins: string[];
  version: number;
  /** The core and plugin roles and sharing settings, without the workspace's own changes. */
  basePermissions: PermissionModel;
  /** The effective roles and sharing settings at the current version. */
  permissions: PermissionModel;
}

export async function workspaceLayers(engine: Engine, workspace: string): Promise<WorkspaceLayers> {
  const ws = await engine.getWorkspace(workspace);
  const layers = await engine.store.base(ws.id, engine.db.orm.em.fork());
  const base = layers.entities;
  const { entities, version, permissions } = await engine.metadata(workspace);
  const plugins = [
    ...new Set(
      base
        .flatMap((e) => [e.source, ...e.fields.map((f) => f.source)])
        .filter((s): s is string => s?.startsWith('plugin:') ?? false)
        .map((s) => s.slice('plugin:'.length)),
    ),
  ].sort();
  return { base, entities, plugins, version, basePermissions: layers.permissions, permissions };
}

/**
 * One YAML document of an export, with the name its file has in the folder form: `<folder>/<name>.yaml`, the
 * folder `entities` (an entity or an entity layer) or `permissions` (a role, or `sharing`).
 */
export interface LayerDocument {
  name: string;
  yaml: string;
  folder: 'entities' | 'permissions';
}

/** The admin's layer as an export writes it: the multi-document text and its documents one by one. */
export interface LayerExport {
  text: string;
  documents: LayerDocument[];
}

/** Says where an extended entity comes from, and which of the fields changed below a plugin added. */
function layerComment(name: string, source: string, pluginFields: Record<string, string>): string {
  const from = source === 'core' ? 'the core schemas' : source;
  const fields = Object.entries(pluginFields).map(([field, plugin]) => `\n# ${field} was added by ${plugin}.`);
  return `# ${name} comes from ${from}: only this workspace's changes to it follow.${fields.join('')}\n`;
}

/** Each document of the admin's layer as its canonical YAML, with the file name a folder gives it. */
export function layerDocuments(layer: AdminLayer): LayerDocument[] {
  const layers = layer.layers.map(({ source, pluginFields, ...entityLayer }) => ({
    name: entityLayer.extends,
    yaml: `${layerComment(entityLayer.extends, source, pluginFields)}${entityLayerToYaml(entityLayer)}`,
    folder: 'entities' as const,
  }));
  const entities = layer.entities.map((entity: EntityDefinition) => ({
    name: entity.name,
    yaml: entityToYaml(entity),
    folder: 'entities' as const,
  }));
  return [...layers, ...entities];
}

/**
 * The admin's roles and sharing as documents: one per role it created or changed (a changed core or plugin
 * role whole, with a comment saying so), then one `sharing` document with the settings and rules it changed.
 */
export function permissionDocuments(layer: PermissionLayer, base: PermissionModel): LayerDocument[] {
  const roles = layer.roles.map((role) => {
    const below = base.roles.find((r) => r.id === role.id)?.source;
    const from =
      below === undefined
        ? ''
        : `# ${role.name} comes from ${below === 'core' ? 'the core schemas' : below}: this is the whole role as this workspace has it.\n`;
    return { name: `role-${role.name}`, yaml: `${from}${roleToYaml(role)}`, folder: 'permissions' as const };
  });
  const { entities, rules } = layer.sharing;
  const sharing =
    Object.keys(entities).length > 0 || rules.length > 0
      ? [
          {
            name: 'sharing',
            yaml: `# This workspace's sharing settings and rules beyond the core and plugins' (the others are as they ship).\n${sharingToYaml(layer.sharing)}`,
            folder: 'permissions' as const,
          },
        ]
      : [];
  return [...roles, ...sharing];
}

/** The export of a workspace's layers: a header naming the layers below, then one document per entity. */
export function exportLayer({ base, entities, plugins, basePermissions, permissions }: WorkspaceLayers): LayerExport {
  const documents = [
    ...layerDocuments(adminLayer(base, entities)),
    ...permissionDocuments(adminPermissionLayer(basePermissions, permissions, entities), basePermissions),
  ];
  const header = [
    "# Touchpoint metadata: this workspace's layer over the core schemas",
    `# and its plugins (${plugins.length > 0 ? plugins.join(', ') : 'none installed'}). Core and plugin entities are not`,
    '# repeated: an "extends:" document holds only the changes made to one. Roles (kind: role) and sharing',
    '# (kind: sharing) follow the entities. Apply with `touchpoint metadata apply`.',
  ].join('\n');
  return { text: `${header}\n${documents.map((d) => `---\n${d.yaml}`).join('')}`, documents };
}
