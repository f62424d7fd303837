import type { Embeddings } from '@langchain/core/embeddings';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import {
  AIMessage,
  type AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
} from '@langchain/core/messages';
import type { ChatGeneration } from '@langchain/core/outputs';
import type { LlmSettings } from '@ps/config';
import { canonicalJson, inSpan, SpanKind } from '@ps/common';
import type { Span } from '@opentelemetry/api';
import { type CacheStore, cacheKey } from './cache/response-cache';
import { classifyError } from './classify';
import { LlmError } from './errors';
import { CallLimiter } from './limits/call-limiter';
import { llmMetrics } from './llm-metrics';
import { Pricing } from './pricing';
import {
  createChatModel,
  createEmbeddings,
  loadClientLibraries,
} from './providers/langchain-factory';
import { type ProviderInfo, ProviderRegistry } from './providers/registry';
import { type RetryPolicy, withRetries } from './retry';
import type {
  ChatMessage,
  ChatOptions,
  ChatResult,
  EmbedResult,
  ModelConfig,
  ModelParameters,
  TokenUsage,
} from './types';

/** Rough size of a text in tokens (4 characters each) for budgets decided before a call. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

const DEFAULT_OUTPUT_ESTIMATE = 256;
/** Model instances are cheap but not free; keep the recently used ones. */
const MODEL_CACHE_LIMIT = 256;

export interface LlmClientDeps {
  settings: LlmSettings;
  registry?: ProviderRegistry;
  pricing?: Pricing;
  cache?: CacheStore;
  limiter?: CallLimiter;
  log?: ChatOptions['log'];
}

interface UpstreamAnswer {
  text: string;
  usage: TokenUsage;
  raw: Record<string, unknown>;
}

function toLangChain(messages: ChatMessage[]): BaseMessage[] {
  return messages.map((m) => {
    switch (m.role) {
      case 'system':
        return new SystemMessage(m.content);
      case 'assistant':
        return new AIMessage(m.content);
      case 'user':
        return new HumanMessage(m.content);
    }
  });
}

function textOf(message: BaseMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => (part.type === 'text' && 'text' in part ? String(part.text) : ''))
    .join('');
}

/** Where each vendor's client puts why the model stopped (OpenAI, Anthropic, Ollama, Gemini/Cohere). */
const FINISH_REASON_KEYS = ['finish_reason', 'stop_reason', 'done_reason', 'finishReason'];
/** The response metadata a result keeps in `raw`: why it stopped and which model answered. */
const RAW_KEYS = [...FINISH_REASON_KEYS, 'model', 'model_name', 'id'];

/** Why the model stopped, in the vendor's own word, from a result's `raw`; null when not given. */
export function finishReasonOf(raw: Record<string, unknown>): string | null {
  for (const key of FINISH_REASON_KEYS) if (typeof raw[key] === 'string') return raw[key];
  return null;
}

/** The few response fields worth keeping: why it stopped and which model answered. */
function rawOf(message: BaseMessage): Record<string, unknown> {
  const meta = (message.response_metadata ?? {}) as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of RAW_KEYS) {
    if (meta[key] !== undefined && meta[key] !== null) raw[key] = meta[key];
  }
  return raw;
}

/**
 * One answer from a LangChain chat model, through the model's own `_generate`: the method every
 * LangChain chat model implements, and the one `invoke` ends in. `invoke` wraps it in the
 * Runnable layer (callback and tracing configuration, run ids, the invocation parameters built a
 * second time for tracing), which the product does not use and which cost about a fifth of a
 * call's CPU, measured at 64 calls in flight against the OpenAI fake. What `invoke` does to the
 * answer is done here too: the generation's info and the call's output are merged into the
 * message's response_metadata, the message's own fields winning. A model bound to call options
 * (Mistral's stop and JSON mode are set with withConfig) is a Runnable around the model, not the
 * model: it goes through `invoke`, which applies them.
 */
