import { Inject, Injectable } from '@nestjs/common';
import {
  type FieldError,
  LimitExceededError,
  NotFoundError,
  type SignatureFieldSpec,
  ValidationFailedError,
} from '@ps/common';
import { ApiConfig } from '@ps/config';
import {
  type JobEntity,
  JobsRepository,
  type PromptEntity,
  PromptsRepository,
  type PromptVersionEntity,
  type SignatureEntity,
  SignaturesRepository,
  TestCasesRepository,
  projectCaseLimit,
} from '@ps/database';
import { EVENT_BUS, type EventBus, type ScopedEvent } from '@ps/events';
import { LlmClient, llmErrorToDomain } from '@ps/llm';
import { DEFAULT_SEED } from '@ps/metrics';
import { generationJob, JobProducer } from '@ps/queue';
import { type Generator, inputFieldsFor, maxModelCalls } from '@ps/test-case-io';
import type { Actor } from '../../http/actor';
import { toJobResponse } from '../jobs/job.mapper';
import { ProjectsService } from '../projects/projects.service';
import { SignaturesService } from '../signatures/signatures.service';
import type {
  GenerateTestCasesDto,
  GenerationPlanDto,
  TestCaseGenerationJobDto,
} from './dto/generate-test-cases.dto';

/** Cases read to infer input fields when neither a signature nor a prompt names them. */
const EXAMPLE_SAMPLE = 500;
/** A lost event must not hold a waiting request for the whole wait: the job is read again. */
const WAIT_RECHECK_MS = 5_000;
const ENDED: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

interface ModelChoice {
  generator: Generator;
  modelConfig: Record<string, unknown> | null;
}

/**
 * `POST /test-cases/generate`: checks the request (project, signature, prompt, strategy, model,
 * limit), settles what the job will do (generator, model config, seed, call budget) and enqueues
 * a `generation` job; the worker (or this process, all-in-one) writes and stores the cases.
 */
