/**
 * A small expression language for a test case's constraints, parsed and evaluated here without
 * `eval`: numbers, strings, true/false/null (also Python's True/False/None), names of the
 * program's values, lists `[a, b]`, indexing `a[0]`, fields `a.b` (own fields of plain data only),
 * arithmetic `+ - * / // % **`, comparisons `< <= > >= == != in, not in` (chained as in Python:
 * `0 < x < 10`), `and or not` (also `&& || !`), parentheses, and the functions abs, min, max,
 * len, sum, round, all, any. Sources are capped at 1,000 characters and 32 levels of nesting.
 */

export type Value = number | string | boolean | null | Value[] | { [key: string]: Value };

export type Expr =
  | { kind: 'literal'; value: Value }
  | { kind: 'name'; name: string }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'unary'; op: '-' | '+' | 'not'; operand: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'logical'; op: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'compare'; first: Expr; rest: { op: CompareOp; right: Expr }[] }
  | { kind: 'index'; target: Expr; index: Expr }
  | { kind: 'field'; target: Expr; name: string }
  | { kind: 'call'; name: FunctionName; args: Expr[] };

type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**';
type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=' | 'in' | 'not in';

const FUNCTIONS = ['abs', 'min', 'max', 'len', 'sum', 'round', 'all', 'any'] as const;
type FunctionName = (typeof FUNCTIONS)[number];

export const MAX_EXPRESSION_LENGTH = 1_000;
const MAX_DEPTH = 32;
const MAX_STRING = 100_000;

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type Token =
  | { type: 'number'; value: number; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'name'; value: string; at: number }
  | { type: 'op'; value: string; at: number }
  | { type: 'end'; at: number };

const OPERATORS = [
  '**',
  '//',
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '===',
  '!==',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  '!',
].sort((a, b) => b.length - a.length);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i, i + 64));
      const text = match![0];
      tokens.push({ type: 'number', value: Number(text), at: i });
      i += text.length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let value = '';
      let j = i + 1;
      for (; j < source.length && source[j] !== ch; j++) {
        if (source[j] === '\\' && j + 1 < source.length) {
          const next = source[++j];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        } else value += source[j];
      }
      if (j >= source.length) throw new ExpressionError(`unterminated string at ${i + 1}`);
      tokens.push({ type: 'string', value, at: i });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_]/.test(source[j])) j++;
      tokens.push({ type: 'name', value: source.slice(i, j), at: i });
      i = j;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw new ExpressionError(`unexpected '${ch}' at ${i + 1}`);
    tokens.push({ type: 'op', value: op, at: i });
    i += op.length;
  }
  tokens.push({ type: 'end', at: source.length });
  return tokens;
}

