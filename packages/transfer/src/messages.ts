// What import and export say to people, in English and Chinese. A problem is a code with parameters; the
// text is made from them per language, so the web app, the API and the CLI word it the same way.
import { type ErrorCode, TouchpointError } from '@touchpoint/schema';

export type Language = 'en' | 'zh-CN';
type Params = Record<string, unknown>;
type Text = (p: Params) => string;

const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v));
const mb = (v: unknown) => `${Math.round(Number(v) / 1024 / 1024)} MB`;

/** File-level refusals: nothing is read or written. */
const FILE: Record<string, { code: ErrorCode; en: Text; zh: Text }> = {
  'file.format': {
    code: 'VALIDATION_FAILED',
    en: (p) => `The file type "${p.got}" cannot be imported; allowed: csv, xlsx.`,
    zh: (p) => `无法导入“${p.got}”类型的文件；支持：csv、xlsx。`,
  },
  'file.missing': {
    code: 'NOT_FOUND',
    en: (p) => `There is no file at ${p.path}.`,
    zh: (p) => `找不到文件 ${p.path}。`,
  },
  'file.empty': {
    code: 'VALIDATION_FAILED',
    en: () => 'The file is empty: it needs a header row with the column names, then the rows.',
    zh: () => '文件为空：第一行应为列名，其后为数据行。',
  },
  'file.tooLarge': {
    code: 'LIMIT_EXCEEDED',
    en: (p) =>
      `The file is ${mb(p.size)}; at most ${mb(p.limit)} can be imported at once. Split it into smaller files.`,
    zh: (p) => `文件大小为 ${mb(p.size)}，单次最多导入 ${mb(p.limit)}。请拆分为较小的文件。`,
  },
  'file.tooManyRows': {
    code: 'LIMIT_EXCEEDED',
    en: (p) => `The file has more than ${p.limit} rows; split it into smaller files.`,
    zh: (p) => `文件超过 ${p.limit} 行，请拆分为较小的文件。`,
  },
  'file.encoding': {
    code: 'VALIDATION_FAILED',
    en: () =>
      'The file is neither UTF-8 nor GBK/GB18030 text. Save it from Excel as "CSV UTF-8", or give its encoding (--encoding).',
    zh: () => '文件既不是 UTF-8 也不是 GBK/GB18030 编码。请在 Excel 中另存为“CSV UTF-8”，或指定其编码（--encoding）。',
  },
  'file.encodingName': {
    code: 'VALIDATION_FAILED',
    en: (p) => `Unknown encoding "${p.got}"; allowed: utf-8, gbk, gb18030, utf-16le.`,
    zh: (p) => `未知编码“${p.got}”；支持：utf-8、gbk、gb18030、utf-16le。`,
  },
  'file.notUtf8': {
    code: 'VALIDATION_FAILED',
    en: () =>
      'The file is not valid UTF-8 (a file saved by Chinese Excel is usually GBK: give --encoding gbk, or leave the encoding out to detect it).',
    zh: () =>
      '文件不是有效的 UTF-8 编码（中文 Excel 保存的文件通常为 GBK：请指定 --encoding gbk，或不指定编码以自动识别）。',
  },
  'file.xlsx': {
    code: 'VALIDATION_FAILED',
    en: (p) => `The file could not be read as an Excel workbook (.xlsx): ${p.reason}`,
    zh: (p) => `无法按 Excel 工作簿（.xlsx）读取该文件：${p.reason}`,
  },
  'mapping.requiredMissing': {
    code: 'VALIDATION_FAILED',
    en: (p) => `No column is mapped to the required field(s) ${list(p.fields)}; the columns are: ${list(p.headers)}.`,
    zh: (p) => `必填字段 ${list(p.fields)} 没有对应的列；文件中的列为：${list(p.headers)}。`,
  },
  'mapping.unknownField': {
    code: 'VALIDATION_FAILED',
    en: (p) => `Column "${p.column}" is mapped to "${p.field}", which ${p.entity} does not have or cannot be set.`,
    zh: (p) => `列“${p.column}”映射到的字段“${p.field}”在 ${p.entity} 中不存在或不可写入。`,
  },
  'mapping.unknownColumn': {
    code: 'VALIDATION_FAILED',
    en: (p) => `The mapping names the column "${p.column}", which the file does not have; it has: ${list(p.headers)}.`,
    zh: (p) => `映射中的列“${p.column}”在文件中不存在；文件中的列为：${list(p.headers)}。`,
  },
  'mapping.duplicateField': {
    code: 'VALIDATION_FAILED',
    en: (p) => `The field "${p.field}" is mapped from more than one column (${list(p.columns)}).`,
    zh: (p) => `字段“${p.field}”被多个列映射（${list(p.columns)}）。`,
  },
  'match.unknownKey': {
    code: 'VALIDATION_FAILED',
    en: (p) => `Records cannot be matched by "${p.key}": ${p.reason}.`,
    zh: (p) => `无法按“${p.key}”匹配记录：${p.reason}。`,
  },
  'import.notFound': {
    code: 'NOT_FOUND',
    en: (p) => `There is no import ${p.id} in this workspace.`,
    zh: (p) => `此工作区中没有导入任务 ${p.id}。`,
  },
  'import.notUndoable': {
    code: 'CONFLICT',
    en: (p) => `Import ${p.id} is ${p.status}; only a finished import can be undone, once.`,
    zh: (p) => `导入任务 ${p.id} 的状态为 ${p.status}；只有已完成的导入可以撤销，且只能撤销一次。`,
  },
  'export.unknownColumn': {
    code: 'VALIDATION_FAILED',
    en: (p) => `"${p.column}" is not a field of ${p.entity} that can be exported.`,
    zh: (p) => `“${p.column}”不是 ${p.entity} 可导出的字段。`,
  },
};

