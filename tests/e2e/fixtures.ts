// What every browser test imports instead of @playwright/test. With E2E_CLOCK set (an ISO instant), the
// browser runs on a clock started at that instant, as the server does (playwright.config.ts passes it on as
// TOUCHPOINT_CLOCK): `E2E_CLOCK=2027-12-31T23:59:00Z pnpm test:e2e` runs the suite a minute before midnight.
import { type BrowserContext, test as base, expect, type Page } from '@playwright/test';

export const E2E_CLOCK = process.env.E2E_CLOCK || undefined;

/** The demo sign-in every test uses unless it signs in otherwise (README: demo only). */
export const DEMO_ADMIN = { email: 'admin@example.com', password: 'touchpoint' };

/** Signs a browser context in through the API's signIn mutation: the session cookie lands in its cookie jar. */
export async function signIn(context: BrowserContext, who: { email: string; password: string } = DEMO_ADMIN) {
  const response = await context.request.post('/graphql', {
    data: {
      query: 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { id } }',
      variables: { e: who.email, p: who.password },
    },
  });
  const body = await response.json();
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
}

export const test = base.extend<{ signedInAs: { email: string; password: string } | null }>({
  /** Who the browser is signed in as before the test starts (`test.use({ signedInAs: null })`: nobody). */
  signedInAs: [DEMO_ADMIN, { option: true }],
  context: async ({ context, signedInAs }, use) => {
    if (E2E_CLOCK) await context.clock.install({ time: new Date(E2E_CLOCK) });
    if (signedInAs) await signIn(context, signedInAs);
    await use(context);
  },
});
export { expect, type Page, type Request } from '@playwright/test';

/** A screenshot of the page, kept with the test's results and attached to its report. */
export async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  await test.info().attach(name, { path, contentType: 'image/png' });
}

/** A GraphQL request with the browser's session cookie; fails the test on any error. */
export async function graphql<T>(page: Page, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await page.request.post('/graphql', {
    data: { query, variables },
  });
  const body = await response.json();
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data as T;
}
