import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import Table from 'cli-table3';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  createEvaluation,
  createOptimization,
  exportTestCases,
  getEvaluationReport,
  getJobQueueStatus,
  getReadiness,
  importTestCases,
  listEvaluationResults,
} from '../generated/sdk.gen';
import type {
  EvaluationResultDto,
  ImportTestCasesDto,
  ModelConfigDto,
  ScoresBySplitDto,
} from '../generated/types.gen';
import { StudioApiError, StudioClient, unwrap } from '../studio-client';
import { junitXml, markdownSummary } from './ci-reports';
import { createProgress, type ProgressStream } from './progress';

/**
 * `prompt-studio`: the command line over the SDK. Exit codes: 0 success (for `eval`, the pass
 * rate meets --threshold), 100 an evaluation below the threshold, 1 any error.
 */

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_BELOW_THRESHOLD = 100;

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: Record<string, string | undefined>;
}

interface GlobalOptions {
  url: string;
  apiKey?: string;
  token?: string;
}

const int = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Not a positive integer.');
  return n;
};
const ratio = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('Not a number in 0..1.');
  return n;
};
const model = (value: string): ModelConfigDto => {
  const at = value.indexOf(':');
  if (at <= 0 || at === value.length - 1) {
    throw new InvalidArgumentError('Expected provider:model, e.g. mock:mock-echo.');
  }
  return { provider: value.slice(0, at) as ModelConfigDto['provider'], model: value.slice(at + 1) };
};
const json = (value: string): Record<string, unknown> => {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  throw new InvalidArgumentError('Expected a JSON object.');
};

/** A run's score: validation mean when there is a validation split, else train. */
const score = (scores: ScoresBySplitDto | null | undefined): string => {
  const mean = scores?.validation?.mean ?? scores?.train?.mean;
  return mean === null || mean === undefined ? 'n/a' : mean.toFixed(3);
};

const IMPORT_FORMATS: Record<string, ImportTestCasesDto['format']> = {
  '.csv': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.yaml': 'promptfoo_yaml',
  '.yml': 'promptfoo_yaml',
};

