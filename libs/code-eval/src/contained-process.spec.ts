import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { type ProcessLimits, removeStaleRoots, runContained } from './contained-process';
import { type IsolationLevel, type SandboxHost, sandboxHost } from './sandbox-host';

/**
 * The operating-system layer alone, with plain commands and no interpreter guard: what the
 * limits and the isolation levels hold by themselves. Python here is the system's, run without
 * the bootstrap.
 */

const LIMITS: ProcessLimits = {
  cpuSeconds: 2,
  addressSpaceBytes: 256 * 1024 * 1024,
  processes: 8,
  fileBytes: 1024 * 1024,
  openFiles: 32,
  wallMs: 1_500,
  maxOutputBytes: 64 * 1024,
  maxReportBytes: 64 * 1024,
  scratchBytes: 4 * 1024 * 1024,
};

/** Live (not zombie) processes of a uid. */
function processesOf(uid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const line = /^Uid:\s+(\d+)/m.exec(status);
      // A zombie has ended; it waits only for its parent (or init) to collect its status.
      const zombie = /^State:\s+Z/m.test(status);
      if (line && Number(line[1]) === uid && !zombie) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function noneLeft(uid: number): Promise<number[]> {
  for (let i = 0; i < 40; i++) {
    const left = processesOf(uid);
    if (!left.length) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
  return processesOf(uid);
}

/**
 * The levels a deployment on this machine would use: as root, the namespaces (where the kernel
 * allows them; the probe test below checks that this is the only reason to go without) and the
 * privilege drop; otherwise `none`.
 */
const LEVELS: IsolationLevel[] = process.getuid?.() === 0 ? ['namespaces', 'user'] : ['none'];

let host: SandboxHost;

beforeAll(async () => {
  host = await sandboxHost();
});

/** Whether a test of `level` can run here (only namespaces may be refused by the kernel). */
const runs = (level: IsolationLevel) => host.levels.includes(level);

describe('the host probe', () => {
  it('offers the privilege drop exactly when running as root with setpriv', () => {
    expect(host.levels.includes('user')).toBe(host.isRoot && host.tools.setpriv !== null);
    expect(host.levels.at(-1)).toBe('none');
  });
});

describe.each(LEVELS)('level %s', (level) => {
  const run = (command: string, args: string[], limits: Partial<ProcessLimits> = {}) =>
    runContained(host, { command, args, stdin: '', limits: { ...LIMITS, ...limits }, level });

  it('kills a program that outlives its wall time', async () => {
    if (!runs(level)) return;
    const result = await run('/usr/bin/sleep', ['30'], { wallMs: 400 });
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeLessThan(1_500);
  });

  it('stops a busy loop at its CPU limit before the wall time', async () => {
    if (!runs(level)) return;
    // A generous wall time: on a busy machine one CPU second can take a few seconds of wall time.
    const result = await run('/bin/sh', ['-c', 'while :; do :; done'], {
      cpuSeconds: 1,
      wallMs: 15_000,
    });
    expect(result.timedOut).toBe(false);
    const signalled = result.signal !== null || (result.exitCode !== null && result.exitCode > 128);
    expect(signalled).toBe(true);
  });

  it('contains a fork bomb, and no process of the run survives it', async () => {
    if (!runs(level)) return;
    const result = await run('/bin/sh', ['-c', 'b() { b | b & }; b; sleep 5'], { wallMs: 800 });
    expect(result.stderr).toMatch(/fork|resource|Cannot/i);
    // At level none the run has the worker's own uid, whose other processes already exceed the
    // limit: the first fork fails and the shell gives up; there is no uid of its own to look for.
    if (result.uid === null) return expect(result.durationMs).toBeLessThan(800);
    expect(result.timedOut).toBe(true);
    expect(await noneLeft(result.uid)).toEqual([]);
  });

  it('refuses a 10 GB allocation at once (RLIMIT_AS)', async () => {
    if (!runs(level)) return;
    const result = await run('/usr/bin/python3', ['-I', '-S', '-c', 'bytearray(10 * 1024**3)']);
    expect(result.stderr).toContain('MemoryError');
    expect(result.timedOut).toBe(false);
  });

  it('kills a program that prints past the output cap', async () => {
    if (!runs(level)) return;
    const result = await run('/usr/bin/yes', []);
    expect(result.outputExceeded).toBe(true);
    expect(result.stdout.length).toBe(LIMITS.maxOutputBytes);
  });

  it('gives the program an empty environment', async () => {
    if (!runs(level)) return;
    process.env.PS_CODE_EVAL_TEST_SECRET = 'hunter2';
    try {
      const result = await run('/usr/bin/env', []);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('');
    } finally {
      delete process.env.PS_CODE_EVAL_TEST_SECRET;
    }
  });
});

describe('the namespaces level', () => {
  let server: Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const run = (command: string, args: string[]) =>
    runContained(host, { command, args, stdin: '', limits: LIMITS, level: 'namespaces' });

  it('is available on this machine exactly when new namespaces can be made', async () => {
    const probe = await new Promise<number | null>((resolve) => {
      if (!host.tools.unshare) return resolve(null);
      spawn(host.tools.unshare, ['--net', '--mount', '--pid', '--fork', '/bin/true'], {
        stdio: 'ignore',
      }).on('close', resolve);
    });
    expect(host.levels.includes('namespaces')).toBe(host.isRoot && probe === 0);
  });

  it('has no network: a raw socket to 127.0.0.1 fails and the server sees nothing', async () => {
    if (!host.levels.includes('namespaces')) return;
    const code = `import socket\ns = socket.socket()\ns.settimeout(1)\ns.connect(('127.0.0.1', ${port}))\nprint('connected')`;
    const result = await run('/usr/bin/python3', ['-I', '-S', '-c', code]);
    expect(result.stdout).not.toContain('connected');
    expect(result.stderr).toMatch(/Network is unreachable|Connection refused/);
    expect(connections).toBe(0);
  });

  it('shows only /usr, the lib links and a writable scratch; /etc, /tmp and /root are absent', async () => {
    if (!host.levels.includes('namespaces')) return;
    const script = [
      'ls /',
      'cat /etc/passwd 2>&1 || true',
      '{ echo x > /tmp/x; } 2>&1 || true',
      '{ echo x > /usr/x; } 2>&1 || true',
      'echo ok > /scratch/f && cat /scratch/f',
      'id -u',
    ].join('\n');
    const result = await run('/bin/sh', ['-c', script]);
    const lines = result.stdout.split('\n');
    expect(lines.filter((l) => ['etc', 'tmp', 'root', 'home', 'proc', 'work'].includes(l))).toEqual(
      [],
    );
    expect(lines).toEqual(expect.arrayContaining(['usr', 'scratch', 'ok', String(result.uid)]));
    expect(result.stdout).toMatch(/\/etc\/passwd: No such file/);
    expect(result.stdout).toMatch(/\/tmp\/x: (Directory nonexistent|No such file)/);
    expect(result.stdout).toMatch(/\/usr\/x: Read-only file system/);
  });
});

describe('namespace roots left by killed processes', () => {
  it('are removed when they hold only directories and links; anything else is left alone', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const stale = join(tmpdir(), `ps-code-eval-root-${gone}-test`);
    const decoy = join(tmpdir(), `ps-code-eval-root-${gone}-decoy`);
    const alive = join(tmpdir(), `ps-code-eval-root-${process.ppid}-alive`);
    try {
      for (const dir of [stale, decoy, alive])
        mkdirSync(join(dir, 'usr', 'lib'), { recursive: true });
      symlinkSync('usr/bin', join(stale, 'bin'));
      writeFileSync(join(decoy, 'usr', 'lib', 'data'), 'not a root');
      removeStaleRoots();
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(join(decoy, 'usr', 'lib', 'data'))).toBe(true);
      expect(existsSync(alive)).toBe(true);
    } finally {
      rmSync(decoy, { recursive: true, force: true });
      rmSync(alive, { recursive: true, force: true });
      rmSync(stale, { recursive: true, force: true });
    }
  });
});
