// Import and export over HTTP, signed in: an upload (multipart, only with the session's CSRF token) checked in
// a dry run and run as a job followed over GraphQL, cancelled or undone; a download of a filtered list.
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Harness, startHarness } from './harness.ts';

let h: Harness;
let rep: Client;
/** Sees what rep owns (the role above), and may export accounts, which a rep may not. */
let manager: Client;

beforeAll(async () => {
  h = await startHarness();
  rep = await h.addUser({ email: 'rep@transfer.test', name: 'Rep', role: 'salesRep' });
  manager = await h.addUser({ email: 'manager@transfer.test', name: 'Manager', role: 'salesManager' });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

function upload(client: Client, path: string, file: Buffer | string, name: string, token?: string) {
  const form = new FormData();
  form.append('file', new Blob([typeof file === 'string' ? file : new Uint8Array(file)]), name);
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { ...client.credentials, ...(token ? { 'x-touchpoint-csrf': token } : {}) },
    body: form,
  });
}

async function csrf(client: Client): Promise<string> {
  return (await client.ok<{ importCsrfToken: string }>('{ importCsrfToken }')).importCsrfToken;
}

async function waitFor(client: Client, id: string) {
  for (let i = 0; i < 200; i++) {
    const { importRun } = await client.ok<{ importRun: { status: string; report: Record<string, unknown> } }>(
      'query($id: ID!) { importRun(id: $id) }',
      { id },
    );
    if (importRun.status !== 'running') return importRun;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the import did not finish');
}

describe('import and export over HTTP', () => {
  const csv = iconv.encode('客户名称,城市,行业\n华东机械,上海,制造业\n华北科技,北京,信息技术\n', 'gbk');

  it('refuses an upload without the CSRF token of the session, or with another session’s, or signed out', async () => {
    const none = await upload(rep, '/transfer/import/account?dryRun=1', csv, 'a.csv');
    expect(none.status).toBe(403);
    const body = (await none.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toContain('x-touchpoint-csrf');
    const other = await upload(rep, '/transfer/import/account?dryRun=1', csv, 'a.csv', await csrf(h));
    expect(other.status).toBe(403);
    const anonymous = await upload(h.anonymous, '/transfer/import/account?dryRun=1', csv, 'a.csv', 'x');
    expect(anonymous.status).toBe(401);
    // A multipart POST to the GraphQL endpoint is still refused before it is read.
    const form = new FormData();
    form.append('query', '{ __typename }');
    const graphql = await fetch(`${h.url}/graphql`, { method: 'POST', headers: rep.credentials, body: form });
    expect(graphql.status).toBe(415);
  });

  it('checks a GBK CSV in a dry run, imports it as a job followed over GraphQL, and undoes it', async () => {
    const token = await csrf(rep);
    const dry = await upload(rep, '/transfer/import/account?dryRun=1', csv, '客户.csv', token);
    expect(dry.status).toBe(200);
    const { report } = (await dry.json()) as { report: Record<string, unknown> };
    expect(report).toMatchObject({ status: 'checked', encoding: 'gb18030', rows: 2, created: 2, refused: 0 });

    const started = await upload(rep, '/transfer/import/account', csv, '客户.csv', token);
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const run = await waitFor(rep, runId);
    expect(run).toMatchObject({ status: 'done', report: { created: 2 } });
    // Another user cannot follow it.
    expect(
      (await h.ok<{ importRun: unknown }>('query($id: ID!) { importRun(id: $id) }', { id: runId })).importRun,
    ).toBe(null);
    const jobId = (run.report as { jobId: string }).jobId;
    const { importJobs } = await rep.ok<{ importJobs: { id: string; fileName: string; actor: string }[] }>(
      '{ importJobs }',
    );
    expect(importJobs[0]).toMatchObject({ id: jobId, fileName: '客户.csv', actor: rep.userId });

    // A rep's roles give no `export` on accounts: refused, naming the right, before a byte is written.
    const refused = await fetch(`${h.url}/transfer/export/account.csv?columns=name`, { headers: rep.credentials });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/export on account/);
    const download = await fetch(
      `${h.url}/transfer/export/account.csv?columns=name,city,industry&sort=name:asc&language=zh-CN&filter=${encodeURIComponent('{"city":{"eq":"上海"}}')}`,
      { headers: manager.credentials },
    );
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="account.csv"');
    // UTF-8 with a BOM (which Response.text() would drop), for Excel.
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.subarray(3).toString('utf8')).toBe('客户名称,城市,行业\r\n华东机械,上海,制造业\r\n');

    // The quick search of a list, as the list screen's Export button sends it.
    const searched = await fetch(`${h.url}/transfer/export/account.csv?columns=name&q=${encodeURIComponent('华北')}`, {
      headers: manager.credentials,
    });
    expect(
      Buffer.from(await searched.arrayBuffer())
        .subarray(3)
        .toString('utf8'),
    ).toBe('Account name\r\n华北科技\r\n');

    const undone = await rep.ok<{ undoImport: Record<string, unknown> }>(
      'mutation($j: ID!) { undoImport(jobId: $j) }',
      {
        j: jobId,
      },
    );
    expect(undone.undoImport).toMatchObject({ deleted: 2, reverted: 0 });
    const again = await rep.gql('mutation($j: ID!) { undoImport(jobId: $j) }', { j: jobId });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('answers a file with refused rows with its report and writes nothing; a bad file with a clear error', async () => {
    const token = await csrf(rep);
    const bad = await upload(rep, '/transfer/import/account', 'name,email\nX,=HYPERLINK("http://e")\n', 'x.csv', token);
    expect(bad.status).toBe(200);
    const { report } = (await bad.json()) as { report: { status: string; problems: { code: string }[] } };
    expect(report.status).toBe('refused');
    expect(report.problems.map((p) => p.code)).toEqual(['formula']);
    const noName = await upload(rep, '/transfer/import/account', 'city\nJinan\n', 'x.csv', token);
    expect(noName.status).toBe(400);
    const body = (await noName.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({ extensions: { code: 'VALIDATION_FAILED' } });
    expect(body.errors[0]!.message).toContain('required field(s) name');
    // The wizard's mapping: a form field beside the file.
    const form = new FormData();
    form.append('mapping', JSON.stringify({ Firm: 'name', Town: 'city', Notes: null }));
    form.append('file', new Blob(['Firm,Town,Notes\nMapped Co,Jinan,x\n']), 'm.csv');
    const mapped = await fetch(`${h.url}/transfer/import/account?dryRun=1`, {
      method: 'POST',
      headers: { ...rep.credentials, 'x-touchpoint-csrf': token },
      body: form,
    });
    const mappedReport = ((await mapped.json()) as { report: Record<string, unknown> }).report;
    expect(mappedReport).toMatchObject({
      created: 1,
      refused: 0,
      unmapped: ['Notes'],
      mapping: [
        { column: 'Firm', field: 'name' },
        { column: 'Town', field: 'city' },
      ],
    });
    const unknown = await upload(rep, '/transfer/import/spaceship', 'name\nX\n', 'x.csv', token);
    expect(unknown.status).toBe(404);
    const badExport = await fetch(`${h.url}/transfer/export/account.csv?filter=nope`, { headers: manager.credentials });
    expect(badExport.status).toBe(400);
    const signedOut = await fetch(`${h.url}/transfer/export/account.csv`);
    expect(signedOut.status).toBe(401);
    const list = await rep.ok<{ accounts: { totalCount: number } }>('{ accounts { totalCount } }');
    expect(list.accounts.totalCount).toBe(0);
  });
});
