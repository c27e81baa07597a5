// The web app runs in the same process as the API, in front of it. During server rendering, the screens'
// GraphQL requests to `/graphql` leave SvelteKit (which has no such route) and go to the API over HTTP, with
// the visitor's session cookie. They carry the visitor's address in X-Forwarded-For (which the API believes
// from this machine only), so the API's rate limit counts them against the visitor, not against the web app.
import type { Handle, HandleFetch } from '@sveltejs/kit/hooks';

export const handleFetch: HandleFetch = async ({ request, fetch, event }) => {
  const url = new URL(request.url);
  const api = process.env.TOUCHPOINT_API_URL;
  if (api && url.origin === event.url.origin && url.pathname === '/graphql') {
    // SvelteKit adds the visitor's cookies only inside its own fetch, which this bypasses: the session cookie
    // is passed on here, so the API sees the same person as the page.
    const headers = new Headers(request.headers);
    headers.set('x-forwarded-for', event.getClientAddress());
    const cookie = event.request.headers.get('cookie');
    if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
    return globalThis.fetch(`${api}/graphql${url.search}`, {
      method: request.method,
      headers,
      body: request.method === 'GET' ? undefined : await request.text(),
    });
  }
  return fetch(request);
};

export const handle: Handle = async ({ event, resolve }) => {
  const lang = event.cookies.get('tp_lang') === 'zh-CN' ? 'zh-CN' : 'en';
  return resolve(event, { transformPageChunk: ({ html }) => html.replace('%lang%', lang) });
};
