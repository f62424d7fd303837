import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { IdempotencyRepository } from '@ps/database';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Deletes expired Idempotency-Key records at start and then hourly. Expired keys are already
 * ignored by claims; this only keeps the table small. Several API processes may run it at once.
 */
@Injectable()
export class IdempotencyPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Idempotency');
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly keys: IdempotencyRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.purge();
    this.timer = setInterval(() => void this.purge(), HOUR_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<number> {
    try {
      const removed = await this.keys.purgeExpired();
      if (removed) this.logger.log(`Removed ${removed} expired idempotency keys.`);
      return removed;
    } catch (err) {
      this.logger.warn(`Could not purge expired idempotency keys: ${String(err)}`);
      return 0;
    }
  }
}
