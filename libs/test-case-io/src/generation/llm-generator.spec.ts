import type { SignatureFieldSpec } from '@ps/common';
import type { ChatPort, ChatRequest } from '@ps/evaluation';
import { normalisedKey } from './case-dedupe';
import type { ExistingCase, GenerationRequest } from './generation-types';
import { checkValues } from './input-fields';
import { generateWithModel } from './llm-generator';

const FIELDS: SignatureFieldSpec[] = [
  { name: 'review', type: 'string', required: true, description: 'A product review.' },
  { name: 'stars', type: 'integer', required: true },
];
const OUTPUTS: SignatureFieldSpec[] = [{ name: 'sentiment', type: 'string', required: true }];
const MODEL = { provider: 'scripted', model: 'cases' };

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    strategy: 'diverse',
    numCases: 25,
    inputFields: FIELDS,
    outputFields: OUTPUTS,
    withExpected: false,
    existing: [],
    seed: 1,
    task: { instruction: 'Classify the sentiment of a review.' },
    ...overrides,
  };
}

/** A model answering each call with the next scripted text (the last one repeats). */
function scripted(answers: ((req: ChatRequest, call: number) => string)[]) {
  const calls: ChatRequest[] = [];
  const chat: ChatPort = (req) => {
    calls.push(req);
    const answer = answers[Math.min(calls.length, answers.length) - 1](req, calls.length);
    return Promise.resolve({
      text: answer,
      usage: { input: 100, output: 50 },
      cost: 0.01,
      listCost: 0.01,
      latencyMs: 1,
      cached: false,
    });
  };
  return { chat, calls };
}

const lastUser = (req: ChatRequest) => req.messages[req.messages.length - 1].content;
const asked = (req: ChatRequest) =>
  Number(/Write exactly (\d+) new case/.exec(req.messages[1].content)?.[1]);

/** A well-behaved model: `asked` new cases numbered from a counter. */
function goodModel(start = 0) {
  let next = start;
  return (req: ChatRequest) =>
    JSON.stringify({
      cases: Array.from({ length: asked(req) }, () => {
        const n = next++;
        return {
          name: `Review ${n}`,
          category: n % 2 ? 'edge' : 'typical',
          inputs: { review: `Review number ${n} about a kettle`, stars: (n % 5) + 1 },
          expected_outputs: { sentiment: n % 2 ? 'negative' : 'positive' },
        };
      }),
    });
}

