import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, parent }) => {
  const { entities } = await parent();
  const entity = entities.find((e) => e.name === params.entity);
  if (!entity) error(404, `There is no entity "${params.entity}".`);
  return { entityName: entity.name };
};
