/**
 * The web console in a real browser (playwright-core driving the system's Chromium) against the
 * API and a worker running as separate processes on PostgreSQL and Redis, with the offline `mock`
 * provider: sign in, create a project and a prompt, import a CSV (dry run first), run an
 * evaluation and watch it complete from live events, compare two versions, start an
 * optimization whose iterations appear live, promote the winner; then the playground and the
 * signature editor. Every view is photographed at 1280×800 and 390×844 into
 * test-output/console-screenshots/ and checked with axe-core (no serious or critical violation),
 * and at 390 px no view scrolls sideways.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { findChromium } from '../support/chromium';
import { ROOT } from '../support/processes';
import { startStudioStack, type StudioStack } from '../support/studio-stack';

jest.setTimeout(240_000);

/*
 * The globals that the callbacks handed to page.evaluate use, in the browser. The tests compile
 * without the DOM library (Node's types only), so they are declared here, as far as used.
 */
interface PageElement {
  tagName: string;
  className: unknown;
  closest(selector: string): unknown;
  getBoundingClientRect(): { right: number };
}
interface AxeResults {
  violations: unknown[];
}
declare const window: { axe?: { run(context: unknown): Promise<AxeResults> } };
declare const document: {
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare const sessionStorage: {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
};
declare const localStorage: { length: number };
declare const DataTransfer: new () => { items: { add(file: unknown): void } };
declare const File: new (parts: string[], name: string, options: { type: string }) => unknown;

const SHOTS = join(ROOT, 'test-output/console-screenshots');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const CREDENTIALS_KEY = 'prompt-studio.credentials';

/**
 * The task the optimizer can learn: answer with the first two words of the request. The mock
 * model echoes the request, and its `max_tokens` cuts the answer to that many words, so the
 * right max_tokens (2) is a real, measurable improvement; two-word requests pass from the start.
 */
const REQUESTS = [
  'refund order 1234 please',
  'track parcel sent monday',
  'reset password for account',
  'cancel subscription right away',
  'change delivery address today',
  'invoice copy for march',
  'update card details now',
  'close account permanently please',
  'upgrade plan to pro',
  'report damaged item received',
  'missing item from box',
  'apply discount code again',
  'book installation visit soon',
  'warranty claim for blender',
  'transfer licence to colleague',
  'opening hours',
  'speak human',
  'gift wrap',
  'store locations',
  'return label',
];

function casesCsv(): string {
  const rows = REQUESTS.map((request, i) => {
    const expected = request.split(' ').slice(0, 2).join(' ');
    // 12 golden cases (the validation set of the optimization), 3 of them two-word requests.
    const golden = i < 9 || i >= 17 ? 'yes' : 'no';
    const tag = request.split(' ').length === 2 ? 'short' : 'long';
    return `case-${String(i + 1).padStart(2, '0')},${request},${expected},${tag},${golden}`;
  });
  return ['name,input.query,expected.response,tags,is_golden', ...rows].join('\n') + '\n';
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core in the page (evaluated through the DevTools protocol, as the page's CSP forbids inline scripts). */
async function seriousViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => window.axe !== undefined);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => (await window.axe!.run(document)).violations);
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`,
    );
}

async function until(done: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Lets pending loads finish, so the picture and the audit see the view as a person would. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page
    .locator('[role=status]', { hasText: /^Loading…$/ })
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => undefined);
}

describe('web console (browser, API and worker processes)', () => {
  let stack: StudioStack;
  let browser: Browser;
  let desktop: BrowserContext;
  let page: Page;
  /** Every view visited, by name: the phone pass opens each again. */
  const views: Array<{ name: string; url: string }> = [];
  const audits: Record<string, string[]> = {};
  let projectId = 0;
  let promptId = 0;

  /** A JSON answer of the API, read as a test reads one (any shape). */
  const api = async (path: string): Promise<ReturnType<typeof JSON.parse>> => {
    const res = await fetch(`${stack.url}/api/v1/prompt-studio${path}`, {
      headers: { 'X-API-Key': stack.apiKey },
    });
    expect(res.status).toBe(200);
    return res.json();
  };

  /**
   * Photographs the view, checks that it does not scroll sideways (wide content scrolls inside
   * its own region) and audits it with axe; findings are asserted at once.
   */
  async function record(name: string, viewport: 'desktop' | 'phone', target = page) {
    await settle(target);
    // A phone widens its layout viewport to fit wide content: compare with the device width.
    const width = (viewport === 'desktop' ? DESKTOP : PHONE).width;
    const wider = await target.evaluate((limit) => {
      const out: string[] = [];
      for (const el of document.querySelectorAll('body *')) {
        if (el.closest('[role=region], .project-nav ul')) continue;
        if (el.getBoundingClientRect().right > limit + 1) {
          out.push(`${el.tagName.toLowerCase()}.${String(el.className)}`);
        }
      }
      return { page: document.documentElement.scrollWidth, elements: out.slice(0, 5) };
    }, width);
    expect({ view: `${viewport}/${name}`, ...wider }).toEqual({
      view: `${viewport}/${name}`,
      page: width,
      elements: [],
    });
    mkdirSync(join(SHOTS, viewport), { recursive: true });
    await target.screenshot({ path: join(SHOTS, viewport, `${name}.png`), fullPage: true });
    const found = await seriousViolations(target);
    audits[`${viewport}/${name}`] = found;
    expect({ view: `${viewport}/${name}`, violations: found }).toEqual({
      view: `${viewport}/${name}`,
      violations: [],
    });
    if (viewport === 'desktop') {
      const url = new URL(target.url());
      views.push({ name, url: url.pathname + url.search });
    }
  }

  const nav = (label: string) =>
    page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: label }).click();

  beforeAll(async () => {
    // The console as the server will serve it (a no-op when the build is current).
    execFileSync(process.execPath, ['scripts/console-build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    const executablePath = findChromium();
    [stack, browser] = await Promise.all([
      startStudioStack(),
      chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
    ]);
    desktop = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    page = await desktop.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('serves the console at / and leaves the API, health, metrics and docs as they were', async () => {
    const html = await fetch(`${stack.url}/`, { headers: { Accept: 'text/html' } });
    expect(html.status).toBe(200);
    const index = await html.text();
    expect(index).toContain('<div id="root">');
    const deep = await fetch(`${stack.url}/projects/1/evaluations/2`, {
      headers: { Accept: 'text/html' },
    });
    expect(await deep.text()).toBe(index);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${stack.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');

    const unknown = await fetch(`${stack.url}/api/v1/prompt-studio/nothing-here`, {
      headers: { Accept: 'text/html' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await unknown.json()).toMatchObject({ code: 'route_not_found' });
    const stale = await fetch(`${stack.url}/assets/index-gone.js`);
    expect(stale.status).toBe(404);
    expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${stack.url}/metrics`)).text()).toContain('prompt_studio_');
    const openapi = (await (await fetch(`${stack.url}/openapi.json`)).json()) as {
      openapi: string;
    };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(await (await fetch(`${stack.url}/docs`)).text()).not.toContain('<div id="root">');
  });

  it('signs in with an API key kept in session storage, and creates a project and a prompt', async () => {
    await page.goto(`${stack.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Prompt Studio' }).waitFor();
    await record('sign-in', 'desktop');
    views.pop(); // the phone pass opens it signed out, on its own
    await page.getByLabel('Your API key').fill('pstudio_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Sign-in failed').waitFor();
    await page.getByLabel('Your API key').fill(stack.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    expect(await page.evaluate((k) => sessionStorage.getItem(k), CREDENTIALS_KEY)).toContain(
      stack.apiKey,
    );
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.getByTestId('live-status').getByText('Live').waitFor();

    await page.getByLabel('Name', { exact: true }).fill('Support bot');
    await page.getByLabel('Tags').fill('support, console');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Support bot', level: 1 }).waitFor();
    projectId = Number(/\/projects\/(\d+)/.exec(page.url())?.[1]);
    expect(projectId).toBeGreaterThan(0);
    await page.goto(`${stack.url}/`);
    await page.getByRole('link', { name: 'Support bot' }).waitFor();
    await record('projects', 'desktop');
    await page.getByRole('link', { name: 'Support bot' }).click();

    await page.getByLabel('Name', { exact: true }).fill('Two words');
    await page.getByLabel('User prompt').fill('{query}');
    await page.getByLabel('Provider').selectOption('mock');
    await page.getByRole('combobox', { name: 'Model' }).selectOption('mock-echo');
    // A little latency, so that runs last long enough to be watched.
    await page.getByLabel('Other parameters (JSON)').fill('{"delay_ms": 60}');
    await page.getByLabel('Other parameters (JSON)').blur();
    await record('project', 'desktop');
    await page.getByRole('button', { name: 'Create prompt' }).click();
    await page.getByRole('heading', { name: 'Two words', level: 1 }).waitFor();
    promptId = Number(/\/prompts\/(\d+)/.exec(page.url())?.[1]);
    const prompt = await api(`/prompts/${promptId}`);
    expect(prompt.current_version.model_config).toEqual({
      provider: 'mock',
      model: 'mock-echo',
      parameters: { delay_ms: 60 },
    });
  });

  it('imports a CSV after showing the dry run, row by row; a dropped file is checked the same way', async () => {
    await nav('Test cases');
    await page.getByRole('heading', { name: 'Test cases', level: 1 }).waitFor();
    // The file picker: a dry run first; nothing is written until "Import".
    await page.locator('input[type=file]').setInputFiles({
      name: 'two-words.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(casesCsv()),
    });
    const report = page.getByTestId('import-report');
    await report.getByText('Dry run').waitFor();
    await expect(report.textContent()).resolves.toMatch(/20\s+rows read, 20 would be imported/);
    expect((await api(`/test-cases/list?project_id=${projectId}`)).total).toBe(0);
    await page.getByRole('button', { name: 'Import 20 cases' }).click();
    await page.getByTestId('test-case-total').getByText('20 cases').waitFor();
    expect((await api(`/test-cases/list?project_id=${projectId}&is_golden=true`)).total).toBe(12);

    // Drag and drop: a JSONL file with one good row, a taken name and a broken line.
    const jsonl = [
      '{"name": "extra", "inputs": {"query": "late refund"}, "expected_outputs": {"response": "late refund"}}',
      '{"name": "case-01", "inputs": {"query": "duplicate"}}',
      '{not json',
    ].join('\n');
    const dataTransfer = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'more.jsonl', { type: 'application/x-ndjson' }));
      return transfer;
    }, jsonl);
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
    await report.getByText('3 rows read').waitFor();
    const rejected = page.getByRole('table', { name: 'Rejected rows' });
    await rejected.waitFor();
    expect(await rejected.locator('tbody tr').count()).toBe(2);
    await expect(report.textContent()).resolves.toMatch(/1 would be imported.*2 rejected/s);
    await record('test-cases', 'desktop');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await api(`/test-cases/list?project_id=${projectId}`)).total).toBe(20);

    // Filters and inline edit.
    await page.getByLabel('Tags (all of)').fill('short');
    await page.getByTestId('test-case-total').getByText('5 cases').waitFor();
    await page.getByLabel('Golden', { exact: true }).selectOption('golden');
    await page.getByTestId('test-case-total').getByText('3 cases').waitFor();
    await page.getByRole('button', { name: 'Edit case-18' }).click();
    await page.getByLabel('Tags (comma-separated)').fill('short, edited');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page
      .getByRole('row', { name: /case-18/ })
      .getByText('short, edited')
      .waitFor();
  });

  it('runs an evaluation and follows it to completion from live events', async () => {
    await nav('Evaluations');
    await page.getByRole('heading', { name: 'Evaluations', level: 1 }).waitFor();
    await page.getByRole('checkbox', { name: /^token_overlap/ }).check();
    await page.getByRole('button', { name: 'Start evaluation' }).click();
    await page.waitForURL(/\/evaluations\/\d+$/);
    const evaluationId = Number(/\/evaluations\/(\d+)$/.exec(page.url())?.[1]);
    // The page never polls: "completed" can only come from the evaluation_completed event.
    await page.getByTestId('evaluation-status').getByText('completed').waitFor({ timeout: 60_000 });
    const live = await page.getByTestId('evaluation-live').textContent();
    expect(Number(/(\d+) live update/.exec(live ?? '')?.[1])).toBeGreaterThan(0);
    expect(
      Number(await page.getByTestId('live-status').getAttribute('data-events')),
    ).toBeGreaterThan(0);
    const evaluation = await api(`/evaluations/${evaluationId}`);
    expect(evaluation.status).toBe('completed');
    // Two-word requests are echoed exactly: 5 of 20 pass.
    expect(evaluation.summary.pass_rate).toBeCloseTo(0.25, 5);
    await page.getByTestId('evaluation-summary').getByText('25.0%').waitFor();
    expect(await page.locator('figure.chart').count()).toBe(3);
    await page.getByRole('table', { name: /lowest score first/ }).waitFor();
    await page.getByTestId('no-infra-errors').waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\n').length).toBeGreaterThan(20);
    await record('evaluation', 'desktop');
    await nav('Evaluations');
    await page.getByRole('link', { name: `#${evaluationId}` }).waitFor();
    await record('evaluations', 'desktop');
  });

  it('saves a new version, shows its diff, and compares the two versions with a verdict', async () => {
    await nav('Prompts');
    await page.getByRole('link', { name: 'Two words' }).click();
    await page.getByLabel('System prompt').fill('Reply with the first two words of the request.');
    await page.getByLabel('What changed').fill('Say what to answer');
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await page.getByText('Saved as version 2.').waitFor();
    await page.getByRole('heading', { name: 'Diff v1 → v2' }).waitFor();
    await page
      .getByRole('group', { name: 'Differences in system prompt' })
      .getByText('Reply with the first')
      .waitFor();
    await record('prompt', 'desktop');

    await nav('Compare');
    await page.getByRole('radio', { name: 'Two prompt versions' }).check();
    await page
      .getByLabel('Version A (baseline)')
      .locator('option', { hasText: 'v1' })
      .waitFor({ state: 'attached' });
    expect(await page.getByLabel('Version A (baseline)').inputValue()).not.toBe('');
    await page.getByRole('button', { name: 'Run and compare' }).click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor({ timeout: 60_000 });
    // The system prompt does not change what the echo model answers.
    await verdict.getByText('No significant difference').waitFor();
    await page.getByRole('heading', { name: 'Per case, largest difference first' }).waitFor();
    expect(page.url()).toMatch(/\/compare\?a=\d+&b=\d+$/);
    await record('compare', 'desktop');
  });

  it('starts an optimization from the strategy form, watches iterations live and promotes the winner', async () => {
    await nav('Optimizations');
    await page.getByRole('heading', { name: 'Optimizations', level: 1 }).waitFor();
    await page.getByLabel('Strategy', { exact: true }).selectOption('hyperparameter');
    await page.getByLabel('search', { exact: true }).selectOption('grid');
    await page.getByLabel('tune', { exact: true }).fill('max_tokens');
    await page.getByLabel('max_tokens_range', { exact: true }).fill('1, 4');
    await page.getByLabel('grid_points', { exact: true }).fill('4');
    await page.getByLabel('Model calls').fill('200');
    await page.getByLabel('Seed').fill('1');
    // Nothing starts before the estimate has been shown.
    await expect(
      page.getByRole('button', { name: 'Start optimization' }).isDisabled(),
    ).resolves.toBe(true);
    await page.getByRole('button', { name: 'Estimate cost' }).click();
    const estimate = page.getByTestId('estimate');
    await estimate.waitFor();
    await estimate.getByText('8 train').waitFor();
    await record('optimizations', 'desktop');
    await page.getByRole('button', { name: 'Start optimization' }).click();
    await page.waitForURL(/\/optimizations\/\d+$/);
    const optimizationId = Number(/\/optimizations\/(\d+)$/.exec(page.url())?.[1]);

    // Points come from optimization_iteration events only (the history chart is another element).
    const livePoints = page.getByTestId('chart-live').getByTestId('iteration-point');
    await livePoints.first().waitFor({ timeout: 60_000 });
    const statusAtFirstPoint = await page.getByTestId('optimization-status').textContent();
    await page
      .getByTestId('optimization-status')
      .getByText('completed')
      .waitFor({ timeout: 90_000 });
    expect(await livePoints.count()).toBeGreaterThanOrEqual(2);
    // The first point was drawn while the run was still going: it came live, not from a reload.
    expect(['pending', 'running']).toContain(statusAtFirstPoint);
    await page.getByTestId('optimization-verdict').getByText('Significant improvement').waitFor();
    await page.getByTestId('lineage-tree').waitFor();
    await page.getByRole('button', { name: 'Promote the winner to current version' }).waitFor();
    await record('optimization', 'desktop');

    const done = await api(`/optimizations/${optimizationId}`);
    expect(done.improvement.improved).toBe(true);
    expect(done.optimized_version_id).not.toBeNull();
    await page.getByRole('button', { name: 'Promote the winner to current version' }).click();
    await page.getByTestId('promoted').waitFor();
    const prompt = await api(`/prompts/${promptId}`);
    expect(prompt.current_version.model_config.parameters).toMatchObject({ max_tokens: 2 });
    expect(prompt.current_version.change_description).toContain(`optimization ${optimizationId}`);
  });

  it('runs the playground once and on test cases, side by side', async () => {
    await nav('Playground');
    await page.getByRole('heading', { name: 'Playground', level: 1 }).waitFor();
    await page.getByLabel('{query}').fill('hello there friend');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const single = page.getByTestId('single-run');
    await single.getByText('hello there', { exact: true }).waitFor();
    await single.getByText(/tokens ·/).waitFor();
    await page.getByRole('button', { name: 'Add a second model, side by side' }).click();
    await page.getByLabel('Cases', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Run on cases' }).click();
    const batch = page.getByTestId('batch-run');
    await batch.waitFor();
    await until(async () => (await batch.getByText(/tokens ·/).count()) === 6, 20_000, 'six runs');
    await record('playground', 'desktop');

    // An edited prompt runs as a draft: the answer follows the edit and no version is stored.
    const before = (await api(`/prompts/${promptId}/versions`)).total as number;
    await page.getByRole('button', { name: 'Remove model B' }).click();
    await page.getByLabel('User prompt').fill('Draft {query}');
    await page.getByText('Unsaved edits: runs use them').waitFor();
    await page.getByRole('button', { name: 'Run the draft', exact: true }).click();
    await page.getByTestId('single-run').getByText('Draft hello', { exact: true }).waitFor();
    expect((await api(`/prompts/${promptId}/versions`)).total).toBe(before);
  });

  it('edits a signature', async () => {
    await nav('Signatures');
    await page.getByLabel('Name', { exact: true }).fill('Request to words');
    await page.getByLabel('Inputs 1: name').fill('query');
    await page.getByRole('button', { name: 'Create signature' }).click();
    await page.getByText('Created Request to words.').waitFor();
    await page.getByRole('button', { name: 'Request to words' }).waitFor();
    await record('signatures', 'desktop');
  });

  it('shows every view at 390×844 without sideways scrolling, and axe finds nothing serious', async () => {
    const anonymous = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const signIn = await anonymous.newPage();
    await signIn.goto(`${stack.url}/`);
    await signIn.getByRole('heading', { name: 'Sign in to Prompt Studio' }).waitFor();
    await record('sign-in', 'phone', signIn);
    await anonymous.close();

    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    await phone.addInitScript(
      ([key, value]) => sessionStorage.setItem(key, value),
      // Signed in the other way this time: the key as a bearer token (Authorization: Bearer),
      // which is also how the console sends a JWT, on HTTP and on the Socket.IO handshake.
      [CREDENTIALS_KEY, JSON.stringify({ kind: 'bearer', secret: stack.apiKey })],
    );
    const mobile = await phone.newPage();
    mobile.setDefaultTimeout(20_000);
    try {
      expect(views.map((v) => v.name)).toEqual([
        'projects',
        'project',
        'test-cases',
        'evaluation',
        'evaluations',
        'prompt',
        'compare',
        'optimizations',
        'optimization',
        'playground',
        'signatures',
      ]);
      for (const view of views) {
        await mobile.goto(`${stack.url}${view.url}`);
        await mobile.getByRole('heading', { level: 1 }).first().waitFor();
        await mobile.getByTestId('live-status').getByText('Live').waitFor();
        await record(view.name, 'phone', mobile);
      }
    } finally {
      await phone.close();
    }
    // One entry per view and size, all empty (each was asserted when it was taken).
    expect(Object.keys(audits)).toHaveLength(24);
  });
});
