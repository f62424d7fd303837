import { Injectable } from '@nestjs/common';
import { NotFoundError, type Page, toPage } from '@ps/common';
import {
  type EvaluationEntity,
  EvaluationsRepository,
  JobsRepository,
  PromptsRepository,
} from '@ps/database';
import { evaluationJob } from '@ps/queue';
import type { Actor } from '../../http/actor';
import { pageRequest } from '../../http/dto/page-query.dto';
import type {
  EvaluationResponseDto,
  EvaluationResultDto,
  ListEvaluationsQueryDto,
  ListResultsQueryDto,
} from './dto/evaluation.dto';
import { toEvaluationResponse, toEvaluationResult } from './evaluation.mapper';

/**
 * Reading runs: one, a page of them, their results. A page costs a fixed number of queries
 * whatever its size: versions and jobs are looked up for all of its rows at once.
 */
@Injectable()
export class EvaluationQueriesService {
  constructor(
    private readonly evaluations: EvaluationsRepository,
    private readonly prompts: PromptsRepository,
    private readonly jobs: JobsRepository,
  ) {}

  /** A run of a live project of the actor's workspace, or 404 (naming `field` when given). */
  async require(actor: Actor, id: number, field?: string): Promise<EvaluationEntity> {
    const evaluation = await this.evaluations.findInWorkspace(actor.workspaceId, id);
    if (!evaluation) throw new NotFoundError('Evaluation', id, field);
    return evaluation;
  }

  async get(actor: Actor, id: number): Promise<EvaluationResponseDto> {
    return this.respond(actor, await this.require(actor, id));
  }

  async respond(actor: Actor, evaluation: EvaluationEntity): Promise<EvaluationResponseDto> {
    const [response] = await this.responses(actor.workspaceId, [evaluation]);
    return response;
  }

  async list(actor: Actor, query: ListEvaluationsQueryDto): Promise<Page<EvaluationResponseDto>> {
    const page = pageRequest(query);
    const { rows, total } = await this.evaluations.list(
      actor.workspaceId,
      { projectId: query.project_id, promptId: query.prompt_id, status: query.status },
      page,
    );
    const items = await this.responses(actor.workspaceId, rows);
    return { items, total, page: page.page, per_page: page.perPage };
  }

  async results(
    actor: Actor,
    id: number,
    query: ListResultsQueryDto,
  ): Promise<Page<EvaluationResultDto>> {
    const evaluation = await this.require(actor, id);
    const page = pageRequest(query);
    const { rows, total } = await this.evaluations.listResults(
      evaluation.id,
      { passed: query.passed, status: query.status },
      page,
      query.order,
    );
    return toPage(rows, total, page, toEvaluationResult);
  }

  /** The run's current evaluation job (not a report job on the same run), if any. */
  async jobIdOf(actor: Actor, evaluationId: number): Promise<number | null> {
    const jobs = await this.jobs.latestJobIds(
      actor.workspaceId,
      evaluationJob.queue,
      'evaluation',
      [evaluationId],
    );
    return jobs.get(evaluationId) ?? null;
  }

  /** Responses for many runs in two queries (versions, jobs), not two per run. */
  private async responses(
    workspaceId: number,
    rows: EvaluationEntity[],
  ): Promise<EvaluationResponseDto[]> {
    if (rows.length === 0) return [];
    const versions = await this.prompts.versionRefs(rows.map((r) => r.promptVersionId));
    const jobs = await this.jobs.latestJobIds(
      workspaceId,
      evaluationJob.queue,
      'evaluation',
      rows.map((r) => r.id),
    );
    return rows.map((r) =>
      toEvaluationResponse(r, versions.get(r.promptVersionId), jobs.get(r.id) ?? null),
    );
  }
}
