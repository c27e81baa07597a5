// A partner's plugin, packed by `touchpoint plugin pack` as a partner would, installed by an admin through the
// designer, used by an end user from a record page (the action runs in the sandbox), then removed with its
// data archived only after a confirmation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, graphql, test } from './fixtures.ts';

test.describe.configure({ mode: 'serial' });

test('install a plugin, run its action on an order, remove it', async ({ page }) => {
  const outDir = mkdtempSync(join(tmpdir(), 'touchpoint-e2e-plugin-'));
  const packed = spawnSync(
    process.execPath,
    ['--no-node-snapshot', 'packages/cli/src/bin.ts', 'plugin', 'pack', 'plugins/asset-tracking', '--out-dir', outDir],
    { encoding: 'utf8' },
  );
  expect(packed.status, packed.stderr).toBe(0);
  const archive = join(outDir, readdirSync(outDir).find((f) => f.endsWith('.tpplugin.json'))!);

  await page.goto('/designer/plugins');
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByTestId('plugin-archive').setInputFiles(archive);
  const row = page.locator('tr[data-plugin="touchpoint.asset-tracking"]');
  await expect(row).toContainText('Enabled');
  await expect(row).toContainText('Register assets');
  await page.screenshot({ path: test.info().outputPath('18-plugins.png') });

  // An order with between 1 and 200 product units (the plugin registers at most 200 assets a run).
  const { orders } = await graphql<{
    orders: { nodes: { id: string; lines: { quantity: string | number; product: { type: string } | null }[] }[] };
  }>(page, '{ orders(first: 200) { nodes { id lines(first: 50) { quantity product { type } } } } }');
  const units = (order: (typeof orders.nodes)[number]) =>
    order.lines
      .filter((l) => l.product?.type === 'product')
      .reduce((sum, l) => sum + Math.floor(Number(l.quantity)), 0);
  const orderId = orders.nodes.find((o) => units(o) >= 1 && units(o) <= 200)!.id;
  await page.goto(`/orders/${orderId}`);
  await page.getByTestId('action-registerAssetsFromOrder').click();
  const dialog = page.getByTestId('action-dialog');
  await dialog.getByTestId('action-input-warrantyMonths').fill('24');
  await dialog.getByTestId('action-run').click();
  await expect(dialog.getByTestId('action-result')).toContainText('"created"');
  const created = JSON.parse((await dialog.getByTestId('action-result').textContent()) ?? '{}').created as number;
  expect(created).toBeGreaterThan(0);
  await page.screenshot({ path: test.info().outputPath('19-plugin-action.png') });
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Removing it archives the plugin's data: refused until confirmed.
  await page.goto('/designer/plugins');
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByTestId('uninstall-touchpoint.asset-tracking').click();
  await expect(page.getByTestId('plugin-error')).toBeVisible();
  await expect(row).toBeVisible();
  await page.getByTestId('confirm-uninstall').click();
  await expect(row).toHaveCount(0);
});
