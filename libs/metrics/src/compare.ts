import { type McNemarResult, mcnemar } from './special';
import { DEFAULT_SEED, mulberry32 } from './random';
import { type BootstrapOptions, DEFAULT_RESAMPLES, summarize } from './stats';

/** One case's result in a run being compared. */
export interface CaseOutcome {
  /** Weighted score. */
  score: number;
  passed: boolean;
  metrics?: Record<string, number>;
}

export interface CompareOptions extends BootstrapOptions {
  /** Score differences within this are ties. Default 1e-9. */
  tie_epsilon?: number;
  /** Significance level for the verdict. Default 0.05. */
  alpha?: number;
}

export interface CaseDelta {
  key: string;
  a: number;
  b: number;
  /** b − a. */
  delta: number;
}

export interface PairedComparison {
  /** Cases present in both runs with a finite score in both. */
  shared: number;
  mean_a: number | null;
  mean_b: number | null;
  /** mean_b − mean_a. */
  delta: number | null;
  /** 95% paired-bootstrap interval of the mean difference b − a. */
  ci95: [number, number] | null;
  /** Cases where b beats a by more than tie_epsilon. */
  wins: number;
  ties: number;
  losses: number;
  mcnemar: McNemarResult;
  /** Per metric present in both runs: means over the shared cases where both have a score. */
  metrics: Record<string, { mean_a: number | null; mean_b: number | null; delta: number | null }>;
  /** Shared cases by |delta|, largest first (then by key). */
  cases: CaseDelta[];
  verdict: { significant: boolean; better: 'a' | 'b' | null; text: string };
}

