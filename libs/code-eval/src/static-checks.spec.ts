import type { Runner } from './code-eval-settings';
import { DEFAULT_IMPORT_ALLOW_LIST, parseImportAllowList } from './code-eval-settings';
import { staticCheck } from './static-checks';

describe('staticCheck', () => {
  it.each<[string, Runner, string, string | null]>([
    [
      'allowed imports',
      'python',
      'import math, json\nfrom collections import Counter\nx = 1',
      null,
    ],
    ['os', 'python', 'import os', "import of 'os' is not allowed"],
    [
      'subprocess after an allowed one',
      'python',
      'import math, subprocess',
      "import of 'subprocess'",
    ],
    ['a dotted module', 'python', 'import os.path as p', "import of 'os.path'"],
    ['from ctypes', 'python', 'from ctypes import CDLL', "import of 'ctypes'"],
    ['socket after a semicolon', 'python', 'x = 1; import socket', "import of 'socket'"],
    ['a relative import', 'python', 'from . import x', 'relative imports'],
    ['__import__', 'python', "m = __import__('os')", '__import__ is not allowed'],
    ['__builtins__', 'python', "__builtins__.open('x')", '__builtins__ is not allowed'],
    ['importlib', 'python', 'import importlib', "import of 'importlib'"],
    ['builtins', 'python', 'import builtins', "import of 'builtins'"],
    ['subclasses', 'python', '().__class__.__base__.__subclasses__()', 'is not allowed'],
    ['exec', 'python', "exec('import os')", 'exec() is not allowed'],
    ['eval', 'python', "eval('1')", 'eval() is not allowed'],
    [
      'names in strings and comments',
      'python',
      "s = 'import os' # eval(x) __import__\nprint(s)",
      null,
    ],
    [
      'a docstring',
      'python',
      'def f():\n    """Never call exec() or import os."""\n    return 1',
      null,
    ],
    [
      'plain JavaScript',
      'javascript',
      'const add = (a, b) => a + b;\nconsole.log(add(1, 2));',
      null,
    ],
    ['require', 'javascript', "const fs = require('fs');", 'require() is not available'],
    ['import', 'javascript', "import fs from 'fs';", 'import is not available'],
    ['dynamic import', 'javascript', "import('fs').then(() => 1);", 'import is not available'],
    ['process', 'javascript', 'process.exit(1);', 'process is not available'],
    [
      'constructor walking',
      'javascript',
      "this.constructor.constructor('return process')()",
      '.constructor is not allowed',
    ],
    ['Function', 'javascript', "Function('return this')()", 'eval() and Function()'],
    ['words in a JavaScript string', 'javascript', "console.log('require(x) process');", null],
  ])('%s', (_name, runner, code, refusal) => {
    const result = staticCheck(code, runner, DEFAULT_IMPORT_ALLOW_LIST);
    if (refusal === null) expect(result).toEqual({ ok: true });
    else expect(result).toMatchObject({ ok: false, reason: expect.stringContaining(refusal) });
  });

  it('names the line', () => {
    expect(staticCheck('x = 1\n\nimport os', 'python', ['math'])).toEqual({
      ok: false,
      reason: "import of 'os' is not allowed",
      line: 3,
    });
  });

  it('follows a configured allow-list', () => {
    expect(staticCheck('import random', 'python', parseImportAllowList('random, math'))).toEqual({
      ok: true,
    });
    expect(staticCheck('import json', 'python', parseImportAllowList('random'))).toMatchObject({
      ok: false,
    });
  });
});

describe('parseImportAllowList', () => {
  it('reads comma-separated module names', () => {
    expect(parseImportAllowList(' math, json ,math,,re ')).toEqual(['math', 'json', 're']);
  });

  it('refuses what is not a top-level module name', () => {
    expect(() => parseImportAllowList('math, os.path')).toThrow("'os.path' is not a top-level");
    expect(() => parseImportAllowList('math; os')).toThrow("'math; os'");
  });
});
