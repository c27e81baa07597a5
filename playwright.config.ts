// Browser tests: Debian's Chromium (never a Playwright download) against Touchpoint started exactly as
// `npm start` starts it — web app and API on one port, embedded database, demo data — in a fresh data dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/chromium.ts';

const port = Number(process.env.E2E_PORT ?? 3391);
// E2E_BASE_URL points the tests at a Touchpoint that is already running (while developing).
const external = process.env.E2E_BASE_URL;
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'touchpoint-e2e-'));

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results/e2e',
  use: {
    baseURL: external ?? `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  webServer: external
    ? undefined
    : {
        command: 'npm start',
        url: `http://127.0.0.1:${port}/healthz`,
        timeout: 300_000,
        reuseExistingServer: false,
        stdout: 'pipe',
        // E2E_CLOCK (an ISO instant) runs the server, and the browsers (tests/e2e/fixtures.ts), as if it were then.
        env: {
          PORT: String(port),
          TOUCHPOINT_DATA_DIR: dataDir,
          DATABASE_URL: '',
          ...(process.env.E2E_CLOCK ? { TOUCHPOINT_CLOCK: process.env.E2E_CLOCK } : {}),
        },
      },
});