describe('generateWithModel', () => {
  it('asks in batches of at most 10 and returns exactly the number requested', async () => {
    const model = scripted([goodModel()]);
    const outcome = await generateWithModel(request(), { chat: model.chat, model: MODEL });
    expect(outcome.cases).toHaveLength(25);
    expect(model.calls.map(asked)).toEqual([10, 10, 5]);
    expect(outcome).toMatchObject({
      generator: 'llm',
      calls: 3,
      maxCalls: 6,
      stopped: 'done',
      tokens: { input: 300, output: 150 },
      rejected: { invalid_answers: 0, invalid_cases: 0, duplicates: 0 },
    });
    expect(outcome.cost).toBeCloseTo(0.03);
    // Expected outputs were not asked for, so none are kept.
    expect(outcome.cases.every((c) => c.expectedOutputs === null)).toBe(true);
    // Calls are told apart in the cache, and later asks list what is already covered.
    expect(new Set(model.calls.map((c) => c.cacheSalt)).size).toBe(3);
    expect(model.calls[0].role).toBe('proposer');
    expect(model.calls[1].messages[1].content).toContain('Review number 9 about a kettle');
  });

  it('describes the task, the fields and the strategy to the model', async () => {
    const model = scripted([goodModel()]);
    await generateWithModel(
      request({
        strategy: 'from_description',
        description: 'Reviews of kitchen appliances written by angry customers.',
        withExpected: true,
        numCases: 3,
      }),
      { chat: model.chat, model: MODEL },
    );
    const [system, user] = model.calls[0].messages;
    expect(system.role).toBe('system');
    expect(system.content).toContain('{"cases": [');
    expect(user.content).toContain('Instruction: Classify the sentiment of a review.');
    expect(user.content).toContain('- review (string, required): A product review.');
    expect(user.content).toContain('- stars (integer, required)');
    expect(user.content).toContain('- sentiment (string, required)');
    expect(user.content).toContain(
      'Description:\nReviews of kitchen appliances written by angry customers.',
    );
    expect(user.content).toContain('Write exactly 3 new cases');
  });

  it('shows golden examples first for from_examples', async () => {
    const existing: ExistingCase[] = [
      {
        name: 'g',
        inputs: { review: 'Golden one', stars: 5 },
        expectedOutputs: { sentiment: 'positive' },
        isGolden: true,
      },
      {
        name: 'o',
        inputs: { review: 'Other one', stars: 1 },
        expectedOutputs: {},
        isGolden: false,
      },
    ];
    const model = scripted([goodModel()]);
    await generateWithModel(
      request({ strategy: 'from_examples', existing, numCases: 2, withExpected: true }),
      {
        chat: model.chat,
        model: MODEL,
      },
    );
    const user = model.calls[0].messages[1].content;
    const examples = user.slice(user.indexOf('## Examples'));
    expect(examples.indexOf('Golden one')).toBeLessThan(examples.indexOf('Other one'));
    expect(examples).toContain('"expected_outputs":{"sentiment":"positive"}');
  });

  it('asks again after garbage and after wrong fields, telling the model what was wrong, and keeps nothing broken', async () => {
    const model = scripted([
      () => 'Sure! Here are your test cases: 1) a good review 2) a bad review',
      () =>
        JSON.stringify({
          cases: [
            { inputs: { text: 'wrong field', stars: 2 } },
            { inputs: { review: 'x', stars: 'two' } },
          ],
        }),
      goodModel(),
    ]);
    const outcome = await generateWithModel(request({ numCases: 5 }), {
      chat: model.chat,
      model: MODEL,
    });
    expect(outcome.cases).toHaveLength(5);
    for (const c of outcome.cases) expect(checkValues(FIELDS, c.inputs, 'inputs')).toEqual([]);
    expect(outcome.rejected).toEqual({ invalid_answers: 1, invalid_cases: 2, duplicates: 0 });
    expect(outcome.calls).toBe(3);
    // The second call shows the first answer back with the reason.
    const second = model.calls[1].messages;
    expect(second.at(-2)).toEqual({
      role: 'assistant',
      content: expect.stringContaining('Here are your test cases'),
    });
    expect(lastUser(model.calls[1])).toContain('The answer is not JSON.');
    expect(lastUser(model.calls[2])).toContain('cases[0].inputs.text: text is not a field');
    expect(lastUser(model.calls[2])).toContain('cases[1].inputs.stars: stars must be integer.');
    expect(outcome.problems[0]).toBe('call 1: The answer is not JSON.');
  });

  it('stops at the call budget when the model never answers usably, with nothing kept', async () => {
    const model = scripted([() => 'I cannot help with that.']);
    const outcome = await generateWithModel(request({ numCases: 15 }), {
      chat: model.chat,
      model: MODEL,
    });
    expect(model.calls).toHaveLength(5); // ceil(15 / 10) + 3
    expect(outcome).toMatchObject({ cases: [], calls: 5, maxCalls: 5, stopped: 'budget' });
    expect(outcome.rejected.invalid_answers).toBe(5);
    expect(outcome.problems).toHaveLength(5);
  });

  it('drops near-duplicates of existing cases and of its own, then asks for more', async () => {
    const existing: ExistingCase[] = [
      {
        name: 'e',
        inputs: { review: 'Review number 0 about a kettle', stars: 1 },
        expectedOutputs: {},
        isGolden: false,
      },
    ];
    const model = scripted([
      // The existing case (in other letter case), the same new case twice, then a fresh one.
      () =>
        JSON.stringify({
          cases: [
            { inputs: { review: 'REVIEW NUMBER 0 ABOUT A KETTLE', stars: 1 } },
            { inputs: { review: 'Fresh', stars: 2 } },
            { inputs: { review: 'fresh.', stars: 2 } },
          ],
        }),
      goodModel(100),
    ]);
    const outcome = await generateWithModel(request({ numCases: 4, existing }), {
      chat: model.chat,
      model: MODEL,
    });
    expect(outcome.cases).toHaveLength(4);
    expect(outcome.rejected.duplicates).toBe(2);
    expect(new Set(outcome.cases.map((c) => normalisedKey(c.inputs))).size).toBe(4);
    expect(model.calls.map(asked)).toEqual([4, 3]);
    expect(model.calls[0].messages[1].content).toContain('## Already covered');
  });

  it('keeps only as many as requested when the model gives more', async () => {
    const model = scripted([
      (req) =>
        goodModel()({
          ...req,
          messages: [req.messages[0], { role: 'user', content: 'Write exactly 10 new cases' }],
        }),
    ]);
    const outcome = await generateWithModel(request({ numCases: 3 }), {
      chat: model.chat,
      model: MODEL,
    });
    expect(outcome.cases).toHaveLength(3);
    expect(outcome.calls).toBe(1);
  });

  it('stops when cancelled, between calls', async () => {
    const controller = new AbortController();
    const model = scripted([
      (req) => {
        controller.abort();
        return goodModel()(req);
      },
    ]);
    const outcome = await generateWithModel(request({ numCases: 30 }), {
      chat: model.chat,
      model: MODEL,
      signal: controller.signal,
    });
    expect(model.calls).toHaveLength(1);
    expect(outcome.stopped).toBe('cancelled');
  });

  it('lets errors of the LLM layer through', async () => {
    const chat: ChatPort = () => Promise.reject(new Error('upstream down'));
    await expect(generateWithModel(request(), { chat, model: MODEL })).rejects.toThrow(
      'upstream down',
    );
  });
});
