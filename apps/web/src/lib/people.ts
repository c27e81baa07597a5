// Audit columns (createdBy, updatedBy, a metadata version's actor) hold user ids; people see names.
import { type Fetch, gql, type Session } from './api.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_IDS = 200;

/** The names of the users among `actors` (others — `seed`, `system`, `cli`, plugins — are not users). */
export async function namesOf(
  fetchFn: Fetch,
  session: Pick<Session, 'workspace'>,
  actors: unknown[],
): Promise<Record<string, string>> {
  const ids = [...new Set(actors)].filter((id): id is string => typeof id === 'string' && UUID.test(id));
  if (ids.length === 0) return {};
  try {
    const { users } = await gql<{ users: { nodes: { id: string; name: string }[] } }>(
      fetchFn,
      session,
      'query People($ids: [ID!], $n: Int) { users(filter: { id: { in: $ids } }, first: $n) { nodes { id name } } }',
      { ids: ids.slice(0, MAX_IDS), n: Math.min(ids.length, MAX_IDS) },
    );
    return Object.fromEntries(users.nodes.map((u) => [u.id, u.name]));
  } catch {
    // A workspace without the user entity shows the ids instead.
    return {};
  }
}

/** An actor in words: a user's name, the demo seed as `demoData`, anything else as it is. */
export function actorName(actor: unknown, names: Record<string, string>, demoData: string): string {
  if (typeof actor !== 'string' || actor === '') return '—';
  return actor === 'seed' ? demoData : (names[actor] ?? actor);
}
