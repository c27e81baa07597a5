// A list screen's state lives in its address (view, quick search, filter, sort, columns, page), so a view
// can be bookmarked, shared and saved; the first page is read during server rendering.
import { error } from '@sveltejs/kit';
import { gql } from '#lib/api.ts';
import { parseConditions, toFilter } from '#lib/filters.ts';
import { findEntityByPath, listColumns, listDocument, type Row } from '#lib/meta.ts';
import type { PageLoad } from './$types';

const PAGE_SIZE = 50;

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export const load: PageLoad = async ({ params, url, fetch, parent }) => {
  const { entities, session } = await parent();
  const entity = findEntityByPath(entities, params.entity);
  if (!entity) error(404, `There is no entity "${params.entity}".`);
  const byName = new Map(entities.map((e) => [e.name, e]));
  const view = url.searchParams.get('view') ?? 'list';
  const q = url.searchParams.get('q') ?? '';
  const conditions = parseConditions(url.searchParams.get('filter'));
  const sortParam = url.searchParams.get('sort');
  const sort = sortParam
    ? sortParam.split(',').map((s) => {
        const [field, direction] = s.split(':');
        return { field: field ?? '', direction: direction === 'desc' ? 'desc' : 'asc' };
      })
    : null;
  const known = new Set(entity.fields.map((f) => f.name));
  const cols = url.searchParams.get('cols');
  const columns = cols ? cols.split(',').filter((c) => known.has(c)) : listColumns(entity);
  const filter = toFilter(entity, conditions);
  const after = url.searchParams.get('after');
  const before = url.searchParams.get('before');
  type Page = { totalCount: number; pageInfo: PageInfo; nodes: Row[] };
  let page: Page | null = null;
  if (view === 'list') {
    const data = await gql<{ page: Page }>(fetch, session, listDocument(entity, columns, byName), {
      filter,
      orderBy: sort,
      search: q || null,
      ...(before ? { last: PAGE_SIZE, before } : { first: PAGE_SIZE, after }),
    });
    page = data.page;
  }
  return { entity, view, q, conditions, sort, columns, filter, page };
};
