import { setMaxListeners } from 'node:events';
import { type ChatOptions, finishReasonOf, LlmClient, LlmError, type ModelConfig } from '@ps/llm';
import type { EmbedPort, JudgePort } from '@ps/metrics';
import {
  CallFailedError,
  type ChatPort,
  type CodePort,
  type EngineModelConfig,
  type EnginePorts,
} from './ports';

/** An LLM-layer error as the engine sees it: what the case gets, and whether the run stops. */
export function toCallFailure(err: unknown): unknown {
  if (!(err instanceof LlmError)) return err;
  return new CallFailedError(
    err.kind === 'timeout' ? 'timeout' : 'infra_error',
    `${err.kind}: ${err.message}`,
    err.terminal,
    { cause: err },
  );
}

/**
 * The engine's chat port over the LLM layer (cache, limits, retries, cost). `deferCacheWrites`:
 * answer before the cache write commits (see ChatOptions.deferCacheWrite); the caller then
 * awaits `llm.settleCacheWrites()` before it reports done.
 */
export function llmChatPort(
  llm: LlmClient,
  options: { deferCacheWrites?: boolean; log?: ChatOptions['log'] } = {},
): ChatPort {
  return async (request) => {
    const config = request.model as ModelConfig;
    try {
      const answer = await llm.chat(config, request.messages, {
        ...(request.bypassCache ? { bypassCache: true } : {}),
        ...(request.cacheSalt ? { cacheSalt: request.cacheSalt } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.onToken ? { onToken: request.onToken } : {}),
        ...(options.deferCacheWrites ? { deferCacheWrite: true } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
      const cost = answer.cost ?? 0;
      return {
        text: answer.text,
        usage: answer.usage,
        cost,
        listCost: answer.cached
          ? (llm.pricing.cost(config.provider, config.model, answer.usage) ?? 0)
          : cost,
        latencyMs: answer.latency_ms,
        cached: answer.cached,
        ...(answer.cost === null ? { unpriced: true } : {}),
        attempts: answer.attempts,
        finishReason: finishReasonOf(answer.raw),
      };
    } catch (err) {
      throw toCallFailure(err);
    }
  };
}

export interface LlmPortOptions {
  /** Model grading `llm_judge`; the task model by default. */
  judge?: ModelConfig;
  /** Embedding model of `semantic_similarity`. */
  embed?: ModelConfig;
  signal?: AbortSignal;
  /** Calls in flight at once that listen on `signal`. */
  concurrency?: number;
  /** The program evaluator, which only a worker wires (see CodePort). */
  code?: CodePort;
  /** See llmChatPort: the run then awaits `llm.settleCacheWrites()` before it reports done. */
  deferCacheWrites?: boolean;
  /** Where the calls' warnings go (a job's logger, so they carry its id). */
  log?: ChatOptions['log'];
}

/** The ports of a run over the LLM layer: the task model, the judge and embeddings. */
export function llmEnginePorts(
  llm: LlmClient,
  task: ModelConfig,
  options: LlmPortOptions = {},
): EnginePorts {
  const { signal } = options;
  // Every call in flight listens on the run's signal (and removes its listener when done):
  // `concurrency` listeners at once is the design, not a leak.
  if (signal) setMaxListeners((options.concurrency ?? 4) * 2 + 10, signal);
  const chat = llmChatPort(llm, { deferCacheWrites: options.deferCacheWrites, log: options.log });
  const judgeModel = (options.judge ?? task) as EngineModelConfig;
  const judge: JudgePort = async (messages) =>
    (await chat({ model: judgeModel, messages, role: 'judge', ...(signal ? { signal } : {}) }))
      .text;
  const embedModel = options.embed;
  const embed: EmbedPort | undefined = embedModel
    ? async (texts) => {
        try {
          return (
            await llm.embed(embedModel, texts, {
              ...(signal ? { signal } : {}),
              ...(options.log ? { log: options.log } : {}),
            })
          ).vectors;
        } catch (err) {
          throw toCallFailure(err);
        }
      }
    : undefined;
  return {
    chat,
    judge,
    ...(embed ? { embed } : {}),
    ...(options.code ? { code: options.code } : {}),
  };
}
