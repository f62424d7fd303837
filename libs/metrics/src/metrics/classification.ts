import { type DatasetAccumulator, defineDataset } from '../definition';
import { defineOptions, opt } from '../options';
import { getField, normaliseText, parseJson } from '../text';
import type { DatasetMetricResult, MetricPair } from '../types';

export type ClassificationMetricName = 'accuracy' | 'precision' | 'recall' | 'f1_score';
export type Average = 'micro' | 'macro' | 'weighted' | 'binary';

export interface LabelOptions {
  label_field?: string;
  case_sensitive: boolean;
}

/**
 * The class label of an output or expected value: with `label_field`, that field of the value
 * parsed as a JSON object (top-level key, else a dotted path); without, the whole value. The
 * label is the value's text (see `toText`), NFC-normalised, trimmed and, unless case-sensitive,
 * lower-cased. Null when absent: no value, not a JSON object, or no such field.
 */
export function extractLabel(value: unknown, o: LabelOptions): string | null {
  let v = value;
  if (o.label_field !== undefined) {
    const parsed = parseJson(value);
    if (!parsed.ok) return null;
    v = getField(parsed.value, o.label_field);
  }
  if (v === undefined || v === null) return null;
  return normaliseText(v, { trim: true, caseSensitive: o.case_sensitive });
}

export interface LabelStats<L = string | null> {
  /** Null stands for "no label" (a prediction without one). */
  label: L;
  precision: number;
  recall: number;
  f1: number;
  /** Number of true instances of the label. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Per label, over the union of true and predicted labels, in order of first appearance. */
  labels: LabelStats<number>[];
}

const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);

/**
 * Accuracy and averaged precision, recall and F1 as scikit-learn computes them with
 * `zero_division=0`. Labels are the union of the true and predicted labels. Per label:
 * P = tp/(tp+fp), R = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn), 0 when the denominator is 0.
 * - macro: unweighted mean over labels;
 * - weighted: mean weighted by support (number of true instances);
 * - micro: from the summed counts; for single-label multiclass data P = R = F1 = accuracy;
 * - binary: the scores of `positiveLabel` alone (0 if it never occurs). Unlike scikit-learn,
 *   more than two labels is not an error: a model can answer with stray labels.
 * `truth` and `pred` hold label ids (0 … k−1); `indices` picks (with repetition) the pairs used.
 */
export function classificationReportOf(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  labelCount: number,
  average: Average,
  positiveLabel: number | undefined,
  indices?: ArrayLike<number>,
): ClassificationReport {
  const tp = new Float64Array(labelCount);
  const predicted = new Float64Array(labelCount);
  const support = new Float64Array(labelCount);
  const n = indices ? indices.length : truth.length;
  let correct = 0;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k] : k;
    const t = truth[i];
    const p = pred[i];
    support[t]++;
    predicted[p]++;
    if (t === p) {
      tp[t]++;
      correct++;
    }
  }
  const labels: LabelStats<number>[] = [];
  for (let l = 0; l < labelCount; l++) {
    if (support[l] === 0 && predicted[l] === 0) continue;
    labels.push({
      label: l,
      precision: ratio(tp[l], predicted[l]),
      recall: ratio(tp[l], support[l]),
      f1: ratio(2 * tp[l], support[l] + predicted[l]),
      support: support[l],
    });
  }
  const accuracy = ratio(correct, n);
  let precision: number;
  let recall: number;
  let f1: number;
  switch (average) {
    case 'micro':
      // Every pair has exactly one true and one predicted label: Σtp/Σpredicted = Σtp/Σsupport.
      precision = recall = f1 = accuracy;
      break;
    case 'macro': {
      const mean = (key: 'precision' | 'recall' | 'f1') =>
        ratio(
          labels.reduce((s, l) => s + l[key], 0),
          labels.length,
        );
      precision = mean('precision');
      recall = mean('recall');
      f1 = mean('f1');
      break;
    }
    case 'weighted': {
      const mean = (key: 'precision' | 'recall' | 'f1') =>
        ratio(
          labels.reduce((s, l) => s + l[key] * l.support, 0),
          n,
        );
      precision = mean('precision');
      recall = mean('recall');
      f1 = mean('f1');
      break;
    }
    case 'binary': {
      const stats = labels.find((l) => l.label === positiveLabel);
      precision = stats?.precision ?? 0;
      recall = stats?.recall ?? 0;
      f1 = stats?.f1 ?? 0;
      break;
    }
  }
  return { accuracy, precision, recall, f1, labels };
}

/**
 * {@link classificationReportOf} for label lists, like scikit-learn's
 * `precision_recall_fscore_support(y_true, y_pred, average=…, zero_division=0)` plus accuracy.
 * Labels are compared as given (null = no label).
 */
export function classificationReport(
  yTrue: readonly (string | null)[],
  yPred: readonly (string | null)[],
  average: Average,
  positiveLabel?: string,
): Omit<ClassificationReport, 'labels'> & { labels: LabelStats[] } {
  if (yTrue.length !== yPred.length) throw new RangeError('yTrue and yPred differ in length.');
  const ids = new Map<string | null, number>();
  const id = (label: string | null) => {
    if (!ids.has(label)) ids.set(label, ids.size);
    return ids.get(label) as number;
  };
  const truth = yTrue.map(id);
  const pred = yPred.map(id);
  const names = [...ids.keys()];
  const report = classificationReportOf(
    truth,
    pred,
    ids.size,
    average,
    positiveLabel === undefined ? undefined : (ids.get(positiveLabel) ?? -1),
  );
  return { ...report, labels: report.labels.map((l) => ({ ...l, label: names[l.label] })) };
}

