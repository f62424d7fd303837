import { DockerfileParser, Env, type Instruction, ModifiableInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/**
 * Reads docker/Dockerfile with dockerfile-ast (the parser behind VS Code's Dockerfile support)
 * and checks it: dockerfile-utils' validator for what the Docker builder itself rejects, plus the
 * rules below for what builds but ships a worse image. Each problem starts with its rule id.
 */

export interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

export interface DockerfileFacts {
  stages: Stage[];
  final: Stage;
  /** ENV of the final stage. */
  env: Record<string, string>;
  /** The last USER of the final stage. */
  user: string | undefined;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  healthcheck: { flags: Record<string, string>; command: string[] } | undefined;
  exposed: number[];
  /** Shell commands of the RUN instructions of a stage. */
  runs(stage: Stage): string[];
}

/** `--name=value` flags of an instruction (COPY --from, HEALTHCHECK --interval, RUN --mount). */
export function flagsOf(instruction: Instruction): Record<string, string> {
  const flags: Record<string, string> = {};
  if (instruction instanceof ModifiableInstruction) {
    for (const flag of instruction.getFlags()) flags[flag.getName()] = flag.getValue() ?? '';
  }
  return flags;
}

function jsonArguments(instruction: Instruction, keyword: string): string[] {
  const content = (instruction.getArgumentsContent() ?? '').trim();
  const json = keyword === 'HEALTHCHECK' ? content.replace(/^CMD\s+/i, '') : content;
  try {
    const parsed: unknown = JSON.parse(json);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
  } catch {
    // Shell form: reported by the exec-form rule.
  }
  return [];
}

export function parseDockerfile(text: string): DockerfileFacts {
  const dockerfile = DockerfileParser.parse(text);
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue());
      const as = args.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({ image: args[0] ?? '', name: as >= 0 ? args[as + 1] : null, instructions: [] });
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  if (!stages.length) throw new Error('The Dockerfile has no FROM');
  const final = stages[stages.length - 1];
  const of = (keyword: string) => final.instructions.filter((i) => i.getKeyword() === keyword);
  const env: Record<string, string> = {};
  for (const i of of('ENV')) {
    if (!(i instanceof Env)) continue;
    for (const p of i.getProperties()) env[p.getName()] = p.getUnescapedValue() ?? '';
  }
  const last = (keyword: string) => of(keyword).pop();
  const healthcheck = last('HEALTHCHECK');
  return {
    stages,
    final,
    env,
    user: last('USER')?.getArgumentsContent()?.trim(),
    entrypoint:
      last('ENTRYPOINT') && jsonArguments(last('ENTRYPOINT') as Instruction, 'ENTRYPOINT'),
    cmd: last('CMD') && jsonArguments(last('CMD') as Instruction, 'CMD'),
    healthcheck: healthcheck && {
      flags: flagsOf(healthcheck),
      command: jsonArguments(healthcheck, 'HEALTHCHECK'),
    },
    exposed: of('EXPOSE').flatMap((i) =>
      i.getArguments().map((a) => Number.parseInt(a.getValue())),
    ),
    runs: (stage) =>
      stage.instructions
        .filter((i) => i.getKeyword() === 'RUN')
        .map((i) => (i.getArgumentsContent() ?? '').replace(/\s+/g, ' ').trim()),
  };
}

/** The image's name and tag or digest, `node:20.1.0-slim` → {name: node, tag: 20.1.0-slim}. */
function imageReference(image: string): { name: string; tag?: string; digest?: string } {
  const [rest, digest] = image.split('@');
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  return colon > slash
    ? { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest }
    : { name: rest, digest };
}

function versionAtLeast(version: number[], minimum: number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    if ((version[i] ?? 0) !== minimum[i]) return (version[i] ?? 0) > minimum[i];
  }
  return true;
}

export interface LintOptions {
  /** package.json engines.node, e.g. `>=20.11`. */
  nodeEngine: string;
  /** The API's start command from package.json (`node dist/apps/api/src/main.js`). */
  apiCommand: string[];
}

