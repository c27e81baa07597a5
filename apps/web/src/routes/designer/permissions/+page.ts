// The roles and sharing settings in effect (the API's `permissionModel`, for people who manage sharing). Read
// again whenever the metadata changes: role and sharing changes are metadata versions.

import type { PermissionModel } from '@touchpoint/schema';
import { ApiError, gql } from '#lib/api.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, parent, depends }) => {
  depends('tp:metadata');
  const { session } = await parent();
  try {
    const data = await gql<{ permissionModel: PermissionModel }>(fetch, session, '{ permissionModel }');
    return { model: data.permissionModel, refused: null as string | null };
  } catch (error) {
    return { model: null, refused: error instanceof ApiError ? error.code : 'ERROR' };
  }
};
