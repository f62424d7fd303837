import { ProgramEvaluator } from '@ps/code-eval';
import { runCase } from './case-runner';
import { runEvaluation } from './evaluation-runner';
import type { ChatPort, CodePort, EngineCase, PromptUnderTest } from './ports';
import { parseScoringPlan, scoringPlanOf } from './scoring-plan';

/**
 * Test cases marked `runner: python|javascript` through the engine: the program evaluator (the
 * real sandbox of libs/code-eval) when the code port is enabled, the heuristic text reward when
 * it is not, and the other metrics on what else the case expects.
 */

const fence = '```';
const prompt: PromptUnderTest = {
  systemPrompt: null,
  userPrompt: '{prompt}',
  fewShotExamples: [],
  model: { provider: 'memory', model: 'coder' },
};

/** A model that answers with the code the case's prompt names after "CODE:". */
const coder: ChatPort = (request) => {
  const user = request.messages[request.messages.length - 1].content;
  const code = user.split('CODE:')[1] ?? '';
  return Promise.resolve({
    text: `Here is the program:\n${fence}python\n${code.trim()}\n${fence}`,
    usage: { input: 5, output: 5 },
    cost: 0,
    listCost: 0,
    latencyMs: 1,
    cached: false,
  });
};

const evaluator = new ProgramEvaluator({ limits: { timeoutMs: 3_000 } });
const enabled: CodePort = {
  enabled: true,
  runProgram: (answer, spec, signal) => evaluator.evaluate(answer, spec, signal),
};
const disabled: CodePort = { enabled: false, reason: 'Code evaluation is off (for this test).' };

const ADD = 'def add(a, b):\n    return a + b';
const addCase = (code: string, extra: Record<string, unknown> = {}): EngineCase => ({
  id: '1',
  inputs: { prompt: `Write a function add(a,b). CODE: ${code}`, runner: 'python' },
  expected: {
    runner: 'python',
    tests: [
      { call: 'add(2, 3)', expect: 5 },
      { call: 'add(-1, 1)', expect: 0 },
    ],
    ...extra,
  },
});

const run = (testCase: EngineCase, metrics: unknown[], code?: CodePort) =>
  runCase({
    prompt,
    testCase,
    plan: scoringPlanOf({ metrics }),
    ports: { chat: coder, ...(code ? { code } : {}) },
    outputFields: [],
  });

