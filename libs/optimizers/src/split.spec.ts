import { type SplitCase, SplitError, splitCases } from './split';

const cases = (n: number, golden: number[] = []): SplitCase[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `c${String(i).padStart(2, '0')}`,
    inputs: { i },
    expected: { answer: i },
    golden: golden.includes(i),
  }));

function errorsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SplitError);
    return (err as SplitError).errors;
  }
  throw new Error('expected a SplitError');
}

describe('splitCases', () => {
  it('holds out 30% by seed, the same for the same seed, disjoint and complete', () => {
    const a = splitCases({ cases: cases(20), seed: 1 });
    expect(a.method).toBe('holdout');
    expect(a.validation).toHaveLength(6);
    expect(a.train).toHaveLength(14);
    const all = [...a.train, ...a.validation].map((c) => c.id).sort();
    expect(all).toEqual(cases(20).map((c) => c.id));
    expect(splitCases({ cases: [...cases(20)].reverse(), seed: 1 })).toEqual(a);
    expect(splitCases({ cases: cases(20), seed: 2 }).validation).not.toEqual(a.validation);
    expect(a.validation[0]).not.toHaveProperty('golden');
  });

  it('keeps at least one case on each side', () => {
    const two = splitCases({ cases: cases(2), seed: 3 });
    expect([two.train.length, two.validation.length]).toEqual([1, 1]);
    const three = splitCases({ cases: cases(3), seed: 3, holdoutShare: 0.9 });
    expect([three.train.length, three.validation.length]).toEqual([1, 2]);
  });

  it('validates on the golden cases when there are some and train cases are left', () => {
    const split = splitCases({ cases: cases(6, [1, 4]), seed: 1 });
    expect(split.method).toBe('golden');
    expect(split.validation.map((c) => c.id)).toEqual(['c01', 'c04']);
    expect(split.train).toHaveLength(4);
    expect(splitCases({ cases: cases(3, [0, 1, 2]), seed: 1 }).method).toBe('holdout');
  });

  it('lets explicit ids win; one side given makes the other the rest', () => {
    const both = splitCases({
      cases: cases(6, [1]),
      seed: 1,
      train_case_ids: ['c00', 'c02'],
      validation_case_ids: ['c05'],
    });
    expect(both.method).toBe('explicit');
    expect(both.train.map((c) => c.id)).toEqual(['c00', 'c02']);
    expect(both.validation.map((c) => c.id)).toEqual(['c05']);
    const onlyValidation = splitCases({ cases: cases(4), seed: 1, validation_case_ids: ['c03'] });
    expect(onlyValidation.train.map((c) => c.id)).toEqual(['c00', 'c01', 'c02']);
  });

  it('names the field of unknown, repeated and overlapping ids', () => {
    expect(
      errorsOf(() =>
        splitCases({
          cases: cases(4),
          seed: 1,
          train_case_ids: ['c00', 'nope', 'c00'],
          validation_case_ids: ['c01', 'c00'],
        }),
      ),
    ).toEqual([
      { field: 'train_case_ids.1', message: 'Test case nope is not in the test set.' },
      { field: 'train_case_ids.2', message: 'Test case c00 is listed twice.' },
      {
        field: 'validation_case_ids.1',
        message: expect.stringContaining('also in train_case_ids') as string,
      },
    ]);
    expect(
      errorsOf(() =>
        splitCases({ cases: cases(3), seed: 1, train_case_ids: ['c00', 'c01', 'c02'] }),
      ),
    ).toEqual([{ field: 'validation_case_ids', message: 'No test case is left to validate on.' }]);
    expect(errorsOf(() => splitCases({ cases: cases(1), seed: 1 }))[0].field).toBe('test_set_id');
  });
});
