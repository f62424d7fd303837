import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { IsolationLevel, SandboxHost } from './sandbox-host';

/** OS limits of one contained process. Soft and hard limits are equal: the guest cannot raise them. */
export interface ProcessLimits {
  /** RLIMIT_CPU, seconds: SIGKILL when used up. */
  cpuSeconds: number;
  /** RLIMIT_AS, bytes. */
  addressSpaceBytes: number;
  /** RLIMIT_NPROC: processes and threads of the run's uid (null: left as it is). */
  processes: number | null;
  /** RLIMIT_FSIZE, bytes. */
  fileBytes: number;
  /** RLIMIT_NOFILE. */
  openFiles: number;
  /** Wall time; then the host kills the process group. */
  wallMs: number;
  /** stdout + stderr bytes; past this the host kills the process group. */
  maxOutputBytes: number;
  /** Bytes of the report channel (fd 3); past this the host kills the process group. */
  maxReportBytes: number;
  /** Size of the scratch tmpfs (namespaces level). */
  scratchBytes: number;
}

export interface ContainedCommand {
  /** Absolute path of the program, valid inside the sandbox (the host's path). */
  command: string;
  args: string[];
  /** Written to the process's stdin, which is then closed (a function gets the scratch path). */
  stdin: string | ((scratch: string) => string);
  limits: ProcessLimits;
  level: IsolationLevel;
  /** Host directories (besides /usr and the root's lib links) mounted read-only in a namespace root. */
  readOnlyPaths?: readonly string[];
  signal?: AbortSignal;
}

export interface ContainedResult {
  exitCode: number | null;
  /** Signal that ended the process (SIGKILL from a limit or the host, SIGXCPU, SIGSEGV …). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** What the process wrote on fd 3 (the bootstrap's report lines). */
  report: string;
  timedOut: boolean;
  /** stdout + stderr, or the report, went past their cap and the process was killed. */
  outputExceeded: boolean;
  aborted: boolean;
  /** The sandbox itself could not start (a missing tool or interpreter). */
  spawnError: string | null;
  durationMs: number;
  level: IsolationLevel;
  /** The scratch directory as the program sees it (its working directory). */
  scratch: string;
  /** The throw-away uid the run had (null at level `none`). */
  uid: number | null;
}

/** Throw-away uids for runs, so RLIMIT_NPROC counts one run's processes only. */
const UID_BASE = 61_000;
const UID_SPAN = 4_000;
const uidsInUse = new Set<number>();

function allocateUid(): number {
  for (let i = 0; i < 100; i++) {
    const uid = UID_BASE + Math.floor(Math.random() * UID_SPAN);
    if (!uidsInUse.has(uid)) {
      uidsInUse.add(uid);
      return uid;
    }
  }
  throw new Error('No free sandbox uid');
}

/** Single-quoted for sh. */
function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The directory a namespace run chroots into, made once per set of read-only paths: empty mount
 * points for /usr, the scratch tmpfs and each extra path, and the root's links (bin → usr/bin).
 * Mounts happen inside each run's own mount namespace, so concurrent runs share it.
 */
const roots = new Map<string, string>();
/** Every directory and link made for the roots, in creation order. */
const made: { path: string; link: boolean }[] = [];

const ROOT_PREFIX = 'ps-code-eval-root-';
let staleRemoved = false;

/**
 * Removes a root made by a process that is gone. It must hold only directories and links, and
 * few of them (as roots do): the whole tree is checked before anything is removed, so a
 * directory that held anything else (were a mount ever visible there) is left untouched.
 */
function removeTree(root: string): void {
  const found: { path: string; dir: boolean }[] = [];
  const scan = (path: string) => {
    for (const entry of readdirSync(path)) {
      const child = join(path, entry);
      const stat = lstatSync(child);
      if (!stat.isDirectory() && !stat.isSymbolicLink()) throw new Error(`${child} is a file`);
      if (found.length > 200) throw new Error(`${root} holds too much to be a root`);
      found.push({ path: child, dir: stat.isDirectory() });
      if (stat.isDirectory()) scan(child);
    }
  };
  scan(root);
  for (const { path, dir } of found.reverse()) {
    if (dir) rmdirSync(path);
    else unlinkSync(path);
  }
  rmdirSync(root);
}

