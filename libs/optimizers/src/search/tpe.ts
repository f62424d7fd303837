/**
 * A seeded Tree-structured Parzen Estimator (Bergstra et al., 2011), independent per dimension.
 *
 * After `nStartup` random trials, the observations are split by score into a good share (`gamma`)
 * and the rest; each side gets a Parzen density per dimension (truncated Gaussians around the
 * observed values plus one wide prior component; categorical counts plus a prior weight).
 * `nEiCandidates` points are drawn from the good density and the one maximising l(x)/g(x) (the
 * expected-improvement criterion of TPE) is suggested. Scores are maximised. Every draw comes
 * from the given Rng, so the same seed and the same observations suggest the same points.
 */
import { erfc } from '@ps/metrics';
import type { Rng } from '../types';

export type SearchValue = number | string | boolean;

/** One dimension of a search space. */
export type SearchDimension =
  | { name: string; type: 'float'; low: number; high: number; log?: boolean }
  | { name: string; type: 'int'; low: number; high: number; log?: boolean }
  | { name: string; type: 'categorical'; choices: readonly SearchValue[] };

export type SearchSpace = readonly SearchDimension[];

/** A point of the space: dimension name to value. */
export type SearchPoint = Record<string, SearchValue>;

export interface TpeOptions {
  /** Random trials before the model is used. Default 10. */
  nStartup?: number;
  /** Points drawn from l(x) per suggestion. Default 24. */
  nEiCandidates?: number;
  /** Share of observations counted as good. Default 0.25. */
  gamma?: number;
  /** Upper bound of good observations. Default 25. */
  maxGood?: number;
  /** Weight of the prior component of each density. Default 1. */
  priorWeight?: number;
}

export interface TpeTrial {
  point: SearchPoint;
  score: number;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** P(Z ≤ z) for the standard normal. */
function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function logSumExp(values: number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/** Numeric dimensions are modelled on a continuous internal axis (log for log scale). */
interface Axis {
  low: number;
  high: number;
  toInternal(value: number): number;
  fromInternal(internal: number): number;
}

function axisOf(dim: Extract<SearchDimension, { type: 'float' | 'int' }>): Axis {
  // Integers own the interval [v − ½, v + ½], so each end value is as likely as an inner one.
  const pad = dim.type === 'int' ? 0.5 : 0;
  const lowValue = dim.low - pad;
  const highValue = dim.high + pad;
  const snap = (v: number) => {
    const r = dim.type === 'int' ? Math.round(v) : v;
    return Math.min(dim.high, Math.max(dim.low, r));
  };
  if (dim.log) {
    return {
      low: Math.log(lowValue),
      high: Math.log(highValue),
      toInternal: (v) => Math.log(v),
      fromInternal: (x) => snap(Math.exp(x)),
    };
  }
  return { low: lowValue, high: highValue, toInternal: (v) => v, fromInternal: snap };
}

/** A mixture of Gaussians truncated to [low, high]. */
interface NumericParzen {
  mus: number[];
  sigmas: number[];
  weights: number[];
  /** log of each component's mass inside the bounds. */
  logMass: number[];
}

function numericParzen(observed: number[], axis: Axis, priorWeight: number): NumericParzen {
  const range = axis.high - axis.low;
  const priorMu = (axis.low + axis.high) / 2;
  // Adaptive bandwidths: each component spans to its farther neighbour (bounds included).
  const mus = [...observed, priorMu];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b] || a - b);
  const sigmas = new Array<number>(mus.length).fill(range);
  const minSigma = range / Math.min(100, 1 + observed.length);
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (i === observed.length) continue; // the prior keeps the full range
    const left = k > 0 ? mus[order[k - 1]] : axis.low;
    const right = k < order.length - 1 ? mus[order[k + 1]] : axis.high;
    const spread = Math.max(mus[i] - left, right - mus[i]);
    sigmas[i] = Math.min(range, Math.max(minSigma, spread));
  }
  const weights = [...observed.map(() => 1), priorWeight];
  const total = weights.reduce((a, b) => a + b, 0);
  const logMass = mus.map((mu, i) => {
    const mass = normalCdf((axis.high - mu) / sigmas[i]) - normalCdf((axis.low - mu) / sigmas[i]);
    return Math.log(Math.max(mass, 1e-300));
  });
  return { mus, sigmas, weights: weights.map((w) => w / total), logMass };
}

