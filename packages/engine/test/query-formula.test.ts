// Formula fields through the read path: selected, filtered, sorted, searched and paged, including formulas
// over rollups and over other formulas, compiled by compileFormula of @touchpoint/schema.
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Filter, listRecords, type OrderBy, QueryCompiler } from '../src/index.ts';
import {
  type AccountRow,
  connect,
  type Dataset,
  ENTITIES,
  type Fixture,
  live,
  makeDataset,
  seed,
} from './query-fixture.ts';

const SCHEMA = 'ws_formula';
const formula = (
  name: string,
  expression: string,
  resultType: 'text' | 'number' | 'boolean' | 'date',
): FieldDefinition => ({
  name,
  type: 'formula',
  labels: { en: name, 'zh-CN': name },
  formula: { expression, resultType },
});
/** Formula fields have no columns, so they can be added to the fixture's metadata over the same tables. */
const entities: EntityDefinition[] = ENTITIES.map((e) =>
  e.name !== 'account'
    ? e
    : {
        ...e,
        fields: [
          ...e.fields,
          formula('label', "name & ' (' & industry & ')'", 'text'),
          formula('big', 'employees >= 200', 'boolean'),
          formula('contactsPlusOne', 'contactCount + 1', 'number'),
          formula('doublePlusOne', 'doubleEmployees + 1', 'number'),
          formula('founded', 'foundedOn', 'date'),
          formula('loopA', 'loopB + 1', 'number'),
          formula('loopB', 'loopA + 1', 'number'),
          formula('mistyped', "name & '!'", 'number'),
        ],
      },
);
const compiler = new QueryCompiler(entities, SCHEMA);
let fx: Fixture;
let data: Dataset;
let accounts: AccountRow[];

describe('formula fields', () => {
  beforeAll(async () => {
    fx = await connect();
    data = await seed(
      fx.db,
      SCHEMA,
      makeDataset(50, (i) => i % 4),
    );
    accounts = live(data.accounts);
  });
  afterAll(async () => fx?.close());

  const contactCount = (a: AccountRow) => live(data.contacts).filter((c) => c.accountId === a.id).length;
  const list = async (filter: Filter | undefined, orderBy: OrderBy[] | undefined, fields: string[]) =>
    (
      await listRecords(fx.db, compiler, {
        entity: 'account',
        ...(filter ? { filter } : {}),
        ...(orderBy ? { orderBy } : {}),
        first: 500,
        selection: { fields, relations: [] },
      })
    ).nodes;

  it('selects formulas of every result type, over columns, rollups and other formulas', async () => {
    const nodes = await list(undefined, undefined, [
      'id',
      'doubleEmployees',
      'label',
      'big',
      'contactsPlusOne',
      'doublePlusOne',
      'founded',
    ]);
    expect(nodes).toHaveLength(accounts.length);
    for (const node of nodes) {
      const a = accounts.find((x) => x.id === node['id'])!;
      expect(node).toMatchObject({
        doubleEmployees: a.employees === null ? null : String(a.employees * 2),
        label: `${a.name} (${a.industry ?? ''})`,
        big: a.employees === null ? null : a.employees >= 200,
        contactsPlusOne: String(contactCount(a) + 1),
        doublePlusOne: a.employees === null ? null : String(a.employees * 2 + 1),
        founded: a.foundedOn,
      });
    }
  });

  it('filters and sorts by formulas, and search reaches text formulas', async () => {
    const ids = (nodes: Record<string, unknown>[]) => nodes.map((n) => n['id'] as string).sort();
    const expected = (p: (a: AccountRow) => boolean) =>
      accounts
        .filter(p)
        .map((a) => a.id)
        .sort();
    expect(ids(await list({ doubleEmployees: { gt: 100 } }, undefined, ['id']))).toEqual(
      expected((a) => (a.employees ?? 0) > 50),
    );
    expect(ids(await list({ big: { eq: true } }, undefined, ['id']))).toEqual(
      expected((a) => (a.employees ?? 0) >= 200),
    );
    expect(ids(await list({ label: { contains: '(retail)' } }, undefined, ['id']))).toEqual(
      expected((a) => a.industry === 'retail'),
    );
    expect(ids(await list({ contactsPlusOne: { gte: 3 } }, undefined, ['id']))).toEqual(
      expected((a) => contactCount(a) >= 2),
    );
    const sorted = await list(undefined, [{ field: 'doublePlusOne', direction: 'desc' }], ['doublePlusOne']);
    const values = sorted.map((n) => n['doublePlusOne'] as string | null);
    const nulls = values.filter((v) => v === null).length;
    expect(values.slice(0, nulls).every((v) => v === null)).toBe(true);
    const numbers = values.slice(nulls).map(Number);
    expect(numbers).toEqual([...numbers].sort((x, y) => y - x));
    const searched = await listRecords(fx.db, compiler, {
      entity: 'account',
      search: '(finance)',
      first: 500,
      selection: { fields: ['id'], relations: [] },
    });
    expect(ids(searched.nodes)).toEqual(expected((a) => a.industry === 'finance'));
  });

  it('pages by a formula with cursors', async () => {
    const orderBy: OrderBy[] = [{ field: 'doubleEmployees', direction: 'asc' }];
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 50; i++) {
      const page = await listRecords(fx.db, compiler, {
        entity: 'account',
        orderBy,
        first: 6,
        ...(after ? { after } : {}),
        selection: { fields: ['id'], relations: [] },
      });
      seen.push(...page.nodes.map((n) => n['id'] as string));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual((await list(undefined, orderBy, ['id'])).map((n) => n['id']));
    expect(new Set(seen).size).toBe(accounts.length);
  });

  it('reports a formula that refers to itself, or yields another type than declared', async () => {
    await expect(list(undefined, undefined, ['loopA'])).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(list(undefined, undefined, ['mistyped'])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'account.mistyped.formula.resultType' }],
    });
  });
});
