import { join } from 'node:path';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import ts from 'typescript';
import { apiEnvSchema, workerEnvSchema } from '@ps/config';
import { ROOT, secretData } from './deploy-files';
import { type K8sObject, splitImage } from './kustomize-render';

/**
 * Checks of a rendered overlay: every object against the Kubernetes (and KEDA) schemas of
 * kubernetes-models, and the invariants the product needs to run well (probes, non-root, a
 * complete environment, …). Each check returns its problems, one sentence naming the object;
 * an empty list passes. The specs plant a mistake in a rendered overlay for each check and
 * assert that the check reports it.
 */

// ---- the shapes read here (the schemas are enforced by the `schema` check) ---------------------

interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef; fieldRef?: unknown };
}
interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}
interface Probe {
  httpGet?: { path?: string; port: string | number };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsUser?: number;
    runAsNonRoot?: boolean;
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
  securityContext?: {
    runAsUser?: number;
    runAsNonRoot?: boolean;
    seccompProfile?: { type?: string };
  };
  volumes?: { name: string; emptyDir?: object; persistentVolumeClaim?: object }[];
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
}

export type Component = 'api' | 'worker' | 'migrations';
export const COMPONENTS: Component[] = ['api', 'worker', 'migrations'];

interface Workload {
  object: K8sObject;
  /** `Deployment/prompt-studio-api`. */
  ref: string;
  component: string | undefined;
  template: PodTemplate;
}

export interface CheckContext {
  /** Release-grade overlay: pinned image, no example Secret, highly available API. */
  production: boolean;
  /** Secrets the operator creates outside the overlay, with the keys the example lists. */
  externalSecrets: Record<string, Record<string, string>>;
  /** From docker/Dockerfile. */
  image: { uid: number; cmd: string[]; env: Record<string, string> };
  /** The `node …` command of each component (package.json scripts). */
  commands: Record<Component, string[]>;
  /** Queue names (libs/queue). */
  queues: readonly string[];
}

export type Check = (objects: K8sObject[], ctx: CheckContext) => string[];

// ---- helpers ----------------------------------------------------------------------------------

const ref = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o) => {
      const template = (o.spec as { template: PodTemplate }).template;
      return {
        object: o,
        ref: ref(o),
        component: template.metadata?.labels?.['app.kubernetes.io/component'],
        template,
      };
    });
}

function workload(objects: K8sObject[], component: Component): Workload | undefined {
  return workloads(objects).find((w) => w.component === component);
}

function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

