import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { IdempotencyRepository, LlmCacheRepository } from '@ps/database';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Deletes expired rows at start and then hourly: Idempotency-Key records and model responses past
 * LLM_CACHE_TTL_SECONDS. Expired rows are already ignored by readers; this only keeps the tables
 * small. Several API processes may run it at once.
 */
@Injectable()
export class ExpiryPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Purge');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly llmCache: LlmCacheRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.purge();
    this.timer = setInterval(() => void this.purge(), HOUR_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Rows removed: `{idempotency_keys, llm_cache}`. A failure is logged, never thrown. */
  async purge(): Promise<{ idempotency_keys: number; llm_cache: number }> {
    const removed = {
      idempotency_keys: await this.run('idempotency keys', () => this.keys.purgeExpired()),
      llm_cache: await this.run('cached model responses', () => this.llmCache.purgeExpired()),
    };
    return removed;
  }

  private async run(what: string, purge: () => Promise<number>): Promise<number> {
    try {
      const removed = await purge();
      if (removed) this.logger.log(`Removed ${removed} expired ${what}.`);
      return removed;
    } catch (err) {
      this.logger.warn(`Could not purge expired ${what}: ${String(err)}`);
      return 0;
    }
  }
}
