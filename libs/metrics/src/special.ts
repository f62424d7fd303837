/** Special functions and exact tests used by the statistics. */

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * Complementary error function erfc(x) = 1 − erf(x), to about 1e-14 relative accuracy: the
 * Maclaurin series of erf for |x| < 2, the continued fraction
 * erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (evaluated with Lentz's
 * method) beyond, and erfc(−x) = 2 − erfc(x).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/√π · Σ (−1)^n x^(2n+1) / (n! (2n+1))
    const x2 = x * x;
    let power = x; // (−1)^n x^(2n+1) / n!
    let sum = x;
    for (let n = 1; n < 100; n++) {
      power *= -x2 / n;
      const term = power / (2 * n + 1);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / SQRT_PI) * sum;
  }
  if (x > 27) return 0; // below the smallest double
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let i = 1; i < 500; i++) {
    const a = i / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** Upper tail P(X ≥ x) of the chi-square distribution with one degree of freedom. */
export function chiSquare1Sf(x: number): number {
  if (x <= 0) return 1;
  return erfc(Math.sqrt(x / 2));
}

/**
 * Exact two-sided p-value of the sign test: k successes out of n with p = ½,
 * min(1, 2·P(X ≤ min(k, n−k))), the binomial pmf built by iterative products in log space.
 */
export function binomialTwoSidedP(k: number, n: number): number {
  if (n === 0) return 1;
  const m = Math.min(k, n - k);
  let logTerm = n * Math.log(0.5); // log C(n, 0) 0.5^n
  let tail = Math.exp(logTerm);
  for (let i = 0; i < m; i++) {
    logTerm += Math.log((n - i) / (i + 1));
    tail += Math.exp(logTerm);
  }
  return Math.min(1, 2 * tail);
}

export interface McNemarResult {
  /** Pairs where A passes and B fails. */
  b: number;
  /** Pairs where A fails and B passes. */
  c: number;
  /** min(b, c) for the exact test; (|b − c| − 1)² / (b + c) for the chi-square test. */
  statistic: number;
  p_value: number;
  method: 'exact' | 'chi_square';
}

/**
 * McNemar's test on the discordant pairs b and c. When b + c < `exactBelow` (25) the exact
 * two-sided binomial test (statistic min(b, c)); else chi-square with one degree of freedom and
 * continuity correction, (|b − c| − 1)² / (b + c), as R's `mcnemar.test` and statsmodels.
 * No discordant pairs → p = 1.
 */
export function mcnemar(b: number, c: number, exactBelow = 25): McNemarResult {
  const n = b + c;
  if (n < exactBelow) {
    return { b, c, statistic: Math.min(b, c), p_value: binomialTwoSidedP(b, n), method: 'exact' };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, statistic, p_value: chiSquare1Sf(statistic), method: 'chi_square' };
}
