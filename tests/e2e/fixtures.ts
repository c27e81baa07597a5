// What every browser test imports instead of @playwright/test. With E2E_CLOCK set (an ISO instant), the
// browser runs on a clock started at that instant, as the server does (playwright.config.ts passes it on as
// TOUCHPOINT_CLOCK): `E2E_CLOCK=2027-12-31T23:59:00Z pnpm test:e2e` runs the suite a minute before midnight.
import { test as base } from '@playwright/test';

export const E2E_CLOCK = process.env.E2E_CLOCK || undefined;

export const test = base.extend({
  context: async ({ context }, use) => {
    if (E2E_CLOCK) await context.clock.install({ time: new Date(E2E_CLOCK) });
    await use(context);
  },
});
export { expect, type Page, type Request } from '@playwright/test';
