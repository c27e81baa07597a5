// The designer as an admin uses it: an applied change is not planned again.
import { expect, type Page, type Request, test } from '@playwright/test';

test.describe.configure({ mode: 'serial' });

async function hydrated(page: Page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

test('an applied change is not planned again: no second plan and no 400 after Apply', async ({ page }) => {
  await page.goto('/designer/competitor');
  await hydrated(page);
  const plans: Request[] = [];
  const refused: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/graphql') && (request.postData() ?? '').includes('planMetadataChange'))
      plans.push(request);
  });
  page.on('response', (response) => {
    if (response.url().endsWith('/graphql') && response.status() >= 400)
      refused.push(`${response.status()} ${response.request().postData()}`);
  });
  for (const [i, label] of ['Rival slogan', 'Rival mascot', 'Rival motto'].entries()) {
    await page.getByTestId('add-field').click();
    const editor = page.getByTestId('field-editor');
    await editor.getByTestId('field-label-en').fill(label);
    await editor.getByTestId('field-label-zh').fill(`字段${i + 1}`);
    await editor.getByTestId('field-submit').click();
    const dialog = page.getByTestId('plan-dialog');
    await expect(dialog.getByTestId('plan-step').first()).toBeVisible();
    await dialog.getByTestId('apply-change').click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('designer-fields').getByText(label, { exact: true })).toBeVisible();
    // Everything the apply set off (the metadata reload, any effect it wakes) has finished.
    await page.waitForLoadState('networkidle');
    expect(plans.length, `plans after apply ${i + 1}`).toBe(i + 1);
  }
  expect(refused).toEqual([]);
});
