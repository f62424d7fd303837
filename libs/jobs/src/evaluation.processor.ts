import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type EvaluationEntity,
  EvaluationsRepository,
  type NewEvaluationResult,
  ProjectsRepository,
  PromptsRepository,
  type ResultOutcome,
  SignaturesRepository,
} from '@ps/database';
import {
  type CaseResult,
  CallFailedError,
  type EngineCase,
  type EngineModelConfig,
  evaluationSettingsSchema,
  expectedForMetrics,
  llmEnginePorts,
  type RunSummary,
  runEvaluation,
  type ScoringPlan,
  scoringPlanOf,
  SummaryAccumulator,
} from '@ps/evaluation';
import {
  EVENT_BUS,
  type EventBus,
  type EventPayload,
  type EventType,
  publishQuietly,
} from '@ps/events';
import { LlmClient, type ModelConfig } from '@ps/llm';
import {
  type EvaluationJobPayload,
  evaluationJob,
  type JobContext,
  JobCancelledError,
  type JobProcessor,
  PermanentJobError,
} from '@ps/queue';
import { CODE_EVAL, type CodeEvalRuntime, codePortFor } from './code-eval.provider';
import { ResultSink } from './result-sink';
import { runEnding } from './run-ending';

/** Test cases are read this many at a time, so memory does not grow with the run. */
const CASE_PAGE = 200;

/**
 * The `evaluation` job: loads the run, hands it to the engine (libs/evaluation runEvaluation) with
 * a sink that writes results in batches and publishes progress, and records how it ended. Rows
 * already written are skipped, so a job re-delivered after a crash continues where the last
 * worker stopped; the summary is computed from the stored rows, so it equals that of an
 * uninterrupted run.
 */
@Injectable()
export class EvaluationProcessor implements JobProcessor<typeof evaluationJob> {
  readonly definition = evaluationJob;

  constructor(
    private readonly evaluations: EvaluationsRepository,
    private readonly prompts: PromptsRepository,
    private readonly signatures: SignaturesRepository,
    private readonly llm: LlmClient,
    @Inject(EVENT_BUS) private readonly events: EventBus,
    private readonly projects: ProjectsRepository,
    /** The program evaluator: only the worker provides it (the API never runs code). */
    @Optional() @Inject(CODE_EVAL) private readonly codeEval?: CodeEvalRuntime,
  ) {}

  async handle(ctx: JobContext<EvaluationJobPayload>): Promise<Record<string, unknown>> {
    const evaluation = await this.evaluations.findById(ctx.payload.evaluation_id);
    if (!evaluation)
      throw new PermanentJobError(`Evaluation ${ctx.payload.evaluation_id} does not exist.`);
    if (!(await this.evaluations.markRunning(evaluation.id))) {
      return { evaluation_id: evaluation.id, status: evaluation.status, skipped: true };
    }
    const settings = evaluationSettingsSchema.safeParse(evaluation.metricsConfig);
    const repeats = settings.success ? settings.data.repeats : 1;
    await this.emit(ctx, evaluation, 'evaluation_started', {
      evaluation_id: evaluation.id,
      total: evaluation.testCaseIds.length * repeats,
    });
    try {
      if (!settings.success)
        throw new PermanentJobError(
          `Stored metrics_config is not valid: ${settings.error.message}`,
        );
      const summary = await this.run(ctx, evaluation, settings.data);
      await this.evaluations.finish(evaluation.id, 'completed', {
        summary: summary as unknown as Record<string, unknown>,
        totalTokens: summary.tokens.total,
        totalCost: summary.cost,
        error: null,
      });
      await this.emit(ctx, evaluation, 'evaluation_completed', {
        evaluation_id: evaluation.id,
        status: 'completed',
        pass_rate: summary.pass_rate,
        mean_score: summary.score.mean,
      });
      return {
        evaluation_id: evaluation.id,
        status: 'completed',
        total: summary.total,
        pass_rate: summary.pass_rate,
      };
    } catch (err) {
      await this.ended(ctx, evaluation, err);
      throw err;
    }
  }

