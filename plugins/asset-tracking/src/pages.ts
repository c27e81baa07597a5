// Reading every record a filter matches, page by page, within a bound (each page is one host call).
import type { HostApi, ListOptions, RecordData } from '@touchpoint/plugin-sdk';

const PAGE = 500;
const MAX_PAGES = 20;

export async function listAll(host: HostApi, entity: string, options: Omit<ListOptions, 'first' | 'after'>) {
  const records: RecordData[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await host.records.list(entity, { ...options, first: PAGE, ...(after ? { after } : {}) });
    records.push(...result.records);
    if (!result.hasNextPage || !result.endCursor) return records;
    after = result.endCursor;
  }
  throw new Error(`more than ${PAGE * MAX_PAGES} ${entity} records match; narrow the period`);
}
