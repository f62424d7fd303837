/**
 * The complete workflow, through the SDK only: a project, a signature and a prompt, test cases
 * imported from a CSV, a baseline evaluation, a MIPRO optimization followed live, the optimized
 * version evaluated, the improvement, and an HTML and a PDF report written to disk.
 *
 *   npm start                 # in one terminal: the server (prints and stores the owner key)
 *   npm run demo              # in another
 *
 * Environment: PROMPT_STUDIO_URL (default http://127.0.0.1:8000), PROMPT_STUDIO_API_KEY (default:
 * the key `npm start` stored in ./data/owner-api-key), DEMO_MAX_LLM_CALLS (the optimizer's
 * budget, default 120), DEMO_OUTPUT_DIR (default examples/output), DEMO_PROVIDER and DEMO_MODEL
 * (default: the first provider the server has a key for, else the offline mock provider, whose
 * simulated latency DEMO_MOCK_DELAY_MS sets, default 40 ms a call).
 *
 * In your own project, import from '@prompt-studio/sdk' instead of the monorepo path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import {
  createEvaluation,
  createOptimization,
  createProject,
  createPrompt,
  createSignature,
  type EvaluationResponseDto,
  getEvaluationReport,
  importTestCases,
  listPromptVersions,
  listProviders,
  type ModelConfigDto,
  type ScoresBySplitDto,
  StudioApiError,
  StudioClient,
  StudioEventStream,
  unwrap,
} from '../libs/sdk/src';

const env = process.env;
const BASE_URL = env.PROMPT_STUDIO_URL ?? 'http://127.0.0.1:8000';
const OWNER_KEY_FILE = resolve(env.DATA_DIR ?? 'data', 'owner-api-key');
const MAX_LLM_CALLS = Number(env.DEMO_MAX_LLM_CALLS ?? 120);
const OUTPUT_DIR = resolve(env.DEMO_OUTPUT_DIR ?? 'examples/output');
const CSV_FILE = resolve(env.DEMO_CSV ?? 'examples/data/customer-support.csv');
const METRICS = [{ name: 'token_overlap' }];
/** The mock answers at once; a little simulated latency lets the live progress be seen. */
const MOCK: ModelConfigDto = {
  provider: 'mock',
  model: 'mock-echo',
  parameters: { delay_ms: Number(env.DEMO_MOCK_DELAY_MS ?? 40) },
};
/**
 * On the mock provider the optimizer's proposer is `mock-hash`, which picks one of these answers
 * (in the proposer's documented format) by a hash of what it is asked: canned, but enough for
 * MIPRO to have instructions to search over.
 */
const MOCK_PROPOSER: ModelConfigDto = {
  provider: 'mock',
  model: 'mock-hash',
  parameters: {
    choices: [
      'Answer in one short, concrete sentence.',
      'Restate the customer problem, then give the next step.',
      'Be warm and brief; name the policy that applies.',
      'Answer with the exact fact the customer needs, nothing else.',
    ].map(
      (instruction) =>
        '<critique>Customers ask short questions about billing, shipping and their account; ' +
        `good answers are one sentence.</critique>\n<prompt>You are a friendly customer support agent. ${instruction}</prompt>`,
    ),
  },
};

const say = (line = '') => process.stdout.write(`${line}\n`);
const score = (n: number | null | undefined) =>
  n === null || n === undefined ? 'n/a' : n.toFixed(3);
const percent = (n: number | null | undefined) =>
  n === null || n === undefined ? 'n/a' : `${(n * 100).toFixed(1)}%`;
const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(3)}`;
/** A path as short as it can be said from here. */
const shown = (path: string) =>
  path.startsWith(process.cwd()) ? relative(process.cwd(), path) : path;
/** A run's score on validation when it has one, else on train. */
const splitScore = (s: ScoresBySplitDto | null | undefined) =>
  s?.validation?.mean ?? s?.train?.mean;

function apiKey(): string {
  if (env.PROMPT_STUDIO_API_KEY) return env.PROMPT_STUDIO_API_KEY;
  if (existsSync(OWNER_KEY_FILE)) return readFileSync(OWNER_KEY_FILE, 'utf8').trim();
  throw new Error(
    `No API key: set PROMPT_STUDIO_API_KEY, or run this from the folder where \`npm start\` ` +
      `stored its owner key (${shown(OWNER_KEY_FILE)}).`,
  );
}

