import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Renders a kustomization the way `kustomize build` does, for the subset of kustomize that k8s/
 * uses, so the manifests can be rendered and checked where no kustomize binary exists (no npm
 * package implements kustomize). Supported, with kustomize's semantics:
 *
 * - `resources`: YAML files (inside the kustomization's directory, like kustomize's default load
 *   restrictor) and directories holding a kustomization; `components` (kind Component), whose
 *   resources join the parent's and whose patches and transformers then run over all of them.
 * - `patches`, from `path` or inline `patch`, with an optional `target` (group, version, kind,
 *   name, namespace): strategic merge (maps merged, `null` removes a key, `$patch: delete`
 *   removes the resource, a list item or a map, `$patch: replace` replaces a map; lists of
 *   built-in kinds merged by Kubernetes' patch merge keys for the fields in MERGE_KEYS, `ports`
 *   refused, other lists replaced) or JSON 6902 (add, remove, replace, test).
 * - `namespace`, `labels` (pairs, includeTemplates; includeSelectors must stay false),
 *   `replicas` and `images` (newName, newTag, digest), applied in kustomize's order.
 *
 * Any other kustomization field (generators, namePrefix, replacements, helmCharts…) throws, so a
 * manifest that needs more fails the tests instead of rendering wrong. Output order is the order
 * of accumulation, not kustomize's kind order.
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'components',
  'patches',
  'namespace',
  'labels',
  'replicas',
  'images',
]);

/** Kubernetes' patchMergeKey of the list fields the manifests patch (built-in kinds only). */
const MERGE_KEYS: Record<string, (item: JsonObject) => string> = {
  containers: () => 'name',
  initContainers: () => 'name',
  ephemeralContainers: () => 'name',
  volumes: () => 'name',
  env: () => 'name',
  imagePullSecrets: () => 'name',
  volumeMounts: () => 'mountPath',
  topologySpreadConstraints: () => 'topologyKey',
};

/** Lists whose merge kustomize does its own way (ports key on port and protocol): refused. */
const UNSUPPORTED_LISTS = new Set(['ports']);

