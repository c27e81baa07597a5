// Signing in and out in a real browser: the sign-in page (both languages), the way back to the page asked
// for, a rep's own name on what they made, and sign-out closing the session.
import { expect, graphql, test } from './fixtures.ts';

test.use({ signedInAs: null });

test('a rep signs in, lands on the page asked for, works under their own name and signs out', async ({ page }) => {
  await page.goto('/accounts?q=x');
  await expect(page).toHaveURL(/\/signin\?next=%2Faccounts%3Fq%3Dx$/);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByLabel('Email').fill('rep1@example.com');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is not right.');
  // An unknown email gets the very same words.
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is not right.');

  await page.getByLabel('Email').fill('rep1@example.com');
  await page.getByLabel('Password').fill('touchpoint');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/accounts\?q=x$/);
  const { viewer } = await graphql<{ viewer: { id: string; name: string; role: string } }>(
    page,
    '{ viewer { id name role } }',
  );
  expect(viewer.role).toBe('salesRep');
  await expect(page.getByTestId('viewer')).toHaveText(viewer.name);

  // What the rep makes carries their name, not an id.
  const { createAccount } = await graphql<{ createAccount: { id: string } }>(
    page,
    'mutation { createAccount(input: { name: "Made by rep one" }) { id } }',
  );
  await page.goto(`/accounts/${createAccount.id}`);
  await expect(page.locator('p.meta')).toContainText(`Created by ${viewer.name}`);
  await expect(page.locator('p.meta')).not.toContainText(viewer.id);

  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByTestId('user-menu').click();
  await page.getByTestId('sign-out').click();
  await expect(page).toHaveURL(/\/signin$/);
  const after = await page.request.post('/graphql', { data: { query: '{ viewer { id } }' } });
  expect(after.status()).toBe(401);
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);
});

test('the sign-in page and its refusals are in Chinese for a Chinese browser', async ({ page, context, baseURL }) => {
  await context.addCookies([{ name: 'tp_lang', value: 'zh-CN', url: baseURL! }]);
  await page.goto('/signin');
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('登录');
  await page.getByLabel('电子邮箱').fill('rep2@example.com');
  await page.getByLabel('密码').fill('wrong password');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toHaveText('邮箱或密码不正确。');
});
