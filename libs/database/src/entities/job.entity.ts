import { type Relation, Check, Column, Entity, Index } from 'typeorm';
import { bigintColumn, references, TimestampedEntity } from './base.columns';
import { ProjectEntity } from './project.entity';
import { WorkspaceEntity } from './workspace.entity';

export const JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Mirror of every enqueued job, kept in step by the worker, so the API never asks Redis. */
@Check('ck_jobs_status', `status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')`)
@Check('ck_jobs_priority', `priority BETWEEN 1 AND 10`)
@Index('ix_jobs_status_queue', ['status', 'queue'])
@Index('ix_jobs_entity', ['entityType', 'entityId'])
@Index('ix_jobs_workspace_created', ['workspaceId', 'createdAt'])
@Index('ix_jobs_project', ['projectId'])
@Entity({ name: 'jobs' })
export class JobEntity extends TimestampedEntity {
  @bigintColumn('workspace_id')
  workspaceId!: number;

  @references(() => WorkspaceEntity, 'workspace_id', 'CASCADE')
  workspace?: Relation<WorkspaceEntity>;

  @bigintColumn('project_id', true)
  projectId!: number | null;

  @references(() => ProjectEntity, 'project_id', 'CASCADE')
  project?: Relation<ProjectEntity>;

  @Column({ type: 'text' })
  queue!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'entity_type', type: 'text', nullable: true })
  entityType!: string | null;

  @bigintColumn('entity_id', true)
  entityId!: number | null;

  @Column({ type: 'text' })
  status!: JobStatus;

  @Column({ type: 'smallint' })
  priority!: number;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts!: number;

  @Column({ type: 'real' })
  progress!: number;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'cancel_requested', type: 'boolean' })
  cancelRequested!: boolean;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  /**
   * The process that ran the latest attempt (`worker:<host>:<pid>`, or `api:…` in all-in-one).
   * Unlike the lease owner it stays after the job ends.
   */
  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
