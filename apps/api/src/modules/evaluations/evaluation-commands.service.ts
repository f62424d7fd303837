import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type FieldError,
  InvalidStateError,
  NotFoundError,
  templateVariables,
  ValidationFailedError,
} from '@ps/common';
import { ApiConfig } from '@ps/config';
import {
  type EvaluationEntity,
  EvaluationsRepository,
  JobsRepository,
  PromptsRepository,
  type PromptVersionEntity,
} from '@ps/database';
import {
  type EvaluationSettings,
  evaluationSettingsSchema,
  parseScoringPlan,
} from '@ps/evaluation';
import { EVENT_BUS, type EventBus, publishQuietly } from '@ps/events';
import { LlmClient, llmErrorToDomain } from '@ps/llm';
import { evaluationJob, JobProducer } from '@ps/queue';
import type { Actor } from '../../http/actor';
import type { CreateEvaluationDto, EvaluationResponseDto, ScoringDto } from './dto/evaluation.dto';
import { EvaluationQueriesService } from './evaluation-queries.service';
import { EvaluationWaiter, hasEnded } from './evaluation-waiter';

/** A run's scoring, checked: what the job will run with. */
/** A stored and enqueued run, and how many of its cases lack a template variable. */
export interface StartedRun {
  evaluation: EvaluationEntity;
  inputWarnings: { cases_missing_variables: number; variables: string[] } | null;
}

export type ScoringResult =
  | { ok: true; modelConfig: Record<string, unknown>; settings: EvaluationSettings }
  | { ok: false; errors: FieldError[] };

/** Changing runs: create (and start) one, cancel one. */
@Injectable()
export class EvaluationCommandsService {
  private readonly logger = new Logger('Evaluations');

