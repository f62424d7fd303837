import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');

/** The compiled entrypoints; `npm run test:e2e` builds them first. */
export function entrypoint(app: 'api' | 'worker'): string {
  const file = join(ROOT, 'dist/apps', app, 'src/main.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first.`);
  return file;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `node args...` in `cwd` with only PATH plus `env`, capturing its output. */
export function spawnNode(
  args: string[],
  env: Record<string, string>,
  cwd: string = ROOT,
): RunningProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': a child's last lines may still be in its pipes when 'exit' fires, and
  // tests read the output as soon as this settles.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) =>
      resolve({ code, signal }),
    ),
  );
  return {
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Starts a product process with a clean environment plus `env`, capturing its output. */
export function startProcess(app: 'api' | 'worker', env: Record<string, string>): RunningProcess {
  return spawnNode([entrypoint(app)], { NODE_ENV: 'test', LOG_LEVEL: 'info', ...env });
}

/** Polls a URL until it answers `status`, or fails after `timeoutMs` with the process output. */
export async function waitForHttp(
  url: string,
  proc: RunningProcess,
  status = 200,
  timeoutMs = 30_000,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) {
      throw new Error(`process exited with ${proc.child.exitCode}:\n${proc.output()}`);
    }
    try {
      const res = await fetch(url);
      if (res.status === status) return res;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${url} did not answer ${status} in ${timeoutMs} ms (${last}):\n${proc.output()}`,
  );
}

/**
 * Waits until the process has written `text`. A server can answer HTTP a moment before the log
 * line it wrote just after starting to listen has reached our pipe.
 */
export async function waitForOutput(
  proc: RunningProcess,
  text: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!proc.output().includes(text)) {
    if (Date.now() > deadline) {
      throw new Error(`the process did not write "${text}" in ${timeoutMs} ms:\n${proc.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