async function allResults(studio: StudioClient, id: number): Promise<EvaluationResultDto[]> {
  const rows: EvaluationResultDto[] = [];
  for (let page = 1; ; page++) {
    const res = await unwrap(
      listEvaluationResults({
        client: studio.client,
        path: { id },
        query: { page, per_page: 100 },
      }),
    );
    rows.push(...res.items);
    if (res.items.length === 0 || rows.length >= res.total) return rows;
  }
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('prompt-studio')
    .description('Run Prompt Studio evaluations, optimizations and reports from the command line.')
    .addOption(
      new Option('--url <url>', 'API base URL')
        .env('PROMPT_STUDIO_URL')
        .default('http://localhost:8000'),
    )
    .addOption(new Option('--api-key <key>', 'API key (X-API-Key)').env('PROMPT_STUDIO_API_KEY'))
    .addOption(new Option('--token <jwt>', 'bearer token').env('PROMPT_STUDIO_TOKEN'))
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    });

  const out = (line: string) => void io.stdout.write(`${line}\n`);
  const studioOf = () => {
    const o = program.opts<GlobalOptions>();
    return new StudioClient({ baseUrl: o.url, apiKey: o.apiKey, token: o.token });
  };

  program
    .command('eval')
    .description('Run an evaluation, wait for it and compare the pass rate with --threshold.')
    .requiredOption('-p, --prompt <id>', 'prompt id', int)
    .option('--prompt-version <n>', 'prompt version (default: current)', int)
    .option('-t, --threshold <ratio>', 'pass rate needed, 0..1', ratio, 1)
    .option('-m, --model <provider:model>', 'model override', model)
    .option('--golden-only', 'only golden test cases')
    .option('--tags <tags...>', 'only test cases with these tags')
    .option('--name <name>', 'evaluation name')
    .option('--junit <file>', 'write JUnit XML here')
    .option('--markdown <file>', 'write a Markdown summary here')
    .option('--timeout <seconds>', 'give up after this long', int, 1800)
    .action(
      async (o: {
        prompt: number;
        promptVersion?: number;
        threshold: number;
        model?: ModelConfigDto;
        goldenOnly?: boolean;
        tags?: string[];
        name?: string;
        junit?: string;
        markdown?: string;
        timeout: number;
      }) => {
        const studio = studioOf();
        const created = await unwrap(
          createEvaluation({
            client: studio.client,
            body: {
              prompt_id: o.prompt,
              version: o.promptVersion,
              model_config: o.model,
              golden_only: o.goldenOnly,
              tags: o.tags,
              name: o.name,
            },
          }),
        );
        out(`evaluation ${created.id} created (${created.test_case_count} test cases)`);
        const progress = createProgress(`evaluation ${created.id}`, io.stderr);
        const evaluation = await studio
          .waitForEvaluation(created.id, {
            timeoutMs: o.timeout * 1000,
            onUpdate: (e) => progress.update(e.progress, e.status),
          })
          .finally(() => progress.stop());
        if (evaluation.status !== 'completed') {
          io.stderr.write(
            `evaluation ${evaluation.id} ${evaluation.status}: ${evaluation.error ?? ''}\n`,
          );
          setExit(EXIT_ERROR);
          return;
        }
        const results = await allResults(studio, evaluation.id);
        const input = { evaluation, results, threshold: o.threshold };
        if (o.junit) await writeFile(o.junit, junitXml(input));
        if (o.markdown) await writeFile(o.markdown, markdownSummary(input));
        const passRate = evaluation.summary?.pass_rate ?? 0;
        const table = new Table({
          head: ['evaluation', 'results', 'passed', 'pass rate', 'threshold'],
        });
        table.push([
          evaluation.id,
          results.length,
          evaluation.summary?.passed ?? 0,
          `${(passRate * 100).toFixed(1)}%`,
          `${(o.threshold * 100).toFixed(1)}%`,
        ]);
        out(table.toString());
        const passed = passRate >= o.threshold;
        out(passed ? 'PASS: pass rate meets the threshold' : 'FAIL: pass rate below the threshold');
        setExit(passed ? EXIT_OK : EXIT_BELOW_THRESHOLD);
      },
    );

  program
    .command('optimize')
    .description('Run an optimization and wait for it.')
    .requiredOption('-p, --prompt <id>', 'prompt id', int)
    .option('-s, --strategy <name>', 'strategy (mipro, iterative, bootstrap, …)', 'mipro')
    .option('--params <json>', 'strategy parameters as a JSON object', json)
    .option('-m, --model <provider:model>', 'model override', model)
    .option('--max-llm-calls <n>', 'budget: most LLM calls', int)
    .option('--timeout <seconds>', 'give up after this long', int, 3600)
    .action(
      async (o: {
        prompt: number;
        strategy: string;
        params?: Record<string, unknown>;
        model?: ModelConfigDto;
        maxLlmCalls?: number;
        timeout: number;
      }) => {
        const studio = studioOf();
        const created = await unwrap(
          createOptimization({
            client: studio.client,
            body: {
              prompt_id: o.prompt,
              strategy: o.strategy,
              strategy_params: o.params,
              model_config: o.model,
              budget: o.maxLlmCalls ? { max_llm_calls: o.maxLlmCalls } : undefined,
            },
          }),
        );
        out(`optimization ${created.id} created (${created.strategy})`);
        const progress = createProgress(`optimization ${created.id}`, io.stderr);
        const done = await studio
          .waitForOptimization(created.id, {
            timeoutMs: o.timeout * 1000,
            onUpdate: (r) =>
              progress.update(r.progress, `iteration ${r.iterations_completed} ${r.status}`),
          })
          .finally(() => progress.stop());
        const table = new Table({
          head: ['optimization', 'status', 'baseline', 'best', 'new version'],
        });
        table.push([
          done.id,
          done.status,
          score(done.baseline),
          score(done.best),
          String(done.optimized_version_id ?? '-'),
        ]);
        out(table.toString());
        setExit(done.status === 'completed' ? EXIT_OK : EXIT_ERROR);
      },
    );

  program
    .command('import')
    .description('Import test cases from a file (csv, json, jsonl, promptfoo yaml).')
    .requiredOption('--project <id>', 'project id', int)
    .requiredOption('-f, --file <path>', 'the file')
    .option(
      '--format <format>',
      'csv, json, jsonl, promptfoo_yaml, promptfoo_csv (default: by extension)',
    )
    .option('--on-conflict <mode>', 'fail, skip or rename')
    .option('--dry-run', 'validate only')
    .action(
      async (o: {
        project: number;
        file: string;
        format?: string;
        onConflict?: string;
        dryRun?: boolean;
      }) => {
        const format = (o.format ?? IMPORT_FORMATS[extname(o.file).toLowerCase()]) as
          ImportTestCasesDto['format'] | undefined;
        if (!format)
          throw new InvalidArgumentError(`Cannot tell the format of ${o.file}: pass --format.`);
        const report = await unwrap(
          importTestCases({
            client: studioOf().client,
            body: {
              project_id: o.project,
              format,
              content: await readFile(o.file, 'utf8'),
              filename: o.file,
              on_conflict: o.onConflict as ImportTestCasesDto['on_conflict'],
              dry_run: o.dryRun,
            },
          }),
        );
        const table = new Table({ head: ['rows', 'imported', 'skipped', 'renamed', 'rejected'] });
        table.push([report.rows, report.imported, report.skipped, report.renamed, report.rejected]);
        out(table.toString());
        setExit(report.rejected > 0 ? EXIT_ERROR : EXIT_OK);
      },
    );

  program
    .command('export')
    .description("Export a project's test cases.")
    .requiredOption('--project <id>', 'project id', int)
    .option('--format <format>', 'csv, json or jsonl', 'csv')
    .option('-o, --out <file>', 'write here (default: stdout)')
    .action(async (o: { project: number; format: 'csv' | 'json' | 'jsonl'; out?: string }) => {
      // parseAs: text: the file as sent, whatever the format (the type names the JSON one).
      const text = (await unwrap(
        exportTestCases({
          client: studioOf().client,
          path: { project_id: o.project },
          body: { format: o.format },
          parseAs: 'text',
        }),
      )) as unknown as string;
      if (o.out) {
        await writeFile(o.out, text);
        out(`wrote ${o.out}`);
      } else io.stdout.write(text);
      setExit(EXIT_OK);
    });

  program
    .command('report')
    .description('Download an evaluation report (html, pdf, md, csv, json).')
    .requiredOption('-e, --evaluation <id>', 'evaluation id', int)
    .option('--format <format>', 'html, pdf, md, csv or json', 'html')
    .option('--compare-to <id>', 'another evaluation: a comparison report', int)
    .requiredOption('-o, --out <file>', 'write here')
    .action(
      async (o: {
        evaluation: number;
        format: 'json' | 'csv' | 'md' | 'html' | 'pdf';
        compareTo?: number;
        out: string;
      }) => {
        const body = await unwrap(
          getEvaluationReport({
            client: studioOf().client,
            path: { id: o.evaluation },
            query: { format: o.format, compare_to: o.compareTo },
            parseAs: 'arrayBuffer',
          }),
        );
        // parseAs: arrayBuffer: the bytes, whatever the format (the type names the JSON one).
        await writeFile(o.out, Buffer.from(body as unknown as ArrayBuffer));
        out(`wrote ${o.out}`);
        setExit(EXIT_OK);
      },
    );

  program
    .command('status')
    .description('Show the readiness of the API and the job queues.')
    .action(async () => {
      const studio = studioOf();
      const ready = await getReadiness({ client: studio.client });
      const status = await unwrap(getJobQueueStatus({ client: studio.client }));
      out(`api: ${ready.response?.ok ? 'ready' : `not ready (HTTP ${ready.response?.status})`}`);
      const table = new Table({
        head: ['queue status', 'backend', 'depth', 'processing', 'success rate'],
      });
      table.push([
        status.status,
        status.queue_backend,
        status.queue_depth,
        status.processing,
        status.success_rate === null ? 'n/a' : `${(status.success_rate * 100).toFixed(1)}%`,
      ]);
      out(table.toString());
      setExit(ready.response?.ok && status.status === 'ok' ? EXIT_OK : EXIT_ERROR);
    });

  return program;
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0.
      return err.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    const message =
      err instanceof StudioApiError || err instanceof Error ? err.message : String(err);
    io.stderr.write(`error: ${message}\n`);
    if (err instanceof StudioApiError) {
      for (const e of (err.problem?.errors ?? []) as Array<{ field?: string; message?: string }>) {
        io.stderr.write(`  ${e.field ?? ''}: ${e.message ?? ''}\n`);
      }
    }
    return EXIT_ERROR;
  }
}
