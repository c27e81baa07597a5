// The designer as an admin uses it, in English and in Chinese: a destructive change cannot be applied
// before it is confirmed, a refusal is in the user's words, an applied change is not planned again, and
// in Chinese the plan, its warnings, the history and the field editor show no English.
import { expect, graphql, type Page, type Request, shot, test } from './fixtures.ts';

test.describe.configure({ mode: 'serial' });

type Lang = 'en' | 'zh-CN';

async function useLanguage(page: Page, lang: Lang) {
  const url = test.info().project.use.baseURL!;
  await page.context().addCookies([{ name: 'tp_lang', value: lang, url }]);
}

/** A text field on the competitor entity, added through the API, for the screens to remove. */
async function addTextField(page: Page, name: string, labels: { en: string; zh: string }) {
  await graphql(page, 'mutation Add($changes: JSON!) { applyMetadataChange(changes: $changes) { version } }', {
    changes: [
      {
        op: 'addField',
        entity: 'competitor',
        field: { name, type: 'text', labels: { en: labels.en, 'zh-CN': labels.zh } },
      },
    ],
  });
}

/**
 * Every text an admin sees under `main` that holds Latin words: text nodes, placeholders, labels for
 * assistive tech and the options of every select. Code (API names), user-typed values and what is marked
 * translate="no" (user ids) are not words of the screen; product and format names are allowed.
 */
async function englishIn(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const allowed = /\b(Touchpoint|API|YAML|JSON|CNY|USD|contractValue)\b/g;
    const latin = (text: string) => /[A-Za-z]{2,}/.test(text.replace(allowed, ''));
    const raw = (el: Element | null) => Boolean(el?.closest('code, script, style, [translate="no"]'));
    const found: string[] = [];
    const root = document.querySelector('main')!;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || raw(el) || el.closest('option')) continue;
      if (!el.checkVisibility()) continue;
      if (latin(node.textContent ?? '')) found.push((node.textContent ?? '').trim());
    }
    for (const el of root.querySelectorAll('[placeholder], [aria-label], option')) {
      if (raw(el)) continue;
      const select = el.closest('select');
      if (!(select ?? el).checkVisibility()) continue;
      for (const text of [
        el.getAttribute('placeholder'),
        el.getAttribute('aria-label'),
        el.tagName === 'OPTION' ? el.textContent : null,
      ]) {
        if (text && latin(text)) found.push(text.trim());
      }
    }
    return found;
  });
}

async function hydrated(page: Page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

for (const lang of ['en', 'zh-CN'] as const) {
  test(`${lang}: Apply stays disabled until a destructive change is confirmed, and a refusal is in the user's words`, async ({
    page,
  }) => {
    const name = lang === 'en' ? 'rivalNote' : 'rivalMemo';
    await addTextField(page, name, { en: 'Rival note', zh: '对手备注' });
    await useLanguage(page, lang);
    await page.goto('/designer/competitor');
    await hydrated(page);
    await page.getByTestId(`remove-field-${name}`).click();
    const dialog = page.getByTestId('plan-dialog');
    await expect(dialog.getByTestId('plan-step').first()).toBeVisible();
    const apply = dialog.getByTestId('apply-change');
    await expect(apply).toBeDisabled();
    await shot(page, `designer-destructive-unconfirmed-${lang}`);
    await dialog.getByTestId('confirm-destructive').check();
    await expect(apply).toBeEnabled();
    await dialog.getByTestId('confirm-destructive').uncheck();
    await expect(apply).toBeDisabled();

    // The server has the last word: when the confirmation does not reach it (here, taken out of the
    // request on its way), its refusal is shown in the user's words, without API terms.
    await page.route('**/graphql', async (route) => {
      const body = route.request().postDataJSON() as { query: string; variables?: Record<string, unknown> };
      if (!body.query.includes('applyMetadataChange')) return route.continue();
      return route.continue({
        postData: JSON.stringify({ ...body, variables: { ...body.variables, confirm: false } }),
      });
    });
    await dialog.getByTestId('confirm-destructive').check();
    await apply.click();
    const error = dialog.getByTestId('plan-error');
    await expect(error).toBeVisible();
    await expect(error).not.toContainText('confirmDestructive');
    await expect(error).toContainText(
      lang === 'en' ? 'The change was not applied: it archives data' : '变更未应用：它会归档数据',
    );
    await shot(page, `designer-refusal-${lang}`);
    await page.unroute('**/graphql');

    await apply.click();
    await expect(dialog).toBeHidden();
    await expect(page.locator(`tr[data-field="${name}"]`)).toHaveCount(0);
  });
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

test('zh-CN: the designer, its plan steps and warnings, the history and the field editor show no English', async ({
  page,
}) => {
  // Every English text found, with where: all screens are looked at before the test says what it found.
  const english: string[] = [];
  const check = async (where: string) => english.push(...(await englishIn(page)).map((text) => `${where}: ${text}`));
  await useLanguage(page, 'zh-CN');
  await page.goto('/designer');
  await hydrated(page);
  await expect(page.locator('[data-entity="account"] .chip')).toHaveText('核心');
  await check('entities');
  await shot(page, 'designer-entities-zh-CN');

  await page.goto('/designer/competitor');
  await hydrated(page);
  await page.getByTestId('add-field').click();
  const editor = page.getByTestId('field-editor');
  for (const type of ['select', 'relation', 'formula', 'rollup', 'autonumber', 'currency', 'integer', 'text']) {
    await editor.getByTestId('field-type').selectOption(type);
    await check(`field editor, type ${type}`);
    if (type === 'relation') await shot(page, 'designer-field-editor-relation-zh-CN');
  }
  await editor.getByTestId('field-label-en').fill('Rival tag');
  await editor.getByTestId('field-label-zh').fill('对手标签');
  await editor.getByTestId('field-submit').click();
  const dialog = page.getByTestId('plan-dialog');
  await expect(dialog.getByTestId('plan-step').first()).toHaveText('为“竞争对手”添加文本字段“对手标签”。');
  await check('plan');
  await shot(page, 'designer-plan-zh-CN');
  await dialog.getByTestId('apply-change').click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('tr[data-field="rivalTag"] .chip')).toHaveText('工作区');
  await check('designer fields');

  await page.getByTestId('remove-field-rivalTag').click();
  await expect(dialog.locator('.destructive').first()).toContainText(
    '移除字段“竞争对手 · 对手标签”。其值（0 条记录有值）将被归档，可以恢复。',
  );
  await check('destructive plan');
  await shot(page, 'designer-destructive-plan-zh-CN');
  await dialog.getByTestId('confirm-destructive').check();
  await dialog.getByTestId('apply-change').click();
  await expect(dialog).toBeHidden();

  await page.goto('/designer/history');
  await hydrated(page);
  await expect(page.locator('tbody tr').first()).toContainText('移除字段“竞争对手 · 对手标签”');
  await check('history');
  await shot(page, 'designer-history-zh-CN');

  await page.goto('/designer/plugins');
  await hydrated(page);
  await check('plugins');
  expect(english).toEqual([]);
});

test('en: the plan and the history name entities and fields by their labels', async ({ page }) => {
  await useLanguage(page, 'en');
  await page.goto('/designer/history');
  await hydrated(page);
  await expect(page.locator('tbody tr').first()).toContainText('Removed the field "Competitor · Rival tag"');
  await expect(page.locator('tbody tr').first()).toContainText(
    'Remove the field "Competitor · Rival tag". Its values (0 record(s) have one) are archived and can be restored.',
  );
  await shot(page, 'designer-history-en');
});
