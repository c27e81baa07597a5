// Reading a file to import as a stream of rows of text cells: CSV (papaparse's Node stream, fed text decoded
// by iconv-lite) or XLSX (exceljs's streaming workbook reader, first worksheet). Memory stays flat in the file
// size: rows are yielded as they are parsed. The encoding of a CSV is UTF-8 (with or without BOM), UTF-16 with
// a BOM, or GB18030/GBK (what Chinese Excel writes as "CSV"); it is detected from the first 64 KB or given.
import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { Transform } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { TransferError } from './messages.ts';

export type FileFormat = 'csv' | 'xlsx';

/** Largest file an import reads (bytes); `TOUCHPOINT_IMPORT_MAX_BYTES` may change it. */
export const DEFAULT_MAX_IMPORT_BYTES = 200 * 1024 * 1024;
/** Most rows one import takes. */
export const MAX_IMPORT_ROWS = 1_000_000;

export interface OpenOptions {
  format?: FileFormat;
  /** `utf-8`, `utf-16le`, `gb18030` (alias `gbk`); detected when left out. */
  encoding?: string;
  maxBytes?: number;
}

export interface TableSource {
  format: FileFormat;
  /** The CSV's encoding as detected or given; `xlsx` files carry their own. */
  encoding: string;
  /** First row, trimmed. */
  headers: string[];
  /** The rows after the header, each a list of cell texts (empty cells are ''). Can be read once. */
  rows: AsyncIterable<string[]>;
}

export function formatOf(path: string, given?: string): FileFormat {
  const ext = (given ?? extname(path).slice(1)).toLowerCase();
  if (ext === 'csv' || ext === 'txt') return 'csv';
  if (ext === 'xlsx') return 'xlsx';
  throw new TransferError('file.format', { got: ext || '(none)' });
}

function readHead(path: string, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const stream = createReadStream(path, { start: 0, end: bytes - 1 });
    stream.on('data', (c) => {
      const b = c as Buffer;
      chunks.push(b);
      length += b.length;
    });
    stream.on('end', () => resolve(Buffer.concat(chunks, length)));
    stream.on('error', reject);
  });
}

/** Cuts the last, possibly split, UTF-8 sequence off a sample so a valid file is not refused at the cut. */
function wholeUtf8(sample: Buffer, complete: boolean): Buffer {
  if (complete) return sample;
  const end = sample.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = sample[end - i]!;
    if ((b & 0xc0) === 0xc0) return sample.subarray(0, end - i); // lead byte of a cut sequence
    if ((b & 0x80) === 0) break;
  }
  return sample.subarray(0, end);
}

const CJK = /[\u3400-\u9fff]/;

/**
 * The encoding of a CSV from its first bytes: a BOM says it; valid UTF-8 is UTF-8; otherwise text that reads
 * as GB18030 with Chinese in it is GB18030 (a superset of GBK). Anything else is refused, asking for it.
 */
export function detectEncoding(sample: Buffer, complete: boolean): string {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(wholeUtf8(sample, complete));
    return 'utf-8';
  } catch {
    const text = iconv.decode(sample, 'gb18030');
    if (!text.includes('\uFFFD') && CJK.test(text)) return 'gb18030';
    throw new TransferError('file.encoding', {});
  }
}

function normaliseEncoding(name: string): string {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (n === 'utf8') return 'utf-8';
  if (n === 'gbk' || n === 'gb2312' || n === 'cp936') return 'gb18030';
  if (!iconv.encodingExists(n)) throw new TransferError('file.encodingName', { got: name });
  return n;
}

