// Every field of the schema, enumerated by introspection (never a hand-picked few): none answers without
// credentials, and none that changes metadata, plugins, workspaces or other users' access answers a
// non-admin. A refusal changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type GraphQLResponse, type Harness, startHarness } from './harness.ts';

let h: Harness;
let rep: Client;

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface InputValue {
  name: string;
  type: TypeRef;
}
interface FullType {
  kind: string;
  name: string;
  fields: { name: string; args: InputValue[]; type: TypeRef }[] | null;
  inputFields: InputValue[] | null;
  enumValues: { name: string }[] | null;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
const INTROSPECTION = `{ __schema { queryType { name } mutationType { name } types {
  kind name
  fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } }
  inputFields { name type { ${TYPE_REF} } }
  enumValues { name }
} } }`;

let types: Map<string, FullType>;

beforeAll(async () => {
  h = await startHarness({ plugins: true });
  rep = await h.addUser({ email: 'rep@example.test', name: 'Rep', role: 'salesRep' });
  const { __schema } = await h.ok<{ __schema: { types: FullType[] } }>(INTROSPECTION);
  types = new Map(__schema.types.map((t) => [t.name, t]));
});
afterAll(async () => {
  await h?.close();
});

const rootFields = (type: 'Query' | 'Mutation') => types.get(type)!.fields!;

function named(ref: TypeRef): TypeRef {
  return ref.ofType ? named(ref.ofType) : ref;
}

/** A value of an input type, as a GraphQL literal: enough to pass validation, so the resolver is reached. */
function literal(ref: TypeRef, depth = 0): string {
  if (ref.kind === 'NON_NULL') return literal(ref.ofType!, depth);
  if (ref.kind === 'LIST') return `[${literal(ref.ofType!, depth)}]`;
  const type = types.get(ref.name!)!;
  if (type.kind === 'ENUM') return type.enumValues![0]!.name;
  if (type.kind === 'INPUT_OBJECT') {
    const required = type.inputFields!.filter((f) => f.type.kind === 'NON_NULL');
    return `{ ${required.map((f) => `${f.name}: ${literal(f.type, depth + 1)}`).join(', ')} }`;
  }
  switch (type.name) {
    case 'Int':
    case 'Float':
      return '1';
    case 'Boolean':
      return 'true';
    case 'ID':
      return '"00000000-0000-4000-8000-000000000000"';
    case 'Date':
      return '"2026-01-01"';
    case 'DateTime':
      return '"2026-01-01T00:00:00Z"';
    case 'JSON':
      return '{}';
    default:
      return '"x"';
  }
}

/** `name(requiredArgs…) { __typename }` for one root field. */
function call(field: { name: string; args: InputValue[]; type: TypeRef }): string {
  const args = field.args.filter((a) => a.type.kind === 'NON_NULL');
  const argText = args.length > 0 ? `(${args.map((a) => `${a.name}: ${literal(a.type)}`).join(', ')})` : '';
  const kind = types.get(named(field.type).name!)!.kind;
  const selection = kind === 'OBJECT' || kind === 'INTERFACE' || kind === 'UNION' ? ' { __typename }' : '';
  return `${field.name}${argText}${selection}`;
}

describe('without credentials', () => {
  it('refuses every Query and Mutation field but the open ones with 401 UNAUTHENTICATED, by POST and by GET', async () => {
    // Open: signing in, accepting an invitation, the first start's setup and whether it is due. Each of
    // them is reached here and answers for itself (a refused secret, a finished setup), never 401.
    const open = ['setupNeeded', 'acceptInvitation', 'setupFirstAdmin'];
    const fields = [
      ...rootFields('Query').map((f) => ({ name: f.name, op: 'query', text: call(f) })),
      ...rootFields('Mutation')
        .filter((f) => f.name !== 'signIn')
        .map((f) => ({ name: f.name, op: 'mutation', text: call(f) })),
      { name: '__schema', op: 'query', text: '__schema { queryType { name } }' },
      { name: '__typename', op: 'query', text: '__typename' },
    ];
    expect(fields.length).toBeGreaterThan(150);
    const answered: string[] = [];
    const answeredNames: string[] = [];
    const credentials: Record<string, string>[] = [
      {},
      { cookie: 'tp_session=forged' },
      { authorization: 'Bearer tp_forged' },
    ];
    for (const [i, field] of fields.entries()) {
      const headers = credentials[i % credentials.length]!;
      const document = `${field.op} { ${field.text} }`;
      const response = await h.anonymous.post(document, {}, { headers });
      const body = (await response.json()) as GraphQLResponse;
      if (response.status !== 401 || body.errors?.[0]?.extensions?.code !== 'UNAUTHENTICATED' || body.data) {
        answeredNames.push(field.name);
        if (!open.includes(field.name)) {
          answered.push(`${field.text}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
        }
      }
    }
    expect(answered).toEqual([]);
    expect(answeredNames.sort()).toEqual([...open].sort());
    const viaGet = await fetch(`${h.url}/graphql?query=${encodeURIComponent('{ accounts { totalCount } }')}`);
    expect(viaGet.status).toBe(401);
    // signIn rides along with nothing else.
    const smuggled = await h.anonymous.post(
      'mutation { signIn(email: "a@b.c", password: "x") { id } createAccount(input: { name: "x" }) { id } }',
    );
    expect(smuggled.status).toBe(401);
    // healthz needs no credentials.
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });
});

describe('a signed-in non-admin', () => {
  it('is refused FORBIDDEN on every mutation of metadata, plugins, workspaces and users, changing nothing', async () => {
    const { entities } = await h.ok<{ entities: { name: string }[] }>('{ entities { name } }');
    // Singular and plural (createOpportunity, createOpportunities, createPriceBookEntries…).
    const pascal = entities.map((e) =>
      `${e.name[0]!.toUpperCase()}${e.name.slice(1)}`.replace(/y$/, '(?:y|ie)').concat('(?:e?s)?'),
    );
    // Mutations of records (per entity, the CRM's conversions, a plugin's record action) and of one's own
    // account are every user's; everything else is an administrator's, whatever its name.
    const recordMutation = new RegExp(`^(create|update|delete|restore)(${pascal.join('|')})$`);
    const everyUser = new Set([
      'signIn',
      'signOut',
      'changePassword',
      'revokeSession',
      'signOutEverywhere',
      'createApiToken',
      'revokeApiToken',
      'acceptInvitation',
      'setupFirstAdmin',
      'runAction',
      'convertLead',
      'addSegmentToCampaign',
      // Sharing a record is for whoever may change that record (checked per record, not by role).
      'shareRecord',
      'revokeShare',
    ]);
    const adminOnly = rootFields('Mutation').filter((f) => !recordMutation.test(f.name) && !everyUser.has(f.name));
    expect(adminOnly.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'applyMetadataChange',
        'createEntity',
        'addField',
        'removeField',
        'createWorkspace',
        'purgeArchives',
        'installPlugin',
        'uninstallPlugin',
        'inviteUser',
        'revokeInvitation',
        'changeMemberRole',
        'deactivateMember',
        'removeMember',
      ]),
    );
    const before = await h.ok<{ metadataVersion: number }>('{ metadataVersion workspaces { slug } }');
    const allowed: string[] = [];
    for (const field of adminOnly) {
      const result = await rep.gql(`mutation { ${call(field)} }`);
      const error = result.errors?.[0];
      if (
        error?.extensions?.code !== 'FORBIDDEN' ||
        !error.message.startsWith(`Only administrators may run ${field.name}`)
      )
        allowed.push(`${field.name}: ${JSON.stringify(result).slice(0, 300)}`);
    }
    expect(allowed).toEqual([]);
    expect(await h.ok('{ metadataVersion workspaces { slug } }')).toEqual(before);
    // The same calls from the admin get past the gate (refused, if at all, for what the dummy input says).
    const admin = await h.gql(`mutation { ${call(adminOnly.find((f) => f.name === 'createWorkspace')!)} }`);
    expect(admin.errors?.[0]?.extensions?.code).not.toBe('FORBIDDEN');
  });

  it('reads and writes records', async () => {
    const made = await rep.ok<{ createAccount: { id: string; createdBy: string } }>(
      'mutation { createAccount(input: { name: "Rep made" }) { id createdBy } }',
    );
    expect(made.createAccount.createdBy).toBe(rep.userId);
    const read = await rep.ok<{ accounts: { nodes: { name: string }[] } }>(
      '{ accounts(filter: { name: { eq: "Rep made" } }) { nodes { name } } }',
    );
    expect(read.accounts.nodes).toEqual([{ name: 'Rep made' }]);
  });
});
