import { Injectable } from '@nestjs/common';
import { type PageRequest, pageOffset } from '@ps/common';
import { DataSource, type QueryDeepPartialEntity } from 'typeorm';
import { JobEntity, type JobStatus } from '../entities/job.entity';

export interface NewJob {
  workspaceId: number;
  projectId: number | null;
  queue: string;
  type: string;
  entityType: string | null;
  entityId: number | null;
  priority: number;
  maxAttempts: number;
  payload: Record<string, unknown>;
  requestId: string | null;
}

export interface JobListFilter {
  status?: JobStatus;
  queue?: string;
  type?: string;
  projectId?: number;
  entityType?: string;
  entityId?: number;
}

export interface QueueStats {
  type: string;
  queued: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
  stale_leases: number;
  avg_duration_ms: number | null;
}

/**
 * The jobs mirror: one row per enqueued job, kept in step by whoever runs it, so the API answers
 * job questions from PostgreSQL without asking Redis. Transitions are guarded by status so a
 * late or repeated callback cannot move a finished job backwards.
 */
@Injectable()
export class JobsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(JobEntity);
  }

  async create(values: NewJob): Promise<JobEntity> {
    return this.repo.save(
      this.repo.create({
        ...values,
        status: 'queued',
        attempts: 0,
        progress: 0,
        cancelRequested: false,
      } as QueryDeepPartialEntity<JobEntity> as JobEntity),
    );
  }

  async find(id: number): Promise<JobEntity | null> {
    if (!Number.isSafeInteger(id)) return null;
    return this.repo.findOneBy({ id });
  }

  async findInWorkspace(workspaceId: number, id: number): Promise<JobEntity | null> {
    if (!Number.isSafeInteger(id)) return null;
    return this.repo.findOneBy({ id, workspaceId });
  }

  async list(workspaceId: number, filter: JobListFilter, page: PageRequest) {
    const [rows, total] = await this.repo.findAndCount({
      where: {
        workspaceId,
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.queue ? { queue: filter.queue } : {}),
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.projectId ? { projectId: filter.projectId } : {}),
        ...(filter.entityType ? { entityType: filter.entityType } : {}),
        ...(filter.entityId ? { entityId: filter.entityId } : {}),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: pageOffset(page),
      take: page.perPage,
    });
    return { rows, total };
  }

  /**
   * The newest job of `queue` for each entity, in one query: `entityId -> jobId`. Lists show the
   * job of every row; other queues' jobs on the same entity (a report of a run) do not count.
   */
  async latestJobIds(
    workspaceId: number,
    queue: string,
    entityType: string,
    entityIds: readonly number[],
  ): Promise<Map<number, number>> {
    const unique = [...new Set(entityIds)];
    if (unique.length === 0) return new Map();
    const rows = await this.dataSource.query<{ entity_id: string; id: string }[]>(
      `SELECT DISTINCT ON (entity_id) entity_id, id FROM jobs
        WHERE workspace_id = $1 AND queue = $2 AND entity_type = $3
          AND entity_id = ANY($4::bigint[])
        ORDER BY entity_id, created_at DESC, id DESC`,
      [workspaceId, queue, entityType, unique],
    );
    return new Map(rows.map((r) => [Number(r.entity_id), Number(r.id)]));
  }

  /** An attempt starts: count it and take the lease. */
  async markStarted(
    id: number,
    leaseOwner: string,
    leaseSeconds: number,
  ): Promise<JobEntity | null> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `UPDATE jobs SET status = 'processing', attempts = attempts + 1, lease_owner = $2,
         worker_id = $2, lease_expires_at = now() + make_interval(secs => $3::int),
         started_at = coalesce(started_at, now()), error = NULL, updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'processing') RETURNING id`,
      [id, leaseOwner, leaseSeconds],
    );
    return rows.length ? this.find(id) : null;
  }

  async renewLease(id: number, leaseOwner: string, leaseSeconds: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3::int), updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND status = 'processing'`,
      [id, leaseOwner, leaseSeconds],
    );
  }

  /**
   * Puts a job this process was running back in line (its worker shut down before it finished);
   * the next worker to take it records itself with markStarted.
   */
  async release(id: number, leaseOwner: string): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL,
         updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND status = 'processing' RETURNING id`,
      [id, leaseOwner],
    );
    return rows.length > 0;
  }

  async setProgress(id: number, progress: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET progress = $2, updated_at = now() WHERE id = $1 AND status = 'processing'`,
      [id, progress],
    );
  }

  async markCompleted(id: number, result: Record<string, unknown> | null): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `UPDATE jobs SET status = 'completed', progress = 100, result = $2::jsonb, lease_owner = NULL,
         lease_expires_at = NULL, completed_at = now(), updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'processing') RETURNING id`,
      [id, result === null ? null : JSON.stringify(result)],
    );
    return rows.length > 0;
  }

  /** A failed attempt: back to queued when another follows, failed for good otherwise. */
  async markFailed(id: number, error: string, final: boolean): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `UPDATE jobs SET status = $3, error = $2, lease_owner = NULL, lease_expires_at = NULL,
         completed_at = CASE WHEN $3 = 'failed' THEN now() ELSE NULL END, updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'processing') RETURNING id`,
      [id, error.slice(0, 4000), final ? 'failed' : 'queued'],
    );
    return rows.length > 0;
  }

  async markCancelled(id: number): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `UPDATE jobs SET status = 'cancelled', cancel_requested = true, lease_owner = NULL,
         lease_expires_at = NULL, completed_at = now(), updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'processing') RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  async requestCancel(id: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET cancel_requested = true, updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'processing')`,
      [id],
    );
  }

  async isCancelRequested(id: number): Promise<boolean> {
    const rows = await this.dataSource.query<{ cancel_requested: boolean }[]>(
      'SELECT cancel_requested FROM jobs WHERE id = $1',
      [id],
    );
    return rows[0]?.cancel_requested ?? false;
  }

  /** Per type: counts by status, running jobs whose lease ran out, and mean run time. */
  async stats(workspaceId: number): Promise<QueueStats[]> {
    const rows = await this.dataSource.query<Record<string, string | null>[]>(
      `SELECT queue || '/' || type AS type,
         count(*) FILTER (WHERE status = 'queued') AS queued,
         count(*) FILTER (WHERE status = 'processing') AS processing,
         count(*) FILTER (WHERE status = 'completed') AS completed,
         count(*) FILTER (WHERE status = 'failed') AS failed,
         count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
         count(*) FILTER (WHERE status = 'processing' AND lease_expires_at < now()) AS stale_leases,
         avg(extract(epoch FROM (completed_at - started_at)) * 1000)
           FILTER (WHERE status = 'completed') AS avg_duration_ms
       FROM jobs WHERE workspace_id = $1 GROUP BY queue, type ORDER BY 1`,
      [workspaceId],
    );
    return rows.map((r) => ({
      type: r.type!,
      queued: Number(r.queued),
      processing: Number(r.processing),
      completed: Number(r.completed),
      failed: Number(r.failed),
      cancelled: Number(r.cancelled),
      stale_leases: Number(r.stale_leases),
      avg_duration_ms: r.avg_duration_ms === null ? null : Math.round(Number(r.avg_duration_ms)),
    }));
  }
}
