import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `touchpoint start` mounts the built handler (build/handler.js) in front of the API, on one port.
export default defineConfig({
  plugins: [sveltekit({ adapter: adapter({ out: 'build', precompress: true }) })],
  build: { chunkSizeWarningLimit: 400 },
});
