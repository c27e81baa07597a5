// Inputs that once answered INTERNAL_SERVER_ERROR (issue 10, "Requests"): each is now refused with the
// code and the path of what was wrong, and changes nothing — no metadata version, no record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, type Harness, startHarness } from './harness.ts';

let h: Harness;
const labels = { en: 'Thing', 'zh-CN': '东西' };
const CREATE_ENTITY = 'mutation($d: JSON!) { createEntity(definition: $d) { applied } }';
const ADD_FIELD = 'mutation($f: JSON!) { addField(entity: "account", field: $f) { applied } }';
const PLAN = 'query($c: JSON!) { planMetadataChange(changes: $c) { destructive } }';
const APPLY = 'mutation($c: JSON!) { applyMetadataChange(changes: $c) { applied } }';

async function state(): Promise<string> {
  const { metadataVersion } = await h.ok<{ metadataVersion: number }>('{ metadataVersion }');
  const [row] = await h.engine.db.query<{ n: string }>('select count(*)::text as n from ws_default.account');
  return `${metadataVersion}/${row?.n}`;
}

/** The request's one error: its code and its issues' paths; fails on data without an error. */
function refusal(result: GraphQLResponse): { code: unknown; paths: string[]; message: string } {
  expect(result.errors, JSON.stringify(result.data)).toHaveLength(1);
  const error = result.errors![0]!;
  return {
    code: error.extensions?.code,
    paths: (error.extensions?.issues ?? []).map((i) => i.path),
    message: error.message,
  };
}

async function refused(query: string, variables: Record<string, unknown>) {
  const before = await state();
  const result = refusal(await h.gql(query, variables));
  expect(await state()).toBe(before);
  return result;
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe('NUL bytes (PostgreSQL rejects them in text)', () => {
  it('a NUL in a record value is VALIDATION_FAILED at the value', async () => {
    expect(
      await refused('mutation($i: AccountInput!) { createAccount(input: $i) { id } }', { i: { name: 'a\u0000' } }),
    ).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['i.name'] });
    expect(await refused('mutation { createAccount(input: { name: "a\\u0000" }) { id } }', {})).toMatchObject({
      code: 'VALIDATION_FAILED',
      paths: ['input.name'],
    });
  });

  it('a NUL in a filter value or a search is VALIDATION_FAILED at its path', async () => {
    expect(
      refusal(await h.gql('{ accounts(filter: { name: { in: ["x", "a\\u0000"] } }) { totalCount } }')),
    ).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['filter.name.in[1]'] });
    expect(
      refusal(await h.gql('query($s: String) { accounts(search: $s) { totalCount } }', { s: '\u0000' })),
    ).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['s'] });
    expect(refusal(await h.gql('{ search(text: "a\\u0000") { __typename } }'))).toMatchObject({
      code: 'VALIDATION_FAILED',
      paths: ['text'],
    });
  });

  it('a NUL in an entity name or a label is VALIDATION_FAILED at the definition path', async () => {
    const definition = (name: string, en: string) => ({
      name,
      labels: { en, 'zh-CN': 'x' },
      titleField: 'title',
      fields: [{ name: 'title', type: 'text', labels }],
    });
    expect(await refused(CREATE_ENTITY, { d: definition('a\u0000b', 'A') })).toMatchObject({
      code: 'VALIDATION_FAILED',
      paths: ['d.name'],
    });
    expect(
      await refused(`mutation { createEntity(definition: { name: "ok", labels: { en: "\\u0000" } }) { applied } }`, {}),
    ).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['definition.labels.en'] });
  });

  it('a NUL in the engine input itself (no API in between) is refused by the engine', async () => {
    await expect(
      h.engine.records({ workspace: 'default', actor: 'tester' }).create('account', { name: 'a\u0000' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'input.name' }] });
    await expect(
      h.engine.changeMetadata(
        'default',
        [{ op: 'updateEntity', entity: 'account', patch: { labels: { en: '\u0000', 'zh-CN': 'x' } } }],
        { actor: 'tester' },
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'changes[0].patch.labels.en' }] });
  });
});

describe('deep nesting (stack overflow)', () => {
  it('or nested 5,000 deep in a variable is refused before GraphQL coerces it', async () => {
    const body = `{"query":"query($f: AccountFilter) { accounts(filter: $f) { totalCount } }","variables":{"f":${'{"or":['.repeat(5000)}{}${']}'.repeat(5000)}}}`;
    const response = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.credentials },
      body,
    });
    expect(response.status).toBe(400);
    expect(refusal((await response.json()) as GraphQLResponse)).toMatchObject({ code: 'LIMIT_EXCEEDED', paths: ['f'] });
  });

  it('or nested 5,000 deep in the document is refused before graphql-js parses it', async () => {
    const filter = `${'{ or: ['.repeat(5000)}{}${'] }'.repeat(5000)}`;
    const result = refusal(await h.gql(`{ accounts(filter: ${filter}) { totalCount } }`));
    expect(result).toMatchObject({ code: 'LIMIT_EXCEEDED', paths: ['query'] });
    expect(result.message).toContain('at most 64');
  });

  it('a filter within the request limit but past MAX_FILTER_DEPTH names the filter path', async () => {
    const filter = `${'{ or: ['.repeat(11)}{}${'] }'.repeat(11)}`;
    const result = refusal(await h.gql(`{ accounts(filter: ${filter}) { totalCount } }`));
    expect(result.code).toBe('LIMIT_EXCEEDED');
    expect(result.paths[0]).toMatch(/^filter(\.or\[0\]){10}$/);
  });
});

