// Who is working, in which workspace and language: kept in cookies so every page, server-rendered or not,
// asks the API as the same user. Without a language cookie (a new browser, another user) the user's stored
// preference decides.
import type { Lang, Session } from '#lib/api.ts';
import { readLanguagePreference } from '#lib/preferences.ts';
import type { LayoutServerLoad } from './$types';

const USER = /^[\w.:@-]{1,100}$/;

export const load: LayoutServerLoad = async ({ cookies, fetch }) => {
  const user = cookies.get('tp_user');
  const workspace = cookies.get('tp_workspace');
  const session: Session = {
    user: user && USER.test(user) ? user : 'admin',
    workspace: workspace && /^[a-z][a-z0-9_]{0,40}$/.test(workspace) ? workspace : 'default',
    lang: 'en',
  };
  const cookie = cookies.get('tp_lang');
  let lang: Lang | null = cookie === 'zh-CN' || cookie === 'en' ? cookie : null;
  if (!lang) {
    lang = (await readLanguagePreference(fetch, session).catch(() => null)) ?? 'en';
    cookies.set('tp_lang', lang, { path: '/', httpOnly: false, secure: false, maxAge: 31536000, sameSite: 'lax' });
  }
  session.lang = lang;
  return { session };
};
