import { getMetric, validateMetricOptions } from '../registry';
import { tokenize } from '../text';
import { type ScoredCase, toScoredCase } from '../types';
import { bleuScore, closestReferenceLength, modifiedPrecision } from './bleu';
import { rougeLScore } from './rouge';

function run(name: string, output: unknown, expected: unknown, options?: object): ScoredCase {
  const metric = getMetric(name);
  if (metric.kind !== 'per_case') throw new Error('not per-case');
  return toScoredCase(
    metric.score(output, expected, validateMetricOptions(name, options), {}) as number,
  );
}
const score = (name: string, output: unknown, expected: unknown, options?: object) =>
  run(name, output, expected, options).score;

// Papineni et al. (2002), section 2.1, and NLTK's bleu_score docstrings use these sentences.
const hypothesis1 =
  'It is a guide to action which ensures that the military always obeys the commands of the party';
const hypothesis2 =
  'It is to insure the troops forever hearing the activity guidebook that party direct';
const reference1 =
  'It is a guide to action that ensures that the military will forever heed Party commands';
const reference2 =
  'It is the guiding principle which guarantees the military forces always being under the command of the Party';
const reference3 =
  'It is the practical guide for the army always to heed the directions of the party';
const references = [reference1, reference2, reference3];
const tok = (s: string) => tokenize(s, false);

describe('modified n-gram precision (Papineni et al. 2002)', () => {
  it('clips "the the the the the the the" to 2/7', () => {
    expect(
      modifiedPrecision(
        tokenize('the the the the the the the.'),
        [tokenize('The cat is on the mat.'), tokenize('There is a cat on the mat.')],
        1,
      ),
    ).toEqual({ clipped: 2, total: 7 });
  });

  it.each<[string, number, number, number]>([
    // NLTK modified_precision docstring values: 17/18 = 0.9444…, 10/17 = 0.5882…
    [hypothesis1, 1, 17, 18],
    [hypothesis1, 2, 10, 17],
    [hypothesis1, 3, 7, 16],
    [hypothesis1, 4, 4, 15],
    // NLTK: 8/14 = 0.5714…, 1/13 = 0.0769…
    [hypothesis2, 1, 8, 14],
    [hypothesis2, 2, 1, 13],
    [hypothesis2, 3, 0, 12],
  ])('%#: n = %p gives %p/%p', (hyp, n, clipped, total) => {
    expect(modifiedPrecision(tok(hyp), references.map(tok), n)).toEqual({ clipped, total });
  });
});

describe('closestReferenceLength', () => {
  it('picks the closest, the shorter on a tie', () => {
    expect(closestReferenceLength(18, [[...'a'.repeat(16)], [...'a'.repeat(18)]])).toBe(18);
    expect(closestReferenceLength(10, [[...'a'.repeat(12)], [...'a'.repeat(8)]])).toBe(8);
    expect(closestReferenceLength(10, [[...'a'.repeat(8)], [...'a'.repeat(12)]])).toBe(8);
  });
});

describe('bleu', () => {
  it("reproduces NLTK's sentence_bleu docstring value 0.5045666840058485 (no smoothing)", () => {
    expect(bleuScore(tok(hypothesis1), references.map(tok), { smoothing: 'none' })).toBeCloseTo(
      0.5045666840058485,
      12,
    );
    // Through the metric: the same tokens, case-sensitive or not (lower-casing changes no count here).
    for (const lowercase of [true, false]) {
      expect(score('bleu', hypothesis1, references, { smoothing: 'none', lowercase })).toBeCloseTo(
        0.5045666840058485,
        4,
      );
    }
  });

  it('applies add-one smoothing to n > 1 only (Lin & Och 2004, NLTK method2)', () => {
    // exp(¼·(ln 17/18 + ln 11/18 + ln 8/17 + ln 5/16)), brevity penalty 1.
    const expected = Math.exp(
      (Math.log(17 / 18) + Math.log(11 / 18) + Math.log(8 / 17) + Math.log(5 / 16)) / 4,
    );
    expect(expected).toBeCloseTo(0.539755306744061, 12);
    expect(score('bleu', hypothesis1, references)).toBeCloseTo(expected, 12);
    // hypothesis2 has no matching 3- and 4-grams: 0 without smoothing, > 0 with it.
    expect(score('bleu', hypothesis2, references, { smoothing: 'none' })).toBe(0);
    // c = 14, closest reference length 16: brevity penalty e^(1 − 16/14).
    const h2 =
      Math.exp(1 - 16 / 14) *
      Math.exp((Math.log(8 / 14) + Math.log(2 / 14) + Math.log(1 / 13) + Math.log(1 / 12)) / 4);
    expect(score('bleu', hypothesis2, references)).toBeCloseTo(h2, 12);
  });

  it('applies the brevity penalty exp(1 − r/c) when the candidate is not longer', () => {
    // c = 2, r = 6; p1 = 1, p2 = (1 + 1)/(1 + 1) = 1; BP = e^(1 − 3) = e^−2.
    expect(score('bleu', 'the cat', 'the cat is on the mat', { max_n: 2 })).toBeCloseTo(
      Math.exp(-2),
      12,
    );
    // Candidate longer than the reference: no penalty.
    expect(score('bleu', 'the cat sat on the mat today', 'the cat sat on the mat')).toBeCloseTo(
      Math.exp((Math.log(6 / 7) + Math.log(6 / 7) + Math.log(5 / 6) + Math.log(4 / 5)) / 4),
      12,
    );
  });

  it.each<[unknown, unknown, object | undefined, number]>([
    ['the cat sat on the mat', 'the cat sat on the mat', undefined, 1],
    ['The cat, sat on the mat!', 'the cat sat on the mat', undefined, 1],
    ['The Cat', 'the cat', { lowercase: false }, 0],
    ['yes', 'yes', undefined, 1],
    ['yes', 'Yes.', undefined, 1],
    ['yes no', 'yes no', { smoothing: 'none' }, 1],
    ['no', 'yes', undefined, 0],
    ['', '', undefined, 1],
    [null, ['', '...'], undefined, 1],
    ['', 'something', undefined, 0],
    ['something', '', undefined, 0],
    ['something', [], undefined, 0],
    ['the cat sat on the mat', ['a dog', 'the cat sat on the mat'], undefined, 1],
    ['東京へ行く', '東京へ行く', undefined, 1],
    [42, '42', undefined, 1],
  ])('%p vs %p %p → %p', (output, expected, options, s) => {
    expect(score('bleu', output, expected, options)).toBeCloseTo(s, 12);
  });

  it('uses max_n as the largest order', () => {
    // Unigram BLEU: p1 = 5/6, c = r = 6.
    expect(
      score('bleu', 'the cat sat on a mat', 'the cat sat on the mat', { max_n: 1 }),
    ).toBeCloseTo(5 / 6, 12);
  });

  it('scores 0 with a note when the case has no reference', () => {
    expect(run('bleu', 'text', undefined)).toEqual({
      score: 0,
      details: { error: 'The case has no reference.' },
    });
  });

  it('validates its options', () => {
    expect(() => validateMetricOptions('bleu', { max_n: 0 })).toThrow(
      expect.objectContaining({ field: 'options.max_n' }),
    );
    expect(() => validateMetricOptions('bleu', { max_n: 2.5 })).toThrow(
      expect.objectContaining({ field: 'options.max_n' }),
    );
    expect(() => validateMetricOptions('bleu', { smoothing: 'add2' })).toThrow(
      expect.objectContaining({ field: 'options.smoothing' }),
    );
  });
});