const KEYWORDS: Record<string, Value> = {
  true: true,
  True: true,
  false: false,
  False: false,
  null: null,
  None: null,
};

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const expr = this.or();
    const next = this.peek();
    if (next.type !== 'end') throw new ExpressionError(`unexpected ${this.describe(next)}`);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private describe(token: Token): string {
    return token.type === 'end'
      ? 'end of expression'
      : `'${String(token.value)}' at ${token.at + 1}`;
  }

  private isOp(...values: string[]): boolean {
    const t = this.peek();
    return t.type === 'op' && values.includes(t.value);
  }

  private isWord(value: string): boolean {
    const t = this.peek();
    return t.type === 'name' && t.value === value;
  }

  private expectOp(value: string): void {
    if (!this.isOp(value))
      throw new ExpressionError(`expected '${value}', found ${this.describe(this.peek())}`);
    this.pos++;
  }

  private nested<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new ExpressionError('the expression is nested too deeply');
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private or(): Expr {
    let left = this.and();
    while (this.isWord('or') || this.isOp('||')) {
      this.pos++;
      left = { kind: 'logical', op: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isWord('and') || this.isOp('&&')) {
      this.pos++;
      left = { kind: 'logical', op: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Expr {
    if (this.isWord('not') || this.isOp('!')) {
      this.pos++;
      return this.nested(() => ({ kind: 'unary', op: 'not', operand: this.not() }));
    }
    return this.comparison();
  }

  private compareOp(): CompareOp | null {
    const t = this.peek();
    if (t.type === 'op') {
      const map: Record<string, CompareOp> = {
        '<': '<',
        '<=': '<=',
        '>': '>',
        '>=': '>=',
        '==': '==',
        '!=': '!=',
        '===': '==',
        '!==': '!=',
      };
      if (map[t.value]) {
        this.pos++;
        return map[t.value];
      }
    }
    if (this.isWord('in')) {
      this.pos++;
      return 'in';
    }
    if (
      this.isWord('not') &&
      this.tokens[this.pos + 1]?.type === 'name' &&
      (this.tokens[this.pos + 1] as { value: string }).value === 'in'
    ) {
      this.pos += 2;
      return 'not in';
    }
    return null;
  }

  private comparison(): Expr {
    const first = this.sum();
    const rest: { op: CompareOp; right: Expr }[] = [];
    for (let op = this.compareOp(); op; op = this.compareOp()) rest.push({ op, right: this.sum() });
    return rest.length ? { kind: 'compare', first, rest } : first;
  }

  private sum(): Expr {
    let left = this.term();
    while (this.isOp('+', '-')) {
      const op = (this.tokens[this.pos++] as { value: string }).value as BinaryOp;
      left = { kind: 'binary', op, left, right: this.term() };
    }
    return left;
  }

  private term(): Expr {
    let left = this.unary();
    while (this.isOp('*', '/', '//', '%')) {
      const op = (this.tokens[this.pos++] as { value: string }).value as BinaryOp;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp('-', '+')) {
      const op = (this.tokens[this.pos++] as { value: string }).value as '-' | '+';
      return this.nested(() => ({ kind: 'unary', op, operand: this.unary() }));
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.postfix();
    if (this.isOp('**')) {
      this.pos++;
      return this.nested(() => ({ kind: 'binary', op: '**', left: base, right: this.unary() }));
    }
    return base;
  }

  private postfix(): Expr {
    let expr = this.primary();
    for (;;) {
      if (this.isOp('[')) {
        this.pos++;
        const index = this.nested(() => this.or());
        this.expectOp(']');
        expr = { kind: 'index', target: expr, index };
      } else if (this.isOp('.')) {
        this.pos++;
        const t = this.peek();
        if (t.type !== 'name') throw new ExpressionError(`expected a field name after '.'`);
        this.pos++;
        expr = { kind: 'field', target: expr, name: t.value };
      } else return expr;
    }
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.type === 'number' || t.type === 'string') {
      this.pos++;
      return { kind: 'literal', value: t.value };
    }
    if (t.type === 'name') {
      this.pos++;
      if (t.value in KEYWORDS) return { kind: 'literal', value: KEYWORDS[t.value] };
      if (['and', 'or', 'not', 'in'].includes(t.value)) {
        throw new ExpressionError(`unexpected '${t.value}' at ${t.at + 1}`);
      }
      if (this.isOp('(')) {
        if (!(FUNCTIONS as readonly string[]).includes(t.value)) {
          throw new ExpressionError(
            `unknown function '${t.value}' (known: ${FUNCTIONS.join(', ')})`,
          );
        }
        this.pos++;
        const args: Expr[] = [];
        if (!this.isOp(')')) {
          do args.push(this.nested(() => this.or()));
          while (this.isOp(',') && ++this.pos);
        }
        this.expectOp(')');
        return { kind: 'call', name: t.value as FunctionName, args };
      }
      return { kind: 'name', name: t.value };
    }
    if (this.isOp('(')) {
      this.pos++;
      const inner = this.nested(() => this.or());
      this.expectOp(')');
      return inner;
    }
    if (this.isOp('[')) {
      this.pos++;
      const items: Expr[] = [];
      if (!this.isOp(']')) {
        do items.push(this.nested(() => this.or()));
        while (this.isOp(',') && ++this.pos);
      }
      this.expectOp(']');
      return { kind: 'list', items };
    }
    throw new ExpressionError(`unexpected ${this.describe(t)}`);
  }
}

/** Parses an expression; throws ExpressionError naming what is wrong and where. */
export function parseExpression(source: string): Expr {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  if (!source.trim()) throw new ExpressionError('empty expression');
  return new Parser(tokenize(source)).parse();
}

/** The names an expression reads (the program values it needs). */
export function namesOf(expr: Expr, into = new Set<string>()): Set<string> {
  switch (expr.kind) {
    case 'literal':
      break;
    case 'name':
      into.add(expr.name);
      break;
    case 'list':
      expr.items.forEach((e) => namesOf(e, into));
      break;
    case 'unary':
      namesOf(expr.operand, into);
      break;
    case 'binary':
    case 'logical':
      namesOf(expr.left, into);
      namesOf(expr.right, into);
      break;
    case 'compare':
      namesOf(expr.first, into);
      expr.rest.forEach((r) => namesOf(r.right, into));
      break;
    case 'index':
      namesOf(expr.target, into);
      namesOf(expr.index, into);
      break;
    case 'field':
      namesOf(expr.target, into);
      break;
    case 'call':
      expr.args.forEach((e) => namesOf(e, into));
      break;
  }
  return into;
}

const typeName = (v: Value): string =>
  v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'object' : typeof v;

function num(v: Value, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ExpressionError(`${what} needs a number, not ${typeName(v)}`);
}

function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'number' || typeof a === 'boolean') {
    return (typeof b === 'number' || typeof b === 'boolean') && Number(a) === Number(b);
  }
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  }
  if (a !== null && typeof a === 'object') {
    if (b === null || typeof b !== 'object' || Array.isArray(b)) return false;
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]))
    );
  }
  return a === b;
}