function selects(selector: LabelSelector | undefined, labels: Record<string, string> = {}) {
  const wanted = Object.entries(selector?.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
}

function findObject(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** The container port a probe, Service or policy names (by name or number). */
function resolvePort(container: Container, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') {
    return container.ports?.some((p) => p.containerPort === port) ? port : undefined;
  }
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** CPU cores or memory bytes of a Kubernetes quantity. */
export function quantity(value: string | number): number {
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(value));
  if (!match) return Number.NaN;
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(match[1]) * (match[2] ? factor[match[2]] : 1);
}

type EnvSource =
  'image' | 'configMap' | 'secret' | 'literal' | 'secretKeyRef' | 'configMapKeyRef' | 'field';

export interface ContainerEnv {
  values: Record<string, string>;
  sources: Record<string, { source: EnvSource; optional: boolean }>;
  problems: string[];
}

/**
 * The environment a container starts with: the image's ENV, then envFrom, then env (Kubernetes'
 * precedence). Secrets that the overlay leaves to the operator resolve to the example's values.
 */
export function containerEnv(
  objects: K8sObject[],
  container: Container,
  ctx: CheckContext,
  where: string,
): ContainerEnv {
  const out: ContainerEnv = { values: {}, sources: {}, problems: [] };
  const set = (name: string, value: string, source: EnvSource, optional = false) => {
    out.values[name] = value;
    out.sources[name] = { source, optional };
  };
  for (const [k, v] of Object.entries(ctx.image.env)) set(k, v, 'image');
  const secret = (name: string): Record<string, string> | undefined => {
    const found = findObject(objects, 'Secret', name);
    return found ? secretData(found) : ctx.externalSecrets[name];
  };
  const configMap = (name: string): Record<string, string> | undefined =>
    findObject(objects, 'ConfigMap', name)?.data as Record<string, string> | undefined;
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const data = configMap(from.configMapRef.name);
      if (!data && !from.configMapRef.optional) {
        out.problems.push(`${where}: envFrom ConfigMap ${from.configMapRef.name} does not exist`);
      }
      for (const [k, v] of Object.entries(data ?? {})) set(prefix + k, v, 'configMap');
    }
    if (from.secretRef) {
      const data = secret(from.secretRef.name);
      if (!data && !from.secretRef.optional) {
        out.problems.push(`${where}: envFrom Secret ${from.secretRef.name} does not exist`);
      }
      for (const [k, v] of Object.entries(data ?? {})) set(prefix + k, v, 'secret');
    }
  }
  for (const e of container.env ?? []) {
    const keyRef = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    if (e.value !== undefined) set(e.name, e.value, 'literal');
    else if (keyRef) {
      const isSecret = Boolean(e.valueFrom?.secretKeyRef);
      const data = isSecret ? secret(keyRef.name) : configMap(keyRef.name);
      const kind = isSecret ? 'Secret' : 'ConfigMap';
      if (data && keyRef.key in data) {
        set(
          e.name,
          data[keyRef.key],
          isSecret ? 'secretKeyRef' : 'configMapKeyRef',
          keyRef.optional,
        );
      } else if (!keyRef.optional) {
        out.problems.push(
          `${where}: ${e.name} reads ${kind} ${keyRef.name} key ${keyRef.key}, which does not exist`,
        );
      }
    } else if (e.valueFrom?.fieldRef) set(e.name, 'field', 'field');
  }
  return out;
}

const LOOPBACK = /^(127\.|localhost$|::1$)/;

/** Names whose values are credentials: only ever from a Secret. */
const SECRET_NAME = /(_API_KEY|SECRET|PASSWORD|TOKEN)$|^(DATABASE_URL|REDIS_URL)$/;

/** Distributed mode: without these the processes silently fall back to embedded parts. */
const REQUIRED_FROM_SECRET: Record<Component, string[]> = {
  api: ['DATABASE_URL', 'REDIS_URL'],
  worker: ['DATABASE_URL', 'REDIS_URL'],
  migrations: ['DATABASE_URL'],
};

/** Settings the manifests must make explicit because the defaults suit one process only. */
const REQUIRED_SETTINGS: Record<Component, string[]> = {
  api: ['NODE_ENV', 'HOST', 'PORT', 'DATA_DIR', 'DB_MIGRATIONS_RUN', 'AUTH_MODE'],
  worker: ['NODE_ENV', 'WORKER_HOST', 'WORKER_PORT', 'DATA_DIR', 'DB_MIGRATIONS_RUN'],
  migrations: ['NODE_ENV'],
};

/** What graceful shutdown may take when SHUTDOWN_GRACE_SECONDS is unset (libs/common). */
const DEFAULT_SHUTDOWN_SECONDS = 30;

function parsedEnv(component: Component, values: Record<string, string>) {
  return (component === 'worker' ? workerEnvSchema : apiEnvSchema).safeParse(values);
}

// ---- checks -----------------------------------------------------------------------------------

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
};

/** Every object validates against its kind's schema; a kind without one is an error too. */
const schema: Check = (objects) => {
  const problems: string[] = [];
  for (const o of objects) {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!Model) {
      problems.push(`${ref(o)}: no schema for ${o.apiVersion} ${o.kind} (add its model)`);
      continue;
    }
    try {
      new Model(o as never).validate();
    } catch (err) {
      problems.push(`${ref(o)}: ${(err as Error).message}`);
    }
  }
  return problems;
};

