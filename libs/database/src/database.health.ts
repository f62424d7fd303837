import { Injectable } from '@nestjs/common';
import { type HealthCheck, type HealthCheckResult, probe } from '@ps/common';
import { DataSource } from 'typeorm';

/** Whether the table that records applied migrations is missing (a database never migrated). */
function missingTable(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '42P01';
}

/**
 * The database answers and its schema is this release's: a process whose migrations are not
 * applied yet (a worker started before the migrations Job finished, say) is not ready.
 */
@Injectable()
export class DatabaseHealth implements HealthCheck {
  /** Once every migration was seen applied, later probes only check the connection. */
  private migrated = false;

  constructor(private readonly dataSource: DataSource) {}

  check(): Promise<HealthCheckResult> {
    return probe(async () => {
      await this.dataSource.query('SELECT 1');
      if (this.migrated) return;
      const pending = await this.pendingMigrations();
      if (pending.length) {
        throw new Error(
          `${pending.length} migration(s) not applied yet (${pending[0]}${pending.length > 1 ? ', ...' : ''}): ` +
            'run `npm run migration:run` or start a process with DB_MIGRATIONS_RUN=true',
        );
      }
      this.migrated = true;
    });
  }

  private async pendingMigrations(): Promise<string[]> {
    const table = this.dataSource.options.migrationsTableName ?? 'migrations';
    let applied: Set<string>;
    try {
      const rows = await this.dataSource.query<{ name: string }[]>(`SELECT name FROM "${table}"`);
      applied = new Set(rows.map((r) => r.name));
    } catch (err) {
      if (!missingTable(err)) throw err;
      applied = new Set();
    }
    return this.dataSource.migrations
      .map((m) => m.name ?? m.constructor.name)
      .filter((name) => !applied.has(name));
  }
}
