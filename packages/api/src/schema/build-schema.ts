// Builds the GraphQL schema of one workspace at one metadata version.
import type { WorkspaceMetadata } from '@touchpoint/engine';
import type { SystemPermission } from '@touchpoint/schema';
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import { requirePermission } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { relationGraph } from '../graph.ts';
import type { SelectionContext } from '../selection.ts';
import { auditQueries, declareAuditTypes } from './audit-fields.ts';
import { declareCrm } from './crm-fields.ts';
import { addEntityMutations, addEntityQueries } from './entity-fields.ts';
import { declareEntityTypes, type EntityTypes } from './entity-types.ts';
import { addIdentityFields, SELF_SERVICE_MUTATIONS } from './identity-fields.ts';
import { declareMetadataTypes, metadataMutations, metadataQueries } from './metadata-fields.ts';
import { addPeopleFields, OPEN_MUTATIONS } from './people-fields.ts';
import { addPluginFields } from './plugin-fields.ts';
import { createBuilder, sharedTypes } from './shared-types.ts';
import { addSharingFields, SHARING_MUTATIONS } from './sharing-fields.ts';

/**
 * The system permission each administrative mutation needs; any other non-record mutation (metadata,
 * workspaces, archives, and whatever is added later) needs `manageMetadata`.
 */
const MUTATION_PERMISSIONS: Readonly<Record<string, SystemPermission>> = {
  inviteUser: 'manageUsers',
  revokeInvitation: 'manageUsers',
  changeMemberRole: 'manageUsers',
  setUserRoles: 'manageUsers',
  deactivateMember: 'manageUsers',
  reactivateMember: 'manageUsers',
  removeMember: 'manageUsers',
  installPlugin: 'managePlugins',
  upgradePlugin: 'managePlugins',
  enablePlugin: 'managePlugins',
  disablePlugin: 'managePlugins',
  uninstallPlugin: 'managePlugins',
};

export function buildSchema(metadata: WorkspaceMetadata): GraphQLSchema {
  const builder = createBuilder();
  const shared = sharedTypes(builder);
  const relations = relationGraph(metadata.entities);
  const all = new Map<string, EntityTypes>();
  for (const entity of metadata.entities) {
    all.set(entity.name, declareEntityTypes(builder, shared, entity, relations.get(entity.name) ?? [], all));
  }
  const selectionContext: SelectionContext = { entities: metadata.byName, relations };
  const granularity = builder.enumType('DateGranularity', {
    values: ['day', 'week', 'month', 'quarter', 'year'] as const,
  });
  const metadataTypes = declareMetadataTypes(builder, shared);
  const auditTypes = declareAuditTypes(builder, shared);
  // The CRM's built-in behaviour (timeline, reports, search, segments, lead conversion), where it fits.
  const crm = declareCrm(builder, shared, metadata, all, selectionContext);
  addPluginFields(builder, shared, metadataTypes);
  addPeopleFields(builder, addIdentityFields(builder));
  addSharingFields(builder);
  // Mutations on records (and a plugin's record action) are for every signed-in user; every other mutation
  // (metadata, plugins, workspaces, users) is for administrators, including any added later.
  const recordMutations = new Set<string>([
    ...SELF_SERVICE_MUTATIONS,
    ...OPEN_MUTATIONS,
    ...SHARING_MUTATIONS,
    'runAction',
  ]);
  builder.queryType({
    fields: (t) => {
      const fields: Record<string, unknown> = { ...metadataQueries(t, metadataTypes), ...auditQueries(t, auditTypes) };
      for (const types of all.values())
        Object.assign(fields, addEntityQueries(t, types, selectionContext, granularity));
      return { ...crm?.queries(t), ...fields } as never;
    },
  });
  builder.mutationType({
    fields: (t) => {
      const fields: Record<string, unknown> = { ...metadataMutations(t, metadataTypes) };
      const crmFields = crm?.mutations(t) ?? {};
      const entityFields: Record<string, unknown> = {};
      for (const types of all.values()) Object.assign(entityFields, addEntityMutations(t, types, selectionContext));
      for (const name of [...Object.keys(crmFields), ...Object.keys(entityFields)]) recordMutations.add(name);
      return { ...crmFields, ...fields, ...entityFields } as never;
    },
  });
  const schema = builder.toSchema({ sortSchema: false });
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    if (recordMutations.has(field.name)) continue;
    const resolve = field.resolve ?? defaultFieldResolver;
    const what = `run ${field.name} (it changes the workspace's metadata, plugins or users)`;
    const permission = MUTATION_PERMISSIONS[field.name] ?? 'manageMetadata';
    field.resolve = (root, args, ctx: ApiContext, info) => {
      requirePermission(ctx.viewer, permission, what);
      return resolve(root, args, ctx, info);
    };
  }
  return schema;
}
