import { type FieldError, NotFoundError, ValidationFailedError } from '@ps/common';
import {
  EvaluationsRepository,
  type OptimizationEntity,
  type PromptEntity,
  PromptsRepository,
  type PromptVersionEntity,
  SignaturesRepository,
} from '@ps/database';
import { type EngineModelConfig, parseScoringPlan } from '@ps/evaluation';
import { LlmClient, llmErrorToDomain, type ModelConfig } from '@ps/llm';
import {
  type BudgetLimits,
  createStrategyRegistry,
  effectiveBudget,
  type OptimizationRequest,
  ParameterError,
  type PriceOf,
  SplitError,
  splitCases,
  StrategyNotAvailableError,
  type StrategyRegistry,
} from '@ps/optimizers';

/** What a create (or estimate) body says, as stored in `optimizations.config`. */
export interface OptimizationBody {
  prompt_id: number;
  version?: number;
  name?: string;
  strategy: string;
  strategy_params?: Record<string, unknown>;
  model_config?: Record<string, unknown>;
  proposer_model_config?: Record<string, unknown>;
  judge_model_config?: Record<string, unknown>;
  models_to_test?: Record<string, unknown>[];
  metrics?: { name: string; weight?: number; options?: Record<string, unknown>; field?: string }[];
  pass_threshold?: number;
  budget?: BudgetLimits;
  seed?: number;
  train_case_ids?: number[];
  validation_case_ids?: number[];
  holdout?: number;
  auto_promote?: boolean;
  priority?: number;
}

/** The stored form: the body with defaults filled and the case set fixed at creation. */
export interface StoredOptimizationConfig extends Omit<OptimizationBody, 'budget'> {
  budget: BudgetLimits;
  seed: number;
  /** Every case the run may use (train ∪ validation), fixed when the run was created. */
  case_ids: number[];
  model_config: Record<string, unknown>;
  estimate?: Record<string, unknown>;
}

export interface OptimizationPlan {
  prompt: PromptEntity;
  version: PromptVersionEntity;
  request: OptimizationRequest;
  config: StoredOptimizationConfig;
}

/**
 * Turns a create or estimate body into the optimizer's request, and a stored run back into the
 * same request in the worker: one place validates models, metrics, strategy parameters, the
 * split and the budget (400s naming the field), so the estimate, the create check and the run
 * see exactly the same input.
 */
export class OptimizationPlanner {
  constructor(
    private readonly prompts: PromptsRepository,
    private readonly signatures: SignaturesRepository,
    private readonly evaluations: EvaluationsRepository,
    private readonly llm: LlmClient,
    /**
     * The strategies, with the API's gates (MCTS) when planning new runs. A worker runs every
     * run the API accepted, so its registry has no gate.
     */
    readonly registry: StrategyRegistry = createStrategyRegistry({
      env: { PROMPT_STUDIO_ENABLE_MCTS: 'true' },
    }),
  ) {}

  /** USD per million tokens of a model, from the LLM layer's price table. */
  readonly price: PriceOf = (model) => this.llm.pricing.price(model.provider, model.model);

  /** Validates a body: 404 for a prompt or version not found, 400 naming each bad field. */
  async plan(
    workspaceId: number,
    body: OptimizationBody,
    limits: { maxCases: number },
  ): Promise<OptimizationPlan> {
    const prompt = await this.prompts.findLive(workspaceId, body.prompt_id);
    if (!prompt) throw new NotFoundError('Prompt', body.prompt_id, 'prompt_id');
    const version = body.version
      ? await this.prompts.findVersion(prompt.id, body.version)
      : prompt.currentVersionId
        ? await this.prompts.findVersionById(prompt.currentVersionId)
        : null;
    if (!version) throw new NotFoundError('Prompt version', body.version ?? 'current', 'version');

    const errors: FieldError[] = [];
    const requested = body.model_config ?? version.modelConfig;
    let task: ModelConfig | undefined;
    if (!requested) {
      errors.push({
        field: 'model_config',
        message: 'The version has no model_config; send one (see GET /providers/list).',
      });
    } else task = this.model(requested, 'model_config', errors);
    if (body.proposer_model_config)
      this.model(body.proposer_model_config, 'proposer_model_config', errors);
    if (body.judge_model_config) this.model(body.judge_model_config, 'judge_model_config', errors);
    body.models_to_test?.forEach((m, i) => this.model(m, `models_to_test.${i}`, errors));

    const scoring = parseScoringPlan({
      metrics: body.metrics ?? [{ name: 'exact_match' }],
      pass_threshold: body.pass_threshold ?? 0.5,
    });
    if (!scoring.ok) errors.push(...scoring.errors);
    else if (scoring.plan.requires.includes('embeddings')) {
      errors.push({
        field: 'metrics',
        message: 'Optimizations cannot use semantic_similarity yet (it needs an embeddings model).',
      });
    }

    try {
      const strategy = this.registry.create(body.strategy);
      strategy.parseParams(body.strategy_params ?? {});
    } catch (err) {
      if (err instanceof StrategyNotAvailableError || err instanceof ParameterError)
        errors.push(...err.errors);
      else throw err;
    }

    const caseIds = await this.evaluations.selectTestCaseIds(prompt.projectId, {});
    if (caseIds.length < 2) {
      errors.push({
        field: 'prompt_id',
        message: `An optimization needs at least 2 test cases in the project (it has ${caseIds.length}).`,
      });
    } else if (caseIds.length > limits.maxCases) {
      errors.push({
        field: 'prompt_id',
        message: `The project has ${caseIds.length} test cases; optimizations use at most ${limits.maxCases} (OPTIMIZATION_MAX_CASES).`,
      });
    }
    if (errors.length) throw new ValidationFailedError(errors);

    const config: StoredOptimizationConfig = {
      ...body,
      budget: body.budget ?? {},
      seed: body.seed ?? 1,
      case_ids: caseIds,
      model_config: { ...task! },
    };
    const request = await this.request(workspaceId, prompt, version, config);
    try {
      const split = splitCases({
        cases: request.cases,
        train_case_ids: request.trainCaseIds ?? null,
        validation_case_ids: request.validationCaseIds ?? null,
        seed: config.seed,
        ...(config.holdout !== undefined ? { holdoutShare: config.holdout } : {}),
      });
      // A strategy whose plan can be too large for the budget (a hyperparameter grid) says so
      // before the run is created.
      const strategy = this.registry.create(body.strategy) as {
        checkAgainstBudget?: (p: unknown, b: BudgetLimits, cases: number, models: number) => void;
      } & ReturnType<StrategyRegistry['create']>;
      strategy.checkAgainstBudget?.(
        strategy.parseParams(body.strategy_params ?? {}),
        effectiveBudget(config.budget, strategy.defaultMaxLlmCalls),
        split.train.length,
        request.models?.length ?? 1,
      );
    } catch (err) {
      if (err instanceof ParameterError || err instanceof SplitError)
        throw new ValidationFailedError(err.errors);
      throw err;
    }
    return { prompt, version, request, config };
  }

