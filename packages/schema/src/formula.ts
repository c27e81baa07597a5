// The formula language of formula fields: parse, check, and compile to one PostgreSQL expression.
// The SQL carries no parameters: numbers are re-validated and texts quoted before they are inlined, and
// field references are replaced by the SQL the caller gives, so the author's text never reaches SQL as is.
import type { Issue } from './errors.ts';
import { validationFailed } from './errors.ts';
import { type CheckedFormula, checkFormulaAst, type FieldTypeLookup } from './formula-check.ts';
import {
  asText,
  type CheckType,
  cast,
  FORMULA_FUNCTIONS,
  type FormulaArg,
  type FormulaValueType,
  isAtomic,
  SQL_TYPES,
  typedNull,
} from './formula-functions.ts';
import { type FormulaAst, type FormulaIssue, formulaIssue, parseFormulaAst, walkFormula } from './formula-parser.ts';

export type { FieldTypeLookup } from './formula-check.ts';
export type { FormulaValueType } from './formula-functions.ts';
export { FORMULA_FUNCTION_NAMES } from './formula-functions.ts';
export type { FormulaAst, FormulaBinaryOperator, FormulaIssue, FormulaSpan } from './formula-parser.ts';
export { FORMULA_MAX_DEPTH, FORMULA_MAX_LENGTH } from './formula-parser.ts';

/** A field as a formula sees it: the SQL that reads it and its value type. */
export interface FormulaField {
  sql: string;
  type: FormulaValueType;
}

function parseOrThrow(expression: string): FormulaAst {
  const parsed = parseFormulaAst(expression);
  if ('issues' in parsed) throw validationFailed('The formula is not valid', parsed.issues);
  return parsed.ast;
}

/**
 * Parses and type-checks; throws TouchpointError('VALIDATION_FAILED') whose issues say where (character
 * offset) and what is wrong. Field types are unknown here, so only what holds for any field is checked.
 */
export function parseFormula(expression: string): FormulaAst {
  const ast = parseOrThrow(expression);
  const { issues } = checkFormulaAst(ast, 'any');
  if (issues.length > 0) throw validationFailed('The formula is not valid', issues);
  return ast;
}

/** Field names the expression references, each once, in order of first use. Throws on syntax errors. */
export function formulaReferences(expression: string): string[] {
  const names = new Set<string>();
  walkFormula(parseOrThrow(expression), (node) => {
    if (node.kind === 'field') names.add(node.name);
  });
  return [...names];
}

/**
 * Parses and checks against a lookup that may also explain why an existing field cannot be used.
 * For callers inside this package (metadata validation); `checkFormula` is the public form.
 */
export function analyzeFormula(
  expression: string,
  lookup: FieldTypeLookup,
): { ast: FormulaAst; checked: CheckedFormula } | { issues: FormulaIssue[] } {
  const parsed = parseFormulaAst(expression);
  if ('issues' in parsed) return parsed;
  const checked = checkFormulaAst(parsed.ast, lookup);
  if (checked.issues.length > 0) return { issues: checked.issues };
  if (checked.type === 'null' || checked.type === 'any') {
    return {
      issues: [formulaIssue('the formula always yields null; give it a value', parsed.ast.start, parsed.ast.end)],
    };
  }
  return { ast: parsed.ast, checked };
}

/** Type-checks against the fields that exist; returns the result type or issues. */
export function checkFormula(
  expression: string,
  resolve: (fieldName: string) => FormulaValueType | undefined,
): { type: FormulaValueType } | { issues: Issue[] } {
  const result = analyzeFormula(expression, resolve);
  return 'issues' in result ? result : { type: result.checked.type as FormulaValueType };
}

/**
 * Compiles to ONE PostgreSQL expression. `resolve` gives the SQL of each referenced field. Literals are
 * inlined safely (numbers validated, strings quoted with '' doubling) so no parameters are needed. Division
 * by zero yields NULL (NULLIF). Text concatenation treats NULL as ''. The result is cast to the SQL type of
 * its value type (text, numeric, boolean, date, timestamptz); every number inside is numeric, so integer
 * columns neither divide as integers nor overflow.
 */
export function compileFormula(
  expression: string,
  resolve: (fieldName: string) => FormulaField | undefined,
): FormulaField {
  const fields = new Map<string, FormulaField | undefined>();
  const lookup = (name: string) => {
    if (!fields.has(name)) fields.set(name, resolve(name));
    return fields.get(name)?.type;
  };
  const result = analyzeFormula(expression, lookup);
  if ('issues' in result) throw validationFailed('The formula is not valid', result.issues);
  const type = result.checked.type as FormulaValueType;
  const sql = compileNode(result.ast, result.checked.types, (name) => fields.get(name)!);
  return { sql: cast(sql, SQL_TYPES[type]), type };
}

/** A text literal PostgreSQL reads the same whatever `standard_conforming_strings` says. */
export function quoteText(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL text cannot contain the NUL character');
  const doubled = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${doubled.replaceAll('\\', '\\\\')}'` : `'${doubled}'`;
}