async function generate(
  model: BaseChatModel,
  messages: BaseMessage[],
  signal: AbortSignal,
): Promise<BaseMessage> {
  if (typeof (model as Partial<BaseChatModel>)._generate !== 'function') {
    return model.invoke(messages, { signal });
  }
  const result = await model._generate(messages, { signal });
  const generation = result.generations[0] as ChatGeneration | undefined;
  if (!generation) throw new Error('Received empty response from chat model call.');
  const message = generation.message;
  message.response_metadata = {
    ...(result.llmOutput as Record<string, unknown> | undefined),
    ...(generation.generationInfo as Record<string, unknown> | undefined),
    ...message.response_metadata,
  };
  return message;
}

function spanAttributes(operation: 'chat' | 'embeddings', config: ModelConfig) {
  return {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': config.provider,
    'gen_ai.request.model': config.model,
  };
}

/** What a finished call adds to its span: usage and cost, never prompts or answers. */
function recordUsage(span: Span, result: ChatResult | EmbedResult): void {
  span.setAttribute('gen_ai.usage.input_tokens', result.usage.input);
  span.setAttribute('gen_ai.usage.output_tokens', result.usage.output);
  span.setAttribute('prompt_studio.llm.cached', result.cached);
  // Null when the price table does not know the model.
  if (result.cost !== null) span.setAttribute('prompt_studio.llm.cost_usd', result.cost);
  if ('attempts' in result) span.setAttribute('prompt_studio.llm.attempts', result.attempts);
}

/**
 * The one way the product calls a model. Around every call, in this order: validation of the
 * model config, the content-addressed cache (with identical in-flight calls sharing one request),
 * the shared rate limiter, the retry loop (the only one: every SDK's own retries are off), the
 * call with a time limit, token and cost accounting, and the cache write (successes only). Each
 * call is one client span (a child of the job's span when a job makes it) and feeds /metrics.
 */
export class LlmClient {
  readonly registry: ProviderRegistry;
  readonly pricing: Pricing;
  private readonly limiter: CallLimiter;
  private readonly retry: RetryPolicy;
  private readonly inFlight = new Map<string, Promise<ChatResult | EmbedResult>>();
  /** Cache writes of answers already returned (deferCacheWrite), until they settle. */
  private readonly cacheWrites = new Set<Promise<void>>();
  private readonly chatModels = new Map<string, BaseChatModel>();
  private readonly embedders = new Map<string, Embeddings>();

  constructor(private readonly deps: LlmClientDeps) {
    this.registry = deps.registry ?? new ProviderRegistry(deps.settings);
    this.pricing = deps.pricing ?? new Pricing(deps.settings.pricesFile);
    this.limiter =
      deps.limiter ??
      new CallLimiter({
        prefix: deps.settings.redisPrefix,
        maxWaitMs: deps.settings.rateLimitMaxWaitMs,
      });
    this.retry = {
      maxRetries: deps.settings.maxRetries,
      baseMs: deps.settings.retryBaseMs,
      maxWaitMs: deps.settings.retryMaxWaitMs,
    };
  }

  providers(): ProviderInfo[] {
    return this.registry.list();
  }

  /** Loads the client libraries of every configured provider now (see loadClientLibraries). */
  loadClientLibraries(): void {
    loadClientLibraries(
      new Set(this.registry.list().flatMap((p) => (p.configured ? [p.protocol] : []))),
    );
  }

  /** Configs this client returned from validate(), per purpose: passing one back skips the check. */
  private readonly validated = { chat: new WeakSet<object>(), embed: new WeakSet<object>() };

  /**
   * Throws ModelConfigError naming the field; returns the normalised config. A config this
   * method returned is accepted as it is (a run validates once, then calls thousands of times).
   */
  validate(config: unknown, purpose: 'chat' | 'embed' = 'chat'): ModelConfig {
    if (typeof config === 'object' && config !== null && this.validated[purpose].has(config)) {
      return config as ModelConfig;
    }
    const result = this.registry.validate(config, purpose);
    // Frozen, so a config that skips the check later is the one that passed it.
    if (result.parameters) Object.freeze(result.parameters);
    this.validated[purpose].add(Object.freeze(result));
    return result;
  }

  async chat(
    input: ModelConfig,
    messages: ChatMessage[],
    options: ChatOptions = {},
  ): Promise<ChatResult> {
    const config = this.validate(input);
    return inSpan(
      `chat ${config.model}`,
      { kind: SpanKind.CLIENT, attributes: spanAttributes('chat', config) },
      async (span) => {
        const result = await this.chatOnce(config, messages, options);
        recordUsage(span, result);
        return result;
      },
    );
  }