/** Kinds whose objects carry no namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'IngressClass',
  'RuntimeClass',
  'ClusterTriggerAuthentication',
]);

/** Kinds with a pod template at spec.template. */
const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function readYamlDocuments(file: string): Json[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: Json[] = [];
  for (const doc of docs) {
    if (doc.errors.length) {
      throw new KustomizeError(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    const value = doc.toJS() as Json;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function asK8sObject(value: Json, origin: string): K8sObject {
  if (
    !isObject(value) ||
    typeof value.apiVersion !== 'string' ||
    typeof value.kind !== 'string' ||
    !isObject(value.metadata) ||
    typeof value.metadata.name !== 'string'
  ) {
    throw new KustomizeError(
      `${origin}: not a Kubernetes object (apiVersion, kind, metadata.name)`,
    );
  }
  return value as unknown as K8sObject;
}

function group(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** Built-in kinds have schemas (and merge keys); custom resources are merged as plain maps. */
function isBuiltIn(apiVersion: string): boolean {
  const g = group(apiVersion);
  return g === '' || !g.includes('.') || g.endsWith('.k8s.io');
}

export function objectId(o: K8sObject): string {
  return `${group(o.apiVersion) || 'core'}/${o.kind}/${o.metadata.namespace ?? '~'}/${o.metadata.name}`;
}

function loadKustomization(dir: string): { file: string; content: JsonObject } {
  for (const name of KUSTOMIZATION_FILES) {
    const file = join(dir, name);
    if (existsSync(file)) {
      const [content] = readYamlDocuments(file);
      if (!isObject(content)) throw new KustomizeError(`${file}: not a map`);
      for (const key of Object.keys(content)) {
        if (!SUPPORTED_FIELDS.has(key)) {
          throw new KustomizeError(
            `${file}: "${key}" is not supported by test/deploy/kustomize-render.ts`,
          );
        }
      }
      return { file, content };
    }
  }
  throw new KustomizeError(`${dir}: no kustomization.yaml`);
}

function stringList(value: Json | undefined, field: string, file: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new KustomizeError(`${file}: ${field} must be a list of strings`);
  }
  return value as string[];
}

/** A file a kustomization loads must sit inside its directory (kustomize's LoadRestrictionsRootOnly). */
function restrictedFile(dir: string, path: string, file: string): string {
  const full = resolve(dir, path);
  const rel = relative(dir, full);
  if (rel.startsWith('..') || rel.split(sep).includes('..')) {
    throw new KustomizeError(`${file}: ${path} is outside ${dir}`);
  }
  if (!existsSync(full)) throw new KustomizeError(`${file}: ${path} does not exist`);
  return full;
}

function addResources(target: K8sObject[], added: K8sObject[], file: string): void {
  const ids = new Set(target.map(objectId));
  for (const o of added) {
    const id = objectId(o);
    if (ids.has(id)) throw new KustomizeError(`${file}: ${id} is defined twice`);
    ids.add(id);
    target.push(o);
  }
}

function build(dir: string, expected: 'Kustomization' | 'Component', into?: K8sObject[]) {
  const { file, content } = loadKustomization(dir);
  const kind = typeof content.kind === 'string' ? content.kind : 'Kustomization';
  if (kind !== expected) throw new KustomizeError(`${file}: kind ${kind}, not ${expected}`);
  const objects = into ?? [];
  for (const entry of stringList(content.resources, 'resources', file)) {
    const path = resolve(dir, entry);
    if (!existsSync(path)) throw new KustomizeError(`${file}: ${entry} does not exist`);
    if (statSync(path).isDirectory()) {
      addResources(objects, build(path, 'Kustomization'), file);
    } else {
      const full = restrictedFile(dir, entry, file);
      addResources(
        objects,
        readYamlDocuments(full).map((doc, i) => asK8sObject(doc, `${full}#${i}`)),
        file,
      );
    }
  }
  for (const entry of stringList(content.components, 'components', file)) {
    build(resolve(dir, entry), 'Component', objects);
  }
  transform(dir, file, content, objects);
  return objects;
}

// ---- strategic merge -------------------------------------------------------------------------

function mergeList(dest: Json[], patch: Json[], field: string, builtIn: boolean): Json[] {
  if (builtIn && UNSUPPORTED_LISTS.has(field)) {
    throw new KustomizeError(
      `patching the list ${field} is not supported; replace it with JSON 6902`,
    );
  }
  const keyOf = builtIn ? MERGE_KEYS[field] : undefined;
  const first = patch.find(isObject) ?? dest.find(isObject);
  if (!keyOf || !first) return patch.filter((p) => !(isObject(p) && '$patch' in p));
  const key = keyOf(first);
  const remaining = [...dest];
  const out: Json[] = [];
  for (const item of patch) {
    if (!isObject(item) || !(key in item)) {
      throw new KustomizeError(`patch item of ${field} lacks its merge key ${key}`);
    }
    const at = remaining.findIndex((d) => isObject(d) && d[key] === item[key]);
    const existing = at >= 0 ? remaining.splice(at, 1)[0] : undefined;
    if (item.$patch === 'delete') continue;
    out.push(existing === undefined ? stripDirectives(item) : mergeValue(existing, item, builtIn));
  }
  return [...out, ...remaining];
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$patch') continue;
    if (v !== null) out[k] = stripDirectives(v);
  }
  return out;
}

function mergeValue(dest: Json, patch: Json, builtIn: boolean, field = ''): Json {
  if (isObject(patch)) {
    if (patch.$patch === 'replace') return stripDirectives(patch);
    if (patch.$patch !== undefined) {
      throw new KustomizeError(`$patch: ${JSON.stringify(patch.$patch)} is not supported here`);
    }
    const out: JsonObject = isObject(dest) ? { ...dest } : {};
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else if (isObject(v) && v.$patch === 'delete') delete out[k];
      else out[k] = mergeValue(out[k] ?? null, v, builtIn, k);
    }
    return out;
  }
  if (Array.isArray(patch)) {
    return mergeList(Array.isArray(dest) ? dest : [], patch, field, builtIn);
  }
  return patch;
}

// ---- JSON 6902 --------------------------------------------------------------------------------

function pointer(path: string): string[] {
  if (!path.startsWith('/')) throw new KustomizeError(`JSON pointer ${path} must start with /`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function applyJson6902(doc: JsonObject, ops: Json[]): void {
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw new KustomizeError('JSON 6902 operation needs op and path');
    }
    const tokens = pointer(op.path);
    const last = tokens.pop() as string;
    let parent: Json = doc;
    for (const t of tokens) {
      parent = Array.isArray(parent) ? parent[Number(t)] : isObject(parent) ? parent[t] : null;
      if (parent === undefined || parent === null) {
        throw new KustomizeError(`${op.op} ${op.path}: no such path`);
      }
    }
    const container = parent;
    switch (op.op) {
      case 'add':
      case 'replace': {
        if (op.value === undefined) throw new KustomizeError(`${op.op} ${op.path} needs a value`);
        const value = clone(op.value);
        if (Array.isArray(container)) {
          const index = last === '-' ? container.length : Number(last);
          if (op.op === 'add') container.splice(index, 0, value);
          else if (index < container.length) container[index] = value;
          else throw new KustomizeError(`replace ${op.path}: no such index`);
        } else if (isObject(container)) {
          if (op.op === 'replace' && !(last in container)) {
            throw new KustomizeError(`replace ${op.path}: no such key`);
          }
          container[last] = value;
        }
        break;
      }
      case 'remove':
        if (Array.isArray(container) && Number(last) < container.length) {
          container.splice(Number(last), 1);
        } else if (isObject(container) && last in container) delete container[last];
        else throw new KustomizeError(`remove ${op.path}: no such path`);
        break;
      case 'test': {
        const actual = Array.isArray(container)
          ? container[Number(last)]
          : isObject(container)
            ? container[last]
            : undefined;
        if (JSON.stringify(actual) !== JSON.stringify(op.value)) {
          throw new KustomizeError(`test ${op.path} failed`);
        }
        break;
      }
      default:
        throw new KustomizeError(`JSON 6902 op ${op.op} is not supported`);
    }
  }
}

// ---- patches ----------------------------------------------------------------------------------

interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

function matches(o: K8sObject, t: Target): boolean {
  const [g, v] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  return (
    (t.group === undefined || t.group === g) &&
    (t.version === undefined || t.version === v) &&
    (t.kind === undefined || t.kind === o.kind) &&
    (t.name === undefined || t.name === o.metadata.name) &&
    (t.namespace === undefined || t.namespace === (o.metadata.namespace ?? ''))
  );
}

function targetOf(value: Json | undefined, file: string): Target | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new KustomizeError(`${file}: patch target must be a map`);
  const allowed = ['group', 'version', 'kind', 'name', 'namespace'];
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new KustomizeError(`${file}: patch target field ${key} is not supported`);
    }
  }
  return value;
}

