import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DCLinter } from 'dclint';
import {
  COMPOSE_CHECKS,
  type ComposeContext,
  type ComposeFile,
  parseCompose,
} from './compose-checks';
import { COMPOSE_FILE, DOCKERFILE, nodeCommand } from './deploy-files';
import { parseDockerfile } from './dockerfile-rules';

const text = readFileSync(COMPOSE_FILE, 'utf8');
const compose = parseCompose(text);
const image = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
const ctx: ComposeContext = {
  imageEnv: image.env,
  imageHasHealthcheck: Boolean(image.healthcheck),
  commands: {
    api: nodeCommand('start:api'),
    worker: nodeCommand('start:worker'),
    migrate: nodeCommand('migration:run'),
  },
};

/**
 * dclint: the Compose Specification's JSON schema plus its correctness rules (explicit image
 * tags, quoted ports bound to an interface, no duplicate ports or names…). Its two ordering
 * rules are off: services and keys are ordered to read top-down here.
 */
function dclint(content: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ps-compose-'));
  try {
    const file = join(dir, 'compose.yml');
    writeFileSync(file, content);
    const linter = new DCLinter({
      rules: { 'service-keys-order': 0, 'services-alphabetical-order': 0 },
      quiet: true,
      debug: false,
      exclude: [],
    });
    return linter
      .lintFiles([file], false)
      .flatMap((r) => r.messages.map((m) => `${m.rule}: ${m.message}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('docker/compose.yml', () => {
  it('follows the Compose Specification and the linter rules', () => {
    expect(dclint(text)).toEqual([]);
  });

  it.each(Object.keys(COMPOSE_CHECKS) as (keyof typeof COMPOSE_CHECKS)[])(
    'passes the %s check',
    (check) => {
      expect(COMPOSE_CHECKS[check](compose, ctx)).toEqual([]);
    },
  );

  it.each<[string, string, string, RegExp]>([
    [
      'an unknown key',
      'stop_grace_period: 40s',
      'stop_grace_perod: 40s',
      /^invalid-schema: .*additional properties/,
    ],
    [
      'a floating image tag',
      'image: redis:7.4-bookworm',
      'image: redis:latest',
      /^service-image-require-explicit-tag: /,
    ],
    [
      'a port open on every interface',
      "'127.0.0.1:8000:8000'",
      "'8000:8000'",
      /^no-unbound-port-interfaces: /,
    ],
  ])('dclint reports %s', (_label, from, to, expected) => {
    const changed = text.replace(from, to);
    expect(changed).not.toBe(text);
    expect(dclint(changed)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  type Mutable = ComposeFile['services'][string] & Record<string, unknown>;
  const plant = (service: string, change: (s: Mutable) => void): ComposeFile => {
    const copy = structuredClone(compose);
    change(copy.services[service] as Mutable);
    return copy;
  };

  it.each<[string, keyof typeof COMPOSE_CHECKS, () => ComposeFile, RegExp]>([
    [
      'a missing service',
      'services',
      () => ({ ...compose, services: { ...compose.services, redis: undefined as never } }),
      /service redis is missing/,
    ],
    [
      'a worker that runs the API',
      'commands',
      () => plant('worker', (s) => delete s.command),
      /worker: command undefined should be/,
    ],
    [
      'a wrong migration command',
      'commands',
      () =>
        plant(
          'migrate',
          (s) => (s.command = ['node', 'dist/apps/api/src/admin-cli.js', 'migration:revert']),
        ),
      /migrate: command/,
    ],
    [
      'apps that do not wait for migrations',
      'startOrder',
      () => plant('api', (s) => delete s.depends_on?.migrate),
      /api must wait for migrate \(service_completed_successfully\)/,
    ],
    [
      'migrations that restart forever',
      'startOrder',
      () => plant('migrate', (s) => (s.restart = 'always')),
      /migrate is a one-shot/,
    ],
    [
      'a disabled health check',
      'healthchecks',
      () => plant('worker', (s) => (s.healthcheck = { disable: true })),
      /worker has no healthcheck/,
    ],
    [
      'PostgreSQL without a health check',
      'healthchecks',
      () => plant('postgres', (s) => delete s.healthcheck),
      /postgres needs a healthcheck/,
    ],
    [
      'REDIS_URL dropped',
      'environment',
      () => plant('worker', (s) => delete s.environment?.REDIS_URL),
      /worker: REDIS_URL is not set/,
    ],
    [
      'a malformed DATABASE_URL',
      'environment',
      () => plant('api', (s) => s.environment && (s.environment.DATABASE_URL = 'mysql://x')),
      /api: DATABASE_URL: must be a postgres/,
    ],
    [
      'apps that migrate themselves',
      'environment',
      () => plant('worker', (s) => s.environment && (s.environment.DB_MIGRATIONS_RUN = 'true')),
      /worker: DB_MIGRATIONS_RUN must be false/,
    ],
    [
      'a writable root',
      'containment',
      () => plant('api', (s) => (s.read_only = false)),
      /api: read_only must be true/,
    ],
    [
      'no room for DATA_DIR',
      'containment',
      () => plant('api', (s) => (s.volumes = [])),
      /api: \/data is not writable/,
    ],
    [
      'one worker',
      'scaling',
      () => plant('worker', (s) => (s.deploy = { replicas: 1 })),
      /worker: run at least 2 replicas/,
    ],
    [
      'a stop grace shorter than the drain',
      'scaling',
      () => plant('worker', (s) => (s.stop_grace_period = '30s')),
      /worker: stop_grace_period 30 s must exceed SHUTDOWN_GRACE_SECONDS 110/,
    ],
    [
      "Compose's 10 s default stop grace",
      'scaling',
      () => plant('api', (s) => delete s.stop_grace_period),
      /api: stop_grace_period 10 s/,
    ],
  ])('reports %s (%s)', (_label, check, make, expected) => {
    expect(COMPOSE_CHECKS[check](make(), ctx)).toEqual(
      expect.arrayContaining([expect.stringMatching(expected)]),
    );
  });
});