  private async chatOnce(
    config: ModelConfig,
    messages: ChatMessage[],
    options: ChatOptions,
  ): Promise<ChatResult> {
    const params = config.parameters ?? {};
    const key = cacheKey({
      kind: 'chat',
      provider: config.provider,
      model: config.model,
      input: messages,
      parameters: params,
      ...(options.cacheSalt ? { salt: options.cacheSalt } : {}),
    });
    const started = performance.now();
    const upstream = () => this.chatUpstream(config, params, messages, options);
    const result = await this.cached<ChatResult>(
      key,
      config,
      options,
      started,
      upstream,
      (cached) => ({
        text: typeof cached.response.text === 'string' ? cached.response.text : '',
        usage: { input: Number(cached.usage.input ?? 0), output: Number(cached.usage.output ?? 0) },
        cost: 0,
        latency_ms: 0,
        cached: true,
        attempts: 0,
        provider: config.provider,
        model: config.model,
        raw: (cached.response.raw as Record<string, unknown>) ?? {},
      }),
    );
    return result;
  }

  async embed(
    input: ModelConfig,
    texts: string[],
    options: ChatOptions = {},
  ): Promise<EmbedResult> {
    const config = this.validate(input, 'embed');
    return inSpan(
      `embeddings ${config.model}`,
      { kind: SpanKind.CLIENT, attributes: spanAttributes('embeddings', config) },
      async (span) => {
        const result = await this.embedOnce(config, texts, options);
        recordUsage(span, result);
        return result;
      },
    );
  }

  private async embedOnce(
    config: ModelConfig,
    texts: string[],
    options: ChatOptions,
  ): Promise<EmbedResult> {
    const key = cacheKey({
      kind: 'embed',
      provider: config.provider,
      model: config.model,
      input: texts,
      parameters: {},
    });
    const started = performance.now();
    const upstream = async (): Promise<EmbedResult> => {
      const provider = this.registry.get(config.provider);
      const embedder = this.embedder(config);
      const usage = { input: texts.reduce((sum, t) => sum + estimateTokens(t), 0), output: 0 };
      const { value } = await withRetries(
        this.retry,
        async () => {
          await this.limiter.acquire(
            CallLimiter.scope(config.provider, provider.apiKey, config.model),
            provider.limits(config.model),
            usage.input,
            options.signal,
          );
          llmMetrics.attempts.inc({ provider: config.provider, model: config.model });
          const vectors = await this.withTimeout(options, () => embedder.embedDocuments(texts));
          // Some clients (Gemini) answer a failed batch with empty vectors instead of an error.
          if (vectors.length !== texts.length || vectors.some((v) => !v?.length)) {
            throw new LlmError(
              'server',
              `${config.provider}/${config.model}: the embeddings response was incomplete`,
            );
          }
          return vectors;
        },
        (err) => classifyError(err, config),
        { signal: options.signal, onRetry: this.onRetry(config, options) },
      );
      return {
        vectors: value,
        usage,
        cost: this.pricing.cost(config.provider, config.model, usage),
        latency_ms: 0,
        cached: false,
      };
    };
    return this.cached<EmbedResult>(key, config, options, started, upstream, (cached) => ({
      vectors: cached.response.vectors as number[][],
      usage: { input: Number(cached.usage.input ?? 0), output: 0 },
      cost: 0,
      latency_ms: 0,
      cached: true,
    }));
  }

  /** Resolves once every deferred cache write made so far has settled (written or logged). */
  async settleCacheWrites(): Promise<void> {
    while (this.cacheWrites.size) await Promise.all(this.cacheWrites);
  }

  /** The call's own log (a job's), else the client's. */
  private log(options: ChatOptions): ChatOptions['log'] {
    return options.log ?? this.deps.log;
  }

  /** Logs each retry; a vendor's 429 counts as a rate-limit wait. */
  private onRetry(
    config: ModelConfig,
    options: ChatOptions,
  ): (error: LlmError, waitMs: number) => void {
    return (error, waitMs) => {
      if (error.kind === 'rate_limited' && error.details.status === 429) {
        const labels = { provider: config.provider, source: 'vendor' };
        llmMetrics.rateLimitWaits.inc(labels);
        llmMetrics.rateLimitWaitSeconds.inc(labels, waitMs / 1000);
      }
      this.log(options)?.warn(`${error.message} (${error.kind}); retrying in ${waitMs} ms`);
    };
  }

