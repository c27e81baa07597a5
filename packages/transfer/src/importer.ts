// Importing records from a CSV or XLSX file. Two passes over the streamed file: the check (the dry run)
// converts every cell, looks relations up, matches existing records by the chosen key and reports every
// row's problems by column, writing nothing; then, only when the check found nothing wrong (or the caller
// skips the rows it refused), the write, in batches through the record service — validation, hooks, audit
// rows with the channel `import`, events — with each written record logged so the import can be undone whole.
// Reads of existing records (lookups, matching, old values) go through the engine's scoped reader and the
// record service, so what an import can see and touch is what its actor may.
import type { Engine, RecordService, RequestContext, ScopedReader } from '@touchpoint/engine';
import { MAX_BATCH, physical } from '@touchpoint/engine';
import type { EntityDefinition, FieldDefinition, TouchpointError } from '@touchpoint/schema';
import { fieldType, isTouchpointError, phoneKey, phoneKeySql } from '@touchpoint/schema';
import { type Converted, type ConvertOptions, converter, importableFields, isFormula, unquote } from './convert.ts';
import { finishJob, logRows, startJob } from './log.ts';
import { type ColumnMapping, checkMapping, suggestMapping } from './mapping.ts';
import { rowMessage, TransferError } from './messages.ts';
import { type FileFormat, MAX_IMPORT_ROWS, openTable } from './source.ts';
import { undoImport } from './undo.ts';

export interface ImportOptions extends ConvertOptions {
  entity: string;
  /** Path of the file on this machine. */
  file: string;
  /** The name to log (the uploaded file's name); default the path. */
  fileName?: string;
  format?: FileFormat;
  encoding?: string;
  maxBytes?: number;
  /** Column → field; suggested from the headers when left out. */
  mapping?: ColumnMapping[];
  /** Fields whose values identify an existing record (`email`; `name`, `city`; a phone field by its key). */
  match?: string[];
  onMatch?: 'update' | 'skip';
  onNoMatch?: 'create' | 'skip';
  /** Check only: report what would happen, write nothing. */
  dryRun?: boolean;
  /** Write the good rows and leave out the refused ones (default: refuse the import when any row is refused). */
  skipInvalid?: boolean;
  /** Rows per write (at most MAX_BATCH). */
  batchSize?: number;
  /** Batches written at once (default 2). */
  concurrency?: number;
  /** Stops the write between batches; what was written stays (and can be undone). */
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /** Problems kept in the report (all are counted). */
  maxProblems?: number;
}

export interface ImportProgress {
  phase: 'check' | 'write';
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  refused: number;
}

export interface RowProblem {
  /** The row in the file as a spreadsheet numbers it: the header is row 1. */
  row: number;
  column: string;
  field?: string;
  code: string;
  params: Record<string, unknown>;
  message: { en: string; 'zh-CN': string };
}

export interface ImportReport {
  jobId: string | null;
  status: 'checked' | 'refused' | 'done' | 'cancelled';
  entity: string;
  format: FileFormat;
  encoding: string;
  mapping: ColumnMapping[];
  /** Headers no field takes. */
  unmapped: string[];
  rows: number;
  /** In a dry run: what would be created, updated, skipped. */
  created: number;
  updated: number;
  skipped: number;
  /** Rows with at least one problem. */
  refused: number;
  problems: RowProblem[];
  problemCount: number;
}

interface Column {
  index: number;
  header: string;
  field: FieldDefinition;
  convert?: (text: string) => Converted;
  lookup?: { target: EntityDefinition; by: FieldDefinition };
}

interface Prepared {
  row: number;
  values: Record<string, unknown>;
  /** Relation cells to look up: field → text. */
  lookups: Map<string, string>;
  key?: string;
  bad: boolean;
  action?: 'create' | 'update' | 'skip';
  matchId?: string;
}

/** SQL of a field's value as a matching key (text compared without case, phones by their key). */
function keySql(field: FieldDefinition, alias: string): string {
  const column = `${alias}.${physical.ident(field.type === 'relation' ? physical.relationColumn(field) : physical.columnBase(field))}`;
  if (field.type === 'phone') return phoneKeySql(column);
  if (['text', 'longText', 'email', 'url', 'select', 'autonumber'].includes(field.type)) return `lower(${column})`;
  return `${column}::text`;
}

/** The same key in TypeScript, from a converted value. */
function keyText(field: FieldDefinition, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (field.type === 'phone') return phoneKey(String(value));
  if (typeof value === 'string') return value.trim().toLowerCase();
  return String(value);
}

