import { MetricOptionError } from '../errors';
import { computeMetric, createDatasetAccumulator, validateMetricOptions } from '../registry';
import { classificationReport, extractLabel } from './classification';
import { extractNumber } from './regression';

const pairsOf = (yTrue: unknown[], yPred: unknown[]) =>
  yTrue.map((expected, i) => ({ output: yPred[i], expected }));

const value = async (name: string, yTrue: unknown[], yPred: unknown[], options?: object) =>
  (await computeMetric(name, pairsOf(yTrue, yPred), options)).value;

describe('extractLabel', () => {
  it.each<[unknown, object, string | null]>([
    ['  positive ', {}, 'positive'],
    ['Positive', { case_sensitive: false }, 'positive'],
    [1, {}, '1'],
    [true, {}, 'true'],
    [null, {}, null],
    [undefined, {}, null],
    ['', {}, ''],
    ['{"label": "spam", "p": 0.9}', { label_field: 'label' }, 'spam'],
    [{ label: ' ham ' }, { label_field: 'label' }, 'ham'],
    [{ result: { label: 2 } }, { label_field: 'result.label' }, '2'],
    [{ other: 1 }, { label_field: 'label' }, null],
    [{ label: null }, { label_field: 'label' }, null],
    ['not json', { label_field: 'label' }, null],
  ])('%p %p → %p', (v, o, label) => {
    expect(extractLabel(v, { case_sensitive: true, ...o })).toBe(label);
  });
});