/** A file-level refusal, with the English message and both languages in `details.messages`. */
export class TransferError extends TouchpointError {
  readonly problem: string;
  constructor(problem: keyof typeof FILE & string, params: Params) {
    const entry = FILE[problem]!;
    super(entry.code, entry.en(params), {
      details: { problem, ...params, messages: { en: entry.en(params), 'zh-CN': entry.zh(params) } },
    });
    this.problem = problem;
  }
}

/** Row problems (dry run and import report): a code per cell, worded per language. */
const ROW: Record<string, { en: Text; zh: Text }> = {
  required: { en: () => 'is required', zh: () => '为必填项' },
  formula: {
    en: () => 'looks like a spreadsheet formula (starts with = + - @); it is refused so it cannot run in Excel',
    zh: () => '看起来是电子表格公式（以 = + - @ 开头），为防止在 Excel 中执行而被拒绝',
  },
  option: {
    en: (p) => `"${p.value}" is not an option; allowed: ${list(p.allowed)}`,
    zh: (p) => `“${p.value}”不是可选项；可选：${list(p.allowed)}`,
  },
  number: { en: (p) => `"${p.value}" is not a number`, zh: (p) => `“${p.value}”不是数字` },
  integer: { en: (p) => `"${p.value}" is not a whole number`, zh: (p) => `“${p.value}”不是整数` },
  date: {
    en: (p) => `"${p.value}" is not a date (2026-03-01, 2026/3/1, 1.3.2026, 2026年3月1日)`,
    zh: (p) => `“${p.value}”不是日期（2026-03-01、2026/3/1、1.3.2026、2026年3月1日）`,
  },
  datetime: {
    en: (p) => `"${p.value}" is not a date and time (2026-03-01 09:30, 2026-03-01T09:30:00Z)`,
    zh: (p) => `“${p.value}”不是日期时间（2026-03-01 09:30、2026-03-01T09:30:00Z）`,
  },
  boolean: {
    en: (p) => `"${p.value}" is not yes or no (true/false, yes/no, 是/否, 1/0)`,
    zh: (p) => `“${p.value}”不是“是”或“否”（true/false、yes/no、是/否、1/0）`,
  },
  currency: {
    en: (p) => `"${p.value}" is not an amount with a currency (1,234.50 CNY, ¥1,234.50, $20)`,
    zh: (p) => `“${p.value}”不是带币种的金额（1,234.50 CNY、¥1,234.50、$20）`,
  },
  lookupNone: {
    en: (p) => `no ${p.target} has ${p.by} "${p.value}"`,
    zh: (p) => `没有 ${p.by} 为“${p.value}”的 ${p.target}`,
  },
  lookupMany: {
    en: (p) => `${p.count} ${p.target} records have ${p.by} "${p.value}"; use a unique key`,
    zh: (p) => `有 ${p.count} 条 ${p.target} 记录的 ${p.by} 为“${p.value}”；请使用唯一的键`,
  },
  matchMany: {
    en: (p) => `${p.count} existing records match "${p.value}"; the row cannot tell which to update`,
    zh: (p) => `有 ${p.count} 条现有记录与“${p.value}”匹配，无法确定更新哪一条`,
  },
  matchEmpty: {
    en: () => 'the matching key is empty',
    zh: () => '匹配键为空',
  },
  duplicateInFile: {
    en: (p) => `the key "${p.value}" is also on row ${p.row} of the file`,
    zh: (p) => `键“${p.value}”在文件第 ${p.row} 行也出现了`,
  },
  invalid: { en: (p) => String(p.message), zh: (p) => `不符合要求：${p.message}` },
  write: { en: (p) => String(p.message), zh: (p) => `写入被拒绝：${p.message}` },
  tooManyColumns: {
    en: (p) => `the row has ${p.got} cells, the header ${p.expected}`,
    zh: (p) => `该行有 ${p.got} 个单元格，而表头有 ${p.expected} 列`,
  },
};

export type RowProblemCode = keyof typeof ROW;

export function rowMessage(code: string, params: Params, language: Language = 'en'): string {
  const entry = ROW[code] ?? ROW.invalid!;
  return language === 'zh-CN' ? entry.zh(params) : entry.en(params);
}

export function fileMessage(problem: string, params: Params, language: Language = 'en'): string {
  const entry = FILE[problem];
  if (!entry) return problem;
  return language === 'zh-CN' ? entry.zh(params) : entry.en(params);
}