function order(a: Value, b: Value, op: string): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const x = num(a, `'${op}'`);
  const y = num(b, `'${op}'`);
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
}

function compare(op: CompareOp, a: Value, b: Value): boolean {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case 'in':
    case 'not in': {
      let found: boolean;
      if (typeof b === 'string') {
        if (typeof a !== 'string') throw new ExpressionError(`'in' a string needs a string`);
        found = b.includes(a);
      } else if (Array.isArray(b)) found = b.some((x) => equal(a, x));
      else if (b !== null && typeof b === 'object')
        found = typeof a === 'string' && Object.hasOwn(b, a);
      else throw new ExpressionError(`'in' needs a list, string or object, not ${typeName(b)}`);
      return op === 'in' ? found : !found;
    }
    case '<':
      return order(a, b, op) < 0;
    case '<=':
      return order(a, b, op) <= 0;
    case '>':
      return order(a, b, op) > 0;
    case '>=':
      return order(a, b, op) >= 0;
  }
}

function numbersOf(args: Value[], fn: string): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  return list.map((v) => num(v, `${fn}()`));
}

function call(name: FunctionName, args: Value[]): Value {
  switch (name) {
    case 'abs':
      return Math.abs(num(args[0] ?? null, 'abs()'));
    case 'min':
    case 'max': {
      const xs = numbersOf(args, name);
      if (!xs.length) throw new ExpressionError(`${name}() of nothing`);
      return name === 'min' ? Math.min(...xs) : Math.max(...xs);
    }
    case 'sum':
      return numbersOf(args, 'sum').reduce((s, x) => s + x, 0);
    case 'len': {
      const v = args[0] ?? null;
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (v !== null && typeof v === 'object') return Object.keys(v).length;
      throw new ExpressionError(`len() needs a list, string or object, not ${typeName(v)}`);
    }
    case 'round': {
      const x = num(args[0] ?? null, 'round()');
      const digits = args.length > 1 ? num(args[1], 'round()') : 0;
      const f = 10 ** Math.trunc(digits);
      return Math.round(x * f) / f;
    }
    case 'all':
    case 'any': {
      const v = args[0] ?? null;
      if (!Array.isArray(v)) throw new ExpressionError(`${name}() needs a list`);
      return name === 'all' ? v.every(truthy) : v.some(truthy);
    }
  }
}

