import { setMaxListeners } from 'node:events';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type PromptParts, renderPrompt, type SignatureFieldSpec } from '@ps/common';
import {
  EvaluationsRepository,
  type EvaluationEntity,
  type EvaluationResultEntity,
  type NewEvaluationResult,
  PromptsRepository,
  SignaturesRepository,
  type TestCaseEntity,
} from '@ps/database';
import { EVENT_BUS, type EventBus, type EventType, makeEvent } from '@ps/events';
import { LlmClient, LlmError, type ModelConfig } from '@ps/llm';
import {
  type CaseContext,
  createDatasetAccumulator,
  type DatasetAccumulator,
  datasetMetricSummary,
  getMetric,
  repeatStats,
  SummaryBuilder,
  withDatasetMetrics,
} from '@ps/metrics';
import {
  type EvaluationJobPayload,
  evaluationJob,
  type JobContext,
  JobCancelledError,
  type JobProcessor,
  PermanentJobError,
} from '@ps/queue';
import { metricKey, scoreSubject, subjectOf } from './case-scoring';
import { type EvaluationSettings, evaluationSettingsSchema } from './evaluation-settings';

/** Test cases are read this many at a time, so memory does not grow with the run. */
const CASE_PAGE = 200;
/** At most one evaluation_progress event per interval (plus the final one). */
const PROGRESS_INTERVAL_MS = 250;
/** Result rows per INSERT. */
const WRITE_BATCH = 50;

interface RunContext {
  evaluation: EvaluationEntity;
  settings: EvaluationSettings;
  modelConfig: ModelConfig;
  parts: PromptParts;
  outputFields: SignatureFieldSpec[];
  metricCtx: CaseContext;
  signal: AbortSignal;
}

/** Stops the whole run: a terminal provider error (bad key, no quota, unknown model). */
class RunStopped extends PermanentJobError {}

/**
 * Runs an evaluation: renders the prompt version for every selected test case, calls the model
 * through the LLM layer with the run's concurrency, parses and scores each answer, and writes one
 * result row per (case, repeat). Rows already written are skipped, so a job re-delivered after a
 * crash continues where the last worker stopped; the summary is always computed from the stored
 * rows, so it equals that of an uninterrupted run.
 */
@Injectable()
export class EvaluationProcessor implements JobProcessor<typeof evaluationJob> {
  readonly definition = evaluationJob;
  private readonly logger = new Logger('Evaluation');

