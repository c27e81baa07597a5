// A user's language is a record of the userPreference entity (schemas/entities/userPreference.yaml), so it
// follows the user from browser to browser; the `tp_lang` cookie only caches it for server rendering.
import { type Fetch, gql, type Lang, type Session } from './api.ts';

const FIND =
  'query Pref($user: String!) { userPreferences(filter: { user: { eq: $user } }, first: 1) { nodes { id version language } } }';

interface Found {
  userPreferences: { nodes: { id: string; version: number; language: string }[] };
}

export async function readLanguagePreference(
  fetchFn: Fetch,
  session: Pick<Session, 'workspace' | 'user'>,
): Promise<Lang | null> {
  const data = await gql<Found>(fetchFn, session, FIND, { user: session.user });
  const language = data.userPreferences.nodes[0]?.language;
  return language === 'zhCN' ? 'zh-CN' : language === 'en' ? 'en' : null;
}

export async function saveLanguagePreference(
  app: { session: Session; query: <T>(query: string, variables?: Record<string, unknown>) => Promise<T> },
  lang: Lang,
): Promise<void> {
  const language = lang === 'zh-CN' ? 'zhCN' : 'en';
  const data = await app.query<Found>(FIND, { user: app.session.user });
  const existing = data.userPreferences.nodes[0];
  if (existing) {
    await app.query(
      'mutation Pref($id: ID!, $input: UserPreferenceInput!) { updateUserPreference(id: $id, input: $input) { id } }',
      { id: existing.id, input: { language } },
    );
  } else {
    await app.query('mutation Pref($input: UserPreferenceInput!) { createUserPreference(input: $input) { id } }', {
      input: { user: app.session.user, language },
    });
  }
}
