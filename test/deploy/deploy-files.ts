import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type K8sObject, renderKustomization } from './kustomize-render';

/** The repository root. */
export const ROOT = join(__dirname, '../..');

export const DOCKERFILE = join(ROOT, 'docker/Dockerfile');
export const DOCKERIGNORE = join(ROOT, '.dockerignore');
export const COMPOSE_FILE = join(ROOT, 'docker/compose.yml');

/** Every overlay a user may apply; `production` marks those that must be release-grade. */
export const OVERLAYS: { name: string; dir: string; production: boolean }[] = [
  { name: 'dev', dir: join(ROOT, 'k8s/overlays/dev'), production: false },
  { name: 'production', dir: join(ROOT, 'k8s/overlays/production'), production: true },
  { name: 'production-keda', dir: join(ROOT, 'k8s/overlays/production-keda'), production: true },
];

export const BASE_DIR = join(ROOT, 'k8s/base');

/** The Secret production overlays leave to the operator, with the keys the example lists. */
export const EXTERNAL_SECRET = 'prompt-studio-secrets';

export function readPackageJson(): {
  engines: { node: string };
  scripts: Record<string, string>;
} {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
}

/**
 * The `node …` command a package.json script ends with (`npm run build && node x.js y` gives
 * `['node', 'x.js', 'y']`): what the image runs for that script, without the build step.
 */
export function nodeCommand(script: string): string[] {
  const command = readPackageJson().scripts[script];
  if (!command) throw new Error(`package.json has no script ${script}`);
  const last = command.split('&&').pop()?.trim() ?? '';
  if (!last.startsWith('node ')) throw new Error(`${script} does not end with a node command`);
  return last.split(/\s+/);
}

/** The example Secret of the base: the contract for the keys of the real one. */
export function exampleSecretData(): Record<string, string> {
  const secret = renderKustomization(BASE_DIR).find(
    (o) => o.kind === 'Secret' && o.metadata.name === EXTERNAL_SECRET,
  );
  if (!secret) throw new Error(`k8s/base has no example Secret ${EXTERNAL_SECRET}`);
  return secretData(secret);
}

/** A Secret's values, from stringData and (base64) data alike. */
export function secretData(secret: K8sObject): Record<string, string> {
  const out: Record<string, string> = {};
  const data = (secret.data ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(data)) out[k] = Buffer.from(v, 'base64').toString('utf8');
  Object.assign(out, (secret.stringData ?? {}) as Record<string, string>);
  return out;
}
