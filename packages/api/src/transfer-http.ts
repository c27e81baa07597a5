// Import and export over HTTP, signed in. Files do not fit GraphQL, so two plain routes carry them:
//
//   GET  /transfer/export/<entity>.csv|.xlsx?filter=<json>&q=<search>&columns=a,b&sort=name:asc&language=zh-CN
//        → the file, streamed (pages of the list through the query compiler; memory flat in the row count).
//   POST /transfer/import/<entity>?dryRun=1&match=email&onMatch=update&onNoMatch=create&skipInvalid=1&encoding=gbk
//        multipart/form-data with one file part (`file`), optionally a field `mapping` (JSON
//        { "<column>": "<field>" }), and the header `x-touchpoint-csrf: <token>`
//        → a dry run answers its report (200); an import starts and answers `{ runId }` (202); its progress,
//        cancel and undo are GraphQL (`importRun`, `cancelImport`, `undoImport`, `importJobs`).
//
// CSRF (issue 11): multipart is a form a foreign page can make a browser send with the visitor's cookie, so it
// is taken only here and only with the token of the caller's own session (`importCsrfToken`, an HMAC of the
// session or API token id under a secret of this server process): a page on another origin cannot read it.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Engine, Filter, OrderBy, Principal, RequestContext } from '@touchpoint/engine';
import { isTouchpointError, TouchpointError } from '@touchpoint/schema';
import {
  type ColumnMapping,
  checkExport,
  DEFAULT_MAX_IMPORT_BYTES,
  exportRecords,
  type ImportProgress,
  type ImportReport,
  importRecords,
  type Language,
  TransferError,
} from '@touchpoint/transfer';
import busboy from 'busboy';
import { toGraphQLError } from './errors.ts';

export const CSRF_HEADER = 'x-touchpoint-csrf';

export interface ImportRunState {
  id: string;
  workspace: string;
  actor: string;
  entity: string;
  fileName: string;
  status: 'running' | 'done' | 'refused' | 'cancelled' | 'failed';
  progress: ImportProgress;
  report: ImportReport | null;
  error: Record<string, unknown> | null;
}

