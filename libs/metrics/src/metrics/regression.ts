import { type DatasetAccumulator, defineDataset } from '../definition';
import { defineOptions, opt } from '../options';
import { getField, parseJson } from '../text';
import type { DatasetMetricResult, MetricPair } from '../types';

export type RegressionMetricName = 'mae' | 'mse' | 'rmse';

const { abs } = Math;

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A number from an output or expected value: a finite number, or a string that is one decimal
 * number (surrounding whitespace allowed; no hex, no thousands separators, no units). With
 * `field`, that field of the value parsed as a JSON object. Undefined otherwise.
 */
export function extractNumber(value: unknown, field?: string): number | undefined {
  let v = value;
  if (field !== undefined) {
    const parsed = parseJson(value);
    if (!parsed.ok) return undefined;
    v = getField(parsed.value, field);
  }
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    if (!NUMBER.test(t)) return undefined;
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

class RegressionAccumulator implements DatasetAccumulator {
  /** output − expected of each included pair. */
  private readonly errors: number[] = [];
  private readonly scores: number[] = [];

  constructor(
    readonly metric: RegressionMetricName,
    private readonly field: string | undefined,
  ) {}

  get size() {
    return this.scores.length;
  }

  get included() {
    return this.errors.length;
  }

  add({ output, expected }: Pick<MetricPair, 'output' | 'expected'>): void {
    const out = extractNumber(output, this.field);
    const exp = extractNumber(expected, this.field);
    if (out === undefined || exp === undefined) {
      this.scores.push(NaN);
      return;
    }
    const error = out - exp;
    this.errors.push(error);
    this.scores.push(this.metric === 'mae' ? Math.abs(error) : error * error);
  }

  statisticOf(indices: ArrayLike<number>): number {
    if (indices.length === 0) return NaN;
    let sum = 0;
    for (let k = 0; k < indices.length; k++) {
      const e = this.errors[indices[k]];
      sum += this.metric === 'mae' ? abs(e) : e * e;
    }
    const mean = sum / indices.length;
    return this.metric === 'rmse' ? Math.sqrt(mean) : mean;
  }

  result(): DatasetMetricResult {
    const count = this.errors.length;
    const value = this.statisticOf(Array.from({ length: count }, (_, i) => i));
    return {
      value,
      scores: [...this.scores],
      details: { count, excluded: this.size - count },
    };
  }
}

const regressionOptions = defineOptions({
  value_field: opt.optionalString(
    'Field holding the number in JSON output and expected objects (top-level key or dotted path); without it the whole output is the number.',
  ),
});

const numbers =
  'Output and expected are numbers or numeric strings (or their value_field in JSON objects); pairs where either is not a number are left out and counted in the details.';

export const maeMetric = defineDataset(
  {
    name: 'mae',
    description: `Mean absolute error: mean of |output − expected|. ${numbers} Per-case scores are the absolute errors.`,
    range: [0, null],
  },
  regressionOptions,
  (o) => new RegressionAccumulator('mae', o.value_field),
);

export const mseMetric = defineDataset(
  {
    name: 'mse',
    description: `Mean squared error: mean of (output − expected)². ${numbers} Per-case scores are the squared errors.`,
    range: [0, null],
  },
  regressionOptions,
  (o) => new RegressionAccumulator('mse', o.value_field),
);

export const rmseMetric = defineDataset(
  {
    name: 'rmse',
    description: `Root mean squared error: √(mean of (output − expected)²). ${numbers} Per-case scores are the squared errors.`,
    range: [0, null],
  },
  regressionOptions,
  (o) => new RegressionAccumulator('rmse', o.value_field),
);
