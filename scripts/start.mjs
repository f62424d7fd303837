// `npm start`: builds only when a source changed since the last build, then runs the server
// (`api` by default, or `worker`) as a child that receives our signals, and exits with its code.
// For the API it also builds the web console (apps/console) when its sources changed: see
// scripts/console-build.mjs.
//
//   node scripts/start.mjs [api|worker]   build if needed, then run
//   node scripts/start.mjs --check        only say whether a build is needed
//
// The server also stops when whatever started us goes away: npm runs scripts through `sh -c`,
// and a killed npm takes that shell with it without passing the signal on, which used to leave
// the server running on its own.
import console from 'node:console';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { buildConsole, consoleBuildReason, consoleInputsHash } from './console-build.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
/** Written after each build this script runs; its mtime is when that build started. */
const STAMP = join(DIST, '.build-stamp');
/** What `nest build` compiles (tsconfig.build.json) and what changes how it compiles. */
const SOURCE_DIRS = ['apps', 'libs', 'test/fakes', 'bench'];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist']);
/** Not the server's: the web console has its own build (scripts/console-build.mjs). */
const SKIPPED_PATHS = new Set([join(ROOT, 'apps/console')]);
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The newest build input as [mtime in ms, path], or undefined when there is none. */
function newestSource() {
  let newest;
  const consider = (path, mtimeMs) => {
    if (!newest || mtimeMs > newest[0]) newest = [mtimeMs, path];
  };
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !SKIPPED_PATHS.has(path)) walk(path);
      } else if (/\.(ts|json)$/.test(entry.name) && !/\.(spec|e2e-spec)\.ts$/.test(entry.name)) {
        consider(path, statSync(path).mtimeMs);
      }
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(ROOT, dir))) walk(join(ROOT, dir));
  for (const file of CONFIG_FILES) {
    const path = join(ROOT, file);
    if (existsSync(path)) consider(path, statSync(path).mtimeMs);
  }
  return newest;
}

/** Why a build is needed, or null when dist/ is up to date. */
function buildReason(app) {
  const entry = join(DIST, 'apps', app, 'src/main.js');
  if (!existsSync(entry)) return `${relative(ROOT, entry)} does not exist`;
  // A build by `nest build` itself leaves no stamp: its output's age stands in.
  const built = statSync(existsSync(STAMP) ? STAMP : entry).mtimeMs;
  const newest = newestSource();
  if (newest && newest[0] > built)
    return `${relative(ROOT, newest[1])} changed since the last build`;
  return null;
}

function build() {
  const started = new Date();
  const nest = join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js');
  const result = spawnSync(process.execPath, [nest, 'build', 'api'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('Prompt Studio: the build failed; not starting.');
    process.exit(result.status ?? 1);
  }
  writeFileSync(STAMP, `${started.toISOString()}\n`);
  // Sources saved while the build ran are newer than the stamp, so the next start builds again.
  utimesSync(STAMP, started, started);
  return Date.now() - started.getTime();
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** The parent of process `pid`, or undefined when it cannot be told. */
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || undefined;
  } catch {
    try {
      const out = execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
      return Number(out.trim()) || undefined;
    } catch {
      return undefined;
    }
  }
}

function run(app) {
  const child = spawn(process.execPath, [join(DIST, 'apps', app, 'src/main.js')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  for (const signal of FORWARDED) {
    process.on(signal, () => {
      // SIGHUP (a closed terminal) asks for the same clean stop as SIGTERM.
      if (child.exitCode === null) child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
    });
  }
  // Who started us: our parent, and under npm (which runs scripts through `sh -c`) the npm
  // process above that shell too, which a SIGKILL may take away while the shell stays.
  const parent = process.ppid;
  const ancestors = [parent];
  const npm = process.env.npm_lifecycle_event ? parentOf(parent) : undefined;
  if (npm && npm > 1) ancestors.push(npm);
  const watch = setInterval(() => {
    const orphaned = process.ppid !== parent || ancestors.some((pid) => !alive(pid));
    if (orphaned && child.exitCode === null) {
      console.error('Prompt Studio: the process that started the server is gone; stopping it.');
      clearInterval(watch);
      child.kill('SIGTERM');
    }
  }, 250);
  child.on('exit', (code, signal) => {
    clearInterval(watch);
    process.exit(code ?? 128 + (constants.signals[signal] ?? 1));
  });
  child.on('error', (err) => {
    console.error(`Prompt Studio: could not start the server: ${err.message}`);
    process.exit(1);
  });
}

const args = process.argv.slice(2);
const app = args.find((a) => !a.startsWith('--')) ?? 'api';
if (app !== 'api' && app !== 'worker') {
  console.error(`Usage: node scripts/start.mjs [api|worker] [--check] (got "${app}")`);
  process.exit(2);
}
const checkStarted = performance.now();
const reason = buildReason(app);
const checkMs = Math.round(performance.now() - checkStarted);
// The API serves the console; a worker has no use for it.
const consoleStarted = performance.now();
const consoleHash = app === 'api' ? consoleInputsHash() : null;
const consoleReason = consoleHash ? consoleBuildReason(consoleHash) : null;
const consoleCheckMs = Math.round(performance.now() - consoleStarted);
if (args.includes('--check')) {
  console.log(reason ? `build needed: ${reason}` : `build up to date (checked in ${checkMs} ms)`);
  if (consoleReason) console.log(`console build needed: ${consoleReason}`);
  process.exit(0);
}
if (reason) {
  console.log(`Prompt Studio: building (${reason}).`);
  const ms = build();
  console.log(`Prompt Studio: built in ${(ms / 1000).toFixed(1)} s.`);
} else {
  console.log(`Prompt Studio: build up to date (checked in ${checkMs} ms); starting the ${app}.`);
}
if (consoleReason) {
  console.log(`Prompt Studio: building the web console (${consoleReason}).`);
  const built = buildConsole(consoleHash);
  // The API runs without it (and says at `/` how to build it): not a reason to stay down.
  if (built.ok) {
    console.log(`Prompt Studio: web console built in ${(built.ms / 1000).toFixed(1)} s.`);
  } else {
    console.error(
      `Prompt Studio: the web console was not built (${built.error}); starting anyway.`,
    );
  }
} else if (consoleHash) {
  console.log(`Prompt Studio: web console up to date (checked in ${consoleCheckMs} ms).`);
}
run(app);
