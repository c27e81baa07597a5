import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships CommonJS (`main`) and ESM (`module`) builds. Node loads the CommonJS one for Pothos and
    // graphql-yoga; Vite would give our sources the ESM one, and two graphql instances refuse each other's
    // types. One path for everybody, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'plugins/*/test/**/*.test.ts',
      'tests/api/**/*.test.ts',
      'tests/*.test.ts',
      'apps/web/src/lib/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // isolated-vm (packages/sandbox) needs it on Node >= 20; Vitest 5 passes execArgv to every forked worker.
    execArgv: ['--no-node-snapshot'],
  },
});
