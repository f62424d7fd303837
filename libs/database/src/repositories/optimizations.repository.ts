import { Injectable } from '@nestjs/common';
import { type PageRequest, pageOffset } from '@ps/common';
import { DataSource, type QueryDeepPartialEntity } from 'typeorm';
import { OptimizationCandidateEntity } from '../entities/optimization-candidate.entity';
import { OptimizationEntity } from '../entities/optimization.entity';
import type { RunStatus } from '../entities/evaluation.entity';
import { markRunStarted } from './run-start';

export type NewOptimization = Pick<
  OptimizationEntity,
  'projectId' | 'promptId' | 'initialVersionId' | 'strategy' | 'config' | 'maxIterations'
>;

export type NewCandidate = Omit<
  OptimizationCandidateEntity,
  'id' | 'uuid' | 'createdAt' | 'optimization'
>;

export interface OptimizationListFilter {
  projectId?: number;
  promptId?: number;
  status?: RunStatus;
  strategy?: string;
}

/** Optimization runs and their candidates (the lineage a resumed run and the API read). */
@Injectable()
export class OptimizationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get optimizations() {
    return this.dataSource.getRepository(OptimizationEntity);
  }

  private get candidates() {
    return this.dataSource.getRepository(OptimizationCandidateEntity);
  }

  create(values: NewOptimization): Promise<OptimizationEntity> {
    return this.optimizations.save(
      this.optimizations.create({
        ...values,
        status: 'pending',
        progress: 0,
        iterationsCompleted: 0,
        totalTokens: 0,
        totalCost: 0,
      } as QueryDeepPartialEntity<OptimizationEntity> as OptimizationEntity),
    );
  }

  findById(id: number): Promise<OptimizationEntity | null> {
    return this.optimizations.findOneBy({ id });
  }

  /** An optimization of a live project of the workspace. */
  findInWorkspace(workspaceId: number, id: number): Promise<OptimizationEntity | null> {
    return this.optimizations
      .createQueryBuilder('o')
      .innerJoin('o.project', 'p', 'p.deleted_at IS NULL AND p.workspace_id = :workspaceId', {
        workspaceId,
      })
      .where('o.id = :id', { id })
      .getOne();
  }

  async list(workspaceId: number, filter: OptimizationListFilter, page: PageRequest) {
    const qb = this.optimizations
      .createQueryBuilder('o')
      .innerJoin('o.project', 'p', 'p.deleted_at IS NULL AND p.workspace_id = :workspaceId', {
        workspaceId,
      });
    if (filter.projectId !== undefined)
      qb.andWhere('o.project_id = :pid', { pid: filter.projectId });
    if (filter.promptId !== undefined)
      qb.andWhere('o.prompt_id = :prid', { prid: filter.promptId });
    if (filter.status) qb.andWhere('o.status = :status', { status: filter.status });
    if (filter.strategy) qb.andWhere('o.strategy = :strategy', { strategy: filter.strategy });
    const [rows, total] = await qb
      .orderBy('o.created_at', 'DESC')
      .addOrderBy('o.id', 'DESC')
      .skip(pageOffset(page))
      .take(page.perPage)
      .getManyAndCount();
    return { rows, total };
  }

  /** pending/running → running; false when the run already ended. */
  async markRunning(id: number): Promise<boolean> {
    return markRunStarted(this.optimizations, id);
  }

  async setProgress(
    id: number,
    values: Partial<
      Pick<
        OptimizationEntity,
        'progress' | 'iterationsCompleted' | 'totalTokens' | 'totalCost' | 'result'
      >
    >,
  ): Promise<void> {
    await this.optimizations.update(
      { id, status: 'running' },
      values as QueryDeepPartialEntity<OptimizationEntity>,
    );
  }

  async finish(
    id: number,
    status: Extract<RunStatus, 'completed' | 'failed' | 'cancelled'>,
    values: QueryDeepPartialEntity<OptimizationEntity>,
  ): Promise<boolean> {
    const result = await this.optimizations
      .createQueryBuilder()
      .update()
      .set({
        ...values,
        status,
        completedAt: () => 'now()',
      })
      .where('id = :id AND status IN (:...open)', { id, open: ['pending', 'running'] })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Records the version a finished run produced (once: a replay finds it set). */
  async setOptimizedVersion(id: number, versionId: number): Promise<void> {
    await this.optimizations.update({ id }, { optimizedVersionId: versionId });
  }

  /**
   * Writes candidates; a candidate recorded again (a resumed run replays its lineage) updates
   * its scores and status instead of adding a row.
   */
  async saveCandidates(batch: NewCandidate[]): Promise<void> {
    // One statement may touch a row once: the last report of a candidate wins.
    const rows = [
      ...new Map(batch.map((r) => [`${r.optimizationId}:${r.candidateId}`, r])).values(),
    ];
    if (rows.length === 0) return;
    await this.candidates
      .createQueryBuilder()
      .insert()
      .values(rows as QueryDeepPartialEntity<OptimizationCandidateEntity>[])
      .orUpdate(
        [
          'parent_ids',
          'operator',
          'iteration',
          'candidate',
          'scores',
          'status',
          'note',
          'tokens',
          'cost',
        ],
        ['optimization_id', 'candidate_id'],
      )
      .execute();
  }

  async listCandidates(
    optimizationId: number,
    filter: { status?: string },
    page: PageRequest,
  ): Promise<{ rows: OptimizationCandidateEntity[]; total: number }> {
    const where = { optimizationId, ...(filter.status ? { status: filter.status as never } : {}) };
    const [rows, total] = await this.candidates.findAndCount({
      where,
      order: { candidateId: 'ASC' },
      skip: pageOffset(page),
      take: page.perPage,
    });
    return { rows, total };
  }

  countCandidates(optimizationId: number): Promise<number> {
    return this.candidates.countBy({ optimizationId });
  }
}