describe('program cases in the engine', () => {
  it('scores a runner case by running its program when code evaluation is enabled', async () => {
    const result = await run(addCase(ADD), [{ name: 'exact_match' }], enabled);
    expect(result).toMatchObject({
      status: 'ok',
      scores: { exact_match: null, program: 1 },
      notScored: ['exact_match'],
      score: 1,
      passed: true,
    });
    expect(result.details.program).toMatchObject({
      code_eval: 'enabled',
      outcome: 'ok',
      reward: 10,
      tests: { passed: 2, total: 2 },
    });
    expect(result.feedback).toContain('program: 1.00 (reward 10.00: It ran; 2/2 tests passed.)');
  });

  it('scores a failing program low, with the reason', async () => {
    const result = await run(
      addCase('def add(a, b):\n    return a - b'),
      [{ name: 'exact_match' }],
      enabled,
    );
    // add(-1, 1) = -2 fails, add(2, 3) = -1 fails: reward 1, score 0.1.
    expect(result.scores.program).toBeCloseTo(0.1, 12);
    expect(result.passed).toBe(false);
    const escape = await run(
      addCase("import os\nos.system('id')"),
      [{ name: 'exact_match' }],
      enabled,
    );
    expect(escape.scores.program).toBe(0);
    expect(escape.details.program).toMatchObject({ outcome: 'refused', reward: -1 });
  });

  it('uses the heuristic text reward when code evaluation is off, and says so', async () => {
    const result = await run(addCase(ADD), [{ name: 'exact_match' }], disabled);
    expect(result.scores.program).toBe(1);
    expect(result.details.program).toEqual({
      code_eval: 'disabled',
      reason: 'Code evaluation is off (for this test).',
      runner: 'python',
      heuristic: true,
      reward: 10,
      score: 1,
      checks: {
        code_found: true,
        static_checks: true,
        balanced: true,
        names_defined: { defined: ['add'], missing: [] },
      },
    });
    expect(result.feedback).toContain('heuristic, the code was not run');
    const absent = await run(addCase(ADD), [{ name: 'exact_match' }]);
    expect(absent.details.program).toMatchObject({
      code_eval: 'disabled',
      reason:
        'Programs are not run in this kind of run: only evaluations run by a worker run them.',
    });
  });

  it('lets the other metrics compare what else the case expects', async () => {
    const result = await run(
      addCase(ADD, { response: 'Here is the program' }),
      [{ name: 'contains' }],
      enabled,
    );
    expect(result.scores).toEqual({ contains: 1, program: 1 });
    expect(result.score).toBe(1);
  });

  it('weighs program as listed, and does not score it on a case without a runner', async () => {
    const weighted = await run(
      addCase('def add(a, b):\n    return a - b', { response: 'Here is the program' }),
      [
        { name: 'contains', weight: 1 },
        { name: 'program', weight: 3 },
      ],
      enabled,
    );
    expect(weighted.score).toBeCloseTo((1 * 1 + 3 * 0.1) / 4, 12);
    const plain = await run(
      { id: '2', inputs: { prompt: 'Say hi. CODE: print(1)' }, expected: { response: 'program' } },
      [{ name: 'contains' }, { name: 'program' }],
      enabled,
    );
    expect(plain.scores).toEqual({ contains: 1, program: null });
    expect(plain.notScored).toEqual(['program']);
    expect(plain.details.program).toEqual({
      not_scored: 'The test case is not marked with a runner (runner: python or javascript).',
    });
  });

  it('does not score a case whose program fields are invalid, naming the field', async () => {
    const result = await run(
      addCase(ADD, { constraints: ['x >'] }),
      [{ name: 'exact_match' }],
      enabled,
    );
    expect(result.scores.program).toBeNull();
    expect(result.details.program).toMatchObject({
      errors: [
        { field: 'expected_outputs.constraints.0', message: 'unexpected end of expression' },
      ],
    });
  });

  it('counts a sandbox that cannot run programs as an infrastructure error', async () => {
    const broken = new ProgramEvaluator({ limits: { memoryMb: 4, timeoutMs: 3_000 } });
    const result = await run(addCase(ADD), [{ name: 'exact_match' }], {
      enabled: true,
      runProgram: (answer, spec) => broken.evaluate(answer, spec),
    });
    expect(result.status).toBe('infra_error');
    expect(result.error).toContain('program evaluation: No Python interpreter runs in the sandbox');
    expect(result.score).toBeNull();
  });

  it('summarises program scores over a run', async () => {
    const outcome = await runEvaluation({
      prompt,
      cases: [addCase(ADD), { ...addCase('def add(a, b):\n    return a - b'), id: '2' }],
      plan: scoringPlanOf({ metrics: [{ name: 'exact_match' }] }),
      ports: { chat: coder, code: enabled },
      outputFields: [],
      concurrency: 2,
    });
    expect(outcome.summary?.metrics.program).toMatchObject({ count: 2, max: 1 });
    expect(outcome.summary?.metrics.program.mean).toBeCloseTo((1 + 0.1) / 2, 12);
    expect(outcome.summary?.pass_rate).toBe(0.5);
  });
});

describe('the program metric in a scoring plan', () => {
  it('is in every plan: weight 1 unless listed', () => {
    const plain = scoringPlanOf({ metrics: [{ name: 'exact_match' }] });
    expect(plain.program).toMatchObject({ key: 'program', weight: 1 });
    expect(plain.perCase.map((m) => m.key)).toEqual(['exact_match']);
    const listed = scoringPlanOf({ metrics: [{ name: 'program', weight: 0.5 }] });
    expect(listed.program).toMatchObject({ key: 'program', weight: 0.5 });
    expect(listed.perCase).toEqual([]);
  });

  it('refuses a field on program, naming it', () => {
    expect(parseScoringPlan({ metrics: [{ name: 'program', field: 'code' }] })).toEqual({
      ok: false,
      errors: [
        {
          field: 'metrics.0.field',
          message: 'program scores the whole answer; it reads no field.',
        },
      ],
    });
  });
});
