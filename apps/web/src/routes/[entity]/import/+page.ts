import { error } from '@sveltejs/kit';
import { findEntityByPath } from '#lib/meta.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, parent }) => {
  const { entities } = await parent();
  const entity = findEntityByPath(entities, params.entity);
  if (!entity) error(404, `There is no entity "${params.entity}".`);
  return { entity };
};