/** The imports this server process runs (progress and cancel); the import log keeps the rest. */
export class TransferService {
  readonly engine: Engine;
  readonly #secret = randomBytes(32);
  readonly #runs = new Map<string, { state: ImportRunState; controller: AbortController }>();

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** The CSRF token of a signed-in caller: bound to their session (or API token) and this server process. */
  csrfToken(principal: Principal): string {
    const subject = `${principal.credentialId}:${principal.sessionId ?? principal.tokenId ?? ''}`;
    return createHmac('sha256', this.#secret).update(subject).digest('base64url');
  }

  checkCsrf(principal: Principal, presented: string | string[] | undefined): boolean {
    if (typeof presented !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(principal));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  run(id: string, workspace: string, actor: string): ImportRunState | undefined {
    const run = this.#runs.get(id);
    return run && run.state.workspace === workspace && run.state.actor === actor ? run.state : undefined;
  }

  cancel(id: string, workspace: string, actor: string): boolean {
    const run = this.#runs.get(id);
    if (!run || run.state.workspace !== workspace || run.state.actor !== actor || run.state.status !== 'running')
      return false;
    run.controller.abort();
    return true;
  }

  start(
    context: RequestContext,
    entity: string,
    fileName: string,
    options: Omit<Parameters<typeof importRecords>[2], 'signal' | 'onProgress' | 'entity'>,
    cleanup: () => void,
  ): ImportRunState {
    const controller = new AbortController();
    const state: ImportRunState = {
      id: randomUUID(),
      workspace: context.workspace,
      actor: context.actor,
      entity,
      fileName,
      status: 'running',
      progress: { phase: 'check', rows: 0, created: 0, updated: 0, skipped: 0, refused: 0 },
      report: null,
      error: null,
    };
    this.#runs.set(state.id, { state, controller });
    importRecords(this.engine, context, {
      ...options,
      entity,
      signal: controller.signal,
      onProgress: (p) => {
        state.progress = p;
      },
    })
      .then((report) => {
        state.report = report;
        state.status = report.status === 'checked' ? 'done' : report.status;
      })
      .catch((error) => {
        state.status = 'failed';
        state.error = toGraphQLError(error).toJSON() as unknown as Record<string, unknown>;
      })
      .finally(cleanup);
    // Finished runs are forgotten after an hour; the import log keeps them.
    setTimeout(() => this.#runs.delete(state.id), 3_600_000).unref();
    return state;
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function refuse(res: ServerResponse, status: number, error: unknown): void {
  answer(res, status, { errors: [toGraphQLError(error).toJSON()] });
}

function statusOf(error: unknown): number {
  if (!isTouchpointError(error)) return 500;
  return (
    { NOT_FOUND: 404, FORBIDDEN: 403, LIMIT_EXCEEDED: 413, CONFLICT: 409, UNAUTHENTICATED: 401 }[
      error.code as string
    ] ?? 400
  );
}

function bad(message: string, path: string): TouchpointError {
  return new TouchpointError('VALIDATION_FAILED', message, { issues: [{ path, message }] });
}

function languageOf(value: string | null): Language {
  if (value === null || value === 'en') return 'en';
  if (value === 'zh-CN') return 'zh-CN';
  throw bad(`language must be en or zh-CN, got ${value.slice(0, 20)}`, 'language');
}

/** GET /transfer/export/<entity>.<csv|xlsx> */
async function exportRoute(
  req: IncomingMessage,
  res: ServerResponse,
  service: TransferService,
  context: RequestContext,
  url: URL,
): Promise<void> {
  const name = decodeURIComponent(url.pathname.slice('/transfer/export/'.length));
  const format = extname(name).slice(1).toLowerCase();
  const entity = name.slice(0, name.length - format.length - 1);
  if (format !== 'csv' && format !== 'xlsx')
    throw bad(`the file must end in .csv or .xlsx, got ${name.slice(0, 80)}`, 'format');
  let filter: Filter | undefined;
  const filterText = url.searchParams.get('filter');
  if (filterText) {
    try {
      filter = JSON.parse(filterText) as Filter;
    } catch {
      throw bad('filter must be a filter as JSON, such as {"city":{"eq":"Jinan"}}', 'filter');
    }
  }
  const sort = url.searchParams.get('sort');
  const orderBy: OrderBy[] | undefined = sort?.split(',').map((s) => {
    const [field, direction = 'asc'] = s.split(':');
    if (direction !== 'asc' && direction !== 'desc') throw bad(`sort takes field:asc or field:desc, got ${s}`, 'sort');
    return { field: field!, direction };
  });
  const columns = url.searchParams.get('columns')?.split(',').filter(Boolean);
  const language = languageOf(url.searchParams.get('language'));
  const search = url.searchParams.get('q') || undefined;
  // Refusals (an unknown entity, no export right, a hidden column, a bad filter or column) must come before the
  // first byte: check them, and read the first page through a throwaway read, before the headers go out.
  await service.engine.records(context).entity(entity);
  await checkExport(service.engine, context, entity, columns);
  await service.engine.records(context).list({
    entity,
    ...(filter ? { filter } : {}),
    ...(search ? { search } : {}),
    ...(orderBy ? { orderBy } : {}),
    first: 1,
    selection: { fields: ['id'], relations: [] },
  });
  const controller = new AbortController();
  req.on('close', () => controller.abort());
  res.writeHead(200, {
    'content-type':
      format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'content-disposition': `attachment; filename="${entity}.${format}"`,
    'cache-control': 'no-store',
  });
  try {
    await exportRecords(service.engine, context, res, {
      entity,
      format,
      ...(filter ? { filter } : {}),
      ...(search ? { search } : {}),
      ...(orderBy ? { orderBy } : {}),
      ...(columns ? { columns } : {}),
      language,
      signal: controller.signal,
    });
  } catch (error) {
    // Headers are gone: all that can be said is that the file is cut short.
    if (!controller.signal.aborted) console.error('[touchpoint] export failed:', error);
    res.destroy();
  }
}

/** POST /transfer/import/<entity> (multipart, one file). */
async function importRoute(
  req: IncomingMessage,
  res: ServerResponse,
  service: TransferService,
  context: RequestContext,
  principal: Principal,
  url: URL,
): Promise<void> {
  if (!service.checkCsrf(principal, req.headers[CSRF_HEADER])) {
    throw new TouchpointError(
      'FORBIDDEN',
      `An upload needs the ${CSRF_HEADER} header with the token of your session (the importCsrfToken query).`,
      { issues: [{ path: CSRF_HEADER, message: 'missing or not this session’s token' }] },
    );
  }
  const entity = decodeURIComponent(url.pathname.slice('/transfer/import/'.length));
  const q = url.searchParams;
  const maxBytes = Number(process.env.TOUCHPOINT_IMPORT_MAX_BYTES) || DEFAULT_MAX_IMPORT_BYTES;
  const dir = mkdtempSync(join(tmpdir(), 'tp-import-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  let started = false;
  try {
    const fields = new Map<string, string>();
    const file = await new Promise<{ path: string; name: string }>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: req.headers,
          defParamCharset: 'utf8',
          limits: { files: 1, fileSize: maxBytes, fields: 20 },
        });
      } catch (error) {
        reject(bad(`the upload must be multipart/form-data with a file: ${(error as Error).message}`, 'body'));
        return;
      }
      let saved: Promise<{ path: string; name: string }> | undefined;
      parser.on('file', (_field, stream, info) => {
        const filename = info.filename ?? 'upload';
        const ext = extname(filename).toLowerCase();
        const path = join(dir, `upload${ext === '.xlsx' ? '.xlsx' : ext === '.csv' || ext === '.txt' ? '.csv' : ext}`);
        let truncated = false;
        stream.on('limit', () => {
          truncated = true;
        });
        saved = pipeline(stream, createWriteStream(path)).then(() => {
          if (truncated) throw new TransferError('file.tooLarge', { size: maxBytes + 1, limit: maxBytes });
          return { path, name: filename };
        });
        saved.catch(() => {});
      });
      parser.on('field', (name, value) => fields.set(name, value));
      parser.on('error', (error) => reject(bad(`the upload could not be read: ${(error as Error).message}`, 'body')));
      parser.on('close', () => {
        if (!saved) reject(bad('the upload has no file part', 'file'));
        else saved.then(resolve, reject);
      });
      req.pipe(parser);
    });
    const flag = (name: string) => q.get(name) === '1' || q.get(name) === 'true';
    const match = q.get('match')?.split(/[,+]/).filter(Boolean);
    const onMatch = q.get('onMatch');
    const onNoMatch = q.get('onNoMatch');
    if (onMatch && onMatch !== 'update' && onMatch !== 'skip') throw bad('onMatch must be update or skip', 'onMatch');
    if (onNoMatch && onNoMatch !== 'create' && onNoMatch !== 'skip')
      throw bad('onNoMatch must be create or skip', 'onNoMatch');
    // A mapping chosen in the wizard: a form field `mapping`, JSON { "<column>": "<field>" | null }.
    let mapping: ColumnMapping[] | undefined;
    const mappingText = fields.get('mapping');
    if (mappingText) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(mappingText);
      } catch {
        throw bad('mapping must be JSON: { "<column>": "<field>" }', 'mapping');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw bad('mapping must be an object { "<column>": "<field>" }', 'mapping');
      mapping = Object.entries(parsed as Record<string, unknown>).flatMap(([column, field]) =>
        typeof field === 'string' && field ? [{ column, field }] : [],
      );
    }
    const options = {
      file: file.path,
      ...(mapping ? { mapping } : {}),
      fileName: file.name,
      ...(match ? { match } : {}),
      ...(onMatch ? { onMatch: onMatch as 'update' | 'skip' } : {}),
      ...(onNoMatch ? { onNoMatch: onNoMatch as 'create' | 'skip' } : {}),
      ...(q.get('encoding') ? { encoding: q.get('encoding')! } : {}),
      ...(q.get('timeZone') ? { timeZone: q.get('timeZone')! } : {}),
      skipInvalid: flag('skipInvalid'),
    };
    if (flag('dryRun')) {
      const report = await importRecords(service.engine, context, { ...options, entity, dryRun: true });
      answer(res, 200, { report });
      return;
    }
    // The check before the answer: a bad file is refused here, not found out by polling.
    const check = await importRecords(service.engine, context, { ...options, entity, dryRun: true });
    if (check.refused > 0 && !options.skipInvalid) {
      answer(res, 200, { report: { ...check, status: 'refused' } });
      return;
    }
    const run = service.start(context, entity, file.name, options, cleanup);
    started = true;
    answer(res, 202, { runId: run.id });
  } finally {
    if (!started) cleanup();
  }
}

/**
 * Answers a /transfer/ request of a signed-in caller. Errors are answered as GraphQL-shaped errors with a
 * status (400 invalid, 403 CSRF, 404 unknown entity, 413 too large), never a bare 500 for bad input.
 */
export async function transferRoute(
  req: IncomingMessage,
  res: ServerResponse,
  service: TransferService,
  context: RequestContext,
  principal: Principal,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (req.method === 'GET' && url.pathname.startsWith('/transfer/export/')) {
      await exportRoute(req, res, service, context, url);
      return;
    }
    if (req.method === 'POST' && url.pathname.startsWith('/transfer/import/')) {
      await importRoute(req, res, service, context, principal, url);
      return;
    }
    answer(res, 404, {
      errors: [
        {
          message: 'Not found: GET /transfer/export/<entity>.csv|xlsx or POST /transfer/import/<entity>.',
          extensions: { code: 'NOT_FOUND' },
        },
      ],
    });
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    refuse(res, statusOf(error), error);
  }
}
