// The audit log screen's reading: a filter from the page's URL (so a filtered view can be shared and the
// back button works), one page of entries, and what people need to read them — the actors' names and the
// titles of the records they name (one list query per entity; a record that is gone has no title).
import type { Fetch, Session } from './api.ts';
import { gql } from './api.ts';
import { type EntityDefinition, fieldByName, type Row, rootNames, titleSelection } from './meta.ts';
import { namesOf } from './people.ts';

export interface AuditChange {
  field: string;
  old: unknown;
  new: unknown;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  channel: string;
  action: string;
  entity: string | null;
  recordId: string | null;
  metadataVersion: number | null;
  pluginId: string | null;
  changes: AuditChange[];
}

export interface AuditFilter {
  actor?: string;
  entity?: string;
  action?: string;
  channel?: string;
  from?: string;
  to?: string;
}

export const AUDIT_PAGE = 50;
const MAX_TITLES = 200;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filter the URL asks for: `from` and `until` are days (YYYY-MM-DD) in the browser's time zone. */
export function filterFromUrl(params: Pick<URLSearchParams, 'get'>): {
  filter: AuditFilter;
  days: { from: string; until: string };
} {
  const filter: AuditFilter = {};
  for (const key of ['actor', 'entity', 'action', 'channel'] as const) {
    const value = params.get(key);
    if (value) filter[key] = value;
  }
  const from = params.get('from') ?? '';
  const until = params.get('until') ?? '';
  if (DAY.test(from)) filter.from = new Date(`${from}T00:00:00`).toISOString();
  // Until a day means up to its end: the filter's `to` is exclusive, so the next midnight.
  if (DAY.test(until)) {
    const end = new Date(`${until}T00:00:00`);
    end.setDate(end.getDate() + 1);
    filter.to = end.toISOString();
  }
  return { filter, days: { from: DAY.test(from) ? from : '', until: DAY.test(until) ? until : '' } };
}

const QUERY = `query Audit($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    nodes { id at actor channel action entity recordId metadataVersion pluginId changes { field old new } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface AuditPage {
  entries: AuditEntry[];
  hasNextPage: boolean;
  endCursor: string | null;
  names: Record<string, string>;
  /** Titles by entity name, then record id. */
  titles: Record<string, Record<string, Row>>;
}

const idsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

export async function readAuditPage(
  fetchFn: Fetch,
  session: Pick<Session, 'workspace'>,
  entities: ReadonlyMap<string, EntityDefinition>,
  filter: AuditFilter,
  after: string | null,
): Promise<AuditPage> {
  const { auditLog } = await gql<{
    auditLog: { nodes: AuditEntry[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  }>(fetchFn, session, QUERY, { filter, first: AUDIT_PAGE, after });
  const entries = auditLog.nodes;
  // Which records of which entity the page names: the changed records and the targets of changed relations.
  const wanted = new Map<string, Set<string>>();
  const want = (entity: string, ids: string[]) => {
    const set = wanted.get(entity) ?? new Set<string>();
    for (const id of ids) set.add(id);
    wanted.set(entity, set);
  };
  for (const entry of entries) {
    if (!entry.entity) continue;
    if (entry.recordId) want(entry.entity, [entry.recordId]);
    const definition = entities.get(entry.entity);
    for (const change of entry.changes) {
      const field = definition ? fieldByName(definition, change.field) : undefined;
      const target = field?.type === 'relation' ? field.relation?.target : undefined;
      if (target) want(target, [...idsOf(change.old), ...idsOf(change.new)]);
    }
  }
  const titles: Record<string, Record<string, Row>> = {};
  const [names] = await Promise.all([
    namesOf(
      fetchFn,
      session,
      entries.map((e) => e.actor),
    ),
    ...[...wanted].map(async ([name, ids]) => {
      const entity = entities.get(name);
      if (!entity || ids.size === 0) return;
      try {
        const { page } = await gql<{ page: { nodes: Row[] } }>(
          fetchFn,
          session,
          `query Titles($ids: [ID!]) { page: ${rootNames(entity).many}(filter: { id: { in: $ids } }, first: ${MAX_TITLES}) { nodes { id ${titleSelection(entity, entities)} } } }`,
          { ids: [...ids].slice(0, MAX_TITLES) },
        );
        titles[name] = Object.fromEntries(page.nodes.map((row) => [String(row.id), row]));
      } catch {
        // An entity the admin may no longer read (or that is gone): its records show without titles.
      }
    }),
  ]);
  return { entries, hasNextPage: auditLog.pageInfo.hasNextPage, endCursor: auditLog.pageInfo.endCursor, names, titles };
}
