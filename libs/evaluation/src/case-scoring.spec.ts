import type { SignatureFieldSpec } from '@ps/common';
import { scoreSubject, subjectOf } from './case-scoring';
import { parseScoringPlan } from './scoring-plan';

const label: SignatureFieldSpec[] = [{ name: 'label', type: 'string', required: true }];
const two: SignatureFieldSpec[] = [
  { name: 'label', type: 'string', required: true },
  { name: 'confidence', type: 'number', required: true },
];

describe('subjectOf: what the metrics compare', () => {
  it('without a signature compares the raw answer with expected_outputs.response', () => {
    expect(subjectOf('Paris', [], { response: 'Paris', other: 1 })).toMatchObject({
      output: 'Paris',
      expected: 'Paris',
    });
  });

  it('without a signature and one expected field compares with that field', () => {
    expect(subjectOf('4', [], { answer: '4' })).toMatchObject({ expected: '4' });
  });

  it('with one output field compares that field of the parsed answer', () => {
    const subject = subjectOf('```json\n{"label": "spam"}\n```', label, { label: 'spam' });
    expect(subject).toMatchObject({
      output: 'spam',
      expected: 'spam',
      parsed: { label: 'spam' },
      parseErrors: [],
    });
  });

  it('with several output fields compares the parsed object with expected_outputs', () => {
    const subject = subjectOf('label: ham\nconfidence: 0.5', two, {
      label: 'ham',
      confidence: 0.5,
    });
    expect(subject.output).toEqual({ label: 'ham', confidence: 0.5 });
    expect(subject.expected).toEqual({ label: 'ham', confidence: 0.5 });
  });

  it('reports parse errors instead of scoring an unreadable answer', () => {
    expect(subjectOf('no idea', two, {}).parseErrors).toEqual([
      'no JSON object or field lines found',
    ]);
    expect(subjectOf('{"label": "x"}', two, {}).parseErrors).toEqual(['confidence is missing']);
  });
});

function planOf(metrics: unknown[], passThreshold = 0.5) {
  const result = parseScoringPlan({ metrics, pass_threshold: passThreshold });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

describe('scoreSubject', () => {
  it('combines per-case metrics by weight and skips dataset metrics', async () => {
    const subject = subjectOf('the cat sat', [], { response: 'the cat sat down' });
    const scored = await scoreSubject(
      subject,
      planOf([
        { name: 'exact_match', weight: 3 },
        { name: 'contains', weight: 1 },
        { name: 'accuracy', weight: 1 },
      ]),
      {},
    );
    expect(scored.scores).toEqual({ exact_match: 0, contains: 0 });
    expect(scored.score).toBe(0);
    expect(scored.feedback).toContain('exact_match: 0.00');
  });

  it('reads one field with `field` and names the score name:field', async () => {
    const subject = subjectOf('{"label": "a", "confidence": 0.9}', two, {
      label: 'a',
      confidence: 0.5,
    });
    const plan = planOf([{ name: 'exact_match', field: 'label' }]);
    const scored = await scoreSubject(subject, plan, {});
    expect(plan.metrics[0].key).toBe('exact_match:label');
    expect(scored.scores).toEqual({ 'exact_match:label': 1 });
  });

  it('does not score reference metrics on a case without an expected value', async () => {
    const plan = planOf([
      { name: 'exact_match' },
      { name: 'regex_match', options: { pattern: '^the' } },
    ]);
    const scored = await scoreSubject(subjectOf('the cat', [], {}), plan, {});
    expect(scored.scores).toEqual({ exact_match: null, regex_match: 1 });
    expect(scored.notScored).toEqual(['exact_match']);
    expect(scored.score).toBe(1);
    expect(scored.details.exact_match).toEqual({
      not_scored: 'The case has no expected value to compare with.',
    });
    const none = await scoreSubject(
      subjectOf('x', [], { response: '' }),
      planOf([{ name: 'bleu' }]),
      {},
    );
    expect(none).toMatchObject({ scores: { bleu: null }, score: null, notScored: ['bleu'] });
  });
});

describe('parseScoringPlan', () => {
  it('names the metric index and option of every problem, and duplicates', () => {
    const result = parseScoringPlan({
      metrics: [
        { name: 'nope' },
        { name: 'regex_match', options: { pattern: '(' } },
        { name: 'contains' },
        { name: 'contains' },
      ],
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.field)).toEqual([
      'metrics.0.name',
      'metrics.1.options.pattern',
      'metrics.3.name',
    ]);
  });

  it('rejects an out-of-range threshold and unknown fields, one message per field', () => {
    const result = parseScoringPlan({
      metrics: [{ name: 'exact_match' }],
      pass_threshold: 2,
      x: 1,
    });
    expect(!result.ok && result.errors.map((e) => e.field).sort()).toEqual(['pass_threshold', 'x']);
  });

  it('fills defaults and marks reference metrics', () => {
    const plan = planOf([
      { name: 'exact_match' },
      { name: 'accuracy' },
      { name: 'regex_match', options: { pattern: 'a' } },
    ]);
    expect(plan.passThreshold).toBe(0.5);
    expect(plan.perCase.map((m) => [m.key, m.reference])).toEqual([
      ['exact_match', true],
      ['regex_match', false],
    ]);
    expect(plan.dataset.map((m) => m.key)).toEqual(['accuracy']);
  });
});
