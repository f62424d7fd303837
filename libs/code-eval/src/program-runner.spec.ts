import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { Runner } from './code-eval-settings';
import { type ProgramRun, ProgramSandbox, type RunStatus } from './program-runner';
import type { IsolationLevel } from './sandbox-host';

/**
 * Escape attempts against the whole sandbox (OS limits, isolation level and the interpreter's
 * guards), at every isolation level a deployment on this machine would use. Each attempt must
 * end with a clear status and the test process (standing in for the worker) must carry on.
 * These programs run without the static checks, which would refuse most of them earlier.
 */

const LEVELS: IsolationLevel[] = process.getuid?.() === 0 ? ['namespaces', 'user'] : ['none'];
/** Long enough for a loaded machine to start an interpreter, short enough for a fast suite. */
const TIMEOUT_MS = 1_500;
const MAX_OUTPUT = 256 * 1024;
const SECRET = `ps-secret-${randomBytes(6).toString('hex')}`;
const OUTSIDE = `/tmp/ps-code-eval-escape-${randomBytes(6).toString('hex')}`;

let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  process.env.PS_CODE_EVAL_TEST_SECRET = SECRET;
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  delete process.env.PS_CODE_EVAL_TEST_SECRET;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The interpreter's module loader, found without importing anything. */
const LOADER = `imp = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'BuiltinImporter'][0]`;
/** The original __import__, taken out of the import gate's closure. */
const ORIGINAL_IMPORT = `real = [c.cell_contents for c in __import__.__closure__ if getattr(c.cell_contents, '__name__', '') == '__import__'][0]`;

type Check = (run: ProgramRun) => void;
/** Name, code, the status (or statuses) it must end with, and what else must hold. */
type Attempt = [string, string, RunStatus | RunStatus[], Check?];

