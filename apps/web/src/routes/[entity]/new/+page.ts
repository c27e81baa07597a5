import { error } from '@sveltejs/kit';
import { findEntityByPath, isManyToOne } from '#lib/meta.ts';
import type { PageLoad } from './$types';

// `?account=<id>&accountTitle=<name>` pre-fills a relation (the "+ New" of a related list).
export const load: PageLoad = async ({ params, url, parent }) => {
  const { entities } = await parent();
  const entity = findEntityByPath(entities, params.entity);
  if (!entity) error(404, `There is no entity "${params.entity}".`);
  const initial: Record<string, unknown> = {};
  const titles: Record<string, string> = {};
  for (const field of entity.fields) {
    const value = url.searchParams.get(field.name);
    if (value && isManyToOne(field)) {
      initial[field.name] = value;
      titles[field.name] = url.searchParams.get(`${field.name}Title`) ?? '';
    }
  }
  return { entity, initial, titles };
};
