import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where Debian and Ubuntu install Chromium; CHROMIUM_PATH takes precedence. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The smallest screenshot we accept: anything less is a blank or broken page. */
export const MIN_SCREENSHOT_BYTES = 10 * 1024;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The Chromium binary to drive, or a clear error saying how to get one. */
export function findChromium(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (executable(configured)) return configured;
    throw new Error(`CHROMIUM_PATH=${configured} is not an executable file.`);
  }
  const found = CANDIDATES.find(executable);
  if (found) return found;
  throw new Error(
    `Chromium not found (looked at ${CANDIDATES.join(', ')}). Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.`,
  );
}

export interface ChromiumRun {
  stdout: string;
  stderr: string;
}

/** Common flags: headless, no sandbox (root in containers), no GPU, no first-run noise. */
function baseArgs(profileDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-extensions',
    '--disable-background-networking',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profileDir}`,
  ];
}

/** Runs Chromium with `args`, rejecting with its output when it exits non-zero or times out. */
export function runChromium(args: string[], timeoutMs = 60_000): Promise<ChromiumRun> {
  const binary = findChromium();
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `${binary} ${args.join(' ')} failed (${error.message}).\nstderr:\n${stderr.slice(-4000)}`,
            ),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

/** Writes `html` to a temporary file and runs `use` with its file:// URL and a fresh profile. */
async function withPage<T>(
  html: string,
  use: (url: string, profileDir: string) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'report-render-'));
  try {
    const file = join(dir, 'page.html');
    writeFileSync(file, html, 'utf8');
    return await use(pathToFileURL(file).href, join(dir, 'profile'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Renders `html` in headless Chromium and saves a 1200×2000 screenshot to `outPng`; throws unless
 * Chromium exits cleanly and the file is a PNG of a plausible size.
 */
export async function screenshotHtml(html: string, outPng: string): Promise<void> {
  rmSync(outPng, { force: true });
  await withPage(html, (url, profile) =>
    runChromium([...baseArgs(profile), `--screenshot=${outPng}`, '--window-size=1200,2000', url]),
  );
  let png: Buffer;
  try {
    png = readFileSync(outPng);
  } catch {
    throw new Error(`Chromium exited cleanly but wrote no screenshot to ${outPng}.`);
  }
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new Error(`${outPng} is not a PNG file.`);
  }
  if (png.length <= MIN_SCREENSHOT_BYTES) {
    throw new Error(`${outPng} is only ${png.length} bytes: the page probably rendered blank.`);
  }
}

/** The DOM after Chromium loaded `html` (and ran whatever scripts it would run), serialized. */
export async function dumpDom(html: string): Promise<string> {
  const { stdout } = await withPage(html, (url, profile) =>
    runChromium([...baseArgs(profile), '--dump-dom', url]),
  );
  return stdout;
}