  private async run(
    ctx: JobContext<EvaluationJobPayload>,
    evaluation: EvaluationEntity,
    settings: ReturnType<typeof evaluationSettingsSchema.parse>,
  ): Promise<RunSummary> {
    // The plan reads the scoring part of the stored settings; concurrency, repeats and the model
    // configs are the run's, not the plan's (its schema refuses fields it does not know).
    const plan = scoringPlanOf({
      metrics: settings.metrics,
      pass_threshold: settings.pass_threshold,
      seed: settings.seed,
    });
    const version = await this.prompts.findVersionById(evaluation.promptVersionId);
    if (!version)
      throw new PermanentJobError(`Prompt version ${evaluation.promptVersionId} no longer exists.`);
    const prompt = await this.prompts.findAny(ctx.workspaceId, version.promptId);
    const signature = prompt?.signatureId
      ? await this.signatures.findAny(ctx.workspaceId, prompt.signatureId)
      : null;
    const outputFields = signature?.outputSchema ?? [];
    let model: ModelConfig;
    let judge: ModelConfig | undefined;
    let embed: ModelConfig | undefined;
    try {
      model = this.llm.validate(evaluation.modelConfig);
      judge = settings.judge_model_config && this.llm.validate(settings.judge_model_config);
      embed =
        settings.embedding_model_config &&
        this.llm.validate(settings.embedding_model_config, 'embed');
    } catch (err) {
      throw new PermanentJobError(`model_config: ${(err as Error).message}`);
    }
    const project = await this.projects.findAny(ctx.workspaceId, evaluation.projectId);
    const ports = llmEnginePorts(this.llm, model, {
      ...(judge ? { judge } : {}),
      ...(embed ? { embed } : {}),
      signal: ctx.signal,
      concurrency: settings.concurrency,
      code: codePortFor(this.codeEval, project),
      // A case moves on once it has its answer; the answers' cache writes settle at the end.
      deferCacheWrites: true,
      log: ctx.log,
    });

    const total = evaluation.testCaseIds.length * settings.repeats;
    const sink = new ResultSink(this.evaluations, evaluation.id, async (done) => {
      const percent = total === 0 ? 100 : Math.min(100, Math.floor((done / total) * 1000) / 10);
      await ctx.progress(Math.floor(percent));
      await this.evaluations.setProgress(evaluation.id, percent);
      await this.emit(ctx, evaluation, 'evaluation_progress', {
        evaluation_id: evaluation.id,
        completed: done,
        total,
        progress: percent,
      });
    });
    await sink.start();

    // The (case, repeat) pairs an earlier attempt stored, for the pages read so far: each is
    // dropped when the runner asks about it, so the set holds at most the pages in hand (the
    // runner reads one page ahead).
    const done = new Set<string>();
    const repo = this.evaluations;
    async function* pages(): AsyncIterable<EngineCase[]> {
      for (let start = 0; start < evaluation.testCaseIds.length; start += CASE_PAGE) {
        const ids = evaluation.testCaseIds.slice(start, start + CASE_PAGE);
        const [cases, keys] = await Promise.all([
          repo.caseInputs(evaluation.projectId, ids),
          repo.doneKeys(evaluation.id, ids),
        ]);
        for (const key of keys) done.add(key);
        yield cases.map((c) => ({
          id: String(c.id),
          inputs: c.inputs,
          expected: c.expectedOutputs,
        }));
      }
    }
    let outcome: Awaited<ReturnType<typeof runEvaluation>>;
    try {
      outcome = await runEvaluation({
        prompt: {
          systemPrompt: version.systemPrompt,
          userPrompt: version.userPrompt,
          fewShotExamples: version.fewShotExamples,
          model: model as EngineModelConfig,
        },
        cases: pages(),
        plan,
        ports,
        outputFields,
        concurrency: settings.concurrency,
        repeats: settings.repeats,
        signal: ctx.signal,
        skip: (caseId, repeat) => done.delete(`${caseId}:${repeat}`),
        onResult: (result) => sink.push(toRow(evaluation.id, result)),
        // The summary is built from the stored rows below (they include earlier attempts').
        summarize: false,
      });
    } catch (err) {
      // Finished cases are kept even when the run stops: a rerun will not need them again.
      await sink.close().catch(() => undefined);
      await this.llm.settleCacheWrites();
      if (err instanceof CallFailedError && err.terminal) throw new PermanentJobError(err.message);
      throw err;
    }
    await sink.close();
    await this.llm.settleCacheWrites();
    if (outcome.stopped === 'cancelled') throw new JobCancelledError();
    ctx.throwIfCancelled();
    await sink.final(await this.evaluations.countResults(evaluation.id));
    return this.summarize(evaluation, plan, outputFields, settings.repeats);
  }

