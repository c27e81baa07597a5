// Permissions in a real browser. Two reps of the demo sales team and their manager, each in a browser of their
// own: a private account of rep 2 (and a deal under it) stays out of rep 1's list, kanban, search, calendar and
// dashboard while the manager sees it; rep 2 shares it from the record's Share dialog and it appears for rep 1
// — through the app's own navigation, without reloading it. The screens follow each person's rights (no button
// or menu entry that can only fail, no hidden field), and an admin shapes roles, defaults and sharing rules in
// the designer.
import type { BrowserContext, Page } from '@playwright/test';
import { E2E_CLOCK, expect, graphql, shot, signIn, test } from './fixtures.ts';

const PASSWORD = 'touchpoint';
test.use({ signedInAs: null });

async function browserOf(context: BrowserContext, email: string): Promise<{ page: Page; id: string; name: string }> {
  await signIn(context, { email, password: PASSWORD });
  const page = await context.newPage();
  const { viewer } = await graphql<{ viewer: { id: string; name: string } }>(page, '{ viewer { id name } }');
  return { page, ...viewer };
}

async function hydrated(page: Page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

/** The dashboard's count of open deals (the pipeline report), as this person sees it. */
async function openDeals(page: Page): Promise<number> {
  await expect(page.getByTestId('kpi-open-count')).toBeVisible();
  return Number((await page.getByTestId('kpi-open-count').textContent())?.replace(/\D/g, ''));
}

async function searchHits(page: Page, text: string) {
  const box = page.getByTestId('global-search');
  await box.fill('');
  await box.fill(text);
  const results = page.locator('#search-results');
  await expect(results).toBeVisible();
  return results;
}

test('a rep does not see the other rep’s private account; the manager does; sharing it shows it to the rep without a reload', async ({
  browser,
  baseURL,
}) => {
  // Three people's first requests each build their own schema and grants on the server: give them time.
  test.setTimeout(480_000);
  const contexts = await Promise.all([1, 2, 3].map(() => browser.newContext({ baseURL })));
  try {
    const [rep1, rep2, manager] = await Promise.all([
      browserOf(contexts[0]!, 'rep1@example.com'),
      browserOf(contexts[1]!, 'rep2@example.com'),
      browserOf(contexts[2]!, 'manager@example.com'),
    ]);
    const stamp = Date.now().toString(36);
    const accountName = `Yangtze Private ${stamp}`;
    const dealName = `Yangtze Deal ${stamp}`;

    // The dashboard's open deals before the new deal exists.
    await rep1.page.goto('/');
    const rep1Before = await openDeals(rep1.page);
    await manager.page.goto('/');
    const managerBefore = await openDeals(manager.page);

    // Rep 2 makes a private account (owner rep 2, no team, no territory) and a deal under it closing today.
    const today = E2E_CLOCK ? new Date(E2E_CLOCK) : new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    const { pipelines } = await graphql<{ pipelines: { nodes: { id: string }[] } }>(
      rep2.page,
      '{ pipelines(first: 1) { nodes { id } } }',
    );
    const { createAccount: account } = await graphql<{ createAccount: { id: string } }>(
      rep2.page,
      'mutation($n: String!, $o: ID!) { createAccount(input: { name: $n, ownerId: $o }) { id } }',
      { n: accountName, o: rep2.id },
    );
    await graphql(
      rep2.page,
      `mutation($n: String!, $a: ID!, $o: ID!, $p: ID, $d: Date) {
        createOpportunity(input: { name: $n, accountId: $a, ownerId: $o, pipelineId: $p, stage: prospecting, expectedCloseDate: $d }) { id }
      }`,
      { n: dealName, a: account.id, o: rep2.id, p: pipelines.nodes[0]?.id ?? null, d: day },
    );

    // Rep 1 sees none of it: list, record by its address, kanban, global search, calendar, dashboard.
    await rep1.page.goto(`/accounts?q=${encodeURIComponent(accountName)}`);
    await expect(rep1.page.getByTestId('total')).toHaveText('0 records');
    const missing = await rep1.page.goto(`/accounts/${account.id}`);
    expect(missing?.status()).toBe(404);
    await rep1.page.goto(`/accounts?view=kanban&q=${encodeURIComponent(accountName)}`);
    await expect(rep1.page.getByTestId('kanban')).toHaveAttribute('aria-busy', 'false');
    await expect(rep1.page.locator('.card-item')).toHaveCount(0);
    await hydrated(rep1.page);
    await expect(await searchHits(rep1.page, accountName)).toContainText('Nothing found.');
    await rep1.page.goto(`/opportunities?view=calendar&q=${encodeURIComponent(dealName)}`);
    await expect(rep1.page.getByTestId('calendar')).toHaveAttribute('aria-busy', 'false');
    await expect(rep1.page.locator('.event', { hasText: dealName })).toHaveCount(0);
    await rep1.page.goto('/');
    expect(await openDeals(rep1.page)).toBe(rep1Before);

    // The manager sees both: rep 2's account and deal are below them in the hierarchy.
    await manager.page.goto(`/accounts?q=${encodeURIComponent(accountName)}`);
    await expect(manager.page.getByTestId('total')).toHaveText('1 record');
    await manager.page.goto(`/accounts?view=kanban&q=${encodeURIComponent(accountName)}`);
    await expect(manager.page.locator('.card-item', { hasText: accountName })).toHaveCount(1);
    await hydrated(manager.page);
    await expect(await searchHits(manager.page, accountName)).toContainText(accountName);
    await manager.page.goto(`/opportunities?view=calendar&q=${encodeURIComponent(dealName)}`);
    await expect(manager.page.locator('.event', { hasText: dealName })).toHaveCount(1);
    await manager.page.goto('/');
    expect(await openDeals(manager.page)).toBe(managerBefore + 1);

    // Rep 1 stays in the app from here on: a marker on the window would not survive a reload.
    await rep1.page.goto('/');
    await hydrated(rep1.page);
    await rep1.page.evaluate(() => {
      (window as unknown as { sameApp: boolean }).sameApp = true;
    });

    // Rep 2, the owner, shares the account with rep 1 from the record page.
    await rep2.page.goto(`/accounts/${account.id}`);
    await hydrated(rep2.page);
    await rep2.page.getByTestId('share-record').click();
    const dialog = rep2.page.getByTestId('share-dialog');
    // Who has access so far: for the owner, the manual shares (none yet); the full list is for sharing admins.
    await expect(dialog.getByText('Loading…')).toHaveCount(0);
    await dialog.locator('#share-principal').fill(rep1.name);
    await dialog.getByRole('option', { name: rep1.name }).first().click();
    await dialog.getByTestId('share-access').selectOption({ label: 'Read only' });
    await dialog.getByTestId('share-reason').fill('Covering the Nanjing visit');
    await dialog.getByTestId('share-submit').click();
    const shared = dialog.getByTestId('access-list').locator(`tr[data-principal="${rep1.id}"]`);
    await expect(shared).toContainText('Shared with them');
    await expect(shared).toContainText('Read only');
    await shot(rep2.page, 'permissions-share-dialog');

    // Rep 1, without a reload: the search finds it and opens it; the list, kanban, calendar and dashboard show it.
    await expect(await searchHits(rep1.page, accountName)).toContainText(accountName);
    await rep1.page.locator('#search-results a', { hasText: accountName }).first().dispatchEvent('mousedown');
    await expect(rep1.page.getByTestId('record-title')).toHaveText(accountName);
    await expect(rep1.page.getByTestId('edit-record')).toBeVisible();
    await rep1.page.locator('nav a[data-entity="account"]').click();
    await rep1.page.getByTestId('quick-search').fill(accountName);
    await expect(rep1.page).toHaveURL(/[?&]q=Yangtze/);
    await expect(rep1.page.getByTestId('total')).toHaveText('1 record');
    await rep1.page.getByTestId('view-kanban').click();
    await expect(rep1.page.locator('.card-item', { hasText: accountName })).toHaveCount(1);
    await rep1.page.locator('nav a[data-entity="opportunity"]').click();
    await rep1.page.getByRole('link', { name: 'Calendar' }).click();
    await rep1.page.getByTestId('quick-search').fill(dealName);
    await expect(rep1.page).toHaveURL(/[?&]q=Yangtze/);
    await expect(rep1.page.locator('.event', { hasText: dealName })).toHaveCount(1);
    await rep1.page.locator('nav a.nav-item', { hasText: 'Dashboard' }).click();
    await expect(async () => expect(await openDeals(rep1.page)).toBe(rep1Before + 1)).toPass({ timeout: 90_000 });
    expect(await rep1.page.evaluate(() => (window as unknown as { sameApp?: boolean }).sameApp)).toBe(true);
    await shot(rep1.page, 'permissions-shared-dashboard');

    // Rep 2 revokes the share: it is gone from the dialog.
    await dialog
      .getByTestId('access-list')
      .locator(`tr[data-principal="${rep1.id}"]`)
      .getByTestId('revoke-share')
      .click();
    await expect(
      dialog.getByTestId('access-list').locator(`tr[data-principal="${rep1.id}"][data-reason="share"]`),
    ).toHaveCount(0);
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});

test('screens follow each person’s rights: menus, buttons and hidden fields', async ({ browser, baseURL }) => {
  const contexts = await Promise.all([1, 2].map(() => browser.newContext({ baseURL })));
  try {
    const [rep, marketing] = await Promise.all([
      browserOf(contexts[0]!, 'rep1@example.com'),
      browserOf(contexts[1]!, 'marketing@example.com'),
    ]);
    // A rep administers nothing: no designer, users, audit log; the annual profit of accounts is hidden from
    // them (a column asked for in the address is left out), the tax id read-only.
    await rep.page.goto('/accounts?cols=name,annualProfit,taxId');
    await hydrated(rep.page);
    for (const id of ['nav-designer', 'nav-permissions', 'nav-people', 'nav-audit']) {
      await expect(rep.page.getByTestId(id)).toHaveCount(0);
    }
    await expect(rep.page.getByTestId('new-record')).toBeVisible();
    await expect(rep.page.locator('th[data-column="name"]')).toBeVisible();
    await expect(rep.page.locator('th[data-column="annualProfit"]')).toHaveCount(0);
    await expect(rep.page.locator('th[data-column="taxId"]')).toBeVisible();
    await rep.page.locator('[data-testid="record-table"] tbody tr a.title').first().click();
    await expect(rep.page.getByTestId('record-title')).toBeVisible();
    await expect(rep.page.locator('[data-field="annualProfit"]')).toHaveCount(0);
    await rep.page.getByTestId('edit-record').click();
    await expect(rep.page.locator('#f-account-taxId')).toHaveClass(/readonly/);
    await shot(rep.page, 'permissions-rep-account');

    // Marketing reads every contact but may not create or change one: no New, no Edit, no Delete, no inline edit.
    await marketing.page.goto('/contacts');
    await hydrated(marketing.page);
    await expect(marketing.page.locator('[data-testid="record-table"] tbody tr').first()).toBeVisible();
    await expect(marketing.page.getByTestId('new-record')).toHaveCount(0);
    await expect(marketing.page.getByTestId('edit-cell')).toHaveCount(0);
    await marketing.page.locator('[data-testid="record-table"] tbody tr a.title').first().click();
    await expect(marketing.page.getByTestId('record-title')).toBeVisible();
    await expect(marketing.page.getByTestId('edit-record')).toHaveCount(0);
    await expect(marketing.page.getByTestId('delete-record')).toHaveCount(0);
    // Leads are theirs to create.
    await marketing.page.locator('nav a[data-entity="lead"]').click();
    await expect(marketing.page.getByTestId('new-record')).toBeVisible();
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});

test('an admin shapes roles, defaults and sharing rules in the designer, each change planned in words', async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ baseURL });
  try {
    const admin = await browserOf(context, 'admin@example.com');
    const page = admin.page;
    await page.goto('/designer');
    await hydrated(page);
    await page.getByTestId('designer-permissions').click();
    const list = page.getByTestId('role-list');
    await expect(list.locator('button[data-role="salesRep"]')).toContainText('Built-in');
    const plan = page.getByTestId('plan-dialog');
    const apply = async (words: string) => {
      await expect(plan.getByTestId('plan-change').first()).toContainText(words);
      await plan.getByTestId('apply-change').click();
      await expect(plan).toBeHidden();
    };

    // A custom role starting from the sales rep's rights.
    await page.getByTestId('new-role').click();
    await page.getByTestId('role-label-en').fill('Key account rep');
    await page.getByTestId('role-label-zh').fill('大客户代表');
    await expect(page.getByTestId('role-name')).toHaveValue('keyAccountRep');
    await page.getByTestId('role-start-from').selectOption({ label: 'Sales rep' });
    await page.getByTestId('role-submit').click();
    await apply('Created the role "Key account rep"');
    await expect(list.locator('button[data-role="keyAccountRep"]')).toContainText('Custom');

    // Its rights: accounts may be exported; the budget notes of accounts are hidden from it.
    await list.locator('button[data-role="keyAccountRep"]').click();
    const editor = page.locator('[data-testid="role-editor"][data-role="keyAccountRep"]');
    await editor.getByLabel('Account: Export').check();
    await editor.getByTestId('field-access-entity').selectOption({ label: 'Account' });
    await editor.locator('tr[data-field="budgetNotes"] select').selectOption({ label: 'Hidden' });
    await editor.getByTestId('review-role').click();
    await apply('Changed the role "Key account rep" (object access, field access)');
    await expect(editor.getByLabel('Account: Export')).toBeChecked();
    await expect(editor.locator('tr[data-field="budgetNotes"] select')).toHaveValue('hidden');
    await shot(page, 'permissions-role-editor');

    // A sharing rule: technology accounts are readable by the new role.
    await page.getByTestId('tab-rules').click();
    await page.getByTestId('new-rule').click();
    const form = page.getByTestId('rule-form');
    await form.getByTestId('rule-label-en').fill('Tech accounts');
    await form.getByTestId('rule-label-zh').fill('信息技术客户');
    await form.getByTestId('rule-entity').selectOption({ label: 'Account' });
    await form.getByTestId('add-condition').click();
    await form.getByLabel('Field').selectOption({ label: 'Industry' });
    await form.getByLabel('Technology').check();
    await form.getByTestId('rule-role').selectOption({ label: 'Key account rep' });
    await form.getByTestId('rule-submit').click();
    await apply('Added the sharing rule "Tech accounts": matching Accounts are shared read only');
    const rule = page.getByTestId('sharing-rules').locator('tr[data-rule="techAccounts"]');
    await expect(rule).toContainText('Industry is any of Technology');
    await expect(rule).toContainText('Key account rep and the roles above it');

    // An organisation-wide default: campaigns become private.
    await page.getByTestId('tab-defaults').click();
    const campaign = page.getByTestId('sharing-defaults').locator('tr[data-entity="campaign"]');
    await campaign.getByTestId('sharing-default').selectOption({ label: 'Private' });
    await page.getByTestId('review-defaults').click();
    await apply('Set the organisation-wide default of "Campaign" to Private');
    await expect(campaign.getByTestId('sharing-default')).toHaveValue('private');

    // The same screen in Chinese: roles, sources, tabs and defaults in words of the language.
    await context.addCookies([{ name: 'tp_lang', value: 'zh-CN', url: baseURL! }]);
    await page.goto('/designer/permissions?tab=defaults');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('角色与权限');
    await expect(page.getByTestId('tab-rules')).toHaveText('共享规则');
    await expect(campaign.getByTestId('sharing-default').locator('option:checked')).toHaveText('私有');
    await page.getByTestId('tab-roles').click();
    await expect(list.locator('button[data-role="salesRep"]')).toContainText('销售代表');
    await expect(list.locator('button[data-role="keyAccountRep"]')).toContainText('大客户代表');
    await expect(list.locator('button[data-role="keyAccountRep"]')).toContainText('自定义');
    await shot(page, 'permissions-designer-zh');
  } finally {
    await context.close();
  }
});

test('an admin changes a member’s roles on the users screen', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  try {
    const admin = await browserOf(context, 'admin@example.com');
    const page = admin.page;
    await page.goto('/people');
    await hydrated(page);
    // The users screen: rep 2 gets the marketing role as well, shown by its label.
    const row = page.getByTestId('members').locator('tr[data-email="rep2@example.com"]');
    await expect(row.getByTestId('member-roles')).toContainText('Sales rep');
    await row.getByTestId('change-roles').click();
    await row.getByLabel('Marketing').check();
    await row.getByTestId('save-roles').click();
    await expect(row.getByTestId('member-roles')).toContainText('Marketing');
    await expect(row.getByTestId('member-roles')).toContainText('Sales rep');
    // And back: rep 2 is a sales rep only.
    await row.getByTestId('change-roles').click();
    await row.getByLabel('Marketing').uncheck();
    await row.getByTestId('save-roles').click();
    await expect(row.getByTestId('member-roles')).not.toContainText('Marketing');
  } finally {
    await context.close();
  }
});
