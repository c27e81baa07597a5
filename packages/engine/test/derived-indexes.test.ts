// Indexes the engine derives from field types: every phone field gets an expression index on its normalised
// key, through the migration planner, for the core layer, for fields an admin adds later, and for a
// workspace whose tables were built before the index existed (its next start adds it; data untouched).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EntityDefinition, phoneKeySql, textBigramsSql } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, Engine, type TestDatabase } from '../src/index.ts';

const labels = (en: string) => ({ en, 'zh-CN': en });
const person: EntityDefinition = {
  name: 'person',
  labels: labels('Person'),
  titleField: 'name',
  fields: [
    { name: 'name', type: 'text', labels: labels('Name'), required: true },
    { name: 'mobile', type: 'phone', labels: labels('Mobile') },
  ],
};
const company: EntityDefinition = {
  name: 'company',
  labels: labels('Company'),
  titleField: 'name',
  fields: [{ name: 'name', type: 'text', labels: labels('Name'), substringSearch: true }],
};

let database: TestDatabase;
let engine: Engine;
const start = () =>
  Engine.start({ databaseUrl: database.url, dataDir: database.dataDir, coreEntities: [person], poolSize: 2 });

async function keyIndexes(): Promise<{ name: string; definition: string }[]> {
  return engine.db.query(
    `select indexname as name, indexdef as definition from pg_indexes
     where schemaname = 'ws_default' and tablename = 'person' and indexname like 'dx\\_%' order by indexname`,
  );
}

/** Which index PostgreSQL uses to find people by the key of `column` (sequential scans priced out). */
async function lookupIndex(column: string, phone: string): Promise<string | undefined> {
  return engine.db.transaction(async (tx) => {
    await tx.query('set local enable_seqscan = off');
    const [row] = await tx.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
      `explain (format json) select id from ws_default.person p where p.deleted_at is null and ${phoneKeySql(`p.${column}`)} = $1`,
      [phone],
    );
    const text = JSON.stringify(row!['QUERY PLAN']);
    return /"Index Name":"([^"]+)"/.exec(text)?.[1];
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  engine = await start();
});
afterAll(async () => {
  await engine?.close();
  await database?.drop();
});

describe('derived indexes', () => {
  it('give every phone field an index on its normalised key, which key lookups use', async () => {
    const [index] = await keyIndexes();
    expect(index?.name).toMatch(/^dx_person_mobile_key_[0-9a-f]{8}$/);
    expect(index?.definition).toContain('regexp_replace');
    expect(index?.definition).toContain('WHERE (deleted_at IS NULL)');
    expect(await lookupIndex('mobile', '13564117256')).toBe(index?.name);
  });

  it('index a phone field an admin adds later, and drop the index with the field', async () => {
    const added = await engine.changeMetadata(
      'default',
      [{ op: 'addField', entity: 'person', field: { name: 'fax', type: 'phone', labels: labels('Fax') } }],
      { actor: 'admin' },
    );
    expect(added.plan.steps.map((s) => [s.kind, s.field])).toEqual([
      ['addField', 'fax'],
      ['addIndex', 'fax'],
    ]);
    expect(added.plan.steps[1]!.description).toBe(
      'Index "person.fax" for lookups by the normalised number (caller identification).',
    );
    const fax = (await keyIndexes()).find((i) => i.name.startsWith('dx_person_fax_key_'));
    expect(await lookupIndex('fax', '53188886666')).toBe(fax?.name);

    const removed = await engine.changeMetadata('default', [{ op: 'removeField', entity: 'person', field: 'fax' }], {
      actor: 'admin',
      confirmDestructive: true,
    });
    expect(removed.plan.steps.map((s) => s.kind)).toEqual(['archiveField', 'dropIndex']);
    expect((await keyIndexes()).map((i) => i.name)).not.toContain(fax?.name);
  });

  it('are added to a workspace built before they existed at its next start, keeping its data', async () => {
    const records = engine.records({ workspace: 'default', actor: 'tester' });
    const { id } = await records.create('person', { name: '王伟', mobile: '+86 135-6411-7256' });
    // What a workspace created by an older Touchpoint looks like: the tables without the derived index.
    const [before] = await keyIndexes();
    await engine.db.query(`drop index ws_default."${before!.name}"`);
    const versionBefore = (await engine.metadata('default')).version;
    await engine.close();

    engine = await start();
    expect((await keyIndexes()).map((i) => i.name)).toEqual([before!.name]);
    const metadata = await engine.metadata('default');
    expect(metadata.version).toBe(versionBefore + 1);
    const [found] = await engine.db.query<{ id: string }>(
      `select id from ws_default.person p where p.deleted_at is null and ${phoneKeySql('p.mobile')} = $1`,
      ['13564117256'],
    );
    expect(found?.id).toBe(id);
    expect(await lookupIndex('mobile', '13564117256')).toBe(before!.name);

    // Nothing left to do: the next start records no new version.
    await engine.close();
    engine = await start();
    expect((await engine.metadata('default')).version).toBe(versionBefore + 1);
  });
});

describe('substring indexes', () => {
  // PGlite ships pg_trgm as a loadable extension (db.ts loads it): the embedded database gets the same
  // trigram and bigram indexes as a server, and the same statements find the same records.
  it('are built on the embedded database too, and the search conditions work there', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tp-embedded-'));
    const embedded = await Engine.start({ dataDir, coreEntities: [company] });
    try {
      expect(embedded.db.embedded).toBe(true);
      const indexes = await embedded.db.query<{ name: string; definition: string }>(
        `select indexname as name, indexdef as definition from pg_indexes
         where schemaname = 'ws_default' and tablename = 'company' and indexname like 'dx\\_%' order by indexname`,
      );
      expect(indexes.map((i) => i.name.replace(/_[0-9a-f]{8}$/, ''))).toEqual([
        'dx_company_name_bigram',
        'dx_company_name_trgm',
      ]);
      expect(indexes[1]!.definition).toContain('gin_trgm_ops');
      const records = embedded.records({ workspace: 'default', actor: 'tester' });
      const { id } = await records.create('company', { name: '济南华远数控设备有限公司' });
      await records.create('company', { name: 'Huayuan Trading' });
      const found = await embedded.db.query<{ id: string }>(
        `select id from ws_default.company t where t.deleted_at is null and t.name ilike $1
           and ${textBigramsSql('t.name')} @> ${textBigramsSql('$2')}`,
        ['%华远%', '华远'],
      );
      expect(found.map((r) => r.id)).toEqual([id]);
    } finally {
      await embedded.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
