// Tokenizer and recursive-descent parser of the formula language. The text never reaches JavaScript's
// evaluator or PostgreSQL as written: it becomes this tree, and only the tree is checked and compiled.

import type { Issue } from './errors.ts';
import { MAX_FORMULA_LENGTH } from './limits.ts';

export const FORMULA_MAX_LENGTH = MAX_FORMULA_LENGTH;
export const FORMULA_MAX_DEPTH = 32;

/** Where a node sits in the expression text: `start` inclusive, `end` exclusive, both character offsets. */
export interface FormulaSpan {
  start: number;
  end: number;
}

export type FormulaBinaryOperator =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '&'
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'and'
  | 'or';

export type FormulaAst =
  | (FormulaSpan & { kind: 'number'; value: number; text: string })
  | (FormulaSpan & { kind: 'text'; value: string })
  | (FormulaSpan & { kind: 'boolean'; value: boolean })
  | (FormulaSpan & { kind: 'null' })
  | (FormulaSpan & { kind: 'field'; name: string })
  | (FormulaSpan & { kind: 'unary'; op: '-' | 'not'; operand: FormulaAst })
  | (FormulaSpan & { kind: 'binary'; op: FormulaBinaryOperator; left: FormulaAst; right: FormulaAst })
  /** `name` is upper-cased: function names are case-insensitive. */
  | (FormulaSpan & { kind: 'call'; name: string; args: FormulaAst[] });

/** An issue of a formula, with the offending range so an editor can underline it. */
export interface FormulaIssue extends Issue {
  offset: number;
  end: number;
}

type TokenKind = 'number' | 'text' | 'ident' | 'op' | 'eof';

interface Token extends FormulaSpan {
  kind: TokenKind;
  /** Operators and identifiers as written; numbers as written; texts with `''` already unescaped. */
  value: string;
}

/** Thrown inside the parser only; `parseFormulaAst` turns it into an issue. Syntax errors stop the parse. */
class FormulaSyntaxError extends Error {
  readonly offset: number;
  readonly end: number;
  constructor(message: string, offset: number, end = offset + 1) {
    super(message);
    this.offset = offset;
    this.end = end;
  }
}

export function formulaIssue(message: string, offset: number, end: number, path = 'expression'): FormulaIssue {
  return { path, message: `${message} (at offset ${offset})`, offset, end };
}

// Longest first, so `<=` is not read as `<` then `=`.
const OPERATORS = '<> <= >= != && || == + - * / % & = < > ! ( ) ,'.split(' ');
const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null']);

function show(text: string): string {
  return text.length > 20 ? `${text.slice(0, 20)}…` : text;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)/.exec(source.slice(i))!;
      i += match[0].length;
      if (/[A-Za-z_.]/.test(source[i] ?? '')) {
        throw new FormulaSyntaxError(`malformed number "${show(source.slice(start, i + 1))}"`, start, i + 1);
      }
      tokens.push({ kind: 'number', value: match[0], start, end: i });
      continue;
    }
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new FormulaSyntaxError('text is not closed; add the closing quote', start, i);
        const ch = source[i]!;
        if (ch === "'") {
          if (source[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === '\0') throw new FormulaSyntaxError('a text cannot contain the NUL character', i);
        value += ch;
        i++;
      }
      tokens.push({ kind: 'text', value, start, end: i });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      i += match[0].length;
      tokens.push({ kind: 'ident', value: match[0], start, end: i });
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === '==') throw new FormulaSyntaxError('use = to compare, not ==', i, i + 2);
    if (op === undefined) {
      const hint = c === '"' ? '; texts are written in single quotes' : '';
      throw new FormulaSyntaxError(`unexpected character "${c}"${hint}`, i);
    }
    i += op.length;
    tokens.push({ kind: 'op', value: op, start, end: i });
  }
  tokens.push({ kind: 'eof', value: '', start: source.length, end: source.length });
  return tokens;
}

function describeToken(token: Token): string {
  if (token.kind === 'eof') return 'the end of the formula';
  if (token.kind === 'text') return 'a text';
  return `"${show(token.value)}"`;
}

