import { apiEnvSchema, workerEnvSchema } from '@ps/config';
import { parse } from 'yaml';

/**
 * Checks of docker/compose.yml beyond its schema (which dclint validates): the services and
 * commands of distributed mode, start order, a complete and valid environment for each app
 * process, writable paths under a read-only root, and stop grace periods. Each check returns its
 * problems; the spec plants a mistake for each.
 */

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  ports?: string[];
  volumes?: string[];
  tmpfs?: string[];
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  stop_grace_period?: string;
  restart?: string;
  deploy?: { replicas?: number };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export interface ComposeContext {
  /** The image's ENV (docker/Dockerfile), under the service's environment. */
  imageEnv: Record<string, string>;
  imageHasHealthcheck: boolean;
  commands: { api: string[]; worker: string[]; migrate: string[] };
}

export type ComposeCheck = (file: ComposeFile, ctx: ComposeContext) => string[];

export function parseCompose(text: string): ComposeFile {
  // Compose files use YAML merge keys (<<: *anchor).
  return parse(text, { merge: true }) as ComposeFile;
}

/** `${NAME:-default}` and `${NAME}` as Compose substitutes them with NAME unset. */
export function interpolate(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?\}/g, (_m, _name, _d, fallback) =>
    typeof fallback === 'string' ? fallback : '',
  );
}

const APPS = ['migrate', 'api', 'worker'] as const;

/** The environment a service's process starts with when no variable is set in the shell. */
export function serviceEnv(service: ComposeService, ctx: ComposeContext): Record<string, string> {
  const env: Record<string, string> = { ...ctx.imageEnv };
  for (const [k, v] of Object.entries(service.environment ?? {})) {
    if (v !== null) env[k] = interpolate(String(v));
  }
  return env;
}

function seconds(duration: string | undefined): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(duration ?? '');
  if (!match) return 10; // Compose's default
  return Number(match[1]) * ({ ms: 0.001, s: 1, m: 60 }[match[2] ?? 's'] ?? 1);
}

const services: ComposeCheck = (file) => {
  const expected = ['postgres', 'redis', 'migrate', 'api', 'worker'];
  const missing = expected.filter((name) => !file.services?.[name]);
  return missing.map((name) => `service ${name} is missing`);
};

/** One image for the three app services, each running its package.json command. */
const commands: ComposeCheck = (file, ctx) => {
  const problems: string[] = [];
  for (const name of APPS) {
    const s = file.services[name];
    if (!s) continue;
    const build = s.build as { context?: string; dockerfile?: string } | undefined;
    if (build?.dockerfile !== 'docker/Dockerfile' || build.context !== '..') {
      problems.push(`${name}: must build docker/Dockerfile from the repository root`);
    }
    const expected = name === 'api' ? undefined : ctx.commands[name];
    if (JSON.stringify(s.command) !== JSON.stringify(expected)) {
      problems.push(
        `${name}: command ${JSON.stringify(s.command)} should be ${JSON.stringify(expected ?? "the image's")}`,
      );
    }
  }
  return problems;
};

/** Migrations run once, after PostgreSQL is healthy; the apps start after them. */
const startOrder: ComposeCheck = (file) => {
  const problems: string[] = [];
  const needs = (name: string, on: string, condition: string) => {
    if (file.services[name]?.depends_on?.[on]?.condition !== condition) {
      problems.push(`${name} must wait for ${on} (${condition})`);
    }
  };
  needs('migrate', 'postgres', 'service_healthy');
  for (const app of ['api', 'worker']) {
    needs(app, 'postgres', 'service_healthy');
    needs(app, 'redis', 'service_healthy');
    needs(app, 'migrate', 'service_completed_successfully');
  }
  if (file.services.migrate && file.services.migrate.restart !== 'no') {
    problems.push('migrate is a one-shot: restart must be "no"');
  }
  return problems;
};