function applyPatches(dir: string, file: string, entries: Json, objects: K8sObject[]): void {
  if (!Array.isArray(entries)) throw new KustomizeError(`${file}: patches must be a list`);
  for (const entry of entries) {
    if (!isObject(entry)) throw new KustomizeError(`${file}: a patch must be a map`);
    for (const key of Object.keys(entry)) {
      if (!['path', 'patch', 'target'].includes(key)) {
        throw new KustomizeError(`${file}: patch field ${key} is not supported`);
      }
    }
    let docs: Json[];
    let origin: string;
    if (typeof entry.path === 'string') {
      origin = restrictedFile(dir, entry.path, file);
      docs = readYamlDocuments(origin);
    } else if (typeof entry.patch === 'string') {
      origin = `${file} (inline patch)`;
      docs = parseAllDocuments(entry.patch)
        .map((d) => d.toJS() as Json)
        .filter((d) => d !== null);
    } else {
      throw new KustomizeError(`${file}: a patch needs path or patch`);
    }
    const target = targetOf(entry.target, file);
    if (docs.length === 1 && Array.isArray(docs[0])) {
      if (!target) throw new KustomizeError(`${origin}: a JSON 6902 patch needs a target`);
      const selected = objects.filter((o) => matches(o, target));
      if (!selected.length) throw new KustomizeError(`${origin}: the target matches nothing`);
      for (const o of selected) applyJson6902(o as unknown as JsonObject, docs[0]);
      continue;
    }
    for (const doc of docs) {
      if (!isObject(doc)) throw new KustomizeError(`${origin}: a patch must be a map or a list`);
      // Like kustomize, a strategic merge patch names its object even when a target selects.
      const p = asK8sObject(doc, origin);
      const selected = target
        ? objects.filter((o) => matches(o, target))
        : objects.filter((o) => {
            // Without a namespace the patch names the resource as its base wrote it.
            return (
              o.apiVersion === p.apiVersion &&
              o.kind === p.kind &&
              o.metadata.name === p.metadata.name &&
              (p.metadata.namespace === undefined || p.metadata.namespace === o.metadata.namespace)
            );
          });
      if (!selected.length) throw new KustomizeError(`${origin}: the patch matches no resource`);
      for (const o of selected) {
        const index = objects.indexOf(o);
        if (doc.$patch === 'delete') {
          objects.splice(index, 1);
          continue;
        }
        const patch: JsonObject = { ...doc };
        // A targeted patch may name the resource loosely; identity never changes through one.
        if (target) {
          const { name: _name, namespace: _namespace, ...metadata } = p.metadata;
          patch.metadata = metadata as JsonObject;
        }
        const merged = mergeValue(
          o as unknown as JsonObject,
          patch,
          isBuiltIn(o.apiVersion),
        ) as unknown as K8sObject;
        objects[index] = asK8sObject(merged as unknown as Json, origin);
      }
    }
  }
}

// ---- transformers -----------------------------------------------------------------------------

