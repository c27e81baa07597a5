// Type-checking of a parsed formula: every node gets a type, every mismatch an issue saying where it is.
// All type errors are collected (unlike syntax errors) so the author fixes them in one round.
import {
  type CheckType,
  FORMULA_FUNCTION_NAMES,
  FORMULA_FUNCTIONS,
  type FormulaValueType,
  isConcrete,
  unify,
} from './formula-functions.ts';
import { type FormulaAst, type FormulaIssue, formulaIssue } from './formula-parser.ts';

/**
 * What a field reference means: its value type, `undefined` when no such field exists, or a problem
 * (a field that exists but cannot be used in a formula, with the reason).
 */
export type FieldTypeLookup = (name: string) => FormulaValueType | undefined | { problem: string };

export interface CheckedFormula {
  type: CheckType;
  /** The type of every node, for the compiler. */
  types: Map<FormulaAst, CheckType>;
  issues: FormulaIssue[];
}

function article(type: CheckType): string {
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

const ARITHMETIC_HINTS: Record<string, string> = {
  text: '; use & to join texts',
  date: '; use ADD_DAYS(date, days) or DAYS_BETWEEN(from, to) for dates',
  datetime: '; use ADD_DAYS(date, days) or DAYS_BETWEEN(from, to) for dates',
};

const ORDERED: readonly CheckType[] = ['number', 'text', 'date', 'datetime'];

/** Checks the tree; a `lookup` of `'any'` accepts every field name without knowing its type. */
export function checkFormulaAst(ast: FormulaAst, lookup: FieldTypeLookup | 'any'): CheckedFormula {
  const types = new Map<FormulaAst, CheckType>();
  const issues: FormulaIssue[] = [];
  const report = (node: FormulaAst, message: string) => issues.push(formulaIssue(message, node.start, node.end));

  const expectOperand = (op: string, node: FormulaAst, allowed: readonly FormulaValueType[], side: string): void => {
    const type = types.get(node)!;
    if (!isConcrete(type) || allowed.includes(type)) return;
    const plural = `${allowed[0]}s`;
    const hint = allowed.includes('number') && side !== '' ? (ARITHMETIC_HINTS[type] ?? '') : '';
    report(node, `"${op}" expects ${plural}${side}, got ${article(type)}${hint}`);
  };

  const visit = (node: FormulaAst): CheckType => {
    const type = infer(node);
    types.set(node, type);
    return type;
  };

  const infer = (node: FormulaAst): CheckType => {
    switch (node.kind) {
      case 'number':
        return 'number';
      case 'text':
        return 'text';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'field': {
        if (lookup === 'any') return 'any';
        const found = lookup(node.name);
        if (found === undefined) {
          report(node, `unknown field "${node.name}"`);
          return 'any';
        }
        if (typeof found === 'object') {
          report(node, found.problem);
          return 'any';
        }
        return found;
      }
      case 'unary': {
        visit(node.operand);
        if (node.op === '-') {
          expectOperand('-', node.operand, ['number'], '');
          return 'number';
        }
        expectOperand('not', node.operand, ['boolean'], '');
        return 'boolean';
      }
      case 'binary':
        return binary(node);
      case 'call':
        return call(node);
    }
  };

  const binary = (node: Extract<FormulaAst, { kind: 'binary' }>): CheckType => {
    const left = visit(node.left);
    const right = visit(node.right);
    const { op } = node;
    switch (op) {
      case '&':
        return 'text';
      case 'and':
      case 'or':
        expectOperand(op, node.left, ['boolean'], ' on both sides');
        expectOperand(op, node.right, ['boolean'], ' on both sides');
        return 'boolean';
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        expectOperand(op, node.left, ['number'], ' on both sides');
        expectOperand(op, node.right, ['number'], ' on both sides');
        return 'number';
      default: {
        const ordering = op !== '=' && op !== '!=';
        if (ordering && (left === 'null' || right === 'null')) {
          report(node, `null cannot be compared with "${op}"; use ISBLANK(value) to test for a missing value`);
          return 'boolean';
        }
        const common = unify([left, right]);
        if (common === undefined) {
          report(node, `cannot compare ${article(left)} with ${article(right)}`);
        } else if (ordering && !ORDERED.includes(common) && isConcrete(common)) {
          report(node, `"${op}" cannot order ${common}s; only numbers, texts, dates and datetimes have an order`);
        }
        return 'boolean';
      }
    }
  };

  const call = (node: Extract<FormulaAst, { kind: 'call' }>): CheckType => {
    const argTypes = node.args.map(visit);
    const fn = FORMULA_FUNCTIONS[node.name];
    if (!fn) {
      issues.push({
        ...formulaIssue(
          `unknown function "${node.name}"; the functions are ${FORMULA_FUNCTION_NAMES.join(', ')}`,
          node.start,
          node.start + node.name.length,
        ),
        allowed: FORMULA_FUNCTION_NAMES,
      });
      return 'any';
    }
    if (node.args.length < fn.minArgs || node.args.length > fn.maxArgs) {
      const expected =
        fn.minArgs === fn.maxArgs
          ? `${fn.minArgs}`
          : fn.maxArgs === Number.POSITIVE_INFINITY
            ? `at least ${fn.minArgs}`
            : `${fn.minArgs} to ${fn.maxArgs}`;
      const plural = expected === '1' ? 'argument' : 'arguments';
      report(node, `${fn.signature} takes ${expected} ${plural}, got ${node.args.length}`);
      return 'any';
    }
    return fn.check(argTypes, {
      problem(index, message) {
        report(node.args[index] ?? node, message);
      },
    });
  };

  const type = visit(ast);
  return { type, types, issues };
}
