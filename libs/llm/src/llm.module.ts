import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import type { LlmSettings } from '@ps/config';
import { LlmCacheRepository } from '@ps/database';
import { BatchingCacheStore } from './cache/batching-cache-store';
import type { CacheStore } from './cache/response-cache';
import { CallLimiter } from './limits/call-limiter';
import { LlmClient } from './llm-client';

export const LLM_SETTINGS = Symbol('LLM_SETTINGS');
export const LLM_REDIS = Symbol('LLM_REDIS');

/** Owns the Redis connection of the shared rate limiter and closes it on shutdown. */
@Injectable()
class LlmRedisCloser implements OnApplicationShutdown {
  constructor(@Inject(LLM_REDIS) private readonly redis: Redis | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

/**
 * Provides the LlmClient to the API and the worker: cache in PostgreSQL (llm_cache), rate limits
 * in Redis when REDIS_URL is set (in memory otherwise).
 */
@Module({})
export class LlmModule {
  /**
   * `loadClients`: load the configured providers' client libraries at start (the worker, which
   * will call them; the API leaves them to the first call, keeping its start fast).
   */
  static forRoot(settings: LlmSettings, options: { loadClients?: boolean } = {}): DynamicModule {
    return {
      module: LlmModule,
      global: true,
      providers: [
        { provide: LLM_SETTINGS, useValue: settings },
        {
          provide: LLM_REDIS,
          useFactory: () =>
            settings.redisUrl
              ? new Redis(settings.redisUrl, {
                  // Never queue commands while disconnected: the in-memory limiter answers.
                  enableOfflineQueue: false,
                  maxRetriesPerRequest: 1,
                  commandTimeout: 1_000,
                }).on('error', () => undefined)
              : undefined,
        },
        LlmRedisCloser,
        {
          provide: LlmClient,
          inject: [LLM_REDIS, LlmCacheRepository],
          useFactory: (redis: Redis | undefined, repository: LlmCacheRepository) => {
            const logger = new Logger('Llm');
            const cache: CacheStore = new BatchingCacheStore(repository);
            const client = new LlmClient({
              settings,
              cache,
              limiter: new CallLimiter({
                redis,
                prefix: settings.redisPrefix,
                maxWaitMs: settings.rateLimitMaxWaitMs,
              }),
              log: { warn: (message) => logger.warn(message) },
            });
            if (options.loadClients) client.loadClientLibraries();
            return client;
          },
        },
      ],
      exports: [LlmClient],
    };
  }
}
