// Layering: core schemas, then plugin contributions, then the workspace's own changes.
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';
import { IssueCollector } from '@touchpoint/schema';
import { applyChanges, type MetadataChange } from './changes.ts';
import type { PluginPermissions } from './permission-changes.ts';

/** What one installed plugin adds to a workspace's metadata. */
export interface PluginContribution {
  pluginId: string;
  version: string;
  /** Whole new entities. */
  entities: EntityDefinition[];
  /** Fields the plugin adds to entities of the core or of other plugins. */
  fields: { entity: string; field: FieldDefinition }[];
  /** Roles, rights on its entities for other layers' roles, and sharing settings of its own entities. */
  permissions?: PluginPermissions;
}

function stamp(entity: EntityDefinition, source: string): EntityDefinition {
  const copy = structuredClone(entity);
  copy.id = copy.id ?? copy.name;
  copy.source = copy.source ?? source;
  for (const field of copy.fields) {
    field.id = field.id ?? `${copy.id}.${field.name}`;
    field.source = field.source ?? source;
  }
  return copy;
}

/**
 * Merges the core layer with plugin contributions. Two layers defining the same entity, or the same field
 * on one entity, is an error naming both: a plugin never silently replaces what another layer owns.
 */
export function mergeLayers(core: EntityDefinition[], plugins: PluginContribution[]): EntityDefinition[] {
  const issues = new IssueCollector();
  const entities = core.map((e) => stamp(e, 'core'));
  for (const plugin of plugins) {
    const source = `plugin:${plugin.pluginId}`;
    for (const entity of plugin.entities) {
      const clash = entities.find((e) => e.name === entity.name);
      if (clash) {
        issues.add(`plugins.${plugin.pluginId}.entities.${entity.name}`, `entity already defined by ${clash.source}`);
        continue;
      }
      entities.push(stamp({ ...entity, id: entity.id ?? `${plugin.pluginId}:${entity.name}` }, source));
    }
  }
  for (const plugin of plugins) {
    const source = `plugin:${plugin.pluginId}`;
    for (const { entity: entityName, field } of plugin.fields) {
      const path = `plugins.${plugin.pluginId}.fields.${entityName}.${field.name}`;
      const entity = entities.find((e) => e.name === entityName);
      if (!entity) {
        issues.add(path, `entity "${entityName}" does not exist in this workspace`);
        continue;
      }
      const clash = entity.fields.find((f) => f.name === field.name);
      if (clash) {
        issues.add(path, `field already defined by ${clash.source}`);
        continue;
      }
      entity.fields.push({
        ...structuredClone(field),
        id: field.id ?? `${plugin.pluginId}:${entity.id}.${field.name}`,
        source,
      });
    }
  }
  issues.throwIfAny('The plugin layers cannot be merged:');
  return entities;
}

/** The effective metadata of a workspace: core + plugins + every recorded workspace change, in order. */
export function effectiveMetadata(
  core: EntityDefinition[],
  plugins: PluginContribution[],
  changes: MetadataChange[],
): EntityDefinition[] {
  return applyChanges(mergeLayers(core, plugins), changes).entities;
}