function numericLogPdf(p: NumericParzen, x: number): number {
  const terms = p.mus.map((mu, i) => {
    const z = (x - mu) / p.sigmas[i];
    return (
      Math.log(p.weights[i]) - 0.5 * z * z - LOG_SQRT_2PI - Math.log(p.sigmas[i]) - p.logMass[i]
    );
  });
  return logSumExp(terms);
}

function pickIndex(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

function standardNormal(rng: Rng): number {
  // Box–Muller; 1 − next() keeps the logarithm's argument in (0, 1].
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function sampleNumeric(p: NumericParzen, axis: Axis, rng: Rng): number {
  const i = pickIndex(rng, p.weights);
  // Every centre lies inside the bounds and sigma ≤ range, so at least a third of draws land
  // inside: rejection ends fast; the cap keeps the number of draws bounded regardless.
  for (let attempt = 0; attempt < 64; attempt++) {
    const x = p.mus[i] + p.sigmas[i] * standardNormal(rng);
    if (x >= axis.low && x <= axis.high) return x;
  }
  return Math.min(axis.high, Math.max(axis.low, p.mus[i]));
}

function categoricalWeights(observed: number[], k: number, priorWeight: number): number[] {
  const counts = new Array<number>(k).fill(priorWeight / k);
  for (const index of observed) counts[index] += 1;
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

function pointKey(space: SearchSpace, point: SearchPoint): string {
  return JSON.stringify(space.map((d) => point[d.name]));
}

export class TpeSampler {
  private readonly nStartup: number;
  private readonly nEiCandidates: number;
  private readonly gamma: number;
  private readonly maxGood: number;
  private readonly priorWeight: number;
  private readonly observed: TpeTrial[] = [];
  /** Points suggested or observed, so a finite space is not proposed twice while it has others. */
  private readonly seen = new Set<string>();

  constructor(
    readonly space: SearchSpace,
    private readonly rng: Rng,
    options: TpeOptions = {},
  ) {
    if (space.length === 0) throw new Error('A search space needs at least one dimension.');
    for (const dim of space) {
      if (dim.type === 'categorical') {
        if (dim.choices.length === 0) throw new Error(`Dimension ${dim.name} has no choices.`);
      } else if (!(dim.low <= dim.high) || (dim.log && dim.low <= (dim.type === 'int' ? 0.5 : 0))) {
        throw new Error(`Dimension ${dim.name} has invalid bounds.`);
      }
    }
    this.nStartup = Math.max(1, options.nStartup ?? 10);
    this.nEiCandidates = Math.max(1, options.nEiCandidates ?? 24);
    this.gamma = options.gamma ?? 0.25;
    this.maxGood = options.maxGood ?? 25;
    this.priorWeight = options.priorWeight ?? 1;
  }

  /** Observations so far, in the order observed. */
  trials(): readonly TpeTrial[] {
    return this.observed;
  }

  /** The best observation so far (the earliest among equals). */
  best(): TpeTrial | null {
    let best: TpeTrial | null = null;
    for (const t of this.observed) if (!best || t.score > best.score) best = t;
    return best;
  }

  /** Records a point's score (higher is better; a non-finite score counts as the worst). */
  observe(point: SearchPoint, score: number): void {
    const value = Number.isFinite(score) ? score : -Infinity;
    this.observed.push({ point: { ...point }, score: value });
    this.seen.add(pointKey(this.space, point));
  }

  /** The next point to try. */
  suggest(): SearchPoint {
    const point =
      this.observed.length < this.nStartup || this.observed.length < 2
        ? this.randomPoint()
        : this.modelPoint();
    this.seen.add(pointKey(this.space, point));
    return point;
  }

  private randomPoint(): SearchPoint {
    // A few redraws avoid repeating a point of a small discrete space.
    let point = this.drawUniform();
    for (let i = 0; i < 8 && this.seen.has(pointKey(this.space, point)); i++) {
      point = this.drawUniform();
    }
    return point;
  }

  private drawUniform(): SearchPoint {
    const point: SearchPoint = {};
    for (const dim of this.space) {
      if (dim.type === 'categorical') {
        point[dim.name] = dim.choices[Math.floor(this.rng.next() * dim.choices.length)];
      } else {
        const axis = axisOf(dim);
        point[dim.name] = axis.fromInternal(axis.low + this.rng.next() * (axis.high - axis.low));
      }
    }
    return point;
  }

  private modelPoint(): SearchPoint {
    // Stable order: score descending, earlier trials first among ties.
    const ranked = this.observed
      .map((t, i) => ({ t, i }))
      .sort((a, b) => b.t.score - a.t.score || a.i - b.i)
      .map((x) => x.t);
    const nGood = Math.min(
      this.maxGood,
      Math.max(1, Math.ceil(this.gamma * ranked.length)),
      ranked.length - 1,
    );
    const good = ranked.slice(0, nGood);
    const bad = ranked.slice(nGood);

    const candidates: SearchPoint[] = Array.from({ length: this.nEiCandidates }, () => ({}));
    const ratio = new Array<number>(this.nEiCandidates).fill(0);
    for (const dim of this.space) {
      if (dim.type === 'categorical') {
        const indexOf = (t: TpeTrial) => dim.choices.indexOf(t.point[dim.name]);
        const l = categoricalWeights(
          good.map(indexOf).filter((i) => i >= 0),
          dim.choices.length,
          this.priorWeight,
        );
        const g = categoricalWeights(
          bad.map(indexOf).filter((i) => i >= 0),
          dim.choices.length,
          this.priorWeight,
        );
        for (let c = 0; c < this.nEiCandidates; c++) {
          const index = pickIndex(this.rng, l);
          candidates[c][dim.name] = dim.choices[index];
          ratio[c] += Math.log(l[index]) - Math.log(g[index]);
        }
      } else if (dim.low === dim.high) {
        for (const c of candidates) c[dim.name] = dim.low; // a fixed value carries no information
      } else {
        const axis = axisOf(dim);
        const internal = (t: TpeTrial) =>
          Math.min(axis.high, Math.max(axis.low, axis.toInternal(Number(t.point[dim.name]))));
        const l = numericParzen(good.map(internal), axis, this.priorWeight);
        const g = numericParzen(bad.map(internal), axis, this.priorWeight);
        for (let c = 0; c < this.nEiCandidates; c++) {
          const value = axis.fromInternal(sampleNumeric(l, axis, this.rng));
          candidates[c][dim.name] = value;
          // Densities are compared at the value actually tried (integers rounded).
          const x = axis.toInternal(value);
          ratio[c] += numericLogPdf(l, x) - numericLogPdf(g, x);
        }
      }
    }
    let bestIndex = -1;
    for (let c = 0; c < this.nEiCandidates; c++) {
      if (this.seen.has(pointKey(this.space, candidates[c]))) continue;
      if (bestIndex < 0 || ratio[c] > ratio[bestIndex]) bestIndex = c;
    }
    if (bestIndex >= 0) return candidates[bestIndex];
    // Every candidate was tried already: in a small discrete space look for an untried point.
    const fresh = this.randomPoint();
    if (!this.seen.has(pointKey(this.space, fresh))) return fresh;
    let fallback = 0;
    for (let c = 1; c < this.nEiCandidates; c++) if (ratio[c] > ratio[fallback]) fallback = c;
    return candidates[fallback];
  }
}
