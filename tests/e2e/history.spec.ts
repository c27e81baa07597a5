// The History section of a record page, in a real browser against `npm start`: an opportunity changed by two
// people shows who changed what, old → new, with field labels, option labels and related records by title,
// in English and in Chinese.
import { request } from '@playwright/test';
import { expect, graphql, type Page, shot, test } from './fixtures.ts';

type Lang = 'en' | 'zh-CN';

async function open(page: Page, lang: Lang, path: string) {
  const base = test.info().project.use.baseURL ?? 'http://127.0.0.1';
  await page.context().addCookies([{ name: 'tp_lang', value: lang, url: base }]);
  await page.goto(path);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

/** A GraphQL request signed in as a demo user of its own (a request context with that user's session). */
async function as(email: string, query: string, variables: Record<string, unknown>) {
  const baseURL = test.info().project.use.baseURL;
  const api = await request.newContext({ baseURL });
  try {
    const signedIn = await api.post('/graphql', {
      data: {
        query: 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { name } }',
        variables: { e: email, p: 'touchpoint' },
      },
    });
    const who = await signedIn.json();
    expect(who.errors, JSON.stringify(who.errors)).toBeUndefined();
    const response = await api.post('/graphql', { data: { query, variables } });
    const body = await response.json();
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return { ...body.data, name: who.data.signIn.name as string };
  } finally {
    await api.dispose();
  }
}

test('an opportunity page shows its history with labels and titles, in both languages', async ({ page }) => {
  const stamp = Date.now().toString(36);
  // The accounts are rep 1's, so rep 1 may put a deal on them (accounts are private to their owner and those
  // above: the manager sees them too).
  const { a, b } = await as(
    'rep1@example.com',
    `mutation($a: String!, $b: String!) {
      a: createAccount(input: { name: $a }) { id }
      b: createAccount(input: { name: $b }) { id }
    }`,
    { a: `Harbour Foods ${stamp}`, b: `Lotus Trading ${stamp}` },
  );
  const { pipelines } = await graphql<{ pipelines: { nodes: { id: string }[] } }>(
    page,
    '{ pipelines(first: 1) { nodes { id } } }',
  );
  const { createOpportunity, name: rep1 } = await as(
    'rep1@example.com',
    `mutation($a: ID!, $p: ID!, $name: String!) { createOpportunity(input: { name: $name, accountId: $a, pipelineId: $p }) { id } }`,
    { a: a.id, p: pipelines.nodes[0]!.id, name: `Cold store ${stamp}` },
  );
  const id = createOpportunity.id as string;
  const { name: manager } = await as(
    'manager@example.com',
    `mutation($id: ID!, $b: ID!) { updateOpportunity(id: $id, input: { stage: qualification, accountId: $b }) { id } }`,
    {
      id,
      b: b.id,
    },
  );

  const expected: Record<Lang, { section: string; stage: string; account: string; created: string; channel: string }> =
    {
      en: { section: 'History', stage: 'Stage', account: 'Account', created: 'set on creation', channel: 'web' },
      'zh-CN': { section: '变更历史', stage: '阶段', account: '客户', created: '创建时设置', channel: '网页' },
    };
  const stages: Record<Lang, [string, string]> = {
    en: ['Prospecting', 'Qualification'],
    'zh-CN': ['潜在机会', '需求确认'],
  };
  for (const lang of ['en', 'zh-CN'] as const) {
    const words = expected[lang];
    await open(page, lang, `/opportunities/${id}`);
    const history = page.getByTestId('record-history');
    await expect(history.getByRole('heading', { name: words.section })).toBeVisible();
    // Newest first: the manager's stage and account change, then what rep1 set on creation.
    const stage = history.locator('[data-testid="history-entry"][data-field="stage"]');
    await expect(stage).toHaveCount(2);
    await expect(stage.nth(0)).toContainText(manager);
    await expect(stage.nth(0)).toContainText(words.channel);
    await expect(stage.nth(0)).toContainText(words.stage);
    await expect(stage.nth(0).locator('.old')).toHaveText(stages[lang][0]);
    await expect(stage.nth(0).locator('.new')).toHaveText(stages[lang][1]);
    await expect(stage.nth(1)).toContainText(rep1);
    await expect(stage.nth(1)).toContainText(words.created);
    const account = history.locator('[data-testid="history-entry"][data-field="account"]').first();
    await expect(account).toContainText(words.account);
    await expect(account.locator('.old')).toHaveText(`Harbour Foods ${stamp}`);
    await expect(account.locator('.new')).toHaveText(`Lotus Trading ${stamp}`);
    // Values are labels and titles, never stored codes, ids or ISO instants.
    const text = (await history.textContent()) ?? '';
    expect(text).not.toMatch(/qualification|prospecting|[0-9a-f]{8}-[0-9a-f]{4}-|\d{4}-\d{2}-\d{2}T/);
    await history.scrollIntoViewIfNeeded();
    await shot(page, `history-${lang}`);
  }
});
