import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ignore from '@balena/dockerignore';
import { DOCKERFILE, DOCKERIGNORE, nodeCommand, readPackageJson, ROOT } from './deploy-files';
import { lintDockerfile, parseDockerfile } from './dockerfile-rules';

const dockerfile = readFileSync(DOCKERFILE, 'utf8');
const options = {
  nodeEngine: readPackageJson().engines.node,
  apiCommand: nodeCommand('start:api'),
};

/** Lints the Dockerfile with `from` replaced by `to` (which must occur in it). */
function lintWith(from: string | RegExp, to: string): string[] {
  const changed = dockerfile.replace(from, to);
  if (changed === dockerfile) throw new Error(`${String(from)} is not in the Dockerfile`);
  return lintDockerfile(changed, options);
}

describe('docker/Dockerfile', () => {
  it('passes the Docker builder checks and every rule', () => {
    expect(lintDockerfile(dockerfile, options)).toEqual([]);
  });

  it('is one image for the three commands, with the settings the manifests rely on', () => {
    const facts = parseDockerfile(dockerfile);
    expect(facts.stages.length).toBeGreaterThanOrEqual(2);
    expect(facts.cmd).toEqual(nodeCommand('start:api'));
    expect(facts.user).toBe('1000:1000');
    expect(facts.env).toMatchObject({ NODE_ENV: 'production', DATA_DIR: '/data' });
    // The build stage runs exactly what test/e2e/container-commands.e2e-spec.ts reproduces.
    expect(facts.runs(facts.stages[0])).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run build',
      'npm prune --omit=dev --no-audit --no-fund',
    ]);
  });

  // Each rule, shown to fail on the mistake it exists for.
  it.each<[string, string | RegExp, string, RegExp]>([
    [
      'a floating base tag',
      /node:20\.20\.2-bookworm-slim AS runtime/,
      'node:latest AS runtime',
      /^\[pinned-base\] node:latest/,
    ],
    [
      'an untagged base',
      /node:20\.20\.2-bookworm-slim AS build/,
      'node AS build',
      /^\[pinned-base\] node:/,
    ],
    [
      'a Node older than engines',
      /node:20\.20\.2-bookworm-slim AS build/,
      'node:18.20.4-bookworm-slim AS build',
      /^\[node-engine\]/,
    ],
    [
      'a full-size runtime base',
      /node:20\.20\.2-bookworm-slim AS runtime/,
      'node:20.20.2-bookworm AS runtime',
      /^\[slim-base\]/,
    ],
    ['a root user', 'USER 1000:1000', 'USER root', /^\[non-root-user\] USER root/],
    ['a named user', 'USER 1000:1000', 'USER node', /^\[non-root-user\] USER node/],
    ['no user at all', 'USER 1000:1000\n', '', /^\[non-root-user\] the runtime stage has no USER/],
    [
      'npm install',
      'npm ci --no-audit',
      'npm install --no-audit',
      /^\[npm-ci\] line \d+: npm ci, not npm install/,
    ],
    [
      'sources copied before npm ci',
      'COPY package.json package-lock.json ./',
      'COPY . .',
      /^\[npm-ci\] copy package.json/,
    ],
    [
      'dev dependencies shipped',
      /RUN npm prune[^\n]*\n/,
      '',
      /^\[prune\] stage build ships dev dependencies/,
    ],
    [
      'a single stage',
      /COPY --from=build \/app\/node_modules[^\n]*\n/,
      'RUN npm ci\n',
      /^\[multi-stage\]/,
    ],
    [
      'no HEALTHCHECK',
      /HEALTHCHECK[^\n]*\\\n[^\n]*\n/,
      '',
      /^\[healthcheck\] the runtime stage has no HEALTHCHECK/,
    ],
    [
      'a shell-form CMD',
      'CMD ["node", "dist/apps/api/src/main.js"]',
      'CMD node dist/apps/api/src/main.js',
      /^\[exec-form\] CMD/,
    ],
    [
      'a CMD that is not the API',
      'dist/apps/api/src/main.js"]',
      'dist/apps/api/src/main.jsx"]',
      /^\[cmd\]/,
    ],
    ['no init', 'ENTRYPOINT ["/usr/bin/tini", "--"]', 'ENTRYPOINT ["node"]', /^\[init\]/],
    [
      'ADD of a URL',
      'WORKDIR /app\nCOPY package.json',
      'WORKDIR /app\nADD https://example.com/x.tgz /tmp/\nCOPY package.json',
      /^\[no-add\]/,
    ],
    [
      'apt lists kept',
      ' \\\n    && rm -rf /var/lib/apt/lists/*',
      '',
      /^\[apt\] line \d+: rm -rf \/var\/lib\/apt\/lists/,
    ],
    [
      'apt recommends',
      ' --no-install-recommends',
      '',
      /^\[apt\] line \d+: --no-install-recommends/,
    ],
    [
      'a secret baked in',
      'DATA_DIR=/data',
      'DATA_DIR=/data \\\n    OPENAI_API_KEY=sk-123',
      /^\[no-secrets\] ENV OPENAI_API_KEY/,
    ],
    ['NODE_ENV left out', 'NODE_ENV=production', 'NODE_ENV=development', /^\[node-env\]/],
    ['a port not exposed', 'EXPOSE 8000 8001', 'EXPOSE 8000', /^\[ports\] EXPOSE the WORKER_PORT/],
    ['a builder error', '--interval=15s', '--interval=15q', /^\[syntax\] line \d+: error/],
  ])('reports %s', (_label, from, to, expected) => {
    expect(lintWith(from, to)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

describe('.dockerignore', () => {
  const rules = readFileSync(DOCKERIGNORE, 'utf8');
  const matcher = ignore().add(rules);

  it('keeps state, secrets, build output and test artefacts out of the build context', () => {
    const excluded = [
      '.git/HEAD',
      'node_modules/yaml/package.json',
      'libs/sdk/node_modules/x/index.js',
      'dist/apps/api/src/main.js',
      'libs/sdk/dist/index.js',
      'data/pglite/PG_VERSION',
      'data/owner-api-key',
      'memory:/e2e-1234/PG_VERSION',
      'coverage/lcov.info',
      'bench/results/queue.json',
      'test/e2e/jobs.e2e-spec.ts',
      'test-results/junit.xml',
      '.env',
      '.env.production',
      'npm-debug.log',
    ];
    expect(excluded.filter((path) => !matcher.ignores(path))).toEqual([]);
  });

  it('sends every file the build reads', () => {
    // The tracked sources (git ls-files) plus the files `npm ci` and `nest build` read.
    const tracked = execFileSync('git', ['ls-files', 'apps', 'libs'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(tracked.length).toBeGreaterThan(50);
    const needed = [
      ...tracked,
      'package.json',
      'package-lock.json',
      'nest-cli.json',
      'tsconfig.json',
      'tsconfig.build.json',
    ];
    expect(needed.filter((path) => matcher.ignores(path))).toEqual([]);
  });

  it('fails when a rule is lost or one excludes sources', () => {
    const without = (line: string) =>
      ignore().add(
        rules
          .split('\n')
          .filter((l) => l.trim() !== line)
          .join('\n'),
      );
    expect(rules.split('\n').map((l) => l.trim())).toContain('.env');
    expect(without('.env').ignores('.env')).toBe(false);
    expect(ignore().add(`${rules}\nlibs\n`).ignores('libs/config/src/index.ts')).toBe(true);
  });
});