export interface ClassificationOptions extends LabelOptions {
  average?: Average;
  positive_label?: string | number | boolean;
}

const MAX_LABELS_IN_DETAILS = 50;

class ClassificationAccumulator implements DatasetAccumulator {
  private readonly ids = new Map<string | null, number>();
  private readonly names: (string | null)[] = [];
  private readonly truth: number[] = [];
  private readonly pred: number[] = [];
  private readonly scores: number[] = [];
  private readonly positive: string | undefined;
  private missingPredictions = 0;

  constructor(
    readonly metric: ClassificationMetricName,
    private readonly o: ClassificationOptions,
  ) {
    this.positive =
      o.positive_label === undefined
        ? undefined
        : (extractLabel(o.positive_label, { case_sensitive: o.case_sensitive }) ?? undefined);
  }

  get size() {
    return this.scores.length;
  }

  get included() {
    return this.truth.length;
  }

  private id(label: string | null): number {
    let id = this.ids.get(label);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(label, id);
      this.names.push(label);
    }
    return id;
  }

  add({ expected, output }: Pick<MetricPair, 'output' | 'expected'>): void {
    const t = extractLabel(expected, this.o);
    if (t === null) {
      this.scores.push(NaN);
      return;
    }
    const p = extractLabel(output, this.o);
    if (p === null) this.missingPredictions++;
    this.truth.push(this.id(t));
    this.pred.push(this.id(p));
    this.scores.push(t === p ? 1 : 0);
  }

  private report(indices?: ArrayLike<number>) {
    const positive = this.positive === undefined ? undefined : this.ids.get(this.positive);
    return classificationReportOf(
      this.truth,
      this.pred,
      this.names.length,
      this.o.average ?? 'macro',
      this.o.average === 'binary' ? (positive ?? -1) : undefined,
      indices,
    );
  }

  private pick(r: ClassificationReport): number {
    switch (this.metric) {
      case 'accuracy':
        return r.accuracy;
      case 'precision':
        return r.precision;
      case 'recall':
        return r.recall;
      case 'f1_score':
        return r.f1;
    }
  }

  statisticOf(indices: ArrayLike<number>): number {
    return indices.length === 0 ? NaN : this.pick(this.report(indices));
  }

  result(): DatasetMetricResult {
    const count = this.truth.length;
    const base = {
      count,
      excluded: this.size - count,
      missing_predictions: this.missingPredictions,
    };
    if (count === 0) return { value: NaN, scores: [...this.scores], details: base };
    const r = this.report();
    const details: Record<string, unknown> = { ...base };
    if (this.metric !== 'accuracy') {
      details.average = this.o.average ?? 'macro';
      details.labels = r.labels
        .map((l) => ({ ...l, label: this.names[l.label] }))
        .sort((a, b) => b.support - a.support)
        .slice(0, MAX_LABELS_IN_DETAILS);
    }
    return { value: this.pick(r), scores: [...this.scores], details };
  }
}

const labelOptions = {
  label_field: opt.optionalString(
    'Field holding the label in JSON output and expected objects (top-level key or dotted path); without it the whole trimmed output is the label.',
  ),
  case_sensitive: opt.boolean(true, 'Compare labels with letter case; false lower-cases them.'),
};

const accuracyDescription =
  'Share of pairs whose predicted label equals the expected label. Labels are the label_field of the output and expected JSON objects or, without label_field, the whole trimmed texts. Pairs without an expected label are left out (and counted); an output without a label is a wrong prediction.';

export const accuracyMetric = defineDataset(
  { name: 'accuracy', description: accuracyDescription, range: [0, 1] },
  defineOptions(labelOptions),
  (o) => new ClassificationAccumulator('accuracy', o),
);

function averagedMetric(name: 'precision' | 'recall' | 'f1_score', what: string) {
  const o = defineOptions({
    ...labelOptions,
    average: opt.enum(
      ['micro', 'macro', 'weighted', 'binary'] as const,
      'macro',
      'How per-label scores are combined, as in scikit-learn: macro (unweighted mean over labels), weighted (by support), micro (global counts; equals accuracy), binary (positive_label only).',
    ),
    positive_label: opt.optionalLabel('The positive class for average "binary" (required there).'),
  });
  return defineDataset(
    {
      name,
      description: `${what} as scikit-learn computes it (zero_division=0), over the union of true and predicted labels; average macro (default), weighted, micro or binary (with positive_label). Per label: precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn), 0 when a denominator is 0. Labels as for accuracy.`,
      range: [0, 1],
    },
    {
      specs: o.specs,
      schema: o.schema.superRefine((v, ctx) => {
        if (v.average === 'binary' && v.positive_label === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['positive_label'],
            message: 'is required when average is "binary"',
          });
        }
        if (v.average !== 'binary' && v.positive_label !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['positive_label'],
            message: 'is only used with average "binary"',
          });
        }
      }),
    },
    (parsed) => new ClassificationAccumulator(name, parsed),
  );
}

export const precisionMetric = averagedMetric('precision', 'Precision');
export const recallMetric = averagedMetric('recall', 'Recall');
export const f1ScoreMetric = averagedMetric('f1_score', 'F1 score');
