import { Inject, Injectable } from '@nestjs/common';
import {
  EvaluationsRepository,
  type NewCandidate,
  type OptimizationEntity,
  OptimizationsRepository,
  PromptsRepository,
  SignaturesRepository,
} from '@ps/database';
import { type ChatPort, llmChatPort } from '@ps/evaluation';
import {
  EVENT_BUS,
  type EventBus,
  type EventPayload,
  type EventType,
  publishQuietly,
} from '@ps/events';
import { LlmClient } from '@ps/llm';
import {
  type BudgetLimits,
  type Candidate,
  type CandidateRecord,
  type OptimizationResult,
  runOptimization,
} from '@ps/optimizers';
import {
  type JobContext,
  JobCancelledError,
  type JobProcessor,
  type OptimizationJobPayload,
  optimizationJob,
  PermanentJobError,
} from '@ps/queue';
import { OptimizationPlanner } from './optimization-planner';
import { runEnding } from './run-ending';

/** At most one progress write and iteration event per interval (plus the last). */
const PROGRESS_INTERVAL_MS = 250;

/** A candidate as stored and shown: the prompt parts in the API's names. */
export function candidateJson(candidate: Candidate): Record<string, unknown> {
  return {
    system_prompt: candidate.systemPrompt,
    user_prompt: candidate.userPrompt,
    few_shot_examples: candidate.fewShotExamples,
    model_config: candidate.model,
  };
}

/** What the run has spent so far, metered on the calls it makes (every role). */
class UsageMeter {
  calls = 0;
  tokens = 0;
  usd = 0;

  wrap(chat: ChatPort): ChatPort {
    return async (request) => {
      const answer = await chat(request);
      this.calls++;
      this.tokens += answer.usage.input + answer.usage.output;
      this.usd += answer.listCost;
      return answer;
    };
  }

  /** Share of the tightest limit spent, 0..100. */
  share(budget: BudgetLimits, iterations: number, seconds: number): number {
    const parts = [
      budget.max_llm_calls ? this.calls / budget.max_llm_calls : 0,
      budget.max_tokens ? this.tokens / budget.max_tokens : 0,
      budget.max_usd ? this.usd / budget.max_usd : 0,
      budget.max_iterations ? iterations / budget.max_iterations : 0,
      budget.max_duration_s ? seconds / budget.max_duration_s : 0,
    ];
    return Math.min(100, Math.round(Math.max(...parts) * 1000) / 10);
  }
}

/**
 * The `optimization` job: loads the run, hands it to the optimizer (libs/optimizers
 * runOptimization) with ports over the LLM layer and a sink that records every candidate with its
 * lineage and publishes progress, then saves the winner as a new prompt version. A job delivered
 * again after a crash replays the run: the strategy is deterministic for its seed, so every
 * finished model call comes back from the LLM cache and no upstream call is repeated.
 */
@Injectable()
export class OptimizationProcessor implements JobProcessor<typeof optimizationJob> {
  readonly definition = optimizationJob;

  /** Rebuilds a stored run's request exactly as the API planned it. */
  private readonly planner: OptimizationPlanner;

