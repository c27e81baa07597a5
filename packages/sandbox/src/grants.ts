// Capabilities are denied unless granted: a host call names an entity and an operation, and runs only
// when the admin granted exactly that in this workspace.
import { API_NAME_PATTERN, type Issue, validationFailed } from '@touchpoint/schema';
import { type PluginGrants, RECORD_OPERATIONS, type RecordOperation } from './types.ts';

/** Grants as a lookup; throws VALIDATION_FAILED listing every malformed entry. */
export function normalizeGrants(grants: PluginGrants | undefined): ReadonlyMap<string, ReadonlySet<RecordOperation>> {
  const issues: Issue[] = [];
  const map = new Map<string, Set<RecordOperation>>();
  for (const [entity, ops] of Object.entries(grants?.records ?? {})) {
    const path = `grants.records.${entity}`;
    if (!API_NAME_PATTERN.test(entity)) issues.push({ path, message: 'is not an entity name' });
    if (!Array.isArray(ops)) {
      issues.push({ path, message: 'must be a list of operations', allowed: RECORD_OPERATIONS });
      continue;
    }
    for (const op of ops) {
      if (!(RECORD_OPERATIONS as readonly unknown[]).includes(op)) {
        issues.push({ path, message: `unknown operation ${JSON.stringify(op)}`, allowed: RECORD_OPERATIONS });
      }
    }
    map.set(entity, new Set(ops));
  }
  if (issues.length > 0) throw validationFailed('The plugin grants are not valid:', issues);
  return map;
}

export function describeGrants(grants: ReadonlyMap<string, ReadonlySet<RecordOperation>>): string {
  if (grants.size === 0) return 'it was granted no record access';
  const parts = [...grants].map(([entity, ops]) => `${entity}: ${[...ops].join(', ')}`);
  return `it was granted ${parts.join('; ')}`;
}