  /** Cache lookup, sharing of identical in-flight calls, and the cache write after a success. */
  private async cached<T extends ChatResult | EmbedResult>(
    key: string,
    config: ModelConfig,
    options: ChatOptions,
    started: number,
    upstream: () => Promise<T>,
    fromCache: (entry: { response: Record<string, unknown>; usage: Record<string, unknown> }) => T,
  ): Promise<T> {
    const labels = { provider: config.provider, model: config.model };
    const useCache = this.deps.settings.cacheEnabled && this.deps.cache && !options.bypassCache;
    if (!useCache) return this.counted(upstream, labels, started);

    const pending = this.inFlight.get(key);
    if (pending) {
      llmMetrics.cacheLookups.inc({ provider: config.provider, result: 'hit' });
      const shared = (await pending) as T;
      llmMetrics.calls.inc({ ...labels, outcome: 'shared' });
      return {
        ...shared,
        cached: true,
        attempts: 0,
        cost: 0,
        latency_ms: Math.round(performance.now() - started),
      };
    }
    let written: Promise<void> | undefined;
    const run = (async () => {
      const hit = await this.deps.cache!.take(key).catch((err: Error) => {
        this.log(options)?.warn(`LLM cache read failed, calling the model: ${err.message}`);
        return undefined;
      });
      llmMetrics.cacheLookups.inc({ provider: config.provider, result: hit ? 'hit' : 'miss' });
      if (hit) {
        llmMetrics.calls.inc({ ...labels, outcome: 'cached' });
        return { ...fromCache(hit), latency_ms: Math.round(performance.now() - started) };
      }
      const result = await this.counted(upstream, labels, started);
      const usage = result.usage;
      const response =
        'text' in result ? { text: result.text, raw: result.raw } : { vectors: result.vectors };
      const write = this.deps
        .cache!.put(
          {
            key,
            provider: config.provider,
            model: config.model,
            response,
            usage: { ...usage },
            ttlSeconds: this.deps.settings.cacheTtlSeconds,
          },
          { lazy: options.deferCacheWrite === true },
        )
        .catch((err: Error) => this.log(options)?.warn(`LLM cache write failed: ${err.message}`));
      if (!options.deferCacheWrite) {
        await write;
        return result;
      }
      written = write;
      this.cacheWrites.add(write);
      void write.then(() => this.cacheWrites.delete(write));
      return result;
    })();
    this.inFlight.set(key, run);
    try {
      return await run;
    } finally {
      // Until its answer is in the cache, an identical call shares this one.
      if (written) void written.then(() => this.inFlight.delete(key));
      else this.inFlight.delete(key);
    }
  }

  private async counted<T extends ChatResult | EmbedResult>(
    upstream: () => Promise<T>,
    labels: { provider: string; model: string },
    started: number,
  ): Promise<T> {
    try {
      const result = await upstream();
      result.latency_ms = Math.round(performance.now() - started);
      llmMetrics.calls.inc({ ...labels, outcome: 'ok' });
      llmMetrics.duration.observe(labels, result.latency_ms / 1000);
      llmMetrics.tokens.inc({ ...labels, direction: 'input' }, result.usage.input);
      llmMetrics.tokens.inc({ ...labels, direction: 'output' }, result.usage.output);
      if (result.cost) llmMetrics.cost.inc(labels, result.cost);
      return result;
    } catch (err) {
      const kind = err instanceof LlmError ? err.kind : 'error';
      llmMetrics.calls.inc({ ...labels, outcome: kind });
      throw err;
    }
  }

