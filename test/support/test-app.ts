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
  http: () => TestAgent;
  close(): Promise<void>;
}

/**
 * The real API, built exactly as main.ts builds it (same module, same configureApp), on a
 * database of its own. Requests go through supertest without opening a port.
 */
export async function startTestApp(
  options: { database?: 'pglite'; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(options.database);
  const config = ApiConfig.fromEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
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
    http: () => request(server),
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
