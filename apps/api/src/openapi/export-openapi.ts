import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ApiConfig } from '@ps/config';
import { ApiModule } from '../api.module';
import { configureRouting } from '../configure-app';
import { buildOpenApiDocument } from './openapi';
import { type CatalogRoute, routeCatalog } from './route-catalog';

/**
 * Builds the OpenAPI document without a database: Nest's preview mode resolves the module graph
 * and routes but instantiates no provider.
 */
export async function exportOpenApiDocument(): Promise<OpenAPIObject> {
  return (await describeApi()).document;
}

/** The document and the route handlers it was built from (for tests that compare the two). */
export async function describeApi(): Promise<{
  document: OpenAPIObject;
  routes: Map<string, CatalogRoute>;
}> {
  const config = ApiConfig.fromEnv({ LOG_LEVEL: 'silent', DATA_DIR: 'memory://openapi' });
  const app = await NestFactory.create(ApiModule.forRoot(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    configureRouting(app);
    return { document: buildOpenApiDocument(app), routes: routeCatalog(app) };
  } finally {
    await app.close();
  }
}
