// Records through the generated GraphQL API over real HTTP and a real database: CRUD, validation,
// concurrency, soft delete, filters, sorting, pagination both ways, aggregates, relations, computed fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;

const labels = (en: string, zh: string) => ({ en, 'zh-CN': zh });

beforeAll(async () => {
  h = await startHarness();
  // A project entity made through the metadata API, related to the core account entity.
  await h.ok(`mutation($d: JSON!) { createEntity(definition: $d) { applied version } }`, {
    d: {
      name: 'project',
      labels: labels('Project', '项目'),
      titleField: 'title',
      fields: [
        { name: 'title', type: 'text', labels: labels('Title', '标题'), required: true, maxLength: 120 },
        { name: 'budget', type: 'currency', labels: labels('Budget', '预算'), currencyCode: 'CNY' },
        { name: 'hours', type: 'integer', labels: labels('Hours', '工时'), min: 0 },
        { name: 'rate', type: 'decimal', labels: labels('Rate', '费率'), scale: 2 },
        {
          name: 'status',
          type: 'select',
          labels: labels('Status', '状态'),
          default: 'planned',
          options: [
            { value: 'planned', labels: labels('Planned', '计划中'), color: '#888888' },
            { value: 'active', labels: labels('Active', '进行中'), color: '#22aa22' },
            { value: 'done', labels: labels('Done', '已完成'), color: '#2255cc' },
          ],
        },
        { name: 'startsOn', type: 'date', labels: labels('Starts on', '开始日期') },
        {
          name: 'cost',
          type: 'formula',
          labels: labels('Cost', '成本'),
          formula: { expression: 'hours * rate', resultType: 'number' },
        },
        {
          name: 'account',
          type: 'relation',
          labels: labels('Account', '客户'),
          relation: { target: 'account', kind: 'manyToOne', inverse: 'projects' },
        },
      ],
    },
  });
  await h.ok(`mutation($f: JSON!) { addField(entity: "account", field: $f) { applied } }`, {
    f: {
      name: 'projectHours',
      type: 'rollup',
      labels: labels('Project hours', '项目工时'),
      rollup: { relation: 'projects', fn: 'sum', field: 'hours', filter: { status: { neq: 'done' } } },
    },
  });
});

afterAll(async () => {
  await h?.close();
});