const MATCHABLE = new Set(['text', 'email', 'phone', 'url', 'integer', 'select', 'autonumber', 'date', 'relation']);

class ImportRun {
  readonly engine: Engine;
  readonly options: ImportOptions;
  readonly context: RequestContext;
  readonly records: RecordService;
  entity!: EntityDefinition;
  reader!: ScopedReader;
  columns: Column[] = [];
  matchFields: FieldDefinition[] = [];
  problems: RowProblem[] = [];
  problemCount = 0;
  badRows = new Set<number>();
  lookupCache = new Map<string, Map<string, string | { count: number }>>();
  seenKeys = new Map<string, number>();
  counts = { rows: 0, created: 0, updated: 0, skipped: 0, refused: 0 };

  constructor(engine: Engine, context: RequestContext, options: ImportOptions) {
    this.engine = engine;
    this.options = options;
    this.context = { ...context, channel: 'import' };
    this.records = engine.records(this.context);
  }

  problem(row: number, column: string, field: string | undefined, code: string, params: Record<string, unknown>) {
    this.problemCount++;
    if (!this.badRows.has(row)) {
      this.badRows.add(row);
    }
    if (this.problems.length < (this.options.maxProblems ?? 1000)) {
      this.problems.push({
        row,
        column,
        ...(field ? { field } : {}),
        code,
        params,
        message: { en: rowMessage(code, params, 'en'), 'zh-CN': rowMessage(code, params, 'zh-CN') },
      });
    }
  }

  async setUp(headers: string[]): Promise<ColumnMapping[]> {
    const { entity, metadata } = await this.records.entity(this.options.entity);
    this.entity = entity;
    this.reader = await this.engine.reader(this.context);
    const mapping = this.options.mapping ?? suggestMapping(entity, headers);
    checkMapping(entity, headers, mapping, (this.options.onNoMatch ?? 'create') === 'create');
    const fields = new Map(importableFields(entity).map((f) => [f.name, f]));
    for (const m of mapping) {
      const field = fields.get(m.field)!;
      const column: Column = { index: headers.indexOf(m.column), header: m.column, field };
      if (field.type === 'relation') {
        const target = metadata.byName.get(field.relation!.target)!;
        const byName = m.lookupBy ?? target.titleField ?? 'name';
        const by = target.fields.find((f) => f.name === byName);
        if (!by || !MATCHABLE.has(by.type) || by.type === 'relation') {
          throw new TransferError('mapping.unknownField', {
            column: m.column,
            field: `${m.field}.${byName}`,
            entity: target.name,
          });
        }
        column.lookup = { target, by };
      } else {
        column.convert = converter(field, this.options);
      }
      this.columns.push(column);
    }
    for (const name of this.options.match ?? []) {
      const field = entity.fields.find((f) => f.name === name);
      const reason = !field
        ? `${entity.name} has no field "${name}"`
        : !MATCHABLE.has(field.type) || field.relation?.kind === 'manyToMany'
          ? `a ${field.type} field cannot identify a record`
          : !mapping.some((m) => m.field === name)
            ? 'no column of the file is mapped to it'
            : undefined;
      if (reason) throw new TransferError('match.unknownKey', { key: name, reason });
      this.matchFields.push(field!);
    }
    return mapping;
  }

  /** Converts one row's cells; problems are recorded against the row. */
  prepare(cells: string[], row: number, check: boolean): Prepared {
    const prepared: Prepared = { row, values: {}, lookups: new Map(), bad: false };
    for (const column of this.columns) {
      const raw = cells[column.index] ?? '';
      if (raw.trim() === '') continue;
      if (isFormula(raw)) {
        if (check) this.problem(row, column.header, column.field.name, 'formula', { value: raw });
        prepared.bad = true;
        continue;
      }
      const text = unquote(raw);
      if (column.lookup) {
        prepared.lookups.set(column.field.name, text.trim());
        continue;
      }
      const converted = column.convert!(text);
      if (!converted.ok) {
        if (check) this.problem(row, column.header, column.field.name, converted.code, converted.params);
        prepared.bad = true;
        continue;
      }
      if (check) {
        const checked = fieldType(column.field).check(converted.value, column.field);
        if (!checked.ok) {
          this.problem(row, column.header, column.field.name, 'invalid', { message: checked.message, value: raw });
          prepared.bad = true;
          continue;
        }
        prepared.values[column.field.name] = checked.value;
      } else prepared.values[column.field.name] = converted.value;
    }
    if (this.matchFields.length > 0) {
      const parts = this.matchFields.map((f) => keyText(f, prepared.values[f.name] ?? prepared.lookups.get(f.name)));
      if (parts.some((p) => p !== '')) prepared.key = parts.join('\u0001');
    }
    return prepared;
  }

