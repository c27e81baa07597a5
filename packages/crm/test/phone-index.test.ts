// Caller identification and whole-number search are index lookups: they compare phone fields by exactly the
// expression the engine indexes for every phone field (the phone field type's key), so PostgreSQL finds the
// caller among thousands of contacts without reading the table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedIndex, explain, indexLookups, type Recorded, recordingCrm, scannedTables } from './explain.ts';
import { type Fixture, startFixture } from './fixture.ts';

let fx: Fixture;
let wang: string;
const PHONE_FIELDS = {
  contact: ['mobile', 'phone', 'fax'],
  account: ['phone', 'other_phone', 'fax'],
  lead: ['mobile', 'phone'],
} as const;

beforeAll(async () => {
  fx = await startFixture();
  const account = await fx.create('account', { name: '济南华远数控设备有限公司', phone: '0531-88886666' });
  // Enough people that reading a table whole costs more than an index lookup, so the plans below are the
  // ones PostgreSQL really chooses.
  const number = (prefix: string, i: number) =>
    `${prefix} ${String(i).padStart(4, '0')} ${String((i * 7) % 10_000).padStart(4, '0')}`;
  await fx.createMany(
    'contact',
    Array.from({ length: 3_000 }, (_, i) => ({
      firstName: `P${i}`,
      lastName: 'Many',
      mobile: number('+86 139', i),
      phone: number('010-6', i),
      fax: number('010-7', i),
    })),
  );
  await fx.createMany(
    'account',
    Array.from({ length: 2_000 }, (_, i) => ({
      name: `Company ${i}`,
      phone: number('021-6', i),
      otherPhone: number('021-5', i),
      fax: number('021-4', i),
    })),
  );
  await fx.createMany(
    'lead',
    Array.from({ length: 2_000 }, (_, i) => ({
      lastName: `L${i}`,
      mobile: number('138', i),
      phone: number('0755-8', i),
    })),
  );
  wang = await fx.create('contact', { firstName: '伟', lastName: '王', mobile: '13564117256', account });
  await fx.create('lead', { lastName: '赵', company: '华远机械', mobile: '135 6411 7256' });
  await fx.engine.db.query('analyze');
}, 300_000);

afterAll(async () => {
  await fx?.close();
});

async function keyIndexes(): Promise<string[]> {
  const names: string[] = [];
  for (const [table, columns] of Object.entries(PHONE_FIELDS)) {
    for (const column of columns) names.push(await derivedIndex(fx.engine, table, column, 'key'));
  }
  return names;
}

describe('phone key indexes', () => {
  it('whoIsCalling finds the caller through the key indexes, reading no phone table whole', async () => {
    const statements: Recorded[] = [];
    const result = await recordingCrm(fx.engine, statements).whoIsCalling({ phone: '+86 135-6411-7256' });
    expect(result.matches.map((m) => m.id)).toContain(wang);
    expect(statements).toHaveLength(1);

    // As PostgreSQL plans it on this data: every phone field's branch looks the key up in its own index,
    // and no table of people is read whole.
    const plan = await explain(fx.engine, statements[0]!);
    expect(indexLookups(plan)).toEqual(expect.arrayContaining(await keyIndexes()));
    // (Cases and interactions are empty here; their own indexes are the timeline's concern.)
    expect(scannedTables(plan).filter((t) => t in PHONE_FIELDS)).toEqual([]);
  });

  it('search looks a whole number up by key through the same indexes', async () => {
    const statements: Recorded[] = [];
    const hits = await recordingCrm(fx.engine, statements).search({ text: '135 6411 7256' });
    expect(hits.map((h) => [h.entity, h.score])).toEqual([
      ['contact', 100],
      ['lead', 100],
    ]);
    const plan = await explain(fx.engine, statements[0]!);
    expect(indexLookups(plan)).toEqual(expect.arrayContaining(await keyIndexes()));
    expect(scannedTables(plan).filter((t) => t in PHONE_FIELDS)).toEqual([]);
  });
});