describe('create, read, update, delete, restore', () => {
  it('creates a record with defaults and audit fields and reads it back', async () => {
    const { createProject } = await h.ok<{ createProject: Record<string, unknown> }>(
      `mutation { createProject(input: { title: "ERP rollout", hours: 10, rate: "150.50", budget: { amount: "20000" } }) {
        id title hours rate status budget { amount currency } cost createdBy version createdAt } }`,
    );
    expect(createProject).toMatchObject({
      title: 'ERP rollout',
      hours: 10,
      rate: '150.50',
      status: 'planned',
      budget: { amount: '20000.00', currency: 'CNY' },
      createdBy: h.userId,
      version: 1,
    });
    expect(Number(createProject.cost)).toBe(1505);
    const { project } = await h.ok<{ project: { title: string } }>(`query($id: ID!) { project(id: $id) { title } }`, {
      id: createProject.id,
    });
    expect(project.title).toBe('ERP rollout');
  });

  it('reports every invalid field at once and writes nothing', async () => {
    const before = await h.ok<{ projects: { totalCount: number } }>(`{ projects { totalCount } }`);
    const result = await h.gql(`mutation($input: ProjectInput!) { createProject(input: $input) { id } }`, {
      input: {
        title: 'x'.repeat(121),
        hours: -5,
        rate: '1.234',
        startsOn: '2026-02-30',
        budget: { amount: '10', currency: 'yuan' },
      },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const paths = result.errors?.[0]?.extensions?.issues?.map((i) => i.path).sort();
    expect(paths).toEqual(['input.budget', 'input.hours', 'input.rate', 'input.startsOn', 'input.title']);
    const after = await h.ok<{ projects: { totalCount: number } }>(`{ projects { totalCount } }`);
    expect(after.projects.totalCount).toBe(before.projects.totalCount);
  });

  it('refuses a missing required field, an unknown field, a wrong type and a 5 MB string', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['missing required', { hours: 1 }, 'input.title'],
      ['5 MB string', { title: 'y'.repeat(5 * 1024 * 1024) }, 'input.title'],
    ];
    for (const [, input, path] of cases) {
      const result = await h.gql(`mutation($input: ProjectInput!) { createProject(input: $input) { id } }`, { input });
      expect(result.errors?.[0]?.extensions?.issues?.map((i) => i.path)).toContain(path);
    }
    const unknown = await h.gql(`mutation { createProject(input: { title: "a", colour: "red" }) { id } }`);
    expect(unknown.errors?.[0]?.message).toMatch(/colour/);
    const wrongType = await h.gql(`mutation { createProject(input: { title: "a", hours: "many" }) { id } }`);
    expect(wrongType.errors?.[0]?.message).toMatch(/Int/);
    const badOption = await h.gql(`mutation { createProject(input: { title: "a", status: cancelled }) { id } }`);
    expect(badOption.errors?.[0]?.message).toMatch(/cancelled/);
  });

  it('detects a concurrent edit with expectedVersion', async () => {
    const { createProject } = await h.ok<{ createProject: { id: string } }>(
      `mutation { createProject(input: { title: "Race" }) { id } }`,
    );
    const id = createProject.id;
    await h.ok(`mutation($id: ID!) { updateProject(id: $id, input: { hours: 3 }, expectedVersion: 1) { version } }`, {
      id,
    });
    const stale = await h.gql(
      `mutation($id: ID!) { updateProject(id: $id, input: { hours: 4 }, expectedVersion: 1) { version } }`,
      { id },
    );
    expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const { project } = await h.ok<{ project: { hours: number; version: number } }>(
      `query($id: ID!) { project(id: $id) { hours version } }`,
      { id },
    );
    expect(project).toEqual({ hours: 3, version: 2 });
  });

  it('soft-deletes and restores with the data intact', async () => {
    const { createProject } = await h.ok<{ createProject: { id: string } }>(
      `mutation { createProject(input: { title: "Temp", hours: 7 }) { id } }`,
    );
    const id = createProject.id;
    const deleted = await h.ok<{ deleteProject: { deletedAt: string } }>(
      `mutation($id: ID!) { deleteProject(id: $id) { deletedAt } }`,
      { id },
    );
    expect(deleted.deleteProject.deletedAt).toBeTruthy();
    expect((await h.ok<{ project: null }>(`query($id: ID!) { project(id: $id) { id } }`, { id })).project).toBeNull();
    const again = await h.gql(`mutation($id: ID!) { deleteProject(id: $id) { id } }`, { id });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const restored = await h.ok<{ restoreProject: { hours: number; deletedAt: null } }>(
      `mutation($id: ID!) { restoreProject(id: $id) { hours deletedAt } }`,
      { id },
    );
    expect(restored.restoreProject).toEqual({ hours: 7, deletedAt: null });
  });

  it('creates many in one transaction, all or none, with errors per row', async () => {
    const bad = await h.gql(
      `mutation { createProjects(inputs: [{ title: "A1" }, { title: "" , hours: -1 }, { title: "A3" }]) { id } }`,
    );
    expect(bad.errors?.[0]?.extensions?.issues?.[0]?.path).toMatch(/^inputs\[1\]\./);
    const none = await h.ok<{ projects: { totalCount: number } }>(
      `{ projects(filter: { title: { eq: "A1" } }) { totalCount } }`,
    );
    expect(none.projects.totalCount).toBe(0);
    const good = await h.ok<{ createProjects: { title: string }[] }>(
      `mutation { createProjects(inputs: [{ title: "B1" }, { title: "B2" }]) { title } }`,
    );
    expect(good.createProjects.map((p) => p.title)).toEqual(['B1', 'B2']);
  });
});