function arithmetic(op: BinaryOp, a: Value, b: Value): Value {
  if (op === '+' && typeof a === 'string' && typeof b === 'string') {
    if (a.length + b.length > MAX_STRING) throw new ExpressionError('string too long');
    return a + b;
  }
  if (op === '+' && Array.isArray(a) && Array.isArray(b)) {
    if (a.length + b.length > MAX_STRING) throw new ExpressionError('list too long');
    return [...a, ...b];
  }
  const x = num(a, `'${op}'`);
  const y = num(b, `'${op}'`);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0) throw new ExpressionError('division by zero');
      return x / y;
    case '//':
      if (y === 0) throw new ExpressionError('division by zero');
      return Math.floor(x / y);
    case '%':
      if (y === 0) throw new ExpressionError('division by zero');
      // Python's sign convention: the result has the sign of the divisor.
      return ((x % y) + y) % y;
    case '**':
      return x ** y;
  }
}

/** The value of a parsed expression over the program's values; throws ExpressionError. */
export function evaluate(expr: Expr, scope: Readonly<Record<string, Value>>): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'name':
      if (!Object.hasOwn(scope, expr.name)) {
        throw new ExpressionError(`the program defines no value '${expr.name}'`);
      }
      return scope[expr.name];
    case 'list':
      return expr.items.map((e) => evaluate(e, scope));
    case 'unary': {
      const v = evaluate(expr.operand, scope);
      if (expr.op === 'not') return !truthy(v);
      return expr.op === '-' ? -num(v, "'-'") : num(v, "'+'");
    }
    case 'binary':
      return arithmetic(expr.op, evaluate(expr.left, scope), evaluate(expr.right, scope));
    case 'logical': {
      const left = evaluate(expr.left, scope);
      if (expr.op === 'and') return truthy(left) ? evaluate(expr.right, scope) : left;
      return truthy(left) ? left : evaluate(expr.right, scope);
    }
    case 'compare': {
      let left = evaluate(expr.first, scope);
      for (const { op, right } of expr.rest) {
        const value = evaluate(right, scope);
        if (!compare(op, left, value)) return false;
        left = value;
      }
      return true;
    }
    case 'index': {
      const target = evaluate(expr.target, scope);
      const index = evaluate(expr.index, scope);
      if (Array.isArray(target) || typeof target === 'string') {
        let i = num(index, 'an index');
        if (!Number.isInteger(i)) throw new ExpressionError('an index must be a whole number');
        if (i < 0) i += target.length;
        if (i < 0 || i >= target.length) throw new ExpressionError(`index ${i} is out of range`);
        return target[i];
      }
      if (target !== null && typeof target === 'object' && typeof index === 'string') {
        if (!Object.hasOwn(target, index)) throw new ExpressionError(`no field '${index}'`);
        return target[index];
      }
      throw new ExpressionError(`cannot index ${typeName(target)}`);
    }
    case 'field': {
      const target = evaluate(expr.target, scope);
      if (target === null || typeof target !== 'object' || Array.isArray(target)) {
        throw new ExpressionError(`'.${expr.name}' needs an object, not ${typeName(target)}`);
      }
      if (!Object.hasOwn(target, expr.name)) throw new ExpressionError(`no field '${expr.name}'`);
      return target[expr.name];
    }
    case 'call':
      return call(
        expr.name,
        expr.args.map((a) => evaluate(a, scope)),
      );
  }
}

/** Whether a value counts as true (Python's rules: empty lists, strings and 0 are false). */
export { truthy as isTruthy, equal as valuesEqual };
