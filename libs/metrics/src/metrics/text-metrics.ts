import { definePerCase } from '../definition';
import { indelDistance, levenshteinDistance } from '../distance';
import { defineOptions, opt } from '../options';
import { codePoints, countWords, normaliseText, toText, tokenize } from '../text';
import { cachedRegex, RegexTimeoutError, timedTest } from '../timed-regex';
import type { MetricValue } from '../types';

/*
 * Text is compared after `toText` (strings as-is, null/undefined as '', objects as canonical
 * JSON) and NFC normalisation. Lengths count Unicode code points.
 */

const caseAndTrim = {
  case_sensitive: opt.boolean(true, 'Compare letter case; false lower-cases both texts first.'),
  trim: opt.boolean(true, 'Strip leading and trailing whitespace from both texts first.'),
};

export interface CaseAndTrim {
  case_sensitive: boolean;
  trim: boolean;
}

const textPair = (output: unknown, expected: unknown, o: CaseAndTrim): [string, string] => {
  const n = { trim: o.trim, caseSensitive: o.case_sensitive };
  return [normaliseText(output, n), normaliseText(expected, n)];
};

// ---------------------------------------------------------------------------------------------

/** exact_match: 1 if output and expected are the same text (trimmed, case-sensitive by default), else 0. */
export function exactMatch(output: unknown, expected: unknown, o: CaseAndTrim): number {
  const [a, b] = textPair(output, expected, o);
  return a === b ? 1 : 0;
}

export const exactMatchMetric = definePerCase(
  {
    name: 'exact_match',
    description:
      '1 if the output text equals the expected text, else 0. Both are turned into text (objects as JSON with sorted keys), NFC-normalised and, by default, trimmed; comparison is case-sensitive unless case_sensitive is false.',
    range: [0, 1],
  },
  defineOptions(caseAndTrim),
  exactMatch,
);

// ---------------------------------------------------------------------------------------------

/**
 * fuzzy_match: InDel similarity 1 − indel_distance / (len_a + len_b), where the InDel distance
 * counts the insertions and deletions (no substitutions) turning one text into the other, i.e.
 * 2·LCS / (len_a + len_b). Both empty → 1. Lengths in code points.
 */
export function fuzzyMatch(output: unknown, expected: unknown, o: CaseAndTrim): number {
  const [a, b] = textPair(output, expected, o).map(codePoints);
  const total = a.length + b.length;
  return total === 0 ? 1 : 1 - indelDistance(a, b) / total;
}

export const fuzzyMatchMetric = definePerCase(
  {
    name: 'fuzzy_match',
    description:
      'InDel similarity: 1 − indel_distance / (len_output + len_expected), where the InDel distance is the number of character insertions and deletions turning one text into the other (= 2·LCS / total length). Both empty → 1. Lengths in Unicode code points.',
    range: [0, 1],
  },
  defineOptions(caseAndTrim),
  fuzzyMatch,
);

// ---------------------------------------------------------------------------------------------

/** levenshtein: 1 − edit_distance / max(len_a, len_b); both empty → 1. Lengths in code points. */
export function levenshteinSimilarity(output: unknown, expected: unknown, o: CaseAndTrim): number {
  const [a, b] = textPair(output, expected, o).map(codePoints);
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - levenshteinDistance(a, b) / longest;
}

export const levenshteinMetric = definePerCase(
  {
    name: 'levenshtein',
    description:
      'Normalised Levenshtein similarity: 1 − edit_distance / max(len_output, len_expected), the edit distance counting character insertions, deletions and substitutions. Both empty → 1. Lengths in Unicode code points.',
    range: [0, 1],
  },
  defineOptions(caseAndTrim),
  levenshteinSimilarity,
);

// ---------------------------------------------------------------------------------------------

/**
 * token_overlap: F1 of the token multisets (SQuAD-style): tokens are lower-cased words with
 * punctuation stripped (see `tokenize`); common = Σ min(count_out, count_exp);
 * P = common/|out|, R = common/|exp|, F1 = 2PR/(P+R). Both without tokens → 1; one without → 0.
 */
