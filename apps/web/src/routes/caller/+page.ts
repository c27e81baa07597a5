// Caller identification (screen-pop): who has this number, their open cases and latest touchpoints.
import { gql } from '#lib/api.ts';
import type { PageLoad } from './$types';

export interface CallerMatch {
  entity: string;
  id: string;
  title: string;
  field: string;
  exact: boolean;
  accountId: string | null;
  accountName: string | null;
  openCases: { id: string; caseNumber: string; subject: string; status: string; openedAt: string }[];
  latestTouchpoints: { id: string; occurredAt: string; channel: string; subject: string; direction: string | null }[];
}

export const load: PageLoad = async ({ url, fetch, parent }) => {
  const { session } = await parent();
  const phone = url.searchParams.get('phone')?.trim() ?? '';
  if (!phone) return { phone, matches: [] as CallerMatch[] };
  const data = await gql<{ whoIsCalling: { matches: CallerMatch[] } }>(
    fetch,
    session,
    `query Caller($phone: String!) { whoIsCalling(phone: $phone, touchpoints: 5) { matches {
      entity id title field exact accountId accountName
      openCases { id caseNumber subject status openedAt }
      latestTouchpoints { id occurredAt channel subject direction }
    } } }`,
    { phone },
  );
  return { phone, matches: data.whoIsCalling.matches };
};