  /** Resolves the relation cells of a batch to ids, one statement per relation and batch (cached). */
  async resolveLookups(batch: Prepared[], check: boolean): Promise<void> {
    for (const column of this.columns) {
      if (!column.lookup) continue;
      const { target, by } = column.lookup;
      const cacheKey = `${column.field.name}`;
      const cache = this.lookupCache.get(cacheKey) ?? new Map<string, string | { count: number }>();
      this.lookupCache.set(cacheKey, cache);
      const wanted = new Set<string>();
      for (const p of batch) {
        const text = p.lookups.get(column.field.name);
        if (text !== undefined && !cache.has(keyText(by, text))) wanted.add(keyText(by, text));
      }
      if (wanted.size > 0) {
        const keys = [...wanted];
        const found = await this.reader.query<{ id: string; k: string }>(
          `select t.id, ${keySql(by, 't')} as k from ${this.reader.from(target)} t where ${keySql(by, 't')} = any($1::text[])`,
          [keys],
        );
        for (const k of keys) cache.set(k, { count: 0 });
        for (const f of found) {
          const had = cache.get(f.k);
          if (had && typeof had === 'object' && had.count === 0) cache.set(f.k, f.id);
          else if (typeof had === 'string') cache.set(f.k, { count: 2 });
          else if (had && typeof had === 'object') had.count++;
        }
      }
      for (const p of batch) {
        const text = p.lookups.get(column.field.name);
        if (text === undefined) continue;
        const hit = cache.get(keyText(by, text));
        if (typeof hit === 'string') {
          p.values[column.field.name] = hit;
          continue;
        }
        p.bad = true;
        if (check) {
          const params = { value: text, target: target.name, by: by.name, count: hit?.count ?? 0 };
          this.problem(
            p.row,
            column.header,
            column.field.name,
            hit && hit.count > 1 ? 'lookupMany' : 'lookupNone',
            params,
          );
        }
      }
    }
  }

  /** Finds the existing record of each row by the match key; decides create, update or skip. */
  async match(batch: Prepared[], check: boolean): Promise<void> {
    const onMatch = this.options.onMatch ?? 'update';
    const onNoMatch = this.options.onNoMatch ?? 'create';
    const found = new Map<string, string[]>();
    if (this.matchFields.length > 0) {
      const keyed = [...new Set(batch.filter((p) => p.key !== undefined && !p.bad).map((p) => p.key!))];
      if (keyed.length > 0) {
        const parts = this.matchFields.map((_f, i) => keyed.map((k) => k.split('\u0001')[i]!));
        const exprs = this.matchFields.map((f) => keySql(f, 't'));
        const unnest = parts.map((_p, i) => `$${i + 1}::text[]`).join(', ');
        const cols = parts.map((_p, i) => `k${i}`).join(', ');
        const rows = await this.reader.query<Record<string, string>>(
          `select t.id, ${exprs.map((e, i) => `${e} as k${i}`).join(', ')} from ${this.reader.from(this.entity)} t
           where (${exprs.join(', ')}) in (select ${cols} from unnest(${unnest}) as u(${cols}))`,
          parts,
        );
        for (const r of rows) {
          const key = this.matchFields.map((_f, i) => r[`k${i}`] ?? '').join('\u0001');
          found.set(key, [...(found.get(key) ?? []), r.id!]);
        }
      }
    }
    for (const p of batch) {
      if (p.bad) continue;
      if (check && p.key !== undefined) {
        const first = this.seenKeys.get(p.key);
        if (first !== undefined) {
          const value = p.key.replaceAll('\u0001', ' + ');
          this.problem(
            p.row,
            this.matchFields.map((f) => this.headerOf(f.name)).join(' + '),
            undefined,
            'duplicateInFile',
            {
              value,
              row: first,
            },
          );
          p.bad = true;
          continue;
        }
        this.seenKeys.set(p.key, p.row);
      }
      const ids = p.key !== undefined ? found.get(p.key) : undefined;
      if (ids && ids.length > 1) {
        if (check) {
          this.problem(p.row, this.matchFields.map((f) => this.headerOf(f.name)).join(' + '), undefined, 'matchMany', {
            value: p.key!.replaceAll('\u0001', ' + '),
            count: ids.length,
          });
        }
        p.bad = true;
        continue;
      }
      if (ids && ids.length === 1) {
        p.matchId = ids[0];
        p.action = onMatch === 'update' ? 'update' : 'skip';
      } else {
        p.action = onNoMatch === 'create' ? 'create' : 'skip';
        if (p.action === 'create') {
          for (const column of this.columns) {
            const f = column.field;
            if (f.required && (f.default === undefined || f.default === null) && p.values[f.name] === undefined) {
              if (check) this.problem(p.row, column.header, f.name, 'required', {});
              p.bad = true;
            }
          }
        }
      }
    }
  }

