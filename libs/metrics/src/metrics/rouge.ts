import { TokenIds, lcsLength } from '../distance';
import { definePerCase } from '../definition';
import { defineOptions, opt } from '../options';
import { toText, tokenize } from '../text';
import type { MetricValue } from '../types';
import { referenceTexts } from './references';

export interface RougeLOptions {
  beta: number;
  lowercase: boolean;
}

export interface RougeLScore {
  precision: number;
  recall: number;
  f: number;
}

/**
 * Sentence-level ROUGE-L of Lin (2004): R_lcs = LCS/|reference|, P_lcs = LCS/|candidate|,
 * F_lcs = (1 + β²)·R·P / (R + β²·P). Both empty → all 1; one empty → all 0.
 */
export function rougeLScore(
  candidate: readonly string[],
  reference: readonly string[],
  beta = 1,
): RougeLScore {
  if (candidate.length === 0 && reference.length === 0) return { precision: 1, recall: 1, f: 1 };
  if (candidate.length === 0 || reference.length === 0) return { precision: 0, recall: 0, f: 0 };
  const ids = new TokenIds();
  const lcs = lcsLength(ids.of(candidate), ids.of(reference));
  const recall = lcs / reference.length;
  const precision = lcs / candidate.length;
  if (lcs === 0) return { precision, recall, f: 0 };
  const b2 = beta * beta;
  return { precision, recall, f: ((1 + b2) * recall * precision) / (recall + b2 * precision) };
}

/** rouge_l metric: F_lcs of the output against the expected reference(s), best reference wins. */
export function rougeL(output: unknown, expected: unknown, o: RougeLOptions): MetricValue {
  const refs = referenceTexts(expected);
  if (refs.length === 0) return { score: 0, details: { error: 'The case has no reference.' } };
  const candidate = tokenize(toText(output), o.lowercase);
  return Math.max(...refs.map((r) => rougeLScore(candidate, tokenize(r, o.lowercase), o.beta).f));
}

export const rougeLMetric = definePerCase(
  {
    name: 'rouge_l',
    description:
      "ROUGE-L (Lin 2004): with LCS the longest common subsequence of output and reference tokens, R = LCS/|reference|, P = LCS/|output|, score = (1 + β²)·R·P / (R + β²·P); β = 1 by default (the F1 of Google's rouge-score and ROUGE-1.5.5's default α = 0.5). With several references (expected as an array) the best score counts. Tokens as in bleu. Both empty → 1, one empty → 0.",
    range: [0, 1],
  },
  defineOptions({
    beta: opt.number(1, 'Weight of recall relative to precision (β).', {
      min: 0,
      exclusiveMin: true,
    }),
    lowercase: opt.boolean(true, 'Lower-case both texts before tokenising.'),
  }),
  rougeL,
);