/** Every rule's problems; an empty list is a clean Dockerfile. */
export function lintDockerfile(text: string, options: LintOptions): string[] {
  const problems: string[] = [];
  const report = (rule: string, message: string) => problems.push(`[${rule}] ${message}`);

  for (const d of validate(text)) {
    // LSP severities: 1 error, 2 warning.
    const severity = d.severity === 1 ? 'error' : 'warning';
    const message = typeof d.message === 'string' ? d.message : d.message.value;
    report('syntax', `line ${d.range.start.line + 1}: ${severity}: ${message}`);
  }

  const facts = parseDockerfile(text);
  const { stages, final } = facts;
  const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));
  const all = stages.flatMap((s) => s.instructions);

  // Base images: pinned to a release, never a floating tag.
  for (const stage of stages) {
    if (stageNames.has(stage.image)) continue;
    const ref = imageReference(stage.image);
    if (!ref.digest && (!ref.tag || !/^\d+\.\d+/.test(ref.tag))) {
      report('pinned-base', `${stage.image}: pin a release tag (like 20.20.2-bookworm-slim)`);
    }
    if (ref.name === 'node' && ref.tag) {
      const version = ref.tag.split('-')[0].split('.').map(Number);
      const minimum = (/(\d+(?:\.\d+)*)/.exec(options.nodeEngine)?.[1] ?? '0')
        .split('.')
        .map(Number);
      if (!versionAtLeast(version, minimum)) {
        report(
          'node-engine',
          `${stage.image} is older than package.json engines ${options.nodeEngine}`,
        );
      }
    }
  }
  if (!/(slim|alpine|distroless)/.test(final.image)) {
    report('slim-base', `the runtime stage should use a slim base image, not ${final.image}`);
  }

  // Multi-stage: the toolchain and dev dependencies stay in the build stage.
  if (stages.length < 2) report('multi-stage', 'build in one stage and run in another');
  const finalRuns = facts.runs(final).join(' && ');
  if (/\bnpm (ci|install|i|run build)\b/.test(finalRuns)) {
    report('multi-stage', 'the runtime stage installs or builds; do that in the build stage');
  }
  const copiesFrom = (target: string) =>
    final.instructions.find(
      (i) =>
        i.getKeyword() === 'COPY' &&
        flagsOf(i).from !== undefined &&
        i.getArguments().some((a) => a.getValue().endsWith(target)),
    );
  for (const target of ['node_modules', 'dist/apps', 'dist/libs']) {
    if (!copiesFrom(target)) report('multi-stage', `the runtime stage does not copy ${target}`);
  }
  const nodeModules = copiesFrom('node_modules');
  const from = nodeModules && flagsOf(nodeModules).from;
  const source = stages.find((s) => s.name === from);
  if (source) {
    const runs = facts.runs(source);
    const ci = runs.findLastIndex((r) => /\bnpm ci\b/.test(r));
    const pruned = runs.findIndex(
      (r, i) => i > ci && (/\bnpm prune\b.*--omit=dev/.test(r) || /\bnpm ci\b.*--omit=dev/.test(r)),
    );
    if (pruned < 0 && !(ci >= 0 && /--omit=dev/.test(runs[ci]))) {
      report('prune', `stage ${from} ships dev dependencies: npm prune --omit=dev after building`);
    }
  }

  // npm: reproducible installs from the lockfile, copied before the sources for layer caching.
  for (const i of all.filter((x) => x.getKeyword() === 'RUN')) {
    const run = i.getArgumentsContent() ?? '';
    if (/\bnpm (install|i)\b/.test(run)) {
      report('npm-ci', `line ${i.getRange().start.line + 1}: npm ci, not npm install`);
    }
  }
  for (const stage of stages) {
    const index = stage.instructions.findIndex(
      (i) => i.getKeyword() === 'RUN' && /\bnpm ci\b/.test(i.getArgumentsContent() ?? ''),
    );
    if (index < 0) continue;
    const before = stage.instructions.slice(0, index);
    const lockfile = before.some(
      (i) => i.getKeyword() === 'COPY' && /package-lock\.json/.test(i.getArgumentsContent() ?? ''),
    );
    const sources = before.some(
      (i) => i.getKeyword() === 'COPY' && /^\.\s/.test(i.getArgumentsContent() ?? ''),
    );
    if (!lockfile || sources) {
      report(
        'npm-ci',
        'copy package.json and package-lock.json alone before npm ci, the sources after',
      );
    }
  }

  // The process never runs as root, by a number Kubernetes can check against runAsNonRoot.
  const user = facts.user;
  if (!user) report('non-root-user', 'the runtime stage has no USER: the image runs as root');
  else if (!/^[1-9]\d*(:\d+)?$/.test(user)) {
    report('non-root-user', `USER ${user}: use a numeric non-zero uid (like 1000:1000)`);
  }

  if (!facts.healthcheck) report('healthcheck', 'the runtime stage has no HEALTHCHECK');
  else if (!facts.healthcheck.command.join(' ').includes('/health/live')) {
    report('healthcheck', 'HEALTHCHECK must probe /health/live in exec form');
  }

  // Exec form, so that signals reach the process and no shell sits in between.
  for (const keyword of ['CMD', 'ENTRYPOINT']) {
    const instruction = final.instructions.filter((i) => i.getKeyword() === keyword).pop();
    if (instruction && !jsonArguments(instruction, keyword).length) {
      report('exec-form', `${keyword} must be in exec (JSON) form`);
    }
  }
  if (!facts.entrypoint?.[0]?.endsWith('tini')) {
    report('init', 'ENTRYPOINT must run an init (tini) as PID 1');
  }
  if (JSON.stringify(facts.cmd) !== JSON.stringify(options.apiCommand)) {
    report(
      'cmd',
      `CMD ${JSON.stringify(facts.cmd)} is not the API's start command ${JSON.stringify(options.apiCommand)}`,
    );
  }

  for (const i of all.filter((x) => x.getKeyword() === 'ADD')) {
    report(
      'no-add',
      `line ${i.getRange().start.line + 1}: COPY files; download in a RUN with a checksum`,
    );
  }

  for (const i of all.filter((x) => x.getKeyword() === 'RUN')) {
    const run = i.getArgumentsContent() ?? '';
    if (!/apt-get\s+install/.test(run)) continue;
    const line = i.getRange().start.line + 1;
    if (!/apt-get\s+update/.test(run))
      report('apt', `line ${line}: apt-get update in the same RUN`);
    if (!/--no-install-recommends/.test(run))
      report('apt', `line ${line}: --no-install-recommends`);
    if (!/\s-y\b|--yes|--assume-yes/.test(run)) report('apt', `line ${line}: apt-get install -y`);
    if (!/rm -rf \/var\/lib\/apt\/lists/.test(run)) {
      report('apt', `line ${line}: rm -rf /var/lib/apt/lists/* in the same RUN`);
    }
  }

  for (const i of all.filter((x) => ['ENV', 'ARG'].includes(x.getKeyword()))) {
    for (const arg of i.getArguments()) {
      const name = arg.getValue().split('=')[0];
      if (/(SECRET|PASSWORD|TOKEN|API_KEY|DATABASE_URL|REDIS_URL)/i.test(name)) {
        report(
          'no-secrets',
          `${i.getKeyword()} ${name}: secrets come from the environment at run time`,
        );
      }
    }
  }

  if (facts.env.NODE_ENV !== 'production')
    report('node-env', 'ENV NODE_ENV=production in the runtime stage');
  for (const name of ['PORT', 'WORKER_PORT']) {
    if (!facts.exposed.includes(Number(facts.env[name]))) {
      report('ports', `EXPOSE the ${name} (${facts.env[name] ?? 'unset'}) the process listens on`);
    }
  }
  return problems;
}
