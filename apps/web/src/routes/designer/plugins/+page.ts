import { gql } from '#lib/api.ts';
import { type InstalledPlugin, PLUGINS_QUERY } from '#lib/plugins.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, parent, depends }) => {
  depends('tp:plugins');
  const { session } = await parent();
  const data = await gql<{ plugins: InstalledPlugin[] }>(fetch, session, PLUGINS_QUERY);
  return { plugins: data.plugins };
};
