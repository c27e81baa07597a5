// Exporting a list — its filter, columns and sort — to CSV (UTF-8 with a BOM, so Excel reads Chinese right) or
// XLSX (exceljs's streaming writer). Pages of records come through the record service's list (the query
// compiler, keyset pagination by cursor), so an export sees exactly what its actor may see and memory stays
// flat in the row count: one page is in memory at a time, and the output waits for the stream to drain.
// Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get an apostrophe.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Engine, Filter, OrderBy, RequestContext, Selection } from '@touchpoint/engine';
import { MAX_FIRST } from '@touchpoint/engine';
import { type EntityDefinition, type FieldDefinition, type Labels, validationFailed } from '@touchpoint/schema';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { Language } from './messages.ts';
import { TransferError } from './messages.ts';

export type ExportFormat = 'csv' | 'xlsx';

export interface ExportOptions {
  entity: string;
  format: ExportFormat;
  filter?: Filter;
  /** Free text, as a list's quick search. */
  search?: string;
  /** Field names; default the entity's list view columns, else its exportable fields. */
  columns?: string[];
  orderBy?: OrderBy[];
  /** Header labels and select labels in this language (default English). */
  language?: Language;
  /** Records per page read. */
  pageSize?: number;
  signal?: AbortSignal;
  onProgress?: (rows: number) => void;
}

export interface ExportResult {
  rows: number;
  columns: string[];
}

/** A text cell made safe to open in a spreadsheet: a leading = + - @ (or tab, CR) gets an apostrophe. */
export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const NOT_EXPORTED = new Set(['json']);

function exportable(entity: EntityDefinition): FieldDefinition[] {
  return entity.fields.filter((f) => !NOT_EXPORTED.has(f.type) && f.relation?.kind !== 'manyToMany');
}

function label(labels: Labels | undefined, language: Language, fallback: string): string {
  return labels?.[language] ?? labels?.en ?? fallback;
}

interface OutColumn {
  field: FieldDefinition;
  header: string;
  /** The cell of a record, for CSV (text) or XLSX (text, number, Date). */
  cell: (node: Record<string, unknown>) => string | number | Date | null;
  numeric: boolean;
}

