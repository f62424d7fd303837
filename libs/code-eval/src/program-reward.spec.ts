import {
  decodeValue,
  failureReward,
  lastNumber,
  matches,
  rewardParts,
  scoreOfReward,
  successReward,
} from './program-reward';
import type { ProgramRun } from './program-runner';
import { type ProgramSpec, programSpecOf } from './program-spec';

function specOf(expected: Record<string, unknown>): ProgramSpec {
  const result = programSpecOf({}, { runner: 'python', ...expected });
  if (result.kind !== 'program') throw new Error(JSON.stringify(result));
  return result.spec;
}

function run(partial: Partial<ProgramRun>): ProgramRun {
  return {
    status: 'ok',
    message: '',
    stdout: '',
    stderr: '',
    tests: [],
    values: {},
    durationMs: 1,
    isolation: 'none',
    ...partial,
  };
}

describe('the reward mapping', () => {
  it.each([
    ['no_code', -1],
    ['refused', -1],
    ['syntax_error', -1],
    ['violation', -1],
    ['error', 0],
    ['timeout', 0],
    ['memory_limit', 0],
    ['output_limit', 0],
  ] as const)('%s earns %d', (outcome, reward) => {
    expect(failureReward(outcome)).toBe(reward);
    expect(scoreOfReward(failureReward(outcome))).toBe(0);
  });

  it.each([
    [0, 1, 0.1],
    [0.5, 5.5, 0.55],
    [1, 10, 1],
  ])('a finished run of quality %d earns %d, score %d', (quality, reward, score) => {
    expect(successReward(quality)).toBeCloseTo(reward, 12);
    expect(scoreOfReward(successReward(quality))).toBeCloseTo(score, 12);
  });
});