const pythonAttempts: Attempt[] = [
  [
    'an infinite loop',
    'while True:\n    pass',
    'timeout',
    (r) => expect(r.durationMs).toBeLessThan(TIMEOUT_MS + 1_000),
  ],
  [
    'a fork bomb',
    'import os\nwhile True:\n    os.fork()',
    'violation',
    (r) => expect(r.message).toContain("import of 'os'"),
  ],
  [
    'a fork through the interpreter internals (no audit event)',
    `${LOADER}\nps = imp.load_module('_posixsubprocess')\nposix = imp.load_module('posix')\nr, w = posix.pipe()\nps.fork_exec([b'/bin/sh'], [b'/bin/sh'], True, (w,), None, None, -1, -1, -1, -1, -1, -1, r, w, True, False, -1, None, None, None, -1, None, False)\nprint('spawned')`,
    'error',
    (r) => {
      expect(r.stdout).not.toContain('spawned');
      expect(r.message).toMatch(/Resource temporarily unavailable|not a built-in module/);
    },
  ],
  [
    'a 10 GB allocation',
    'b = bytearray(10 * 1024 ** 3)',
    'memory_limit',
    (r) => expect(r.durationMs).toBeLessThan(TIMEOUT_MS),
  ],
  [
    'writing outside the scratch directory',
    `open('${OUTSIDE}', 'w').write('escaped')`,
    'violation',
    (r) => {
      expect(r.message).toContain(`writing ${OUTSIDE}`);
      expect(existsSync(OUTSIDE)).toBe(false);
    },
  ],
  [
    'writing in the scratch directory',
    "open('notes.txt', 'w').write('kept')\nprint(open('notes.txt').read())",
    'ok',
    (r) => expect(r.stdout).toBe('kept\n'),
  ],
  [
    'reading /etc/passwd',
    "print(open('/etc/passwd').read())",
    'violation',
    (r) => expect(r.message).toContain('reading /etc/passwd'),
  ],
  ['reading /proc/self/environ', "print(open('/proc/self/environ').read())", 'violation'],
  ['reading the environment', 'import os\nprint(dict(os.environ))', 'violation'],
  [
    'reading the environment through the import gate',
    `${ORIGINAL_IMPORT}\nos = real('os')\nprint(sorted(os.environ))`,
    'ok',
    (r) => {
      expect(r.stdout).not.toContain(SECRET);
      // Only the variable Python sets for itself (PEP 538 locale coercion) is there.
      expect(r.stdout.trim()).toMatch(/^\[('LC_CTYPE')?\]$/);
    },
  ],
  [
    'running a command through the import gate',
    `${ORIGINAL_IMPORT}\nos = real('os')\nos.system('id')`,
    'violation',
    (r) => expect(r.message).toContain('os.system'),
  ],
  [
    'a socket to 127.0.0.1',
    `import socket\nsocket.create_connection(('127.0.0.1', PORT), timeout=1)`,
    'violation',
  ],
  [
    'a socket through the interpreter internals',
    `${LOADER}\ns = imp.load_module('_socket').socket()\ns.connect(('127.0.0.1', PORT))\nprint('connected')`,
    ['violation', 'error'],
    (r) => expect(r.stdout).not.toContain('connected'),
  ],
  ['importing os', 'import os', 'violation'],
  ['importing subprocess', "import subprocess\nsubprocess.run(['id'])", 'violation'],
  ['importing ctypes', "import ctypes\nctypes.CDLL(None).system(b'id')", 'violation'],
  ['importing socket', 'import socket', 'violation'],
  ['__import__', "__import__('subprocess')", 'violation'],
  ['importlib', "import importlib\nimportlib.import_module('os')", 'violation'],
  ['importlib through __import__', "__import__('importlib').import_module('os')", 'violation'],
  ['builtins.__import__', "import builtins\nbuiltins.__import__('os')", 'violation'],
  ['__builtins__.__import__', "__builtins__.__import__('ctypes')", 'violation'],
  ['getattr on __builtins__', "getattr(__builtins__, '__import__')('socket')", 'violation'],
  [
    'a new module through the original import',
    `${ORIGINAL_IMPORT}\nreal('ctypes')`,
    'violation',
    (r) => expect(r.message).toContain("import of 'ctypes'"),
  ],
  [
    'frames of the bootstrap',
    'try:\n    1 / 0\nexcept Exception as e:\n    print(e.__traceback__.tb_frame.f_back.f_locals)',
    'error',
    (r) => expect(r.message).toContain('tb_frame is not available'),
  ],
  [
    'hand-made bytecode',
    "f = lambda: 0\ng = f.__code__.replace(co_code=b'')",
    'error',
    (r) => expect(r.message).toContain('__code__ is not available'),
  ],
  [
    'printing 100 MB',
    "for _ in range(100_000):\n    print('x' * 1000)",
    'output_limit',
    (r) => expect(r.stdout.length).toBe(MAX_OUTPUT),
  ],
  [
    'a syntax error',
    'def f(:\n    pass',
    'syntax_error',
    (r) => expect(r.message).toContain('line 1'),
  ],
  ['exit(0)', "print('bye')\nexit(0)", 'ok'],
  ['exit(3)', 'exit(3)', 'error', (r) => expect(r.message).toBe('It exited with status 3.')],
  [
    'an exception',
    "raise ValueError('nope')",
    'error',
    (r) => expect(r.message).toContain('ValueError: nope'),
  ],
];

const javascriptAttempts: Attempt[] = [
  ['an infinite loop', 'while (true) {}', 'timeout'],
  [
    'an endless promise chain',
    'const f = () => Promise.resolve().then(f); f();',
    ['timeout', 'memory_limit'],
  ],
  [
    'the host through the constructor chain',
    "this.constructor.constructor('return process')().exit(0)",
    'error',
    (r) => expect(r.message).toContain('process is not defined'),
  ],
  [
    'require',
    "require('child_process').execSync('id')",
    'error',
    (r) => expect(r.message).toContain('require is not defined'),
  ],
  ['a 10 GB allocation', 'new ArrayBuffer(10 * 2 ** 30)', 'memory_limit'],
  [
    'printing 100 MB',
    "for (let i = 0; i < 100000; i++) console.log('x'.repeat(1000));",
    'output_limit',
  ],
  ['a syntax error', 'function f( {', 'syntax_error'],
  [
    'an exception',
    "throw new TypeError('nope')",
    'error',
    (r) => expect(r.message).toContain('TypeError: nope'),
  ],
];

