import type { EvaluationEntity, EvaluationResultEntity } from '@ps/database';
import type { EvaluationResponseDto, EvaluationResultDto } from './dto/evaluation.dto';

/** What a run's response shows of its prompt version (looked up for a whole page at once). */
export interface VersionRef {
  promptId: number;
  versionNumber: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toEvaluationResponse(
  evaluation: EvaluationEntity,
  version: VersionRef | undefined,
  jobId: number | null,
): EvaluationResponseDto {
  const settings = evaluation.metricsConfig;
  const repeats = typeof settings.repeats === 'number' ? settings.repeats : 1;
  return {
    id: evaluation.id,
    project_id: evaluation.projectId,
    prompt_id: version?.promptId ?? 0,
    prompt_version_id: evaluation.promptVersionId,
    version_number: version?.versionNumber ?? 0,
    name: evaluation.name,
    status: evaluation.status,
    progress: evaluation.progress,
    test_case_count: evaluation.testCaseIds.length * repeats,
    model_config: evaluation.modelConfig,
    settings,
    summary: evaluation.summary,
    total_tokens: evaluation.totalTokens,
    total_cost: evaluation.totalCost,
    error: evaluation.error,
    job_id: jobId,
    created_at: evaluation.createdAt.toISOString(),
    started_at: iso(evaluation.startedAt),
    completed_at: iso(evaluation.completedAt),
  };
}

export function toEvaluationResult(row: EvaluationResultEntity): EvaluationResultDto {
  return {
    id: row.id,
    test_case_id: row.testCaseId,
    repeat_index: row.repeatIndex,
    status: row.status,
    output: row.output,
    parsed_output: row.parsedOutput ?? null,
    scores: row.scores,
    details: row.details ?? null,
    score: row.aggregateScore,
    passed: row.passed,
    error: row.error,
    latency_ms: row.latencyMs,
    tokens_in: row.tokensIn,
    tokens_out: row.tokensOut,
    cost: row.cost,
    cached: row.cached,
  };
}
