import { programSpecOf, withoutProgramKeys } from './program-spec';

describe('programSpecOf', () => {
  it('is none without a runner', () => {
    expect(programSpecOf({ prompt: 'x' }, { response: 'y' })).toEqual({ kind: 'none' });
  });

  it("reads the original docs' example (a runner in inputs and in expected_outputs)", () => {
    const result = programSpecOf(
      { prompt: 'Write a function add(a,b).', runner: 'python' },
      { runner: 'python' },
    );
    expect(result).toEqual({
      kind: 'program',
      spec: { runner: 'python', objective: null, constraints: [], tests: [], names: [] },
    });
  });

  it('leaves an input named runner that names no runner to the case', () => {
    expect(programSpecOf({ runner: 'Usain Bolt' }, { response: 'fast' })).toEqual({ kind: 'none' });
    expect(programSpecOf({ runner: 7 }, { response: 'fast' })).toEqual({ kind: 'none' });
    expect(programSpecOf({ runner: ['python'] }, {})).toEqual({ kind: 'none' });
  });

  it('takes the runner from inputs alone, case-insensitively', () => {
    const result = programSpecOf({ runner: 'JavaScript' }, {});
    expect(result).toMatchObject({ kind: 'program', spec: { runner: 'javascript' } });
  });

  it('reads the objective, constraints and tests, and the names scoring needs', () => {
    const result = programSpecOf(
      {},
      {
        runner: 'python',
        objective: 'minimize',
        metric_var: 'cost',
        target: 10,
        baseline: 100,
        constraints: ['len(route) == 5', 'cost >= 0 and budget > cost'],
        tests: [
          { call: 'solve([1, 2])', expect: 3 },
          { call: 'solve([])', expect: 0, tolerance: 0.01 },
        ],
        response: 'ignored by the program evaluator',
      },
    );
    if (result.kind !== 'program') throw new Error(JSON.stringify(result));
    expect(result.spec.objective).toEqual({
      direction: 'minimize',
      metricVar: 'cost',
      target: 10,
      baseline: 100,
    });
    expect(result.spec.constraints.map((c) => c.source)).toEqual([
      'len(route) == 5',
      'cost >= 0 and budget > cost',
    ]);
    expect(result.spec.tests).toEqual([
      { call: 'solve([1, 2])', expect: 3, tolerance: 1e-9 },
      { call: 'solve([])', expect: 0, tolerance: 0.01 },
    ]);
    expect(result.spec.names.sort()).toEqual(['budget', 'cost', 'route']);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['an unknown runner', {}, { runner: 'bash' }, ['expected_outputs.runner']],
    [
      'runners that disagree',
      { runner: 'python' },
      { runner: 'javascript' },
      ['expected_outputs.runner'],
    ],
    [
      'a bad objective',
      {},
      { runner: 'python', objective: 'best' },
      ['expected_outputs.objective'],
    ],
    [
      'a target without objective',
      {},
      { runner: 'python', target: 1 },
      ['expected_outputs.target'],
    ],
    [
      'a baseline without target',
      {},
      { runner: 'python', objective: 'maximize', baseline: 1 },
      ['expected_outputs.baseline'],
    ],
    [
      'a target on the wrong side of the baseline',
      {},
      { runner: 'python', objective: 'maximize', target: 1, baseline: 5 },
      ['expected_outputs.target'],
    ],
    [
      'a metric_var that is not a name',
      {},
      { runner: 'python', objective: 'maximize', metric_var: 'a.b' },
      ['expected_outputs.metric_var'],
    ],
    [
      'a constraint that does not parse',
      {},
      { runner: 'python', constraints: ['x > 1', 'import os'] },
      ['expected_outputs.constraints.1'],
    ],
    [
      'a test without call',
      {},
      { runner: 'python', tests: [{ expect: 1 }] },
      ['expected_outputs.tests.0.call'],
    ],
    [
      'a test with an unknown field',
      {},
      { runner: 'python', tests: [{ call: 'f()', expect: 1, when: 'now' }] },
      ['expected_outputs.tests.0'],
    ],
  ])('refuses %s, naming the field', (_name, inputs, expected, fields) => {
    const result = programSpecOf(inputs, expected);
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.errors.map((e) => e.field)).toEqual(fields);
  });

  it('leaves the other metrics the rest of expected_outputs', () => {
    expect(withoutProgramKeys({ runner: 'python', tests: [], response: 'x', label: 'y' })).toEqual({
      response: 'x',
      label: 'y',
    });
  });
});
