// A seeded, bounded fuzz of the GraphQL record API and the metadata API over real HTTP on real PostgreSQL:
// hostile variables (wrong types, huge texts, NUL bytes, deep nesting, unknown keys, negative and huge
// numbers, mappings where lists belong and lists where mappings belong, Object.prototype names) sent to
// every metadata mutation and the record operations of one entity. Every answer must be below 500, carry no
// INTERNAL_SERVER_ERROR, name a path in every error, and a refused request must leave the workspace's
// tables, columns and metadata version as they were.
//
// FUZZ_REQUESTS (default 300) and FUZZ_SEED (default 10) make it longer or different; the seed is printed,
// and the same seed sends the same requests.
import { createHash } from 'node:crypto';
import { CHANGE_OPS } from '@touchpoint/engine';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type GraphQLResponse, type Harness, startHarness } from './harness.ts';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 10);

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** mulberry32: a small PRNG whose sequence depends only on the seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}

type Random = ReturnType<typeof prng>;

const labels = (en: string) => ({ en, 'zh-CN': en });
const FIELD_TYPES = [
  'text',
  'integer',
  'decimal',
  'select',
  'date',
  'datetime',
  'boolean',
  'relation',
  'formula',
  'json',
];
const OBJECT_NAMES = ['constructor', '__proto__', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];
const ACCOUNT_FIELDS = ['name', 'type', 'industry', 'employees', 'website', 'phone', 'annualRevenue', 'owner'];

function deep(depth: number, make: (inner: unknown) => unknown, leaf: unknown = 'x'): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = make(value);
  return value;
}

/** A hostile value of any kind. */
function hostile(r: Random, level = 0): unknown {
  switch (r.int(level > 2 ? 9 : 16)) {
    case 0:
      return r.pick([-1, -5, 0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e308, -1e308, 0.5, 2.5]);
    case 1:
      return r.pick([true, false, null]);
    case 2:
      return r.pick(['', ' ', 'x', 'Ω≈ç√', '💥', "'; drop table account; --", '%_\\', '2020-02-30', 'not-a-date']);
    case 3:
      return 'x'.repeat(r.pick([201, 501, 2001, 10_000, 100_000]));
    case 4:
      return r.pick(['a\u0000b', '\u0000', 'name\u0000']);
    case 5:
      return r.pick(OBJECT_NAMES);
    case 6:
      return r.pick(ACCOUNT_FIELDS);
    case 7:
      return r.pick(['00000000-0000-0000-0000-000000000000', 'zzz', '1', 'ffffffff-ffff-ffff-ffff-ffffffffffff']);
    case 8:
      return r.pick(FIELD_TYPES);
    case 9:
      return Array.from({ length: r.int(4) }, () => hostile(r, level + 1));
    case 10:
      return Object.fromEntries(
        Array.from({ length: r.int(4) }, () => [
          r.pick([...ACCOUNT_FIELDS, ...OBJECT_NAMES, 'op', 'name', 'labels', 'fields', 'or', 'and', 'eq', 'in']),
          hostile(r, level + 1),
        ]),
      );
    case 11:
      return deep(r.pick([11, 40, 70, 1000]), (inner) => ({ or: [inner] }), {});
    case 12:
      return deep(r.pick([30, 70, 1000]), (inner) => [inner]);
    case 13:
      return JSON.parse(`{"__proto__": ${JSON.stringify(hostile(r, level + 1)) ?? 'null'}}`);
    case 14:
      return Array.from({ length: r.pick([501, 1001, 5000]) }, (_, i) => `v${i}`);
    default:
      return { [r.pick(['name', 'labels', 'type'])]: hostile(r, level + 1) };
  }
}

/** A field definition that is mostly right with one thing wrong (or, now and then, nothing wrong). */
function fieldDefinition(r: Random): unknown {
  const name = `f${r.int(100_000)}`;
  const field: Record<string, unknown> = {
    name,
    type: r.pick(['text', 'integer', 'date', 'boolean']),
    labels: labels(name),
  };
  if (r.chance(0.85)) {
    const key = r.pick([
      'name',
      'type',
      'labels',
      'helpText',
      'required',
      'options',
      'maxLength',
      'default',
      'formula',
      'relation',
      'unknownKey',
      '__proto__',
    ]);
    if (key === '__proto__') return JSON.parse(`{"name": "${name}", "type": "text", "__proto__": {"required": true}}`);
    field[key] = key === 'labels' && r.chance(0.5) ? { en: hostile(r), 'zh-CN': 'x' } : hostile(r);
  }
  return field;
}

