// Substring search does not read the searched tables whole: a 2-character Chinese word (`华远`) is narrowed by
// the bigram index, longer texts, e-mails, numbers and a contact's full name (a formula) by trigram indexes —
// the indexes the engine keeps for every field with `substringSearch`. Checked on the answers and on the plans
// PostgreSQL chooses for 10,000 accounts and contacts (below a few thousand rows it rightly reads a table
// whole: one search matches up to ten fields, and ten index lookups cost more than a small scan).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchEntity } from '../src/index.ts';
import { derivedIndex, explain, indexLookups, type Recorded, recordingCrm, scannedTables } from './explain.ts';
import { type Fixture, startFixture } from './fixture.ts';

let fx: Fixture;
const id: Record<string, string> = {};
const N = 10_000;
// Company names made of words with neither 华 nor 远, so the one company below is the only 华远.
const CITIES = ['北京', '上海', '广州', '深圳', '杭州', '苏州', '成都', '武汉', '西安', '青岛'];
const WORDS = ['金星', '东方', '恒通', '宏达', '新世纪', '万向', '海天', '长城', '鑫泰', '正大', '天成', '联合'];
const TRADES = ['机械', '电子', '贸易', '科技', '化工', '建材', '物流', '纺织'];
const SURNAMES = ['张', '李', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳'];

beforeAll(async () => {
  fx = await startFixture();
  await fx.createMany(
    'account',
    Array.from({ length: N }, (_, i) => ({
      name: `${CITIES[i % 10]}${WORDS[Math.floor(i / 10) % 12]}${TRADES[Math.floor(i / 120) % 8]}有限公司${i}`,
      email: `info${i}@example${i % 97}.cn`,
    })),
  );
  await fx.createMany(
    'contact',
    Array.from({ length: N }, (_, i) => ({
      lastName: SURNAMES[i % 10],
      firstName: `${GIVEN[Math.floor(i / 10) % 12]}${i}`,
      email: `user${i}@mail${i % 89}.com`,
    })),
  );
  id.huayuan = await fx.create('account', { name: '济南华远数控设备有限公司', email: 'sales@hy-cnc.cn' });
  id.wei = await fx.create('contact', {
    firstName: 'Wei',
    lastName: 'Zhang',
    email: 'zhang.wei@hy-cnc.cn',
    account: id.huayuan,
  });
  // VACUUM moves the GIN indexes' pending entries (fast inserts) into the index proper, as autovacuum would.
  await fx.engine.db.query('vacuum analyze');
}, 300_000);

afterAll(async () => {
  await fx?.close();
});

async function searchPlan(text: string, entities: SearchEntity[] = ['account', 'contact']) {
  const statements: Recorded[] = [];
  const hits = await recordingCrm(fx.engine, statements).search({ text, entities });
  return { hits, plan: await explain(fx.engine, statements[0]!) };
}

describe('substring search indexes', () => {
  it('finds a 2-character Chinese word through the bigram index', async () => {
    const statements: Recorded[] = [];
    const hits = await recordingCrm(fx.engine, statements).search({ text: '华远' });
    expect(hits.map((h) => [h.id, h.score])).toEqual([[id.huayuan, 40]]);
    const chosen = await explain(fx.engine, statements[0]!);
    expect(indexLookups(chosen)).toContain(await derivedIndex(fx.engine, 'account', 'name', 'bigram'));
    expect(scannedTables(chosen).filter((t) => t === 'account' || t === 'contact')).toEqual([]);
    // No trigram index: a 2-character word has no trigram, so one would hand PostgreSQL every row to recheck.
    expect(indexLookups(chosen).filter((name) => name.includes('_trgm_'))).toEqual([]);
  });

  it('finds longer Chinese texts through the trigram index, ranked', async () => {
    const { hits, plan } = await searchPlan('华远数控');
    expect(hits.map((h) => h.id)).toEqual([id.huayuan]);
    // Trigrams or bigrams: both fit a Chinese text of 3+ characters; PostgreSQL picks the cheaper.
    const name = [
      await derivedIndex(fx.engine, 'account', 'name', 'trgm'),
      await derivedIndex(fx.engine, 'account', 'name', 'bigram'),
    ];
    expect(indexLookups(plan).filter((i) => name.includes(i))).not.toEqual([]);
    expect(scannedTables(plan)).toEqual([]);
    const exact = await fx.crm().search({ text: '济南华远数控设备有限公司' });
    expect(exact[0]).toMatchObject({ id: id.huayuan, score: 100 });
  });

  it('finds e-mails by a part, and a contact by a part of the full name (a formula)', async () => {
    const mail = await searchPlan('hy-cnc');
    expect(mail.hits.map((h) => h.id).sort()).toEqual([id.huayuan, id.wei].sort());
    expect(indexLookups(mail.plan)).toEqual(
      expect.arrayContaining([
        await derivedIndex(fx.engine, 'account', 'email', 'trgm'),
        await derivedIndex(fx.engine, 'contact', 'email', 'trgm'),
      ]),
    );
    expect(scannedTables(mail.plan)).toEqual([]);

    // "Wei Zhang" is in neither name field alone: only the full name formula has it, and its own index.
    const name = await searchPlan('wei zh', ['contact']);
    expect(name.hits.map((h) => [h.id, h.title, h.score])).toEqual([[id.wei, 'Wei Zhang', 70]]);
    expect(indexLookups(name.plan)).toContain(await derivedIndex(fx.engine, 'contact', 'full_name', 'trgm'));
    expect(scannedTables(name.plan)).toEqual([]);
  });

  it('finds a record by part of its number', async () => {
    const [number] = await fx.engine.db.query<{ n: string }>(
      `select account_number as n from ws_default.account where id = $1`,
      [id.huayuan],
    );
    const { hits, plan } = await searchPlan(number!.n.slice(2), ['account']);
    expect(hits[0]).toMatchObject({ id: id.huayuan, score: 40 });
    expect(indexLookups(plan)).toContain(await derivedIndex(fx.engine, 'account', 'account_number', 'trgm'));
    expect(scannedTables(plan)).toEqual([]);
  });
});