describe('classification metrics match scikit-learn', () => {
  // The examples of scikit-learn's precision_score / recall_score / f1_score documentation.
  const yTrue = [0, 1, 2, 0, 1, 2];
  const yPred = [0, 2, 1, 0, 0, 1];

  it.each<[string, string, number]>([
    ['precision', 'macro', 0.2222222222222222],
    ['precision', 'micro', 0.3333333333333333],
    ['precision', 'weighted', 0.2222222222222222],
    ['recall', 'macro', 0.3333333333333333],
    ['recall', 'micro', 0.3333333333333333],
    ['recall', 'weighted', 0.3333333333333333],
    ['f1_score', 'macro', 0.26666666666666666],
    ['f1_score', 'micro', 0.3333333333333333],
    ['f1_score', 'weighted', 0.26666666666666666],
  ])('%s average=%s → %p', async (metric, average, expected) => {
    expect(await value(metric, yTrue, yPred, { average })).toBeCloseTo(expected, 12);
  });

  it('defaults to macro averaging, and accuracy is 1/3', async () => {
    expect(await value('f1_score', yTrue, yPred)).toBeCloseTo(0.26666666666666666, 12);
    expect(await value('accuracy', yTrue, yPred)).toBeCloseTo(1 / 3, 12);
  });

  it('gives per-label scores like average=None', () => {
    const r = classificationReport(yTrue.map(String), yPred.map(String), 'macro');
    expect(r.labels.map((l) => [l.label, l.precision, l.recall, l.f1, l.support])).toEqual([
      ['0', 2 / 3, 1, 0.8, 2],
      ['1', 0, 0, 0, 2],
      ['2', 0, 0, 0, 2],
    ]);
  });

  it('includes labels that only appear in predictions (union of labels)', async () => {
    const t = ['a', 'a', 'b'];
    const p = ['a', 'c', 'b'];
    // a: P 1, R 1/2, F1 2/3; b: 1, 1, 1; c: 0, 0, 0 (zero_division=0).
    expect(await value('precision', t, p)).toBeCloseTo(2 / 3, 12);
    expect(await value('recall', t, p)).toBeCloseTo(0.5, 12);
    expect(await value('f1_score', t, p)).toBeCloseTo((2 / 3 + 1) / 3, 12);
    expect(await value('f1_score', t, p, { average: 'weighted' })).toBeCloseTo(
      (2 * (2 / 3) + 1) / 3,
      12,
    );
    expect(await value('f1_score', t, p, { average: 'micro' })).toBeCloseTo(2 / 3, 12);
  });

  it('micro-averaged P, R and F1 equal accuracy for multiclass data', async () => {
    const t = ['x', 'y', 'z', 'x', 'x', 'y', 'z', 'z'];
    const p = ['x', 'z', 'z', 'y', 'x', 'y', 'x', 'z'];
    const acc = await value('accuracy', t, p);
    expect(acc).toBe(5 / 8);
    for (const m of ['precision', 'recall', 'f1_score']) {
      expect(await value(m, t, p, { average: 'micro' })).toBe(acc);
    }
  });

  it('scores a perfect single-class prediction as 1', async () => {
    const zeros = [0, 0, 0, 0, 0, 0];
    expect(await value('f1_score', zeros, zeros)).toBe(1);
    expect(await value('precision', zeros, zeros)).toBe(1);
  });

  it.each<[string, number]>([
    ['precision', 2 / 3],
    ['recall', 2 / 3],
    ['f1_score', 2 / 3],
  ])('binary %s with positive_label', async (metric, expected) => {
    // tp = 2 (i 0, 3), fp = 1 (i 1), fn = 1 (i 2).
    const t = [1, 0, 1, 1, 0];
    const p = [1, 1, 0, 1, 0];
    expect(await value(metric, t, p, { average: 'binary', positive_label: 1 })).toBeCloseTo(
      expected,
      12,
    );
    expect(await value(metric, t, p, { average: 'binary', positive_label: '1' })).toBeCloseTo(
      expected,
      12,
    );
  });

  it('binary: other positive label, absent label, stray predicted labels', async () => {
    const t = ['spam', 'ham', 'ham', 'spam'];
    const p = ['spam', 'ham', 'spam', 'unsure'];
    // ham: tp 1, fp 0, fn 1 → P 1, R 1/2.
    expect(await value('precision', t, p, { average: 'binary', positive_label: 'ham' })).toBe(1);
    expect(await value('recall', t, p, { average: 'binary', positive_label: 'ham' })).toBe(0.5);
    // spam: tp 1, fp 1, fn 1.
    expect(await value('f1_score', t, p, { average: 'binary', positive_label: 'spam' })).toBe(0.5);
    expect(await value('f1_score', t, p, { average: 'binary', positive_label: 'eggs' })).toBe(0);
  });

  it('reads labels from a JSON field, case-insensitively on request', async () => {
    const r = await computeMetric(
      'accuracy',
      [
        { output: '{"label": "Spam", "why": "..."}', expected: { label: 'spam' } },
        { output: { label: 'ham' }, expected: '{"label":"ham"}' },
        { output: 'I think spam', expected: { label: 'spam' } },
        { output: { label: 'ham' }, expected: { other: 1 } },
      ],
      { label_field: 'label', case_sensitive: false },
    );
    expect(r.scores.slice(0, 3)).toEqual([1, 1, 0]);
    expect(r.scores[3]).toBeNaN();
    expect(r.value).toBeCloseTo(2 / 3, 12);
    expect(r.summary).toEqual({ count: 3, excluded: 1, missing_predictions: 1 });
  });

  it('treats a missing prediction as a wrong label of its own', async () => {
    const r = await computeMetric(
      'f1_score',
      [
        { output: 'a', expected: 'a' },
        { output: null, expected: 'b' },
      ],
      {},
    );
    expect(r.scores).toEqual([1, 0]);
    // a: 1/1/1; b: 0; missing: 0 → macro F1 1/3.
    expect(r.value).toBeCloseTo(1 / 3, 12);
    expect(r.summary?.labels).toEqual([
      { label: 'a', precision: 1, recall: 1, f1: 1, support: 1 },
      { label: 'b', precision: 0, recall: 0, f1: 0, support: 1 },
      { label: null, precision: 0, recall: 0, f1: 0, support: 0 },
    ]);
  });

  it('compares whole trimmed outputs without label_field', async () => {
    expect(await value('accuracy', ['yes', 'no', 'No'], [' yes\n', 'no.', 'no'])).toBeCloseTo(
      1 / 3,
      12,
    );
    expect(
      await value('accuracy', ['yes', 'no', 'No'], [' yes\n', 'no.', 'no'], {
        case_sensitive: false,
      }),
    ).toBeCloseTo(2 / 3, 12);
  });

  it('gives NaN without usable pairs', async () => {
    const r = await computeMetric('accuracy', [], {});
    expect(r.value).toBeNaN();
    expect(r.scores).toEqual([]);
    expect(await value('f1_score', [null, undefined], ['a', 'b'])).toBeNaN();
  });

  it('validates average and positive_label', () => {
    expect(() => validateMetricOptions('f1_score', { average: 'binary' })).toThrow(
      expect.objectContaining({ field: 'options.positive_label' }),
    );
    expect(() => validateMetricOptions('f1_score', { positive_label: 'x' })).toThrow(
      expect.objectContaining({ field: 'options.positive_label' }),
    );
    expect(() => validateMetricOptions('precision', { average: 'samples' })).toThrow(
      expect.objectContaining({ field: 'options.average' }),
    );
    expect(() =>
      validateMetricOptions('precision', { average: 'binary', positive_label: {} }),
    ).toThrow(expect.objectContaining({ field: 'options.positive_label' }));
    expect(() => validateMetricOptions('accuracy', { average: 'macro' })).toThrow(
      expect.objectContaining({ field: 'options.average' }),
    );
    expect(() => validateMetricOptions('accuracy', { label_field: 3 })).toThrow(MetricOptionError);
  });

  it('streams pairs through an accumulator', () => {
    const acc = createDatasetAccumulator('recall', { average: 'macro' });
    pairsOf(yTrue, yPred).forEach((p) => acc.add(p));
    expect(acc.size).toBe(6);
    expect(acc.included).toBe(6);
    expect(acc.result().value).toBeCloseTo(1 / 3, 12);
    // The statistic over a resample: cases 0 and 3 twice (both correct, label 0 only).
    expect(acc.statisticOf([0, 3, 0, 3])).toBe(1);
    expect(() => createDatasetAccumulator('exact_match')).toThrow(TypeError);
  });
});