@Injectable()
export class TestCaseGenerationService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly signatures: SignaturesService,
    private readonly signatureRows: SignaturesRepository,
    private readonly prompts: PromptsRepository,
    private readonly testCases: TestCasesRepository,
    private readonly jobs: JobsRepository,
    private readonly producer: JobProducer,
    private readonly llm: LlmClient,
    private readonly config: ApiConfig,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async generate(
    actor: Actor,
    dto: GenerateTestCasesDto,
    requestId: string | null,
    wait = false,
  ): Promise<TestCaseGenerationJobDto> {
    const project = await this.projects.requireProject(actor, dto.project_id, 'project_id');
    const errors: FieldError[] = [];
    const strategy = dto.strategy ?? 'diverse';

    let signature: SignatureEntity | null = null;
    if (dto.signature_id) {
      signature = await this.signatures.requireSignature(actor, dto.signature_id, 'signature_id');
      if (signature.projectId !== project.id) {
        errors.push({
          field: 'signature_id',
          message: `Signature ${dto.signature_id} belongs to another project.`,
        });
      }
    }
    let prompt: PromptEntity | null = null;
    let version: PromptVersionEntity | null = null;
    if (dto.prompt_id) {
      prompt = await this.prompts.findLive(actor.workspaceId, dto.prompt_id);
      if (!prompt) throw new NotFoundError('Prompt', dto.prompt_id, 'prompt_id');
      if (prompt.projectId !== project.id) {
        errors.push({
          field: 'prompt_id',
          message: `Prompt ${dto.prompt_id} belongs to another project.`,
        });
      }
      version = prompt.currentVersionId
        ? await this.prompts.findVersionById(prompt.currentVersionId)
        : null;
    }
    if (!signature && prompt?.signatureId) {
      signature = await this.signatureRows.findLive(actor.workspaceId, prompt.signatureId);
    }

    const { rows: sample, total: existing } = await this.testCases.list(
      project.id,
      { sort: { field: 'created_at', direction: 'ASC' } },
      { page: 1, perPage: EXAMPLE_SAMPLE },
    );
    const fields = inputFieldsFor({
      signature: signature?.inputSchema,
      templates: [version?.systemPrompt, version?.userPrompt],
      examples: sample.map((c) => c.inputs),
    });
    if (!fields) {
      errors.push({
        field: 'signature_id',
        message:
          'Nothing says what the inputs are: send signature_id, or prompt_id of a prompt with ' +
          'variables, or add test cases to the project first.',
      });
    }
    if (strategy === 'from_description' && !dto.description) {
      errors.push({ field: 'description', message: 'from_description needs a description.' });
    }
    if (strategy === 'from_examples' && existing === 0) {
      errors.push({
        field: 'strategy',
        message: 'from_examples needs test cases in the project to learn from; it has none.',
      });
    }

    const choice = this.chooseModel(dto, version, errors);
    if (choice.generator === 'deterministic') {
      if (strategy === 'from_description') {
        errors.push({
          field: 'strategy',
          message:
            'from_description needs a model (send model_config, or configure a provider); the ' +
            'typed generator cannot read a description.',
        });
      }
      if (dto.with_expected) {
        errors.push({
          field: 'with_expected',
          message: 'Expected outputs are proposed by a model; the typed generator has none.',
        });
      }
    }
    if (errors.length) throw new ValidationFailedError(errors);

    const installLimit = this.config.env.MAX_TEST_CASES_PER_PROJECT;
    const limit = projectCaseLimit(installLimit, project.config);
    if (existing + dto.num_cases > limit) {
      throw new LimitExceededError(
        `A project holds at most ${limit} test cases; it has ${existing} and this request asks ` +
          `for ${dto.num_cases} more.`,
        [{ field: 'num_cases', message: `at most ${Math.max(0, limit - existing)} more fit.` }],
        { limit, existing, requested: dto.num_cases },
      );
    }

    const seed = dto.seed ?? DEFAULT_SEED;
    const calls = choice.generator === 'llm' ? maxModelCalls(dto.num_cases) : 0;
    const job = await this.producer.enqueue(generationJob, {
      workspaceId: actor.workspaceId,
      projectId: project.id,
      entityType: 'project',
      entityId: project.id,
      priority: dto.priority,
      requestId,
      payload: {
        project_id: project.id,
        signature_id: dto.signature_id ?? null,
        prompt_id: dto.prompt_id ?? null,
        strategy,
        num_cases: dto.num_cases,
        generator: choice.generator,
        model_config: choice.modelConfig,
        description: dto.description ?? null,
        is_golden: dto.is_golden ?? false,
        with_expected: dto.with_expected ?? false,
        seed,
        max_model_calls: calls,
        case_limit: installLimit,
      },
    });
    const plan: GenerationPlanDto = {
      strategy,
      generator: choice.generator,
      model_config: choice.modelConfig as GenerationPlanDto['model_config'],
      num_cases: dto.num_cases,
      max_model_calls: calls,
      seed,
      input_fields_from: fields!.source,
      input_fields: fields!.fields.map((f: SignatureFieldSpec) => f.name),
    };
    const answered = wait ? await this.untilEnded(actor.workspaceId, job) : job;
    return { ...toJobResponse(answered), generation: plan };
  }

  /**
   * Which model writes the cases: model_config, else the prompt's, else the first model of the
   * first provider configured with an API key; none: the typed generator, unless `llm` was asked
   * for. Each config is validated like an evaluation's (400 naming the field).
   */
  private chooseModel(
    dto: GenerateTestCasesDto,
    version: PromptVersionEntity | null,
    errors: FieldError[],
  ): ModelChoice {
    const wanted = dto.generator ?? 'auto';
    const deterministic: ModelChoice = { generator: 'deterministic', modelConfig: null };
    if (wanted === 'deterministic') {
      if (dto.model_config) {
        errors.push({
          field: 'model_config',
          message: 'The deterministic generator calls no model; leave model_config out.',
        });
      }
      return deterministic;
    }
    // Only a provider given a key counts: keyless local servers (Ollama) are "configured" by
    // their default URL whether or not one runs, so they are used only when named.
    const fallback = this.llm
      .providers()
      .find((p) => p.configured && p.key_present && p.models.length > 0);
    const requested =
      dto.model_config ??
      version?.modelConfig ??
      (fallback ? { provider: fallback.id, model: fallback.models[0] } : null);
    if (!requested) {
      if (wanted === 'llm') {
        errors.push({
          field: 'model_config',
          message: 'No model to generate with: send model_config or configure a provider.',
        });
      }
      return deterministic;
    }
    try {
      const valid = this.llm.validate(requested);
      return { generator: 'llm', modelConfig: { ...valid } };
    } catch (err) {
      const domain = llmErrorToDomain(err, 'model_config');
      if (!(domain instanceof ValidationFailedError)) throw domain;
      const fromPrompt = !dto.model_config && version?.modelConfig;
      errors.push(
        ...domain.errors.map((e) => ({
          field: e.field,
          message: fromPrompt ? `The prompt's model_config: ${e.message}` : e.message,
        })),
      );
      return { generator: 'llm', modelConfig: null };
    }
  }

  /**
   * `wait=true`: the job once it ended, or as it is after EVALUATION_WAIT_SECONDS. Listens for the
   * job's end events (subscribed before the first read, so none is missed in between) and reads
   * the job again every few seconds in case an event was lost.
   */
  private async untilEnded(workspaceId: number, job: JobEntity): Promise<JobEntity> {
    const deadline = Date.now() + this.config.env.EVALUATION_WAIT_SECONDS * 1000;
    let wake: (() => void) | null = null;
    const unsubscribe = this.events.subscribe(({ workspace_id, event }: ScopedEvent) => {
      if (workspace_id !== workspaceId) return;
      if (
        (event.type === 'job_completed' ||
          event.type === 'job_failed' ||
          event.type === 'job_cancelled') &&
        event.data.job_id === job.id
      ) {
        wake?.();
      }
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      let current = (await this.jobs.find(job.id)) ?? job;
      while (!ENDED.has(current.status)) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, Math.min(left, WAIT_RECHECK_MS));
        });
        clearTimeout(timer);
        wake = null;
        current = (await this.jobs.find(job.id)) ?? current;
      }
      return current;
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
  }
}
