import { Inject, Injectable } from '@nestjs/common';
import { ConflictError, LimitExceededError, type SignatureFieldSpec } from '@ps/common';
import {
  type NewTestCase,
  type ProjectEntity,
  ProjectsRepository,
  PromptsRepository,
  SignaturesRepository,
  type TestCaseEntity,
  TestCasesRepository,
  projectCaseLimit,
} from '@ps/database';
import { CallFailedError, type EngineModelConfig, llmChatPort } from '@ps/evaluation';
import { EVENT_BUS, type EventBus, type EventPayload, publishQuietly } from '@ps/events';
import { LlmClient } from '@ps/llm';
import {
  type GenerationJobPayload,
  generationJob,
  type JobContext,
  JobCancelledError,
  type JobProcessor,
  PermanentJobError,
} from '@ps/queue';
import {
  type ExistingCase,
  GENERATION_STRATEGIES,
  GENERATORS,
  type GenerationOutcome,
  type GenerationRequest,
  generateTypedCases,
  generateWithModel,
  generationTag,
  inputFieldsFor,
  templatePaths,
  toGeneratedRecords,
  uniqueName,
} from '@ps/test-case-io';

// The event's enums are the generation's (libs/events cannot import this lib).
GENERATION_STRATEGIES satisfies readonly NonNullable<
  EventPayload<'test_cases_generated'>['strategy']
>[];
GENERATORS satisfies readonly NonNullable<EventPayload<'test_cases_generated'>['generator']>[];

/** Existing cases are read this many at a time. */
const PAGE = 500;

interface Loaded {
  request: GenerationRequest;
  signatureId: number | null;
  takenNames: string[];
}

/**
 * The `generation` job: loads what the cases are for (signature, prompt, existing cases), has a
 * model (libs/test-case-io generateWithModel, through the LLM layer) or the seeded typed
 * generator write them, and stores them in one transaction, within the project's limit and under
 * unique names, then announces `test_cases_generated`. A rerun of a job whose cases are stored
 * stores nothing more (they carry the job's `generation:<id>` tag).
 */
@Injectable()
export class GenerationProcessor implements JobProcessor<typeof generationJob> {
  readonly definition = generationJob;

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly signatures: SignaturesRepository,
    private readonly prompts: PromptsRepository,
    private readonly testCases: TestCasesRepository,
    private readonly llm: LlmClient,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async handle(ctx: JobContext<GenerationJobPayload>): Promise<Record<string, unknown>> {
    const p = ctx.payload;
    const project = await this.projects.findLive(ctx.workspaceId, p.project_id);
    if (!project) throw new PermanentJobError(`Project ${p.project_id} no longer exists.`);
    const tag = generationTag(ctx.jobId);

    const stored = await this.allCases(project.id, [tag]);
    if (stored.length) {
      // An earlier attempt stored the cases and stopped before it could report.
      await this.announce(ctx, project, stored, p);
      return { ...this.summary(stored, p), skipped: true };
    }

    const loaded = await this.load(ctx, project, p);
    await ctx.progress(5);
    const outcome = await this.generate(ctx, loaded.request, p);
    if (outcome.stopped === 'cancelled') throw new JobCancelledError();
    ctx.throwIfCancelled();
    if (outcome.cases.length === 0) throw new PermanentJobError(failureReport(outcome));

    const records = toGeneratedRecords(outcome.cases, {
      strategy: p.strategy,
      isGolden: p.is_golden,
      takenNames: loaded.takenNames,
      extraTags: [tag],
    });
    const rows: NewTestCase[] = records.map((r) => ({
      signatureId: loaded.signatureId,
      name: r.name,
      description: r.description,
      inputs: r.inputs,
      expectedOutputs: r.expectedOutputs,
      tags: r.tags,
      isGolden: r.isGolden,
      isGenerated: true,
    }));
    const { created, overLimit } = await this.store(
      project,
      rows,
      projectCaseLimit(p.case_limit, project.config),
    );
    await ctx.progress(100);
    await this.announce(ctx, project, created, p);
    return {
      ...this.summary(created, p),
      generator: outcome.generator,
      model_calls: outcome.calls,
      max_model_calls: outcome.maxCalls,
      tokens: outcome.tokens.input + outcome.tokens.output,
      cost: outcome.cost,
      rejected: { ...outcome.rejected, over_limit: overLimit },
      problems: outcome.problems,
      stopped: overLimit > 0 ? 'limit' : outcome.stopped,
    };
  }

  private summary(cases: TestCaseEntity[], p: GenerationJobPayload) {
    return {
      project_id: p.project_id,
      requested: p.num_cases,
      created: cases.length,
      test_case_ids: cases.map((c) => c.id),
      strategy: p.strategy,
    };
  }

  /** Every live case of the project (with `tags`: carrying all of them), oldest first. */
  private async allCases(projectId: number, tags?: string[]): Promise<TestCaseEntity[]> {
    const out: TestCaseEntity[] = [];
    for (let page = 1; ; page++) {
      const { rows } = await this.testCases.list(
        projectId,
        { ...(tags ? { tags } : {}), sort: { field: 'created_at', direction: 'ASC' } },
        { page, perPage: PAGE },
      );
      out.push(...rows);
      if (rows.length < PAGE) return out;
    }
  }

