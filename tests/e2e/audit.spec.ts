// The audit log in a real browser against `npm start`: a rep signs in, creates and changes an account through
// the screens and signs out; an admin signs in, opens the audit log, filters to the rep by name and reads the
// rep's changes in words — people by name, entity, field and option labels, localised times — in English and
// in Chinese, never an id, an action code or an ISO timestamp. A non-admin sees neither the link nor the log.
import { expect, graphql, type Page, shot, test } from './fixtures.ts';

const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

async function signInThroughPage(page: Page, email: string) {
  await page.goto('/signin');
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('touchpoint');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

test.describe('signed in through the page', () => {
  test.use({ signedInAs: null });

  test("a rep's work shows in the admin's audit log by name and label, in English and Chinese", async ({ page }) => {
    const stamp = Date.now().toString(36);
    const name = `Audit Harbour ${stamp}`;

    await signInThroughPage(page, 'rep1@example.com');
    const { viewer: rep } = await graphql<{ viewer: { id: string; name: string } }>(page, '{ viewer { id name } }');
    await page.goto('/accounts/new');
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await page.locator('#f-account-name').fill(name);
    await page.locator('#f-account-type').selectOption({ label: 'Customer' });
    await page.getByTestId('save').click();
    await expect(page.getByTestId('record-title')).toHaveText(name);
    const accountId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByTestId('edit-record').click();
    await page.locator('#f-account-industry').selectOption({ label: 'Technology' });
    await page.getByTestId('save').click();
    await expect(page.getByTestId('edit-record')).toBeVisible();
    // The rep is no admin: no link to the audit log.
    await expect(page.getByTestId('nav-audit')).toHaveCount(0);
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await expect(page).toHaveURL(/\/signin$/);

    await signInThroughPage(page, 'admin@example.com');
    await page.getByTestId('nav-audit').click();
    await expect(page).toHaveURL(/\/admin\/audit$/);
    await expect(page.getByTestId('audit-log')).toBeVisible();
    await page.getByTestId('filter-person').selectOption({ label: rep.name });
    await page.getByTestId('filter-entity').selectOption({ label: 'Account' });
    await page.getByTestId('apply-filter').click();
    await expect(page).toHaveURL(new RegExp(`actor=${rep.id}`));

    const log = page.getByTestId('audit-log');
    const ours = log.getByTestId('audit-entry').filter({ hasText: name });
    await expect(ours).toHaveCount(2);
    // Newest first: the change, then the creation.
    const [changed, created] = [ours.nth(0), ours.nth(1)];
    await expect(changed).toHaveAttribute('data-action', 'record.updated');
    await expect(changed).toContainText(rep.name);
    await expect(changed).toContainText('changed');
    await expect(changed).toContainText('Account');
    await expect(changed.getByRole('link', { name })).toHaveAttribute('href', `/accounts/${accountId}`);
    await expect(changed.locator('[data-field="industry"]')).toContainText('Industry:');
    await expect(changed.locator('[data-field="industry"] .new')).toHaveText('Technology');
    await expect(changed).toContainText('web');
    await expect(created).toHaveAttribute('data-action', 'record.created');
    await expect(created).toContainText('created');
    await expect(created.locator('[data-field="type"]')).toContainText('Type: Customer');
    // Only the rep's rows, and nothing in the table is an id, a code or an ISO timestamp.
    const rows = await log.getByTestId('audit-entry').allInnerTexts();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row).toContain(rep.name);
    const text = (await log.textContent()) ?? '';
    expect(text).not.toContain(rep.id);
    expect(text).not.toContain(accountId);
    expect(text).not.toMatch(/record\.(created|updated)/);
    expect(text).not.toMatch(ISO_INSTANT);
    expect(text).not.toMatch(/\btechnology\b|\bcustomer\b/);
    await shot(page, 'audit-log-en');

    // The same page in Chinese: labels, action words and channel in Chinese, the filter kept.
    await page.getByTestId('user-menu').click();
    await page.getByTestId('language').selectOption('zh-CN');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('审计日志');
    await expect(page.getByTestId('filter-person').locator('option:checked')).toHaveText(rep.name);
    const zhChanged = page.getByTestId('audit-log').getByTestId('audit-entry').filter({ hasText: name }).nth(0);
    await expect(zhChanged).toContainText('修改');
    await expect(zhChanged).toContainText('客户');
    await expect(zhChanged).toContainText('网页');
    await expect(zhChanged.locator('[data-field="industry"]')).toContainText('行业:');
    await expect(zhChanged.locator('[data-field="industry"] .new')).toHaveText('信息技术');
    const zhText = (await page.getByTestId('audit-log').textContent()) ?? '';
    expect(zhText).not.toMatch(ISO_INSTANT);
    expect(zhText).not.toMatch(/record\.|Industry|Technology/);
    await shot(page, 'audit-log-zh');
    await page.getByTestId('user-menu').click();
    await page.getByTestId('language').selectOption('en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  });
});

test.describe('as a rep', () => {
  test.use({ signedInAs: { email: 'rep2@example.com', password: 'touchpoint' } });

  test('the audit log route refuses a non-admin clearly, and the server refuses the query', async ({ page }) => {
    await page.goto('/admin/audit');
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await expect(page.getByTestId('audit-refused')).toHaveText('Only administrators may read the audit log.');
    await expect(page.getByTestId('audit-log')).toHaveCount(0);
    await expect(page.getByTestId('nav-audit')).toHaveCount(0);
    const response = await page.request.post('/graphql', {
      data: { query: '{ auditLog(first: 1) { nodes { id } } }' },
    });
    const body = await response.json();
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