/** The TypeScript type kubernetes-models declares for each kind. */
const TYPES: Record<string, [module: string, type: string]> = {
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'ISecret'],
  'v1/Service': ['kubernetes-models/v1/Service', 'IService'],
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'batch/v1/Job': ['kubernetes-models/batch/v1/Job', 'IJob'],
  'autoscaling/v2/HorizontalPodAutoscaler': [
    'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    'IHorizontalPodAutoscaler',
  ],
  'policy/v1/PodDisruptionBudget': [
    'kubernetes-models/policy/v1/PodDisruptionBudget',
    'IPodDisruptionBudget',
  ],
  'networking.k8s.io/v1/NetworkPolicy': [
    'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    'INetworkPolicy',
  ],
  'keda.sh/v1alpha1/ScaledObject': [
    '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
    'IScaledObject',
  ],
  'keda.sh/v1alpha1/TriggerAuthentication': [
    '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication',
    'ITriggerAuthentication',
  ],
};

const TYPECHECK_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  lib: ['lib.es2022.d.ts'],
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  target: ts.ScriptTarget.ES2022,
  ignoreDeprecations: '6.0',
};
let lastProgram: ts.Program | undefined;
const typecheckCache = new Map<string, string[]>();

/**
 * Unknown fields. The JSON schemas accept fields they do not know, as the API server's lenient
 * mode does, while `kubectl apply` (strict field validation) rejects them: a misspelt
 * `readinesProbe` would pass every other check. Each object is compiled as a literal of its
 * kubernetes-models TypeScript type, whose excess-property check names every unknown field.
 */
const knownFields: Check = (objects) => {
  const typed = objects.filter((o) => TYPES[`${o.apiVersion}/${o.kind}`]);
  const imports = [...new Set(typed.map((o) => TYPES[`${o.apiVersion}/${o.kind}`]))].map(
    ([module, type]) => `import type { ${type} } from '${module}';`,
  );
  const source = [
    ...imports,
    ...typed.map(
      (o, i) =>
        `export const o${i}: ${TYPES[`${o.apiVersion}/${o.kind}`][1]} = ${JSON.stringify(o)};`,
    ),
  ].join('\n');
  const cached = typecheckCache.get(source);
  if (cached) return cached;
  // Inside the repository, so that the types resolve from its node_modules.
  const file = join(ROOT, 'test/deploy/rendered-manifests.virtual.ts');
  const host = ts.createCompilerHost(TYPECHECK_OPTIONS);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file
      ? ts.createSourceFile(name, source, language)
      : getSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], TYPECHECK_OPTIONS, host, lastProgram);
  lastProgram = program;
  const problems = ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
    const line =
      d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const o = typed[line - imports.length];
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    return `${o ? ref(o) : 'type check'}: ${message}`;
  });
  typecheckCache.set(source, problems);
  return problems;
};

/** One API Deployment, one worker Deployment and one migrations Job. */
const workloadSet: Check = (objects) => {
  const problems: string[] = [];
  const all = workloads(objects);
  for (const component of COMPONENTS) {
    const found = all.filter((w) => w.component === component);
    const kind = component === 'migrations' ? 'Job' : 'Deployment';
    if (found.length !== 1 || found[0].object.kind !== kind) {
      problems.push(
        `expected one ${kind} for ${component}, found ${found.map((w) => w.ref).join(', ') || 'none'}`,
      );
    }
  }
  for (const w of all) {
    if (!COMPONENTS.includes(w.component as Component)) {
      problems.push(`${w.ref}: pod template has no known app.kubernetes.io/component label`);
    }
  }
  return problems;
};

/** The image's commands: the API by default, the worker and migrations as args (tini stays). */
const commands: Check = (objects, ctx) => {
  const problems: string[] = [];
  for (const component of COMPONENTS) {
    const w = workload(objects, component);
    const c = w?.template.spec.containers[0];
    if (!w || !c) continue;
    if (c.command) {
      problems.push(`${w.ref}: command replaces the image's entrypoint (tini); use args`);
    }
    const runs = c.args ?? ctx.image.cmd;
    if (JSON.stringify(runs) !== JSON.stringify(ctx.commands[component])) {
      problems.push(
        `${w.ref}: runs ${JSON.stringify(runs)}, not ${JSON.stringify(ctx.commands[component])}`,
      );
    }
  }
  return problems;
};

