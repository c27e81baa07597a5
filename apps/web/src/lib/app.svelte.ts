// What every screen reads: the session, the metadata and the UI words, from the root layout's data.
import { page } from '$app/state';
import { type Fetch, gql, type Session } from './api.ts';
import { messages } from './i18n.ts';
import type { EntityDefinition } from './meta.ts';

export function useApp() {
  return {
    get session(): Session {
      return page.data.session as Session;
    },
    get entities(): EntityDefinition[] {
      return (page.data.entities ?? []) as EntityDefinition[];
    },
    get byName(): Map<string, EntityDefinition> {
      return new Map(this.entities.map((e) => [e.name, e]));
    },
    get t() {
      return messages(this.session.lang);
    },
    get lang() {
      return this.session.lang;
    },
    /** GraphQL as the current user (in the browser). */
    query<T>(query: string, variables?: Record<string, unknown>, fetchFn: Fetch = fetch): Promise<T> {
      return gql<T>(fetchFn, this.session, query, variables);
    },
  };
}

export type App = ReturnType<typeof useApp>;
