/** A chat message sent to the judge model. */
export interface JudgeMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Embeds texts; returns one vector per text, in order. */
export type EmbedPort = (texts: string[]) => Promise<number[][]>;

/** Sends messages to the judge model and returns its text answer. */
export type JudgePort = (messages: JudgeMessage[]) => Promise<string>;

/** Ports a model-backed metric may need. */
export type MetricRequirement = 'embeddings' | 'judge';

/** What a run provides to metrics: the model ports, and how many model calls may run at once. */
export interface MetricContext {
  embed?: EmbedPort;
  judge?: JudgePort;
  /** Concurrent per-case calls of an async metric in `computeMetric`. Default 4. */
  concurrency?: number;
}

/** What one per-case metric call sees: the run's ports plus the test case's inputs. */
export interface CaseContext extends MetricContext {
  inputs?: Record<string, unknown>;
}

/** A per-case result with details (for example the judge's reasoning). */
export interface ScoredCase {
  /** In [0, 1]; NaN when the case could not be scored (aggregates skip NaN). */
  score: number;
  details?: Record<string, unknown>;
}

/** What a per-case metric returns: a bare score or a score with details. */
export type MetricValue = number | ScoredCase;

/** One (output, expected) pair to score, with the case's inputs for metrics that use them. */
export interface MetricPair {
  output: unknown;
  expected: unknown;
  inputs?: Record<string, unknown>;
}

/** What a dataset-level metric returns. */
export interface DatasetMetricResult {
  /** The statistic (accuracy, F1, MAE …); NaN when no pair could be used. */
  value: number;
  /**
   * One number per pair, in order: correctness (1/0) for classification, the absolute error
   * (mae) or squared error (mse, rmse) for regression; NaN for pairs left out.
   */
  scores: number[];
  details?: Record<string, unknown>;
}

/** Normalises a per-case metric value to `{score, details?}`. */
export function toScoredCase(value: MetricValue): ScoredCase {
  return typeof value === 'number' ? { score: value } : value;
}