export function tokenOverlap(output: unknown, expected: unknown): number {
  const a = tokenize(toText(output));
  const b = tokenize(toText(expected));
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const t of b) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of a) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      common++;
      counts.set(t, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / a.length;
  const recall = common / b.length;
  return (2 * precision * recall) / (precision + recall);
}

export const tokenOverlapMetric = definePerCase(
  {
    name: 'token_overlap',
    description:
      'Token F1: both texts are lower-cased and split into word tokens (punctuation and whitespace dropped); with common = Σ min(count_output, count_expected) over tokens, P = common/|output tokens|, R = common/|expected tokens|, score = 2PR/(P+R). Both without tokens → 1, one without → 0.',
    range: [0, 1],
  },
  defineOptions({}),
  (output, expected) => tokenOverlap(output, expected),
);

// ---------------------------------------------------------------------------------------------

export interface ContainsOptions {
  case_sensitive: boolean;
  mode: 'all' | 'any' | 'fraction';
}

/**
 * contains: which expected strings occur in the output. `expected` is a string or an array of
 * strings (other values are turned into text). mode `fraction` → share of them contained,
 * `all` → 1 if all are, `any` → 1 if at least one is. An empty list scores 1 with `fraction`
 * and `all` and 0 with `any`; a case without an expected value (null/undefined) scores 0.
 */
export function contains(output: unknown, expected: unknown, o: ContainsOptions): MetricValue {
  if (expected === null || expected === undefined) {
    return { score: 0, details: { error: 'The case has no expected value.' } };
  }
  const n = { trim: false, caseSensitive: o.case_sensitive };
  const haystack = normaliseText(output, n);
  const needles = (Array.isArray(expected) ? (expected as unknown[]) : [expected]).map((e) =>
    normaliseText(e, n),
  );
  const found = needles.filter((needle) => haystack.includes(needle)).length;
  switch (o.mode) {
    case 'all':
      return found === needles.length ? 1 : 0;
    case 'any':
      return found > 0 ? 1 : 0;
    case 'fraction':
      return needles.length === 0 ? 1 : found / needles.length;
  }
}

export const containsMetric = definePerCase(
  {
    name: 'contains',
    description:
      'Whether the output contains the expected string(s). expected is a string or an array of strings; mode fraction (default) scores the share of them found in the output, all scores 1 only if every one is found, any scores 1 if at least one is. Case-insensitive unless case_sensitive is true. An empty list scores 1 (fraction, all) or 0 (any); a missing expected value scores 0.',
    range: [0, 1],
  },
  defineOptions({
    case_sensitive: opt.boolean(false, 'Compare letter case.'),
    mode: opt.enum(
      ['all', 'any', 'fraction'] as const,
      'fraction',
      'fraction: share of expected strings found; all: 1 if all found; any: 1 if one is found.',
    ),
  }),
  contains,
);

// ---------------------------------------------------------------------------------------------

export interface LengthMatchOptions {
  unit: 'chars' | 'words';
  min?: number;
  max?: number;
}

function measure(value: unknown, unit: LengthMatchOptions['unit']): number {
  const text = normaliseText(value);
  return unit === 'words' ? countWords(text) : codePoints(text).length;
}

/**
 * length_match: with `min` and/or `max`, 1 if the output's length is within the bounds
 * (inclusive), else 0 (expected is ignored). Otherwise 1 − |len_out − len_exp| / max(len_out,
 * len_exp), both lengths 0 → 1. Lengths of the trimmed texts, in code points (`chars`) or
 * whitespace-separated words (`words`).
 */
export function lengthMatch(output: unknown, expected: unknown, o: LengthMatchOptions): number {
  const out = measure(output, o.unit);
  if (o.min !== undefined || o.max !== undefined) {
    return out >= (o.min ?? 0) && out <= (o.max ?? Infinity) ? 1 : 0;
  }
  const exp = measure(expected, o.unit);
  const longest = Math.max(out, exp);
  return longest === 0 ? 1 : 1 - Math.abs(out - exp) / longest;
}

