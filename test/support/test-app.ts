import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { ApiModule } from '../../apps/api/src/api.module';
import { configureApp } from '../../apps/api/src/configure-app';
import { ApiConfig } from '@ps/config';
import { createTestDatabase, type TestDatabase } from './test-database';

export const BASE = '/api/v1/prompt-studio';

export interface TestApp {
  app: NestExpressApplication;
  database: TestDatabase;
  config: ApiConfig;
  /** The owner key of the install's default workspace (AUTH_MODE=single_user). */
  ownerKey: string;
  /** Requests authenticated with the owner key. */
  http: () => TestAgent;
  /** Requests without credentials. */
  anonymous: () => TestAgent;
  close(): Promise<void>;
}

export function randomApiKey(): string {
  return `pstudio_${randomBytes(24).toString('base64url')}`;
}

/**
 * The real API, built exactly as main.ts builds it (same module, same configureApp), on a
 * database of its own. Requests go through supertest without opening a port. Rate limits are
 * off unless `env` turns them on: suites create far more than 10 projects a minute.
 */
export async function startTestApp(
  options: { database?: 'pglite'; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(options.database);
  const ownerKey = options.env?.PROMPT_STUDIO_API_KEY ?? randomApiKey();
  const config = ApiConfig.fromEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_MODE: 'single_user',
    PROMPT_STUDIO_API_KEY: ownerKey,
    RATE_LIMIT_ENABLED: 'false',
    ...(database.url ? { DATABASE_URL: database.url } : { DATA_DIR: database.dataDir }),
    ...options.env,
  });
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    logger: false,
  });
  configureApp(app, config);
  await app.init();
  const server = app.getHttpServer() as Parameters<typeof request>[0];
  return {
    app,
    database,
    config,
    ownerKey,
    http: () => request.agent(server).set('X-API-Key', ownerKey),
    anonymous: () => request.agent(server),
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
