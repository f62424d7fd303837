import type { SignatureFieldSpec } from '@ps/common';
import { validateMetricOptions } from '@ps/metrics';
import { metricErrors, metricKey, scoreSubject, subjectOf } from './case-scoring';

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

describe('scoreSubject', () => {
  it('combines per-case metrics by weight and skips dataset metrics', async () => {
    const subject = subjectOf('the cat sat', [], { response: 'the cat sat down' });
    const scored = await scoreSubject(
      subject,
      [
        { name: 'exact_match', weight: 3, options: {} },
        { name: 'contains', weight: 1, options: {} },
        { name: 'accuracy', weight: 1, options: {} },
      ],
      {},
    );
    expect(scored.scores).toEqual({ exact_match: 0, contains: 0 });
    expect(scored.score).toBe(0);
  });

  it('reads one field with `field` and names the score name:field', async () => {
    const subject = subjectOf('{"label": "a", "confidence": 0.9}', two, {
      label: 'a',
      confidence: 0.5,
    });
    const spec = { name: 'exact_match', weight: 1, options: {}, field: 'label' };
    const scored = await scoreSubject(subject, [spec], {});
    expect(metricKey(spec)).toBe('exact_match:label');
    expect(scored.scores).toEqual({ 'exact_match:label': 1 });
  });
});

describe('metricErrors', () => {
  it('names the metric index and option of every problem, and duplicates', () => {
    const errors = metricErrors(
      [
        { name: 'nope', weight: 1, options: {} },
        { name: 'regex_match', weight: 1, options: { pattern: '(' } },
        { name: 'contains', weight: 1, options: {} },
        { name: 'contains', weight: 1, options: {} },
      ],
      (name, options) => validateMetricOptions(name, options),
    );
    expect(errors.map((e) => e.field)).toEqual([
      'metrics.0.name',
      'metrics.1.options.pattern',
      'metrics.3.name',
    ]);
  });
});