/** Health checks: the data services' own, the image's for the apps. */
const healthchecks: ComposeCheck = (file, ctx) => {
  const problems: string[] = [];
  for (const name of ['postgres', 'redis']) {
    if (!file.services[name]?.healthcheck?.test) problems.push(`${name} needs a healthcheck`);
  }
  for (const name of ['api', 'worker']) {
    const own = file.services[name]?.healthcheck;
    if (own?.disable || (!own?.test && !ctx.imageHasHealthcheck)) {
      problems.push(`${name} has no healthcheck (its own or the image's)`);
    }
  }
  return problems;
};

/** A complete, valid environment for distributed mode. */
const environment: ComposeCheck = (file, ctx) => {
  const problems: string[] = [];
  for (const name of APPS) {
    const s = file.services[name];
    if (!s) continue;
    const env = serviceEnv(s, ctx);
    const required = name === 'migrate' ? ['DATABASE_URL'] : ['DATABASE_URL', 'REDIS_URL'];
    for (const variable of required) {
      if (!env[variable]) problems.push(`${name}: ${variable} is not set`);
    }
    if (name !== 'migrate' && !/^(false|0|no)$/i.test(env.DB_MIGRATIONS_RUN ?? '')) {
      problems.push(`${name}: DB_MIGRATIONS_RUN must be false: the migrate service migrates`);
    }
    const parsed = (name === 'worker' ? workerEnvSchema : apiEnvSchema).safeParse(env);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`${name}: ${issue.path.join('.')}: ${issue.message}`);
      }
    }
  }
  const api = file.services.api;
  if (api) {
    const port = serviceEnv(api, ctx).PORT;
    if (!api.ports?.some((p) => p.endsWith(`:${port}`))) {
      problems.push(`api: no published port reaches PORT ${port}`);
    }
  }
  return problems;
};

/** Read-only root, no capabilities, /tmp and DATA_DIR writable. */
const containment: ComposeCheck = (file, ctx) => {
  const problems: string[] = [];
  for (const name of APPS) {
    const s = file.services[name];
    if (!s) continue;
    if (s.read_only !== true) problems.push(`${name}: read_only must be true`);
    if (!s.cap_drop?.includes('ALL')) problems.push(`${name}: cap_drop must include ALL`);
    if (!s.security_opt?.includes('no-new-privileges:true')) {
      problems.push(`${name}: security_opt must include no-new-privileges:true`);
    }
    const writable = [
      ...(s.tmpfs ?? []),
      ...(s.volumes ?? []).map((v) => v.split(':')[1]).filter(Boolean),
    ];
    const needed = name === 'migrate' ? ['/tmp'] : ['/tmp', serviceEnv(s, ctx).DATA_DIR];
    for (const path of needed) {
      if (!writable.includes(path))
        problems.push(`${name}: ${path} is not writable (tmpfs or volume)`);
    }
  }
  for (const v of Object.values(file.services).flatMap((s) => s.volumes ?? [])) {
    const source = v.split(':')[0];
    if (!source.startsWith('.') && !source.startsWith('/') && !(source in (file.volumes ?? {}))) {
      problems.push(`volume ${source} is not declared`);
    }
  }
  return problems;
};

/** Two workers, unpublished; stop grace beyond each process's own shutdown time. */
const scaling: ComposeCheck = (file, ctx) => {
  const problems: string[] = [];
  const worker = file.services.worker;
  if (worker && (worker.deploy?.replicas ?? 1) < 2)
    problems.push('worker: run at least 2 replicas');
  if (worker?.ports?.length) problems.push('worker: replicas cannot share a published port');
  for (const name of ['api', 'worker']) {
    const s = file.services[name];
    if (!s) continue;
    const shutdown = Number(serviceEnv(s, ctx).SHUTDOWN_GRACE_SECONDS ?? 30);
    const grace = seconds(s.stop_grace_period);
    if (grace <= shutdown) {
      problems.push(
        `${name}: stop_grace_period ${grace} s must exceed SHUTDOWN_GRACE_SECONDS ${shutdown}`,
      );
    }
  }
  return problems;
};

export const COMPOSE_CHECKS = {
  services,
  commands,
  startOrder,
  healthchecks,
  environment,
  containment,
  scaling,
} satisfies Record<string, ComposeCheck>;
