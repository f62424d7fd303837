import { Injectable } from '@nestjs/common';
import {
  type EvaluationEntity,
  type EvaluationResultEntity,
  EvaluationsRepository,
  ProjectsRepository,
  PromptsRepository,
} from '@ps/database';
import { type CaseOutcome, comparePaired, type EvaluationSummary, getMetric } from '@ps/metrics';
import { evaluationSettingsSchema } from '@ps/evaluation';
import type { CaseTable } from './render';
import type {
  ComparisonReport,
  EvaluationHeader,
  EvaluationReport,
  Report,
  ReportCase,
} from './report-model';

const WORST_CASES = 20;

/** Thrown when a report is asked of a run that has not completed. */
export class ReportNotReadyError extends Error {}

/** What `render` needs: the report, and for a run the table of every case (read lazily). */
export interface ReportSource {
  report: Report;
  cases?: CaseTable;
}

/**
 * Builds the report model of a completed run (or of two, compared) from the stored rows. Used by
 * the API for reports on request and by the `report` job; callers check workspace access first.
 */
@Injectable()
export class ReportBuilder {
  constructor(
    private readonly evaluations: EvaluationsRepository,
    private readonly prompts: PromptsRepository,
    private readonly projects: ProjectsRepository,
  ) {}

  /**
   * The report of run `a`, or the comparison of `a` with `b`, ready for any format. The case table
   * costs nothing until the CSV renderer reads it.
   */
  async source(
    workspaceId: number,
    a: EvaluationEntity,
    b: EvaluationEntity | null,
  ): Promise<ReportSource> {
    if (b) return { report: await this.comparison(workspaceId, a, b) };
    return {
      report: await this.evaluation(workspaceId, a),
      cases: { metricNames: this.metricNames(a), rows: this.allCases(a) },
    };
  }

  async evaluation(workspaceId: number, evaluation: EvaluationEntity): Promise<EvaluationReport> {
    if (evaluation.status !== 'completed' || !evaluation.summary) {
      throw new ReportNotReadyError(
        `Evaluation ${evaluation.id} is ${evaluation.status}; reports need a completed run.`,
      );
    }
    const { rows } = await this.evaluations.listResults(
      evaluation.id,
      {},
      { page: 1, perPage: WORST_CASES },
      'score',
    );
    return {
      kind: 'evaluation',
      generated_at: new Date().toISOString(),
      evaluation: await this.header(workspaceId, evaluation),
      summary: evaluation.summary as unknown as EvaluationSummary,
      worst_cases: await this.cases(rows),
    };
  }

  async comparison(
    workspaceId: number,
    a: EvaluationEntity,
    b: EvaluationEntity,
  ): Promise<ComparisonReport> {
    const [ra, rb] = await Promise.all([
      this.evaluation(workspaceId, a),
      this.evaluation(workspaceId, b),
    ]);
    return {
      kind: 'comparison',
      generated_at: new Date().toISOString(),
      a: { evaluation: ra.evaluation, summary: ra.summary },
      b: { evaluation: rb.evaluation, summary: rb.summary },
      comparison: await this.compare(a, b),
    };
  }

  /** Paired comparison (B − A) over the (case, repeat) runs both scored. */
  async compare(a: EvaluationEntity, b: EvaluationEntity) {
    const [ma, mb] = await Promise.all([this.outcomes(a), this.outcomes(b)]);
    return comparePaired(ma, mb, { seed: 1 });
  }

  /** Every result as report rows, page by page (CSV of any size). */
  async *allCases(evaluation: EvaluationEntity): AsyncGenerator<ReportCase> {
    for await (const page of this.evaluations.streamResults(evaluation.id, 500)) {
      yield* await this.cases(page);
    }
  }

  /** Per-case metric columns of a run, as results name them. */
  metricNames(evaluation: EvaluationEntity): string[] {
    const settings = evaluationSettingsSchema.parse(evaluation.metricsConfig);
    return settings.metrics
      .filter((m) => getMetric(m.name).kind === 'per_case')
      .map((m) => (m.field ? `${m.name}:${m.field}` : m.name));
  }

  private async outcomes(evaluation: EvaluationEntity): Promise<Map<string, CaseOutcome>> {
    const map = new Map<string, CaseOutcome>();
    for await (const page of this.evaluations.streamResults(evaluation.id)) {
      for (const row of page) {
        if (row.status !== 'ok' || row.aggregateScore === null) continue;
        map.set(`${row.testCaseId}:${row.repeatIndex}`, {
          score: row.aggregateScore,
          passed: row.passed === true,
          metrics: finiteScores(row.scores),
        });
      }
    }
    return map;
  }

  private async cases(rows: EvaluationResultEntity[]): Promise<ReportCase[]> {
    const cases = await this.evaluations.testCaseNames([...new Set(rows.map((r) => r.testCaseId))]);
    return rows.map((r) => {
      const tc = cases.get(r.testCaseId);
      return {
        test_case_id: r.testCaseId,
        name: tc?.name ?? null,
        repeat_index: r.repeatIndex,
        inputs: tc?.inputs ?? {},
        expected: tc?.expected ?? null,
        output: r.output,
        score: r.aggregateScore,
        passed: r.passed,
        status: r.status,
        error: r.error,
        metrics: finiteScores(r.scores),
        latency_ms: r.latencyMs,
        cost: r.cost,
      };
    });
  }

  private async header(
    workspaceId: number,
    evaluation: EvaluationEntity,
  ): Promise<EvaluationHeader> {
    const version = await this.prompts.findVersionById(evaluation.promptVersionId);
    const project = await this.projects.findAny(workspaceId, evaluation.projectId);
    const prompt = version ? await this.prompts.findAny(workspaceId, version.promptId) : null;
    const settings = evaluationSettingsSchema.parse(evaluation.metricsConfig);
    const mc = evaluation.modelConfig as {
      provider: string;
      model: string;
      parameters?: Record<string, unknown>;
    };
    return {
      id: evaluation.id,
      status: evaluation.status,
      project: { id: evaluation.projectId, name: project?.name ?? '' },
      prompt: {
        id: version?.promptId ?? 0,
        name: prompt?.name ?? '',
        version_id: evaluation.promptVersionId,
        version_number: version?.versionNumber ?? 0,
      },
      model_config: { provider: mc.provider, model: mc.model, parameters: mc.parameters ?? {} },
      metrics: settings.metrics.map((m) => ({
        name: m.field ? `${m.name}:${m.field}` : m.name,
        weight: m.weight,
        options: m.options,
      })),
      pass_threshold: settings.pass_threshold,
      repeats: settings.repeats,
      concurrency: settings.concurrency,
      created_at: evaluation.createdAt.toISOString(),
      started_at: evaluation.startedAt?.toISOString() ?? null,
      completed_at: evaluation.completedAt?.toISOString() ?? null,
      error: evaluation.error,
    };
  }
}

/** Scores as numbers: a metric that did not score a case (null) is NaN, which statistics skip. */
function finiteScores(scores: Record<string, number | null>): Record<string, number> {
  return Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, v ?? NaN]));
}