  /** The optimizer's request for a stored run (the worker), or for a body being planned. */
  async request(
    workspaceId: number,
    prompt: Pick<PromptEntity, 'projectId' | 'signatureId'>,
    version: PromptVersionEntity,
    config: StoredOptimizationConfig,
  ): Promise<OptimizationRequest> {
    const signature = prompt.signatureId
      ? await this.signatures.findAny(workspaceId, prompt.signatureId)
      : null;
    const cases = await this.evaluations.testCases(prompt.projectId, config.case_ids);
    const task = this.llm.validate(config.model_config) as EngineModelConfig;
    return {
      strategy: config.strategy,
      strategyParams: config.strategy_params ?? {},
      seedCandidate: {
        systemPrompt: version.systemPrompt,
        userPrompt: version.userPrompt,
        fewShotExamples: version.fewShotExamples,
        model: task,
      },
      cases: cases.map((c) => ({
        id: String(c.id),
        inputs: c.inputs,
        expected: c.expectedOutputs,
        golden: c.isGolden,
      })),
      trainCaseIds: config.train_case_ids?.map(String) ?? null,
      validationCaseIds: config.validation_case_ids?.map(String) ?? null,
      ...(config.holdout !== undefined ? { holdoutShare: config.holdout } : {}),
      plan: (() => {
        const parsed = parseScoringPlan({
          metrics: config.metrics ?? [{ name: 'exact_match' }],
          pass_threshold: config.pass_threshold ?? 0.5,
        });
        if (!parsed.ok)
          throw new Error(`Stored metrics are not valid: ${parsed.errors[0].message}`);
        return parsed.plan;
      })(),
      outputFields: signature?.outputSchema ?? [],
      signature: signature
        ? {
            instruction: signature.instruction,
            inputs: signature.inputSchema.map((f) => f.name),
            outputs: signature.outputSchema.map((f) => f.name),
          }
        : null,
      budget: config.budget,
      seed: config.seed,
      ...(config.proposer_model_config
        ? { proposerModel: this.llm.validate(config.proposer_model_config) as EngineModelConfig }
        : {}),
      ...(config.judge_model_config
        ? { judgeModel: this.llm.validate(config.judge_model_config) as EngineModelConfig }
        : {}),
      ...(config.models_to_test?.length
        ? { models: config.models_to_test.map((m) => this.llm.validate(m) as EngineModelConfig) }
        : {}),
    };
  }

  /** The stored run's request (the worker's side of `plan`). */
  async requestOf(workspaceId: number, optimization: OptimizationEntity) {
    const config = optimization.config as unknown as StoredOptimizationConfig;
    const version = await this.prompts.findVersionById(optimization.initialVersionId);
    const prompt = await this.prompts.findAny(workspaceId, optimization.promptId);
    if (!version || !prompt) return null;
    return {
      config,
      prompt,
      version,
      request: await this.request(workspaceId, prompt, version, config),
    };
  }

  private model(
    input: Record<string, unknown>,
    field: string,
    errors: FieldError[],
  ): ModelConfig | undefined {
    try {
      return this.llm.validate(input);
    } catch (err) {
      const domain = llmErrorToDomain(err, field);
      if (domain instanceof ValidationFailedError) errors.push(...domain.errors);
      else throw domain;
      return undefined;
    }
  }
}
