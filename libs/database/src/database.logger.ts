import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * Routes TypeORM's messages through the application logger (JSON, with levels) instead of
 * console.log. Unique violations are expected outcomes (they become 409s), so they log at debug.
 */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  constructor(private readonly logQueries: boolean) {}

  logQuery(query: string, parameters?: unknown[]): void {
    if (this.logQueries) this.logger.debug({ query, parameters }, 'query');
  }

  logQueryError(error: string | Error, query: string): void {
    const code = (error as { code?: string }).code;
    if (code === '23505') {
      this.logger.debug({ query, code }, 'unique violation');
      return;
    }
    this.logger.error({ query, code, err: error }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ query, duration_ms: time }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(message);
    else this.logger.log(message);
  }
}