function outColumns(
  entity: EntityDefinition,
  targets: (name: string) => EntityDefinition | undefined,
  names: string[],
  language: Language,
): { columns: OutColumn[]; selection: Selection } {
  const fields = new Map(exportable(entity).map((f) => [f.name, f]));
  const selection: Selection = { fields: ['id'], relations: [] };
  const columns: OutColumn[] = [];
  for (const name of names) {
    const field = fields.get(name);
    if (!field) throw new TransferError('export.unknownColumn', { column: name, entity: entity.name });
    const header = label(field.labels, language, field.name);
    if (field.type === 'relation') {
      const target = targets(field.relation!.target);
      const title = target?.titleField ?? 'id';
      selection.relations.push({ key: name, field: name, selection: { fields: [title], relations: [] } });
      columns.push({
        field,
        header,
        numeric: false,
        cell: (n) => {
          const related = n[name] as Record<string, unknown> | null;
          return related ? text(related[title]) : null;
        },
      });
      continue;
    }
    selection.fields.push(name);
    const options = new Map((field.options ?? []).map((o) => [o.value, label(o.labels, language, o.value)]));
    const yes = language === 'zh-CN' ? '是' : 'yes';
    const no = language === 'zh-CN' ? '否' : 'no';
    let cell: OutColumn['cell'];
    let numeric = false;
    switch (field.type) {
      case 'select':
        cell = (n) => (n[name] == null ? null : (options.get(String(n[name])) ?? String(n[name])));
        break;
      case 'multiSelect':
        cell = (n) => {
          const v = n[name] as string[] | null;
          return v && v.length > 0 ? v.map((x) => options.get(x) ?? x).join('; ') : null;
        };
        break;
      case 'currency':
        cell = (n) => {
          const v = n[name] as { amount: string; currency: string } | null;
          return v ? `${v.amount} ${v.currency}` : null;
        };
        break;
      case 'boolean':
        cell = (n) => (n[name] == null ? null : n[name] ? yes : no);
        break;
      case 'integer':
      case 'decimal':
      case 'percent':
        numeric = true;
        cell = (n) => (n[name] == null ? null : Number(n[name]));
        break;
      default:
        cell = (n) => text(n[name]);
    }
    columns.push({ field, header, cell, numeric });
  }
  return { columns, selection };
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Streams the records of a list to `out` as CSV or XLSX. Ends `out`. */
/**
 * What an export needs before a byte is written: the actor's object right `export` on the entity (FORBIDDEN
 * otherwise), and no column hidden from them (refused as an unknown field would be). Answers the hidden fields,
 * which the default columns leave out. Rows are limited by the read scope as for any read.
 */
export async function checkExport(
  engine: Engine,
  context: RequestContext,
  entityName: string,
  columns?: readonly string[],
): Promise<Set<string>> {
  const records = engine.records(context);
  await records.requireRight(entityName, 'export');
  const hidden = new Set(await records.hiddenFields(entityName));
  const refused = (columns ?? []).filter((c) => hidden.has(c));
  if (refused.length > 0) {
    throw validationFailed(
      `Cannot export ${entityName}: unknown columns.`,
      refused.map((c) => ({ path: 'columns', message: `${entityName} has no field "${c}"` })),
    );
  }
  return hidden;
}

export async function exportRecords(
  engine: Engine,
  context: RequestContext,
  out: Writable,
  options: ExportOptions,
): Promise<ExportResult> {
  const records = engine.records(context);
  const { entity, metadata } = await records.entity(options.entity);
  const hidden = await checkExport(engine, context, entity.name, options.columns);
  const language = options.language ?? 'en';
  const names = (
    options.columns ??
    entity.views?.list?.columns ??
    exportable(entity)
      .map((f) => f.name)
      .filter((n) => n !== 'id')
  ).filter((n) => !hidden.has(n));
  const { columns, selection } = outColumns(entity, (n) => metadata.byName.get(n), names, language);
  const orderBy = options.orderBy ?? entity.defaultSort ?? [];
  const first = Math.min(options.pageSize ?? MAX_FIRST, MAX_FIRST);
  let rows = 0;
  const pages = async function* () {
    let after: string | undefined;
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('export cancelled');
      const page = await records.list({
        entity: entity.name,
        ...(options.filter ? { filter: options.filter } : {}),
        ...(options.search ? { search: options.search } : {}),
        orderBy,
        first,
        ...(after ? { after } : {}),
        selection,
      });
      yield page.nodes;
      rows += page.nodes.length;
      options.onProgress?.(rows);
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
      after = page.pageInfo.endCursor;
    }
  };

  if (options.format === 'csv') {
    await write(out, '\ufeff');
    await write(out, `${Papa.unparse([columns.map((c) => neutralise(c.header))])}\r\n`);
    for await (const nodes of pages()) {
      if (nodes.length === 0) continue;
      const data = nodes.map((n) =>
        columns.map((c) => {
          const v = c.cell(n);
          if (v === null) return '';
          return c.numeric ? String(v) : neutralise(String(v));
        }),
      );
      await write(out, `${Papa.unparse(data)}\r\n`);
    }
    out.end();
    await once(out, 'finish');
  } else {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
    const sheet = workbook.addWorksheet(label(entity.pluralLabels, language, entity.name).slice(0, 31));
    sheet.addRow(columns.map((c) => c.header)).commit();
    for await (const nodes of pages()) {
      for (const n of nodes) {
        sheet
          .addRow(
            columns.map((c) => {
              const v = c.cell(n);
              return typeof v === 'string' ? neutralise(v) : v;
            }),
          )
          .commit();
      }
      // Let the zip stream drain before the next page.
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    sheet.commit();
    await workbook.commit();
  }
  return { rows, columns: columns.map((c) => c.field.name) };
}
