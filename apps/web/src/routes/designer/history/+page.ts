import { gql } from '#lib/api.ts';
import { namesOf } from '#lib/people.ts';
import { type PlanStep, STEP_FIELDS } from '#lib/plan-text.ts';
import type { PageLoad } from './$types';

interface Version {
  version: number;
  reason: string | null;
  actor: string | null;
  createdAt: string;
  steps: PlanStep[];
  changes: Record<string, unknown>[];
}

export const load: PageLoad = async ({ fetch, parent }) => {
  const { session } = await parent();
  const data = await gql<{ metadataHistory: Version[] }>(
    fetch,
    session,
    `{ metadataHistory(first: 100) { version reason actor createdAt changes steps { ${STEP_FIELDS} } } }`,
  );
  const people = await namesOf(
    fetch,
    session,
    data.metadataHistory.map((v) => v.actor),
  );
  return { history: data.metadataHistory, people };
};
