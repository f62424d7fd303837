import type { Runner } from './code-eval-settings';

export type StaticCheckResult = { ok: true } | { ok: false; reason: string; line: number | null };

/**
 * Python source with string literals and comments blanked out (same length and lines), so the
 * checks below look at code only. A missing closing quote blanks to the end: the interpreter
 * then reports the syntax error.
 */
export function pythonCodeOnly(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '#') {
      while (i < source.length && source[i] !== '\n') {
        out += ' ';
        i++;
      }
      continue;
    }
    if (ch === '"' || ch === "'") {
      const triple = source.startsWith(ch.repeat(3), i);
      const quote = triple ? ch.repeat(3) : ch;
      out += quote;
      i += quote.length;
      while (i < source.length && !source.startsWith(quote, i)) {
        if (!triple && source[i] === '\n') break;
        if (source[i] === '\\' && i + 1 < source.length) {
          out += source[i + 1] === '\n' ? ' \n' : '  ';
          i += 2;
          continue;
        }
        out += source[i] === '\n' ? '\n' : ' ';
        i++;
      }
      if (source.startsWith(quote, i)) {
        out += quote;
        i += quote.length;
      }
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/** JavaScript source with strings, template literals and comments blanked out. */
export function javascriptCodeOnly(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') {
        out += ' ';
        i++;
      }
      continue;
    }
    if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (; i < stop; i++) out += source[i] === '\n' ? '\n' : ' ';
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      out += ch;
      i++;
      while (i < source.length && source[i] !== ch) {
        if (ch !== '`' && source[i] === '\n') break;
        if (source[i] === '\\' && i + 1 < source.length) {
          out += '  ';
          i += 2;
          continue;
        }
        out += source[i] === '\n' ? '\n' : ' ';
        i++;
      }
      if (source[i] === ch) {
        out += ch;
        i++;
      }
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text[i] === '\n') line++;
  return line;
}

/** Interpreter internals that only an escape attempt needs. */
const PYTHON_DUNDERS = [
  '__import__',
  '__builtins__',
  '__subclasses__',
  '__globals__',
  '__code__',
  '__closure__',
  '__loader__',
  '__spec__',
  '__bases__',
  '__base__',
  '__mro__',
  '__getattribute__',
];

function checkPython(source: string, allowed: ReadonlySet<string>): StaticCheckResult {
  const code = pythonCodeOnly(source);
  const lines = code.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    for (const statement of line.split(';')) {
      const s = statement.trim();
      const from = /^from\s+(\.*)([\w.]*)\s+import\b/.exec(s);
      if (from) {
        if (from[1]) return { ok: false, reason: 'relative imports are not allowed', line: n + 1 };
        const top = from[2].split('.')[0];
        if (!allowed.has(top)) {
          return { ok: false, reason: `import of '${from[2]}' is not allowed`, line: n + 1 };
        }
        continue;
      }
      const imp = /^import\s+(.+)$/.exec(s);
      if (imp) {
        for (const part of imp[1].split(',')) {
          const name = part.trim().split(/\s+/)[0].replace(/[()]/g, '');
          if (name && !allowed.has(name.split('.')[0])) {
            return { ok: false, reason: `import of '${name}' is not allowed`, line: n + 1 };
          }
        }
      }
    }
  }
  for (const name of PYTHON_DUNDERS) {
    const at = code.indexOf(name);
    if (at !== -1) {
      return {
        ok: false,
        reason: `${name} is not allowed (interpreter internals)`,
        line: lineOf(code, at),
      };
    }
  }
  const dynamic = /\b(exec|eval|compile|globals|vars|breakpoint)\s*\(/.exec(code);
  if (dynamic) {
    return {
      ok: false,
      reason: `${dynamic[1]}() is not allowed (code built at run time escapes these checks)`,
      line: lineOf(code, dynamic.index),
    };
  }
  return { ok: true };
}

function checkJavascript(source: string): StaticCheckResult {
  const code = javascriptCodeOnly(source);
  const rules: [RegExp, string][] = [
    [/\brequire\s*\(/, 'require() is not available: programs get no modules'],
    [/(^|[^.\w$])import\s*[({*\w'"]/m, 'import is not available: programs get no modules'],
    [/\bprocess\b/, 'process is not available'],
    [/\.\s*constructor\b/, '.constructor is not allowed (the way out of the sandbox context)'],
    [/\b(eval|Function)\s*\(/, 'eval() and Function() are not allowed'],
    [/\b(globalThis|__proto__)\b/, 'globalThis and __proto__ are not allowed'],
  ];
  for (const [re, reason] of rules) {
    const match = re.exec(code);
    if (match) return { ok: false, reason, line: lineOf(code, match.index) };
  }
  return { ok: true };
}

/**
 * Checks made before anything runs, for a fast and clear refusal of the obvious: imports off
 * the allow-list, interpreter internals and run-time code building in Python; modules, process
 * and constructor walking in JavaScript. They are not the security boundary (the sandbox is);
 * comments and strings are ignored.
 */
export function staticCheck(
  code: string,
  runner: Runner,
  importAllowList: readonly string[],
): StaticCheckResult {
  return runner === 'python' ? checkPython(code, new Set(importAllowList)) : checkJavascript(code);
}