function numberLiteral(text: string): string {
  // Re-checked here although the tokenizer only produces such text: this string goes into SQL verbatim.
  if (!/^(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$/.test(text)) throw new Error(`not a number literal: ${text}`);
  const normal = text.startsWith('.') ? `0${text}` : text;
  return normal.includes('.') ? normal : `${normal}::numeric`;
}

const SQL_OPERATORS: Record<string, string> = {
  '+': '+',
  '-': '-',
  '*': '*',
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  and: 'AND',
  or: 'OR',
};

/** Flattens `a & b & c` so it becomes one `concat(a, b, c)`. */
function concatParts(node: FormulaAst): FormulaAst[] {
  return node.kind === 'binary' && node.op === '&' ? [...concatParts(node.left), ...concatParts(node.right)] : [node];
}

/**
 * `a & b & c`, where NULL counts as ''. Over texts, numbers and booleans it is `||` of coalesced parts rather
 * than concat(), which PostgreSQL marks only stable (it may format any type): so a formula joining text
 * fields is immutable and can be indexed (substring search on a contact's full name). Dates and instants are
 * formatted by to_char(), stable anyway; with them concat() stays.
 */
function concatText(parts: FormulaAst[], arg: (node: FormulaAst) => FormulaArg): string {
  const args = parts.map((node) => ({ node, arg: arg(node) }));
  if (args.some(({ arg }) => arg.type === 'date' || arg.type === 'datetime' || arg.type === 'any')) {
    return `concat(${args.map(({ arg }) => asText(arg)).join(', ')})`;
  }
  const texts = args
    .filter(({ arg }) => arg.type !== 'null')
    .map(({ node, arg }) => (node.kind === 'text' ? arg.sql : `coalesce(${asText(arg)}, '')`));
  return texts.length === 0 ? `''` : `(${texts.join(' || ')})`;
}

/** Functions whose SQL is immutable, so a formula made of them (and of stored fields) can be indexed. */
const INDEXABLE_FUNCTIONS = new Set([
  'IF',
  'AND',
  'OR',
  'NOT',
  'ISBLANK',
  'COALESCE',
  'UPPER',
  'LOWER',
  'TRIM',
  'LEN',
  'LEFT',
  'RIGHT',
  'ROUND',
  'ABS',
  'FLOOR',
  'CEIL',
  'MIN',
  'MAX',
]);

/**
 * Why an index cannot hold this formula's value, or undefined when it can: it must read only fields
 * `indexable` accepts (stored text, number, boolean columns) and use only immutable functions.
 */
export function formulaIndexProblem(ast: FormulaAst, indexable: (fieldName: string) => boolean): string | undefined {
  switch (ast.kind) {
    case 'field':
      return indexable(ast.name)
        ? undefined
        : `it reads "${ast.name}"; an indexed formula may read only stored text, number and true/false fields`;
    case 'call':
      if (!INDEXABLE_FUNCTIONS.has(ast.name)) {
        return `it calls ${ast.name}; an indexed formula may call only ${[...INDEXABLE_FUNCTIONS].join(', ')}`;
      }
      for (const a of ast.args) {
        const problem = formulaIndexProblem(a, indexable);
        if (problem) return problem;
      }
      return undefined;
    case 'unary':
      return formulaIndexProblem(ast.operand, indexable);
    case 'binary':
      return formulaIndexProblem(ast.left, indexable) ?? formulaIndexProblem(ast.right, indexable);
    default:
      return undefined;
  }
}

function compileNode(
  root: FormulaAst,
  types: Map<FormulaAst, CheckType>,
  field: (name: string) => FormulaField,
): string {
  const typeOf = (node: FormulaAst) => types.get(node) ?? 'any';
  const arg = (node: FormulaAst): FormulaArg => ({ type: typeOf(node), sql: emit(node) });
  // Every value gets its own parentheses, so no operator or `--` can form across a boundary.
  const emit = (node: FormulaAst): string => {
    switch (node.kind) {
      case 'number':
        return numberLiteral(node.text);
      case 'text':
        return quoteText(node.value);
      case 'boolean':
        return node.value ? 'TRUE' : 'FALSE';
      case 'null':
        return 'NULL';
      case 'field': {
        const { sql, type } = field(node.name);
        return type === 'number' ? cast(sql, 'numeric') : isAtomic(sql) ? sql : `(${sql})`;
      }
      case 'unary':
        if (node.op === 'not') return `(NOT ${emit(node.operand)})`;
        return `(-${typeOf(node.operand) === 'null' ? typedNull('number') : emit(node.operand)})`;
      case 'call': {
        const fn = FORMULA_FUNCTIONS[node.name]!;
        return fn.sql(node.args.map(arg), typeOf(node));
      }
      case 'binary': {
        if (node.op === '&') return concatText(concatParts(node), arg);
        const left = arg(node.left);
        const right = arg(node.right);
        if (node.op === '/') return `(${left.sql} / NULLIF(${right.sql}, 0))`;
        if (node.op === '%') return `mod(${left.sql}, NULLIF(${right.sql}, 0))`;
        if (node.op === '=' || node.op === '!=') {
          // `x = null` would always be NULL in SQL; the author means "x is missing".
          const test = node.op === '=' ? 'IS NULL' : 'IS NOT NULL';
          if (right.type === 'null') return `(${left.sql} ${test})`;
          if (left.type === 'null') return `(${right.sql} ${test})`;
        }
        const l = left.type === 'null' ? typedNull(right.type) : left.sql;
        const r = right.type === 'null' ? typedNull(left.type) : right.sql;
        return `(${l} ${SQL_OPERATORS[node.op]} ${r})`;
      }
    }
  };
  return emit(root);
}