/** The model the demo runs on: the one asked for, else a configured provider, else the mock. */
async function chooseModel(studio: StudioClient): Promise<ModelConfigDto> {
  if (env.DEMO_PROVIDER && env.DEMO_MODEL) {
    return { provider: env.DEMO_PROVIDER as ModelConfigDto['provider'], model: env.DEMO_MODEL };
  }
  const { items } = await unwrap(listProviders({ client: studio.client }));
  const real = items.find((p) => p.id !== 'mock' && p.configured && p.key_present && p.models[0]);
  if (real) {
    say(`Model: ${real.id}/${real.models[0]} (set DEMO_PROVIDER and DEMO_MODEL to choose).`);
    return { provider: real.id as ModelConfigDto['provider'], model: real.models[0] };
  }
  say('No provider key is configured on the server: running on the offline mock provider');
  say('(mock/mock-echo answers with the prompt it is given and the optimizer proposes canned');
  say('instructions, so the scores show the workflow, not model quality). Set OPENAI_API_KEY or');
  say("another provider's key on the server to run on a real model.");
  return MOCK;
}

async function evaluate(
  studio: StudioClient,
  label: string,
  body: { prompt_id: number; version?: number; model_config: ModelConfigDto },
): Promise<EvaluationResponseDto> {
  const created = await unwrap(
    createEvaluation({ client: studio.client, body: { ...body, metrics: METRICS, name: label } }),
  );
  const done = await studio.waitForEvaluation(created.id, { intervalMs: 250 });
  if (done.status !== 'completed') {
    throw new Error(`The ${label} evaluation ${done.status}: ${done.error ?? 'no reason given'}`);
  }
  say(
    `${label}: mean score ${score(done.summary?.score.mean)}, pass rate ` +
      `${percent(done.summary?.pass_rate)} over ${done.test_case_count} cases (evaluation ${done.id})`,
  );
  return done;
}

