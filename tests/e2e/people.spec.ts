// People in a real browser: an admin invites a new rep on the users screen and copies the one-time link; a
// fresh browser (nobody signed in) opens it, chooses a password and lands signed in as the rep. And the first
// start: a server of its own WITHOUT demo data (`touchpoint start` in a fresh embedded data folder, as a
// user runs it) sends the browser to the setup screen, which makes the first admin once.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, shot, test } from './fixtures.ts';

test('an admin invites a rep; the rep opens the link in a fresh browser and lands signed in', async ({
  page,
  browser,
  baseURL,
}) => {
  const email = `invited.${Date.now()}@example.com`;
  await page.goto('/');
  await page.getByTestId('nav-people').click();
  await expect(page).toHaveURL(/\/people$/);
  await expect(page.getByTestId('members').locator('tr[data-email="admin@example.com"]')).toContainText(
    'Administrator',
  );
  const form = page.getByTestId('invite-form');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Name').fill('Ivy Invited');
  await form.getByLabel('Role').selectOption({ label: 'Sales representative' });
  await form.getByRole('button', { name: 'Invite' }).click();
  const link = (await page.getByTestId('invitation-link').locator('code').textContent())!.trim();
  expect(link).toMatch(new RegExp(`^${baseURL}/invite/[A-Za-z0-9_-]{43}$`));
  await expect(page.getByTestId('invitations').locator(`tr[data-email="${email}"]`)).toContainText(
    'Sales representative',
  );
  await shot(page, 'people-invited');

  const fresh = await browser.newContext({ baseURL });
  try {
    const rep = await fresh.newPage();
    await rep.goto(link);
    await rep.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await rep.getByLabel('New password').fill('short');
    await rep.getByRole('button', { name: 'Join Touchpoint' }).click();
    // The browser's own minlength stops it first; the server says the same for a password it gets.
    await rep.getByLabel('New password').fill('ivy has a good password');
    await rep.getByRole('button', { name: 'Join Touchpoint' }).click();
    await expect(rep).toHaveURL(`${baseURL}/`);
    await expect(rep.getByTestId('viewer')).toHaveText('Ivy Invited');
    await expect(rep.getByTestId('nav-people')).toHaveCount(0);
    // The link is spent.
    await rep.getByTestId('user-menu').click();
    await rep.getByTestId('sign-out').click();
    await rep.goto(link);
    await rep.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await rep.getByLabel('New password').fill('ivy has a good password');
    await rep.getByRole('button', { name: 'Join Touchpoint' }).click();
    await expect(rep.getByRole('alert')).toContainText('This invitation link does not work');
  } finally {
    await fresh.close();
  }
  await page.reload();
  await expect(page.getByTestId('members').locator(`tr[data-email="${email}"]`)).toContainText('Active');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test.describe('first start without demo data', () => {
  test.use({ signedInAs: null });
  let server: ChildProcess | undefined;
  let dataDir = '';
  let url = '';

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    dataDir = mkdtempSync(join(tmpdir(), 'touchpoint-setup-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const bin = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));
    const { DATABASE_URL: _ignored, ...env } = process.env;
    server = spawn(process.execPath, ['--no-node-snapshot', bin, 'start', '--port', String(port)], {
      env: { ...env, TOUCHPOINT_DATA_DIR: dataDir },
      stdio: 'ignore',
    });
    for (let i = 0; i < 200; i++) {
      if (
        await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error('The server without demo data did not start.');
  });
  test.afterAll(async () => {
    if (server?.pid) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the setup screen makes the first admin once, then leads to sign-in', async ({ browser }) => {
    const context = await browser.newContext({ baseURL: url });
    try {
      const page = await context.newPage();
      await page.goto('/accounts');
      await expect(page).toHaveURL(`${url}/setup`);
      await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
      await page.getByLabel('Name').fill('First Admin');
      await page.getByLabel('Email').fill('first@example.com');
      await page.getByLabel('Password').fill('the first password');
      await shot(page, 'setup');
      await page.getByRole('button', { name: 'Set up Touchpoint' }).click();
      await expect(page).toHaveURL(`${url}/`);
      await expect(page.getByTestId('viewer')).toHaveText('First Admin');
      await expect(page.getByTestId('nav-people')).toBeVisible();
    } finally {
      await context.close();
    }
    const later = await browser.newContext({ baseURL: url });
    try {
      const page = await later.newPage();
      await page.goto('/setup');
      await expect(page).toHaveURL(`${url}/signin`);
    } finally {
      await later.close();
    }
  });
});
