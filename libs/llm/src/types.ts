import type { LlmProviderId } from '@ps/config';

export type { LlmProviderId };

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** Sampling parameters a model config may carry; which ones a provider accepts is in its spec. */
export interface ModelParameters {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  seed?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  /** Ask for a JSON object where the provider has a JSON mode. */
  json?: boolean;
  /** mock provider only: see providers/mock-chat-model.ts. */
  responses?: Record<string, string>;
  choices?: string[];
  /** mock provider only: answer after this many milliseconds (simulated latency). */
  delay_ms?: number;
}

export interface ModelConfig {
  provider: LlmProviderId;
  model: string;
  parameters?: ModelParameters;
}

export interface TokenUsage {
  input: number;
  output: number;
}

export interface ChatOptions {
  /** Skip the cache read and write (repeated sampling). In-flight sharing is skipped too. */
  bypassCache?: boolean;
  /**
   * Part of the cache key, never sent upstream: calls that differ only in salt are separate
   * samples (an optimizer's fresh seeds), each cached on its own.
   */
  cacheSalt?: string;
  /** Receive text as it is generated; the result is the same as without it. */
  onToken?: (text: string) => void;
  signal?: AbortSignal;
  /** Overrides LLM_TIMEOUT_MS for this call. */
  timeoutMs?: number;
  /**
   * Answer without waiting for the answer's cache write to commit. The write still happens, and
   * an identical call made meanwhile shares this one, so the model is paid once either way. For
   * batch runs, which call LlmClient.settleCacheWrites() before they report done.
   */
  deferCacheWrite?: boolean;
  /**
   * Where this call's warnings (retries, cache failures) go, instead of the client's own log: a
   * job passes its logger, so the lines carry the job's id.
   */
  log?: { warn(message: string): void };
}

export interface ChatResult {
  text: string;
  usage: TokenUsage;
  /** USD from the price table; null when the model has no price. */
  cost: number | null;
  latency_ms: number;
  cached: boolean;
  /** Upstream attempts made for this result (0 when cached or shared with an identical call). */
  attempts: number;
  provider: LlmProviderId;
  model: string;
  /** Provider-specific response metadata (finish reason, ids); never the request. */
  raw: Record<string, unknown>;
}

export interface EmbedResult {
  vectors: number[][];
  usage: TokenUsage;
  cost: number | null;
  latency_ms: number;
  cached: boolean;
}
