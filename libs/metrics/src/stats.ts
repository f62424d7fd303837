import { DEFAULT_SEED, mulberry32 } from './random';

// A local alias: looking up the global Math in a hot loop is slow inside vm contexts (Jest).
const { floor } = Math;

export const DEFAULT_RESAMPLES = 2000;
/**
 * Largest number of draws (values × resamples) one bootstrap may take: past 500 values at the
 * default 2,000 resamples. Beyond it, the mean's interval uses the normal approximation (as exact
 * as the bootstrap for a mean of that many values) and dataset statistics use fewer resamples
 * (at least 200). At 50 million, resampling a 2,000-case run's summary took ~0.1 ms of worker
 * CPU per case.
 */
export const MAX_BOOTSTRAP_DRAWS = 1_000_000;
const Z_975 = 1.959963984540054;

/** Descriptive statistics of a list of numbers. All null when there are none. */
export interface StatSummary {
  count: number;
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  std: number | null;
  /** 95% percentile-bootstrap confidence interval of the mean. */
  ci95: [number, number] | null;
}

export interface BootstrapOptions {
  /** PRNG seed; the same seed and values always give the same interval. Default 42. */
  seed?: number;
  /** Bootstrap resamples. Default 2000. */
  resamples?: number;
}

function finite(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) out[n++] = v;
  }
  return out.subarray(0, n);
}

/** Percentile of sorted values, linear interpolation between closest ranks (numpy's default). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The p-th percentile (0 ≤ p ≤ 100) with linear interpolation, like `numpy.percentile` with its
 * default method: rank h = (n − 1)·p/100, value x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
 * Non-finite values are ignored; null when none are left.
 */
export function percentile(values: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`Percentile ${p} is not between 0 and 100.`);
  return percentileOfSorted(finite(values).sort(), p);
}

export const p50 = (values: ArrayLike<number>) => percentile(values, 50);
export const p95 = (values: ArrayLike<number>) => percentile(values, 95);

/** Arithmetic mean of the finite values; null when none. */
export function mean(values: ArrayLike<number>): number | null {
  const v = finite(values);
  if (v.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i];
  return sum / v.length;
}

function effectiveResamples(resamples: number): number {
  if (!(Number.isInteger(resamples) && resamples >= 1)) {
    throw new RangeError(`resamples must be a positive integer, got ${resamples}.`);
  }
  return resamples;
}

/**
 * 95% percentile-bootstrap interval of a statistic of n items: `resamples` times, draw n item
 * indices with replacement (seeded mulberry32) and evaluate `statistic`; return the 2.5th and
 * 97.5th percentiles of the results (non-finite results ignored). Null when n = 0.
 */
export function bootstrapCi(
  n: number,
  statistic: (indices: Int32Array) => number,
  { seed = DEFAULT_SEED, resamples = DEFAULT_RESAMPLES }: BootstrapOptions = {},
): [number, number] | null {
  if (n === 0) return null;
  const rng = mulberry32(seed);
  const count = effectiveResamples(resamples);
  const stats = new Float64Array(count);
  const indices = new Int32Array(n);
  for (let r = 0; r < count; r++) {
    for (let k = 0; k < n; k++) indices[k] = floor(rng() * n);
    stats[r] = statistic(indices);
  }
  const sorted = finite(stats).sort();
  const lo = percentileOfSorted(sorted, 2.5);
  const hi = percentileOfSorted(sorted, 97.5);
  return lo === null || hi === null ? null : [lo, hi];
}

function bootstrapMeanCi(
  values: Float64Array,
  m: number,
  std: number,
  { seed = DEFAULT_SEED, resamples = DEFAULT_RESAMPLES }: BootstrapOptions,
): [number, number] {
  const n = values.length;
  const count = effectiveResamples(resamples);
  if (n === 1 || std === 0) return [m, m];
  if (n * count > MAX_BOOTSTRAP_DRAWS) {
    const half = (Z_975 * std) / Math.sqrt(n);
    return [m - half, m + half];
  }
  const rng = mulberry32(seed);
  const means = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += values[floor(rng() * n)];
    means[r] = sum / n;
  }
  means.sort();
  return [percentileOfSorted(means, 2.5) as number, percentileOfSorted(means, 97.5) as number];
}

/**
 * count, mean, median, min, max, sample standard deviation (n − 1; 0 for one value) and the 95%
 * percentile-bootstrap interval of the mean of the finite values (NaN and ±Infinity are
 * ignored). Deterministic for a given seed. When values × resamples exceeds
 * {@link MAX_BOOTSTRAP_DRAWS} the interval is the normal approximation mean ± 1.96·std/√n.
 */
export function summarize(values: ArrayLike<number>, options: BootstrapOptions = {}): StatSummary {
  const v = finite(values);
  const n = v.length;
  if (n === 0) {
    return { count: 0, mean: null, median: null, min: null, max: null, std: null, ci95: null };
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i];
  const m = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (v[i] - m) ** 2;
  const std = n < 2 ? 0 : Math.sqrt(squares / (n - 1));
  const ci95 = bootstrapMeanCi(v, m, std, options);
  const sorted = v.slice().sort();
  return {
    count: n,
    mean: m,
    median: percentileOfSorted(sorted, 50),
    min: sorted[0],
    max: sorted[n - 1],
    std,
    ci95,
  };
}

/** Resamples a bootstrap over n items may take within {@link MAX_BOOTSTRAP_DRAWS} (≥ 200). */
export function resamplesWithinBudget(n: number, resamples: number): number {
  if (n * resamples <= MAX_BOOTSTRAP_DRAWS) return resamples;
  return Math.min(resamples, Math.max(200, Math.floor(MAX_BOOTSTRAP_DRAWS / n)));
}