/** Removes the roots left by processes that were killed before they could remove theirs. */
export function removeStaleRoots(): void {
  staleRemoved = true;
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(new RegExp(`^${ROOT_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue; // its process is alive
    } catch (err) {
      // EPERM: alive, another user's; ESRCH: gone, its root is stale.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') continue;
    }
    try {
      removeTree(join(tmpdir(), name));
    } catch {
      // a directory that is not empty (a mount, or not ours): left alone
    }
  }
}

function namespaceRoot(host: SandboxHost, readOnly: readonly string[]): string {
  const key = readOnly.join('\0');
  let root = roots.get(key);
  if (root) return root;
  if (!staleRemoved) removeStaleRoots();
  if (roots.size === 0) process.once('exit', removeNamespaceRoots);
  root = mkdtempSync(join(tmpdir(), `${ROOT_PREFIX}${process.pid}-`));
  chmodSync(root, 0o755);
  made.push({ path: root, link: false });
  const dir = (path: string) => {
    if (made.some((m) => m.path === path)) return;
    mkdirSync(path, { mode: 0o755 });
    made.push({ path, link: false });
  };
  for (const entry of host.rootEntries) {
    const path = join(root, entry.name);
    if (entry.link) {
      symlinkSync(entry.link, path);
      made.push({ path, link: true });
    } else dir(path);
  }
  for (const target of ['usr', 'scratch', ...readOnly.map((p) => p.replace(/^\/+/, ''))]) {
    let path = root;
    for (const part of target.split('/').filter(Boolean)) dir((path = join(path, part)));
  }
  roots.set(key, root);
  return root;
}

/**
 * Removes what this process made for the namespace roots, one empty directory or link at a
 * time, deepest first: never a recursive delete, which could follow a mount into a host
 * directory if one were ever visible there.
 */
export function removeNamespaceRoots(): void {
  for (const { path, link } of made.splice(0).reverse()) {
    try {
      if (link) unlinkSync(path);
      else rmdirSync(path);
    } catch {
      // not empty (a mount) or gone: left alone
    }
  }
  roots.clear();
}

function prlimitArgs(prlimit: string, limits: ProcessLimits): string[] {
  const both = (n: number) => `${Math.max(0, Math.floor(n))}:${Math.max(0, Math.floor(n))}`;
  return [
    prlimit,
    `--cpu=${both(limits.cpuSeconds)}`,
    `--as=${both(limits.addressSpaceBytes)}`,
    ...(limits.processes === null ? [] : [`--nproc=${both(limits.processes)}`]),
    `--fsize=${both(limits.fileBytes)}`,
    `--nofile=${both(limits.openFiles)}`,
    '--core=0:0',
    '--',
  ];
}

function setprivArgs(setpriv: string, uid: number): string[] {
  return [
    setpriv,
    `--reuid=${uid}`,
    `--regid=${uid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}

interface Plan {
  file: string;
  args: string[];
  cwd: string;
  scratch: string;
  cleanup: () => void;
}

function plan(host: SandboxHost, cmd: ContainedCommand, uid: number | null): Plan {
  const { tools } = host;
  const inner = [...prlimitArgs(tools.prlimit!, cmd.limits), cmd.command, ...cmd.args];
  if (cmd.level === 'namespaces') {
    const readOnly = (cmd.readOnlyPaths ?? []).filter(
      (p) => p !== '/usr' && !p.startsWith('/usr/'),
    );
    const root = namespaceRoot(host, readOnly);
    const binds = [
      '/usr',
      ...host.rootEntries.filter((e) => !e.link).map((e) => `/${e.name}`),
      ...readOnly,
    ];
    const mount = shq(tools.mount!);
    const script = [
      'set -e',
      // The shell exports PWD; the program's environment stays empty.
      'unset PWD OLDPWD',
      ...binds.map((p) => `${mount} --bind -o ro,nosuid,nodev ${shq(p)} ${shq(join(root, p))}`),
      `${mount} -t tmpfs -o size=${cmd.limits.scratchBytes},nr_inodes=512,mode=0700,` +
        `uid=${uid},gid=${uid},nosuid,nodev,noexec tmpfs ${shq(join(root, 'scratch'))}`,
      // Not exec: sh stays PID 1 of the namespace, so the program is an ordinary process that
      // CPU-limit signals reach, and its end by a signal comes back as exit status 128 + n.
      `${shq(tools.chroot!)} ${shq(root)} "$@"`,
    ].join('\n');
    return {
      file: tools.unshare!,
      args: [
        '--net',
        '--mount',
        '--pid',
        '--ipc',
        '--uts',
        '--fork',
        '--kill-child',
        '--propagation',
        'private',
        '--',
        tools.sh!,
        '-c',
        script,
        'sandbox',
        ...setprivArgs(tools.setpriv!, uid!),
        ...inner,
      ],
      cwd: '/',
      scratch: '/scratch',
      cleanup: () => undefined,
    };
  }
  const scratch = mkdtempSync(join(tmpdir(), 'ps-code-eval-'));
  const cleanup = () => rmSync(scratch, { recursive: true, force: true });
  if (cmd.level === 'user') {
    chownSync(scratch, uid!, uid!);
    chmodSync(scratch, 0o700);
    const [file, ...args] = [...setprivArgs(tools.setpriv!, uid!), ...inner];
    return { file, args, cwd: scratch, scratch, cleanup };
  }
  const [file, ...args] = inner;
  return { file, args, cwd: scratch, scratch, cleanup };
}

/**
 * Runs one command under OS limits at the given isolation level, with an empty environment, in
 * its own process group, and returns what it printed and how it ended. The host enforces the
 * wall time and the output caps by killing the whole process group; nothing the program does can
 * stop that. Never throws for what the program does; a sandbox that cannot start is `spawnError`.
 */
export function runContained(host: SandboxHost, cmd: ContainedCommand): Promise<ContainedResult> {
  if (!host.levels.includes(cmd.level)) {
    throw new Error(
      `Isolation level '${cmd.level}' is not available here: ${host.notes.join('; ')}`,
    );
  }
  const uid = cmd.level === 'none' ? null : allocateUid();
  let planned: Plan;
  try {
    planned = plan(host, cmd, uid);
  } catch (err) {
    if (uid !== null) uidsInUse.delete(uid);
    throw err;
  }
  const started = performance.now();
  return new Promise<ContainedResult>((resolve) => {
    const child = spawn(planned.file, planned.args, {
      cwd: planned.cwd,
      env: {},
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const rep: Buffer[] = [];
    let outputBytes = 0;
    let reportBytes = 0;
    let timedOut = false;
    let outputExceeded = false;
    let aborted = false;
    let spawnError: string | null = null;
    let settled = false;

    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const wall = setTimeout(() => {
      timedOut = true;
      killGroup();
      forceFinish();
    }, cmd.limits.wallMs);
    let forced: NodeJS.Timeout | undefined;
    // Descendants that left the process group could hold the pipes open: after a kill, give
    // 'close' a moment, then finish without it.
    const forceFinish = () => {
      forced ??= setTimeout(() => finish(child.exitCode, child.signalCode), 1_000);
    };
    const onAbort = () => {
      aborted = true;
      killGroup();
      forceFinish();
    };
    cmd.signal?.addEventListener('abort', onAbort, { once: true });
    if (cmd.signal?.aborted) onAbort();

    const collect = (stream: Readable | null | undefined, into: Buffer[], isReport: boolean) => {
      stream?.on('data', (chunk: Buffer) => {
        if (isReport) {
          reportBytes += chunk.length;
          if (reportBytes > cmd.limits.maxReportBytes) {
            outputExceeded = true;
            killGroup();
            forceFinish();
            return;
          }
          into.push(chunk);
          return;
        }
        const room = cmd.limits.maxOutputBytes - outputBytes;
        if (room > 0) into.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        outputBytes += chunk.length;
        if (outputBytes > cmd.limits.maxOutputBytes && !outputExceeded) {
          outputExceeded = true;
          killGroup();
          forceFinish();
        }
      });
      stream?.on('error', () => undefined);
    };
    collect(child.stdout, out, false);
    collect(child.stderr, err, false);
    collect(child.stdio[3] as Readable | null, rep, true);

    function finish(code: number | null, signal: NodeJS.Signals | null) {
      if (settled) return;
      settled = true;
      clearTimeout(wall);
      if (forced) clearTimeout(forced);
      cmd.signal?.removeEventListener('abort', onAbort);
      // Whatever is left of the group (a program that forked before its limit) goes too.
      killGroup();
      for (const stream of [child.stdout, child.stderr, child.stdio[3]]) {
        (stream as Readable | null)?.destroy();
      }
      if (uid !== null) uidsInUse.delete(uid);
      try {
        planned.cleanup();
      } catch {
        // a scratch directory that cannot be removed is not the run's result
      }
      resolve({
        exitCode: code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        report: Buffer.concat(rep).toString('utf8'),
        timedOut,
        outputExceeded,
        aborted,
        spawnError,
        durationMs: performance.now() - started,
        level: cmd.level,
        scratch: planned.scratch,
        uid,
      });
    }

    child.on('error', (e) => {
      spawnError = e.message;
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
    child.stdin.on('error', () => undefined);
    child.stdin.end(typeof cmd.stdin === 'function' ? cmd.stdin(planned.scratch) : cmd.stdin);
  });
}
