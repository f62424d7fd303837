import { realpathSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import {
  type CodeEvalSettings,
  DEFAULT_IMPORT_ALLOW_LIST,
  DEFAULT_LIMITS,
  type Runner,
  type SandboxLimits,
} from './code-eval-settings';
import { type ContainedResult, type ProcessLimits, runContained } from './contained-process';
import { JAVASCRIPT_BOOTSTRAP } from './javascript-bootstrap';
import { PYTHON_BOOTSTRAP } from './python-bootstrap';
import { type IsolationLevel, runHostCommand, type SandboxHost, sandboxHost } from './sandbox-host';

/**
 * How a run ended:
 * - `ok`: the program ran to its end (tests and values were then read);
 * - `syntax_error`: it does not compile; nothing ran;
 * - `violation`: it tried something the sandbox refuses (a module off the allow-list, a file
 *   outside the scratch directory, a socket, a process …) and was stopped at that moment;
 * - `error`: it raised an exception, exited with a non-zero status or crashed;
 * - `timeout`, `memory_limit`, `output_limit`: it hit one of the limits and was stopped.
 */
export type RunStatus =
  'ok' | 'syntax_error' | 'violation' | 'error' | 'timeout' | 'memory_limit' | 'output_limit';

export type TestOutcome = { ok: true; value: unknown } | { ok: false; error: string };

export interface ProgramRun {
  status: RunStatus;
  /** Why the run ended as it did, in one sentence. */
  message: string;
  stdout: string;
  stderr: string;
  /** One per test call, in order (only the calls reached before the run ended). */
  tests: TestOutcome[];
  /** The program's globals that were asked for (absent when the program did not define them). */
  values: Record<string, unknown>;
  durationMs: number;
  isolation: IsolationLevel;
}

export interface RunProgramRequest {
  runner: Runner;
  code: string;
  /** Expressions evaluated after the program, in its namespace (`add(2, 3)`). */
  tests?: readonly string[];
  /** Globals to read back after the program (identifiers). */
  names?: readonly string[];
  signal?: AbortSignal;
}

/** The sandbox cannot run programs at all (no interpreter, no prlimit): not the program's fault. */
export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}

export interface ProgramSandboxOptions extends Partial<
  Pick<CodeEvalSettings, 'importAllowList' | 'pythonPath' | 'nodePath'>
> {
  limits?: Partial<SandboxLimits>;
  /** Isolation level; `auto` (default) takes the strongest the machine allows. */
  isolation?: IsolationLevel | 'auto';
}

interface Interpreter {
  path: string;
  /** Directories to mount read-only in a namespace root (the install prefix). */
  readOnly: string[];
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Node needs address space well beyond its heap (V8 reserves code and cage regions). */
const NODE_ADDRESS_SPACE_OVERHEAD_MB = 1024;

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

function signalOf(result: ContainedResult): string | null {
  if (result.signal) return result.signal;
  // A namespace run's shell reports a program ended by signal n as exit status 128 + n.
  if (result.level === 'namespaces' && result.exitCode !== null && result.exitCode > 128) {
    const n = result.exitCode - 128;
    return Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;
  }
  return null;
}

interface ReportEvent {
  event: string;
  [key: string]: unknown;
}

function events(report: string): ReportEvent[] {
  const out: ReportEvent[] = [];
  for (const line of report.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (parsed && typeof parsed === 'object' && typeof (parsed as ReportEvent).event === 'string')
        out.push(parsed as ReportEvent);
    } catch {
      // a partial line from a killed process
    }
  }
  return out;
}

const MEMORY_TEXT = /MemoryError|Cannot allocate memory|out of memory|allocation failed/i;

