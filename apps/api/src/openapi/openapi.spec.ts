import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportOpenApiDocument } from './export-openapi';
import { assertUniqueOperationIds, serializeOpenApi } from './openapi';

describe('OpenAPI document', () => {
  it('is committed as `npm run openapi:export` writes it (run it after changing the API)', async () => {
    const fresh = serializeOpenApi(await exportOpenApiDocument());
    const committed = readFileSync(join(__dirname, '../../../../openapi/openapi.json'), 'utf8');
    expect(committed).toBe(fresh);
  });

  it('documents a problem response on every operation and has no legacy alias paths', async () => {
    const document = await exportOpenApiDocument();
    for (const [path, item] of Object.entries(document.paths)) {
      expect(path).not.toMatch(/prompt_studio|test_cases/);
      for (const operation of Object.values(item) as { responses: Record<string, unknown> }[]) {
        if (path.startsWith('/health/')) continue;
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '500']));
      }
    }
  });

  it('rejects duplicate operationIds', () => {
    expect(() =>
      assertUniqueOperationIds({
        openapi: '3.0.0',
        info: { title: 't', version: '1' },
        paths: {
          '/a': { get: { operationId: 'same', responses: {} } },
          '/b': { post: { operationId: 'same', responses: {} } },
        },
      }),
    ).toThrow('Duplicate operationId "same": GET /a and POST /b.');
  });
});
