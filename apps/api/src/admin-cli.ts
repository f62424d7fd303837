import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ApiConfig, EnvValidationError } from '@ps/config';
import {
  API_KEY_SCOPES,
  type ApiKeyScope,
  createDataSource,
  type DataSource,
  generateMigration,
  type Role,
  ROLES,
  runMigrationsExclusively,
} from '@ps/database';

import { createKey, revokeKey } from './admin/admin-commands';
import { exportOpenApiDocument } from './openapi/export-openapi';
import { serializeOpenApi } from './openapi/openapi';

const USAGE = `Usage: npm run admin -- <command>   (node dist/apps/api/src/admin-cli.js <command>)
  migration:run            apply pending migrations to the configured database
  migration:revert         undo the last applied migration
  migration:generate NAME  write a migration for entity changes (diffed on a scratch database)
  openapi:export [FILE]    write the OpenAPI document (default openapi/openapi.json)
  create-key --workspace SLUG --role owner|admin|editor|viewer
             [--email EMAIL] [--name NAME] [--scopes read,write,admin] [--expires-days N]
                           create an API key (and the workspace and user when new)
  revoke-key PREFIX        revoke the key whose visible prefix (or whole key) is given`;

/** `--name value` pairs after the command. */
function flags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const name = args[i];
    if (!name.startsWith('--')) throw new Error(`Unexpected argument "${name}".`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value.`);
    out[name.slice(2)] = value;
    i++;
  }
  return out;
}

async function withDataSource<T>(run: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const dataSource = createDataSource(ApiConfig.fromEnv().database);
  await dataSource.initialize();
  try {
    return await run(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  switch (command) {
    case 'migration:run':
    case 'migration:revert': {
      await withDataSource(async (dataSource) => {
        if (command === 'migration:run') {
          const applied = await runMigrationsExclusively(dataSource);
          console.log(
            applied.length
              ? `Applied: ${applied.map((m) => m.name).join(', ')}`
              : 'No pending migrations.',
          );
        } else {
          await dataSource.undoLastMigration();
          console.log('Reverted the last migration.');
        }
      });
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
    case 'create-key': {
      const options = flags(argv.slice(1));
      const role = options.role as Role;
      if (!options.workspace || !ROLES.includes(role)) {
        throw new Error('create-key needs --workspace SLUG and --role owner|admin|editor|viewer.');
      }
      const scopes = options.scopes?.split(',').map((s) => s.trim()) as ApiKeyScope[] | undefined;
      if (scopes?.some((s) => !API_KEY_SCOPES.includes(s))) {
        throw new Error(`--scopes takes a comma-separated subset of ${API_KEY_SCOPES.join(', ')}.`);
      }
      const days = options['expires-days'] ? Number(options['expires-days']) : undefined;
      if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
        throw new Error('--expires-days must be a positive whole number.');
      }
      const created = await withDataSource((dataSource) =>
        createKey(dataSource, {
          workspace: options.workspace,
          role,
          email: options.email,
          name: options.name,
          scopes,
          expiresInDays: days,
        }),
      );
      console.log(
        `${created.workspaceCreated ? 'Created' : 'Using'} workspace "${options.workspace}" ` +
          `(id ${created.workspaceId}); ${role} user id ${created.userId}.\n` +
          `API key (shown once; send it as X-API-Key):\n\n  ${created.key}\n`,
      );
      return;
    }
    case 'revoke-key': {
      if (!arg) throw new Error('revoke-key needs the key or its prefix.');
      const revoked = await withDataSource((dataSource) => revokeKey(dataSource, arg));
      if (!revoked) throw new Error('No key has that prefix.');
      console.log('Revoked.');
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