  /** The summary from the stored rows (never from memory), with dataset metrics and repeats. */
  private async summarize(
    evaluation: EvaluationEntity,
    plan: ScoringPlan,
    outputFields: Parameters<typeof runEvaluation>[0]['outputFields'],
    repeats: number,
  ): Promise<RunSummary> {
    const acc = new SummaryAccumulator(plan, outputFields, repeats);
    for await (const page of this.evaluations.streamOutcomes(evaluation.id)) {
      const expected = acc.needsExpected
        ? new Map(
            (
              await this.evaluations.caseInputs(evaluation.projectId, [
                ...new Set(page.map((r) => r.testCaseId)),
              ])
            ).map((c) => [c.id, expectedForMetrics(c.inputs, c.expectedOutputs)]),
          )
        : undefined;
      for (const row of page) acc.add(fromRow(row), expected?.get(row.testCaseId));
    }
    return acc.build();
  }

  /** Records how the run ended when it did not complete; the job keeps its own status. */
  private async ended(
    ctx: JobContext<EvaluationJobPayload>,
    evaluation: EvaluationEntity,
    err: unknown,
  ) {
    const message = err instanceof Error ? err.message : String(err);
    const status = runEnding(ctx, err);
    if (!status) {
      ctx.log.warn(
        `evaluation ${evaluation.id} attempt ${ctx.attempt} failed, will retry: ${message}`,
      );
      return;
    }
    await this.evaluations.finish(evaluation.id, status, {
      error: status === 'failed' ? message : null,
    });
    await this.emit(ctx, evaluation, 'evaluation_completed', {
      evaluation_id: evaluation.id,
      status,
      error: status === 'failed' ? message : null,
    });
  }

  private emit<K extends EventType>(
    ctx: JobContext<EvaluationJobPayload>,
    evaluation: EvaluationEntity,
    type: K,
    data: EventPayload<K>,
  ): Promise<void> {
    return publishQuietly(this.events, ctx.log, ctx.workspaceId, type, data, evaluation.projectId);
  }
}

function toRow(evaluationId: number, result: CaseResult): NewEvaluationResult {
  return {
    evaluationId,
    testCaseId: Number(result.caseId),
    repeatIndex: result.repeat,
    output: result.output,
    parsedOutput: result.parsed,
    scores: result.scores,
    details: Object.keys(result.details).length ? result.details : null,
    aggregateScore: result.score,
    passed: result.passed,
    status: result.status,
    error: result.error,
    latencyMs: result.latencyMs === null ? null : Math.round(result.latencyMs),
    tokensIn: result.tokensIn,
    tokensOut: result.tokensOut,
    cost: result.cost,
    cached: result.cached,
  };
}

function fromRow(row: ResultOutcome) {
  return {
    caseId: String(row.testCaseId),
    status: row.status,
    output: row.output,
    scores: row.scores,
    score: row.aggregateScore,
    passed: row.passed,
    tokensIn: row.tokensIn,
    tokensOut: row.tokensOut,
    cost: row.cost,
    latencyMs: row.latencyMs,
    cached: row.cached,
  };
}