describe('rouge_l', () => {
  // Lin (2004), section 3.1: with S1 as reference, S2 scores 3/4 and S3 scores 2/4.
  const s1 = 'police killed the gunman';
  const s2 = 'police kill the gunman';
  const s3 = 'the gunman kill police';

  it("reproduces Lin's (2004) example", () => {
    expect(rougeLScore(tokenize(s2), tokenize(s1))).toEqual({
      precision: 0.75,
      recall: 0.75,
      f: 0.75,
    });
    expect(rougeLScore(tokenize(s3), tokenize(s1))).toEqual({
      precision: 0.5,
      recall: 0.5,
      f: 0.5,
    });
    expect(score('rouge_l', s2, s1)).toBe(0.75);
    expect(score('rouge_l', s3, s1)).toBe(0.5);
    // Equal lengths make R = P, so any β gives the same value.
    expect(score('rouge_l', s2, s1, { beta: 8 })).toBeCloseTo(0.75, 12);
  });

  it('weights recall by β when lengths differ', () => {
    // LCS 2 ("the cat"), |ref| = 6, |cand| = 2: R = 1/3, P = 1.
    const r = rougeLScore(tokenize('the cat'), tokenize('the cat is on the mat'), 1);
    expect(r.recall).toBeCloseTo(1 / 3, 12);
    expect(r.precision).toBe(1);
    expect(r.f).toBeCloseTo(0.5, 12);
    const f = (beta: number) => ((1 + beta ** 2) * (1 / 3)) / (1 / 3 + beta ** 2);
    expect(score('rouge_l', 'the cat', 'the cat is on the mat', { beta: 1.2 })).toBeCloseTo(
      f(1.2),
      12,
    );
    expect(score('rouge_l', 'the cat', 'the cat is on the mat', { beta: 100 })).toBeCloseTo(
      1 / 3,
      3,
    );
  });

  it.each<[unknown, unknown, object | undefined, number]>([
    ['', '', undefined, 1],
    [null, '...', undefined, 1],
    ['words', '', undefined, 0],
    ['', 'words', undefined, 0],
    ['alpha beta', 'gamma delta', undefined, 0],
    ['The Gunman!', 'the gunman', undefined, 1],
    ['The gunman', 'the gunman', { lowercase: false }, 0.5],
    ['The Gunman', 'the gunman', { lowercase: false }, 0],
    ['police kill the gunman', ['the gunman kill police', s1], undefined, 0.75],
    ['東京へ行く', '東京に行く', undefined, 0.8],
  ])('%p vs %p %p → %p', (output, expected, options, s) => {
    expect(score('rouge_l', output, expected, options)).toBeCloseTo(s, 12);
  });

  it('scores 0 with a note when the case has no reference, and rejects β ≤ 0', () => {
    expect(run('rouge_l', 'x', null)).toEqual({
      score: 0,
      details: { error: 'The case has no reference.' },
    });
    expect(() => validateMetricOptions('rouge_l', { beta: 0 })).toThrow(
      expect.objectContaining({ field: 'options.beta' }),
    );
  });
});
