import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ApiConfig, EnvValidationError } from '@ps/config';
import { createDataSource, generateMigration } from '@ps/database';
import { exportOpenApiDocument } from './openapi/export-openapi';
import { serializeOpenApi } from './openapi/openapi';

const USAGE = `Usage: node dist/apps/api/src/cli.js <command>
  migration:run            apply pending migrations to the configured database
  migration:revert         undo the last applied migration
  migration:generate NAME  write a migration for entity changes (diffed on a scratch database)
  openapi:export [FILE]    write the OpenAPI document (default openapi/openapi.json)`;

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  switch (command) {
    case 'migration:run':
    case 'migration:revert': {
      const dataSource = createDataSource(ApiConfig.fromEnv().database);
      await dataSource.initialize();
      try {
        if (command === 'migration:run') {
          const applied = await dataSource.runMigrations();
          console.log(
            applied.length
              ? `Applied: ${applied.map((m) => m.name).join(', ')}`
              : 'No pending migrations.',
          );
        } else {
          await dataSource.undoLastMigration();
          console.log('Reverted the last migration.');
        }
      } finally {
        await dataSource.destroy();
      }
      return;
    }
    case 'migration:generate': {
      if (!arg || !/^[a-z0-9-]+$/.test(arg)) {
        throw new Error('migration:generate needs a kebab-case NAME, e.g. add-report-table');
      }
      const file = await generateMigration(arg, resolve('libs/database/src/migrations'));
      console.log(
        file
          ? `Wrote ${file.path}. Review it, then add ${file.className} to MIGRATIONS in ` +
              'libs/database/src/migrations/index.ts.'
          : 'Entities and migrations agree: nothing to generate.',
      );
      return;
    }
    case 'openapi:export': {
      const target = resolve(arg ?? 'openapi/openapi.json');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, serializeOpenApi(await exportOpenApiDocument()));
      console.log(`Wrote ${target}`);
      return;
    }
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof EnvValidationError || err instanceof Error ? err.message : err);
  process.exit(1);
});
