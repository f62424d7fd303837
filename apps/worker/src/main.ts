import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { httpObservability, installGracefulShutdown, requestLog, startTracing } from '@ps/common';
import { EnvValidationError, shutdownSettings, WorkerConfig } from '@ps/config';
import { databaseKind } from '@ps/database';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const started = performance.now();
  const config = WorkerConfig.fromEnv();
  if (!config.queue.redisUrl) {
    throw new EnvValidationError('worker', [
      {
        variable: 'REDIS_URL',
        message:
          'is required: a separate worker takes jobs from Redis. Without Redis, `npm start` ' +
          'runs jobs inside the API process and no worker is needed.',
      },
    ]);
  }
  // Before the app is built, so every job and model call runs under the tracer.
  const tracing = await startTracing({
    serviceName: config.env.OTEL_SERVICE_NAME ?? 'prompt-studio-worker',
    endpoint: config.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const app = await NestFactory.create<NestExpressApplication>(WorkerModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.use(httpObservability());
  // Also gives each request its id (X-Request-ID), as the API's logger does.
  app.use(requestLog(config.env.LOG_LEVEL, config.env.LOG_PRETTY));
  installGracefulShutdown(app, app.get(Logger), shutdownSettings(config.env).graceMs, {
    serveWhileClosing: true,
  });
  await app.listen(config.env.WORKER_PORT, config.env.WORKER_HOST);
  if (databaseKind(config.database) === 'pglite') {
    app
      .get(Logger)
      .warn(
        'The worker is using the embedded database, which no other process can share: ' +
          'set DATABASE_URL to the PostgreSQL database of the API.',
      );
  }
  app
    .get(Logger)
    .log(
      `Prompt Studio worker serving health on http://${config.env.WORKER_HOST}:` +
        `${config.env.WORKER_PORT} (tracing: ${tracing ? 'on' : 'off'}; started in ` +
        `${Math.round(performance.now() - started)} ms)`,
    );
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof EnvValidationError ? err.message : err);
  process.exit(1);
});
