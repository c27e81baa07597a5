// What every screen reads: the session, the metadata and the UI words, from the root layout's data.
import { page } from '$app/state';
import { type Fetch, gql, type Session } from './api.ts';
import { messages } from './i18n.ts';
import type { EntityDefinition } from './meta.ts';
import { can, hasSystem, type Right, type SystemRight, type ViewerPermissions } from './permissions.ts';

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
    /** Every entity with every field, whatever this person may see: for the designer. */
    get definitions(): EntityDefinition[] {
      return (page.data.definitions ?? page.data.entities ?? []) as EntityDefinition[];
    },
    /** What the person may do (`viewer.permissions`); null when the API does not say. */
    get permissions(): ViewerPermissions | null {
      return (page.data.permissions ?? null) as ViewerPermissions | null;
    },
    /** The person's roles (API names). */
    get roles(): string[] {
      return (page.data.roles ?? []) as string[];
    },
    /** May the person do `right` with records of `entity`? */
    can(entity: string, right: Right): boolean {
      return can(this.permissions, entity, right);
    },
    /** May the person open an area of administration? */
    allowed(right: SystemRight): boolean {
      return hasSystem(this.permissions, right, Boolean(this.session.viewer?.isAdmin));
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
