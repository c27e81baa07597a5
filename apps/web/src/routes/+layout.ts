// The effective metadata of the workspace: every screen is drawn from it. Reloaded when the designer applies
// a change (invalidate('tp:metadata')) or another admin's change is noticed.
import { gql, isPublicPath } from '#lib/api.ts';
import type { EntityDefinition } from '#lib/meta.ts';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ fetch, data, depends, url, untrack }) => {
  depends('tp:metadata');
  // The public pages (sign-in, setup, an invitation) need no metadata (and could not read it yet). Untracked: the metadata does not change
  // with the page, and signing in reloads everything.
  if (isPublicPath(untrack(() => url.pathname))) return { session: data.session, metadataVersion: 0, entities: [] };
  const result = await gql<{ metadataVersion: number; entities: { definition: EntityDefinition }[] }>(
    fetch,
    data.session,
    '{ metadataVersion entities { definition } }',
  );
  return {
    session: data.session,
    metadataVersion: result.metadataVersion,
    entities: result.entities.map((e) => e.definition),
  };
};
