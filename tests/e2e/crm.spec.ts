// The whole path a company walks on day one, in a real browser against `npm start`: an admin shapes a new
// entity in the designer, end users work with it and with the CRM's own screens, and a destructive change
// cannot be applied until it is confirmed. Screenshots of the main screens are kept as test artifacts.
import { DEMO_ADMIN, expect, graphql, type Page, shot, test } from './fixtures.ts';

test.describe.configure({ mode: 'serial' });

async function applyPlan(page: Page) {
  const dialog = page.getByTestId('plan-dialog');
  await expect(dialog.getByTestId('plan-step').first()).toBeVisible();
  await dialog.getByTestId('apply-change').click();
  await expect(dialog).toBeHidden();
}

async function addField(page: Page, labels: { en: string; zh: string }, type: string, extra?: () => Promise<void>) {
  await page.getByTestId('add-field').click();
  const editor = page.getByTestId('field-editor');
  await editor.getByTestId('field-label-en').fill(labels.en);
  await editor.getByTestId('field-label-zh').fill(labels.zh);
  await editor.getByTestId('field-type').selectOption(type);
  if (extra) await extra();
  await editor.getByTestId('field-submit').click();
  await applyPlan(page);
  await expect(page.getByTestId('designer-fields').getByText(labels.en, { exact: true })).toBeVisible();
}

