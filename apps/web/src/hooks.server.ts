// The web app runs in the same process as the API, in front of it. During server rendering, the screens'
// GraphQL requests to `/graphql` leave SvelteKit (which has no such route) and go to the API over HTTP.
import type { Handle, HandleFetch } from '@sveltejs/kit/hooks';

export const handleFetch: HandleFetch = async ({ request, fetch, event }) => {
  const url = new URL(request.url);
  const api = process.env.TOUCHPOINT_API_URL;
  if (api && url.origin === event.url.origin && url.pathname === '/graphql') {
    return globalThis.fetch(`${api}/graphql${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.method === 'GET' ? undefined : await request.text(),
    });
  }
  return fetch(request);
};

export const handle: Handle = async ({ event, resolve }) => {
  const lang = event.cookies.get('tp_lang') === 'zh-CN' ? 'zh-CN' : 'en';
  return resolve(event, { transformPageChunk: ({ html }) => html.replace('%lang%', lang) });
};
