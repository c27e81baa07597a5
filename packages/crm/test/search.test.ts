// Global search and caller identification: Chinese substrings, phone numbers in any format (+86, spaces,
// dashes, trunk 0), ranking, and the phone key computed the same way in TypeScript and in SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerKeys, phoneKey, phoneKeySql } from '../src/index.ts';
import { expectError, type Fixture, startFixture } from './fixture.ts';

let fx: Fixture;
const id: Record<string, string> = {};

beforeAll(async () => {
  fx = await startFixture();
  const c = fx.create;
  id.huayuan = await c('account', { name: '济南华远数控设备有限公司', phone: '0531-88886666' });
  id.trading = await c('account', { name: 'Huayuan Trading', email: 'info@huayuan.com' });
  id.local = await c('account', { name: 'Local Line Ltd', phone: '8888 6666' });
  id.gone = await c('account', { name: '华远 (deleted)' });
  await fx.remove('account', id.gone);
  id.wang = await c('contact', { firstName: '伟', lastName: '王', mobile: '13564117256', account: id.huayuan });
  id.ann = await c('contact', { firstName: 'Ann', lastName: 'Lee', phone: '+86 135-6411-7256' });
  id.lead = await c('lead', { lastName: '赵', company: '华远机械', mobile: '135 6411 7256' });
  id.case = await c('case', {
    subject: '华远 spindle noise',
    openedAt: '2026-01-05T09:00:00Z',
    account: id.huayuan,
    contact: id.wang,
  });
  id.closedCase = await c('case', {
    subject: 'Old',
    openedAt: '2025-01-05T09:00:00Z',
    status: 'closed',
    account: id.huayuan,
  });
  const pipeline = await c('pipeline', { name: 'P', type: 'expansion' });
  id.opp = await c('opportunity', { name: '华远 lathe deal', pipeline, account: id.huayuan });
  for (let day = 1; day <= 7; day++) {
    await c('interaction', {
      subject: `call ${day}`,
      channel: 'phone',
      occurredAt: `2026-02-0${day}T09:00:00Z`,
      contact: id.wang,
      account: id.huayuan,
    });
  }
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

describe('phone key', () => {
  const samples = [
    '+86 135-6411-7256',
    '13564117256',
    '0086 13564117256',
    '0531-88886666',
    '+86 531 8888 6666',
    '+86 0531 8888 6666',
    '(010) 1234-5678',
    '8888 6666',
    '+1 415 555 0100',
    '86123456789',
  ];

  it('strips formatting, the +86 country code and the trunk 0, the same in TypeScript and SQL', async () => {
    expect(samples.map(phoneKey)).toEqual([
      '13564117256',
      '13564117256',
      '13564117256',
      '53188886666',
      '53188886666',
      '53188886666',
      '1012345678',
      '88886666',
      '14155550100',
      '86123456789',
    ]);
    const rows = await fx.engine.db.query<{ key: string }>(
      `select ${phoneKeySql('x')} as key from unnest($1::text[]) with ordinality as t(x, n) order by n`,
      [samples],
    );
    expect(rows.map((r) => r.key)).toEqual(samples.map(phoneKey));
    expect(callerKeys('+86 531 8888 6666')).toEqual(['53188886666', '3188886666', '188886666', '88886666', '8886666']);
  });
});

describe('search', () => {
  it('finds a Chinese substring in names across entities, best matches first, deleted records never', async () => {
    const hits = await fx.crm().search({ text: '华远' });
    expect(hits.map((h) => [h.entity, h.title, h.score])).toEqual([
      ['lead', '赵', 70], // company 华远机械 starts with it
      ['case', 'CASE-000001', 70], // its subject starts with it
      ['opportunity', '华远 lathe deal', 70],
      ['account', '济南华远数控设备有限公司', 40],
    ]);
    expect(hits.find((h) => h.entity === 'lead')).toMatchObject({ id: id.lead, subtitle: '华远机械' });
    expect(hits.find((h) => h.entity === 'case')).toMatchObject({ id: id.case, subtitle: '华远 spindle noise' });
  });

  it('finds differently formatted phone numbers by their digits, with and without +86', async () => {
    for (const text of ['+86 135-6411-7256', '13564117256', '135 6411 7256']) {
      const hits = await fx.crm().search({ text });
      expect(
        hits.map((h) => [h.id, h.score]),
        text,
      ).toEqual(
        expect.arrayContaining([
          [id.wang, 100],
          [id.ann, 100],
          [id.lead, 100],
        ]),
      );
      expect(hits).toHaveLength(3);
    }
    expect((await fx.crm().search({ text: '6411 7256' })).map((h) => h.score)).toEqual([70, 70, 70]); // the end of the number
    expect((await fx.crm().search({ text: '0531' })).map((h) => h.id)).toEqual([id.huayuan]); // an area code: digits
  });

  it('matches numbers and e-mails exactly, and limits entities and size', async () => {
    const [first] = await fx.crm().search({ text: 'info@huayuan.com' });
    expect(first).toMatchObject({ id: id.trading, score: 100 });
    const huayuan = await fx.crm().search({ text: 'huayuan', entities: ['account'], first: 5 });
    expect(huayuan.map((h) => [h.title, h.score])).toEqual([['Huayuan Trading', 70]]);
    const byNumber = await fx.crm().search({ text: 'acc-000001' });
    expect(byNumber[0]).toMatchObject({ entity: 'account', id: id.huayuan, score: 100 });
    expect(await fx.crm().search({ text: '华远', entities: ['contact'] })).toEqual([]);
    expect(await fx.crm().search({ text: '100%_x' })).toEqual([]); // wildcards match literally
    // A Chinese full name (family name first): in neither name field alone, only in the title formula.
    const wang = await fx.crm().search({ text: '王伟', entities: ['contact'] });
    expect(wang).toEqual([expect.objectContaining({ id: id.wang, title: '王伟', score: 100 })]);
  });

  it('refuses an empty text, unknown entities and a bad size', async () => {
    await expectError(fx.crm().search({ text: '  ', entities: ['user' as never], first: 0 }), 'VALIDATION_FAILED', [
      'text',
      'entities[0]',
      'first',
    ]);
  });
});

describe('whoIsCalling', () => {
  it('returns the contacts and leads with the number, the open cases and the latest touchpoints', async () => {
    const result = await fx.crm().whoIsCalling({ phone: '+86 135-6411-7256' });
    expect(result.phone).toBe('13564117256');
    expect(result.matches.map((m) => [m.entity, m.id, m.field, m.exact])).toEqual([
      ['contact', id.ann, 'phone', true],
      ['contact', id.wang, 'mobile', true],
      ['lead', id.lead, 'mobile', true],
    ]);
    const wang = result.matches.find((m) => m.id === id.wang)!;
    expect(wang).toMatchObject({ accountId: id.huayuan, accountName: '济南华远数控设备有限公司', title: '王伟' });
    expect(wang.openCases.map((k) => k.id)).toEqual([id.case]);
    expect(wang.latestTouchpoints.map((t) => t.subject)).toEqual(['call 7', 'call 6', 'call 5', 'call 4', 'call 3']);
    expect(result.matches.find((m) => m.id === id.ann)?.openCases).toEqual([]);
  });

  it('matches a landline in international form, and a stored local number the caller number ends with', async () => {
    const result = await fx.crm().whoIsCalling({ phone: '+86 531 8888 6666', touchpoints: 2 });
    expect(result.matches.map((m) => [m.id, m.exact])).toEqual([
      [id.huayuan, true],
      [id.local, false],
    ]);
    expect(result.matches[0]!.openCases.map((k) => k.id)).toEqual([id.case]);
    expect(result.matches[0]!.latestTouchpoints).toHaveLength(2);
  });

  it('names no deleted account of a contact', async () => {
    const account = await fx.create('account', { name: 'Closed down Ltd' });
    const contact = await fx.create('contact', { firstName: 'Li', lastName: 'Na', mobile: '13911112222', account });
    await fx.remove('account', account);
    const result = await fx.crm().whoIsCalling({ phone: '13911112222' });
    expect(result.matches.map((m) => [m.id, m.accountId, m.accountName])).toEqual([[contact, null, null]]);
  });

  it('refuses what is not a phone number', async () => {
    await expectError(fx.crm().whoIsCalling({ phone: '12' }), 'VALIDATION_FAILED', ['phone']);
    await expectError(fx.crm().whoIsCalling({ phone: 'Ann Lee' }), 'VALIDATION_FAILED', ['phone']);
    await expectError(fx.crm().whoIsCalling({ phone: '13564117256', touchpoints: 99 }), 'VALIDATION_FAILED', [
      'touchpoints',
    ]);
  });
});
