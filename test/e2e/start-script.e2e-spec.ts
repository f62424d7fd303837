import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT } from '../support/processes';

/**
 * `npm start` as a user runs it, in a copy of the project (so edits elsewhere cannot change what
 * it sees): no rebuild when nothing changed since the last build, a rebuild named when a source
 * did, and a server that goes away with the npm process however that is stopped.
 */

jest.setTimeout(180_000);

/** Sets the modification time of every file under `dir` to `time`. */
function touchAll(dir: string, time: Date): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) touchAll(path, time);
    else utimesSync(path, time, time);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm start', () => {
  const copy = mkdtempSync(join(tmpdir(), 'ps-start-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'ps-start-data-'));
  const started: ChildProcess[] = [];
  const servers: number[] = [];

  beforeAll(() => {
    for (const entry of [
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'nest-cli.json',
      'scripts',
      'apps',
      'libs',
      'bench',
      'test/fakes',
      'dist',
    ]) {
      cpSync(join(ROOT, entry), join(copy, entry), {
        recursive: true,
        filter: (src) => !src.includes('node_modules'),
      });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    // A tree built after its last edit: sources an hour old, the build from now.
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const dir of ['apps', 'libs', 'bench', 'test/fakes']) touchAll(join(copy, dir), hourAgo);
    for (const file of ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json']) {
      utimesSync(join(copy, file), hourAgo, hourAgo);
    }
  });

  afterAll(() => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    for (const pid of servers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(copy, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const check = () =>
    execFileSync(process.execPath, ['scripts/start.mjs', '--check'], {
      cwd: copy,
      encoding: 'utf8',
    });

  /** `npm start` in the copy; resolves with the server's pid (from its log) once it is ready. */
  async function npmStart(port: number) {
    const began = performance.now();
    const npm = spawn('npm', ['start'], {
      cwd: copy,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(npm);
    let output = '';
    npm.stdout.on('data', (c: Buffer) => (output += c.toString()));
    npm.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', resolve));
    for (;;) {
      if (npm.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() - began > 120_000) throw new Error(`not ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const readyMs = Math.round(performance.now() - began);
    // The server can answer /health/ready a moment before its "listening" line reaches our pipe.
    const findListening = () =>
      output
        .split('\n')
        .filter((l) => l.startsWith('{') && l.endsWith('}'))
        .map((l) => JSON.parse(l) as { pid?: number; msg?: string })
        .find((l) => l.msg?.startsWith('Prompt Studio API listening'));
    await until(() => findListening() !== undefined, 10_000, 'the "listening" log line');
    const listening = findListening();
    expect(listening?.pid).toBeGreaterThan(0);
    const serverPid = listening!.pid!;
    servers.push(serverPid);
    expect(serverPid).not.toBe(npm.pid);
    return { npm, serverPid, readyMs, exited, output: () => output };
  }

  it('starts without building when nothing changed, and the server stops with a SIGTERM to npm', async () => {
    expect(check()).toMatch(/^build up to date/);
    const port = await freePort();
    const run = await npmStart(port);
    expect(run.output()).toContain('Prompt Studio: build up to date');
    expect(run.output()).not.toContain('building');
    // Measured, not asserted: a timing would fail on a busy machine, the skipped build cannot.
    console.log(`npm start, unchanged tree, new data directory: ready in ${run.readyMs} ms`);

    run.npm.kill('SIGTERM');
    await until(() => !alive(run.serverPid), 30_000, 'the server to exit');
    await run.exited;
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
    await until(() => run.output().includes('Shut down cleanly.'), 5000, 'the last log line');
  });

  it('stops the server when npm is killed outright (SIGKILL passes nothing on)', async () => {
    const port = await freePort();
    const run = await npmStart(port);
    expect(run.output()).toContain('Prompt Studio: build up to date');
    console.log(`npm start, unchanged tree, existing data: ready in ${run.readyMs} ms`);
    run.npm.kill('SIGKILL');
    await until(() => !alive(run.serverPid), 30_000, 'the server to exit');
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });

  it('names the source that makes a build necessary', () => {
    const source = join(copy, 'libs/common/src/index.ts');
    const later = new Date(statSync(join(copy, 'dist/apps/api/src/main.js')).mtimeMs + 2000);
    utimesSync(source, later, later);
    expect(check()).toBe('build needed: libs/common/src/index.ts changed since the last build\n');
    rmSync(join(copy, 'dist/apps/api/src/main.js'));
    expect(check()).toBe('build needed: dist/apps/api/src/main.js does not exist\n');
  });
});