/** Liveness on /health/live, readiness on /health/ready, on the port the process listens on. */
const probes: Check = (objects, ctx) => {
  const problems: string[] = [];
  for (const component of ['api', 'worker'] as const) {
    const w = workload(objects, component);
    const c = w?.template.spec.containers[0];
    if (!w || !c) continue;
    const env = containerEnv(objects, c, ctx, w.ref).values;
    const listens = Number(component === 'api' ? env.PORT : env.WORKER_PORT);
    const expected: [keyof Container, string, boolean][] = [
      ['livenessProbe', '/health/live', true],
      ['readinessProbe', '/health/ready', true],
      ['startupProbe', '/health/live', false],
    ];
    for (const [field, path, required] of expected) {
      const probe = c[field] as Probe | undefined;
      if (!probe) {
        if (required) problems.push(`${w.ref}: container ${c.name} has no ${field}`);
        continue;
      }
      if (probe.httpGet?.path !== path) {
        problems.push(
          `${w.ref}: ${field} must GET ${path}, not ${probe.httpGet?.path ?? '(none)'}`,
        );
      }
      const port = resolvePort(c, probe.httpGet?.port);
      if (port === undefined) {
        problems.push(
          `${w.ref}: ${field} port ${String(probe.httpGet?.port)} is not a container port`,
        );
      } else if (port !== listens) {
        problems.push(
          `${w.ref}: ${field} probes port ${port} but the process listens on ${listens}`,
        );
      }
    }
  }
  return problems;
};

/** Non-root (the image's uid), no privilege escalation, read-only root, no capabilities. */
const security: Check = (objects, ctx) => {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const pod = w.template.spec;
    if (pod.securityContext?.runAsNonRoot !== true) {
      problems.push(`${w.ref}: pod securityContext.runAsNonRoot must be true`);
    }
    if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') {
      problems.push(`${w.ref}: pod seccompProfile must be RuntimeDefault`);
    }
    if (pod.automountServiceAccountToken !== false) {
      problems.push(`${w.ref}: automountServiceAccountToken must be false (no API access)`);
    }
    const account = pod.serviceAccountName;
    if (!account || !findObject(objects, 'ServiceAccount', account)) {
      problems.push(`${w.ref}: serviceAccountName ${account ?? '(default)'} is not in the overlay`);
    }
    for (const c of allContainers(pod)) {
      const sc = c.securityContext ?? {};
      const uid = sc.runAsUser ?? pod.securityContext?.runAsUser ?? ctx.image.uid;
      if (uid === 0 || sc.runAsNonRoot === false) {
        problems.push(`${w.ref}: container ${c.name} runs as root`);
      } else if (uid !== ctx.image.uid) {
        problems.push(
          `${w.ref}: container ${c.name} runs as uid ${uid}, the image's user is ${ctx.image.uid}`,
        );
      }
      if (sc.privileged) problems.push(`${w.ref}: container ${c.name} is privileged`);
      if (sc.allowPrivilegeEscalation !== false) {
        problems.push(`${w.ref}: container ${c.name} must set allowPrivilegeEscalation: false`);
      }
      if (sc.readOnlyRootFilesystem !== true) {
        problems.push(`${w.ref}: container ${c.name} must have a read-only root filesystem`);
      }
      if (!sc.capabilities?.drop?.includes('ALL')) {
        problems.push(`${w.ref}: container ${c.name} must drop ALL capabilities`);
      }
      if (sc.capabilities?.add?.length) {
        problems.push(
          `${w.ref}: container ${c.name} adds capabilities ${sc.capabilities.add.join(', ')}`,
        );
      }
    }
  }
  return problems;
};

