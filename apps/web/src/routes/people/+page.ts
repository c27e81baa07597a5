import { gql } from '#lib/api.ts';
import type { PageLoad } from './$types';

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: string | null;
  /** The permission roles the member holds; absent when the API does not tell. */
  roles?: string[];
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

/** A role to choose from, by its label. */
export interface RoleChoice {
  name: string;
  labels: { en: string; 'zh-CN': string };
}

const INVITATIONS = 'invitations { id email role createdAt expiresAt }';

export const load: PageLoad = async ({ fetch, parent, depends }) => {
  depends('tp:people');
  depends('tp:metadata');
  const { session, permissions } = await parent();
  type Data = { members: Member[]; invitations: Invitation[] };
  // Each member's roles, and the roles to choose from, where the API has them (with `viewer.permissions`).
  const [data, model] = await Promise.all([
    permissions
      ? gql<Data>(
          fetch,
          session,
          `{ members { userId name email role roles active lastSignInAt } ${INVITATIONS} }`,
        ).catch(() => null)
      : null,
    permissions
      ? gql<{ permissionModel: { roles: RoleChoice[] } }>(fetch, session, '{ permissionModel }').catch(() => null)
      : null,
  ]);
  const result =
    data ??
    (await gql<Data>(fetch, session, `{ members { userId name email role active lastSignInAt } ${INVITATIONS} }`));
  return {
    ...result,
    withRoles: data !== null,
    roleChoices: (model?.permissionModel.roles ?? []).map((r) => ({ name: r.name, labels: r.labels })),
  };
};