describe('extractNumber', () => {
  it.each<[unknown, string | undefined, number | undefined]>([
    [3, undefined, 3],
    [-2.5, undefined, -2.5],
    [' 42 ', undefined, 42],
    ['+1e3', undefined, 1000],
    ['.5', undefined, 0.5],
    ['5.', undefined, 5],
    ['0x10', undefined, undefined],
    ['1,000', undefined, undefined],
    ['42 kg', undefined, undefined],
    ['', undefined, undefined],
    [NaN, undefined, undefined],
    [Infinity, undefined, undefined],
    ['Infinity', undefined, undefined],
    [true, undefined, undefined],
    [null, undefined, undefined],
    ['{"value": 7}', 'value', 7],
    [{ value: '7.5' }, 'value', 7.5],
    [{ value: 'seven' }, 'value', undefined],
    ['7', 'value', undefined],
  ])('%p (field %p) → %p', (v, field, n) => {
    expect(extractNumber(v, field)).toBe(n);
  });
});

describe('regression metrics', () => {
  const expected = [3, -0.5, 2, 7];
  const output = [2.5, 0.0, 2, 8];

  it.each<[string, number, number[]]>([
    // scikit-learn's mean_absolute_error / mean_squared_error documentation examples.
    ['mae', 0.5, [0.5, 0.5, 0, 1]],
    ['mse', 0.375, [0.25, 0.25, 0, 1]],
    ['rmse', Math.sqrt(0.375), [0.25, 0.25, 0, 1]],
  ])('%s → %p', async (metric, v, scores) => {
    const r = await computeMetric(metric, pairsOf(expected, output), {});
    expect(r.value).toBeCloseTo(v, 12);
    expect(r.scores).toEqual(scores);
    expect(r.summary).toEqual({ count: 4, excluded: 0 });
  });

  it('parses numeric strings and leaves out (and counts) non-numeric pairs', async () => {
    const r = await computeMetric(
      'mae',
      [
        { output: '10', expected: 12 },
        { output: 'about 10', expected: 12 },
        { output: 5, expected: null },
        { output: ' 1.5 ', expected: '0.5' },
      ],
      {},
    );
    expect(r.value).toBeCloseTo(1.5, 12);
    expect(r.scores[0]).toBe(2);
    expect(r.scores[1]).toBeNaN();
    expect(r.scores[2]).toBeNaN();
    expect(r.scores[3]).toBe(1);
    expect(r.summary).toEqual({ count: 2, excluded: 2 });
  });

  it('reads numbers from a JSON field', async () => {
    const r = await computeMetric(
      'rmse',
      [
        { output: '{"price": 11}', expected: { price: 10 } },
        { output: { price: 7 }, expected: { price: 10 } },
      ],
      { value_field: 'price' },
    );
    expect(r.value).toBeCloseTo(Math.sqrt(5), 12);
  });

  it('gives NaN without numeric pairs', async () => {
    expect((await computeMetric('mse', [{ output: 'x', expected: 1 }], {})).value).toBeNaN();
    expect((await computeMetric('rmse', [], {})).value).toBeNaN();
  });
});