/** Opens a file for import. Refuses (before reading rows) a wrong format, an oversize file, a bad encoding. */
export async function openTable(path: string, options: OpenOptions = {}): Promise<TableSource> {
  const format = options.format ?? formatOf(path);
  const maxBytes = options.maxBytes ?? (Number(process.env.TOUCHPOINT_IMPORT_MAX_BYTES) || DEFAULT_MAX_IMPORT_BYTES);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new TransferError('file.missing', { path });
  }
  if (size > maxBytes) throw new TransferError('file.tooLarge', { size, limit: maxBytes });
  if (size === 0) throw new TransferError('file.empty', {});
  return format === 'csv' ? openCsv(path, size, options.encoding) : openXlsx(path);
}

async function openCsv(path: string, size: number, given?: string): Promise<TableSource> {
  const head = await readHead(path, 64 * 1024);
  const encoding = given ? normaliseEncoding(given) : detectEncoding(head, head.length >= size);
  if (encoding === 'utf-8') {
    // Given or detected: a file that is not UTF-8 must not be read as if it were (mojibake is not data).
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(wholeUtf8(head, head.length >= size));
    } catch {
      throw new TransferError('file.notUtf8', {});
    }
  }
  const iterator = csvRows(path, encoding)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new TransferError('file.empty', {});
  const headers = first.value.map((h) => h.trim());
  return { format: 'csv', encoding, headers, rows: { [Symbol.asyncIterator]: () => iterator } };
}

async function* csvRows(path: string, encoding: string): AsyncGenerator<string[]> {
  const decoder = iconv.getDecoder(encoding);
  let invalid = false;
  const decode = new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _enc, done) {
      const text = decoder.write(chunk);
      if (encoding === 'utf-8' && text.includes('\uFFFD')) invalid = true;
      done(null, text);
    },
    flush(done) {
      const rest = decoder.end();
      done(null, rest ?? '');
    },
  });
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { skipEmptyLines: 'greedy' });
  const stream = createReadStream(path).pipe(decode).pipe(parser);
  let first = true;
  for await (const row of stream as AsyncIterable<string[]>) {
    if (invalid) throw new TransferError('file.notUtf8', {});
    if (first) {
      first = false;
      if (row[0]?.charCodeAt(0) === 0xfeff) row[0] = row[0].slice(1);
    }
    yield row;
  }
}

async function openXlsx(path: string): Promise<TableSource> {
  const iterator = xlsxRows(path)[Symbol.asyncIterator]();
  let first: IteratorResult<string[]>;
  try {
    first = await iterator.next();
  } catch (error) {
    if (error instanceof TransferError) throw error;
    throw new TransferError('file.xlsx', { reason: (error as Error).message });
  }
  if (first.done) throw new TransferError('file.empty', {});
  const headers = first.value.map((h) => h.trim());
  return { format: 'xlsx', encoding: 'xlsx', headers, rows: { [Symbol.asyncIterator]: () => iterator } };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A cell's value as the text a user would have typed. Excel dates (read as UTC wall time) print as such. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) {
    const date = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    const h = value.getUTCHours();
    const m = value.getUTCMinutes();
    const s = value.getUTCSeconds();
    return h === 0 && m === 0 && s === 0 ? date : `${date} ${pad(h)}:${pad(m)}:${pad(s)}`;
  }
  if (typeof value === 'object') {
    if ('formula' in value || 'sharedFormula' in value) {
      // A formula cell is refused as such (see the formula check): its text is the formula.
      const f = (value as { formula?: string; sharedFormula?: string }).formula ?? '';
      return `=${f}`;
    }
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return cellText((value as { text: ExcelJS.CellValue }).text);
    if ('error' in value) return String((value as { error: unknown }).error);
  }
  return String(value);
}

async function* xlsxRows(path: string): AsyncGenerator<string[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'emit',
  });
  for await (const sheet of reader) {
    let expected = 1;
    for await (const row of sheet) {
      // Rows the reader skips (empty) are not data; numbering stays by what is yielded.
      void expected;
      expected = row.number + 1;
      const values = row.values as ExcelJS.CellValue[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      if (cells.every((c) => c.trim() === '')) continue;
      yield cells;
    }
    return; // the first worksheet only
  }
}