  constructor(
    private readonly evaluations: EvaluationsRepository,
    private readonly prompts: PromptsRepository,
    private readonly jobs: JobsRepository,
    private readonly queries: EvaluationQueriesService,
    private readonly waiter: EvaluationWaiter,
    private readonly producer: JobProducer,
    private readonly llm: LlmClient,
    private readonly config: ApiConfig,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  /** Stores and enqueues a run of the prompt's current (or given) version; `wait` awaits its end. */
  async create(
    actor: Actor,
    dto: CreateEvaluationDto,
    requestId: string | null,
    wait = false,
  ): Promise<EvaluationResponseDto> {
    const prompt = await this.prompts.findLive(actor.workspaceId, dto.prompt_id);
    if (!prompt) throw new NotFoundError('Prompt', dto.prompt_id, 'prompt_id');
    const version = dto.version
      ? await this.prompts.findVersion(prompt.id, dto.version)
      : prompt.currentVersionId
        ? await this.prompts.findVersionById(prompt.currentVersionId)
        : null;
    if (!version) throw new NotFoundError('Prompt version', dto.version ?? 'current', 'version');
    const { evaluation, inputWarnings } = await this.start(
      actor,
      prompt.projectId,
      version,
      dto,
      requestId,
      dto.name ?? null,
    );
    const warned = (response: EvaluationResponseDto): EvaluationResponseDto =>
      inputWarnings ? { ...response, input_warnings: inputWarnings } : response;
    if (!wait) return warned(await this.queries.respond(actor, evaluation));
    const [ended] = await this.waiter.untilEnded(actor.workspaceId, [evaluation.id], (id) =>
      this.queries.require(actor, id),
    );
    return warned(await this.queries.respond(actor, ended));
  }

  /** Validates the run's settings, selects the cases, stores the run and enqueues its job. */
  async start(
    actor: Actor,
    projectId: number,
    version: PromptVersionEntity,
    dto: ScoringDto,
    requestId: string | null,
    name: string | null,
  ): Promise<StartedRun> {
    const env = this.config.env;
    const scoring = this.validateScoring(dto, version);
    const errors = scoring.ok ? [] : [...scoring.errors];
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
    if (!scoring.ok || errors.length) throw new ValidationFailedError(errors);

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
    const repeats = scoring.settings.repeats;
    if (ids.length * repeats > env.EVALUATION_MAX_CASES) {
      throw new ValidationFailedError([
        {
          field: 'repeats',
          message: `${ids.length} cases × ${repeats} repeats exceeds EVALUATION_MAX_CASES (${env.EVALUATION_MAX_CASES}).`,
        },
      ]);
    }
    // Cases whose inputs lack a template variable are never sent (render_error): say how many
    // now, or refuse the run with strict_inputs.
    const variables = [
      ...new Set([
        ...(version.systemPrompt ? templateVariables(version.systemPrompt) : []),
        ...templateVariables(version.userPrompt),
      ]),
    ];
    const missing = await this.evaluations.countMissingInputs(projectId, ids, variables);
    const inputWarnings = missing > 0 ? { cases_missing_variables: missing, variables } : null;
    if (inputWarnings && dto.strict_inputs) {
      throw new ValidationFailedError([
        {
          field: 'test_case_ids',
          message: `${missing} of ${ids.length} selected cases lack an input the prompt uses (${variables.map((v) => `{${v}}`).join(', ')}); strict_inputs refuses the run.`,
        },
      ]);
    }
    const evaluation = await this.evaluations.create({
      projectId,
      promptVersionId: version.id,
      name,
      testCaseIds: ids,
      modelConfig: scoring.modelConfig,
      metricsConfig: scoring.settings,
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
    return { evaluation, inputWarnings };
  }

  /**
   * Everything about scoring a run, checked at once so every bad field is named: the model
   * configs (evaluated, judge, embedding), the metrics with their weights and options, the pass
   * threshold, concurrency and repeats.
   */
  private validateScoring(dto: ScoringDto, version: PromptVersionEntity): ScoringResult {
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
    const plan = parseScoringPlan({ metrics, pass_threshold: dto.pass_threshold ?? 0.5 });
    if (!plan.ok) errors.push(...plan.errors);
    else if (plan.plan.requires.includes('embeddings') && !embedding) {
      const needs = plan.plan.metrics.find((m) => m.requires.includes('embeddings'))!;
      errors.push({
        field: 'embedding_model_config',
        message: `${needs.name} needs embedding_model_config (an embedding model from GET /providers/list).`,
      });
    }
    if ((dto.concurrency ?? 4) > env.EVALUATION_MAX_CONCURRENCY) {
      errors.push({
        field: 'concurrency',
        message: `concurrency must be at most ${env.EVALUATION_MAX_CONCURRENCY} (EVALUATION_MAX_CONCURRENCY).`,
      });
    }
    if (errors.length || !modelConfig) return { ok: false, errors };
    const settings = evaluationSettingsSchema.parse({
      metrics,
      pass_threshold: dto.pass_threshold ?? 0.5,
      concurrency: dto.concurrency ?? 4,
      repeats: dto.repeats ?? 1,
      ...(judge ? { judge_model_config: judge } : {}),
      ...(embedding ? { embedding_model_config: embedding } : {}),
    });
    return { ok: true, modelConfig, settings };
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

  /** Cancel a run: a waiting job is removed; a running one stops at its next case. */
  async cancel(actor: Actor, id: number): Promise<EvaluationResponseDto> {
    const evaluation = await this.queries.require(actor, id);
    if (hasEnded(evaluation)) {
      throw new InvalidStateError(`Evaluation ${id} is already ${evaluation.status}.`);
    }
    const jobId = await this.queries.jobIdOf(actor, id);
    const job = jobId !== null ? await this.jobs.find(jobId) : null;
    if (job && !['completed', 'failed', 'cancelled'].includes(job.status)) {
      await this.producer.cancel(actor.workspaceId, job.id).catch(() => undefined);
    }
    // A job removed before it started never reaches the runner: end the run here (and say so, as
    // the runner would). A running job stops at its next step and records the cancellation itself.
    const fresh = await this.queries.require(actor, id);
    if (
      fresh.status === 'pending' &&
      (await this.evaluations.finish(id, 'cancelled', { error: null }))
    ) {
      await publishQuietly(
        this.events,
        this.logger,
        actor.workspaceId,
        'evaluation_completed',
        { evaluation_id: id, status: 'cancelled', error: null },
        fresh.projectId,
      );
    }
    return this.queries.get(actor, id);
  }
}
