import type { OptimizationCandidateEntity, OptimizationEntity } from '@ps/database';
import type { StoredOptimizationConfig } from '@ps/jobs';
import type {
  CandidateResponseDto,
  OptimizationEstimateDto,
  OptimizationResponseDto,
  SplitScoreDto,
} from './dto/optimization.dto';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type Summary = { mean: number | null; n: number; ci95: [number, number] | null } | null;

function split(summary: Summary | undefined): SplitScoreDto | null {
  return summary ? { mean: summary.mean, ci95: summary.ci95, n: summary.n } : null;
}

/** What the worker stores in `optimizations.result` (the runner's result, trimmed). */
export interface StoredOptimizationResult {
  baseline?: { train: Summary; validation: Summary };
  best?: { train: Summary; validation: Summary; validation_rescored: Summary } | null;
  seed_rescored?: Summary;
  improved?: boolean;
  delta?: number | null;
  ci95?: [number, number] | null;
  verdict?: string;
  usage?: OptimizationResponseDto['usage'];
  budget?: OptimizationResponseDto['budget'];
  candidates?: number;
  details?: Record<string, unknown>;
  stop_reason?: string;
  split?: { method: string; train_case_ids: string[]; validation_case_ids: string[] };
}

export function toOptimizationResponse(
  row: OptimizationEntity,
  jobId: number | null,
  live: { usage?: OptimizationResponseDto['usage']; candidates?: number } = {},
): OptimizationResponseDto {
  const config = row.config as unknown as StoredOptimizationConfig;
  const result = (row.result ?? {}) as StoredOptimizationResult;
  const best = result.best ?? null;
  return {
    id: row.id,
    project_id: row.projectId,
    prompt_id: row.promptId,
    name: config.name ?? null,
    strategy: row.strategy,
    status: row.status,
    progress: row.progress,
    initial_version_id: row.initialVersionId,
    optimized_version_id: row.optimizedVersionId,
    config: row.config,
    split: result.split
      ? {
          method: result.split.method,
          train_case_ids: result.split.train_case_ids.map(Number),
          validation_case_ids: result.split.validation_case_ids.map(Number),
        }
      : null,
    baseline: {
      train: split(result.baseline?.train),
      validation: split(result.baseline?.validation),
    },
    best: {
      train: split(best?.train),
      validation: split(best?.validation_rescored ?? best?.validation),
    },
    improvement:
      result.verdict !== undefined
        ? {
            improved: result.improved === true,
            delta: result.delta ?? null,
            ci95: result.ci95 ?? null,
            verdict: result.verdict,
          }
        : null,
    iterations_completed: row.iterationsCompleted,
    usage: result.usage ??
      live.usage ?? {
        llm_calls: 0,
        tokens: row.totalTokens,
        usd: row.totalCost,
        iterations: row.iterationsCompleted,
        duration_s: 0,
      },
    budget: result.budget ?? config.budget ?? {},
    estimate: (config.estimate as unknown as OptimizationEstimateDto | undefined) ?? null,
    candidate_count: result.candidates ?? live.candidates ?? 0,
    details: result.details ?? null,
    error: row.error,
    job_id: jobId,
    created_at: row.createdAt.toISOString(),
    started_at: iso(row.startedAt),
    completed_at: iso(row.completedAt),
  };
}

export function toCandidateResponse(row: OptimizationCandidateEntity): CandidateResponseDto {
  const candidate = row.candidate;
  return {
    candidate_id: row.candidateId,
    parent_ids: row.parentIds,
    operator: row.operator,
    iteration: row.iteration,
    status: row.status,
    scores: row.scores,
    candidate: {
      system_prompt: (candidate.system_prompt as string | null) ?? null,
      user_prompt: (candidate.user_prompt as string) ?? '',
      few_shot_examples: (candidate.few_shot_examples as unknown[]) ?? [],
      model_config: (candidate.model_config as Record<string, unknown>) ?? {},
    },
    note: row.note,
  };
}
