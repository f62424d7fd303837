import { readFileSync } from 'node:fs';
import { QUEUES } from '../../libs/queue/src/queue-names';
import {
  DOCKERFILE,
  exampleSecretData,
  EXTERNAL_SECRET,
  nodeCommand,
  OVERLAYS,
} from './deploy-files';
import { parseDockerfile } from './dockerfile-rules';
import { type K8sObject, renderKustomization } from './kustomize-render';
import { type CheckContext, type CheckName, CHECKS, runChecks } from './manifest-checks';

const image = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));

function contextFor(production: boolean): CheckContext {
  return {
    production,
    externalSecrets: production ? { [EXTERNAL_SECRET]: exampleSecretData() } : {},
    image: { uid: Number(image.user?.split(':')[0]), cmd: image.cmd ?? [], env: image.env },
    commands: {
      api: nodeCommand('start:api'),
      worker: nodeCommand('start:worker'),
      migrations: nodeCommand('migration:run'),
    },
    queues: QUEUES,
  };
}

const rendered = OVERLAYS.map((o) => ({ ...o, objects: renderKustomization(o.dir) }));

describe.each(rendered)('k8s/overlays/$name', ({ name, objects, production }) => {
  const ctx = contextFor(production);

  it('renders the API, the worker, the migrations Job and what they need', () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ServiceAccount/prompt-studio',
        'ConfigMap/prompt-studio-config',
        'Deployment/prompt-studio-api',
        'Service/prompt-studio-api',
        'HorizontalPodAutoscaler/prompt-studio-api',
        'PodDisruptionBudget/prompt-studio-api',
        'Deployment/prompt-studio-worker',
        'PodDisruptionBudget/prompt-studio-worker',
        'Job/prompt-studio-migrations',
        'NetworkPolicy/prompt-studio-api',
      ]),
    );
    const namespaces = new Set(objects.map((o) => o.metadata.namespace));
    expect(namespaces).toEqual(new Set([name === 'dev' ? 'prompt-studio-dev' : 'prompt-studio']));
    expect(objects.some((o) => o.kind === 'Secret')).toBe(!production);
    expect(objects.some((o) => o.kind === 'ScaledObject')).toBe(name === 'production-keda');
  });

  it.each(Object.keys(CHECKS) as CheckName[])('passes the %s check', (check) => {
    expect(CHECKS[check](objects, ctx)).toEqual([]);
  });
});

// ---- planted mistakes: each check must report the mistake it exists for -----------------------

const production = rendered.find((o) => o.name === 'production-keda') as (typeof rendered)[number];
const productionCtx = contextFor(true);

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A copy of the production render with `change` applied to the object `kind/name`. */
function plant(kind: string, name: string, change: (o: Mutable) => void): K8sObject[] {
  const copy = structuredClone(production.objects);
  const target = copy.find((o) => o.kind === kind && o.metadata.name === name);
  if (!target) throw new Error(`${kind}/${name} is not in the render`);
  change(target);
  return copy;
}

const api = (change: (container: Mutable, pod: Mutable) => void) =>
  plant('Deployment', 'prompt-studio-api', (o) =>
    change(o.spec.template.spec.containers[0], o.spec.template.spec),
  );
const worker = (change: (container: Mutable, pod: Mutable) => void) =>
  plant('Deployment', 'prompt-studio-worker', (o) =>
    change(o.spec.template.spec.containers[0], o.spec.template.spec),
  );
const configMap = (change: (data: Record<string, string>) => void) =>
  plant('ConfigMap', 'prompt-studio-config', (o) => change(o.data));
const envEntry = (container: Mutable, name: string) =>
  (container.env as Mutable[]).find((e) => e.name === name) as Mutable;