export const lengthMatchMetric = definePerCase(
  {
    name: 'length_match',
    description:
      'Length agreement: 1 − |len_output − len_expected| / max(len_output, len_expected) (both 0 → 1). With min and/or max, instead 1 if min ≤ len_output ≤ max, else 0, and expected is ignored. Lengths of the trimmed texts, in Unicode code points (unit chars) or whitespace-separated words (unit words).',
    range: [0, 1],
  },
  (() => {
    const o = defineOptions({
      unit: opt.enum(['chars', 'words'] as const, 'chars', 'Count characters or words.'),
      min: opt.optionalInteger('Lower length bound (inclusive); switches to bounds mode.', {
        min: 0,
      }),
      max: opt.optionalInteger('Upper length bound (inclusive); switches to bounds mode.', {
        min: 0,
      }),
    });
    return {
      specs: o.specs,
      schema: o.schema.superRefine((v, ctx) => {
        if (v.min !== undefined && v.max !== undefined && v.min > v.max) {
          ctx.addIssue({ code: 'custom', path: ['max'], message: 'max must not be below min' });
        }
      }),
    };
  })(),
  lengthMatch,
);

// ---------------------------------------------------------------------------------------------

export interface RegexMatchOptions {
  pattern?: string;
  flags: string;
  full_match: boolean;
  trim: boolean;
}

/**
 * Compiles a pattern (cached per pattern and flags); throws SyntaxError for a bad pattern or
 * flags. `g` and `y` are dropped.
 */
export function compileRegex(pattern: string, flags: string, fullMatch: boolean): RegExp {
  const cleaned = flags.replace(/[gy]/g, '');
  // Lookarounds assert the ends of the whole string, whatever the m flag does to ^ and $.
  return cachedRegex(fullMatch ? `(?<![\\s\\S])(?:${pattern})(?![\\s\\S])` : pattern, cleaned);
}

/**
 * regex_match: 1 if the pattern (option `pattern`, else the case's expected value) matches the
 * output text, else 0; with `full_match` the whole output must match. A missing or invalid
 * pattern taken from expected scores 0 with an error in the details (an invalid `pattern` option
 * is rejected by option validation). A match that runs past REGEX_TIME_LIMIT_MS is stopped and
 * the case is not scored (NaN), with the reason in the details.
 */
export function regexMatch(output: unknown, expected: unknown, o: RegexMatchOptions): MetricValue {
  const fromOption = o.pattern !== undefined;
  if (!fromOption && (expected === null || expected === undefined)) {
    return { score: 0, details: { error: 'No pattern option and no expected value.' } };
  }
  const pattern = fromOption ? (o.pattern as string) : toText(expected);
  let re: RegExp;
  try {
    re = compileRegex(pattern, o.flags, o.full_match);
  } catch (e) {
    return { score: 0, details: { error: `Invalid pattern: ${(e as Error).message}` } };
  }
  const text = toText(output);
  try {
    return timedTest(re, o.trim ? text.trim() : text) ? 1 : 0;
  } catch (e) {
    if (!(e instanceof RegexTimeoutError)) throw e;
    return { score: NaN, details: { error: `Not scored: ${e.message}` } };
  }
}

export const regexMatchMetric = definePerCase(
  {
    name: 'regex_match',
    description:
      "1 if the regular expression (JavaScript syntax) matches the output, else 0. The pattern is the pattern option or, without it, the case's expected value. full_match requires the whole (by default trimmed) output to match. flags are JavaScript RegExp flags (g and y are ignored).",
    range: [0, 1],
  },
  (() => {
    const o = defineOptions({
      pattern: opt.optionalString("Regular expression; defaults to the case's expected value."),
      flags: opt.text('', 'RegExp flags, e.g. "i" or "is" (g and y are ignored).'),
      full_match: opt.boolean(false, 'Require the whole output to match.'),
      trim: opt.boolean(true, 'Strip leading and trailing whitespace from the output first.'),
    });
    return {
      specs: o.specs,
      schema: o.schema.superRefine((v, ctx) => {
        try {
          new RegExp('', v.flags.replace(/[gy]/g, ''));
        } catch (e) {
          ctx.addIssue({ code: 'custom', path: ['flags'], message: (e as Error).message });
          return;
        }
        if (v.pattern !== undefined) {
          try {
            compileRegex(v.pattern, v.flags, v.full_match);
          } catch (e) {
            ctx.addIssue({ code: 'custom', path: ['pattern'], message: (e as Error).message });
          }
        }
      }),
    };
  })(),
  regexMatch,
);