describe('rewardParts', () => {
  it('is 1 when the case asks for nothing but running', () => {
    expect(rewardParts(specOf({}), run({}))).toEqual({ quality: 1 });
  });

  it.each<[string, Record<string, unknown>, Partial<ProgramRun>, number]>([
    [
      'maximize, target reached',
      { objective: 'maximize', target: 10 },
      { stdout: 'best: 12\n' },
      1,
    ],
    ['maximize, target missed', { objective: 'maximize', target: 10 }, { stdout: '9.5' }, 0],
    ['minimize, target reached', { objective: 'minimize', target: 10 }, { stdout: '3' }, 1],
    ['minimize, target missed', { objective: 'minimize', target: 10 }, { stdout: '11' }, 0],
    [
      'maximize between baseline and target',
      { objective: 'maximize', metric_var: 'v', target: 10, baseline: 0 },
      { values: { v: 2.5 } },
      0.25,
    ],
    [
      'minimize between baseline and target',
      { objective: 'minimize', metric_var: 'v', target: 0, baseline: 100 },
      { values: { v: 25 } },
      0.75,
    ],
    [
      'beyond the target counts as the target',
      { objective: 'minimize', metric_var: 'v', target: 10, baseline: 100 },
      { values: { v: -5 } },
      1,
    ],
    [
      'worse than the baseline earns nothing',
      { objective: 'maximize', metric_var: 'v', target: 10, baseline: 5 },
      { values: { v: 1 } },
      0,
    ],
    [
      'an objective without bounds needs a number',
      { objective: 'maximize' },
      { stdout: 'x = 3' },
      1,
    ],
    ['no number printed', { objective: 'maximize' }, { stdout: 'nothing' }, 0],
    [
      'a metric variable the program did not define',
      { objective: 'maximize', metric_var: 'v', target: 1 },
      { values: {} },
      0,
    ],
    [
      'NaN is no value',
      { objective: 'maximize', metric_var: 'v' },
      { values: { v: { __float__: 'nan' } } },
      0,
    ],
    ['constraints all true', { constraints: ['x > 0', 'x < 10'] }, { values: { x: 5 } }, 1],
    [
      'one constraint of two false',
      { constraints: ['x > 0', 'x > 10'] },
      { values: { x: 5 } },
      0.5,
    ],
    [
      'a constraint on a missing value is false',
      { constraints: ['y > 0'] },
      { values: { x: 5 } },
      0,
    ],
    [
      'tests all passing',
      {
        tests: [
          { call: 'f(1)', expect: 2 },
          { call: 'f(2)', expect: [1, { a: 2 }] },
        ],
      },
      {
        tests: [
          { ok: true, value: 2 },
          { ok: true, value: [1, { a: 2 }] },
        ],
      },
      1,
    ],
    [
      'one test of four failing',
      {
        tests: [
          { call: 'f(1)', expect: 2 },
          { call: 'f(2)', expect: 3 },
          { call: 'f(3)', expect: 4 },
          { call: 'f(4)', expect: 5 },
        ],
      },
      {
        tests: [
          { ok: true, value: 2 },
          { ok: true, value: 3 },
          { ok: false, error: 'TypeError: nope' },
          { ok: true, value: 5 },
        ],
      },
      0.75,
    ],
    [
      'numbers within the tolerance',
      { tests: [{ call: 'f()', expect: 0.3 }] },
      { tests: [{ ok: true, value: 0.1 + 0.2 }] },
      1,
    ],
    [
      'the mean of tests, constraints and objective',
      {
        objective: 'maximize',
        target: 10,
        constraints: ['x > 0', 'x > 100'],
        tests: [{ call: 'f()', expect: 1 }],
      },
      { stdout: '10', values: { x: 5 }, tests: [{ ok: true, value: 1 }] },
      (1 + 0.5 + 1) / 3,
    ],
  ])('%s', (_name, expected, partial, quality) => {
    expect(rewardParts(specOf(expected), run(partial)).quality).toBeCloseTo(quality, 12);
  });

  it('explains each part', () => {
    const parts = rewardParts(
      specOf({
        objective: 'minimize',
        metric_var: 'cost',
        target: 1,
        constraints: ['cost > 0', 'missing'],
        tests: [{ call: 'f()', expect: 1 }],
      }),
      run({ values: { cost: 2 }, tests: [{ ok: false, error: 'NameError: f' }] }),
    );
    expect(parts).toEqual({
      quality: (0 + 0.5 + 0) / 3,
      tests: {
        passed: 0,
        total: 1,
        results: [{ call: 'f()', passed: false, error: 'NameError: f' }],
      },
      constraints: {
        satisfied: 1,
        total: 2,
        results: [
          { constraint: 'cost > 0', satisfied: true },
          {
            constraint: 'missing',
            satisfied: false,
            error: "the program defines no value 'missing'",
          },
        ],
      },
      objective: { direction: 'minimize', value: 2, source: 'cost', credit: 0 },
    });
  });
});

describe('helpers', () => {
  it('finds the last number printed', () => {
    expect(lastNumber('step 1: 3.5\nstep 2: -2e3\ndone')).toBe(-2000);
    expect(lastNumber('no numbers')).toBeNull();
  });

  it('decodes non-finite numbers', () => {
    expect(
      decodeValue([{ __float__: 'inf' }, { __float__: '-inf' }, { a: { __float__: 'nan' } }]),
    ).toEqual([Infinity, -Infinity, { a: NaN }]);
  });

  it('compares deeply, with a relative tolerance for numbers', () => {
    expect(matches([1, { a: 'x' }], [1, { a: 'x' }], 0)).toBe(true);
    expect(matches({ a: 1, b: 2 }, { a: 1 }, 0)).toBe(false);
    expect(matches(1000.0001, 1000, 1e-6)).toBe(true);
    expect(matches(1000.01, 1000, 1e-6)).toBe(false);
    expect(matches('1', 1, 0)).toBe(false);
    expect(matches(NaN, NaN, 0)).toBe(false);
  });
});