  private async load(
    ctx: JobContext<GenerationJobPayload>,
    project: ProjectEntity,
    p: GenerationJobPayload,
  ): Promise<Loaded> {
    const prompt = p.prompt_id ? await this.prompts.findLive(ctx.workspaceId, p.prompt_id) : null;
    if (p.prompt_id && !prompt) throw new PermanentJobError(`Prompt ${p.prompt_id} is gone.`);
    const version = prompt?.currentVersionId
      ? await this.prompts.findVersionById(prompt.currentVersionId)
      : null;
    const signatureId = p.signature_id ?? prompt?.signatureId ?? null;
    const signature = signatureId
      ? await this.signatures.findLive(ctx.workspaceId, signatureId)
      : null;
    if (p.signature_id && !signature) {
      throw new PermanentJobError(`Signature ${p.signature_id} is gone.`);
    }
    const cases = await this.allCases(project.id);
    // Golden cases first: they are the examples a model sees.
    const existing: ExistingCase[] = [
      ...cases.filter((c) => c.isGolden),
      ...cases.filter((c) => !c.isGolden),
    ].map((c) => ({
      name: c.name,
      inputs: c.inputs,
      expectedOutputs: c.expectedOutputs,
      isGolden: c.isGolden,
    }));
    const fields = inputFieldsFor({
      signature: signature?.inputSchema,
      templates: [version?.systemPrompt, version?.userPrompt],
      examples: existing.map((c) => c.inputs),
    });
    if (!fields) {
      throw new PermanentJobError(
        'Nothing says what the inputs are: no signature, no prompt variables, no cases.',
      );
    }
    const outputFields: SignatureFieldSpec[] | null = signature?.outputSchema.length
      ? signature.outputSchema
      : null;
    return {
      signatureId: signature?.id ?? null,
      takenNames: cases.map((c) => c.name),
      request: {
        strategy: p.strategy,
        numCases: p.num_cases,
        inputFields: fields.fields,
        objectPaths: templatePaths(version?.systemPrompt, version?.userPrompt),
        outputFields,
        withExpected: p.with_expected,
        description: p.description,
        task: {
          instruction: signature?.instruction ?? null,
          systemPrompt: version?.systemPrompt ?? null,
          userPrompt: version?.userPrompt ?? null,
        },
        existing,
        seed: p.seed,
      },
    };
  }

  private async generate(
    ctx: JobContext<GenerationJobPayload>,
    request: GenerationRequest,
    p: GenerationJobPayload,
  ): Promise<GenerationOutcome> {
    if (p.generator === 'deterministic') {
      try {
        return generateTypedCases(request);
      } catch (err) {
        throw new PermanentJobError((err as Error).message);
      }
    }
    let model: EngineModelConfig;
    try {
      model = this.llm.validate(p.model_config) as EngineModelConfig;
    } catch (err) {
      throw new PermanentJobError(`model_config: ${(err as Error).message}`);
    }
    try {
      return await generateWithModel(request, {
        chat: llmChatPort(this.llm, { log: ctx.log }),
        model,
        maxCalls: p.max_model_calls,
        signal: ctx.signal,
        // The job's own answers come back from the cache on a rerun; other jobs ask anew.
        cacheSalt: `generation:${ctx.jobId}`,
        onProgress: (kept) =>
          ctx.progress(5 + Math.floor((Math.min(kept, p.num_cases) / p.num_cases) * 90)),
      });
    } catch (err) {
      if (err instanceof CallFailedError && err.terminal) throw new PermanentJobError(err.message);
      throw err;
    }
  }

  /**
   * Stores the cases all at once. A concurrent writer may take a name or room first: names are
   * then chosen again, and cases past the limit are left out (and counted), up to three tries.
   */
  private async store(
    project: ProjectEntity,
    rows: NewTestCase[],
    limit: number,
  ): Promise<{ created: TestCaseEntity[]; overLimit: number }> {
    let pending = rows;
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await this.testCases.createMany(project.id, pending, limit, (i) =>
          i < 0 ? 'num_cases' : `cases.${i}`,
        );
        return { created, overLimit: rows.length - pending.length };
      } catch (err) {
        if (attempt >= 3) throw err;
        if (err instanceof LimitExceededError) {
          const existing = Number(err.extra.existing);
          const room = Number.isFinite(existing) ? limit - existing : 0;
          if (room <= 0) {
            throw new PermanentJobError(
              `The project already holds ${existing} test cases, its limit (${limit}); none of ` +
                `the ${rows.length} generated cases were stored.`,
            );
          }
          pending = pending.slice(0, room);
        } else if (err instanceof ConflictError) {
          const taken = new Set((await this.allCases(project.id)).map((c) => c.name.toLowerCase()));
          pending = pending.map((row) => ({ ...row, name: uniqueName(row.name, taken) }));
        } else throw err;
      }
    }
  }

  private announce(
    ctx: JobContext<GenerationJobPayload>,
    project: ProjectEntity,
    created: TestCaseEntity[],
    p: GenerationJobPayload,
  ): Promise<void> {
    return publishQuietly(
      this.events,
      ctx.log,
      ctx.workspaceId,
      'test_cases_generated',
      {
        count: created.length,
        test_case_ids: created.map((c) => c.id),
        job_id: ctx.jobId,
        requested: p.num_cases,
        strategy: p.strategy,
        generator: p.generator,
      },
      project.id,
    );
  }
}

/** Why a run stored nothing, for the job's error. */
function failureReport(outcome: GenerationOutcome): string {
  const { rejected } = outcome;
  const how =
    outcome.generator === 'llm'
      ? `The model gave no valid new test case in ${outcome.calls} of at most ` +
        `${outcome.maxCalls} calls`
      : 'The typed generator found no new valid test case';
  const counts =
    `${rejected.invalid_answers} unusable answers, ${rejected.invalid_cases} invalid cases, ` +
    `${rejected.duplicates} duplicates`;
  const problems = outcome.problems.length
    ? ` First problems: ${outcome.problems.join(' | ')}`
    : '';
  return `${how} (${counts}); nothing was stored.${problems}`;
}
