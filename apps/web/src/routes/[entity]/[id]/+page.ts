// A record page: the record with every field, and the first rows of each related list, in two requests.
import { error } from '@sveltejs/kit';
import { ApiError, gql } from '#lib/api.ts';
import { findEntityByPath, type Row, recordDocument, relatedDocuments, relatedLists } from '#lib/meta.ts';
import { namesOf } from '#lib/people.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, parent }) => {
  const { entities, session } = await parent();
  const entity = findEntityByPath(entities, params.entity);
  if (!entity) error(404, `There is no entity "${params.entity}".`);
  const byName = new Map(entities.map((e) => [e.name, e]));
  const lists = relatedLists(entity, entities);
  let record: Row | null;
  let related: Record<string, { totalCount: number; nodes: Row[] }> = {};
  try {
    const [one, ...many] = await Promise.all([
      gql<{ record: Row | null }>(fetch, session, recordDocument(entity, byName), { id: params.id }),
      ...relatedDocuments(lists, byName).map((document) =>
        gql<typeof related>(fetch, session, document, { id: params.id }),
      ),
    ]);
    record = one.record;
    related = Object.assign({}, ...many);
  } catch (e) {
    if (e instanceof ApiError && (e.code === 'BAD_REQUEST' || e.code === 'VALIDATION_FAILED')) record = null;
    else throw e;
  }
  if (!record) error(404, `This ${entity.labels.en.toLowerCase()} does not exist or was deleted.`);
  return {
    entity,
    record,
    lists,
    related,
    people: await namesOf(fetch, session, [record.createdBy, record.updatedBy]),
  };
};
