import type { SignatureFieldSpec } from '@ps/common';
import { parseGenerationAnswer, readGeneratedCase } from './generation-response';

const INPUTS: SignatureFieldSpec[] = [
  { name: 'question', type: 'string', required: true },
  { name: 'top_k', type: 'integer', required: false },
];
const OUTPUTS: SignatureFieldSpec[] = [{ name: 'answer', type: 'string', required: true }];
const plain = { inputFields: INPUTS, outputFields: OUTPUTS, withExpected: false };
const withExpected = { ...plain, withExpected: true };

describe('parseGenerationAnswer', () => {
  const cases = [{ inputs: { question: 'Why?' } }];

  it.each([
    ['a bare object', JSON.stringify({ cases })],
    [
      'a fenced block amid prose',
      `Here you go:\n\`\`\`json\n${JSON.stringify({ cases })}\n\`\`\`\nEnjoy.`,
    ],
    ['an object amid prose', `Sure! ${JSON.stringify({ cases })} Hope it helps.`],
    ['a bare array', JSON.stringify(cases)],
    ['one case alone', JSON.stringify(cases[0])],
  ])('reads %s', (_what, text) => {
    expect(parseGenerationAnswer(text)).toEqual({ ok: true, cases });
  });

  it('says when the answer is not JSON at all', () => {
    expect(parseGenerationAnswer('Sure, here are some test cases: 1. Why? 2. How?')).toEqual({
      ok: false,
      problem: 'The answer is not JSON.',
    });
  });

  it('says when the JSON holds no list of cases', () => {
    expect(parseGenerationAnswer('{"tests": [{"q": 1}]}')).toEqual({
      ok: false,
      problem: 'The answer has no "cases" list.',
    });
  });
});

describe('readGeneratedCase', () => {
  it('keeps a valid case with its title, description and category', () => {
    const read = readGeneratedCase(
      {
        name: '  Empty   question ',
        category: 'edge',
        description: 'Checks the empty string.',
        inputs: { question: '', top_k: 3 },
        expected_outputs: { answer: 'ignored when not asked' },
      },
      plain,
      'cases[0]',
    );
    expect(read).toEqual({
      ok: true,
      case: {
        title: 'Empty question',
        description: 'Checks the empty string.',
        category: 'edge',
        inputs: { question: '', top_k: 3 },
        expectedOutputs: null,
      },
    });
  });

  it('gives an unknown category and a missing name defaults', () => {
    const read = readGeneratedCase({ category: 'weird', inputs: { question: 'x' } }, plain, 'c');
    expect(read).toMatchObject({ ok: true, case: { title: 'typical case', category: 'typical' } });
  });

  it.each([
    ['not an object', 'text', 'c is not an object.'],
    ['no inputs', { name: 'x' }, 'c.inputs is missing or not an object.'],
    ['inputs as an array', { inputs: ['Why?'] }, 'c.inputs is missing or not an object.'],
    [
      'a missing required field',
      { inputs: { top_k: 1 } },
      'c.inputs.question: question is required.',
    ],
    [
      'a wrong type',
      { inputs: { question: 'q', top_k: '3' } },
      'c.inputs.top_k: top_k must be integer.',
    ],
    [
      'a fraction for an integer',
      { inputs: { question: 'q', top_k: 1.5 } },
      'c.inputs.top_k: top_k must be integer.',
    ],
    [
      'a field the schema does not have',
      { inputs: { question: 'q', topk: 3 } },
      'c.inputs.topk: topk is not a field (expected question, top_k).',
    ],
  ])('refuses %s', (_what, raw, problem) => {
    const read = readGeneratedCase(raw, plain, 'c');
    expect(read.ok).toBe(false);
    expect(read.ok ? [] : read.problems).toContain(problem);
  });

  it('checks expected outputs against the output fields when asked for them', () => {
    expect(
      readGeneratedCase(
        { inputs: { question: 'q' }, expected_outputs: { answer: 'a' } },
        withExpected,
        'c',
      ),
    ).toMatchObject({ ok: true, case: { expectedOutputs: { answer: 'a' } } });
    for (const [expected, problem] of [
      [undefined, 'c.expected_outputs is missing or empty.'],
      [{}, 'c.expected_outputs is missing or empty.'],
      [{ answer: 42 }, 'c.expected_outputs.answer: answer must be string.'],
      [{ reply: 'a' }, 'c.expected_outputs.answer: answer is required.'],
    ] as const) {
      const read = readGeneratedCase(
        { inputs: { question: 'q' }, expected_outputs: expected },
        withExpected,
        'c',
      );
      expect(read.ok ? [] : read.problems).toContain(problem);
    }
  });

  it('takes any non-empty object as expected outputs when there are no output fields', () => {
    const free = { ...withExpected, outputFields: null };
    expect(
      readGeneratedCase(
        { inputs: { question: 'q' }, expected_outputs: { anything: [1] } },
        free,
        'c',
      ),
    ).toMatchObject({ ok: true, case: { expectedOutputs: { anything: [1] } } });
  });

  it('refuses a case larger than the limit', () => {
    const read = readGeneratedCase({ inputs: { question: 'x'.repeat(60_000) } }, plain, 'c');
    expect(read.ok ? [] : read.problems).toEqual([
      expect.stringMatching(/^c is 600\d\d characters; at most 50000\.$/),
    ]);
  });

  it('refuses objects lacking a member the prompt reads', () => {
    const read = readGeneratedCase(
      { inputs: { doc: { title: 'T' } } },
      {
        inputFields: [{ name: 'doc', type: 'object', required: true }],
        outputFields: null,
        withExpected: false,
        objectPaths: { doc: ['title', 'meta.year'] },
      },
      'c',
    );
    expect(read).toEqual({
      ok: false,
      problems: ['c.inputs.doc.meta.year is missing (the prompt reads {doc.meta.year}).'],
    });
  });
});
