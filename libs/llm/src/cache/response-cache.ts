import { createHash } from 'node:crypto';
import { canonicalJson } from '@ps/common';
import type { LlmCacheEntry, LlmCacheRecord } from '@ps/database';

export type CachedResponse = LlmCacheRecord;

export interface CachePutOptions {
  /**
   * The caller already has its answer and does not wait on the write: a store may hold it a
   * little to write it together with others.
   */
  lazy?: boolean;
}

/** Where responses are kept: PostgreSQL (llm_cache) in the product, memory in unit tests. */
export interface CacheStore {
  take(key: string): Promise<CachedResponse | undefined>;
  put(entry: LlmCacheEntry, options?: CachePutOptions): Promise<void>;
}

/** Content address of a request: sha256 over kind, provider, model, messages and parameters. */
export function cacheKey(request: {
  kind: 'chat' | 'embed';
  provider: string;
  model: string;
  input: unknown;
  parameters: unknown;
  /** Distinguishes samples of the same request (never sent upstream). */
  salt?: string;
}): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

export class MemoryCacheStore implements CacheStore {
  readonly entries = new Map<string, CachedResponse & { expiresAt?: number }>();

  take(key: string): Promise<CachedResponse | undefined> {
    const entry = this.entries.get(key);
    if (!entry || (entry.expiresAt !== undefined && entry.expiresAt <= Date.now())) {
      return Promise.resolve(undefined);
    }
    return Promise.resolve({ response: entry.response, usage: entry.usage });
  }

  put(entry: LlmCacheEntry): Promise<void> {
    this.entries.set(entry.key, {
      response: entry.response,
      usage: entry.usage,
      expiresAt: entry.ttlSeconds > 0 ? Date.now() + entry.ttlSeconds * 1000 : undefined,
    });
    return Promise.resolve();
  }
}
