// `touchpoint import` and `touchpoint export`: records in from a CSV or XLSX file, out to one. The work is
// @touchpoint/transfer's; this file reads the options, shows a progress line and prints the report. The CLI
// speaks English (its other commands do too); the report's problems carry their Chinese text as well, which
// `--language zh-CN` prints instead.
import { createWriteStream, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Engine, Filter, OrderBy } from '@touchpoint/engine';
import { TouchpointError } from '@touchpoint/schema';
import type { ImportReport, Language, MappingFile } from '@touchpoint/transfer';

/** Exit code of an import whose rows were (partly) refused: nothing written, or only the good rows with --skip-invalid. */
export const EXIT_ROWS_REFUSED = 8;

export interface TransferOptions {
  workspace: string;
  mapping?: string;
  'dry-run'?: boolean;
  match?: string;
  'on-match'?: string;
  'on-no-match'?: string;
  'skip-invalid'?: boolean;
  encoding?: string;
  'time-zone'?: string;
  undo?: string;
  filter?: string;
  columns?: string;
  sort?: string;
  out?: string;
  language?: string;
}

function usage(message: string): never {
  throw new TouchpointError('VALIDATION_FAILED', message);
}

function language(options: TransferOptions): Language {
  const l = options.language ?? 'en';
  if (l !== 'en' && l !== 'zh-CN') usage(`--language must be en or zh-CN, got ${l}`);
  return l;
}

