// A list screen's state lives in its address (view, quick search, filter, sort, columns, page), so a view
// can be bookmarked, shared and saved; the first page is read during server rendering.
import { error } from '@sveltejs/kit';
import { gql } from '#lib/api.ts';
import { parseConditions, toFilter } from '#lib/filters.ts';
import { calendarField, findEntityByPath, kanbanField, listColumns, listDocument, type Row } from '#lib/meta.ts';
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
  // A board or calendar whose field this person may not see (or that no longer exists) falls back to the list.
  const asked = url.searchParams.get('view') ?? 'list';
  const view =
    (asked === 'kanban' && kanbanField(entity)) || (asked === 'calendar' && calendarField(entity)) ? asked : 'list';
  const q = url.searchParams.get('q') ?? '';
  const conditions = parseConditions(url.searchParams.get('filter'));
  const sortParam = url.searchParams.get('sort');
  // A field the person may not see (or one removed since the address was made) is left out, not sent.
  const known = new Set(entity.fields.map((f) => f.name));
  const sorted = sortParam
    ? sortParam
        .split(',')
        .map((s) => {
          const [field, direction] = s.split(':');
          return { field: field ?? '', direction: direction === 'desc' ? 'desc' : 'asc' };
        })
        .filter((s) => known.has(s.field))
    : [];
  const sort = sorted.length > 0 ? sorted : null;
  const cols = url.searchParams.get('cols');
  const columns = cols ? cols.split(',').filter((c) => known.has(c)) : listColumns(entity);
  const filter = toFilter(entity, conditions);
  const after = url.searchParams.get('after');
  const before = url.searchParams.get('before');
  // Cursors say where a page starts, not its number: the address keeps the position of the page's first row
  // (`at`, 1-based) for the "1–50 of 1,234" line; the first page is at 1 whatever the address says.
  const atParam = Number(url.searchParams.get('at'));
  const at = after || before ? (Number.isInteger(atParam) && atParam > 0 ? atParam : null) : 1;
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
  const from = page && !page.pageInfo.hasPreviousPage ? 1 : at;
  return { entity, view, q, conditions, sort, columns, filter, page, from, pageSize: PAGE_SIZE };
};