function entityDefinition(r: Random): unknown {
  const name = `fz${r.int(100_000)}`;
  const entity: Record<string, unknown> = {
    name,
    labels: labels(name),
    titleField: 'title',
    fields: r.chance(0.3)
      ? { title: { type: 'text', labels: labels('T') } }
      : [{ name: 'title', type: 'text', labels: labels('T') }],
  };
  if (r.chance(0.85)) {
    const key = r.pick([
      'name',
      'labels',
      'titleField',
      'fields',
      'description',
      'views',
      'indexes',
      'pluralName',
      'defaultSort',
    ]);
    entity[key] = key === 'fields' && r.chance(0.5) ? [fieldDefinition(r), hostile(r)] : hostile(r);
  }
  return entity;
}

function roleDefinition(r: Random): Record<string, unknown> {
  const role: Record<string, unknown> = {
    name: r.pick(['fuzzRole', 'admin', 'constructor', 'Bad Name']),
    labels: { en: 'Fuzz', 'zh-CN': '模糊' },
    objects: r.pick([{ account: { read: true } }, { '*': { read: true, fly: true } }, { ghost: { read: true } }]),
  };
  if (r.chance(0.5)) role[r.pick(['reportsTo', 'system', 'fields', 'partner', 'extra', 'labels'])] = hostile(r);
  return role;
}

function sharingRule(r: Random): Record<string, unknown> {
  const rule: Record<string, unknown> = {
    name: 'fuzzRule',
    labels: { en: 'Fuzz', 'zh-CN': '模糊' },
    entity: r.pick(['account', 'ghost']),
    condition: { name: { eq: 'x' } },
    role: r.pick(['salesRep', 'nobody']),
    access: r.pick(['read', 'edit', 'all']),
  };
  if (r.chance(0.5)) rule[r.pick(['condition', 'entity', 'role', 'labels', 'extra'])] = hostile(r);
  return rule;
}

function change(r: Random): unknown {
  if (r.chance(0.15)) return hostile(r);
  // Every op the engine knows, and two it must refuse.
  const op = r.pick([...CHANGE_OPS, 'drop', 'constructor']);
  const c: Record<string, unknown> = { op };
  const maybe = (value: unknown) => (r.chance(0.7) ? value : hostile(r));
  if (op === 'createEntity') c.entity = r.chance(0.8) ? entityDefinition(r) : hostile(r);
  else if (op.startsWith('restore') || op === 'purgeArchive') c.archiveId = hostile(r);
  else if (op === 'createRole') c.role = maybe(roleDefinition(r));
  else if (op === 'updateRole' || op === 'removeRole') {
    c.role = maybe(r.pick(['salesRep', 'admin', 'nobody']));
    if (op === 'updateRole') {
      c.patch = maybe({
        [r.pick(['labels', 'objects', 'fields', 'system', 'reportsTo', 'partner', 'name', 'constructor'])]: r.chance(
          0.2,
        )
          ? null
          : hostile(r),
      });
    }
  } else if (op === 'setEntitySharing') {
    c.entity = maybe(r.pick(['account', 'lead', 'ghost']));
    c.sharing = maybe({
      default: maybe(r.pick(['private', 'publicRead', 'controlledByParent', 'open'])),
      [r.pick(['parent', 'ownerField', 'teamField', 'extra'])]: maybe(r.pick(['owner', 'name', 'account'])),
    });
  } else if (op === 'addSharingRule' || op === 'updateSharingRule' || op === 'removeSharingRule') {
    if (op === 'addSharingRule') c.rule = maybe(sharingRule(r));
    else c.rule = maybe(r.pick(['fuzzRule', 'nothing']));
    if (op === 'updateSharingRule') c.patch = maybe({ [r.pick(['condition', 'role', 'access', 'name'])]: hostile(r) });
  } else {
    c.entity = r.chance(0.7) ? 'account' : hostile(r);
    if (op.endsWith('Field'))
      c.field = op === 'addField' ? fieldDefinition(r) : r.chance(0.7) ? r.pick(ACCOUNT_FIELDS) : hostile(r);
    if (op.startsWith('update'))
      c.patch = r.chance(0.6)
        ? { [r.pick(['name', 'labels', 'required', 'type', 'fields', 'id', 'constructor'])]: hostile(r) }
        : hostile(r);
  }
  if (r.chance(0.2)) c[r.pick(['extra', '__proto__', 'position', 'entityId'])] = hostile(r);
  return c;
}

function filter(r: Random): unknown {
  if (r.chance(0.3)) return hostile(r);
  const field = r.pick(ACCOUNT_FIELDS);
  const operator = r.pick([
    'eq',
    'neq',
    'contains',
    'startsWith',
    'in',
    'gt',
    'lt',
    'isNull',
    'between',
    'relative',
    'some',
  ]);
  return { [field]: { [operator]: hostile(r) }, ...(r.chance(0.2) ? { or: [filter(r)] } : {}) };
}