/** With a read-only root: /tmp and DATA_DIR are writable volumes that exist. */
const writablePaths: Check = (objects, ctx) => {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const volumes = new Map((w.template.spec.volumes ?? []).map((v) => [v.name, v]));
    for (const c of allContainers(w.template.spec)) {
      const mounts = c.volumeMounts ?? [];
      for (const m of mounts) {
        if (!volumes.has(m.name))
          problems.push(`${w.ref}: mount ${m.mountPath} names no volume ${m.name}`);
      }
      const writable = (path: string) =>
        mounts.some((m) => m.mountPath === path && !m.readOnly && volumes.has(m.name));
      const needed = ['/tmp'];
      if (w.component === 'api' || w.component === 'worker') {
        needed.push(containerEnv(objects, c, ctx, w.ref).values.DATA_DIR ?? '(DATA_DIR unset)');
      }
      for (const path of needed) {
        if (!writable(path))
          problems.push(`${w.ref}: container ${c.name} needs a writable volume at ${path}`);
      }
    }
  }
  return problems;
};

/** Requests and limits for CPU and memory, requests within limits. */
const resources: Check = (objects) => {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    for (const c of allContainers(w.template.spec)) {
      for (const resource of ['cpu', 'memory']) {
        const request = c.resources?.requests?.[resource];
        const limit = c.resources?.limits?.[resource];
        if (request === undefined)
          problems.push(`${w.ref}: container ${c.name} has no ${resource} request`);
        if (limit === undefined)
          problems.push(`${w.ref}: container ${c.name} has no ${resource} limit`);
        if (request !== undefined && limit !== undefined && quantity(request) > quantity(limit)) {
          problems.push(`${w.ref}: container ${c.name} requests more ${resource} than its limit`);
        }
      }
    }
  }
  return problems;
};

/** One image for every workload; in production a release tag or a digest, never latest. */
const images: Check = (objects, ctx) => {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const w of workloads(objects)) {
    for (const c of allContainers(w.template.spec)) {
      const image = c.image ?? '';
      used.add(image);
      const { tag, digest } = splitImage(image);
      if (!tag && !digest) problems.push(`${w.ref}: image ${image} has no tag`);
      if (
        ctx.production &&
        !digest &&
        (!tag || /^(latest|dev|main|master|edge|stable)$/.test(tag))
      ) {
        problems.push(`${w.ref}: production image ${image} must be a release tag or a digest`);
      }
    }
  }
  if (used.size > 1) problems.push(`workloads use different images: ${[...used].join(', ')}`);
  return problems;
};