describe('each check fails on a planted mistake', () => {
  it.each<[string, CheckName, () => K8sObject[] | [K8sObject[], CheckContext], RegExp]>([
    [
      'a wrong field type',
      'schema',
      () => api((c) => (c.ports[0].containerPort = 'http')),
      /Deployment\/prompt-studio-api: .*containerPort must be integer/,
    ],
    [
      'a kind without a schema',
      'schema',
      () => [
        ...production.objects,
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
      ],
      /no schema for example.com\/v1 Widget/,
    ],
    [
      'a misspelt field',
      'knownFields',
      () => api((c) => ((c.readinesProbe = c.readinessProbe), delete c.readinessProbe)),
      /Deployment\/prompt-studio-api: .*'"readinesProbe"' does not exist in type 'IContainer'/,
    ],
    [
      'a field at the wrong level',
      'knownFields',
      () => plant('Service', 'prompt-studio-api', (o) => (o.sessionAffinity = 'ClientIP')),
      /Service\/prompt-studio-api: .*'"sessionAffinity"' does not exist in type 'IService'/,
    ],
    [
      'a missing worker',
      'workloadSet',
      () => production.objects.filter((o) => o.metadata.name !== 'prompt-studio-worker'),
      /expected one Deployment for worker, found none/,
    ],
    [
      'a command that drops tini',
      'commands',
      () => worker((c) => ((c.command = c.args), delete c.args)),
      /worker: command replaces the image's entrypoint/,
    ],
    [
      'a worker running the API',
      'commands',
      () => worker((c) => delete c.args),
      /prompt-studio-worker: runs \["node","dist\/apps\/api\/src\/main.js"\]/,
    ],
    [
      'a removed readiness probe',
      'probes',
      () => api((c) => delete c.readinessProbe),
      /prompt-studio-api: container api has no readinessProbe/,
    ],
    [
      'liveness on the readiness path',
      'probes',
      () => worker((c) => (c.livenessProbe.httpGet.path = '/health/ready')),
      /worker: livenessProbe must GET \/health\/live/,
    ],
    [
      'a probe on another port than the process',
      'probes',
      () => configMap((d) => (d.WORKER_PORT = '9001')),
      /worker: livenessProbe probes port 8001 but the process listens on 9001/,
    ],
    [
      'a container running as root',
      'security',
      () => api((c) => (c.securityContext.runAsUser = 0)),
      /prompt-studio-api: container api runs as root/,
    ],
    [
      'runAsNonRoot removed',
      'security',
      () =>
        plant(
          'Job',
          'prompt-studio-migrations',
          (o) => delete o.spec.template.spec.securityContext.runAsNonRoot,
        ),
      /Job\/prompt-studio-migrations: pod securityContext.runAsNonRoot must be true/,
    ],
    [
      'a writable root filesystem',
      'security',
      () => worker((c) => (c.securityContext.readOnlyRootFilesystem = false)),
      /worker: container worker must have a read-only root filesystem/,
    ],
    [
      'capabilities kept',
      'security',
      () => worker((c) => (c.securityContext.capabilities.drop = ['NET_RAW'])),
      /worker: container worker must drop ALL capabilities/,
    ],
    [
      'no /tmp volume',
      'writablePaths',
      () =>
        api(
          (c) => (c.volumeMounts = c.volumeMounts.filter((m: Mutable) => m.mountPath !== '/tmp')),
        ),
      /prompt-studio-api: container api needs a writable volume at \/tmp/,
    ],
    [
      'DATA_DIR moved off its volume',
      'writablePaths',
      () => configMap((d) => (d.DATA_DIR = '/var/lib/prompt-studio')),
      /container worker needs a writable volume at \/var\/lib\/prompt-studio/,
    ],
    [
      'no memory limit',
      'resources',
      () => api((c) => delete c.resources.limits.memory),
      /prompt-studio-api: container api has no memory limit/,
    ],
    [
      'a request above its limit',
      'resources',
      () => worker((c) => (c.resources.requests.memory = '3Gi')),
      /worker: container worker requests more memory than its limit/,
    ],
    [
      'latest in production',
      'images',
      () =>
        plant('Job', 'prompt-studio-migrations', (o) => {
          o.spec.template.spec.containers[0].image = 'registry.example.com/prompt-studio:latest';
        }),
      /production image registry.example.com\/prompt-studio:latest must be a release tag/,
    ],
    [
      'two images',
      'images',
      () => worker((c) => (c.image = 'registry.example.com/prompt-studio:0.0.9')),
      /workloads use different images/,
    ],
    [
      'DATABASE_URL dropped from the Secret',
      'environment',
      () => {
        const ctx = contextFor(true);
        delete ctx.externalSecrets[EXTERNAL_SECRET].DATABASE_URL;
        return [production.objects, ctx];
      },
      /reads Secret prompt-studio-secrets key DATABASE_URL, which does not exist/,
    ],
    [
      'REDIS_URL no longer required',
      'environment',
      () => worker((c) => (c.env = c.env.filter((e: Mutable) => e.name !== 'REDIS_URL'))),
      /prompt-studio-worker: REDIS_URL must be an explicit, non-optional secretKeyRef/,
    ],
    [
      'an optional DATABASE_URL',
      'environment',
      () => api((c) => (envEntry(c, 'DATABASE_URL').valueFrom.secretKeyRef.optional = true)),
      /prompt-studio-api: DATABASE_URL must be an explicit, non-optional secretKeyRef/,
    ],
    [
      'a credential in the ConfigMap',
      'environment',
      () => configMap((d) => (d.OPENAI_API_KEY = 'sk-123')),
      /OPENAI_API_KEY is a credential but comes from a configMap/,
    ],
    [
      'HOST left to the image',
      'environment',
      () => configMap((d) => delete d.HOST),
      /prompt-studio-api: HOST is not set by the ConfigMap or the pod/,
    ],
    [
      'the worker on loopback',
      'environment',
      () => configMap((d) => (d.WORKER_HOST = '127.0.0.1')),
      /prompt-studio-worker: WORKER_HOST 127.0.0.1 is unreachable/,
    ],
    [
      'a value the app rejects',
      'environment',
      () => configMap((d) => (d.LOG_LEVEL = 'verbose')),
      /prompt-studio-api: LOG_LEVEL: /,
    ],
    [
      'apps that migrate themselves',
      'environment',
      () => configMap((d) => (d.DB_MIGRATIONS_RUN = 'true')),
      /DB_MIGRATIONS_RUN must be false/,
    ],
    [
      'single_user without an owner key',
      'environment',
      () => api((c) => (c.env = c.env.filter((e: Mutable) => e.name !== 'PROMPT_STUDIO_API_KEY'))),
      /AUTH_MODE single_user needs PROMPT_STUDIO_API_KEY/,
    ],
    [
      'a grace period shorter than the drain',
      'gracePeriods',
      () => worker((_c, pod) => (pod.terminationGracePeriodSeconds = 30)),
      /worker: terminationGracePeriodSeconds 30 < preStop 0 s \+ shutdown 110 s/,
    ],
    [
      'no preStop on the API',
      'gracePeriods',
      () => api((c) => delete c.lifecycle),
      /prompt-studio-api: a preStop sleep/,
    ],
    [
      'no session affinity',
      'service',
      () => plant('Service', 'prompt-studio-api', (o) => delete o.spec.sessionAffinity),
      /sessionAffinity must be ClientIP/,
    ],
    [
      'a Service selecting the workers too',
      'service',
      () =>
        plant(
          'Service',
          'prompt-studio-api',
          (o) => delete o.spec.selector['app.kubernetes.io/component'],
        ),
      /Service\/prompt-studio-api also selects Deployment\/prompt-studio-worker/,
    ],
    [
      'the CPU HPA left beside KEDA',
      'autoscaling',
      () => [
        ...production.objects,
        structuredClone(
          rendered[1].objects.find(
            (o) =>
              o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'prompt-studio-worker',
          ) as K8sObject,
        ),
      ],
      /prompt-studio-worker needs exactly one autoscaler, has \S+, \S+/,
    ],
    [
      'a KEDA trigger on a list Bull does not use',
      'autoscaling',
      () =>
        plant(
          'ScaledObject',
          'prompt-studio-worker',
          (o) => (o.spec.triggers[0].metadata.listName = 'prompt-studio:evaluation'),
        ),
      /no trigger on prompt-studio:bull:evaluation:wait/,
    ],
    [
      'a KEDA address the worker lacks',
      'autoscaling',
      () =>
        plant('ScaledObject', 'prompt-studio-worker', (o) => {
          o.spec.triggers[1].metadata.addressFromEnv = 'REDIS_HOST_PORT';
        }),
      /addressFromEnv REDIS_HOST_PORT is not in the worker's environment/,
    ],
    [
      'a single API replica in production',
      'autoscaling',
      () => plant('HorizontalPodAutoscaler', 'prompt-studio-api', (o) => (o.spec.minReplicas = 1)),
      /the API autoscaler keeps 1 replica/,
    ],
    [
      'a pod without a NetworkPolicy',
      'networkPolicies',
      () =>
        production.objects.filter(
          (o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'prompt-studio-worker'),
        ),
      /Deployment\/prompt-studio-worker: no NetworkPolicy selects its pods/,
    ],
    [
      'a policy on a port the pod lacks',
      'networkPolicies',
      () =>
        plant(
          'NetworkPolicy',
          'prompt-studio-api',
          (o) => (o.spec.ingress[0].ports[0].port = 'metrics'),
        ),
      /port metrics is not a port of Deployment\/prompt-studio-api/,
    ],
    [
      'the example Secret in production',
      'secrets',
      () => [
        ...production.objects,
        structuredClone(rendered[0].objects.find((o) => o.kind === 'Secret') as K8sObject),
      ],
      /production must not render the example Secret/,
    ],
    [
      'a Job that is never cleaned up',
      'migrationsJob',
      () => plant('Job', 'prompt-studio-migrations', (o) => delete o.spec.ttlSecondsAfterFinished),
      /set ttlSecondsAfterFinished/,
    ],
  ])('%s (%s)', (_label, check, make, expected) => {
    const made = make();
    const [objects, ctx] = Array.isArray(made[0])
      ? (made as [K8sObject[], CheckContext])
      : [made as K8sObject[], productionCtx];
    const problems = CHECKS[check](objects, ctx);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    // The same check passes on the untouched render: the plant, not the check, is wrong.
    expect(CHECKS[check](production.objects, productionCtx)).toEqual([]);
  });

  it('reports nothing for a clean render of every overlay', () => {
    for (const o of rendered) {
      const problems = Object.values(runChecks(o.objects, contextFor(o.production))).flat();
      expect({ overlay: o.name, problems }).toEqual({ overlay: o.name, problems: [] });
    }
  });
});
