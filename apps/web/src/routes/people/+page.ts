import { gql } from '#lib/api.ts';
import type { PageLoad } from './$types';

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: string | null;
  active: boolean;
  lastSignInAt: string | null;
}

export interface Invitation {
  id: string;
  email: string;
  role: string;
  createdAt: string;
  expiresAt: string;
}

export const load: PageLoad = async ({ fetch, parent, depends }) => {
  depends('tp:people');
  const { session } = await parent();
  return gql<{ members: Member[]; invitations: Invitation[] }>(
    fetch,
    session,
    '{ members { userId name email role active lastSignInAt } invitations { id email role createdAt expiresAt } }',
  );
};