interface Request {
  label: string;
  query: string;
  variables: Record<string, unknown>;
}

function request(r: Random): Request {
  const v = () => (r.chance(0.2) ? hostile(r) : undefined);
  const requests: (() => Request)[] = [
    () => ({
      label: 'accounts',
      query:
        'query($f: AccountFilter, $s: String, $n: Int, $o: [AccountOrderBy!], $a: String) { accounts(filter: $f, search: $s, first: $n, orderBy: $o, after: $a) { totalCount nodes { id name } } }',
      variables: { f: filter(r), s: r.chance(0.5) ? hostile(r) : undefined, n: v(), o: v(), a: v() },
    }),
    () => ({
      label: 'accountsAggregate',
      query: 'query($f: AccountFilter, $n: Int) { accountsAggregate(filter: $f, limit: $n) { count } }',
      variables: { f: filter(r), n: v() },
    }),
    () => ({ label: 'account', query: 'query($id: ID!) { account(id: $id) { id } }', variables: { id: hostile(r) } }),
    () => ({
      label: 'createAccount',
      query: 'mutation($i: AccountInput!) { createAccount(input: $i) { id } }',
      variables: {
        i: r.chance(0.7) ? { name: `Fuzz ${r.int(1000)}`, [r.pick(ACCOUNT_FIELDS)]: hostile(r) } : hostile(r),
      },
    }),
    () => ({
      label: 'createAccounts',
      query: 'mutation($i: [AccountInput!]!) { createAccounts(inputs: $i) { id } }',
      variables: { i: [{ name: 'ok' }, r.chance(0.5) ? { name: hostile(r) } : hostile(r)] },
    }),
    () => ({
      label: 'updateAccount',
      query:
        'mutation($id: ID!, $i: AccountInput!, $v: Int) { updateAccount(id: $id, input: $i, expectedVersion: $v) { id } }',
      variables: { id: hostile(r), i: { [r.pick(ACCOUNT_FIELDS)]: hostile(r) }, v: v() },
    }),
    () => ({
      label: 'deleteAccount',
      query: 'mutation($id: ID!) { deleteAccount(id: $id) { id } }',
      variables: { id: hostile(r) },
    }),
    () => ({
      label: 'createEntity',
      query: 'mutation($d: JSON!) { createEntity(definition: $d) { applied } }',
      variables: { d: entityDefinition(r) },
    }),
    () => ({
      label: 'addField',
      query: 'mutation($e: String!, $f: JSON!, $p: Int) { addField(entity: $e, field: $f, position: $p) { applied } }',
      variables: {
        e: r.chance(0.8) ? 'account' : hostile(r),
        f: r.chance(0.8) ? fieldDefinition(r) : hostile(r),
        p: v(),
      },
    }),
    () => ({
      label: 'updateField',
      query:
        'mutation($e: String!, $f: String!, $p: JSON!) { updateField(entity: $e, field: $f, patch: $p) { applied } }',
      variables: {
        e: 'account',
        f: r.chance(0.8) ? r.pick(ACCOUNT_FIELDS) : hostile(r),
        p: r.chance(0.6)
          ? { [r.pick(['labels', 'helpText', 'required', 'name', 'maxLength', 'options'])]: hostile(r) }
          : hostile(r),
      },
    }),
    () => ({
      label: 'updateEntity',
      query: 'mutation($e: String!, $p: JSON!) { updateEntity(entity: $e, patch: $p) { applied } }',
      variables: {
        e: r.chance(0.8) ? 'account' : hostile(r),
        p: r.chance(0.6)
          ? { [r.pick(['labels', 'description', 'titleField', 'views', 'indexes', 'name'])]: hostile(r) }
          : hostile(r),
      },
    }),
    () => ({
      label: 'removeEntity',
      query: 'mutation($e: String!) { removeEntity(entity: $e) { applied } }',
      variables: { e: hostile(r) },
    }),
    () => ({
      label: 'removeField',
      query: 'mutation($e: String!, $f: String!) { removeField(entity: $e, field: $f) { applied } }',
      variables: { e: r.chance(0.5) ? 'account' : hostile(r), f: hostile(r) },
    }),
    () => ({
      label: 'planMetadataChange',
      query: 'query($c: JSON!) { planMetadataChange(changes: $c) { destructive } }',
      variables: { c: r.chance(0.8) ? Array.from({ length: 1 + r.int(3) }, () => change(r)) : hostile(r) },
    }),
    () => ({
      label: 'applyMetadataChange',
      query: 'mutation($c: JSON!) { applyMetadataChange(changes: $c) { applied } }',
      variables: { c: r.chance(0.8) ? Array.from({ length: 1 + r.int(3) }, () => change(r)) : hostile(r) },
    }),
    () => ({
      label: 'metadataHistory',
      query: 'query($n: Int) { metadataHistory(first: $n) { version } }',
      variables: { n: hostile(r) },
    }),
    () => ({
      label: 'restoreArchive',
      query: 'mutation($id: Int!) { restoreArchive(id: $id) { applied } }',
      variables: { id: hostile(r) },
    }),
    () => ({
      label: 'purgeArchives',
      query: 'mutation($ids: [Int!]!, $c: Boolean) { purgeArchives(ids: $ids, confirmDestructive: $c) { applied } }',
      variables: { ids: r.chance(0.5) ? [hostile(r)] : hostile(r), c: r.chance(0.5) ? true : hostile(r) },
    }),
    () => ({
      label: 'createWorkspace',
      query: 'mutation($s: String!, $n: String!) { createWorkspace(slug: $s, name: $n) { slug } }',
      variables: { s: hostile(r), n: hostile(r) },
    }),
  ];
  return r.pick(requests)();
}