test('an admin designs an entity and end users work with it and with the CRM', async ({ page }) => {
  // The admin creates "Project" with five fields of different types.
  await page.goto('/designer');
  await shot(page, '01-designer');
  await page.getByTestId('new-entity').click();
  await page.getByTestId('entity-label-en').fill('Project');
  await page.getByTestId('entity-label-zh').fill('项目');
  await expect(page.getByTestId('entity-name')).toHaveValue('project');
  await page.getByTestId('entity-plural-en').fill('Projects');
  await page.getByTestId('entity-submit').click();
  await applyPlan(page);
  await expect(page).toHaveURL(/\/designer\/project$/);

  await addField(page, { en: 'Code', zh: '编号' }, 'text', async () => {
    await page.getByTestId('field-required').check();
    await page.getByTestId('field-unique').check();
  });
  await addField(page, { en: 'Budget', zh: '预算' }, 'currency');
  await addField(page, { en: 'Phase', zh: '阶段' }, 'select');
  await addField(page, { en: 'Start date', zh: '开始日期' }, 'date');
  await addField(page, { en: 'Customer', zh: '客户' }, 'relation', async () => {
    await page.getByTestId('relation-target').selectOption('account');
  });
  await shot(page, '02-designer-fields');

  // It is in the navigation at once, for every user.
  const nav = page.locator('aside a[data-entity="project"]');
  await expect(nav).toHaveText('Projects');
  await nav.click();
  await expect(page.getByRole('heading', { name: 'Projects' })).toBeVisible();

  // An end user creates two projects; the second repeats a unique code and the server's error shows beside it.
  for (const [name, code, budget] of [
    ['Alpha rollout', 'P-100', '250000'],
    ['Beta pilot', 'P-100', '90000'],
  ] as const) {
    await page.goto('/projects/new');
    await page.locator('#f-project-name').fill(name);
    await page.locator('#f-project-code').fill(code);
    await page.locator('#f-project-budget').fill(budget);
    await page.getByTestId('save').click();
  }
  const codeError = page.getByTestId('field-error-code');
  await expect(codeError).toContainText('unique');
  await expect(page.locator('#f-project-code')).toHaveAttribute('aria-invalid', 'true');
  await shot(page, '03-form-server-error');
  await page.locator('#f-project-code').fill('P-200');
  await page.getByTestId('save').click();
  await expect(page.getByTestId('record-title')).toHaveText('Beta pilot');
  await shot(page, '04-record-page');
  // The global search finds records of the new entity too.
  await page.getByTestId('global-search').fill('Beta pil');
  await expect(page.locator('#search-results li[role="option"]', { hasText: 'Beta pilot' })).toBeVisible();

  // Filter and sort the list.
  await page.goto('/projects');
  await expect(page.getByTestId('total')).toContainText('2');
  await page.getByTestId('toggle-filter').click();
  await page.getByTestId('add-condition').click();
  const condition = page.getByTestId('condition').first();
  await condition.locator('select').first().selectOption('code');
  await condition.getByLabel('Value').fill('200');
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('total')).toContainText('1');
  await expect(page.getByTestId('record-table').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('record-table')).toContainText('Beta pilot');
  await page.goto('/projects');
  const codeHeader = page.locator('th[data-column="code"] button');
  await codeHeader.click();
  await expect(page.locator('th[data-column="code"]')).toHaveAttribute('aria-sort', 'ascending');
  await codeHeader.click();
  await expect(page.locator('th[data-column="code"]')).toHaveAttribute('aria-sort', 'descending');
  await expect(page.getByTestId('record-table').locator('tbody tr').first()).toContainText('P-200');

  // Edit a cell inline.
  const alphaRow = page.getByTestId('record-table').locator('tbody tr', { hasText: 'Alpha rollout' });
  await alphaRow.locator('td[data-column="name"]').hover();
  await alphaRow.locator('td[data-column="name"]').getByTestId('edit-cell').click();
  const cell = page.locator('td.editing input').first();
  await cell.fill('Alpha rollout phase 2');
  await cell.press('Enter');
  await expect(page.getByTestId('record-table')).toContainText('Alpha rollout phase 2');
  await page.reload();
  await expect(page.getByTestId('record-table')).toContainText('Alpha rollout phase 2');
  await shot(page, '05-list');

  // Drag an opportunity to another stage on the kanban.
  await page.goto('/opportunities?view=kanban');
  const from = page.locator('[data-testid="kanban"] section[data-column="prospecting"]');
  const to = page.locator('[data-testid="kanban"] section[data-column="qualification"]');
  const card = from.locator('.card-item').first();
  await expect(card).toBeVisible();
  const cardId = await card.getAttribute('data-id');
  const before = Number(await to.locator('.count').textContent());
  await card.dragTo(to);
  await expect(to.locator(`.card-item[data-id="${cardId}"]`)).toBeVisible();
  await expect(to.locator('.count')).toHaveText(String(before + 1));
  await page.reload();
  await expect(
    page.locator(`[data-testid="kanban"] section[data-column="qualification"] .card-item[data-id="${cardId}"]`),
  ).toBeVisible();
  await shot(page, '06-kanban');

  // Log a call on an account: it is at the top of the timeline's history, below what is upcoming or overdue.
  await page.goto('/accounts');
  await page.getByTestId('record-table').locator('tbody tr').first().locator('a.title').click();
  await expect(page.getByTestId('timeline')).toBeVisible();
  await page.getByTestId('log-subject').fill('Called about the maintenance renewal');
  await page.getByTestId('log-submit').click();
  await expect(page.getByTestId('timeline-history').getByTestId('timeline-item').first()).toContainText(
    'Called about the maintenance renewal',
  );
  await expect(page.getByTestId('timeline-upcoming')).not.toContainText('Called about the maintenance renewal');
  await shot(page, '07-account-timeline');

  // Switch the language to Chinese.
  await page.getByTestId('user-menu').click();
  await page.getByTestId('language').selectOption('zh-CN');
  await expect(page.locator('aside a[data-entity="account"]')).toHaveText('客户');
  await expect(page.locator('aside a[data-entity="project"]')).toHaveText('项目');
  await page.goto('/projects');
  await expect(page.locator('th[data-column="code"]')).toContainText('编号');
  await shot(page, '08-chinese');
  // The choice is the user's, not the browser's: a fresh browser (no cookies) opens in Chinese too.
  const { viewer } = await graphql<{ viewer: { id: string } }>(page, '{ viewer { id } }');
  await expect
    .poll(async () => {
      const response = await page.request.post('/graphql', {
        data: {
          query: 'query($u: String!) { userPreferences(filter: { user: { eq: $u } }) { nodes { language } } }',
          variables: { u: viewer.id },
        },
      });
      return (await response.json()).data.userPreferences.nodes[0]?.language;
    })
    .toBe('zhCN');
  await page.context().clearCookies();
  // Without cookies there is no session either: the sign-in page, then back to the page asked for.
  await page.goto('/accounts');
  await expect(page).toHaveURL(/\/signin\?next=%2Faccounts$/);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByLabel('Email').fill(DEMO_ADMIN.email);
  await page.getByLabel('Password').fill(DEMO_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/accounts$/);
  await expect(page.locator('aside a[data-entity="account"]')).toHaveText('客户');
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByTestId('user-menu').click();
  await page.getByTestId('language').selectOption('en');
  await expect(page.locator('aside a[data-entity="account"]')).toHaveText('Accounts');

  // Removing a field is destructive: it cannot be applied until confirmed, then the data is archived.
  await page.goto('/designer/project');
  await page.getByTestId('remove-field-budget').click();
  const dialog = page.getByTestId('plan-dialog');
  await expect(dialog.locator('.destructive').first()).toBeVisible();
  await shot(page, '09-destructive-plan');
  await expect(dialog.getByTestId('apply-change')).toBeDisabled();
  await page.keyboard.press('Escape');
  await expect(page.locator('tr[data-field="budget"]')).toBeVisible();
  await page.getByTestId('remove-field-budget').click();
  await dialog.getByTestId('confirm-destructive').check();
  await dialog.getByTestId('apply-change').click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('tr[data-field="budget"]')).toHaveCount(0);
});