  headerOf(field: string): string {
    return this.columns.find((c) => c.field.name === field)?.header ?? field;
  }

  /** Writes a checked batch; returns the rows the record service refused (by their issues). */
  async write(jobId: string, batch: Prepared[]): Promise<void> {
    const creates = batch.filter((p) => !p.bad && p.action === 'create');
    const updates = batch.filter((p) => !p.bad && p.action === 'update');
    if (creates.length > 0) {
      const created = await this.records.createMany(
        this.entity.name,
        creates.map((p) => p.values),
      );
      await logRows(
        this.engine,
        jobId,
        'created',
        created.map((c) => ({ id: c.id })),
      );
      this.counts.created += created.length;
    }
    if (updates.length > 0) {
      const fields = [...new Set(updates.flatMap((p) => Object.keys(p.values)))];
      const old = await this.oldValues(
        updates.map((p) => p.matchId!),
        fields,
      );
      await this.records.updateMany(
        this.entity.name,
        updates.map((p) => ({ id: p.matchId!, values: p.values })),
      );
      await logRows(
        this.engine,
        jobId,
        'updated',
        updates.map((p) => {
          const before = old.get(p.matchId!) ?? {};
          return { id: p.matchId!, old: Object.fromEntries(Object.keys(p.values).map((k) => [k, before[k] ?? null])) };
        }),
      );
      this.counts.updated += updates.length;
    }
  }

  /** The current values of `fields` of records, as inputs (a relation as its id), read through the service. */
  async oldValues(ids: string[], fields: string[]): Promise<Map<string, Record<string, unknown>>> {
    const byName = new Map(this.entity.fields.map((f) => [f.name, f]));
    const selectionFields = fields.map((name) => (byName.get(name)?.type === 'relation' ? `${name}Id` : name));
    const result = await this.records.list({
      entity: this.entity.name,
      filter: { id: { in: ids } },
      first: ids.length,
      selection: { fields: ['id', ...selectionFields], relations: [] },
      withCursors: false,
    });
    const out = new Map<string, Record<string, unknown>>();
    for (const node of result.nodes) {
      const values: Record<string, unknown> = {};
      for (const name of fields) {
        const key = byName.get(name)?.type === 'relation' ? `${name}Id` : name;
        values[name] = node[key] ?? null;
      }
      out.set(String(node.id), values);
    }
    return out;
  }

  progress(phase: 'check' | 'write'): void {
    this.options.onProgress?.({ phase, ...this.counts });
  }
}

