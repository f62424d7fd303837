import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RunningProcess, startProcess, waitForHttp } from './processes';
import { createTestDatabase, type TestDatabase } from './test-database';
import { randomApiKey } from './test-app';

/**
 * The product as it is deployed: the API and a worker as two processes on one PostgreSQL
 * database and one Redis, reached over HTTP like any client would (the SDK and CLI tests).
 */
export interface StudioStack {
  url: string;
  apiKey: string;
  api: RunningProcess;
  worker: RunningProcess;
  stop(): Promise<void>;
}

export async function startStudioStack(env: Record<string, string> = {}): Promise<StudioStack> {
  const database: TestDatabase = await createTestDatabase();
  if (!database.url) throw new Error('The API and worker processes need PostgreSQL.');
  const scratch = mkdtempSync(join(tmpdir(), 'ps-stack-'));
  const apiKey = randomApiKey();
  const shared = {
    DATABASE_URL: database.url,
    REDIS_URL: process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `ps-stack-${randomBytes(4).toString('hex')}`,
    JOB_PROGRESS_EVENT_MS: '0',
    ...env,
  };
  const apiPort = await freePort();
  const api = startProcess('api', {
    ...shared,
    PORT: String(apiPort),
    AUTH_MODE: 'single_user',
    PROMPT_STUDIO_API_KEY: apiKey,
    RATE_LIMIT_ENABLED: 'false',
    DATA_DIR: join(scratch, 'api'),
  });
  const url = `http://127.0.0.1:${apiPort}`;
  let worker: RunningProcess | undefined;
  try {
    await waitForHttp(`${url}/health/ready`, api, 200, 60_000);
    const workerPort = await freePort();
    worker = startProcess('worker', {
      ...shared,
      DB_MIGRATIONS_RUN: 'false',
      WORKER_PORT: String(workerPort),
      DATA_DIR: join(scratch, 'worker'),
    });
    await waitForHttp(`http://127.0.0.1:${workerPort}/health/ready`, worker, 200, 60_000);
  } catch (err) {
    await worker?.stop('SIGKILL');
    await api.stop('SIGKILL');
    await database.drop();
    throw err;
  }
  const running = worker;
  return {
    url,
    apiKey,
    api,
    worker: running,
    async stop() {
      await Promise.all([running.stop(), api.stop()]);
      await database.drop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
