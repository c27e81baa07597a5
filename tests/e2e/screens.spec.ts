// The other screens a paying customer opens every day: dashboards, calendar, global search, caller lookup,
// saved views, bulk delete with undo, the layout editor and the metadata history — each checked through
// what the screen shows, with a screenshot kept as an artifact.
import { E2E_CLOCK, expect, graphql, shot, test } from './fixtures.ts';

test.describe.configure({ mode: 'serial' });

test('the dashboard draws every built-in report', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  for (const title of ['Pipeline by stage', 'Forecast by close month', 'Campaign ROI', 'Churn rate per tier']) {
    await expect(page.getByRole('heading', { name: title })).toBeVisible();
  }
  // Six charts, each a canvas Chart.js drew on (a blank canvas has no pixels set).
  await expect(page.locator('.chart canvas')).toHaveCount(6);
  const drawn = await page
    .locator('.chart canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d');
      const pixels = ctx?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      return pixels.some((v) => v !== 0);
    });
  expect(drawn).toBe(true);
  await shot(page, '10-dashboard');

  // The reports follow the period chosen: last year's closed deals are a part of all of them.
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  const deals = async () => Number(((await page.getByTestId('kpi-deals').textContent()) ?? '').split('/')[1]);
  const allTime = await deals();
  await page.getByTestId('dashboard-period').selectOption('lastYear');
  await expect(page).toHaveURL(/period=lastYear/);
  await expect.poll(deals).toBeLessThan(allTime);
  expect(await deals()).toBeGreaterThan(0);
});

test('global search is keyboard-driven and the caller lookup finds the contact', async ({ page }) => {
  const { contacts } = await graphql<{ contacts: { nodes: { id: string; fullName: string; phone: string }[] } }>(
    page,
    '{ contacts(first: 1, filter: { phone: { isNull: false } }) { nodes { id fullName phone } } }',
  );
  const contact = contacts.nodes[0]!;
  await page.goto('/accounts');
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.keyboard.press('/');
  await page.keyboard.type(contact.fullName);
  await expect(page.locator('#search-results li[role="option"]').first()).toBeVisible();
  await shot(page, '11-search');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/(contacts|accounts|leads)\//);

  await page.goto(`/caller?phone=${encodeURIComponent(contact.phone)}`);
  await expect(page.getByTestId('caller-match').first()).toContainText(contact.fullName);
  await shot(page, '12-caller');
});

