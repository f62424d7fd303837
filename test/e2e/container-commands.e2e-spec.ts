import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { parseDockerfile } from '../deploy/dockerfile-rules';
import { BASE_DIR, DOCKERFILE, readPackageJson, ROOT } from '../deploy/deploy-files';
import { renderKustomization } from '../deploy/kustomize-render';
import {
  freePort,
  type RunningProcess,
  spawnNode,
  waitForHttp,
  waitForOutput,
} from '../support/processes';

/**
 * The image's commands, run outside a container the way the image runs them (no Docker engine
 * here). The image's /app is rebuilt in a temporary directory from what the Dockerfile copies:
 * package.json, dist/apps and dist/libs from `npm run build` (the build `npm test` runs before
 * these suites, so this file never builds), and a node_modules holding only the packages that
 * `npm prune --omit=dev` keeps (package-lock.json's non-dev packages, linked from the working
 * tree, whose node_modules `npm ci` installed from the same lockfile; running npm ci or the prune
 * here would rewrite the shared tree). A runtime import of a dev dependency fails to start.
 * The processes get the Dockerfile's ENV and its working directory, and its HEALTHCHECK command
 * is run against them. Not reproduced: tini as PID 1, the uid, the read-only root.
 */

const dockerfile = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
const ADMIN_URL =
  process.env.PS_TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The commands the manifests run (the unit specs tie them to package.json and compose). */
function manifestArgs(kind: string, name: string): string[] {
  const o = renderKustomization(BASE_DIR).find((x) => x.kind === kind && x.metadata.name === name);
  const spec = o?.spec as { template: { spec: { containers: { args: string[] }[] } } };
  return spec.template.spec.containers[0].args;
}