const COMPARISONS: Record<string, FormulaBinaryOperator> = {
  '=': '=',
  '!=': '!=',
  '<>': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

/**
 * Precedence, loosest first: `or`, `and`, `not`, comparison (not chainable), `&`, `+ -`, `* / %`, unary `-`.
 * `not`/`!` bind looser than comparisons, as in SQL: `not a = b` means `not (a = b)`.
 */
class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private depth = 0;

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parse(): FormulaAst {
    const ast = this.or();
    const next = this.peek();
    if (next.kind !== 'eof') {
      throw new FormulaSyntaxError(
        `unexpected ${describeToken(next)} after a complete expression`,
        next.start,
        next.end,
      );
    }
    return ast;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const token = this.tokens[this.pos]!;
    if (token.kind !== 'eof') this.pos++;
    return token;
  }

  private isOp(...ops: string[]): boolean {
    const t = this.peek();
    return t.kind === 'op' && ops.includes(t.value);
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.value.toLowerCase() === word;
  }

  /** Guards the recursion: deep nesting is refused before it can exhaust the stack. */
  private enter(at: Token): void {
    this.depth++;
    if (this.depth > FORMULA_MAX_DEPTH) {
      throw new FormulaSyntaxError(`the formula nests deeper than ${FORMULA_MAX_DEPTH} levels`, at.start, at.end);
    }
  }

  private binary(op: FormulaBinaryOperator, left: FormulaAst, right: FormulaAst): FormulaAst {
    return { kind: 'binary', op, left, right, start: left.start, end: right.end };
  }

  private or(): FormulaAst {
    let left = this.and();
    while (this.isWord('or') || this.isOp('||')) {
      this.next();
      left = this.binary('or', left, this.and());
    }
    return left;
  }

  private and(): FormulaAst {
    let left = this.not();
    while (this.isWord('and') || this.isOp('&&')) {
      this.next();
      left = this.binary('and', left, this.not());
    }
    return left;
  }

  private not(): FormulaAst {
    if (this.isWord('not') || this.isOp('!')) {
      const token = this.next();
      this.enter(token);
      const operand = this.not();
      this.depth--;
      return { kind: 'unary', op: 'not', operand, start: token.start, end: operand.end };
    }
    return this.comparison();
  }

  private comparison(): FormulaAst {
    const left = this.concat();
    const t = this.peek();
    const op = t.kind === 'op' ? COMPARISONS[t.value] : undefined;
    if (op === undefined) return left;
    this.next();
    const result = this.binary(op, left, this.concat());
    const after = this.peek();
    if (after.kind === 'op' && COMPARISONS[after.value] !== undefined) {
      throw new FormulaSyntaxError(
        `comparisons cannot be chained; join them with and, e.g. a < b and b < c`,
        after.start,
        after.end,
      );
    }
    return result;
  }

  private concat(): FormulaAst {
    let left = this.additive();
    while (this.isOp('&')) {
      this.next();
      left = this.binary('&', left, this.additive());
    }
    return left;
  }

  private additive(): FormulaAst {
    let left = this.multiplicative();
    while (this.isOp('+', '-')) {
      const op = this.next().value as '+' | '-';
      left = this.binary(op, left, this.multiplicative());
    }
    return left;
  }

  private multiplicative(): FormulaAst {
    let left = this.unary();
    while (this.isOp('*', '/', '%')) {
      const op = this.next().value as '*' | '/' | '%';
      left = this.binary(op, left, this.unary());
    }
    return left;
  }

  private unary(): FormulaAst {
    if (this.isOp('-')) {
      const token = this.next();
      this.enter(token);
      const operand = this.unary();
      this.depth--;
      return { kind: 'unary', op: '-', operand, start: token.start, end: operand.end };
    }
    return this.primary();
  }

  private primary(): FormulaAst {
    const token = this.next();
    const { start, end } = token;
    switch (token.kind) {
      case 'number':
        return { kind: 'number', value: Number(token.value), text: token.value, start, end };
      case 'text':
        return { kind: 'text', value: token.value, start, end };
      case 'ident':
        return this.identifier(token);
      case 'op':
        if (token.value === '(') {
          this.enter(token);
          const inner = this.or();
          this.expect(')', token);
          this.depth--;
          return inner;
        }
        break;
      case 'eof':
        throw new FormulaSyntaxError('the formula ends where a value was expected', start, end);
    }
    throw new FormulaSyntaxError(`expected a value but found ${describeToken(token)}`, start, end);
  }

  private identifier(token: Token): FormulaAst {
    const { start, end } = token;
    const lower = token.value.toLowerCase();
    if (this.isOp('(')) {
      const open = this.next();
      this.enter(open);
      const args: FormulaAst[] = [];
      if (!this.isOp(')')) {
        for (;;) {
          args.push(this.or());
          if (!this.isOp(',')) break;
          this.next();
        }
      }
      const close = this.expect(')', open);
      this.depth--;
      return { kind: 'call', name: token.value.toUpperCase(), args, start, end: close.end };
    }
    if (lower === 'true' || lower === 'false') return { kind: 'boolean', value: lower === 'true', start, end };
    if (lower === 'null') return { kind: 'null', start, end };
    if (KEYWORDS.has(lower)) {
      throw new FormulaSyntaxError(`"${token.value}" is an operator and needs a value before it`, start, end);
    }
    return { kind: 'field', name: token.value, start, end };
  }

  private expect(op: string, opener: Token): Token {
    const token = this.peek();
    if (token.kind === 'op' && token.value === op) return this.next();
    throw new FormulaSyntaxError(
      `expected "${op}" to close the "${opener.value}" at offset ${opener.start} but found ${describeToken(token)}`,
      token.start,
      token.end,
    );
  }
}

/** Parses the text into a tree; syntax problems come back as issues instead of being thrown. */
export function parseFormulaAst(expression: string): { ast: FormulaAst } | { issues: FormulaIssue[] } {
  if (typeof expression !== 'string') {
    return { issues: [formulaIssue('the formula must be a text', 0, 0)] };
  }
  if (expression.length > FORMULA_MAX_LENGTH) {
    return {
      issues: [
        formulaIssue(
          `the formula is ${expression.length} characters long; at most ${FORMULA_MAX_LENGTH} are allowed`,
          FORMULA_MAX_LENGTH,
          expression.length,
        ),
      ],
    };
  }
  if (expression.trim() === '') return { issues: [formulaIssue('the formula is empty', 0, 0)] };
  try {
    return { ast: new Parser(tokenize(expression)).parse() };
  } catch (error) {
    if (error instanceof FormulaSyntaxError) return { issues: [formulaIssue(error.message, error.offset, error.end)] };
    throw error;
  }
}

/** Calls `visit` on every node, parents before children. */
export function walkFormula(ast: FormulaAst, visit: (node: FormulaAst) => void): void {
  visit(ast);
  if (ast.kind === 'unary') walkFormula(ast.operand, visit);
  else if (ast.kind === 'binary') {
    walkFormula(ast.left, visit);
    walkFormula(ast.right, visit);
  } else if (ast.kind === 'call') for (const arg of ast.args) walkFormula(arg, visit);
}