test('the calendar shows tasks in their month', async ({ page }) => {
  const { tasks } = await graphql<{ tasks: { nodes: { subject: string; dueAt: string }[] } }>(
    page,
    '{ tasks(first: 1, filter: { dueAt: { isNull: false } }, orderBy: [{ field: dueAt, direction: desc }]) { nodes { subject dueAt } } }',
  );
  const task = tasks.nodes[0]!;
  await page.goto('/tasks?view=calendar');
  const calendar = page.getByTestId('calendar');
  await expect(calendar).toBeVisible();
  const due = new Date(task.dueAt);
  // The month the calendar opens on is the browser's: the clock the suite runs at, if it is set.
  const now = E2E_CLOCK ? new Date(E2E_CLOCK) : new Date();
  const months = (due.getFullYear() - now.getFullYear()) * 12 + due.getMonth() - now.getMonth();
  for (let i = 0; i < Math.abs(months); i++) {
    await calendar.getByRole('button', { name: months > 0 ? 'Next' : 'Previous' }).click();
  }
  // A busy day shows four items and how many more; the rest open on that day.
  const day = calendar
    .locator('.day:not(.other)')
    .filter({ has: page.locator('.num', { hasText: new RegExp(`^${due.getDate()}$`) }) });
  // The calendar loads the month page by page: the day may show "+N more" only once a later page is in.
  const more = day.locator('button.more[aria-expanded="false"]');
  await expect(async () => {
    if (await more.count()) await more.click();
    await expect(day.locator('.event', { hasText: task.subject }).first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await shot(page, '13-calendar');
});

test('saved views and bulk delete with undo', async ({ page }) => {
  await page.goto('/leads?sort=lastName:asc');
  await page.getByLabel('View name').fill('My leads A→Z');
  await page.getByRole('button', { name: 'Save view' }).click();
  await expect(page.getByLabel('Saved views')).toContainText('My leads A→Z');

  const total = Number((await page.getByTestId('total').textContent())?.replace(/\D/g, ''));
  const rows = page.getByTestId('record-table').locator('tbody tr');
  await rows.nth(0).locator('input[type="checkbox"]').check();
  await rows.nth(1).locator('input[type="checkbox"]').check();
  await expect(page.getByTestId('bulk-bar')).toContainText('2 selected');
  await page.getByTestId('bulk-delete').click();
  await expect(page.getByTestId('total')).toHaveText(`${(total - 2).toLocaleString('en-US')} records`);
  await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('total')).toHaveText(`${total.toLocaleString('en-US')} records`);
});

test('the layout editor changes the list columns for everyone', async ({ page }) => {
  await page.goto('/designer/competitor');
  // A click before hydration is lost (the tab gets focus, not the selection): wait for the app first.
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByTestId('tab-layout').click();
  const editor = page.getByTestId('layout-editor');
  const first = editor.locator('ol.items').first().locator('li').first();
  const firstName = await first.getAttribute('data-item');
  await first.getByRole('button', { name: `Move down ${firstName}` }).click();
  await shot(page, '14-layout-editor');
  await page.getByTestId('layout-submit').click();
  const dialog = page.getByTestId('plan-dialog');
  await expect(dialog.getByTestId('plan-metadata-only')).toBeVisible();
  await dialog.getByTestId('apply-change').click();
  await expect(dialog).toBeHidden();
  await page.goto('/competitors');
  await expect(page.locator('thead th[data-column]').nth(1)).toHaveAttribute('data-column', firstName!);

  await page.goto('/designer/history');
  await expect(page.locator('tbody tr').first()).toContainText('Competitor');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-yaml').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.yaml$/);
  await shot(page, '15-history');
});

test('a tablet can use the screens', async ({ page }) => {
  await page.setViewportSize({ width: 820, height: 1100 });
  await page.goto('/opportunities');
  await expect(page.getByTestId('record-table')).toBeVisible();
  await page.getByRole('button', { name: 'Menu', exact: true }).click();
  await expect(page.locator('aside a[data-entity="account"]')).toBeVisible();
  await shot(page, '16-tablet');
});

test('a kanban move the server refuses is rolled back with a visible message', async ({ page }) => {
  await page.goto('/opportunities?view=kanban');
  const from = page.locator('[data-testid="kanban"] section[data-column="prospecting"]');
  const to = page.locator('[data-testid="kanban"] section[data-column="qualification"]');
  const card = from.locator('.card-item').first();
  const id = await card.getAttribute('data-id');
  // Someone else edits the opportunity after the board was loaded: the board's version is stale.
  await graphql(
    page,
    'mutation Touch($id: ID!) { updateOpportunity(id: $id, input: { description: "edited elsewhere" }) { id } }',
    {
      id,
    },
  );
  await card.dragTo(to);
  await expect(page.getByTestId('toast').filter({ hasText: 'The move was refused' })).toBeVisible();
  await expect(from.locator(`.card-item[data-id="${id}"]`)).toBeVisible();
  await expect(to.locator(`.card-item[data-id="${id}"]`)).toHaveCount(0);
});

test('an edit conflict is explained, with a choice to reload', async ({ page }) => {
  const { accounts } = await graphql<{ accounts: { nodes: { id: string; name: string }[] } }>(
    page,
    '{ accounts(first: 1, orderBy: [{ field: name, direction: desc }]) { nodes { id name } } }',
  );
  const account = accounts.nodes[0]!;
  await page.goto(`/accounts/${account.id}`);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByTestId('edit-record').click();
  await page.locator('#f-account-website').fill('https://mine.example.com');
  await graphql(
    page,
    'mutation Rename($id: ID!) { updateAccount(id: $id, input: { name: "Renamed by a colleague" }) { id } }',
    {
      id: account.id,
    },
  );
  await page.getByTestId('save').click();
  const conflict = page.getByTestId('conflict');
  await expect(conflict).toContainText('Someone else changed this record');
  await shot(page, '17-conflict');
  await conflict.getByRole('button', { name: 'Reload the latest version' }).click();
  await expect(page.locator('#f-account-name')).toHaveValue('Renamed by a colleague');
});

test('a missing record shows an error page inside the app, not a dead screen', async ({ page }) => {
  await page.goto('/accounts/00000000-0000-4000-8000-000000000000');
  await expect(page.getByTestId('error-page')).toContainText('404');
  await expect(page.locator('aside a[data-entity="account"]')).toBeVisible();
});

test('a lead is converted from its page into account, contact and opportunity', async ({ page }) => {
  const { leads } = await graphql<{ leads: { nodes: { id: string; company: string | null }[] } }>(
    page,
    '{ leads(first: 1, filter: { status: { in: [new, contacted, qualified] }, company: { isNull: false } }) { nodes { id company } } }',
  );
  const lead = leads.nodes[0]!;
  await page.goto(`/leads/${lead.id}`);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByTestId('convert-lead').click();
  const dialog = page.getByTestId('convert-dialog');
  await dialog.getByTestId('convert-opportunity-name').fill('Converted in the browser');
  await dialog.getByTestId('convert-submit').click();
  await expect(page).toHaveURL(/\/accounts\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('toast').filter({ hasText: 'Converted' })).toBeVisible();
  const after = await graphql<{ lead: { status: string; convertedAccountId: string | null } }>(
    page,
    'query L($id: ID!) { lead(id: $id) { status convertedAccountId } }',
    { id: lead.id },
  );
  expect(after.lead.status).toBe('converted');
  expect(page.url()).toContain(after.lead.convertedAccountId!);
  await expect(page.getByTestId('related-r_opportunity_account')).toContainText('Converted in the browser');
});

for (const lang of ['en', 'zh-CN'] as const) {
  test(`the campaign ROI chart's labels do not overlap (${lang})`, async ({ page }) => {
    const { campaignRoi } = await graphql<{ campaignRoi: { name: string; roiPercent: string | null }[] }>(
      page,
      '{ campaignRoi { name roiPercent } }',
    );
    const expected = campaignRoi.filter((r) => r.roiPercent != null).slice(0, 10);
    expect(expected.length).toBeGreaterThan(1);
    const base = test.info().project.use.baseURL ?? 'http://127.0.0.1';
    await page.context().addCookies([{ name: 'tp_lang', value: lang, url: base }]);
    await page.goto('/');
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    const canvas = page.getByTestId('campaign-roi').locator('canvas');
    await expect(canvas).toBeVisible();
    // The names sit on the vertical axis, one per line: each label's box is apart from the next one and
    // inside the chart, and each is the start of its campaign's name.
    const axis = await canvas.evaluate((c) => {
      type Scale = {
        left: number;
        right: number;
        width: number;
        ticks: { label: string | string[] }[];
        getPixelForTick(i: number): number;
        _resolveTickFontOptions?(i: number): { size: number };
      };
      const chart = (c as unknown as { chart: { scales: Record<string, Scale>; width: number } }).chart;
      const y = chart.scales.y!;
      return {
        labels: y.ticks.map((t) => String(t.label)),
        positions: y.ticks.map((_, i) => y.getPixelForTick(i)),
        fontSize: y._resolveTickFontOptions?.(0).size ?? 12,
        axisWidth: y.width,
        chartWidth: chart.width,
      };
    });
    expect(axis.labels).toHaveLength(expected.length);
    axis.labels.forEach((shown, i) => {
      expect(expected[i]!.name.startsWith(shown.replace(/…$/, ''))).toBe(true);
    });
    for (let i = 1; i < axis.positions.length; i++) {
      expect(axis.positions[i]! - axis.positions[i - 1]!).toBeGreaterThanOrEqual(axis.fontSize + 2);
    }
    expect(axis.axisWidth).toBeLessThan(axis.chartWidth / 2);
    await page.getByTestId('campaign-roi').screenshot({ path: test.info().outputPath(`campaign-roi-${lang}.png`) });
  });
}

for (const lang of ['en', 'zh-CN'] as const) {
  test(`lists fit in 1440 px, show "1–50 of N" and say "1 record" (${lang})`, async ({ page }) => {
    const base = test.info().project.use.baseURL ?? 'http://127.0.0.1';
    await page.context().addCookies([{ name: 'tp_lang', value: lang, url: base }]);
    const number = (n: number) => n.toLocaleString(lang === 'zh-CN' ? 'zh-CN' : 'en-US');
    const range = (from: number, to: number, total: number) =>
      lang === 'zh-CN'
        ? `第 ${number(from)}–${number(to)} 条，共 ${number(total)} 条`
        : `${number(from)}–${number(to)} of ${number(total)}`;

    // Many columns scroll inside the table's own box; the page is never wider than the window.
    const wide =
      'caseNumber,subject,account,contact,status,priority,severity,owner,openedAt,slaDueAt,type,channel,product';
    for (const path of ['/accounts', '/interactions', `/cases?cols=${wide}`]) {
      await page.goto(path);
      await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
      await expect(page.getByTestId('record-table')).toBeVisible();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(1440);
    }
    const table = page.locator('.table-wrap');
    expect(await table.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
    if (lang === 'en') {
      // Every entity's list, as the navigation offers them: none makes the page wider than the window.
      await page.goto('/');
      const lists = await page
        .locator('aside a[data-entity]')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
      expect(lists.length).toBeGreaterThan(20);
      for (const path of lists) {
        await page.goto(path);
        await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
        await expect(page.getByTestId('total')).toBeVisible();
        expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(1440);
      }
      await page.goto(`/cases?cols=${wide}`);
    }
    expect(await table.evaluate((e) => getComputedStyle(e).overflowX)).toBe('auto');
    await page.screenshot({ path: test.info().outputPath(`list-wide-${lang}.png`) });

    const { interactions } = await graphql<{ interactions: { totalCount: number } }>(
      page,
      '{ interactions(first: 1) { totalCount } }',
    );
    const total = interactions.totalCount;
    expect(total).toBeGreaterThan(100);
    await page.goto('/interactions');
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await expect(page.getByTestId('page-range')).toHaveText(range(1, 50, total));
    await expect(page.getByTestId('total')).toHaveText(
      lang === 'zh-CN' ? `${number(total)} 条记录` : `${number(total)} records`,
    );
    await page.getByTestId('next-page').click();
    await expect(page.getByTestId('page-range')).toHaveText(range(51, 100, total));
    await page.getByTestId('previous-page').click();
    await expect(page.getByTestId('page-range')).toHaveText(range(1, 50, total));
    await page.screenshot({ path: test.info().outputPath(`list-paging-${lang}.png`) });

    // One record: singular in English (no plural in Chinese).
    const { accounts } = await graphql<{ accounts: { nodes: { name: string }[] } }>(
      page,
      '{ accounts(first: 1) { nodes { name } } }',
    );
    const filter = JSON.stringify([{ field: 'name', op: 'in', value: [accounts.nodes[0]!.name] }]);
    await page.goto(`/accounts?filter=${encodeURIComponent(filter)}`);
    await expect(page.getByTestId('total')).toHaveText(lang === 'zh-CN' ? '1 条记录' : '1 record');
    await expect(page.getByTestId('page-range')).toHaveText(range(1, 1, 1));
    await page.screenshot({ path: test.info().outputPath(`list-one-${lang}.png`) });
  });
}