/** The image's /app, laid out in a temporary directory. */
function imageLayout(): string {
  const app = mkdtempSync(join(tmpdir(), 'ps-image-'));
  for (const copy of dockerfile.final.instructions.filter((i) => i.getKeyword() === 'COPY')) {
    const [source] = copy.getArguments().map((a) => a.getValue());
    const path = source.replace(/^\/app\//, '');
    if (path === 'node_modules') continue;
    cpSync(join(ROOT, path), join(app, path), { recursive: true });
  }
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  for (const [path, meta] of Object.entries(lock.packages)) {
    // Top-level packages only: nested ones come along inside their parents.
    if (!path.startsWith('node_modules/') || path.split('node_modules/').length !== 2) continue;
    if (meta.dev || !existsSync(join(ROOT, path))) continue;
    mkdirSync(dirname(join(app, path)), { recursive: true });
    symlinkSync(join(ROOT, path), join(app, path));
  }
  return app;
}

function launch(command: string[], env: Record<string, string>, cwd: string): RunningProcess {
  if (command[0] !== 'node') throw new Error(`not a node command: ${command.join(' ')}`);
  return spawnNode(command.slice(1), env, cwd);
}

async function runToEnd(command: string[], env: Record<string, string>, cwd: string) {
  const proc = launch(command, env, cwd);
  const timer = setTimeout(() => void proc.stop('SIGKILL'), 60_000);
  const exit = await proc.exited;
  clearTimeout(timer);
  return { ...exit, output: proc.output() };
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('the image commands, outside a container', () => {
  const database = `ps_deploy_${randomBytes(6).toString('hex')}`;
  const databaseUrl = (() => {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    return url.toString();
  })();
  let app: string;
  /** The image's ENV, listening on loopback only on this shared machine. */
  let imageEnv: Record<string, string>;
  const started: RunningProcess[] = [];

  beforeAll(async () => {
    app = imageLayout();
    imageEnv = { ...dockerfile.env, HOST: '127.0.0.1', WORKER_HOST: '127.0.0.1' };
    await admin(`CREATE DATABASE ${database}`);
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(app, { recursive: true, force: true });
  });

  /** Distributed mode as in Kubernetes: no writable DATA_DIR, migrations left to the Job. */
  const distributed = () => ({
    ...imageEnv,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: `ps-deploy-${randomBytes(4).toString('hex')}`,
    DB_MIGRATIONS_RUN: 'false',
    PROMPT_STUDIO_API_KEY: `pstudio_${randomBytes(24).toString('base64url')}`,
    // A path under a file: creating anything in it fails, even as root.
    DATA_DIR: '/dev/null/data',
    RATE_LIMIT_ENABLED: 'false',
  });

  /** The Dockerfile's HEALTHCHECK command against the processes of `env`. */
  const healthcheck = (env: Record<string, string>) =>
    runToEnd(dockerfile.healthcheck?.command ?? [], env, app);

  it('lays out only what the Dockerfile copies, with production dependencies only', () => {
    expect(existsSync(join(app, 'package.json'))).toBe(true);
    expect(existsSync(join(app, 'dist/apps/api/src/main.js'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/@nestjs/core'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/jest'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/@nestjs/cli'))).toBe(false);
    // The build stage runs the build script npm test ran before this suite.
    expect(dockerfile.runs(dockerfile.stages[0])).toContain('npm run build');
    expect(readPackageJson().scripts.build).toBe('nest build api');
  });

  it('migrates a new PostgreSQL database with the Job command, and applies nothing twice', async () => {
    const command = manifestArgs('Job', 'prompt-studio-migrations');
    const env = { ...imageEnv, DATABASE_URL: databaseUrl };
    const first = await runToEnd(command, env, app);
    expect(first).toMatchObject({ code: 0, signal: null });
    expect(first.output).toMatch(/Applied: \S+/);
    const second = await runToEnd(command, env, app);
    expect(second).toMatchObject({
      code: 0,
      output: expect.stringContaining('No pending migrations.'),
    });
  });

  it('serves the API from the default command with no writable DATA_DIR, and stops cleanly', async () => {
    const port = await freePort();
    // WORKER_PORT too: the health check also tries it, and nothing may answer there.
    const env = { ...distributed(), PORT: String(port), WORKER_PORT: String(await freePort()) };
    expect(dockerfile.cmd).toEqual(readPackageJson().scripts['start:api'].split(' '));
    const api = launch(dockerfile.cmd ?? [], env, app);
    started.push(api);
    const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`, api);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
    expect((await healthcheck(env)).code).toBe(0);
    // The image carries the web console's build: `/` is the console, not the "not built" page.
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<script[^>]+src="\/assets\//);
    expect(html).not.toContain('are missing');
    const exit = await api.stop('SIGTERM');
    expect({ exit, output: api.output() }).toMatchObject({
      exit: { code: 0, signal: null },
      output: expect.stringContaining('Shut down cleanly.'),
    });
    // Nothing answers any more: the image's health check says so.
    expect((await healthcheck(env)).code).toBe(1);
  });

  it('serves a worker from the worker command, health on WORKER_PORT, and stops cleanly', async () => {
    const port = await freePort();
    const env = { ...distributed(), WORKER_PORT: String(port), PORT: String(await freePort()) };
    const worker = launch(manifestArgs('Deployment', 'prompt-studio-worker'), env, app);
    started.push(worker);
    const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`, worker);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: { database: { status: 'up' }, queue: { status: 'up' } },
    });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    // The same HEALTHCHECK serves both commands: here only WORKER_PORT answers.
    expect((await healthcheck(env)).code).toBe(0);
    const exit = await worker.stop('SIGTERM');
    expect({ exit, output: worker.output() }).toMatchObject({
      exit: { code: 0, signal: null },
      output: expect.stringContaining('Shut down cleanly.'),
    });
  });

  it('runs both commands on the embedded database in DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ps-image-data-'));
    try {
      // All-in-one: the API creates and migrates the embedded database.
      const apiPort = await freePort();
      const apiEnv = { ...imageEnv, DATA_DIR: dataDir, PORT: String(apiPort) };
      const api = launch(dockerfile.cmd ?? [], apiEnv, app);
      started.push(api);
      await waitForHttp(`http://127.0.0.1:${apiPort}/health/live`, api, 200, 45_000);
      // The embedded database, and the owner key generated for single_user, live in DATA_DIR.
      expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
      expect(existsSync(join(dataDir, 'owner-api-key'))).toBe(true);
      expect((await api.stop('SIGTERM')).code).toBe(0);

      // The worker command on the same files (one process at a time can open them).
      const workerPort = await freePort();
      const workerEnv = {
        ...imageEnv,
        DATA_DIR: dataDir,
        WORKER_PORT: String(workerPort),
        REDIS_URL,
        REDIS_KEY_PREFIX: `ps-deploy-${randomBytes(4).toString('hex')}`,
      };
      const worker = launch(manifestArgs('Deployment', 'prompt-studio-worker'), workerEnv, app);
      started.push(worker);
      await waitForHttp(`http://127.0.0.1:${workerPort}/health/live`, worker);
      await waitForOutput(worker, 'embedded database');
      const exit = await worker.stop('SIGTERM');
      expect({ exit, output: worker.output() }).toMatchObject({
        exit: { code: 0, signal: null },
        output: expect.stringContaining('Shut down cleanly.'),
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('fails to start when the runtime needs a package the prune removed', async () => {
    // A probe of the layout itself: requiring a dev dependency from /app must fail there.
    const probe = join(app, 'dist/probe.js');
    writeFileSync(probe, "require('jest');\n");
    const result = await runToEnd(['node', 'dist/probe.js'], imageEnv, app);
    rmSync(probe);
    expect(result.code).toBe(1);
    expect(result.output).toContain("Cannot find module 'jest'");
  });
});