  constructor(
    private readonly optimizations: OptimizationsRepository,
    private readonly prompts: PromptsRepository,
    signatures: SignaturesRepository,
    evaluations: EvaluationsRepository,
    private readonly llm: LlmClient,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {
    this.planner = new OptimizationPlanner(prompts, signatures, evaluations, llm);
  }

  async handle(ctx: JobContext<OptimizationJobPayload>): Promise<Record<string, unknown>> {
    const row = await this.optimizations.findById(ctx.payload.optimization_id);
    if (!row)
      throw new PermanentJobError(`Optimization ${ctx.payload.optimization_id} does not exist.`);
    if (!(await this.optimizations.markRunning(row.id))) {
      return { optimization_id: row.id, status: row.status, skipped: true };
    }
    const fresh = (await this.optimizations.findById(row.id)) ?? row;
    await this.emit(ctx, row, 'optimization_started', {
      optimization_id: row.id,
      strategy: row.strategy,
    });
    try {
      const result = await this.run(ctx, fresh);
      if (result.status === 'cancelled') throw new JobCancelledError();
      return {
        optimization_id: row.id,
        status: 'completed',
        improved: result.improved,
        delta: result.delta,
      };
    } catch (err) {
      await this.ended(ctx, row, err);
      throw err;
    }
  }

  private async run(
    ctx: JobContext<OptimizationJobPayload>,
    row: OptimizationEntity,
  ): Promise<OptimizationResult> {
    let loaded: Awaited<ReturnType<OptimizationPlanner['requestOf']>>;
    try {
      loaded = await this.planner.requestOf(ctx.workspaceId, row);
    } catch (err) {
      throw new PermanentJobError(
        `The stored optimization is not valid: ${(err as Error).message}`,
      );
    }
    if (!loaded)
      throw new PermanentJobError('The prompt or its starting version no longer exists.');
    const { request, config } = loaded;
    const meter = new UsageMeter();
    const started = Date.now();
    const priorSeconds = row.startedAt
      ? Math.max(0, (started - row.startedAt.getTime()) / 1000)
      : 0;

    // Candidates are written as they come, in order, one statement per batch.
    let pending: NewCandidate[] = [];
    let writing: Promise<void> = Promise.resolve();
    const flush = () => {
      const batch = pending;
      pending = [];
      if (batch.length) writing = writing.then(() => this.optimizations.saveCandidates(batch));
      return writing;
    };
    let lastProgress = 0;
    let lastIterationEvent = Number.NEGATIVE_INFINITY;
    let iterations = 0;
    let best: number | null = null;
    const progress = async (force = false) => {
      const now = Date.now();
      if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return false;
      lastProgress = now;
      const seconds = priorSeconds + (now - started) / 1000;
      await flush();
      await this.optimizations.setProgress(row.id, {
        progress: meter.share(config.budget, iterations, seconds),
        iterationsCompleted: iterations,
        totalTokens: meter.tokens,
        totalCost: meter.usd,
        result: {
          usage: {
            llm_calls: meter.calls,
            tokens: meter.tokens,
            usd: meter.usd,
            iterations,
            duration_s: seconds,
          },
          budget: config.budget,
        },
      });
      return true;
    };
    let chain: Promise<unknown> = Promise.resolve();
    const later = (work: () => Promise<unknown>) => {
      chain = chain.then(work).catch((err: unknown) => {
        ctx.log.warn(`optimization ${row.id}: progress not recorded: ${String(err)}`);
      });
    };

    const result = await runOptimization(request, {
      chat: meter.wrap(llmChatPort(this.llm, { log: ctx.log })),
      price: this.planner.price,
      registry: this.planner.registry,
      signal: ctx.signal,
      priorDurationS: priorSeconds,
      progress: {
        candidate: (record: CandidateRecord) => {
          pending.push(toCandidateRow(row.id, record));
          later(async () => {
            if (await progress()) {
              await this.emit(ctx, row, 'optimization_candidate', {
                optimization_id: row.id,
                candidate_id: record.id,
                parent_ids: record.parentIds,
                operator: record.operator,
                scores: record.scores,
                status: record.status,
              });
            }
          });
        },
        iteration: (p) => {
          iterations = p.iteration;
          best = p.best ?? best;
          later(async () => {
            await progress();
            // Iterations keep their own pace: the candidates scored just before an iteration ends
            // must not use up the interval, or runs with few candidates per iteration would
            // never show one (the first always goes out).
            const now = Date.now();
            if (now - lastIterationEvent < PROGRESS_INTERVAL_MS) return;
            lastIterationEvent = now;
            await ctx.progress(Math.floor(meter.share(config.budget, iterations, 0)));
            await this.emit(ctx, row, 'optimization_iteration', {
              optimization_id: row.id,
              iteration: p.iteration,
              max_iterations: p.maxIterations,
              current_metric: p.current,
              best_metric: p.best,
              budget_used: { llm_calls: meter.calls, tokens: meter.tokens, usd: meter.usd },
            });
          });
        },
      },
    });
    await chain;
    await flush();
    await this.finish(ctx, row, result, config.auto_promote === true);
    return result;
  }

  /** Stores the outcome: the winner as a new version, scores per split, the verdict, usage. */
  private async finish(
    ctx: JobContext<OptimizationJobPayload>,
    row: OptimizationEntity,
    result: OptimizationResult,
    autoPromote: boolean,
  ): Promise<void> {
    const completed = result.status === 'completed';
    let versionId = row.optimizedVersionId;
    if (completed && result.improved && !result.winner.is_seed && versionId === null) {
      const winner = result.winner.candidate;
      const gain = result.delta === null ? '' : ` (+${result.delta.toFixed(3)} on validation)`;
      const created = await this.prompts.addVersion(
        row.promptId,
        {
          systemPrompt: winner.systemPrompt,
          userPrompt: winner.userPrompt,
          fewShotExamples: winner.fewShotExamples,
          modelConfig: winner.model as unknown as Record<string, unknown>,
          changeDescription: `Optimization ${row.id} (${result.strategy})${gain}`,
          source: 'optimization',
          optimizationId: row.id,
        },
        autoPromote,
      );
      versionId = created.version.id;
      await this.optimizations.setOptimizedVersion(row.id, versionId);
    }
    const best = result.best;
    await this.optimizations.finish(row.id, completed ? 'completed' : 'cancelled', {
      baselineTrainScore: result.baseline.train.mean,
      baselineValidationScore: result.baseline.validation.mean,
      finalTrainScore: best?.train.mean ?? null,
      finalValidationScore: best?.validation_rescored?.mean ?? best?.validation.mean ?? null,
      improvement: result.delta,
      iterationsCompleted: result.usage.iterations,
      totalTokens: result.usage.tokens,
      totalCost: result.usage.usd,
      progress: completed ? 100 : row.progress,
      result: storedResult(result) as never,
      error: null,
    });
    await this.emit(ctx, row, 'optimization_completed', {
      optimization_id: row.id,
      status: completed ? 'completed' : 'cancelled',
      improved: result.improved,
      best_metric: best?.validation_rescored?.mean ?? best?.validation.mean ?? null,
      error: null,
    });
  }

  /** Records how the run ended when it did not complete; the job keeps its own status. */
  private async ended(
    ctx: JobContext<OptimizationJobPayload>,
    row: OptimizationEntity,
    err: unknown,
  ) {
    const message = err instanceof Error ? err.message : String(err);
    const status = runEnding(ctx, err);
    if (!status) {
      ctx.log.warn(`optimization ${row.id} attempt ${ctx.attempt} failed, will retry: ${message}`);
      return;
    }
    // A cancelled run that got to record its outcome has already ended (finish is a no-op then).
    if (
      await this.optimizations.finish(row.id, status, {
        error: status === 'failed' ? message : null,
      })
    ) {
      await this.emit(ctx, row, 'optimization_completed', {
        optimization_id: row.id,
        status,
        improved: false,
        best_metric: null,
        error: status === 'failed' ? message : null,
      });
    }
  }

  private emit<K extends EventType>(
    ctx: JobContext<OptimizationJobPayload>,
    row: OptimizationEntity,
    type: K,
    data: EventPayload<K>,
  ): Promise<void> {
    return publishQuietly(this.events, ctx.log, ctx.workspaceId, type, data, row.projectId);
  }
}

function toCandidateRow(optimizationId: number, record: CandidateRecord): NewCandidate {
  return {
    optimizationId,
    candidateId: record.id,
    parentIds: record.parentIds,
    operator: record.operator,
    iteration: record.iteration,
    candidate: candidateJson(record.candidate),
    scores: {
      train: record.scores.train ?? null,
      validation: record.scores.validation ?? null,
      minibatch: record.scores.minibatch ?? null,
      rescored: record.scores.rescored ?? null,
    },
    status: record.status,
    note: record.note ?? null,
    tokens: 0,
    cost: 0,
  };
}

/** The runner's result as stored in `optimizations.result` (the API reads it back). */
function storedResult(result: OptimizationResult): Record<string, unknown> {
  const { best, winner, ...rest } = result;
  return {
    ...rest,
    best: best
      ? {
          id: best.id,
          train: best.train,
          validation: best.validation,
          validation_rescored: best.validation_rescored,
          candidate: candidateJson(best.candidate),
        }
      : null,
    winner: { id: winner.id, is_seed: winner.is_seed, candidate: candidateJson(winner.candidate) },
  };
}