/** Every variable the apps need in distributed mode, with valid values, secrets from Secrets. */
const environment: Check = (objects, ctx) => {
  const problems: string[] = [];
  for (const component of COMPONENTS) {
    const w = workload(objects, component);
    const c = w?.template.spec.containers[0];
    if (!w || !c) continue;
    const env = containerEnv(objects, c, ctx, w.ref);
    problems.push(...env.problems);
    const { values, sources } = env;
    for (const name of REQUIRED_FROM_SECRET[component]) {
      const source = sources[name];
      if (!source || source.source === 'image') {
        problems.push(
          `${w.ref}: ${name} is missing: the process would fall back to an embedded part`,
        );
      } else if (source.source !== 'secretKeyRef' || source.optional) {
        problems.push(`${w.ref}: ${name} must be an explicit, non-optional secretKeyRef`);
      }
    }
    for (const name of REQUIRED_SETTINGS[component]) {
      if (!sources[name] || sources[name].source === 'image') {
        problems.push(`${w.ref}: ${name} is not set by the ConfigMap or the pod`);
      }
    }
    for (const [name, { source }] of Object.entries(sources)) {
      if (SECRET_NAME.test(name) && !['secret', 'secretKeyRef'].includes(source)) {
        problems.push(`${w.ref}: ${name} is a credential but comes from a ${source}, not a Secret`);
      }
    }
    const parsed = parsedEnv(component, values);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`${w.ref}: ${issue.path.join('.')}: ${issue.message}`);
      }
    }
    if (component === 'migrations') continue;
    const port = c.ports?.[0]?.containerPort;
    const [hostVar, portVar] =
      component === 'api' ? ['HOST', 'PORT'] : ['WORKER_HOST', 'WORKER_PORT'];
    if (LOOPBACK.test(values[hostVar] ?? '127.0.0.1')) {
      problems.push(
        `${w.ref}: ${hostVar} ${values[hostVar] ?? '(default)'} is unreachable from probes and Services`,
      );
    }
    if (Number(values[portVar]) !== port) {
      problems.push(`${w.ref}: ${portVar} ${values[portVar]} is not the container port ${port}`);
    }
    if (!/^(false|0|no)$/i.test(values.DB_MIGRATIONS_RUN ?? '')) {
      problems.push(`${w.ref}: DB_MIGRATIONS_RUN must be false: the migrations Job migrates`);
    }
    if (component === 'api') {
      const mode = values.AUTH_MODE ?? 'single_user';
      const key = sources.PROMPT_STUDIO_API_KEY;
      if (mode === 'single_user' && (key?.source !== 'secretKeyRef' || key.optional)) {
        problems.push(
          `${w.ref}: AUTH_MODE single_user needs PROMPT_STUDIO_API_KEY as a non-optional secretKeyRef`,
        );
      }
      if (mode === 'multi_user' && !values.JWT_SECRET && !values.JWT_JWKS_URL) {
        problems.push(`${w.ref}: AUTH_MODE multi_user needs JWT_SECRET or JWT_JWKS_URL`);
      }
    }
  }
  return problems;
};

/** Pods outlive their own shutdown: grace period > preStop + SHUTDOWN_GRACE_SECONDS. */
const gracePeriods: Check = (objects, ctx) => {
  const problems: string[] = [];
  for (const component of ['api', 'worker'] as const) {
    const w = workload(objects, component);
    const c = w?.template.spec.containers[0];
    if (!w || !c) continue;
    const values = containerEnv(objects, c, ctx, w.ref).values;
    const shutdown = Number(values.SHUTDOWN_GRACE_SECONDS ?? DEFAULT_SHUTDOWN_SECONDS);
    const preStop = c.lifecycle?.preStop?.exec?.command;
    const sleep = preStop?.[0] === 'sleep' ? Number(preStop[1]) : 0;
    const grace = w.template.spec.terminationGracePeriodSeconds ?? 30;
    if (grace < sleep + shutdown + 5) {
      problems.push(
        `${w.ref}: terminationGracePeriodSeconds ${grace} < preStop ${sleep} s + shutdown ${shutdown} s + 5 s`,
      );
    }
    if (component === 'worker' && shutdown < 60) {
      problems.push(
        `${w.ref}: SHUTDOWN_GRACE_SECONDS ${shutdown} leaves running jobs under a minute to finish`,
      );
    }
    if (component === 'api' && sleep < 1) {
      problems.push(
        `${w.ref}: a preStop sleep lets endpoints drop the pod before it stops serving`,
      );
    }
  }
  return problems;
};

/** The API Service reaches exactly the API pods and keeps Socket.IO sessions on one pod. */
const service: Check = (objects) => {
  const problems: string[] = [];
  const api = workload(objects, 'api');
  const services = objects.filter((o) => o.kind === 'Service');
  const apiServices = services.filter((s) =>
    selects(
      { matchLabels: (s.spec as { selector?: Record<string, string> }).selector },
      api?.template.metadata?.labels,
    ),
  );
  if (!api) return problems;
  if (apiServices.length !== 1) {
    problems.push(
      `expected one Service for ${api.ref}, found ${apiServices.map(ref).join(', ') || 'none'}`,
    );
  }
  for (const s of apiServices) {
    const spec = s.spec as {
      selector?: Record<string, string>;
      sessionAffinity?: string;
      ports?: { targetPort?: string | number; port: number }[];
    };
    for (const w of workloads(objects)) {
      if (
        w.ref !== api.ref &&
        selects({ matchLabels: spec.selector }, w.template.metadata?.labels)
      ) {
        problems.push(`${ref(s)} also selects ${w.ref}`);
      }
    }
    if (spec.sessionAffinity !== 'ClientIP') {
      problems.push(`${ref(s)}: sessionAffinity must be ClientIP for Socket.IO's long-polling`);
    }
    for (const p of spec.ports ?? []) {
      if (resolvePort(api.template.spec.containers[0], p.targetPort ?? p.port) === undefined) {
        problems.push(`${ref(s)}: targetPort ${String(p.targetPort)} is not a port of ${api.ref}`);
      }
    }
  }
  return problems;
};

