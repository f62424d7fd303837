import type { CaseStatus, EvaluationSummary, PairedComparison } from '@ps/metrics';

export type { CaseStatus };

/** What a report says about the run it describes: its configuration and lifecycle. */
export interface EvaluationHeader {
  id: number;
  status: string;
  project: { id: number; name: string };
  prompt: { id: number; name: string; version_id: number; version_number: number };
  model_config: { provider: string; model: string; parameters: Record<string, unknown> };
  metrics: { name: string; weight: number; options: Record<string, unknown> }[];
  pass_threshold: number;
  repeats: number;
  concurrency: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  error: string | null;
}

/** One executed case (one repeat of one test case). */
export interface ReportCase {
  test_case_id: number;
  name: string | null;
  repeat_index: number;
  inputs: Record<string, unknown>;
  expected: unknown;
  output: string | null;
  score: number | null;
  passed: boolean | null;
  status: CaseStatus;
  error: string | null;
  metrics: Record<string, number>;
  latency_ms: number | null;
  cost: number;
}

export interface EvaluationReport {
  kind: 'evaluation';
  generated_at: string;
  evaluation: EvaluationHeader;
  summary: EvaluationSummary;
  /** The lowest scores and the failures, at most about 20. */
  worst_cases: ReportCase[];
}

export interface ComparisonSide {
  evaluation: EvaluationHeader;
  summary: EvaluationSummary;
}

export interface ComparisonReport {
  kind: 'comparison';
  generated_at: string;
  a: ComparisonSide;
  b: ComparisonSide;
  comparison: PairedComparison;
}

export type Report = EvaluationReport | ComparisonReport;

export type { ReportFormat } from './report-formats';
