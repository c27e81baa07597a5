// Every value a user sees is its field type's formatted, translated label: relations as their target's
// title, datetimes formatted, select options and booleans in the screen's language — never `[object Object]`,
// an ISO timestamp or a stored value such as `inProgress` or `false`. Checked in English and Chinese against
// what the API says the records hold.
import { expect, graphql, type Page, shot as screenshot, test } from './fixtures.ts';

test.describe.configure({ mode: 'serial' });

type Lang = 'en' | 'zh-CN';

const shot = (page: Page, name: string) => screenshot(page, name, { fullPage: true });

async function open(page: Page, lang: Lang, path: string) {
  const base = test.info().project.use.baseURL ?? 'http://127.0.0.1';
  await page.context().addCookies([{ name: 'tp_lang', value: lang, url: base }]);
  await page.goto(path);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const YES_NO: Record<Lang, string[]> = { en: ['Yes', 'No'], 'zh-CN': ['是', '否'] };

async function firstCells(page: Page, testId: string): Promise<string[]> {
  const list = page.getByTestId(testId);
  await expect(list).toBeVisible();
  return (await list.locator('tbody tr td:first-child').allTextContents()).map((t) => t.trim());
}

for (const lang of ['en', 'zh-CN'] as const) {
  test(`account related lists show case numbers, opportunity names and dates, not [object Object] or ISO timestamps (${lang})`, async ({
    page,
  }) => {
    const { caseStatusChanges } = await graphql<{ caseStatusChanges: { nodes: { accountId: string }[] } }>(
      page,
      '{ caseStatusChanges(first: 1, filter: { accountId: { isNull: false } }) { nodes { accountId } } }',
    );
    const id = caseStatusChanges.nodes[0]!.accountId;
    const data = await graphql<{
      cases: { nodes: { case: { caseNumber: string } }[] };
      stages: { nodes: { opportunity: { name: string } }[] };
      interactions: { nodes: { occurredAt: string }[] };
    }>(
      page,
      `query A($id: ID!) {
        cases: caseStatusChanges(filter: { accountId: { eq: $id } }, first: 500) { nodes { case { caseNumber } } }
        stages: opportunityStageChanges(filter: { accountId: { eq: $id } }, first: 500) { nodes { opportunity { name } } }
        interactions(filter: { accountId: { eq: $id } }, first: 500) { nodes { occurredAt } }
      }`,
      { id },
    );
    await open(page, lang, `/accounts/${id}`);

    const caseNumbers = new Set(data.cases.nodes.map((n) => n.case.caseNumber));
    const cells = await firstCells(page, 'related-r_caseStatusChange_account');
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) {
      expect(cell).not.toContain('[object Object]');
      expect(caseNumbers.has(cell), `${cell} is one of the account's case numbers`).toBe(true);
    }

    if (data.stages.nodes.length > 0) {
      const names = new Set(data.stages.nodes.map((n) => n.opportunity.name));
      for (const cell of await firstCells(page, 'related-r_opportunityStageChange_account')) {
        expect(cell).not.toContain('[object Object]');
        expect(names.has(cell), `${cell} is one of the account's opportunities`).toBe(true);
      }
    }

    if (data.interactions.nodes.length > 0) {
      const formatter = new Intl.DateTimeFormat(lang === 'zh-CN' ? 'zh-CN' : 'en-US', {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      });
      const shown = new Set(data.interactions.nodes.map((n) => formatter.format(new Date(n.occurredAt))));
      for (const cell of await firstCells(page, 'related-r_interaction_account')) {
        expect(cell).not.toMatch(ISO);
        expect(shown.has(cell), `${cell} is an interaction's time, formatted`).toBe(true);
      }
    }
    await shot(page, `labels-account-${lang}`);
  });

  test(`case status history and SLA breached read as labels, not inProgress or false (${lang})`, async ({ page }) => {
    const { caseStatusChanges } = await graphql<{
      caseStatusChanges: {
        nodes: { id: string; summary: string; fromStatus: string; toStatus: string; caseId: string }[];
      };
    }>(
      page,
      '{ caseStatusChanges(first: 1, filter: { fromStatus: { isNull: false } }) { nodes { id summary fromStatus toStatus caseId } } }',
    );
    const change = caseStatusChanges.nodes[0]!;
    const { entities } = await graphql<{
      entities: {
        definition: {
          name: string;
          fields: { name: string; options?: { value: string; labels: Record<string, string> }[] }[];
        };
      }[];
    }>(page, '{ entities { definition } }');
    const statusField = entities
      .find((e) => e.definition.name === 'caseStatusChange')!
      .definition.fields.find((f) => f.name === 'toStatus')!;
    const labelOf = (value: string) => {
      const labels = statusField.options!.find((o) => o.value === value)!.labels;
      return labels[lang] ?? labels.en!;
    };

    await open(page, lang, `/caseStatusChanges/${change.id}`);
    await expect(page.getByTestId('record-title')).toHaveText(
      `${labelOf(change.fromStatus)} → ${labelOf(change.toStatus)}`,
    );
    await shot(page, `labels-status-change-${lang}`);

    // The case's own history list starts with a status (a select): its label, in a link to the change.
    await open(page, lang, `/cases/${change.caseId}`);
    const history = await firstCells(page, 'related-r_caseStatusChange_case');
    const labels = statusField.options!.map((o) => o.labels[lang] ?? o.labels.en);
    for (const cell of history) expect([...labels, '—']).toContain(cell);

    const sla = page.locator('[data-field="slaBreached"] dd');
    await expect(sla).toBeVisible();
    expect(YES_NO[lang]).toContain(((await sla.textContent()) ?? '').trim());
    await shot(page, `labels-case-${lang}`);
  });

  test(`the caller lookup names channels and the matched field in the screen's language (${lang})`, async ({
    page,
  }) => {
    const { interactions } = await graphql<{
      interactions: { nodes: { channel: string; contact: { phone: string } }[] };
    }>(
      page,
      '{ interactions(first: 1, filter: { contact: { phone: { isNull: false } } }) { nodes { channel contact { phone } } } }',
    );
    const phone = interactions.nodes[0]!.contact.phone;
    await open(page, lang, `/caller?phone=${encodeURIComponent(phone)}`);
    const touchpoints = page.getByTestId('caller-touchpoint');
    await expect(touchpoints.first()).toBeVisible();
    const { entities } = await graphql<{
      entities: {
        definition: {
          name: string;
          fields: { name: string; options?: { value: string; labels: Record<string, string> }[] }[];
        };
      }[];
    }>(page, '{ entities { definition } }');
    const channel = entities
      .find((e) => e.definition.name === 'interaction')!
      .definition.fields.find((f) => f.name === 'channel')!;
    const raw = channel.options!.map((o) => o.value);
    const labels = channel.options!.map((o) => o.labels[lang] ?? o.labels.en!);
    for (const text of await touchpoints.allTextContents()) {
      const shown = text.split('·')[1]!.trim();
      expect(labels).toContain(shown);
      if (lang === 'zh-CN') expect(raw).not.toContain(shown);
    }
    const matched = ((await page.getByTestId('caller-field').first().textContent()) ?? '').replace('✓', '').trim();
    expect(['phone', 'mobile', 'otherPhone']).not.toContain(matched);
    await shot(page, `labels-caller-${lang}`);
  });
}
