import type { JobEntity } from '@ps/database';
import type { JobResponseDto } from './dto/job.dto';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toJobResponse(job: JobEntity): JobResponseDto {
  return {
    id: job.id,
    uuid: job.uuid,
    queue: job.queue,
    type: job.type,
    project_id: job.projectId,
    entity_type: job.entityType,
    entity_id: job.entityId,
    status: job.status,
    priority: job.priority,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    progress: job.progress,
    result: job.result,
    error: job.error,
    cancel_requested: job.cancelRequested,
    lease_owner: job.leaseOwner,
    lease_expires_at: iso(job.leaseExpiresAt),
    worker_id: job.workerId,
    request_id: job.requestId,
    created_at: job.createdAt.toISOString(),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
  };
}
