// What every screen reads: the session, the metadata and the UI words, from the root layout's data.
import { page } from '$app/state';
import { type Fetch, gql, type Session } from './api.ts';
import { messages } from './i18n.ts';
import type { EntityDefinition } from './meta.ts';

// One map per metadata version (the entities array is replaced when the metadata changes): screens look
// entities up per cell and per field, which must not rebuild it each time.
const maps = new WeakMap<EntityDefinition[], Map<string, EntityDefinition>>();

function byNameOf(entities: EntityDefinition[]): Map<string, EntityDefinition> {
  let map = maps.get(entities);
  if (!map) {
    map = new Map(entities.map((e) => [e.name, e]));
    maps.set(entities, map);
  }
  return map;
}

export function useApp() {
  return {
    get session(): Session {
      return page.data.session as Session;
    },
    get entities(): EntityDefinition[] {
      return (page.data.entities ?? []) as EntityDefinition[];
    },
    get byName(): Map<string, EntityDefinition> {
      return byNameOf(this.entities);
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
