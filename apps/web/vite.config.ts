import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `touchpoint start` mounts the built handler (build/handler.js) in front of the API, on one port.
export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ out: 'build', precompress: true }),
      // Every page's Content-Security-Policy: scripts only from this origin, plus SvelteKit's inline bootstrap
      // script, which it allows by its hash (computed per page); no framing. Styles keep 'unsafe-inline': the
      // screens set style attributes and Svelte transitions inject styles, neither of which can run code.
      csp: {
        mode: 'hash',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          'style-src': ['self', 'unsafe-inline'],
          'img-src': ['self', 'data:', 'blob:'],
          'font-src': ['self'],
          'connect-src': ['self'],
          'object-src': ['none'],
          'base-uri': ['self'],
          'form-action': ['self'],
          'frame-ancestors': ['none'],
        },
      },
    }),
  ],
  build: { chunkSizeWarningLimit: 400 },
});
