import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { installGracefulShutdown, startTracing } from '@ps/common';
import { ApiConfig, EnvValidationError, shutdownSettings } from '@ps/config';
import { databaseKind } from '@ps/database';
import { ApiModule } from './api.module';
import { configureApp } from './configure-app';

async function bootstrap(): Promise<void> {
  const started = performance.now();
  const config = ApiConfig.fromEnv();
  // Before the app is built, so every request, job and model call runs under the tracer.
  const tracing = await startTracing({
    serviceName: config.env.OTEL_SERVICE_NAME ?? 'prompt-studio-api',
    endpoint: config.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app, config);
  installGracefulShutdown(app, app.get(Logger), shutdownSettings(config.env).graceMs);
  await app.listen(config.env.PORT, config.env.HOST);
  const url = `http://${config.env.HOST}:${config.env.PORT}`;
  const database =
    databaseKind(config.database) === 'pglite'
      ? `embedded PGlite in ${config.database.dataDir}`
      : 'PostgreSQL';
  app
    .get(Logger)
    .log(
      `Prompt Studio API listening on ${url} (database: ${database}; tracing: ` +
        `${tracing ? 'on' : 'off'}; started in ${Math.round(performance.now() - started)} ms). ` +
        `Docs: ${url}/docs`,
    );
}

bootstrap().catch((err: unknown) => {
  if (err instanceof EnvValidationError) {
    console.error(err.message);
  } else {
    console.error('Prompt Studio API failed to start:', err);
  }
  process.exit(1);
});