function progressLine(): { update(text: string): void; done(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(text) {
      if (tty) process.stderr.write(`\r${text}\u001b[K`);
      else if (Date.now() - last > 2000) {
        last = Date.now();
        process.stderr.write(`${text}\n`);
      }
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}

function printReport(report: ImportReport, lang: Language): void {
  const verb = report.status === 'checked' ? 'would be' : 'were';
  console.log(
    `${report.rows} rows read (${report.format}${report.format === 'csv' ? `, ${report.encoding}` : ''}): ` +
      `${report.created} ${verb} created, ${report.updated} ${verb} updated, ${report.skipped} skipped, ${report.refused} refused.`,
  );
  console.log(`Columns: ${report.mapping.map((m) => `${m.column} → ${m.field}`).join(', ') || '(none)'}`);
  if (report.unmapped.length > 0) console.log(`Not imported (no field): ${report.unmapped.join(', ')}`);
  for (const p of report.problems) {
    console.log(`  row ${p.row}, ${p.column || '(row)'}: ${p.message[lang]}`);
  }
  if (report.problemCount > report.problems.length) {
    console.log(`  … and ${report.problemCount - report.problems.length} more problems.`);
  }
  if (report.status === 'refused') {
    console.log(
      report.jobId
        ? 'Import refused: the database refused rows; what it had written was undone. Nothing changed.'
        : 'Import refused: fix the rows above, or give --skip-invalid to import the others. Nothing changed.',
    );
  }
  if (report.status === 'cancelled')
    console.log(`Cancelled. Undo what was written with: touchpoint import --undo ${report.jobId}`);
  if (report.status === 'done')
    console.log(`Import ${report.jobId} done. Undo it with: touchpoint import --undo ${report.jobId}`);
}

export async function importCommand(
  engine: Engine,
  entity: string | undefined,
  file: string | undefined,
  options: TransferOptions,
): Promise<number> {
  const transfer = await import('@touchpoint/transfer');
  const context = { workspace: options.workspace, actor: 'cli', channel: 'import' as const };
  if (options.undo) {
    const undone = await transfer.undoImport(engine, context, options.undo);
    console.log(`Import ${undone.jobId} undone: ${undone.deleted} records deleted, ${undone.reverted} reverted.`);
    return 0;
  }
  if (!entity || !file)
    usage('Usage: touchpoint import <entity> <file.csv|file.xlsx> [--mapping m.yaml] [--dry-run] [--match email]');
  const lang = language(options);
  const mappingFile: MappingFile = options.mapping
    ? transfer.parseMappingFile(readFileSync(options.mapping, 'utf8'))
    : {};
  const match = options.match
    ? options.match.split(/[,+]/).map((s) => s.trim())
    : typeof mappingFile.match === 'string'
      ? [mappingFile.match]
      : mappingFile.match;
  const onMatch = (options['on-match'] ?? mappingFile.onMatch) as 'update' | 'skip' | undefined;
  const onNoMatch = (options['on-no-match'] ?? mappingFile.onNoMatch) as 'create' | 'skip' | undefined;
  if (onMatch && !['update', 'skip'].includes(onMatch)) usage(`--on-match must be update or skip, got ${onMatch}`);
  if (onNoMatch && !['create', 'skip'].includes(onNoMatch))
    usage(`--on-no-match must be create or skip, got ${onNoMatch}`);
  const mapping = mappingFile.columns
    ? Object.entries(mappingFile.columns).flatMap(([column, target]) =>
        target === null || target === undefined
          ? []
          : typeof target === 'string'
            ? [{ column, field: target }]
            : [{ column, field: target.field, ...(target.lookupBy ? { lookupBy: target.lookupBy } : {}) }],
      )
    : undefined;
  const controller = new AbortController();
  const onSignal = () => {
    process.stderr.write('\nCancelling after the batch being written…\n');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  const line = progressLine();
  try {
    const report = await transfer.importRecords(engine, context, {
      entity,
      file,
      ...(mapping ? { mapping } : {}),
      ...(match ? { match } : {}),
      ...(onMatch ? { onMatch } : {}),
      ...(onNoMatch ? { onNoMatch } : {}),
      ...(options.encoding ? { encoding: options.encoding } : {}),
      timeZone: options['time-zone'] ?? mappingFile.timeZone ?? 'UTC',
      dryRun: options['dry-run'] ?? false,
      skipInvalid: options['skip-invalid'] ?? false,
      signal: controller.signal,
      onProgress: (p) =>
        line.update(
          p.phase === 'check'
            ? `Checking: ${p.rows} rows`
            : `Writing: ${p.rows} rows (${p.created} created, ${p.updated} updated, ${p.skipped} skipped)`,
        ),
    });
    line.done();
    printReport(report, lang);
    return report.refused > 0 || report.status === 'refused'
      ? EXIT_ROWS_REFUSED
      : report.status === 'cancelled'
        ? 1
        : 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

export async function exportCommand(
  engine: Engine,
  entity: string | undefined,
  options: TransferOptions,
): Promise<number> {
  if (!entity || !options.out)
    usage(
      'Usage: touchpoint export <entity> --out <file.csv|file.xlsx> [--filter <json>] [--columns a,b] [--sort field:desc]',
    );
  const format = extname(options.out).slice(1).toLowerCase();
  if (format !== 'csv' && format !== 'xlsx') usage(`--out must end in .csv or .xlsx, got ${options.out}`);
  let filter: Filter | undefined;
  if (options.filter) {
    try {
      filter = JSON.parse(options.filter) as Filter;
    } catch {
      usage(`--filter must be a filter as JSON, such as '{"city":{"eq":"Jinan"}}', got ${options.filter}`);
    }
  }
  const orderBy: OrderBy[] | undefined = options.sort?.split(',').map((s) => {
    const [field, direction = 'asc'] = s.split(':');
    if (direction !== 'asc' && direction !== 'desc') usage(`--sort takes field:asc or field:desc, got ${s}`);
    return { field: field!, direction };
  });
  const { exportRecords } = await import('@touchpoint/transfer');
  const line = progressLine();
  const result = await exportRecords(
    engine,
    { workspace: options.workspace, actor: 'cli', channel: 'cli' },
    createWriteStream(options.out),
    {
      entity,
      format,
      ...(filter ? { filter } : {}),
      ...(options.columns ? { columns: options.columns.split(',').map((c) => c.trim()) } : {}),
      ...(orderBy ? { orderBy } : {}),
      language: language(options),
      onProgress: (rows) => line.update(`Exported ${rows} rows`),
    },
  );
  line.done();
  console.log(`${result.rows} ${entity} records written to ${options.out} (${result.columns.join(', ')}).`);
  return 0;
}
