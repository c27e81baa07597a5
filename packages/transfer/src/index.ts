export type { Converted, ConvertOptions } from './convert.ts';
export {
  converter,
  importableFields,
  isFormula,
  parseDate,
  parseDateTime,
  parseMoney,
  parseNumber,
  requiredFields,
  unquote,
} from './convert.ts';
export type { ExportFormat, ExportOptions, ExportResult } from './export.ts';
export { checkExport, exportRecords, neutralise } from './export.ts';
export type { ImportOptions, ImportProgress, ImportReport, RowProblem } from './importer.ts';
export { importRecords } from './importer.ts';
export type { ImportJob, ImportStatus } from './log.ts';
export { ensureImportTables, getJob, listJobs } from './log.ts';
export type { ColumnMapping, MappingFile } from './mapping.ts';
export { checkMapping, mappingFrom, parseMappingFile, suggestMapping } from './mapping.ts';
export type { Language } from './messages.ts';
export { fileMessage, rowMessage, TransferError } from './messages.ts';
export type { FileFormat, OpenOptions, TableSource } from './source.ts';
export { DEFAULT_MAX_IMPORT_BYTES, detectEncoding, formatOf, MAX_IMPORT_ROWS, openTable } from './source.ts';
export type { UndoReport } from './undo.ts';
export { undoImport } from './undo.ts';
