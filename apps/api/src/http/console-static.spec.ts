import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { consoleMiddleware, defaultConsoleDir } from './console-static';

/**
 * The console's files at `/` and its index.html for page paths, in front of a stand-in for the
 * API's router (which answers everything it gets with a JSON 404, as Nest does for unknown
 * routes): whatever the console does not take must reach it unchanged.
 */
function appServing(dir: string) {
  const app = express();
  app.use(consoleMiddleware(dir));
  app.use((req, res) => {
    res.status(404).json({ code: 'route_not_found', path: req.path, method: req.method });
  });
  return app;
}

describe('consoleMiddleware', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  const missing = join(dir, 'not-built');

  beforeAll(() => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>console</title><div id="root"></div>',
    );
    writeFileSync(join(dir, 'assets/index-abc123.js'), 'console.log("app")');
    writeFileSync(join(dir, '.build-stamp'), '{}');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves index.html at / and for page paths, with its own CSP and no caching', async () => {
    for (const path of ['/', '/projects/3', '/projects/3/evaluations/7?x=1']) {
      const res = await request(appServing(dir)).get(path).set('Accept', 'text/html').expect(200);
      expect(res.text).toContain('<div id="root">');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    }
  });

  it('serves hashed assets as immutable', async () => {
    const res = await request(appServing(dir)).get('/assets/index-abc123.js').expect(200);
    expect(res.text).toBe('console.log("app")');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('passes API paths, health, metrics, docs and realtime through untouched', async () => {
    const app = appServing(dir);
    for (const path of [
      '/api/v1/prompt-studio/nothing',
      '/api/v1/prompt_studio/projects/list',
      '/api',
      '/health/live',
      '/metrics',
      '/docs',
      '/docs/swagger-ui.css',
      '/docs-json',
      '/openapi.json',
      '/socket.io/',
      '/ws/prompt-studio',
    ]) {
      const res = await request(app).get(path).set('Accept', 'text/html').expect(404);
      expect(res.body).toEqual({ code: 'route_not_found', path, method: 'GET' });
    }
  });

  it('leaves other methods, missing files, dotfiles and non-HTML requests to the API', async () => {
    const app = appServing(dir);
    await request(app)
      .post('/')
      .set('Accept', 'text/html')
      .expect(404, { code: 'route_not_found', path: '/', method: 'POST' });
    const asset = await request(app).get('/assets/index-old.js').expect(404);
    expect(asset.body.code).toBe('route_not_found');
    await request(app).get('/.build-stamp').expect(404);
    const json = await request(app)
      .get('/projects/3')
      .set('Accept', 'application/json')
      .expect(404);
    expect(json.body.code).toBe('route_not_found');
  });

  it('says how to build the console when it is not built, instead of failing', async () => {
    const res = await request(appServing(missing)).get('/').set('Accept', 'text/html').expect(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('npm run build:console');
    const api = await request(appServing(missing))
      .get('/api/v1/prompt-studio/projects/list')
      .expect(404);
    expect(api.body.code).toBe('route_not_found');
  });

  it('looks for the build in apps/console/dist of the project', () => {
    expect(defaultConsoleDir()).toBe(join(__dirname, '../../../..', 'apps/console/dist'));
  });
});
