import { definePerCase } from '../definition';
import { defineOptions, opt } from '../options';
import { toText, tokenize } from '../text';
import type { MetricValue } from '../types';
import { referenceTexts } from './references';

export type BleuSmoothing = 'none' | 'add1';

export interface BleuOptions {
  max_n: number;
  smoothing: BleuSmoothing;
  lowercase: boolean;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join('\u0000');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

/**
 * Modified n-gram precision of Papineni et al. (2002): each candidate n-gram count is clipped
 * to its largest count in any one reference. Returns the clipped count and the number of
 * candidate n-grams.
 */
export function modifiedPrecision(
  candidate: readonly string[],
  references: readonly (readonly string[])[],
  n: number,
): { clipped: number; total: number } {
  const counts = ngramCounts(candidate, n);
  const maxRef = new Map<string, number>();
  for (const ref of references) {
    for (const [gram, c] of ngramCounts(ref, n)) {
      if (counts.has(gram) && c > (maxRef.get(gram) ?? 0)) maxRef.set(gram, c);
    }
  }
  let clipped = 0;
  for (const [gram, c] of counts) clipped += Math.min(c, maxRef.get(gram) ?? 0);
  return { clipped, total: Math.max(0, candidate.length - n + 1) };
}

/** Length of the reference closest in length to the candidate (the shorter one on a tie). */
export function closestReferenceLength(
  candidateLength: number,
  references: readonly (readonly string[])[],
): number {
  let best = references[0].length;
  for (const ref of references) {
    const d = Math.abs(ref.length - candidateLength);
    const bestD = Math.abs(best - candidateLength);
    if (d < bestD || (d === bestD && ref.length < best)) best = ref.length;
  }
  return best;
}

/**
 * BLEU of one tokenised candidate against one or more tokenised references: geometric mean of
 * the modified n-gram precisions p_1 … p_N with uniform weights 1/N, times the brevity penalty
 * BP = 1 if c > r else exp(1 − r/c), with c the candidate length and r the closest reference
 * length (ties → shorter), as in Papineni et al. (2002) and NLTK's `sentence_bleu`.
 *
 * - N = min(max_n, c): orders longer than the candidate have no n-grams and are left out
 *   (sacreBLEU's "effective order"), so an exact match of a short text scores 1.
 * - smoothing `add1` (Lin & Och 2004; NLTK method2): p_n = (clipped + 1) / (total + 1) for
 *   n > 1; `none`: any p_n = 0 makes BLEU 0.
 * - An empty candidate scores 1 if every reference is empty too, else 0; no references → 0.
 */
export function bleuScore(
  candidate: readonly string[],
  references: readonly (readonly string[])[],
  { maxN = 4, smoothing = 'add1' }: { maxN?: number; smoothing?: BleuSmoothing } = {},
): number {
  if (references.length === 0) return 0;
  const c = candidate.length;
  if (c === 0) return references.every((r) => r.length === 0) ? 1 : 0;
  const order = Math.min(maxN, c);
  let logSum = 0;
  for (let n = 1; n <= order; n++) {
    const { clipped, total } = modifiedPrecision(candidate, references, n);
    const p = smoothing === 'add1' && n > 1 ? (clipped + 1) / (total + 1) : clipped / total;
    if (p === 0) return 0;
    logSum += Math.log(p) / order;
  }
  const r = closestReferenceLength(c, references);
  const brevity = c > r ? 1 : Math.exp(1 - r / c);
  return brevity * Math.exp(logSum);
}

/** bleu metric: tokenises output and expected reference(s) and calls {@link bleuScore}. */
export function bleu(output: unknown, expected: unknown, o: BleuOptions): MetricValue {
  const refs = referenceTexts(expected);
  if (refs.length === 0) return { score: 0, details: { error: 'The case has no reference.' } };
  return bleuScore(
    tokenize(toText(output), o.lowercase),
    refs.map((r) => tokenize(r, o.lowercase)),
    { maxN: o.max_n, smoothing: o.smoothing },
  );
}

export const bleuMetric = definePerCase(
  {
    name: 'bleu',
    description:
      'Sentence BLEU (Papineni et al. 2002) of the output against the expected reference(s) (a string or an array of strings): exp(Σ_n (1/N)·log p_n) × brevity penalty, with p_n the clipped (modified) n-gram precision, N = min(max_n, output length), BP = 1 if c > r else exp(1 − r/c) with r the closest reference length. Smoothing add1 (Lin & Och 2004, NLTK method2) adds 1 to numerator and denominator of p_n for n > 1; none gives 0 when any p_n is 0. Tokens: words split on whitespace and punctuation (dropped), lower-cased unless lowercase is false.',
    range: [0, 1],
  },
  defineOptions({
    max_n: opt.integer(4, 'Largest n-gram order.', { min: 1, max: 10 }),
    smoothing: opt.enum(
      ['none', 'add1'] as const,
      'add1',
      'add1: Lin & Och (2004) add-one smoothing for n > 1; none: plain BLEU.',
    ),
    lowercase: opt.boolean(true, 'Lower-case both texts before tokenising.'),
  }),
  bleu,
);
