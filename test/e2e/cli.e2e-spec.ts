import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import {
  bulkCreateTestCases,
  createProject,
  createPrompt,
  getOptimization,
  StudioClient,
  unwrap,
} from '@ps/sdk';
import { ROOT } from '../support/processes';
import { startStudioStack, type StudioStack } from '../support/studio-stack';

/**
 * The `prompt-studio` CLI as users get it: `npm pack` of libs/sdk, installed into an empty
 * folder, its bin run against the API and a worker as processes. Exit codes 0 / 100 / 1, JUnit
 * XML checked against test/support/junit.xsd by libxml2 (xmllint-wasm), Markdown, and a progress
 * bar on a terminal (through `script`, which gives the child a pseudo-terminal) but plain lines
 * otherwise.
 */

jest.setTimeout(300_000);

describe('prompt-studio CLI (packed package, API and worker processes)', () => {
  let stack: StudioStack;
  let scratch: string;
  let bin: string;
  let promptId: number;
  let projectId: number;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ps-cli-'));
    execFileSync('npm', ['pack', './libs/sdk', '--pack-destination', scratch, '--silent'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack made no tarball');
    execFileSync('npm', ['init', '-y'], { cwd: scratch, stdio: 'pipe' });
    execFileSync(
      'npm',
      ['install', join(scratch, tarball), '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: scratch, stdio: 'pipe' },
    );
    bin = join(scratch, 'node_modules/.bin/prompt-studio');
    stack = await startStudioStack();

    // 4 cases, mock-echo answers the question itself: 3 expect exactly that → pass rate 0.75.
    const studio = new StudioClient({ baseUrl: stack.url, apiKey: stack.apiKey });
    const project = await unwrap(createProject({ client: studio.client, body: { name: 'cli' } }));
    projectId = project.id;
    const prompt = await unwrap(
      createPrompt({
        client: studio.client,
        body: {
          project_id: project.id,
          name: 'echo',
          user_prompt: '{q}',
          model_config: { provider: 'mock', model: 'mock-echo' },
        },
      }),
    );
    promptId = prompt.id;
    await unwrap(
      bulkCreateTestCases({
        client: studio.client,
        body: {
          project_id: project.id,
          test_cases: ['a', 'b', 'c', 'd'].map((q, i) => ({
            name: `case ${q}`,
            inputs: { q },
            expected_outputs: { response: i < 3 ? q : 'something else <&>' },
          })),
        },
      }),
    );
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const env = () => ({
    PATH: process.env.PATH ?? '',
    PROMPT_STUDIO_URL: stack.url,
    PROMPT_STUDIO_API_KEY: stack.apiKey,
  });
  const run = (args: string[], extraEnv: Record<string, string> = {}) =>
    spawnSync(bin, args, { env: { ...env(), ...extraEnv }, encoding: 'utf8', timeout: 120_000 });

  it('exits 0 when the pass rate meets the threshold, writing valid JUnit XML and Markdown', async () => {
    const junit = join(scratch, 'pass.xml');
    const markdown = join(scratch, 'pass.md');
    const res = run([
      'eval',
      '--prompt',
      String(promptId),
      '--threshold',
      '0.75',
      '--junit',
      junit,
      '--markdown',
      markdown,
    ]);
    expect({ status: res.status, stderr: res.stderr }).toMatchObject({ status: 0 });
    expect(res.stdout).toContain('PASS');
    expect(res.stdout).toContain('75.0%');

    const xml = readFileSync(junit, 'utf8');
    const validation = await validateXML({
      xml: [{ fileName: 'pass.xml', contents: xml }],
      schema: [readFileSync(join(ROOT, 'test/support/junit.xsd'), 'utf8')],
    });
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain('tests="4" failures="1" errors="0"');
    expect(xml.match(/<failure /g)).toHaveLength(1);

    // The checker has teeth: a broken document is refused.
    const broken = await validateXML({
      xml: [{ fileName: 'broken.xml', contents: xml.replace(/ classname="[^"]*"/, '') }],
      schema: [readFileSync(join(ROOT, 'test/support/junit.xsd'), 'utf8')],
    });
    expect(broken.valid).toBe(false);

    const md = readFileSync(markdown, 'utf8');
    expect(md).toContain('passed');
    expect(md).toContain('| Pass rate | 75.0% |');
    expect(md).toContain('### Not passed');
  });

  it('exits 100 when the pass rate is below the threshold, and prints plain progress lines off a TTY', () => {
    const res = run(['eval', '--prompt', String(promptId), '--threshold', '0.8']);
    expect({ status: res.status, stderr: res.stderr }).toMatchObject({ status: 100 });
    expect(res.stdout).toContain('FAIL');
    expect(res.stderr).toMatch(/^evaluation \d+: 100% completed$/m);
    expect(res.stderr).not.toContain('\r');
    expect(res.stderr).not.toContain('\u001b[');
  });

  it('exits 1 on errors: unknown prompt, bad arguments, unreachable server, bad key', () => {
    const missing = run(['eval', '--prompt', '999999999']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('HTTP 404');
    expect(run(['eval', '--prompt', 'x']).status).toBe(1);
    expect(run(['eval', '--prompt', '1', '--threshold', '2']).status).toBe(1);
    const down = run(['status'], { PROMPT_STUDIO_URL: 'http://127.0.0.1:9' });
    expect(down.status).toBe(1);
    const badKey = run(['status', '--api-key', 'pstudio_not_a_real_key_000000000000']);
    expect(badKey.status).toBe(1);
    expect(badKey.stderr).toContain('401');
  });

  it('draws a progress bar on a terminal', () => {
    const command = [bin, 'eval', '--prompt', String(promptId), '--threshold', '0.5']
      .map((a) => `'${a}'`)
      .join(' ');
    const res = spawnSync('script', ['-qefc', command, '/dev/null'], {
      env: env(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(
      /evaluation \d+ \[-+\] 0%[\s\S]*evaluation \d+ \[=+\] 100% completed/,
    );
    expect(res.stdout).toContain('\u001b[');
  });

  it('optimize: starts a run, waits for it, prints the outcome and exits 0', async () => {
    const res = run([
      'optimize',
      '--prompt',
      String(promptId),
      '--strategy',
      'mipro',
      '--params',
      '{"num_instructions": 2, "num_trials": 6}',
      '--max-llm-calls',
      '40',
    ]);
    expect({ status: res.status, stderr: res.stderr }).toMatchObject({ status: 0 });
    const id = Number(/^optimization (\d+) created \(mipro\)$/m.exec(res.stdout)?.[1]);
    expect(id).toBeGreaterThan(0);
    // Plain progress lines off a terminal, ending at 100%.
    expect(res.stderr).toMatch(
      new RegExp(`^optimization ${id}: 100% iteration \\d+ completed$`, 'm'),
    );
    expect(res.stderr).not.toContain('\r');

    const studio = new StudioClient({ baseUrl: stack.url, apiKey: stack.apiKey });
    const done = await unwrap(getOptimization({ client: studio.client, path: { id } }));
    expect(done).toMatchObject({ status: 'completed', strategy: 'mipro', prompt_id: promptId });
    expect(done.config).toMatchObject({ strategy_params: { num_instructions: 2, num_trials: 6 } });
    expect(done.usage.llm_calls).toBeLessThanOrEqual(40);
    // The table shows the run as the API reports it.
    const mean = (s: typeof done.baseline) => s.validation?.mean ?? s.train?.mean;
    const row = new RegExp(
      `│\\s*${id}\\s*│\\s*completed\\s*│\\s*${mean(done.baseline)!.toFixed(3)}\\s*│` +
        `\\s*${mean(done.best)!.toFixed(3)}\\s*│\\s*${done.optimized_version_id ?? '-'}\\s*│`,
    );
    expect(res.stdout).toMatch(row);
  });

  it('optimize: exits 1 with the problem on a bad strategy, bad parameters or an unknown prompt', () => {
    const strategy = run(['optimize', '--prompt', String(promptId), '--strategy', 'simulated']);
    expect(strategy.status).toBe(1);
    expect(strategy.stderr).toMatch(/HTTP 400 validation_failed/);
    const params = run(['optimize', '--prompt', String(promptId), '--params', '{"num_trials": 0}']);
    expect(params.status).toBe(1);
    expect(params.stderr).toContain('HTTP 400');
    expect(run(['optimize', '--prompt', String(promptId), '--params', 'not json']).status).toBe(1);
    const missing = run(['optimize', '--prompt', '999999999']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('HTTP 404');
  });

  it('imports, exports, reports and shows status', () => {
    const csv = join(ROOT, 'examples/data/customer-support.csv');
    const imported = run(['import', '--project', String(projectId), '--file', csv]);
    expect({ status: imported.status, stderr: imported.stderr }).toMatchObject({ status: 0 });
    expect(imported.stdout).toMatch(/│\s*5\s*│\s*5\s*│/);

    const exported = join(scratch, 'cases.csv');
    const exp = run(['export', '--project', String(projectId), '--out', exported]);
    expect(exp.status).toBe(0);
    expect(readFileSync(exported, 'utf8')).toContain('Password reset');

    const evals = run(['eval', '--prompt', String(promptId), '--threshold', '0']);
    const id = /evaluation (\d+) created/.exec(evals.stdout)?.[1];
    expect(id).toBeDefined();
    const html = join(scratch, 'report.html');
    expect(run(['report', '--evaluation', id!, '--format', 'html', '--out', html]).status).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/<html/i);
    const pdf = join(scratch, 'report.pdf');
    expect(run(['report', '--evaluation', id!, '--format', 'pdf', '--out', pdf]).status).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');

    const status = run(['status']);
    expect({ status: status.status, stderr: status.stderr }).toMatchObject({ status: 0 });
    expect(status.stdout).toContain('api: ready');
    expect(status.stdout).toContain('bull');
  });
});