  private async chatUpstream(
    config: ModelConfig,
    params: ModelParameters,
    messages: ChatMessage[],
    options: ChatOptions,
  ): Promise<ChatResult> {
    const provider = this.registry.get(config.provider);
    const model = this.chatModel(config, params);
    const scope = CallLimiter.scope(config.provider, provider.apiKey, config.model);
    const limits = provider.limits(config.model);
    const estimate =
      messages.reduce((sum, m) => sum + estimateTokens(m.content), 0) +
      (params.max_tokens ?? DEFAULT_OUTPUT_ESTIMATE);
    const lcMessages = toLangChain(messages);

    const { value, attempts } = await withRetries(
      this.retry,
      async () => {
        await this.limiter.acquire(scope, limits, estimate, options.signal);
        llmMetrics.attempts.inc({ provider: config.provider, model: config.model });
        let streamed = false;
        const onToken = options.onToken
          ? (text: string) => {
              streamed = true;
              options.onToken!(text);
            }
          : undefined;
        try {
          return await this.withTimeout(options, (signal) =>
            this.invoke(model, lcMessages, signal, onToken),
          );
        } catch (err) {
          // The caller has seen part of this attempt's answer: another attempt would repeat it.
          if (!streamed) throw err;
          const error = classifyError(err, config);
          error.details.final = true;
          throw error;
        }
      },
      (err) => classifyError(err, config),
      { signal: options.signal, onRetry: this.onRetry(config, options) },
    );
    await this.limiter.settle(scope, limits, estimate, value.usage.input + value.usage.output);
    return {
      text: value.text,
      usage: value.usage,
      cost: this.pricing.cost(config.provider, config.model, value.usage),
      latency_ms: 0,
      cached: false,
      attempts,
      provider: config.provider,
      model: config.model,
      raw: value.raw,
    };
  }

  private async invoke(
    model: BaseChatModel,
    messages: BaseMessage[],
    signal: AbortSignal,
    onToken?: (text: string) => void,
  ): Promise<UpstreamAnswer> {
    let message: BaseMessage;
    if (onToken) {
      let merged: AIMessageChunk | undefined;
      for await (const chunk of await model.stream(messages, { signal })) {
        const piece = textOf(chunk);
        if (piece) onToken(piece);
        merged = merged ? merged.concat(chunk) : chunk;
      }
      if (!merged) throw new Error('the stream ended without a message');
      message = merged;
    } else {
      message = await generate(model, messages, signal);
    }
    const text = textOf(message);
    const meta = (message as AIMessage).usage_metadata;
    const usage = meta
      ? { input: meta.input_tokens ?? 0, output: meta.output_tokens ?? 0 }
      : {
          // The vendor reported no usage: estimate, and say so in raw.
          input: messages.reduce((sum, m) => sum + estimateTokens(textOf(m)), 0),
          output: estimateTokens(text),
        };
    const raw = rawOf(message);
    if (!meta) raw.usage_estimated = true;
    return { text, usage, raw };
  }

  /** Runs one attempt under LLM_TIMEOUT_MS (or the call's own), on top of the caller's signal. */
  private async withTimeout<T>(
    options: ChatOptions,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const ms = options.timeoutMs ?? this.deps.settings.timeoutMs;
    // One controller per attempt, released as soon as the attempt ends. AbortSignal.timeout()
    // would keep every attempt's signal (and what the SDK hangs on it) alive for the full time
    // limit: at hundreds of calls a second that is hundreds of MB of garbage that cannot go.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no answer within ${ms} ms`));
    }, ms);
    const forward = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', forward, { once: true });
    if (options.signal?.aborted) forward();
    try {
      return await run(controller.signal);
    } catch (err) {
      if (timedOut && !options.signal?.aborted) {
        throw new LlmError('timeout', `no answer within ${ms} ms`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', forward);
    }
  }

  private chatModel(config: ModelConfig, params: ModelParameters): BaseChatModel {
    const key = canonicalJson([config.provider, config.model, params]);
    let model = this.chatModels.get(key);
    if (!model) {
      if (this.chatModels.size >= MODEL_CACHE_LIMIT) this.chatModels.clear();
      model = createChatModel(this.registry.get(config.provider), config.model, params, {
        azureApiVersion: this.deps.settings.azureApiVersion,
      });
      this.chatModels.set(key, model);
    }
    return model;
  }

  private embedder(config: ModelConfig): Embeddings {
    const key = `${config.provider}:${config.model}`;
    let embedder = this.embedders.get(key);
    if (!embedder) {
      embedder = createEmbeddings(this.registry.get(config.provider), config.model, {
        azureApiVersion: this.deps.settings.azureApiVersion,
      });
      this.embedders.set(key, embedder);
    }
    return embedder;
  }
}
