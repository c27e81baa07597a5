// The effective metadata of the workspace: every screen is drawn from it. Reloaded when the designer applies
// a change (invalidate('tp:metadata')) or another admin's change is noticed. With it, what the signed-in person
// may do (`viewer.permissions`): the screens get the entities as this person may see them (`entities`), the
// designer the full definitions (`definitions`).
import { gql, isPublicPath } from '#lib/api.ts';
import type { EntityDefinition } from '#lib/meta.ts';
import { entitiesFor, loadPermissions, type ViewerPermissions } from '#lib/permissions.ts';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ fetch, data, depends, url, untrack }) => {
  depends('tp:metadata');
  // The public pages (sign-in, setup, an invitation) need no metadata (and could not read it yet). Untracked: the metadata does not change
  // with the page, and signing in reloads everything.
  if (isPublicPath(untrack(() => url.pathname)))
    return {
      session: data.session,
      metadataVersion: 0,
      entities: [],
      definitions: [],
      roles: [] as string[],
      permissions: null as ViewerPermissions | null,
    };
  const [result, access] = await Promise.all([
    gql<{ metadataVersion: number; entities: { definition: EntityDefinition }[] }>(
      fetch,
      data.session,
      '{ metadataVersion entities { definition } }',
    ),
    loadPermissions(fetch, data.session),
  ]);
  const definitions = result.entities.map((e) => e.definition);
  return {
    session: data.session,
    metadataVersion: result.metadataVersion,
    entities: entitiesFor(definitions, access.permissions),
    definitions,
    roles: access.roles,
    permissions: access.permissions,
  };
};