  constructor(
    private readonly evaluations: EvaluationsRepository,
    private readonly prompts: PromptsRepository,
    private readonly signatures: SignaturesRepository,
    private readonly llm: LlmClient,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async handle(ctx: JobContext<EvaluationJobPayload>): Promise<Record<string, unknown>> {
    const evaluation = await this.evaluations.findById(ctx.payload.evaluation_id);
    if (!evaluation)
      throw new PermanentJobError(`Evaluation ${ctx.payload.evaluation_id} does not exist.`);
    if (!(await this.evaluations.markRunning(evaluation.id))) {
      return { evaluation_id: evaluation.id, status: evaluation.status, skipped: true };
    }
    await this.emit(ctx, evaluation, 'evaluation_started', {
      evaluation_id: evaluation.id,
      total: this.total(evaluation),
    });
    try {
      const run = await this.prepare(ctx, evaluation);
      await this.runCases(ctx, run);
      ctx.throwIfCancelled();
      const summary = await this.summarize(run);
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

  /** Records how the run ended when it did not complete; the job keeps its own status. */
  private async ended(
    ctx: JobContext<EvaluationJobPayload>,
    evaluation: EvaluationEntity,
    err: unknown,
  ) {
    const message = err instanceof Error ? err.message : String(err);
    let status: 'cancelled' | 'failed' | undefined;
    if (err instanceof JobCancelledError || ctx.signal.aborted) status = 'cancelled';
    else if (err instanceof PermanentJobError || ctx.attempt >= ctx.maxAttempts) status = 'failed';
    if (!status) {
      this.logger.warn(
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

  private total(evaluation: EvaluationEntity): number {
    const settings = evaluationSettingsSchema.safeParse(evaluation.metricsConfig);
    return evaluation.testCaseIds.length * (settings.success ? settings.data.repeats : 1);
  }

  private async prepare(
    ctx: JobContext<EvaluationJobPayload>,
    evaluation: EvaluationEntity,
  ): Promise<RunContext> {
    const parsed = evaluationSettingsSchema.safeParse(evaluation.metricsConfig);
    if (!parsed.success)
      throw new PermanentJobError(`Stored metrics_config is not valid: ${parsed.error.message}`);
    const version = await this.prompts.findVersionById(evaluation.promptVersionId);
    if (!version)
      throw new PermanentJobError(`Prompt version ${evaluation.promptVersionId} no longer exists.`);
    const prompt = await this.prompts.findAny(ctx.workspaceId, version.promptId);
    const signature = prompt?.signatureId
      ? await this.signatures.findAny(ctx.workspaceId, prompt.signatureId)
      : null;
    let modelConfig: ModelConfig;
    try {
      modelConfig = this.llm.validate(evaluation.modelConfig);
    } catch (err) {
      throw new PermanentJobError(`model_config: ${(err as Error).message}`);
    }
    const settings = parsed.data;
    const judgeConfig = settings.judge_model_config
      ? this.llm.validate(settings.judge_model_config)
      : modelConfig;
    const embedConfig = settings.embedding_model_config
      ? this.llm.validate(settings.embedding_model_config, 'embed')
      : undefined;
    // Every call in flight listens on the job's signal (and removes its listener when done):
    // `concurrency` listeners at once is the design, not a leak.
    setMaxListeners(settings.concurrency * 2 + 10, ctx.signal);
    const metricCtx: CaseContext = {
      judge: async (messages) =>
        (await this.llm.chat(judgeConfig, messages, { signal: ctx.signal })).text,
      ...(embedConfig
        ? {
            embed: async (texts: string[]) =>
              (await this.llm.embed(embedConfig, texts, { signal: ctx.signal })).vectors,
          }
        : {}),
    };
    return {
      evaluation,
      settings,
      modelConfig,
      parts: {
        systemPrompt: version.systemPrompt,
        userPrompt: version.userPrompt,
        fewShotExamples: version.fewShotExamples,
      },
      outputFields: signature?.outputSchema ?? [],
      metricCtx,
      signal: ctx.signal,
    };
  }

  /** Every (case, repeat) without a result yet, `concurrency` at a time, page by page. */
  private async runCases(ctx: JobContext<EvaluationJobPayload>, run: RunContext): Promise<void> {
    const { evaluation, settings } = run;
    const total = evaluation.testCaseIds.length * settings.repeats;
    let done = await this.evaluations.countResults(evaluation.id);
    let lastEvent = 0;
    const progress = async (force = false) => {
      const now = Date.now();
      if (!force && now - lastEvent < PROGRESS_INTERVAL_MS) return;
      lastEvent = now;
      const percent = total === 0 ? 100 : Math.min(100, Math.floor((done / total) * 1000) / 10);
      await ctx.progress(Math.floor(percent));
      await this.evaluations.setProgress(evaluation.id, percent);
      await this.emit(ctx, evaluation, 'evaluation_progress', {
        evaluation_id: evaluation.id,
        completed: done,
        total,
        progress: percent,
      });
    };
    await progress(true);

    let stop: Error | undefined;
    // Results are written in batches (one statement each): a crash loses at most the unwritten
    // batch, whose cases the next attempt simply runs again.
    let buffer: NewEvaluationResult[] = [];
    let lastFlush = Date.now();
    let writing: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      const batch = buffer;
      buffer = [];
      lastFlush = Date.now();
      if (batch.length === 0) return writing;
      writing = writing.then(async () => {
        done += await this.evaluations.insertResults(batch);
        await progress();
      });
      return writing;
    };
    // The first call runs alone: a terminal error (bad key, no quota, unknown model) then stops
    // the run after one request instead of `concurrency` simultaneous ones.
    let probed = false;
    const active = new Set<Promise<void>>();
    for (let start = 0; start < evaluation.testCaseIds.length && !stop; start += CASE_PAGE) {
      const ids = evaluation.testCaseIds.slice(start, start + CASE_PAGE);
      const [cases, doneKeys] = await Promise.all([
        this.evaluations.testCases(evaluation.projectId, ids),
        this.evaluations.doneKeys(evaluation.id, ids),
      ]);
      for (const testCase of cases) {
        for (let repeat = 0; repeat < settings.repeats && !stop; repeat++) {
          if (doneKeys.has(`${testCase.id}:${repeat}`)) continue;
          if (ctx.signal.aborted) ctx.throwIfCancelled();
          while (active.size >= (probed ? settings.concurrency : 1)) await Promise.race(active);
          if (stop) break;
          const task = this.runOne(run, testCase, repeat)
            .then(async (row) => {
              buffer.push(row);
              if (buffer.length >= WRITE_BATCH || Date.now() - lastFlush >= PROGRESS_INTERVAL_MS) {
                await flush();
              }
            })
            .catch((err: unknown) => {
              stop ??= err instanceof Error ? err : new Error(String(err));
            })
            .finally(() => {
              probed = true;
              active.delete(task);
            });
          active.add(task);
        }
      }
    }
    await Promise.all(active);
    // Finished cases are kept even when the run stops: a rerun will not need them again.
    await flush().catch((err: unknown) => {
      stop ??= err instanceof Error ? err : new Error(String(err));
    });
    if (stop) throw stop;
    ctx.throwIfCancelled();
    done = await this.evaluations.countResults(evaluation.id);
    await progress(true);
  }

  /** One model call, parse and scoring: the result row. Terminal provider errors stop the run. */
  private async runOne(
    run: RunContext,
    testCase: TestCaseEntity,
    repeat: number,
  ): Promise<NewEvaluationResult> {
    const { evaluation, settings } = run;
    const row: NewEvaluationResult = {
      evaluationId: evaluation.id,
      testCaseId: testCase.id,
      repeatIndex: repeat,
      output: null,
      parsedOutput: null,
      scores: {},
      aggregateScore: null,
      passed: null,
      status: 'ok',
      error: null,
      latencyMs: null,
      tokensIn: 0,
      tokensOut: 0,
      cost: 0,
      cached: false,
    };
    const rendered = renderPrompt(run.parts, testCase.inputs);
    try {
      const answer = await this.llm.chat(run.modelConfig, rendered.messages, {
        bypassCache: settings.repeats > 1,
        signal: run.signal,
      });
      Object.assign(row, {
        output: answer.text,
        latencyMs: answer.latency_ms,
        tokensIn: answer.usage.input,
        tokensOut: answer.usage.output,
        cost: answer.cost ?? 0,
        cached: answer.cached,
      });
      const subject = subjectOf(answer.text, run.outputFields, testCase.expectedOutputs);
      row.parsedOutput = subject.parsed;
      if (subject.parseErrors.length) {
        row.status = 'parse_error';
        row.error = subject.parseErrors.join('; ');
      } else {
        const scored = await scoreSubject(subject, settings.metrics, {
          ...run.metricCtx,
          inputs: testCase.inputs,
        });
        row.scores = scored.scores;
        row.aggregateScore = Number.isFinite(scored.score) ? scored.score : null;
        row.passed = row.aggregateScore !== null && row.aggregateScore >= settings.pass_threshold;
        if (Object.keys(scored.details).length)
          row.parsedOutput = { ...(subject.parsed ?? {}), _details: scored.details };
      }
    } catch (err) {
      if (run.signal.aborted) throw new JobCancelledError();
      if (!(err instanceof LlmError)) throw err;
      if (err.terminal) throw new RunStopped(`${err.kind}: ${err.message}`);
      // Rate limits, outages and time-outs are the infrastructure's fault, not the prompt's.
      row.status = err.kind === 'timeout' ? 'timeout' : 'infra_error';
      row.error = `${err.kind}: ${err.message}`;
    }
    return row;
  }

  /** The summary from the stored rows (never from memory), with dataset metrics and repeats. */
  private async summarize(run: RunContext) {
    const { evaluation, settings } = run;
    const builder = new SummaryBuilder({ seed: settings.seed });
    const datasetSpecs = settings.metrics.filter((m) => getMetric(m.name).kind === 'dataset');
    const accumulators = new Map<string, DatasetAccumulator>(
      datasetSpecs.map((spec) => [
        metricKey(spec),
        createDatasetAccumulator(spec.name, spec.options),
      ]),
    );
    const perCase = new Map<string, number[]>();
    for await (const page of this.evaluations.streamResults(evaluation.id)) {
      const cases = accumulators.size
        ? new Map(
            (
              await this.evaluations.testCases(evaluation.projectId, [
                ...new Set(page.map((r) => r.testCaseId)),
              ])
            ).map((c) => [c.id, c]),
          )
        : undefined;
      for (const row of page) {
        builder.add(caseRecord(row));
        if (settings.repeats > 1 && row.status === 'ok') {
          const key = String(row.testCaseId);
          perCase.set(key, [...(perCase.get(key) ?? []), row.aggregateScore ?? NaN]);
        }
        if (!cases || row.status !== 'ok') continue;
        const testCase = cases.get(row.testCaseId);
        if (!testCase) continue;
        const subject = subjectOf(row.output ?? '', run.outputFields, testCase.expectedOutputs);
        for (const spec of datasetSpecs) {
          accumulators.get(metricKey(spec))!.add({
            output: spec.field
              ? pickField(subject.parsed ?? subject.output, spec.field)
              : subject.output,
            expected: spec.field ? pickField(subject.expected, spec.field) : subject.expected,
          });
        }
      }
    }
    let summary = builder.build(settings.pass_threshold);
    if (accumulators.size) {
      const dataset = Object.fromEntries(
        [...accumulators].map(([key, acc]) => [
          key,
          datasetMetricSummary(acc, { seed: settings.seed }),
        ]),
      );
      summary = withDatasetMetrics(summary, dataset);
    }
    if (settings.repeats > 1) {
      const stats = repeatStats(perCase, { passThreshold: settings.pass_threshold });
      return {
        ...summary,
        repeats: { runs_per_case: settings.repeats, ...repeatsOverview(stats.cases) },
      };
    }
    return summary;
  }

  private async emit(
    ctx: JobContext<EvaluationJobPayload>,
    evaluation: EvaluationEntity,
    type: EventType,
    data: Record<string, unknown>,
  ) {
    try {
      await this.events.publish({
        workspace_id: ctx.workspaceId,
        event: makeEvent(type, data, evaluation.projectId),
      });
    } catch (err) {
      this.logger.warn(`could not publish ${type}: ${(err as Error).message}`);
    }
  }
}

function pickField(value: unknown, field: string): unknown {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)[field]
    : undefined;
}

function caseRecord(row: EvaluationResultEntity) {
  return {
    score: row.aggregateScore ?? NaN,
    passed: row.passed ?? undefined,
    status: row.status,
    metrics: row.scores,
    tokensIn: row.tokensIn,
    tokensOut: row.tokensOut,
    cost: row.cost,
    latencyMs: row.latencyMs ?? NaN,
    cached: row.cached,
  };
}

/** Run-to-run consistency when each case ran several times: how often cases flip. */
function repeatsOverview(cases: { pass_rate: number | null; variance: number | null }[]) {
  const rated = cases.filter((c) => c.pass_rate !== null);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  return {
    cases: rated.length,
    mean_pass_rate: mean(rated.map((c) => c.pass_rate!)),
    mean_variance: mean(rated.map((c) => c.variance ?? 0)),
    inconsistent_cases: rated.filter((c) => c.pass_rate! > 0 && c.pass_rate! < 1).length,
  };
}
