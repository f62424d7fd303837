import { spawn } from 'node:child_process';
import { accessSync, constants, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How strongly a program is kept apart from the machine, strongest first:
 * - `namespaces`: new network, mount, PID, IPC and UTS namespaces (no network at all; a root
 *   file system holding only /usr and the interpreter, read-only, and a size-limited scratch
 *   tmpfs; the run's processes die with it), plus everything of `user`. Needs root.
 * - `user`: the program runs as a throw-away unprivileged uid, with every capability dropped and
 *   no-new-privs, so the per-uid process limit holds and the worker's files are out of reach.
 *   Needs root (or CAP_SETUID), as in a container without CAP_SYS_ADMIN.
 * - `none`: the worker's own uid; only the resource limits and the in-interpreter guards.
 * Resource limits (CPU, address space, processes, file size, open files), an empty environment,
 * the wall-time kill and the output cap apply at every level.
 */
export type IsolationLevel = 'namespaces' | 'user' | 'none';
export const ISOLATION_LEVELS: readonly IsolationLevel[] = ['namespaces', 'user', 'none'];

/** Where the tools the sandbox needs are, and what the machine allows. */
export interface SandboxHost {
  isRoot: boolean;
  /** Absolute paths of the util-linux tools (null when missing). */
  tools: Record<'prlimit' | 'setpriv' | 'unshare' | 'chroot' | 'mount' | 'sh', string | null>;
  /** Levels this machine supports, strongest first (`none` always, when prlimit exists). */
  levels: IsolationLevel[];
  /** Why a stronger level is not available, for logs and results. */
  notes: string[];
  /**
   * Top-level entries of `/` that are symlinks (merged /usr: bin → usr/bin) or directories that
   * must be mounted into a namespace root for binaries to run.
   */
  rootEntries: { name: string; link: string | null }[];
}

const SEARCH_PATH = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];

function findTool(name: string): string | null {
  for (const dir of SEARCH_PATH) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Runs a trusted host command (a probe) and returns its exit code and output. */
export function runHostCommand(
  command: string,
  args: string[],
  timeoutMs = 5_000,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + String(err) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const ROOT_ENTRIES = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

function rootEntries(): SandboxHost['rootEntries'] {
  const entries: SandboxHost['rootEntries'] = [];
  for (const name of ROOT_ENTRIES) {
    try {
      const stat = lstatSync(`/${name}`);
      if (stat.isSymbolicLink()) entries.push({ name, link: readlinkSync(`/${name}`) });
      else if (stat.isDirectory()) entries.push({ name, link: null });
    } catch {
      // absent on this system
    }
  }
  return entries;
}

/**
 * What this machine allows, found once: the tools, whether we are root, and whether new
 * namespaces can be created (containers without CAP_SYS_ADMIN refuse `unshare`).
 */
export async function probeSandboxHost(): Promise<SandboxHost> {
  const tools: SandboxHost['tools'] = {
    prlimit: findTool('prlimit'),
    setpriv: findTool('setpriv'),
    unshare: findTool('unshare'),
    chroot: findTool('chroot'),
    mount: findTool('mount'),
    sh: findTool('sh'),
  };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const notes: string[] = [];
  const levels: IsolationLevel[] = [];
  if (!tools.prlimit) {
    notes.push('prlimit (util-linux) is not installed: programs cannot be given OS limits');
    return { isRoot, tools, levels, notes, rootEntries: rootEntries() };
  }
  const canDrop = isRoot && tools.setpriv !== null;
  if (!isRoot) notes.push('not running as root: programs run as the worker user');
  else if (!tools.setpriv) notes.push('setpriv (util-linux) is not installed');
  if (canDrop && tools.unshare && tools.chroot && tools.mount && tools.sh) {
    const probe = await runHostCommand(tools.unshare, [
      '--net',
      '--mount',
      '--pid',
      '--fork',
      '--kill-child',
      '--propagation',
      'private',
      '--',
      tools.sh,
      '-c',
      'exit 0',
    ]);
    if (probe.code === 0) levels.push('namespaces');
    else notes.push(`new namespaces are not allowed here (${probe.stderr.trim() || probe.code})`);
  } else if (canDrop) {
    notes.push('unshare, chroot, mount or sh is missing: no namespaces');
  }
  if (canDrop) levels.push('user');
  levels.push('none');
  return { isRoot, tools, levels, notes, rootEntries: rootEntries() };
}

let probed: Promise<SandboxHost> | undefined;

/** The host's capabilities, probed on first use and remembered for the process. */
export function sandboxHost(): Promise<SandboxHost> {
  probed ??= probeSandboxHost();
  return probed;
}