describe.each(LEVELS)('isolation level %s', (level) => {
  const sandbox = new ProgramSandbox({
    isolation: level,
    limits: { timeoutMs: TIMEOUT_MS, memoryMb: 128, maxOutputBytes: MAX_OUTPUT },
  });
  let available = true;

  beforeAll(async () => {
    // The interpreters are found once per sandbox; later runs start at once.
    try {
      await sandbox.isolation();
    } catch {
      available = false;
      return;
    }
    await sandbox.run({ runner: 'python', code: 'pass' });
    await sandbox.run({ runner: 'javascript', code: '1' });
  }, 30_000);

  const attempt = async (runner: Runner, row: Attempt) => {
    if (!available) return expect(level).toBe('namespaces');
    const [, code, statuses, check] = row;
    const run = await sandbox.run({ runner, code: code.replace(/PORT/g, String(port)) });
    const wanted = Array.isArray(statuses) ? statuses : [statuses];
    if (!wanted.includes(run.status)) {
      throw new Error(`expected ${wanted.join(' or ')}, got ${run.status}: ${run.message}`);
    }
    expect(run.isolation).toBe(level);
    check?.(run);
  };

  it.each(pythonAttempts.map((row) => ({ name: row[0], row })))(
    'Python: $name',
    async ({ row }) => {
      await attempt('python', row);
      expect(connections).toBe(0);
    },
  );

  it.each(javascriptAttempts.map((row) => ({ name: row[0], row })))(
    'JavaScript: $name',
    async ({ row }) => {
      await attempt('javascript', row);
    },
  );

  it('JavaScript: a growing heap stops at the heap limit', async () => {
    if (!available) return expect(level).toBe('namespaces');
    // V8 collects garbage hard before it gives up: a small heap and more time than the others.
    const small = new ProgramSandbox({
      isolation: level,
      limits: { timeoutMs: 5_000, memoryMb: 48 },
    });
    const run = await small.run({
      runner: 'javascript',
      code: 'const a = []; for (;;) a.push(new Array(1e6).fill(1.5));',
    });
    expect({ status: run.status, message: run.message }).toEqual({
      status: 'memory_limit',
      message: 'It needed more than 48 MB of memory.',
    });
  });

  it('still runs programs after every attempt, with tests and values read back', async () => {
    if (!available) return expect(level).toBe('namespaces');
    const python = await sandbox.run({
      runner: 'python',
      code: 'import math\ndef area(r):\n    return math.pi * r ** 2\nbest = area(2)\nprint(best)',
      tests: ['area(1)', 'area("x")', 'area('],
      names: ['best', 'missing'],
    });
    expect(python).toMatchObject({
      status: 'ok',
      tests: [
        { ok: true, value: Math.PI },
        { ok: false, error: expect.stringContaining('TypeError') },
        { ok: false, error: expect.stringContaining('does not parse') },
      ],
      values: { best: 4 * Math.PI },
    });
    expect(python.values).not.toHaveProperty('missing');
    const js = await sandbox.run({
      runner: 'javascript',
      code: 'function add(a, b) { return a + b; }\nconst total = add(2, 3);\nconsole.log(total);',
      tests: ['add(1, 1)', 'add([1], {a: 1})', 'nope()'],
      names: ['total', 'add'],
    });
    expect(js).toMatchObject({
      status: 'ok',
      stdout: '5\n',
      tests: [
        { ok: true, value: 2 },
        { ok: true, value: '1[object Object]' },
        { ok: false, error: 'ReferenceError: nope is not defined' },
      ],
      values: { total: 5, add: { __repr__: 'function' } },
    });
  });
});
