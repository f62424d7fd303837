import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ApiConfig } from '@ps/config';
import { ApiModule } from '../api.module';
import { configureRouting } from '../configure-app';
import { buildOpenApiDocument } from './openapi';

/**
 * Builds the OpenAPI document without a database: Nest's preview mode resolves the module graph
 * and routes but instantiates no provider.
 */
export async function exportOpenApiDocument(): Promise<OpenAPIObject> {
  const config = ApiConfig.fromEnv({ LOG_LEVEL: 'silent', DATA_DIR: 'memory://openapi' });
  const app = await NestFactory.create(ApiModule.forRoot(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    configureRouting(app);
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
