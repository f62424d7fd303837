import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { ApiConfig } from '@ps/config';
import { bodyParserErrorHandler, requireJsonBody } from './http/body-parsing';
import { consoleMiddleware } from './http/console-static';
import { streamUploads } from './http/upload-stream';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { assignRequestId, httpObservability } from '@ps/common';
import { UndeclaredBodyInterceptor } from './http/undeclared-body.interceptor';
import { createValidationPipe } from './http/validation';
import { buildOpenApiDocument } from './openapi/openapi';
import { RealtimeIoAdapter } from './realtime/realtime-io.adapter';

export const API_PREFIX = 'api/v1/prompt-studio';

/** Routes outside the API prefix. */
const UNPREFIXED = ['health/live', 'health/ready', 'metrics'];

/**
 * The original API spelled the base path `/api/v1/prompt_studio` and the test-case segment
 * `test_cases`. Both are accepted by rewriting the URL before routing, so they behave exactly
 * like the documented paths and stay out of the OpenAPI document.
 */
function legacyAliases(req: Request, _res: Response, next: NextFunction): void {
  if (req.url.startsWith('/api/v1/prompt_studio')) {
    req.url = `/api/v1/prompt-studio${req.url.slice('/api/v1/prompt_studio'.length)}`;
  }
  if (req.url.startsWith('/api/v1/prompt-studio/test_cases')) {
    req.url = req.url.replace('/test_cases', '/test-cases');
  }
  next();
}

/** Route prefixes: shared by the running app and the offline OpenAPI export. */
export function configureRouting(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED });
}

/** Everything main.ts and the e2e tests share, so tests exercise the real HTTP stack. */
export function configureApp(app: NestExpressApplication, config: ApiConfig): void {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // First: times every request and opens its trace span, whatever answers it.
  app.use(httpObservability());
  app.use(helmet());
  const origins = config.env.CORS_ORIGINS?.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (origins?.length) {
    app.enableCors({
      origin: origins,
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Idempotency-Key',
        'X-API-Key',
        'X-Request-ID',
      ],
      exposedHeaders: [
        'Idempotent-Replayed',
        'Retry-After',
        'X-Request-ID',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
      ],
      maxAge: 600,
    });
  }
  app.set('query parser', 'extended');
  app.use((req: Request, res: Response, next: NextFunction) => {
    assignRequestId(req, res);
    next();
  });
  app.use(legacyAliases);
  // The web console at `/` (its files and, for page paths, its index.html); API paths pass by.
  app.use(consoleMiddleware());
  app.use(streamUploads([`/${API_PREFIX}/test-cases/import`], config.env.IMPORT_MAX_BYTES));
  app.use(requireJsonBody);
  app.use(express.json({ limit: config.env.BODY_LIMIT, strict: true }));
  app.use(bodyParserErrorHandler);
  configureRouting(app);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new UndeclaredBodyInterceptor());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config));

  const document = buildOpenApiDocument(app);
  app.use('/openapi.json', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET') return next();
    res.json(document);
  });
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    // Authorize once and every "Try it out" sends the key, also after a reload.
    swaggerOptions: { persistAuthorization: true },
  });
}
