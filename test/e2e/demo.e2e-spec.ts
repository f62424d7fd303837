import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getOptimization, listEvaluations, listTestCases, StudioClient, unwrap } from '@ps/sdk';
import { dumpDom, MIN_SCREENSHOT_BYTES, screenshotHtml } from '../support/chromium';
import { ROOT } from '../support/processes';
import { startStudioStack, type StudioStack } from '../support/studio-stack';

/**
 * `npm run demo` (examples/optimize-customer-support.ts) as a user runs it, against the API and
 * a worker as separate processes with no provider key: it says it runs on the mock provider,
 * prints the baseline, live optimizer progress, the optimized score and the improvement, and
 * writes an HTML report (opened in headless Chromium) and a PDF report.
 */

jest.setTimeout(300_000);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run --silent demo` in the repository with only the given environment. */
function runDemo(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'demo'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const number = (text: string, pattern: RegExp): number => {
  const match = pattern.exec(text);
  if (!match) throw new Error(`${pattern} not found in:\n${text}`);
  return Number(match[1]);
};

describe('npm run demo (API and worker processes, no provider key)', () => {
  let stack: StudioStack;
  let scratch: string;
  let run: Run;

  beforeAll(async () => {
    stack = await startStudioStack();
    scratch = mkdtempSync(join(tmpdir(), 'ps-demo-'));
    // The key where `npm start` leaves it: DATA_DIR/owner-api-key.
    writeFileSync(join(scratch, 'owner-api-key'), `${stack.apiKey}\n`, { mode: 0o600 });
    run = await runDemo({
      PROMPT_STUDIO_URL: stack.url,
      DATA_DIR: scratch,
      DEMO_OUTPUT_DIR: join(scratch, 'out'),
      DEMO_MAX_LLM_CALLS: '60',
    });
  });

  afterAll(async () => {
    await stack?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('runs the workflow on the mock provider and says so', () => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('running on the offline mock provider');
    expect(run.stdout).toMatch(
      /^Imported 5 of 5 test cases from examples\/data\/customer-support\.csv/m,
    );
    expect(run.stdout).toMatch(
      /^Baseline: mean score \d\.\d{3}, pass rate \d+\.\d% over 5 cases \(evaluation \d+\)$/m,
    );
    expect(run.stdout).toContain('MIPRO optimization (budget 60 LLM calls):');
    // Live progress from the event stream, before the run's end.
    const live = run.stdout.slice(run.stdout.indexOf('MIPRO optimization'));
    expect(live).toMatch(/^ {2}optimization \d+ started$/m);
    const progress = /^ {2}(candidate \d+ \(\w+\) \w+|iteration \d+)/m.exec(live);
    const ended = /^ {2}optimization \d+ completed$/m.exec(live);
    expect(progress).not.toBeNull();
    expect(ended).not.toBeNull();
    expect(progress!.index).toBeLessThan(ended!.index);
    expect(run.stdout).toMatch(/^Significant gain claimed: (yes|no)/m);
  });

  it('prints the baseline, the optimized score and the improvement between them', () => {
    const before = number(run.stdout, /^Baseline score: +(\d\.\d{3})$/m);
    const after = number(run.stdout, /^Optimized score: +(\d\.\d{3})$/m);
    const gain = number(run.stdout, /^Improvement: +([+-]\d\.\d{3})/m);
    expect(gain).toBeCloseTo(after - before, 3);
    expect(before).toBeGreaterThan(0);
  });

  it('did what it printed, through the API', async () => {
    const studio = new StudioClient({ baseUrl: stack.url, apiKey: stack.apiKey });
    const baselineId = number(run.stdout, /^Baseline: .*\(evaluation (\d+)\)$/m);
    const optimizationId = number(run.stdout, /^ {2}optimization (\d+) started$/m);
    const optimization = await unwrap(
      getOptimization({ client: studio.client, path: { id: optimizationId } }),
    );
    expect(optimization).toMatchObject({ strategy: 'mipro', status: 'completed' });
    expect(optimization.usage.llm_calls).toBeLessThanOrEqual(60);
    expect(run.stdout).toContain(
      `Significant gain claimed: ${optimization.improvement?.improved ? 'yes' : 'no'}`,
    );
    const cases = await unwrap(
      listTestCases({ client: studio.client, query: { project_id: optimization.project_id } }),
    );
    expect(cases.total).toBe(5);
    const evaluations = await unwrap(
      listEvaluations({ client: studio.client, query: { project_id: optimization.project_id } }),
    );
    expect(evaluations.items.map((e) => e.id)).toContain(baselineId);
    expect(evaluations.items.every((e) => e.status === 'completed')).toBe(true);
  });

  it('writes an HTML report that opens in Chromium and a PDF report', async () => {
    const htmlPath = /^HTML report: (.+)$/m.exec(run.stdout)?.[1];
    const pdfPath = /^PDF report: +(.+)$/m.exec(run.stdout)?.[1];
    expect(htmlPath).toMatch(/out\/customer-support-\d+\.html$/);
    const html = readFileSync(htmlPath!, 'utf8');
    const pdf = readFileSync(pdfPath!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(2000);

    const dom = await dumpDom(html);
    expect(dom).toMatch(/<title>Comparison: evaluation #\d+ vs #\d+<\/title>/);
    const png = join(scratch, 'report.png');
    await screenshotHtml(html, png);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(bytes.length).toBeGreaterThan(MIN_SCREENSHOT_BYTES);
  });

  it('fails with a clear message and exit code 1 when the key is refused', async () => {
    const refused = await runDemo({
      PROMPT_STUDIO_URL: stack.url,
      PROMPT_STUDIO_API_KEY: 'pstudio_not_a_real_key_000000000000',
      DEMO_OUTPUT_DIR: join(scratch, 'refused'),
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^demo failed: HTTP 401 invalid_credentials/m);
  });
});