describe('metadata shapes (TypeError: object is not iterable, Cannot create property on string)', () => {
  it('createEntity accepts fields as a mapping keyed by field name, as in YAML', async () => {
    await h.ok(CREATE_ENTITY, {
      d: {
        name: 'gadget',
        labels,
        titleField: 'title',
        fields: { title: { type: 'text', labels }, size: { type: 'integer', labels } },
      },
    });
    const { entity } = await h.ok<{ entity: { fields: { name: string }[] } }>(
      '{ entity(name: "gadget") { fields { name } } }',
    );
    expect(entity.fields.map((f) => f.name)).toEqual(['title', 'size']);
  });

  it('createEntity refuses a mapping whose key and name disagree, and fields that are not definitions', async () => {
    expect(
      await refused(CREATE_ENTITY, {
        d: { name: 'gizmo', labels, titleField: 'a', fields: { a: { name: 'b', type: 'text', labels } } },
      }),
    ).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['definition.fields.a.name'] });
    expect(await refused(CREATE_ENTITY, { d: { name: 'gizmo', labels, titleField: 'a', fields: 'a' } })).toMatchObject({
      code: 'VALIDATION_FAILED',
      paths: ['definition.fields'],
    });
    expect(await refused(CREATE_ENTITY, { d: 'gizmo' })).toMatchObject({
      code: 'VALIDATION_FAILED',
      paths: ['definition'],
    });
  });

  it('addField with a number as the field is VALIDATION_FAILED at field', async () => {
    expect(await refused(ADD_FIELD, { f: 5 })).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['field'] });
    const position = await refused(
      'mutation($f: JSON!) { addField(entity: "account", field: $f, position: -1) { applied } }',
      { f: { name: 'p', type: 'text', labels } },
    );
    expect(position).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['position'] });
    expect(position.message).toContain('from 0 to 1000');
  });

  it('plan and apply with strings where objects belong name every problem at once', async () => {
    const changes = [
      { op: 'createEntity', entity: 'x' },
      { op: 'addField', entity: 5, field: 'x' },
      'removeEntity',
      { op: 'updateField', entity: 'account', field: 'name', patch: JSON.parse('{"__proto__": {"required": false}}') },
      { op: 'drop' },
    ];
    const expected = {
      code: 'VALIDATION_FAILED',
      paths: [
        'changes[0].entity',
        'changes[1].entity',
        'changes[1].field',
        'changes[2]',
        'changes[3].patch.__proto__',
        'changes[4].op',
      ],
    };
    expect(await refused(PLAN, { c: changes })).toMatchObject(expected);
    expect(await refused(APPLY, { c: changes })).toMatchObject(expected);
    expect(await refused(APPLY, { c: 'x' })).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['changes[0]'] });
  });
});

describe('arguments out of range', () => {
  it('metadataHistory(first: -5) and (first: 100000) are refused with the allowed range', async () => {
    const negative = refusal(await h.gql('{ metadataHistory(first: -5) { version } }'));
    expect(negative).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['first'] });
    expect(negative.message).toContain('from 0 to 500');
    expect(refusal(await h.gql('{ metadataHistory(first: 100000) { version } }'))).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      paths: ['first'],
    });
    const { metadataHistory } = await h.ok<{ metadataHistory: unknown[] }>('{ metadataHistory(first: 1) { version } }');
    expect(metadataHistory).toHaveLength(1);
  });

  it('a bad date in a variable points at the field inside it (input.closeDate), not input.input', async () => {
    const result = refusal(
      await h.gql('mutation($input: OpportunityInput!) { createOpportunity(input: $input) { id } }', {
        input: { name: 'o', expectedCloseDate: 'next week' },
      }),
    );
    expect(result).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['input.expectedCloseDate'] });
    expect(result.message).toContain('YYYY-MM-DD');
  });

  it('a workspace name with a NUL is VALIDATION_FAILED at name', async () => {
    expect(
      refusal(await h.gql('mutation { createWorkspace(slug: "nul-name", name: "x\\u0000") { slug } }')),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      paths: ['name'],
    });
  });
});