interface ScaleTarget {
  scaleTargetRef?: { kind?: string; name?: string };
}

/** Autoscalers and disruption budgets point at real workloads, one autoscaler per Deployment. */
const autoscaling: Check = (objects, ctx) => {
  const problems: string[] = [];
  const scalers = objects.filter(
    (o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject',
  );
  const byTarget = new Map<string, string[]>();
  for (const s of scalers) {
    const target = (s.spec as ScaleTarget).scaleTargetRef;
    const found = target?.name && findObject(objects, target.kind ?? 'Deployment', target.name);
    if (!found) {
      problems.push(
        `${ref(s)}: scale target ${target?.kind ?? ''}/${target?.name ?? ''} does not exist`,
      );
      continue;
    }
    byTarget.set(ref(found), [...(byTarget.get(ref(found)) ?? []), ref(s)]);
  }
  for (const component of ['api', 'worker'] as const) {
    const w = workload(objects, component);
    if (!w) continue;
    const owners = byTarget.get(w.ref) ?? [];
    if (owners.length !== 1) {
      problems.push(`${w.ref} needs exactly one autoscaler, has ${owners.join(', ') || 'none'}`);
    }
    const budgets = objects.filter(
      (o) =>
        o.kind === 'PodDisruptionBudget' &&
        selects((o.spec as { selector?: LabelSelector }).selector, w.template.metadata?.labels),
    );
    if (budgets.length !== 1)
      problems.push(`${w.ref} needs one PodDisruptionBudget, has ${budgets.length}`);
    for (const b of budgets) {
      for (const other of workloads(objects)) {
        if (
          other.ref !== w.ref &&
          selects(
            (b.spec as { selector?: LabelSelector }).selector,
            other.template.metadata?.labels,
          )
        ) {
          problems.push(`${ref(b)} also selects ${other.ref}`);
        }
      }
    }
  }
  const apiHpa = objects.find(
    (o) =>
      o.kind === 'HorizontalPodAutoscaler' &&
      (o.spec as ScaleTarget).scaleTargetRef?.name ===
        workload(objects, 'api')?.object.metadata.name,
  );
  const minReplicas = (apiHpa?.spec as { minReplicas?: number } | undefined)?.minReplicas ?? 1;
  if (ctx.production && minReplicas < 2) {
    problems.push(`production: the API autoscaler keeps ${minReplicas} replica; at least 2`);
  }
  // KEDA: one trigger per worker queue, on Bull's wait list, with the worker's Redis settings.
  for (const so of objects.filter((o) => o.kind === 'ScaledObject')) {
    const w = workload(objects, 'worker');
    const c = w?.template.spec.containers[0];
    if (!w || !c) continue;
    const values = containerEnv(objects, c, ctx, w.ref).values;
    const prefix = values.REDIS_KEY_PREFIX ?? 'prompt-studio';
    const triggers =
      (so.spec as { triggers?: { type: string; metadata?: Record<string, string> }[] }).triggers ??
      [];
    const lists = new Set<string>();
    for (const t of triggers) {
      const m = t.metadata ?? {};
      if (t.type !== 'redis') continue;
      lists.add(m.listName);
      for (const key of ['addressFromEnv', 'passwordFromEnv']) {
        if (m[key] && !(m[key] in values)) {
          problems.push(`${ref(so)}: ${key} ${m[key]} is not in the worker's environment`);
        }
      }
      if (!m.addressFromEnv && !m.address && !m.host)
        problems.push(`${ref(so)}: a redis trigger without an address`);
      if (!(Number(m.listLength) > 0))
        problems.push(`${ref(so)}: listLength must be a positive number`);
    }
    for (const queue of ctx.queues.filter((q) => q !== 'maintenance')) {
      const list = `${prefix}:bull:${queue}:wait`;
      if (!lists.has(list)) problems.push(`${ref(so)}: no trigger on ${list}`);
      lists.delete(list);
    }
    for (const list of lists) problems.push(`${ref(so)}: ${list} is not a wait list of any queue`);
  }
  return problems;
};

/** Every pod is behind an ingress policy whose named ports exist. */
const networkPolicies: Check = (objects) => {
  const problems: string[] = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  for (const w of workloads(objects)) {
    const mine = policies.filter((p) =>
      selects((p.spec as { podSelector?: LabelSelector }).podSelector, w.template.metadata?.labels),
    );
    if (!mine.length) problems.push(`${w.ref}: no NetworkPolicy selects its pods`);
    for (const p of mine) {
      const ingress =
        (p.spec as { ingress?: { ports?: { port?: string | number }[] }[] }).ingress ?? [];
      for (const rule of ingress) {
        for (const port of rule.ports ?? []) {
          if (!w.template.spec.containers.some((c) => resolvePort(c, port.port) !== undefined)) {
            problems.push(`${ref(p)}: port ${String(port.port)} is not a port of ${w.ref}`);
          }
        }
      }
    }
  }
  return problems;
};

/** Production never applies the example Secret over the operator's. */
const secrets: Check = (objects, ctx) => {
  const problems: string[] = [];
  for (const s of objects.filter((o) => o.kind === 'Secret')) {
    if (ctx.production && s.metadata.name in ctx.externalSecrets) {
      problems.push(
        `${ref(s)}: production must not render the example Secret (it would overwrite the real one)`,
      );
    }
    if (ctx.production && Object.values(secretData(s)).some((v) => v.includes('change-me'))) {
      problems.push(`${ref(s)}: holds placeholder values`);
    }
  }
  return problems;
};

/** The migrations Job ends, retries a little and cleans up after itself. */
const migrationsJob: Check = (objects) => {
  const problems: string[] = [];
  const w = workload(objects, 'migrations');
  if (!w) return problems;
  const spec = w.object.spec as {
    backoffLimit?: number;
    activeDeadlineSeconds?: number;
    ttlSecondsAfterFinished?: number;
  };
  if (!['Never', 'OnFailure'].includes(w.template.spec.restartPolicy ?? '')) {
    problems.push(`${w.ref}: restartPolicy must be Never or OnFailure`);
  }
  if (spec.backoffLimit === undefined) problems.push(`${w.ref}: set backoffLimit`);
  if (spec.activeDeadlineSeconds === undefined)
    problems.push(`${w.ref}: set activeDeadlineSeconds`);
  if (spec.ttlSecondsAfterFinished === undefined) {
    problems.push(
      `${w.ref}: set ttlSecondsAfterFinished, or the next release cannot apply the Job`,
    );
  }
  return problems;
};

export const CHECKS = {
  schema,
  knownFields,
  workloadSet,
  commands,
  probes,
  security,
  writablePaths,
  resources,
  images,
  environment,
  gracePeriods,
  service,
  autoscaling,
  networkPolicies,
  secrets,
  migrationsJob,
} satisfies Record<string, Check>;

export type CheckName = keyof typeof CHECKS;

export function runChecks(objects: K8sObject[], ctx: CheckContext): Record<CheckName, string[]> {
  const out = {} as Record<CheckName, string[]>;
  for (const [name, check] of Object.entries(CHECKS) as [CheckName, Check][]) {
    out[name] = check(objects, ctx);
  }
  return out;
}
