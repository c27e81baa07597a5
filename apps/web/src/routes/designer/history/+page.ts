import { gql } from '#lib/api.ts';
import type { PageLoad } from './$types';

interface Version {
  version: number;
  reason: string | null;
  actor: string | null;
  createdAt: string;
  steps: { description: string; destructive: boolean }[];
  changes: Record<string, unknown>[];
}

export const load: PageLoad = async ({ fetch, parent }) => {
  const { session } = await parent();
  const data = await gql<{ metadataHistory: Version[] }>(
    fetch,
    session,
    '{ metadataHistory(first: 100) { version reason actor createdAt changes steps { description destructive } } }',
  );
  return { history: data.metadataHistory };
};
