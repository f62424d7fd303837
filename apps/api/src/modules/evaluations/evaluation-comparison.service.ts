import { Injectable } from '@nestjs/common';
import { InvalidStateError, NotFoundError, ValidationFailedError } from '@ps/common';
import {
  type EvaluationEntity,
  PromptsRepository,
  type PromptVersionEntity,
  ReportDocumentsRepository,
} from '@ps/database';
import { JobProducer, reportJob } from '@ps/queue';
import { ReportBuilder, ReportNotReadyError, type ReportSource } from '@ps/reports';
import type { Actor } from '../../http/actor';
import type {
  CompareEvaluationsDto,
  ComparisonResponseDto,
  ReportQueryDto,
} from './dto/evaluation.dto';
import { EvaluationCommandsService } from './evaluation-commands.service';
import { EvaluationQueriesService } from './evaluation-queries.service';
import { EvaluationWaiter } from './evaluation-waiter';

/** Looking at finished runs: paired comparisons and reports (now, or rendered by a job). */
@Injectable()
export class EvaluationComparisonService {
  constructor(
    private readonly prompts: PromptsRepository,
    private readonly documents: ReportDocumentsRepository,
    private readonly queries: EvaluationQueriesService,
    private readonly commands: EvaluationCommandsService,
    private readonly waiter: EvaluationWaiter,
    private readonly reports: ReportBuilder,
    private readonly producer: JobProducer,
  ) {}

  /** Paired comparison of two finished runs, or two new runs started (and awaited) here. */
  async compare(
    actor: Actor,
    dto: CompareEvaluationsDto,
    requestId: string | null,
  ): Promise<ComparisonResponseDto> {
    const modes = [dto.evaluation_ids, dto.prompt_ids, dto.version_ids].filter(
      (m) => m !== undefined,
    ).length;
    if (modes !== 1) {
      throw new ValidationFailedError([
        {
          field: 'evaluation_ids',
          message: 'Send exactly one of evaluation_ids, prompt_ids or version_ids (two ids).',
        },
      ]);
    }
    let ids: number[];
    if (dto.evaluation_ids) {
      ids = dto.evaluation_ids;
    } else {
      const versions = await this.versionsToCompare(actor, dto);
      const projectIds = new Set(versions.map((v) => v.projectId));
      if (projectIds.size > 1) {
        throw new ValidationFailedError([
          {
            field: dto.prompt_ids ? 'prompt_ids' : 'version_ids',
            message: 'Both must belong to the same project.',
          },
        ]);
      }
      const runs: EvaluationEntity[] = [];
      for (const v of versions) {
        const started = await this.commands.start(
          actor,
          v.projectId,
          v.version,
          dto,
          requestId,
          `compare: version ${v.version.versionNumber}`,
        );
        runs.push(started.evaluation);
      }
      ids = runs.map((r) => r.id);
      await this.waiter.untilEnded(actor.workspaceId, ids, (id) => this.queries.require(actor, id));
    }
    const [a, b] = await Promise.all(
      ids.map((id, i) => this.queries.require(actor, id, `evaluation_ids.${i}`)),
    );
    if (a.status !== 'completed' || b.status !== 'completed') {
      if (dto.evaluation_ids) {
        throw new InvalidStateError(
          `Both evaluations must be completed (they are ${a.status} and ${b.status}).`,
        );
      }
      return { evaluation_ids: ids, status: 'running', comparison: null };
    }
    const comparison = await this.reports.compare(a, b);
    return {
      evaluation_ids: ids,
      status: 'completed',
      comparison: comparison as unknown as Record<string, unknown>,
    };
  }

  private async versionsToCompare(actor: Actor, dto: CompareEvaluationsDto) {
    const out: { projectId: number; version: PromptVersionEntity }[] = [];
    if (dto.prompt_ids) {
      for (const [i, pid] of dto.prompt_ids.entries()) {
        const prompt = await this.prompts.findLive(actor.workspaceId, pid);
        const version = prompt?.currentVersionId
          ? await this.prompts.findVersionById(prompt.currentVersionId)
          : null;
        if (!prompt || !version) throw new NotFoundError('Prompt', pid, `prompt_ids.${i}`);
        out.push({ projectId: prompt.projectId, version });
      }
    } else {
      for (const [i, vid] of dto.version_ids!.entries()) {
        const version = await this.prompts.findVersionById(vid);
        const prompt = version
          ? await this.prompts.findLive(actor.workspaceId, version.promptId)
          : null;
        if (!prompt || !version) throw new NotFoundError('Prompt version', vid, `version_ids.${i}`);
        out.push({ projectId: prompt.projectId, version });
      }
    }
    return out;
  }

  /**
   * What a report of run `id` (or of its comparison with `compareTo`) is rendered from: 404 for
   * an unknown run, 409 until both have completed (a partial report would mislead).
   */
  async reportSource(actor: Actor, id: number, compareTo?: number): Promise<ReportSource> {
    const [a, b] = await Promise.all([
      this.queries.require(actor, id),
      compareTo !== undefined ? this.queries.require(actor, compareTo, 'compare_to') : null,
    ]);
    try {
      return await this.reports.source(actor.workspaceId, a, b);
    } catch (err) {
      if (err instanceof ReportNotReadyError) throw new InvalidStateError(err.message);
      throw err;
    }
  }

  /** Renders a report in a `report` job; the job's result names the stored document. */
  async renderInBackground(
    actor: Actor,
    id: number,
    query: ReportQueryDto,
    requestId: string | null,
  ) {
    const evaluation = await this.queries.require(actor, id);
    if (query.compare_to) await this.queries.require(actor, query.compare_to, 'compare_to');
    if (evaluation.status !== 'completed') {
      throw new InvalidStateError(
        `Evaluation ${id} is ${evaluation.status}; reports need a completed run.`,
      );
    }
    return this.producer.enqueue(reportJob, {
      workspaceId: actor.workspaceId,
      projectId: evaluation.projectId,
      entityType: 'evaluation',
      entityId: evaluation.id,
      payload: {
        evaluation_id: id,
        format: query.format ?? 'json',
        ...(query.compare_to ? { compare_to: query.compare_to } : {}),
      },
      requestId,
    });
  }

  async storedReport(actor: Actor, reportId: number) {
    const document = await this.documents.findInWorkspace(actor.workspaceId, reportId);
    if (!document) throw new NotFoundError('Report', reportId);
    return document;
  }
}