const fmt = (x: number) => (Math.abs(x) >= 0.001 || x === 0 ? x.toFixed(3) : x.toExponential(1));
const fmtP = (p: number) => (p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`);

function meanOf(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Paired comparison of two runs over the cases they share (keys present in both with finite
 * scores, in the order of `a`):
 * - means, delta = mean_b − mean_a and its 95% paired bootstrap interval (the per-case
 *   differences resampled, seeded);
 * - wins / ties / losses of b against a (ties within tie_epsilon);
 * - McNemar's test on pass/fail (b = a passes and b fails, c = a fails and b passes), exact
 *   below 25 discordant pairs, else chi-square with continuity correction;
 * - per-metric means and deltas; the cases sorted by |delta|.
 * The difference is significant when the interval excludes 0 or McNemar's p < alpha (0.05); the
 * better run is then the sign of delta when the interval excludes 0, else the side McNemar favours.
 */
export function comparePaired(
  a: ReadonlyMap<string, CaseOutcome>,
  b: ReadonlyMap<string, CaseOutcome>,
  {
    seed = DEFAULT_SEED,
    resamples = DEFAULT_RESAMPLES,
    tie_epsilon = 1e-9,
    alpha = 0.05,
  }: CompareOptions = {},
): PairedComparison {
  const cases: CaseDelta[] = [];
  let aPassBFail = 0;
  let aFailBPass = 0;
  const metricPairs = new Map<string, { a: number[]; b: number[] }>();
  for (const [key, ra] of a) {
    const rb = b.get(key);
    if (!rb || !Number.isFinite(ra.score) || !Number.isFinite(rb.score)) continue;
    cases.push({ key, a: ra.score, b: rb.score, delta: rb.score - ra.score });
    if (ra.passed && !rb.passed) aPassBFail++;
    if (!ra.passed && rb.passed) aFailBPass++;
    for (const [name, va] of Object.entries(ra.metrics ?? {})) {
      const vb = rb.metrics?.[name];
      if (vb === undefined) continue;
      let pair = metricPairs.get(name);
      if (!pair) {
        pair = { a: [], b: [] };
        metricPairs.set(name, pair);
      }
      if (Number.isFinite(va) && Number.isFinite(vb)) {
        pair.a.push(va);
        pair.b.push(vb);
      }
    }
  }
  const shared = cases.length;
  const deltas = cases.map((c) => c.delta);
  const meanA = meanOf(cases.map((c) => c.a));
  const meanB = meanOf(cases.map((c) => c.b));
  const delta = meanA === null || meanB === null ? null : meanB - meanA;
  const ci95 = summarize(deltas, { seed, resamples }).ci95;
  const wins = deltas.filter((d) => d > tie_epsilon).length;
  const losses = deltas.filter((d) => d < -tie_epsilon).length;
  const test = mcnemar(aPassBFail, aFailBPass);

  const metrics: PairedComparison['metrics'] = {};
  for (const [name, pair] of [...metricPairs].sort(([x], [y]) => x.localeCompare(y))) {
    const ma = meanOf(pair.a);
    const mb = meanOf(pair.b);
    metrics[name] = { mean_a: ma, mean_b: mb, delta: ma === null || mb === null ? null : mb - ma };
  }

  const ciExcludesZero = ci95 !== null && (ci95[0] > 0 || ci95[1] < 0);
  const mcnemarSignificant = test.p_value < alpha;
  const significant = shared > 0 && (ciExcludesZero || mcnemarSignificant);
  let better: 'a' | 'b' | null = null;
  if (significant) {
    if (ciExcludesZero) better = (delta ?? 0) > 0 ? 'b' : 'a';
    else better = test.c > test.b ? 'b' : 'a';
  }

  let text: string;
  if (shared === 0 || delta === null || ci95 === null) {
    text = 'The runs share no scored cases, so they cannot be compared.';
  } else {
    const direction =
      Math.abs(delta) <= tie_epsilon
        ? 'A and B score the same on average'
        : `${delta > 0 ? 'B' : 'A'} scores higher by ${fmt(Math.abs(delta))} on average`;
    const significance = significant
      ? `The difference is statistically significant; ${better === 'b' ? 'B' : 'A'} is better.`
      : 'The difference is not statistically significant.';
    text =
      `${direction} over ${shared} shared case${shared === 1 ? '' : 's'} ` +
      `(95% CI of B − A: ${fmt(ci95[0])} to ${fmt(ci95[1])}). ` +
      `B wins ${wins}, ties ${shared - wins - losses}, loses ${losses}. ` +
      `McNemar (${test.b} A-only passes, ${test.c} B-only passes) p ${fmtP(test.p_value)}. ` +
      significance;
  }

  cases.sort(
    (x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0),
  );
  return {
    shared,
    mean_a: meanA,
    mean_b: meanB,
    delta,
    ci95,
    wins,
    ties: shared - wins - losses,
    losses,
    mcnemar: test,
    metrics,
    cases,
    verdict: { significant, better, text },
  };
}

export interface RepeatCaseStats {
  key: string;
  /** Repeats with a finite score. */
  runs: number;
  mean: number | null;
  /** Sample variance (n − 1); 0 for one run. */
  variance: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  /** Share of repeats scoring ≥ the pass threshold. */
  pass_rate: number | null;
}

export interface RepeatStats {
  cases: RepeatCaseStats[];
  /** Mean over cases of the per-case variance (cases with a variance). */
  mean_variance: number | null;
  /** Cases that passed in some repeats and failed in others. */
  flaky: number;
}

/**
 * Consistency across repeated runs: for each case, the scores of its repeats → mean, sample
 * variance, std, min, max and pass rate (score ≥ passThreshold, default 0.5); plus the mean
 * per-case variance and the number of flaky cases (0 < pass rate < 1). Non-finite scores are
 * ignored.
 */
export function repeatStats(
  scores: ReadonlyMap<string, readonly number[]> | Readonly<Record<string, readonly number[]>>,
  { passThreshold = 0.5 }: { passThreshold?: number } = {},
): RepeatStats {
  const entries: [string, readonly number[]][] =
    scores instanceof Map
      ? [...(scores as ReadonlyMap<string, readonly number[]>)]
      : Object.entries(scores as Readonly<Record<string, readonly number[]>>);
  const cases = entries.map(([key, values]): RepeatCaseStats => {
    const v = values.filter((x) => Number.isFinite(x));
    const n = v.length;
    if (n === 0) {
      return {
        key,
        runs: 0,
        mean: null,
        variance: null,
        std: null,
        min: null,
        max: null,
        pass_rate: null,
      };
    }
    const m = v.reduce((s, x) => s + x, 0) / n;
    const variance = n < 2 ? 0 : v.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1);
    return {
      key,
      runs: n,
      mean: m,
      variance,
      std: Math.sqrt(variance),
      min: Math.min(...v),
      max: Math.max(...v),
      pass_rate: v.filter((x) => x >= passThreshold).length / n,
    };
  });
  const variances = cases.flatMap((c) => (c.variance === null ? [] : [c.variance]));
  return {
    cases,
    mean_variance: meanOf(variances),
    flaky: cases.filter((c) => c.pass_rate !== null && c.pass_rate > 0 && c.pass_rate < 1).length,
  };
}

/** The result of {@link signFlipTest}. */
export interface SignFlipResult {
  /** Cases with a non-zero difference (zeros carry no sign to flip). */
  n: number;
  /** P(mean difference ≥ observed) under the null of differences symmetric about 0. */
  p_greater: number;
  /** P(|mean difference| ≥ |observed|) under the same null. */
  p_two_sided: number;
  /** True when every sign assignment was enumerated (else a seeded Monte Carlo estimate). */
  exact: boolean;
}

/** At most 2^16 sign assignments are enumerated; above, a seeded sample is drawn. */
const EXACT_SIGN_FLIP_MAX = 16;

/**
 * Paired sign-flip (randomization) test of per-case differences b − a: under the null that the
 * two prompts are exchangeable on each case, every difference is as likely positive as negative,
 * so the observed sum is compared with the sums of all sign assignments (exact for up to 16
 * non-zero differences, else `resamples` seeded draws with the +1 correction). Unlike a bootstrap
 * interval it keeps its level on a handful of cases.
 */
export function signFlipTest(
  deltas: readonly number[],
  { seed = DEFAULT_SEED, resamples = 20_000 }: { seed?: number; resamples?: number } = {},
): SignFlipResult {
  const d = deltas.filter((x) => Number.isFinite(x) && x !== 0);
  const n = d.length;
  if (n === 0) return { n, p_greater: 1, p_two_sided: 1, exact: true };
  const observed = d.reduce((s, x) => s + x, 0);
  const eps = 1e-12 * d.reduce((s, x) => s + Math.abs(x), 0);
  let greater = 0;
  let extreme = 0;
  const count = (sum: number) => {
    if (sum >= observed - eps) greater++;
    if (Math.abs(sum) >= Math.abs(observed) - eps) extreme++;
  };
  if (n <= EXACT_SIGN_FLIP_MAX) {
    const total = 2 ** n;
    for (let mask = 0; mask < total; mask++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += mask & (1 << i) ? -d[i] : d[i];
      count(sum);
    }
    return { n, p_greater: greater / total, p_two_sided: extreme / total, exact: true };
  }
  const rng = mulberry32(seed);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += rng() < 0.5 ? -d[i] : d[i];
    count(sum);
  }
  return {
    n,
    p_greater: (greater + 1) / (resamples + 1),
    p_two_sided: (extreme + 1) / (resamples + 1),
    exact: false,
  };
}
