import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KustomizeError, renderKustomization } from './kustomize-render';

/** Writes `files` (path → content) under a fresh directory and returns it. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ps-kustomize-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: { app: x }
  template:
    metadata:
      labels: { app: x }
    spec:
      containers:
        - name: main
          image: example/app:1.0
          env:
            - { name: A, value: '1' }
            - { name: B, value: '2' }
          ports:
            - { name: http, containerPort: 80 }
        - name: sidecar
          image: busybox:1.36
`;
const config = `apiVersion: v1
kind: ConfigMap
metadata:
  name: config
data:
  KEY: value
`;
const base = {
  'base/kustomization.yaml': 'resources: [deployment.yaml, config.yaml]\n',
  'base/deployment.yaml': deployment,
  'base/config.yaml': config,
};

const byKind = (objects: ReturnType<typeof renderKustomization>, kind: string) =>
  objects.find((o) => o.kind === kind) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('kustomize renderer', () => {
  it('loads files and directories, then sets the namespace, labels, replicas and images', () => {
    const root = tree({
      ...base,
      'overlay/kustomization.yaml': `resources: [../base]
namespace: team
labels:
  - pairs: { tier: backend }
    includeTemplates: true
replicas:
  - { name: app, count: 3 }
images:
  - { name: example/app, newName: registry.example.com/app, newTag: '2.1' }
  - { name: busybox, digest: 'sha256:abc' }
`,
    });
    const objects = renderKustomization(join(root, 'overlay'));
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Deployment/team/app',
      'ConfigMap/team/config',
    ]);
    const d = byKind(objects, 'Deployment');
    expect(d.metadata.labels).toEqual({ tier: 'backend' });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'x', tier: 'backend' });
    // Selectors are immutable: includeSelectors stays false.
    expect(d.spec.selector.matchLabels).toEqual({ app: 'x' });
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers.map((c: { image: string }) => c.image)).toEqual([
      'registry.example.com/app:2.1',
      'busybox@sha256:abc',
    ]);
  });

  it('merges strategic patches by Kubernetes merge keys and deletes with $patch', () => {
    const root = tree({
      ...base,
      'overlay/kustomization.yaml': `resources: [../base]
patches:
  - path: patch.yaml
`,
      'overlay/patch.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
        - name: main
          env:
            - { name: B, value: changed }
            - { name: C, value: '3' }
            - { name: A, $patch: delete }
        - name: sidecar
          $patch: delete
---
$patch: delete
apiVersion: v1
kind: ConfigMap
metadata:
  name: config
`,
    });
    const objects = renderKustomization(join(root, 'overlay'));
    expect(objects.map((o) => o.kind)).toEqual(['Deployment']);
    const [main, ...others] = byKind(objects, 'Deployment').spec.template.spec.containers;
    expect(others).toEqual([]);
    expect(main.image).toBe('example/app:1.0');
    expect(main.env).toEqual([
      { name: 'B', value: 'changed' },
      { name: 'C', value: '3' },
    ]);
    expect(main.ports).toEqual([{ name: 'http', containerPort: 80 }]);
  });

  it('applies JSON 6902 patches to a target, and null removes a key', () => {
    const root = tree({
      ...base,
      'overlay/kustomization.yaml': `resources: [../base]
patches:
  - target: { kind: Deployment, name: app }
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/image
        value: example/app:9
      - op: add
        path: /spec/template/spec/containers/0/args
        value: [serve]
      - op: remove
        path: /spec/template/spec/containers/1
  - target: { kind: ConfigMap }
    patch: |-
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: any
      data:
        KEY: null
        OTHER: x
`,
    });
    const objects = renderKustomization(join(root, 'overlay'));
    const containers = byKind(objects, 'Deployment').spec.template.spec.containers;
    expect(containers).toHaveLength(1);
    expect(containers[0]).toMatchObject({ image: 'example/app:9', args: ['serve'] });
    expect(byKind(objects, 'ConfigMap').data).toEqual({ OTHER: 'x' });
  });

  it('adds a component: its resources join, its patches see everything', () => {
    const root = tree({
      ...base,
      'component/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [extra.yaml]
patches:
  - path: patch.yaml
`,
      'component/extra.yaml': config.replace('name: config', 'name: extra'),
      'component/patch.yaml': config.replace('KEY: value', 'ADDED: by-component'),
      'overlay/kustomization.yaml': `resources: [../base]
components: [../component]
namespace: team
`,
    });
    const objects = renderKustomization(join(root, 'overlay'));
    expect(objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'team/app',
      'team/config',
      'team/extra',
    ]);
    expect(byKind(objects, 'ConfigMap').data).toEqual({ KEY: 'value', ADDED: 'by-component' });
  });

  it.each([
    [
      'an unsupported field',
      { 'k/kustomization.yaml': 'namePrefix: x-\n' },
      /"namePrefix" is not supported/,
    ],
    [
      'a generator',
      { 'k/kustomization.yaml': 'configMapGenerator: []\n' },
      /"configMapGenerator" is not supported/,
    ],
    [
      'a missing file',
      { 'k/kustomization.yaml': 'resources: [nope.yaml]\n' },
      /nope.yaml does not exist/,
    ],
    [
      'a file outside the kustomization',
      { ...base, 'k/kustomization.yaml': 'resources: [../base/config.yaml]\n' },
      /is outside/,
    ],
    [
      'a resource defined twice',
      {
        'k/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n',
        'k/a.yaml': config,
        'k/b.yaml': config,
      },
      /ConfigMap\/~\/config is defined twice/,
    ],
    [
      'a patch that matches nothing',
      {
        ...base,
        'k/kustomization.yaml': 'resources: [../base]\npatches: [{path: p.yaml}]\n',
        'k/p.yaml': config.replace('name: config', 'name: other'),
      },
      /the patch matches no resource/,
    ],
    [
      'a component used as a resource',
      {
        'c/kustomization.yaml': 'kind: Component\n',
        'k/kustomization.yaml': 'resources: [../c]\n',
      },
      /kind Component, not Kustomization/,
    ],
    [
      'includeSelectors',
      {
        ...base,
        'k/kustomization.yaml':
          'resources: [../base]\nlabels: [{pairs: {a: b}, includeSelectors: true}]\n',
      },
      /includeSelectors are not supported/,
    ],
  ])('refuses %s', (_label, files, message) => {
    const root = tree(files);
    expect(() => renderKustomization(join(root, 'k'))).toThrow(KustomizeError);
    expect(() => renderKustomization(join(root, 'k'))).toThrow(message);
  });
});
