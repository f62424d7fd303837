import { Injectable } from '@nestjs/common';
import {
  InvalidStateError,
  NotFoundError,
  type FieldError,
  type Page,
  toPage,
  ValidationFailedError,
} from '@ps/common';
import { ApiConfig } from '@ps/config';
import {
  type EvaluationEntity,
  type EvaluationResultEntity,
  EvaluationsRepository,
  JobsRepository,
  PromptsRepository,
  type PromptVersionEntity,
  ReportDocumentsRepository,
} from '@ps/database';
import {
  type ComparisonReport,
  type EvaluationReport,
  type EvaluationSettings,
  evaluationSettingsSchema,
  metricErrors,
  ReportBuilder,
  type ReportCase,
  ReportNotReadyError,
} from '@ps/evaluation';
import { LlmClient, llmErrorToDomain } from '@ps/llm';
import { getMetric, validateMetricOptions } from '@ps/metrics';
import { evaluationJob, JobProducer, reportJob } from '@ps/queue';
import type { Actor } from '../../http/actor';
import { pageRequest } from '../../http/dto/page-query.dto';
import type {
  CompareEvaluationsDto,
  ComparisonResponseDto,
  CreateEvaluationDto,
  EvaluationResponseDto,
  EvaluationResultDto,
  ListEvaluationsQueryDto,
  ListResultsQueryDto,
  ReportQueryDto,
  ScoringDto,
} from './dto/evaluation.dto';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

