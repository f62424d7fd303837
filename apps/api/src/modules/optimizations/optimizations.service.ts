import { Inject, Injectable, Logger } from '@nestjs/common';
import { InvalidStateError, NotFoundError, type Page, toPage } from '@ps/common';
import { ApiConfig } from '@ps/config';
import { JobsRepository, type OptimizationEntity, OptimizationsRepository } from '@ps/database';
import { EVENT_BUS, type EventBus, publishQuietly } from '@ps/events';
import { type OptimizationPlan, OptimizationPlanner } from '@ps/jobs';
import { estimateOptimization } from '@ps/optimizers';
import { JobProducer, optimizationJob } from '@ps/queue';
import type { Actor } from '../../http/actor';
import { pageRequest } from '../../http/dto/page-query.dto';
import type {
  CandidateResponseDto,
  CreateOptimizationDto,
  ListCandidatesQueryDto,
  ListOptimizationsQueryDto,
  OptimizationEstimateDto,
  OptimizationResponseDto,
  StrategyListDto,
} from './dto/optimization.dto';
import { toCandidateResponse, toOptimizationResponse } from './optimization.mapper';

const ENDED = new Set(['completed', 'failed', 'cancelled']);

/** Optimization runs: plan and start one, estimate one, read them, cancel one. */
@Injectable()
export class OptimizationsService {
  private readonly logger = new Logger('Optimizations');

  constructor(
    private readonly planner: OptimizationPlanner,
    private readonly optimizations: OptimizationsRepository,
    private readonly jobs: JobsRepository,
    private readonly producer: JobProducer,
    private readonly config: ApiConfig,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  private plan(actor: Actor, dto: CreateOptimizationDto): Promise<OptimizationPlan> {
    return this.planner.plan(actor.workspaceId, dto, {
      maxCases: this.config.env.OPTIMIZATION_MAX_CASES,
    });
  }

  /** The dry run: the strategy's schedule under the same accountant that enforces the budget. */
  private async estimateOf(plan: OptimizationPlan): Promise<OptimizationEstimateDto> {
    const estimate = await estimateOptimization(plan.request, {
      price: this.planner.price,
      registry: this.planner.registry,
    });
    return {
      strategy: plan.request.strategy,
      budget: estimate.budget,
      expected: estimate.expected,
      maximum: estimate.maximum,
      train_cases: estimate.train_cases,
      validation_cases: estimate.validation_cases,
    };
  }

  async estimate(actor: Actor, dto: CreateOptimizationDto): Promise<OptimizationEstimateDto> {
    return this.estimateOf(await this.plan(actor, dto));
  }

  async create(
    actor: Actor,
    dto: CreateOptimizationDto,
    requestId: string | null,
  ): Promise<OptimizationResponseDto> {
    const plan = await this.plan(actor, dto);
    const estimate = await this.estimateOf(plan);
    const row = await this.optimizations.create({
      projectId: plan.prompt.projectId,
      promptId: plan.prompt.id,
      initialVersionId: plan.version.id,
      strategy: dto.strategy,
      config: {
        ...plan.config,
        budget: estimate.budget,
        estimate,
      },
      maxIterations: estimate.budget.max_iterations ?? null,
    });
    await this.producer.enqueue(optimizationJob, {
      workspaceId: actor.workspaceId,
      projectId: plan.prompt.projectId,
      entityType: 'optimization',
      entityId: row.id,
      payload: { optimization_id: row.id },
      priority: dto.priority,
      requestId,
    });
    return this.get(actor, row.id);
  }

  strategies(): StrategyListDto {
    return {
      items: this.planner.registry.list().map((s) => ({
        name: s.name,
        description: s.description,
        default_max_llm_calls: s.default_max_llm_calls,
        enabled: s.available,
        enable_hint: s.unavailable_reason ?? null,
        parameters: s.parameters.map((p) => ({ ...p })),
      })),
    };
  }

  private async require(actor: Actor, id: number): Promise<OptimizationEntity> {
    const row = await this.optimizations.findInWorkspace(actor.workspaceId, id);
    if (!row) throw new NotFoundError('Optimization', id);
    return row;
  }

  async get(actor: Actor, id: number): Promise<OptimizationResponseDto> {
    const row = await this.require(actor, id);
    const [jobs, candidates] = await Promise.all([
      this.jobs.latestJobIds(actor.workspaceId, 'optimization', 'optimization', [row.id]),
      this.optimizations.countCandidates(row.id),
    ]);
    return toOptimizationResponse(row, jobs.get(row.id) ?? null, { candidates });
  }

  async list(
    actor: Actor,
    query: ListOptimizationsQueryDto,
  ): Promise<Page<OptimizationResponseDto>> {
    const page = pageRequest(query);
    const { rows, total } = await this.optimizations.list(
      actor.workspaceId,
      {
        projectId: query.project_id,
        promptId: query.prompt_id,
        status: query.status,
        strategy: query.strategy,
      },
      page,
    );
    const jobs = await this.jobs.latestJobIds(
      actor.workspaceId,
      'optimization',
      'optimization',
      rows.map((r) => r.id),
    );
    return toPage(rows, total, page, (r) => toOptimizationResponse(r, jobs.get(r.id) ?? null));
  }

  async candidates(
    actor: Actor,
    id: number,
    query: ListCandidatesQueryDto,
  ): Promise<Page<CandidateResponseDto>> {
    const row = await this.require(actor, id);
    const page = pageRequest(query);
    const { rows, total } = await this.optimizations.listCandidates(
      row.id,
      { status: query.status },
      page,
    );
    return toPage(rows, total, page, toCandidateResponse);
  }

  /** Cancel: a waiting job is removed; a running one stops within one iteration, best kept. */
  async cancel(actor: Actor, id: number): Promise<OptimizationResponseDto> {
    const row = await this.require(actor, id);
    if (ENDED.has(row.status)) {
      throw new InvalidStateError(`Optimization ${id} is already ${row.status}.`);
    }
    const jobId = (
      await this.jobs.latestJobIds(actor.workspaceId, 'optimization', 'optimization', [id])
    ).get(id);
    const job = jobId !== undefined ? await this.jobs.find(jobId) : null;
    if (job && !ENDED.has(job.status)) {
      await this.producer.cancel(actor.workspaceId, job.id).catch(() => undefined);
    }
    const fresh = await this.require(actor, id);
    if (
      fresh.status === 'pending' &&
      (await this.optimizations.finish(id, 'cancelled', { error: null }))
    ) {
      await publishQuietly(
        this.events,
        this.logger,
        actor.workspaceId,
        'optimization_completed',
        {
          optimization_id: id,
          status: 'cancelled',
          improved: false,
          best_metric: null,
          error: null,
        },
        fresh.projectId,
      );
    }
    return this.get(actor, id);
  }
}