/** The default workspace's metadata version, tables, columns and rows, as one hash. */
async function digest(): Promise<string> {
  const [version] = await h.engine.db.query<{ v: number }>(
    `select coalesce(max(v.version), 0) as v from touchpoint.metadata_version v
       join touchpoint.workspace w on w.id = v.workspace_id where w.slug = 'default'`,
  );
  const columns = await h.engine.db.query<{ t: string }>(
    `select string_agg(table_name || '.' || column_name || ':' || data_type, ',' order by table_name, column_name) as t
       from information_schema.columns where table_schema = 'ws_default'`,
  );
  const tables = await h.engine.db.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = 'ws_default' order by table_name`,
  );
  const rows = await h.engine.db.query<{ h: string }>(
    tables
      .map(
        (t) =>
          `select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ws_default."${t.table_name}" x`,
      )
      .join(' union all '),
  );
  const workspaces = await h.engine.db.query<{ n: string }>('select count(*)::text as n from touchpoint.workspace');
  return createHash('sha1')
    .update(JSON.stringify([version?.v, columns[0]?.t, rows.map((r) => r.h), workspaces[0]?.n]))
    .digest('hex');
}

it(
  `answers ${REQUESTS} hostile requests without a 5xx, an internal error, an error without a path or a change after a refusal`,
  async () => {
    console.log(`fuzz: seed ${SEED}, ${REQUESTS} requests (FUZZ_SEED, FUZZ_REQUESTS)`);
    const r = prng(SEED);
    const byCode = new Map<string, number>();
    const problems: string[] = [];
    let succeeded = 0;
    let refused = 0;
    let before = await digest();
    for (let i = 0; i < REQUESTS; i++) {
      const { label, query, variables } = request(r);
      const response = await fetch(`${h.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-touchpoint-workspace': 'default',
          ...h.credentials,
        },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      const where = `#${i} ${label} ${text.slice(0, 300)}`;
      if (response.status >= 500) problems.push(`${where}: HTTP ${response.status}`);
      let result: GraphQLResponse;
      try {
        result = JSON.parse(text) as GraphQLResponse;
      } catch {
        problems.push(`${where}: not JSON`);
        continue;
      }
      for (const error of result.errors ?? []) {
        const code = String(error.extensions?.code ?? 'none');
        byCode.set(code, (byCode.get(code) ?? 0) + 1);
        if (code === 'INTERNAL_SERVER_ERROR' || code === 'none') problems.push(`${where}: error code ${code}`);
        const issues = error.extensions?.issues ?? [];
        if (issues.length === 0 || issues.some((issue) => typeof issue.path !== 'string' || issue.path === '')) {
          problems.push(`${where}: an error without an issue path`);
        }
      }
      const after = await digest();
      const data = result.data ?? {};
      const refusal = (result.errors?.length ?? 0) > 0 && Object.values(data).every((value) => value === null);
      if (refusal) {
        refused++;
        if (after !== before) problems.push(`${where}: the workspace changed although the request was refused`);
      } else succeeded++;
      before = after;
    }
    const codes = [...byCode].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => `${code} ${n}`);
    console.log(
      `fuzz: ${REQUESTS} requests: ${succeeded} answered, ${refused} refused; errors by code: ${codes.join(', ')}`,
    );
    expect(problems).toEqual([]);
  },
  30_000 + REQUESTS * 300,
);