function toResult(row: EvaluationResultEntity): EvaluationResultDto {
  return {
    id: row.id,
    test_case_id: row.testCaseId,
    repeat_index: row.repeatIndex,
    status: row.status,
    output: row.output,
    parsed_output: row.parsedOutput ?? null,
    scores: row.scores,
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

@Injectable()
export class EvaluationsService {
  constructor(
    private readonly evaluations: EvaluationsRepository,
    private readonly prompts: PromptsRepository,
    private readonly jobs: JobsRepository,
    private readonly documents: ReportDocumentsRepository,
    private readonly reports: ReportBuilder,
    private readonly producer: JobProducer,
    private readonly llm: LlmClient,
    private readonly config: ApiConfig,
  ) {}

  async create(actor: Actor, dto: CreateEvaluationDto, requestId: string | null, wait = false) {
    const prompt = await this.prompts.findLive(actor.workspaceId, dto.prompt_id);
    if (!prompt) throw new NotFoundError('Prompt', dto.prompt_id, 'prompt_id');
    const version = dto.version
      ? await this.prompts.findVersion(prompt.id, dto.version)
      : prompt.currentVersionId
        ? await this.prompts.findVersionById(prompt.currentVersionId)
        : null;
    if (!version) throw new NotFoundError('Prompt version', dto.version ?? 'current', 'version');
    const evaluation = await this.start(
      actor,
      prompt.projectId,
      version,
      dto,
      requestId,
      dto.name ?? null,
    );
    return wait ? this.waitFor(actor, evaluation.id) : this.get(actor, evaluation.id);
  }

  /** Validates scoring settings, selects the cases, stores the run and enqueues its job. */
  private async start(
    actor: Actor,
    projectId: number,
    version: PromptVersionEntity,
    dto: ScoringDto,
    requestId: string | null,
    name: string | null,
  ): Promise<EvaluationEntity> {
    const env = this.config.env;
    const errors: FieldError[] = [];
    let modelConfig: Record<string, unknown> | undefined;
    const requested = dto.model_config ?? version.modelConfig;
    if (!requested) {
      errors.push({
        field: 'model_config',
        message: 'The version has no model_config; send one (see GET /providers/list).',
      });
    } else {
      modelConfig = this.checkModel(requested, 'model_config', errors);
    }
    const judge =
      dto.judge_model_config &&
      this.checkModel(dto.judge_model_config, 'judge_model_config', errors);
    const embedding =
      dto.embedding_model_config &&
      this.checkModel(dto.embedding_model_config, 'embedding_model_config', errors, 'embed');
    const metrics = (dto.metrics ?? [{ name: 'exact_match' }]).map((m) => ({
      name: m.name,
      weight: m.weight ?? 1,
      options: m.options ?? {},
      ...(m.field ? { field: m.field } : {}),
    }));
    errors.push(...metricErrors(metrics, (n, o) => validateMetricOptions(n, o)));
    metrics.forEach((m, i) => {
      const known = errors.every((e) => !e.field.startsWith(`metrics.${i}.`));
      if (known && getMetric(m.name).requires?.includes('embeddings') && !embedding) {
        errors.push({
          field: 'embedding_model_config',
          message: `${m.name} needs embedding_model_config (an embedding model from GET /providers/list).`,
        });
      }
    });
    if ((dto.concurrency ?? 4) > env.EVALUATION_MAX_CONCURRENCY) {
      errors.push({
        field: 'concurrency',
        message: `concurrency must be at most ${env.EVALUATION_MAX_CONCURRENCY} (EVALUATION_MAX_CONCURRENCY).`,
      });
    }
    const selection = [
      dto.test_case_ids !== undefined,
      dto.golden_only === true,
      dto.tags !== undefined,
    ].filter(Boolean).length;
    if (selection > 1) {
      errors.push({
        field: 'test_case_ids',
        message: 'Choose one of test_case_ids, golden_only or tags.',
      });
    }
    if (errors.length) throw new ValidationFailedError(errors);

    const ids = await this.evaluations.selectTestCaseIds(projectId, {
      ids: dto.test_case_ids,
      goldenOnly: dto.golden_only,
      tags: dto.tags,
    });
    if (dto.test_case_ids) {
      const found = new Set(ids);
      const missing = [...new Set(dto.test_case_ids)].filter((id) => !found.has(id));
      if (missing.length) {
        throw new ValidationFailedError([
          {
            field: 'test_case_ids',
            message: `Not test cases of this project: ${missing.slice(0, 20).join(', ')}.`,
          },
        ]);
      }
    }
    if (ids.length === 0) {
      throw new ValidationFailedError([
        { field: 'test_case_ids', message: 'The selection holds no test cases.' },
      ]);
    }
    const repeats = dto.repeats ?? 1;
    if (ids.length * repeats > env.EVALUATION_MAX_CASES) {
      throw new ValidationFailedError([
        {
          field: 'repeats',
          message: `${ids.length} cases × ${repeats} repeats exceeds EVALUATION_MAX_CASES (${env.EVALUATION_MAX_CASES}).`,
        },
      ]);
    }
    const settings: EvaluationSettings = evaluationSettingsSchema.parse({
      metrics,
      pass_threshold: dto.pass_threshold ?? 0.5,
      concurrency: dto.concurrency ?? 4,
      repeats,
      ...(judge ? { judge_model_config: judge } : {}),
      ...(embedding ? { embedding_model_config: embedding } : {}),
    });
    const evaluation = await this.evaluations.create({
      projectId,
      promptVersionId: version.id,
      name,
      testCaseIds: ids,
      modelConfig: modelConfig!,
      metricsConfig: settings,
    });
    await this.producer.enqueue(evaluationJob, {
      workspaceId: actor.workspaceId,
      projectId,
      entityType: 'evaluation',
      entityId: evaluation.id,
      payload: { evaluation_id: evaluation.id },
      priority: dto.priority,
      requestId,
    });
    return evaluation;
  }

  private checkModel(
    input: Record<string, unknown>,
    field: string,
    errors: FieldError[],
    purpose: 'chat' | 'embed' = 'chat',
  ) {
    try {
      return { ...this.llm.validate(input, purpose) } as unknown as Record<string, unknown>;
    } catch (err) {
      const domain = llmErrorToDomain(err, field);
      if (domain instanceof ValidationFailedError) errors.push(...domain.errors);
      else throw domain;
      return undefined;
    }
  }

  private async require(actor: Actor, id: number, field?: string): Promise<EvaluationEntity> {
    const evaluation = await this.evaluations.findInWorkspace(actor.workspaceId, id);
    if (!evaluation) throw new NotFoundError('Evaluation', id, field);
    return evaluation;
  }

  private async toResponse(
    workspaceId: number,
    evaluation: EvaluationEntity,
  ): Promise<EvaluationResponseDto> {
    const version = await this.prompts.findVersionById(evaluation.promptVersionId);
    const { rows } = await this.jobs.list(
      workspaceId,
      { entityType: 'evaluation', entityId: evaluation.id },
      { page: 1, perPage: 1 },
    );
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
      job_id: rows[0]?.id ?? null,
      created_at: evaluation.createdAt.toISOString(),
      started_at: evaluation.startedAt?.toISOString() ?? null,
      completed_at: evaluation.completedAt?.toISOString() ?? null,
    };
  }

  async get(actor: Actor, id: number): Promise<EvaluationResponseDto> {
    return this.toResponse(actor.workspaceId, await this.require(actor, id));
  }

  /** Polls until the run ends or EVALUATION_WAIT_SECONDS pass; the caller sees which. */
  private async waitFor(actor: Actor, id: number): Promise<EvaluationResponseDto> {
    const deadline = Date.now() + this.config.env.EVALUATION_WAIT_SECONDS * 1000;
    for (;;) {
      const evaluation = await this.require(actor, id);
      if (TERMINAL.has(evaluation.status) || Date.now() >= deadline) {
        return this.toResponse(actor.workspaceId, evaluation);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async list(actor: Actor, query: ListEvaluationsQueryDto): Promise<Page<EvaluationResponseDto>> {
    const page = pageRequest(query);
    const { rows, total } = await this.evaluations.list(
      actor.workspaceId,
      { projectId: query.project_id, promptId: query.prompt_id, status: query.status },
      page,
    );
    const items = await Promise.all(rows.map((r) => this.toResponse(actor.workspaceId, r)));
    return { items, total, page: page.page, per_page: page.perPage };
  }

  async results(
    actor: Actor,
    id: number,
    query: ListResultsQueryDto,
  ): Promise<Page<EvaluationResultDto>> {
    const evaluation = await this.require(actor, id);
    const page = pageRequest(query);
    const { rows, total } = await this.evaluations.listResults(
      evaluation.id,
      { passed: query.passed, status: query.status },
      page,
      query.order,
    );
    return toPage(rows, total, page, toResult);
  }

  async cancel(actor: Actor, id: number): Promise<EvaluationResponseDto> {
    const evaluation = await this.require(actor, id);
    if (TERMINAL.has(evaluation.status)) {
      throw new InvalidStateError(`Evaluation ${id} is already ${evaluation.status}.`);
    }
    const { rows } = await this.jobs.list(
      actor.workspaceId,
      { entityType: 'evaluation', entityId: id },
      { page: 1, perPage: 1 },
    );
    if (rows[0] && !TERMINAL.has(rows[0].status)) {
      await this.producer.cancel(actor.workspaceId, rows[0].id).catch(() => undefined);
    }
    // A job removed before it started never reaches the runner: end the run here. A running job
    // stops at its next step and records the cancellation itself.
    const fresh = await this.require(actor, id);
    if (fresh.status === 'pending') await this.evaluations.finish(id, 'cancelled', { error: null });
    return this.get(actor, id);
  }

  /** Paired comparison of two finished runs, or two new runs started (and awaited) here. */
  async compare(
    actor: Actor,
    dto: CompareEvaluationsDto,
    requestId: string | null,
  ): Promise<ComparisonResponseDto> {
    const modes = [dto.evaluation_ids, dto.prompt_ids, dto.version_ids].filter(
      (m) => m !== undefined,
    ).length;
    if (modes !== 1) {
      throw new ValidationFailedError([
        {
          field: 'evaluation_ids',
          message: 'Send exactly one of evaluation_ids, prompt_ids or version_ids (two ids).',
        },
      ]);
    }
    let ids: number[];
    if (dto.evaluation_ids) {
      ids = dto.evaluation_ids;
    } else {
      const versions = await this.versionsToCompare(actor, dto);
      const projectIds = new Set(versions.map((v) => v.projectId));
      if (projectIds.size > 1) {
        throw new ValidationFailedError([
          {
            field: dto.prompt_ids ? 'prompt_ids' : 'version_ids',
            message: 'Both must belong to the same project.',
          },
        ]);
      }
      const runs: EvaluationEntity[] = [];
      for (const v of versions)
        runs.push(
          await this.start(
            actor,
            v.projectId,
            v.version,
            dto,
            requestId,
            `compare: version ${v.version.versionNumber}`,
          ),
        );
      ids = runs.map((r) => r.id);
      await Promise.all(ids.map((id) => this.waitFor(actor, id)));
    }
    const [a, b] = await Promise.all(
      ids.map((id, i) => this.require(actor, id, `evaluation_ids.${i}`)),
    );
    if (a.status !== 'completed' || b.status !== 'completed') {
      if (dto.evaluation_ids) {
        throw new InvalidStateError(
          `Both evaluations must be completed (they are ${a.status} and ${b.status}).`,
        );
      }
      return { evaluation_ids: ids, status: 'running', comparison: null };
    }
    const comparison = await this.reports.compare(a, b);
    return {
      evaluation_ids: ids,
      status: 'completed',
      comparison: comparison as unknown as Record<string, unknown>,
    };
  }

  private async versionsToCompare(actor: Actor, dto: CompareEvaluationsDto) {
    const out: { projectId: number; version: PromptVersionEntity }[] = [];
    if (dto.prompt_ids) {
      for (const [i, pid] of dto.prompt_ids.entries()) {
        const prompt = await this.prompts.findLive(actor.workspaceId, pid);
        const version = prompt?.currentVersionId
          ? await this.prompts.findVersionById(prompt.currentVersionId)
          : null;
        if (!prompt || !version) throw new NotFoundError('Prompt', pid, `prompt_ids.${i}`);
        out.push({ projectId: prompt.projectId, version });
      }
    } else {
      for (const [i, vid] of dto.version_ids!.entries()) {
        const version = await this.prompts.findVersionById(vid);
        const prompt = version
          ? await this.prompts.findLive(actor.workspaceId, version.promptId)
          : null;
        if (!prompt || !version) throw new NotFoundError('Prompt version', vid, `version_ids.${i}`);
        out.push({ projectId: prompt.projectId, version });
      }
    }
    return out;
  }

  /** The data every report format is rendered from; 409 until the run has completed. */
  async evaluationReport(actor: Actor, id: number): Promise<EvaluationReport> {
    return this.reportOr409(() =>
      this.require(actor, id).then((e) => this.reports.evaluation(actor.workspaceId, e)),
    );
  }

  async comparisonReport(actor: Actor, id: number, otherId: number): Promise<ComparisonReport> {
    const [a, b] = await Promise.all([
      this.require(actor, id),
      this.require(actor, otherId, 'compare_to'),
    ]);
    return this.reportOr409(() => this.reports.comparison(actor.workspaceId, a, b));
  }

  /** 404 for an unknown run, 409 until it has completed (a partial export would mislead). */
  async reportable(actor: Actor, id: number): Promise<void> {
    const evaluation = await this.require(actor, id);
    if (evaluation.status !== 'completed') {
      throw new InvalidStateError(
        `Evaluation ${id} is ${evaluation.status}; reports need a completed run.`,
      );
    }
  }

  private async reportOr409<T>(build: () => Promise<T>): Promise<T> {
    try {
      return await build();
    } catch (err) {
      if (err instanceof ReportNotReadyError) throw new InvalidStateError(err.message);
      throw err;
    }
  }

  /** Every result as report rows, streamed page by page (CSV of any size). */
  async *allCases(actor: Actor, id: number): AsyncGenerator<ReportCase> {
    yield* this.reports.allCases(await this.require(actor, id));
  }

  async metricNames(actor: Actor, id: number): Promise<string[]> {
    return this.reports.metricNames(await this.require(actor, id));
  }

  /** Renders a report in a `report` job; the job's result names the stored document. */
  async renderInBackground(
    actor: Actor,
    id: number,
    query: ReportQueryDto,
    requestId: string | null,
  ) {
    const evaluation = await this.require(actor, id);
    if (query.compare_to) await this.require(actor, query.compare_to, 'compare_to');
    if (evaluation.status !== 'completed') {
      throw new InvalidStateError(
        `Evaluation ${id} is ${evaluation.status}; reports need a completed run.`,
      );
    }
    return this.producer.enqueue(reportJob, {
      workspaceId: actor.workspaceId,
      projectId: evaluation.projectId,
      entityType: 'evaluation',
      entityId: evaluation.id,
      payload: {
        evaluation_id: id,
        format: query.format ?? 'json',
        ...(query.compare_to ? { compare_to: query.compare_to } : {}),
      },
      requestId,
    });
  }

  async storedReport(actor: Actor, reportId: number) {
    const document = await this.documents.findInWorkspace(actor.workspaceId, reportId);
    if (!document) throw new NotFoundError('Report', reportId);
    return document;
  }
}
