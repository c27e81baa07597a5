// Who is working, in which workspace and language. The person is whoever the session cookie belongs to (the
// API answers `viewer`); without a working session every page but the public ones (sign-in, setup, an
// invitation) leads to sign-in — or, on a first start, to setup — and back to the page afterwards. Without a language cookie (a new browser) the user's stored preference decides.
import { redirect } from '@sveltejs/kit';
import { ApiError, gql, isPublicPath, type Lang, type Session, signInPath, type Viewer } from '#lib/api.ts';
import { readLanguagePreference } from '#lib/preferences.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ cookies, fetch, url: tracked, untrack }) => {
  // Who is signed in does not change with the page: read the URL without re-running this on every navigation
  // (sign-in and sign-out reload everything themselves).
  const url = untrack(() => new URL(tracked.href));
  const workspace = cookies.get('tp_workspace');
  const session: Session = {
    user: '',
    workspace: workspace && /^[a-z][a-z0-9_-]{0,40}$/.test(workspace) ? workspace : 'default',
    lang: 'en',
    viewer: null,
  };
  const cookie = cookies.get('tp_lang');
  let lang: Lang | null = cookie === 'zh-CN' || cookie === 'en' ? cookie : null;
  if (!isPublicPath(url.pathname)) {
    try {
      session.viewer = (
        await gql<{ viewer: Viewer }>(fetch, session, '{ viewer { id name email role isAdmin } }')
      ).viewer;
      session.user = session.viewer.id;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
        // A first start without demo data: nobody can sign in yet, so the setup screen comes first.
        const { setupNeeded } = await gql<{ setupNeeded: boolean }>(fetch, session, '{ setupNeeded }').catch(() => ({
          setupNeeded: false,
        }));
        redirect(303, setupNeeded ? '/setup' : signInPath(url));
      }
      if (error instanceof ApiError && error.code === 'FORBIDDEN') redirect(303, signInPath(url));
      throw error;
    }
    if (!lang) {
      lang = (await readLanguagePreference(fetch, session).catch(() => null)) ?? 'en';
      cookies.set('tp_lang', lang, { path: '/', httpOnly: false, secure: false, maxAge: 31536000, sameSite: 'lax' });
    }
  }
  session.lang = lang ?? 'en';
  return { session };
};