describe('queries', () => {
  let accountId: string;
  beforeAll(async () => {
    const { createAccount } = await h.ok<{ createAccount: { id: string } }>(
      `mutation { createAccount(input: { name: "济南华远数控设备有限公司" }) { id } }`,
    );
    accountId = createAccount.id;
    const inputs = Array.from({ length: 30 }, (_, i) => ({
      title: `Q-${String(i).padStart(2, '0')}`,
      hours: i % 5 === 0 ? null : (i * 7) % 13,
      status: ['planned', 'active', 'done'][i % 3],
      accountId,
    }));
    await h.ok(`mutation($inputs: [ProjectInput!]!) { createProjects(inputs: $inputs) { id } }`, { inputs });
  });

  it('filters with nested and/or/not and relation filters both ways', async () => {
    const { projects } = await h.ok<{ projects: { totalCount: number; nodes: { title: string }[] } }>(
      `query($a: ID!) { projects(filter: { accountId: { eq: $a }, or: [{ status: { eq: done } }, { hours: { gte: 12 } }], not: { title: { endsWith: "9" } } }) { totalCount nodes { title } } }`,
      { a: accountId },
    );
    expect(projects.totalCount).toBeGreaterThan(0);
    const { accounts } = await h.ok<{ accounts: { nodes: { name: string }[] } }>(
      `{ accounts(filter: { projects: { some: { status: { eq: active } } } }) { nodes { name } } }`,
    );
    expect(accounts.nodes.map((a) => a.name)).toContain('济南华远数控设备有限公司');
    const viaParent = await h.ok<{ projects: { totalCount: number } }>(
      `{ projects(filter: { account: { name: { contains: "华远" } } }) { totalCount } }`,
    );
    expect(viaParent.projects.totalCount).toBe(30);
  });

  it('walks every page forwards and backwards with a stable order over duplicates and nulls', async () => {
    const query = `query($after: String, $before: String, $first: Int, $last: Int) {
      projects(filter: { title: { startsWith: "Q-" } }, orderBy: [{ field: hours, direction: desc }], first: $first, after: $after, last: $last, before: $before) {
        nodes { title } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    type Page = {
      projects: {
        nodes: { title: string }[];
        pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
      };
    };
    const forward: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page: Page = await h.ok(query, { first: 7, after });
      forward.push(...page.projects.nodes.map((n) => n.title));
      if (!page.projects.pageInfo.hasNextPage) break;
      after = page.projects.pageInfo.endCursor;
    }
    expect(forward).toHaveLength(30);
    expect(new Set(forward).size).toBe(30);
    const backward: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page: Page = await h.ok(query, { last: 7, before });
      backward.unshift(...page.projects.nodes.map((n) => n.title));
      if (!page.projects.pageInfo.hasPreviousPage) break;
      before = page.projects.pageInfo.startCursor;
    }
    expect(backward).toEqual(forward);
  });

  it('aggregates per group', async () => {
    const { projectsAggregate } = await h.ok<{
      projectsAggregate: { key: { status: string }; count: number; sum: { hours: string } }[];
    }>(
      `{ projectsAggregate(filter: { title: { startsWith: "Q-" } }, groupBy: [status]) { key { status } count sum { hours } } }`,
    );
    const byStatus = Object.fromEntries(projectsAggregate.map((g) => [g.key.status, g]));
    expect(byStatus.planned?.count).toBe(10);
    const expected = Array.from({ length: 30 }, (_, i) => i)
      .filter((i) => i % 3 === 1 && i % 5 !== 0)
      .reduce((sum, i) => sum + ((i * 7) % 13), 0);
    expect(Number(byStatus.active?.sum.hours)).toBe(expected);
  });

  it('navigates relations both ways and keeps the rollup right as related records change', async () => {
    const read = async () =>
      h.ok<{ account: { projectHours: string | null; projects: { title: string; account: { name: string } }[] } }>(
        `query($id: ID!) { account(id: $id) { projectHours projects(orderBy: [{ field: title }], first: 3) { title account { name } } } }`,
        { id: accountId },
      );
    const first = await read();
    expect(first.account.projects.map((p) => p.title)).toEqual(['Q-00', 'Q-01', 'Q-02']);
    expect(first.account.projects[0]?.account.name).toBe('济南华远数控设备有限公司');
    const expected = Array.from({ length: 30 }, (_, i) => i)
      .filter((i) => i % 3 !== 2 && i % 5 !== 0)
      .reduce((sum, i) => sum + ((i * 7) % 13), 0);
    expect(Number(first.account.projectHours)).toBe(expected);
    await h.ok(
      `mutation($a: ID!) { createProject(input: { title: "Extra", hours: 100, status: active, accountId: $a }) { id } }`,
      { a: accountId },
    );
    expect(Number((await read()).account.projectHours)).toBe(expected + 100);
  });

  it('sends the same number of SQL statements for 10 and for 500 records', async () => {
    const query = `query($n: Int!) { accounts(first: $n) { totalCount nodes { id name contacts(first: 5) { id fullName } projects(first: 5) { title } } } }`;
    await h.ok(`mutation($inputs: [AccountInput!]!) { createAccounts(inputs: $inputs) { id } }`, {
      inputs: Array.from({ length: 500 }, (_, i) => ({ name: `Bulk ${i}` })),
    });
    const small = await h.gql(query, { n: 10 }, { debug: true });
    const large = await h.gql(query, { n: 500 }, { debug: true });
    expect(small.errors).toBeUndefined();
    expect((large.data as { accounts: { nodes: unknown[] } }).accounts.nodes).toHaveLength(500);
    expect(small.extensions?.sqlStatements).toBeGreaterThan(0);
    expect(large.extensions?.sqlStatements).toBe(small.extensions?.sqlStatements);
  });
});