async function main(): Promise<void> {
  const key = apiKey();
  const studio = new StudioClient({ baseUrl: BASE_URL, apiKey: key });
  say(`Prompt Studio at ${BASE_URL}`);
  const model = await chooseModel(studio);
  const c = studio.client;

  // 1. Project, signature and prompt.
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const project = await unwrap(
    createProject({
      client: c,
      body: { name: `Customer Support Bot (demo ${stamp})`, tags: ['support', 'demo'] },
    }),
  );
  const signature = await unwrap(
    createSignature({
      client: c,
      body: {
        project_id: project.id,
        name: 'SupportResponse',
        instruction: 'Answer the customer helpfully.',
        input_schema: [{ name: 'customer_query', type: 'string' }],
        output_schema: [{ name: 'response', type: 'string' }],
      },
    }),
  );
  const prompt = await unwrap(
    createPrompt({
      client: c,
      body: {
        project_id: project.id,
        signature_id: signature.id,
        name: 'Support answer',
        system_prompt: 'You are a friendly customer support agent.',
        user_prompt: '{customer_query}',
        model_config: model,
      },
    }),
  );
  say(`Project ${project.id}, signature ${signature.id}, prompt ${prompt.id} created.`);

  // 2. Test cases from the CSV in the repository.
  const imported = await unwrap(
    importTestCases({
      client: c,
      body: {
        project_id: project.id,
        signature_id: signature.id,
        format: 'csv',
        filename: 'customer-support.csv',
        content: readFileSync(CSV_FILE, 'utf8'),
      },
    }),
  );
  say(
    `Imported ${imported.imported} of ${imported.rows} test cases from ` +
      `${shown(CSV_FILE)} (${imported.rejected} rejected).`,
  );

  // Live events of the project: evaluation progress and the optimizer's iterations.
  const events = await StudioEventStream.connect({ baseUrl: BASE_URL, apiKey: key });
  try {
    await events.subscribe({ entity_type: 'project', entity_id: project.id });
    events.handle({
      optimization_started: (e) => say(`  optimization ${e.data.optimization_id} started`),
      optimization_iteration: (e) => {
        const d = e.data;
        const of = d.max_iterations ? `/${d.max_iterations}` : '';
        say(
          `  iteration ${d.iteration}${of}: current ${score(d.current_metric)}, best ` +
            `${score(d.best_metric)}, ${d.budget_used.llm_calls}/${MAX_LLM_CALLS} LLM calls`,
        );
      },
      optimization_candidate: (e) => {
        const d = e.data;
        const scores = Object.entries(d.scores)
          .filter(([, v]) => v !== null && v !== undefined)
          .map(([split, v]) => `${split} ${score(v)}`)
          .join(', ');
        say(
          `  candidate ${d.candidate_id} (${d.operator}) ${d.status}${scores ? `: ${scores}` : ''}`,
        );
      },
      optimization_completed: (e) =>
        say(`  optimization ${e.data.optimization_id} ${e.data.status}`),
    });

    // 3. Baseline.
    const baseline = await evaluate(studio, 'Baseline', {
      prompt_id: prompt.id,
      model_config: model,
    });

    // 4. MIPRO, followed live.
    say(`MIPRO optimization (budget ${MAX_LLM_CALLS} LLM calls):`);
    const started = await unwrap(
      createOptimization({
        client: c,
        body: {
          prompt_id: prompt.id,
          strategy: 'mipro',
          model_config: model,
          ...(model.provider === 'mock' ? { proposer_model_config: MOCK_PROPOSER } : {}),
          metrics: METRICS,
          budget: { max_llm_calls: MAX_LLM_CALLS },
          seed: 7,
        },
      }),
    );
    const run = await studio.waitForOptimization(started.id, { intervalMs: 500 });
    if (run.status !== 'completed') {
      throw new Error(`The optimization ${run.status}: ${run.error ?? 'no reason given'}`);
    }
    const verdict = run.improvement;
    say(
      `Optimizer: baseline ${score(splitScore(run.baseline))} → best ` +
        `${score(splitScore(run.best))} on ${run.split?.validation_case_ids.length ?? 0} ` +
        `validation cases, ${run.usage.llm_calls} LLM calls, ${run.candidate_count} candidates.`,
    );
    say(
      `Significant gain claimed: ${verdict?.improved ? 'yes' : 'no'}` +
        (verdict?.verdict ? ` (${verdict.verdict})` : ''),
    );

    // 5. The optimized version (a new version only when the gain is significant).
    let version: number | undefined;
    if (run.optimized_version_id !== null) {
      const versions = await unwrap(
        listPromptVersions({ client: c, path: { id: prompt.id }, query: { per_page: 100 } }),
      );
      version = versions.items.find((v) => v.id === run.optimized_version_id)?.version_number;
      say(`The winner is version ${version} of prompt ${prompt.id}.`);
    } else {
      say('No new version: the optimizer kept the starting prompt, evaluated again below.');
    }
    const optimized = await evaluate(studio, 'Optimized', {
      prompt_id: prompt.id,
      version,
      model_config: model,
    });

    // 6. The improvement and the reports.
    const before = baseline.summary?.score.mean ?? 0;
    const after = optimized.summary?.score.mean ?? 0;
    say();
    say(`Baseline score:  ${score(before)}`);
    say(`Optimized score: ${score(after)}`);
    say(
      `Improvement:     ${signed(after - before)} (pass rate ${percent(baseline.summary?.pass_rate)}` +
        ` → ${percent(optimized.summary?.pass_rate)})`,
    );

    await mkdir(OUTPUT_DIR, { recursive: true });
    const report = (format: 'html' | 'pdf') =>
      unwrap(
        getEvaluationReport({
          client: c,
          // A = the baseline, B = the optimized run: the report's B − A is the improvement.
          path: { id: baseline.id },
          query: { format, compare_to: optimized.id },
          parseAs: 'arrayBuffer',
        }),
      );
    const html = join(OUTPUT_DIR, `customer-support-${project.id}.html`);
    const pdf = join(OUTPUT_DIR, `customer-support-${project.id}.pdf`);
    await writeFile(html, Buffer.from((await report('html')) as unknown as ArrayBuffer));
    await writeFile(pdf, Buffer.from((await report('pdf')) as unknown as ArrayBuffer));
    say(`HTML report: ${shown(html)}`);
    say(`PDF report:  ${shown(pdf)}`);
  } finally {
    events.close();
  }
}

main().catch((err: unknown) => {
  const message = err instanceof StudioApiError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`demo failed: ${message}\n`);
  if (err instanceof Error && 'cause' in err && err.cause) {
    process.stderr.write(`  cause: ${String((err.cause as Error).message ?? err.cause)}\n`);
  }
  process.exitCode = 1;
});
