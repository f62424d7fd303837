import { ProgramEvaluator } from './program-evaluator';
import { SandboxUnavailableError } from './program-runner';
import { type ProgramSpec, programSpecOf } from './program-spec';

const fence = '```';
const py = (code: string) => `Here you go:\n${fence}python\n${code}\n${fence}\n`;
const js = (code: string) => `${fence}javascript\n${code}\n${fence}`;

function specOf(expected: Record<string, unknown>): ProgramSpec {
  const result = programSpecOf({}, expected);
  if (result.kind !== 'program') throw new Error(JSON.stringify(result));
  return result.spec;
}

const ADD_TESTS = {
  runner: 'python',
  tests: [
    { call: 'add(2, 2)', expect: 4 },
    { call: 'add(2, 3)', expect: 5 },
  ],
};

describe('ProgramEvaluator: correct programs score as documented', () => {
  const evaluator = new ProgramEvaluator({ limits: { timeoutMs: 3_000 } });

  it.each<[string, Record<string, unknown>, string, number]>([
    ['function tests all passing', ADD_TESTS, py('def add(a, b):\n    return a + b'), 10],
    ['function tests half failing', ADD_TESTS, py('def add(a, b):\n    return a * b'), 1 + 9 * 0.5],
    [
      'function tests all failing (the function is missing)',
      ADD_TESTS,
      py('def plus(a, b):\n    return a + b'),
      1,
    ],
    [
      'maximize a variable between baseline and target',
      { runner: 'python', objective: 'maximize', metric_var: 'best', target: 10, baseline: 0 },
      py('best = max([2.5, 7.5, 1.0])'),
      1 + 9 * 0.75,
    ],
    [
      'minimize the last number printed between baseline and target',
      { runner: 'python', objective: 'minimize', target: 0, baseline: 100 },
      py('costs = [40, 25, 60]\nprint("cost:", min(costs))'),
      1 + 9 * 0.75,
    ],
    [
      'maximize, target met',
      { runner: 'python', objective: 'maximize', metric_var: 'score', target: 0.9 },
      py('import statistics\nscore = statistics.mean([0.9, 1.0])'),
      10,
    ],
    [
      'maximize, target missed',
      { runner: 'python', objective: 'maximize', metric_var: 'score', target: 0.9 },
      py('score = 0.5'),
      1,
    ],
    [
      'minimize, target met',
      { runner: 'python', objective: 'minimize', target: 3 },
      py('print(1 + 1)'),
      10,
    ],
    [
      'constraints all true',
      { runner: 'python', constraints: ['x + y == 25', 'x < y', 'len(path) == 3'] },
      py('x = 5\ny = 20\npath = ["a", "b", "c"]'),
      10,
    ],
    [
      'one constraint of two false',
      { runner: 'python', constraints: ['x + y == 25', 'y < x'] },
      py('x = 5\ny = 20'),
      1 + 9 * 0.5,
    ],
    [
      'tests, constraints and objective together',
      {
        runner: 'python',
        objective: 'maximize',
        metric_var: 'total',
        target: 10,
        constraints: ['total >= 0', 'total > 100'],
        tests: [{ call: 'double(4)', expect: 8 }],
      },
      py('def double(n):\n    return 2 * n\ntotal = double(5)'),
      1 + 9 * ((1 + 0.5 + 1) / 3),
    ],
    ['nothing asked but running', { runner: 'python' }, py('print("hello")'), 10],
    ['an exception', ADD_TESTS, py('def add(a, b):\n    return a + b\nraise RuntimeError("x")'), 0],
    ['a syntax error', ADD_TESTS, py('def add(a, b)\n    return a + b'), -1],
    ['no code at all', ADD_TESTS, 'The sum of a and b is a + b.', -1],
    [
      'a forbidden import, refused before running',
      ADD_TESTS,
      py('import os\ndef add(a, b):\n    return a + b'),
      -1,
    ],
    [
      'JavaScript function tests',
      {
        runner: 'javascript',
        tests: [
          { call: 'add(2, 3)', expect: 5 },
          { call: 'add(-1, 1)', expect: 0 },
        ],
      },
      js('function add(a, b) {\n  return a + b;\n}'),
      10,
    ],
    [
      'JavaScript, maximize a constant between baseline and target',
      { runner: 'javascript', objective: 'maximize', metric_var: 'best', target: 4, baseline: 2 },
      js('const best = Math.max(1, 3);'),
      1 + 9 * 0.5,
    ],
  ])('%s', async (_name, expected, answer, reward) => {
    const result = await evaluator.evaluate(answer, specOf(expected));
    expect(result.reward).toBeCloseTo(reward, 10);
    expect(result.score).toBeCloseTo(Math.min(1, Math.max(0, reward / 10)), 10);
    expect(result.details).toMatchObject({ code_eval: 'enabled', reward: result.reward });
  });

  it('explains the result for people and proposers', async () => {
    const result = await evaluator.evaluate(
      py('def add(a, b):\n    return a * b'),
      specOf(ADD_TESTS),
    );
    expect(result.outcome).toBe('ok');
    expect(result.message).toBe('It ran; 1/2 tests passed.');
    expect(result.details).toMatchObject({
      runner: 'python',
      code: { source: 'fenced', language: 'python' },
      tests: {
        passed: 1,
        total: 2,
        results: [
          { call: 'add(2, 2)', passed: true, got: 4 },
          { call: 'add(2, 3)', passed: false, got: 6 },
        ],
      },
    });
  });

  it('refuses a forbidden import without starting a process', async () => {
    const result = await evaluator.evaluate(py('import socket'), specOf(ADD_TESTS));
    expect(result).toMatchObject({
      outcome: 'refused',
      reward: -1,
      message: "Refused before running: import of 'socket' is not allowed (line 1).",
    });
    expect(result.details).not.toHaveProperty('duration_ms');
  });
});

describe('ProgramEvaluator: limits of its own', () => {
  it('runs at most `concurrency` programs at once', async () => {
    const evaluator = new ProgramEvaluator({ concurrency: 1, limits: { timeoutMs: 3_000 } });
    const spec = specOf({ runner: 'python' });
    await evaluator.evaluate(py('pass'), spec);
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, evaluator.load.running)), 2);
    const results = await Promise.all(
      [1, 2, 3].map(() => evaluator.evaluate(py('x = sum(range(200000))'), spec)),
    );
    clearInterval(watch);
    expect(results.map((r) => r.reward)).toEqual([10, 10, 10]);
    expect(peak).toBe(1);
    expect(evaluator.load).toEqual({ running: 0, queued: 0 });
  });

  it('says when programs cannot run here at all (not the answer’s fault)', async () => {
    // 4 MB of address space: no interpreter can even start.
    const evaluator = new ProgramEvaluator({ limits: { memoryMb: 4, timeoutMs: 3_000 } });
    await expect(evaluator.evaluate(py('print(1)'), specOf({ runner: 'python' }))).rejects.toThrow(
      SandboxUnavailableError,
    );
  });
});
