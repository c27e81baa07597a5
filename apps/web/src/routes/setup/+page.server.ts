// The first start's setup is there only while nobody can sign in; afterwards it leads to sign-in.
import { redirect } from '@sveltejs/kit';
import { gql } from '#lib/api.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch, parent }) => {
  const { session } = await parent();
  const { setupNeeded } = await gql<{ setupNeeded: boolean }>(fetch, session, '{ setupNeeded }');
  if (!setupNeeded) redirect(303, '/signin');
  return {};
};