describe('lengths (a 5 MB label weighed on every page)', () => {
  it('a 5 MB field label is refused at its path with the limit and the length', async () => {
    const result = await refused(ADD_FIELD, {
      f: { name: 'huge', type: 'text', labels: { en: 'x'.repeat(5_000_000), 'zh-CN': 'x' } },
    });
    expect(result).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['field.labels.en'] });
    expect(result.message).toContain('at most 200 characters, got 5000000');
  });

  it('descriptions, option counts and option values are bounded', async () => {
    const options = Array.from({ length: 501 }, (_, i) => ({ value: `o${i}`, labels: { en: `O${i}`, 'zh-CN': 'o' } }));
    const result = await refused(CREATE_ENTITY, {
      d: {
        name: 'bounded',
        labels,
        description: { en: 'd'.repeat(2001), 'zh-CN': 'd' },
        titleField: 'title',
        fields: [
          { name: 'title', type: 'text', labels, helpText: { en: 'h', 'zh-CN': 'h'.repeat(2001) } },
          { name: 'kind', type: 'select', labels, options },
          { name: 'size', type: 'select', labels, options: [{ value: `v${'x'.repeat(100)}`, labels }] },
        ],
      },
    });
    expect(result).toMatchObject({
      code: 'VALIDATION_FAILED',
      paths: [
        'definition.description.en',
        'definition.fields[0].helpText.zh-CN',
        'definition.fields[1].options',
        'definition.fields[2].options[0].value',
      ],
    });
  });

  it('a 10,000-character contains and a 501-character search are refused; 500 are accepted', async () => {
    const contains = refusal(
      await h.gql('query($t: String) { accounts(filter: { name: { contains: $t } }) { totalCount } }', {
        t: 'x'.repeat(10_000),
      }),
    );
    expect(contains).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['filter.name.contains'] });
    expect(contains.message).toContain('at most 500 characters, got 10000');
    expect(
      refusal(await h.gql('query($t: String) { accounts(search: $t) { totalCount } }', { t: 'y'.repeat(501) })),
    ).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['search'] });
    expect(
      refusal(
        await h.gql('query($t: [String!]) { accounts(filter: { name: { in: $t } }) { totalCount } }', {
          t: ['a', 'b'.repeat(501)],
        }),
      ),
    ).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['filter.name.in[1]'] });
    await h.ok('query($t: String) { accounts(search: $t) { totalCount } }', { t: 'y'.repeat(500) });
  });
});

describe('reserved names (constructor, __proto__, prototype were accepted)', () => {
  const entity = (name: string, fieldName = 'title') => ({
    name,
    labels,
    titleField: 'title',
    fields: [
      { name: 'title', type: 'text', labels },
      ...(fieldName === 'title' ? [] : [{ name: fieldName, type: 'text', labels }]),
    ],
  });

  it.each(['constructor', 'prototype', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'an entity named %s is refused with the reserved-name error',
    async (name) => {
      const result = await refused(CREATE_ENTITY, { d: entity(name) });
      expect(result).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['definition.name'] });
      expect(result.message).toContain(`"${name}" is reserved by the API`);
    },
  );

  it.each(['constructor', 'prototype', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'a field named %s is refused with the reserved-name error',
    async (name) => {
      const result = await refused(ADD_FIELD, { f: { name, type: 'text', labels } });
      expect(result).toMatchObject({ code: 'VALIDATION_FAILED', paths: ['field.name'] });
      expect(result.message).toContain(`the field name "${name}" is reserved`);
      const renamed = await refused(
        'mutation($p: JSON!) { updateField(entity: "account", field: "website", patch: $p) { applied } }',
        { p: { name } },
      );
      expect(renamed.code).toBe('VALIDATION_FAILED');
      expect(renamed.message).toContain(`the field name "${name}" is reserved`);
    },
  );

  it('a relative date range named after an Object member is refused, not looked up on the prototype', async () => {
    const records = h.engine.records({ workspace: 'default', actor: 'tester' });
    for (const range of ['constructor', 'toString', '__proto__']) {
      await expect(
        records.list({
          entity: 'opportunity',
          filter: { expectedCloseDate: { relative: range } } as never,
          selection: { fields: ['id'] } as never,
        }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'filter.expectedCloseDate.relative' }] });
    }
  });
});

describe('errors the fuzz test found without a path', () => {
  it('a missing record, a destructive change without confirmation and 5,000 bad enum values each name a path', async () => {
    expect(
      refusal(await h.gql('mutation { deleteAccount(id: "00000000-0000-0000-0000-000000000000") { id } }')),
    ).toMatchObject({ code: 'NOT_FOUND', paths: ['id'] });
    const confirm = await refused('mutation { removeField(entity: "account", field: "website") { applied } }', {});
    expect(confirm.code).toBe('CONFIRMATION_REQUIRED');
    expect(confirm.paths[0]).toBe('confirmDestructive');
    const many = await h.gql('query($f: AccountFilter) { accounts(filter: $f) { totalCount } }', {
      f: { industry: { in: Array.from({ length: 5000 }, (_, i) => `v${i}`) } },
    });
    for (const error of many.errors ?? []) {
      expect(error.extensions?.code).toBe('VALIDATION_FAILED');
      expect(error.extensions?.issues?.[0]?.path).toMatch(/^(f\.industry\.in\[\d+\]|variables)$/);
    }
  });
});