/** A report field as text (the bootstrap writes strings; anything else is shown as JSON). */
function str(value: unknown, fallback = ''): string {
  if (value === undefined || value === null) return fallback;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function tail(text: string, max = 2_000): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/**
 * Runs programs written by a model, one process per run, under the limits of the settings and
 * the strongest isolation the machine allows (see IsolationLevel). The interpreter is chosen once
 * per runner: the first of the configured path, python3 on PATH (resolved to the real binary),
 * /usr/bin/python3 and /usr/local/bin/python3 that runs a trivial program in the sandbox.
 */
export class ProgramSandbox {
  readonly limits: SandboxLimits;
  readonly importAllowList: readonly string[];
  private readonly interpreters = new Map<Runner, Promise<Interpreter>>();

  constructor(private readonly options: ProgramSandboxOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.importAllowList = options.importAllowList ?? DEFAULT_IMPORT_ALLOW_LIST;
  }

  /** The isolation level runs use, and why a stronger one is not available. */
  async isolation(): Promise<{ level: IsolationLevel; notes: string[] }> {
    const host = await sandboxHost();
    return { level: this.levelOf(host), notes: host.notes };
  }

  private levelOf(host: SandboxHost): IsolationLevel {
    if (!host.tools.prlimit) {
      throw new SandboxUnavailableError(`Programs cannot run here: ${host.notes.join('; ')}.`);
    }
    const wanted = this.options.isolation ?? 'auto';
    if (wanted === 'auto') return host.levels[0];
    if (!host.levels.includes(wanted)) {
      throw new SandboxUnavailableError(
        `Isolation level '${wanted}' is not available here: ${host.notes.join('; ')}.`,
      );
    }
    return wanted;
  }

  async run(request: RunProgramRequest): Promise<ProgramRun> {
    for (const name of request.names ?? []) {
      if (!IDENTIFIER.test(name)) throw new Error(`'${name}' is not an identifier`);
    }
    const host = await sandboxHost();
    const level = this.levelOf(host);
    const interpreter = await this.interpreter(request.runner, host, level);
    return this.runWith(interpreter, host, level, request);
  }

  private interpreter(runner: Runner, host: SandboxHost, level: IsolationLevel) {
    let found = this.interpreters.get(runner);
    if (!found) {
      found = runner === 'python' ? this.findPython(host, level) : this.findNode(host, level);
      // A failed search is retried next time (an interpreter may be installed meanwhile).
      found.catch(() => this.interpreters.delete(runner));
      this.interpreters.set(runner, found);
    }
    return found;
  }

  private async findPython(host: SandboxHost, level: IsolationLevel): Promise<Interpreter> {
    const candidates = [
      this.options.pythonPath,
      'python3',
      '/usr/bin/python3',
      '/usr/local/bin/python3',
    ].filter((c): c is string => !!c);
    const tried: string[] = [];
    const seen = new Set<string>();
    for (const candidate of candidates) {
      // The host's own interpreter, trusted: where it really lives (a pyenv shim resolves to
      // the binary) and its install prefix.
      const probe = await runHostCommand(
        candidate,
        ['-I', '-c', 'import sys; print(sys.executable); print(sys.base_prefix)'],
        10_000,
        { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' },
      );
      const [executable, prefix] = probe.stdout.trim().split('\n');
      if (probe.code !== 0 || !executable) {
        tried.push(`${candidate}: not runnable`);
        continue;
      }
      const path = realpathSync(executable);
      if (seen.has(path)) continue;
      seen.add(path);
      const readOnly = [prefix, dirname(path)].filter(
        (dir, i, all) => dir && !isUnder(dir, '/usr') && all.indexOf(dir) === i,
      );
      const interpreter = {
        path,
        readOnly: readOnly.filter((d) => !readOnly.some((o) => o !== d && isUnder(d, o))),
      };
      const check = await this.runWith(interpreter, host, level, {
        runner: 'python',
        code: 'import json\nprint(json.dumps([1 + 1]))',
      }).catch((err: unknown) => ({ status: 'error', message: String(err) }) as const);
      if (check.status === 'ok') return interpreter;
      tried.push(`${path}: ${check.message}`);
    }
    throw new SandboxUnavailableError(
      `No Python interpreter runs in the sandbox (${tried.join('; ') || 'none found'}).`,
    );
  }

  private async findNode(host: SandboxHost, level: IsolationLevel): Promise<Interpreter> {
    const path = realpathSync(this.options.nodePath ?? process.execPath);
    const prefix = dirname(dirname(path));
    const interpreter = { path, readOnly: isUnder(prefix, '/usr') ? [] : [prefix] };
    const check = await this.runWith(interpreter, host, level, {
      runner: 'javascript',
      code: 'console.log(JSON.stringify([1 + 1]))',
    });
    if (check.status !== 'ok') {
      throw new SandboxUnavailableError(`Node.js does not run in the sandbox: ${check.message}`);
    }
    return interpreter;
  }

  private processLimits(runner: Runner, level: IsolationLevel): ProcessLimits {
    const { timeoutMs, memoryMb, maxOutputBytes, maxFileBytes } = this.limits;
    const mb = 1024 * 1024;
    return {
      cpuSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
      addressSpaceBytes:
        runner === 'python' ? memoryMb * mb : (NODE_ADDRESS_SPACE_OVERHEAD_MB + 2 * memoryMb) * mb,
      // Python needs no thread or child at all; Node's own threads need a few. At level none
      // the count is the worker user's, which Node's threads would exceed: there the permission
      // model is what refuses JavaScript child processes.
      processes: runner === 'python' ? 1 : level === 'none' ? null : 16,
      fileBytes: maxFileBytes,
      openFiles: 64,
      wallMs: timeoutMs,
      maxOutputBytes,
      maxReportBytes: 4 * mb,
      scratchBytes: Math.max(maxFileBytes * 4, 16 * mb),
    };
  }

  private async runWith(
    interpreter: Interpreter,
    host: SandboxHost,
    level: IsolationLevel,
    request: RunProgramRequest,
  ): Promise<ProgramRun> {
    const limits = this.processLimits(request.runner, level);
    const tests = [...(request.tests ?? [])];
    const names = [...(request.names ?? [])];
    let command: { args: string[]; stdin: (scratch: string) => string };
    if (request.runner === 'python') {
      command = {
        args: ['-I', '-S', '-X', 'utf8', '-c', PYTHON_BOOTSTRAP],
        stdin: (scratch) =>
          JSON.stringify({
            code: request.code,
            allowed: this.importAllowList,
            tests,
            names,
            scratch,
            max_write_files: 64,
          }),
      };
    } else {
      command = {
        args: [
          '--experimental-permission',
          '--no-warnings',
          `--max-old-space-size=${this.limits.memoryMb}`,
          '--disallow-code-generation-from-strings',
          '-e',
          JAVASCRIPT_BOOTSTRAP,
        ],
        stdin: () =>
          JSON.stringify({
            code: request.code,
            tests,
            names,
            timeout_ms: Math.max(50, this.limits.timeoutMs - 150),
            max_output: this.limits.maxOutputBytes,
          }),
      };
    }
    const result = await runContained(host, {
      command: interpreter.path,
      args: command.args,
      stdin: command.stdin,
      limits,
      level,
      readOnlyPaths: interpreter.readOnly,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    return this.classify(result, request);
  }

  private classify(result: ContainedResult, request: RunProgramRequest): ProgramRun {
    if (result.spawnError) {
      throw new SandboxUnavailableError(`The sandbox did not start: ${result.spawnError}`);
    }
    const list = events(result.report);
    const find = (name: string) => list.find((e) => e.event === name);
    const tests: TestOutcome[] = list
      .filter((e) => e.event === 'test')
      .map((e) =>
        e.ok === true
          ? { ok: true as const, value: e.value }
          : { ok: false as const, error: str(e.error, 'failed') },
      );
    const done = find('done');
    const base = {
      stdout: result.stdout,
      stderr: tail(result.stderr),
      tests,
      values: (done?.values as Record<string, unknown> | undefined) ?? {},
      durationMs: Math.round(result.durationMs),
      isolation: result.level,
    };
    const end = (status: RunStatus, message: string): ProgramRun => ({ status, message, ...base });
    const { limits } = this;
    if (result.aborted) return end('error', 'The run was cancelled.');
    if (result.outputExceeded || find('output_limit')) {
      return end(
        'output_limit',
        `It printed more than ${limits.maxOutputBytes} bytes and was stopped.`,
      );
    }
    const violation = find('violation');
    if (violation) return end('violation', `Blocked by the sandbox: ${String(violation.what)}.`);
    const syntax = find('syntax_error');
    if (syntax) {
      const line = typeof syntax.line === 'number' ? ` (line ${syntax.line})` : '';
      return end('syntax_error', `The code does not compile: ${String(syntax.message)}${line}.`);
    }
    if (result.timedOut || find('timeout')) {
      return end('timeout', `It ran longer than ${limits.timeoutMs} ms and was stopped.`);
    }
    const exception = find('exception');
    if (exception) {
      const message = str(exception.message);
      const kind = str(exception.type, 'Error');
      if (kind === 'MemoryError' || (kind === 'RangeError' && MEMORY_TEXT.test(message))) {
        return end('memory_limit', `It needed more than ${limits.memoryMb} MB of memory.`);
      }
      const trace =
        typeof exception.traceback === 'string' && exception.traceback
          ? `\n${exception.traceback}`
          : '';
      return end(
        'error',
        `It raised ${message.startsWith(kind) ? message : `${kind}: ${message}`}${trace}`.slice(
          0,
          3_000,
        ),
      );
    }
    const exit = find('exit');
    if (exit) return end('error', `It exited with status ${String(exit.code)}.`);
    if (done) return end('ok', 'It ran to the end.');
    const signal = signalOf(result);
    if (signal === 'SIGXCPU' || (signal === 'SIGKILL' && !result.timedOut)) {
      return end(
        'timeout',
        `It used its ${Math.ceil(limits.timeoutMs / 1000)} s of CPU and was stopped.`,
      );
    }
    if (MEMORY_TEXT.test(result.stderr)) {
      return end('memory_limit', `It needed more than ${limits.memoryMb} MB of memory.`);
    }
    if (!find('ready')) {
      throw new SandboxUnavailableError(
        `The ${request.runner} sandbox did not start (exit ${String(result.exitCode)}${signal ? `, ${signal}` : ''}): ${tail(result.stderr, 500)}`,
      );
    }
    return end(
      'error',
      `It crashed (${signal ?? `exit status ${String(result.exitCode)}`}). ${tail(result.stderr, 500)}`.trim(),
    );
  }
}
