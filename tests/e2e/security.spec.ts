// The web app under its Content-Security-Policy: every kind of screen draws and hydrates with scripts
// limited to its own origin and SvelteKit's hashed bootstrap, and the browser reports no violation.
import { expect, graphql, test } from './fixtures.ts';

test.describe.configure({ mode: 'serial' });

test('every kind of screen works under the CSP, with no violation and no console error', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A violation is also an event in the page; keep each one where the test can read it.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const { accounts } = await graphql<{ accounts: { nodes: { id: string }[] } }>(
    page,
    '{ accounts(first: 1) { nodes { id } } }',
  );
  const paths = [
    '/',
    '/accounts',
    `/accounts/${accounts.nodes[0]!.id}`,
    '/accounts/new',
    '/opportunities?view=kanban',
    '/tasks?view=calendar',
    '/caller?phone=5550100',
    '/designer',
    '/designer/account',
    '/designer/history',
    '/designer/plugins',
    '/people',
    '/invite/not-a-real-secret',
  ];
  for (const path of paths) {
    const response = await page.goto(path);
    const headers = response!.headers();
    const csp = headers['content-security-policy'] ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc, `${path}: ${csp}`).toMatch(/'self'.*'sha256-/);
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    // Hydration is the inline bootstrap script running: allowed by its hash.
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await expect(page.locator('main').first()).toBeVisible();
    const violations = await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []);
    expect(violations, path).toEqual([]);
  }
  expect(problems).toEqual([]);
});

test('a page of another origin cannot frame the app', async ({ page, baseURL }) => {
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (/frame-ancestors|Refused to display/.test(message.text())) blocked.push(message.text());
  });
  // A document of its own (another origin: about:blank's opaque one) frames the app.
  await page.setContent(`<iframe src="${baseURL}/accounts" style="width:800px;height:600px"></iframe>`);
  await expect.poll(() => blocked.length).toBeGreaterThan(0);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  expect(
    await frame
      ?.locator('main')
      .count()
      .catch(() => 0),
  ).toBe(0);
});
