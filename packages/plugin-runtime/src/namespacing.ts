// Names a plugin puts on entities it does not own carry its prefix, so two plugins cannot collide there.
//
// The prefix is the name part of the plugin id in camelCase: `touchpoint.asset-tracking` → `assetTracking`.
// A field a plugin adds to another layer's entity (core, another plugin's) must be called
// `<prefix><Capital…>` (`case.assetTrackingAsset`), and so must the inverse name of a relation pointing
// at such an entity (`account.assetTrackingAssets`). Names on the plugin's own entities are free. Two
// plugins whose prefixes start one another (`assets`, `assetsPro`) cannot be installed in one workspace,
// so a prefixed name always tells which plugin owns it. Entity names are not prefixed: a second plugin
// defining an entity that exists is refused by the engine's layer merge, naming both.

import type { PluginMetadata } from '@touchpoint/sandbox';
import type { Issue } from '@touchpoint/schema';

/** `acme.asset-tracking` → `assetTracking` */
export function fieldPrefix(pluginId: string): string {
  const name = pluginId.slice(pluginId.indexOf('.') + 1);
  return name
    .split('-')
    .filter((part) => part !== '')
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
}

export function hasPrefix(name: string, prefix: string): boolean {
  return name.length > prefix.length && name.startsWith(prefix) && /[A-Z0-9]/.test(name.charAt(prefix.length));
}

/** Two prefixes that would make one plugin's names look like the other's. */
export function prefixesClash(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

function example(prefix: string, name: string): string {
  return `${prefix}${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

/** Every name of a plugin's metadata that breaks the rule above. */
export function namespaceIssues(pluginId: string, metadata: PluginMetadata): Issue[] {
  const prefix = fieldPrefix(pluginId);
  const own = new Set(metadata.entities.map((e) => e.name));
  const issues: Issue[] = [];
  const checkInverse = (path: string, relation: { target: string; inverse?: string } | undefined) => {
    if (!relation?.inverse || own.has(relation.target) || hasPrefix(relation.inverse, prefix)) return;
    issues.push({
      path: `${path}.relation.inverse`,
      message: `the inverse name "${relation.inverse}" lands on "${relation.target}", which this plugin does not own: it must start with "${prefix}" (e.g. ${example(prefix, relation.inverse)}) so plugins cannot collide`,
    });
  };
  for (const entity of metadata.entities) {
    for (const field of entity.fields) checkInverse(`entities.${entity.name}.fields.${field.name}`, field.relation);
  }
  for (const { entity, field } of metadata.fields) {
    const path = `fields.${entity}.${field.name}`;
    if (!own.has(entity) && !hasPrefix(field.name, prefix)) {
      issues.push({
        path,
        message: `fields this plugin adds to "${entity}" must start with "${prefix}" (e.g. ${example(prefix, field.name)}) so plugins cannot collide`,
      });
    }
    checkInverse(path, field.relation);
  }
  return issues;
}