async function* batches(
  rows: AsyncIterable<string[]>,
  size: number,
): AsyncGenerator<{ cells: string[]; row: number }[]> {
  let batch: { cells: string[]; row: number }[] = [];
  let row = 1;
  for await (const cells of rows) {
    row++;
    if (row - 1 > MAX_IMPORT_ROWS) throw new TransferError('file.tooManyRows', { limit: MAX_IMPORT_ROWS });
    batch.push({ cells, row });
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Rows (file numbering) the record service's refusal names: `inputs[3].email` → the 4th row of the batch. */
function refusedRows(error: TouchpointError, batch: Prepared[]): { row: Prepared; field?: string; message: string }[] {
  const creates = batch.filter((p) => !p.bad && p.action === 'create');
  const updates = batch.filter((p) => !p.bad && p.action === 'update');
  const out: { row: Prepared; field?: string; message: string }[] = [];
  for (const issue of error.issues) {
    const m = /^(inputs|updates)\[(\d+)\](?:\.values)?(?:\.(\w+))?/.exec(issue.path);
    const list = m?.[1] === 'updates' ? updates : creates;
    const row = m ? list[Number(m[2])] : undefined;
    if (row) out.push({ row, ...(m?.[3] ? { field: m[3] } : {}), message: issue.message });
  }
  return out;
}

/**
 * Checks (and unless `dryRun`, runs) an import. File-level problems (format, encoding, size, mapping) throw
 * a TransferError before anything is written; row problems are in the report.
 */
export async function importRecords(
  engine: Engine,
  context: RequestContext,
  options: ImportOptions,
): Promise<ImportReport> {
  const run = new ImportRun(engine, context, options);
  const size = Math.min(options.batchSize ?? MAX_BATCH, MAX_BATCH);
  const open = () =>
    openTable(options.file, { format: options.format, encoding: options.encoding, maxBytes: options.maxBytes });
  const first = await open();
  const mapping = await run.setUp(first.headers);
  const report = (status: ImportReport['status'], jobId: string | null): ImportReport => ({
    jobId,
    status,
    entity: run.entity.name,
    format: first.format,
    encoding: first.encoding,
    mapping,
    unmapped: first.headers.filter((h) => !mapping.some((m) => m.column === h)),
    ...run.counts,
    refused: run.badRows.size,
    problems: run.problems,
    problemCount: run.problemCount,
  });

  // Pass 1: the check.
  for await (const chunk of batches(first.rows, size)) {
    const batch = chunk.map(({ cells, row }) => run.prepare(cells, row, true));
    await run.resolveLookups(batch, true);
    await run.match(batch, true);
    run.counts.rows += batch.length;
    for (const p of batch) {
      if (p.bad) continue;
      if (p.action === 'create') run.counts.created++;
      else if (p.action === 'update') run.counts.updated++;
      else run.counts.skipped++;
    }
    run.progress('check');
  }
  run.counts.refused = run.badRows.size;
  if (options.dryRun) return report('checked', null);
  if (run.badRows.size > 0 && !options.skipInvalid) return report('refused', null);

  // Pass 2: the write.
  const total = run.counts.rows;
  run.counts = { rows: 0, created: 0, updated: 0, skipped: 0, refused: run.badRows.size };
  const jobId = await startJob(engine, {
    workspace: context.workspace,
    entity: run.entity.name,
    actor: context.actor,
    fileName: options.fileName ?? options.file,
    options: { mapping, match: options.match ?? [], onMatch: options.onMatch, onNoMatch: options.onNoMatch },
  });
  const second = await open();
  let status = 'done' as ImportReport['status'];
  // Up to `concurrency` batches are written at once: the database, not Node, is what an import waits for,
  // and two writers keep both of its cores busy. Rows of different batches never share a key (the check
  // refused duplicates in the file), so batches do not depend on one another.
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const inflight = new Set<Promise<void>>();
  let failure: unknown;
  const writeBatch = async (chunk: { cells: string[]; row: number }[]) => {
    const live = chunk.filter(({ row }) => !run.badRows.has(row));
    const batch = live.map(({ cells, row }) => run.prepare(cells, row, false));
    await run.resolveLookups(batch, false);
    await run.match(batch, false);
    run.counts.skipped += batch.filter((p) => !p.bad && p.action === 'skip').length;
    try {
      await run.write(jobId, batch);
    } catch (error) {
      if (!isTouchpointError(error) || error.issues.length === 0) throw error;
      // The record service refused rows the check let pass (a unique value taken, a hook's refusal).
      const refused = refusedRows(error, batch);
      if (refused.length === 0) throw error;
      for (const r of refused) {
        r.row.bad = true;
        run.problem(r.row.row, r.field ? run.headerOf(r.field) : '', r.field, 'write', { message: r.message });
      }
      if (!options.skipInvalid) {
        status = 'refused';
        return;
      }
      await run.write(jobId, batch);
    }
    run.counts.rows += chunk.length;
    run.counts.refused = run.badRows.size;
    run.progress('write');
  };
  try {
    for await (const chunk of batches(second.rows, size)) {
      if (failure !== undefined || status === 'refused') break;
      if (options.signal?.aborted) {
        status = 'cancelled';
        break;
      }
      const p: Promise<void> = writeBatch(chunk)
        .catch((error) => {
          failure ??= error;
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= concurrency) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    if (failure !== undefined) throw failure;
  } catch (error) {
    await Promise.all(inflight);
    await finishJob(engine, jobId, 'failed', { ...run.counts, rows: total });
    throw error;
  }
  run.counts.refused = run.badRows.size;
  if (status === 'refused') {
    // Nothing of a refused import stays: what its earlier batches wrote is taken back.
    await finishJob(engine, jobId, 'done', { ...run.counts, rows: total });
    await undoImport(engine, context, jobId);
    return { ...report('refused', jobId), created: 0, updated: 0 };
  }
  await finishJob(engine, jobId, status === 'cancelled' ? 'cancelled' : 'done', { ...run.counts, rows: total });
  return report(status, jobId);
}