function podTemplates(o: K8sObject): JsonObject[] {
  const spec = o.spec;
  if (!isObject(spec)) return [];
  if (TEMPLATE_KINDS.has(o.kind) && isObject(spec.template)) return [spec.template];
  if (o.kind === 'CronJob' && isObject(spec.jobTemplate)) {
    const jobSpec = spec.jobTemplate.spec;
    if (isObject(jobSpec) && isObject(jobSpec.template)) return [jobSpec.template];
  }
  return [];
}

function containersOf(o: K8sObject): JsonObject[] {
  const pods = o.kind === 'Pod' && isObject(o.spec) ? [o.spec] : [];
  for (const t of podTemplates(o)) if (isObject(t.spec)) pods.push(t.spec);
  return pods.flatMap((spec) =>
    ['containers', 'initContainers']
      .map((f) => spec[f])
      .filter(Array.isArray)
      .flat()
      .filter(isObject),
  );
}

function applyLabels(file: string, entries: Json, objects: K8sObject[]): void {
  if (!Array.isArray(entries)) throw new KustomizeError(`${file}: labels must be a list`);
  for (const entry of entries) {
    if (!isObject(entry) || !isObject(entry.pairs)) {
      throw new KustomizeError(`${file}: each labels entry needs pairs`);
    }
    for (const key of Object.keys(entry)) {
      if (!['pairs', 'includeSelectors', 'includeTemplates'].includes(key)) {
        throw new KustomizeError(`${file}: labels field ${key} is not supported`);
      }
    }
    if (entry.includeSelectors === true) {
      throw new KustomizeError(`${file}: labels with includeSelectors are not supported`);
    }
    const pairs = entry.pairs as Record<string, string>;
    for (const o of objects) {
      o.metadata.labels = { ...o.metadata.labels, ...pairs };
      if (entry.includeTemplates === true) {
        for (const t of podTemplates(o)) {
          const metadata = isObject(t.metadata) ? t.metadata : (t.metadata = {});
          metadata.labels = { ...(isObject(metadata.labels) ? metadata.labels : {}), ...pairs };
        }
      }
    }
  }
}

function applyReplicas(file: string, entries: Json, objects: K8sObject[]): void {
  if (!Array.isArray(entries)) throw new KustomizeError(`${file}: replicas must be a list`);
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.count !== 'number') {
      throw new KustomizeError(`${file}: each replicas entry needs name and count`);
    }
    const selected = objects.filter(
      (o) =>
        o.metadata.name === entry.name &&
        ['Deployment', 'ReplicaSet', 'StatefulSet'].includes(o.kind),
    );
    if (!selected.length) throw new KustomizeError(`${file}: replicas ${entry.name}: no workload`);
    for (const o of selected) (o.spec as JsonObject).replicas = entry.count;
  }
}

/** `registry/name:tag@digest` split into the name kustomize matches on and the rest. */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const [rest, digest] = image.split('@');
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}

function applyImages(file: string, entries: Json, objects: K8sObject[]): void {
  if (!Array.isArray(entries)) throw new KustomizeError(`${file}: images must be a list`);
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.name !== 'string') {
      throw new KustomizeError(`${file}: each images entry needs a name`);
    }
    for (const key of Object.keys(entry)) {
      if (!['name', 'newName', 'newTag', 'digest'].includes(key)) {
        throw new KustomizeError(`${file}: images field ${key} is not supported`);
      }
    }
    for (const o of objects) {
      for (const c of containersOf(o)) {
        if (typeof c.image !== 'string') continue;
        const image = splitImage(c.image);
        if (image.name !== entry.name) continue;
        const name = typeof entry.newName === 'string' ? entry.newName : image.name;
        const tag = typeof entry.newTag === 'number' ? String(entry.newTag) : entry.newTag;
        if (typeof entry.digest === 'string') c.image = `${name}@${entry.digest}`;
        else if (typeof tag === 'string') c.image = `${name}:${tag}`;
        else if (image.digest) c.image = `${name}@${image.digest}`;
        else c.image = image.tag ? `${name}:${image.tag}` : name;
      }
    }
  }
}

function transform(dir: string, file: string, k: JsonObject, objects: K8sObject[]): void {
  // kustomize's order: patches, namespace, labels, replicas, images.
  if (k.patches !== undefined) applyPatches(dir, file, k.patches, objects);
  if (k.namespace !== undefined) {
    if (typeof k.namespace !== 'string') throw new KustomizeError(`${file}: namespace`);
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  }
  if (k.labels !== undefined) applyLabels(file, k.labels, objects);
  if (k.replicas !== undefined) applyReplicas(file, k.replicas, objects);
  if (k.images !== undefined) applyImages(file, k.images, objects);
}

/** Renders the kustomization in `dir` (an overlay or a base). Throws KustomizeError on misuse. */
export function renderKustomization(dir: string): K8sObject[] {
  return clone(build(resolve(dir), 'Kustomization'));
}
