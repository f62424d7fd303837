import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDataSource } from './data-source.factory';

/** The SQL that would bring a database migrated to the latest migration in line with the entities. */
export async function pendingSchemaChanges(): Promise<{ up: string[]; down: string[] }> {
  const dataSource = createDataSource({
    dataDir: `memory://schema-diff-${process.pid}`,
    poolSize: 1,
    migrationsRun: false,
    logging: false,
  });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
    const log = await dataSource.driver.createSchemaBuilder().log();
    return {
      up: log.upQueries.map((q) => q.query),
      down: log.downQueries.map((q) => q.query).reverse(),
    };
  } finally {
    await dataSource.destroy();
  }
}

function toClassName(name: string, timestamp: number): string {
  const camel = name.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());
  return `${camel}${timestamp}`;
}

/**
 * Diffs the entities against the migrations on a scratch embedded database (no server needed)
 * and writes `<unix-ms>-<name>.ts`, or returns null when there is nothing to do.
 */
export async function generateMigration(
  name: string,
  directory: string,
): Promise<{ path: string; className: string } | null> {
  const { up, down } = await pendingSchemaChanges();
  if (up.length === 0) return null;
  const timestamp = Date.now();
  const className = toClassName(name, timestamp);
  const line = (sql: string) =>
    `    await queryRunner.query(\`${sql.replace(/[`\\]/g, '\\$&')}\`);`;
  const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${up.map(line).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${down.map(line).join('\n')}
  }
}
`;
  const path = join(directory, `${timestamp}-${name}.ts`);
  writeFileSync(path, source);
  return { path, className };
}
