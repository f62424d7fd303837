// The web console's production build (apps/console → apps/console/dist, served by the API at
// `/`), made only when its inputs changed: `npm start` and `npm run build` both go through here.
//
//   node scripts/console-build.mjs            build if an input changed since the last build
//   node scripts/console-build.mjs --force    build in any case
//   node scripts/console-build.mjs --check    only say whether a build is needed
//
// "Changed" is by content, not by date: the inputs (the console's sources, the SDK sources it
// imports, the versions of its build dependencies) are hashed and the hash is kept beside the
// build, so a checkout or a copy that touches every file does not force a rebuild.
import console from 'node:console';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CONSOLE_DIR = join(ROOT, 'apps/console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');
const STAMP = join(CONSOLE_DIST, '.build-stamp');
/** Folders whose files are build inputs (dist and dependencies excluded). */
const INPUT_DIRS = [CONSOLE_DIR, join(ROOT, 'libs/sdk/src')];
const SKIPPED = new Set(['node_modules', 'dist', 'cli']);
/** Packages whose version changes the bundle. */
const BUILD_PACKAGES = ['vite', 'react', 'react-dom', 'socket.io-client'];

function inputFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) walk(path);
      } else if (!/\.spec\.tsx?$/.test(entry.name)) {
        files.push(path);
      }
    }
  };
  for (const dir of INPUT_DIRS) if (existsSync(dir)) walk(dir);
  return files.sort();
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'))
      .version;
  } catch {
    return 'missing';
  }
}

/** sha256 over every input's path and content, and the build packages' versions. */
export function consoleInputsHash() {
  const hash = createHash('sha256');
  for (const file of inputFiles()) {
    hash.update(relative(ROOT, file).split(sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  for (const name of BUILD_PACKAGES) hash.update(`${name}@${packageVersion(name)}\n`);
  return hash.digest('hex');
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return null;
  }
}

/** Why the console must be built, or null when its build matches its inputs. */
export function consoleBuildReason(hash = consoleInputsHash()) {
  if (!existsSync(join(CONSOLE_DIST, 'index.html'))) {
    return `${relative(ROOT, join(CONSOLE_DIST, 'index.html'))} does not exist`;
  }
  const stamp = readStamp();
  if (!stamp?.hash) return 'the console build has no stamp';
  if (stamp.hash !== hash) return 'the console sources changed since its last build';
  return null;
}

/** Runs Vite's production build; returns { ok, ms, error }. */
export function buildConsole(hash = consoleInputsHash()) {
  const started = performance.now();
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  if (!existsSync(vite)) {
    return {
      ok: false,
      ms: 0,
      error: 'vite is not installed (npm ci installs the dev dependencies)',
    };
  }
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(CONSOLE_DIR, 'vite.config.mjs'), '--logLevel', 'warn'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  const ms = Math.round(performance.now() - started);
  if (result.status !== 0)
    return { ok: false, ms, error: `vite build exited with ${result.status}` };
  writeFileSync(STAMP, `${JSON.stringify({ hash, built_at: new Date().toISOString() })}\n`);
  return { ok: true, ms, error: null };
}

const invoked = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (invoked) {
  const args = process.argv.slice(2);
  const checkStarted = performance.now();
  const hash = consoleInputsHash();
  const reason = args.includes('--force') ? 'asked to (--force)' : consoleBuildReason(hash);
  const checkMs = Math.round(performance.now() - checkStarted);
  if (args.includes('--check')) {
    console.log(
      reason
        ? `console build needed: ${reason}`
        : `console build up to date (checked in ${checkMs} ms)`,
    );
    process.exit(0);
  }
  if (!reason) {
    console.log(`Prompt Studio: console build up to date (checked in ${checkMs} ms).`);
    process.exit(0);
  }
  console.log(`Prompt Studio: building the console (${reason}).`);
  const built = buildConsole(hash);
  if (!built.ok) {
    console.error(`Prompt Studio: the console build failed: ${built.error}.`);
    process.exit(1);
  }
  console.log(`Prompt Studio: console built in ${(built.ms / 1000).toFixed(1)} s.`);
}
