import { Inject, Injectable } from '@nestjs/common';
import {
  currentTraceCarrier,
  DomainError,
  InvalidStateError,
  NotFoundError,
  ValidationFailedError,
} from '@ps/common';
import { type JobEntity, JobsRepository } from '@ps/database';
import { EVENT_BUS, type EventBus, type JobEventData, makeEvent } from '@ps/events';
import type { z } from 'zod';
import type { QueueAdapter } from './adapters/queue-adapter';
import { DEFAULT_JOB_OPTIONS, type JobDefinition } from './jobs/job-definitions';
import type { JobEnvelope } from './jobs/job-envelope';
import { MAX_PRIORITY, MIN_PRIORITY } from './queue-names';
import { QUEUE_ADAPTER } from './queue.tokens';

export interface EnqueueRequest<D extends JobDefinition> {
  workspaceId: number;
  projectId?: number | null;
  entityType?: string | null;
  entityId?: number | null;
  payload: z.input<D['payload']>;
  priority?: number;
  requestId?: string | null;
}

export function jobEventData(job: JobEntity): JobEventData {
  return {
    job_id: job.id,
    queue: job.queue,
    type: job.type,
    entity_type: job.entityType,
    entity_id: job.entityId,
    status: job.status,
    progress: job.progress,
    attempts: job.attempts,
    error: job.error,
    result: job.result,
  };
}

/** The only way to enqueue: validates, records the job in the mirror, enqueues, announces. */
@Injectable()
export class JobProducer {
  constructor(
    @Inject(QUEUE_ADAPTER) private readonly adapter: QueueAdapter,
    private readonly jobs: JobsRepository,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async enqueue<D extends JobDefinition>(
    definition: D,
    request: EnqueueRequest<D>,
  ): Promise<JobEntity> {
    const parsed = definition.payload.safeParse(request.payload);
    if (!parsed.success) {
      throw new ValidationFailedError(
        parsed.error.issues.map((issue) => ({
          field: ['payload', ...issue.path.map(String)].join('.'),
          message: issue.message,
        })),
        'The job payload is not valid.',
      );
    }
    const priority = request.priority ?? DEFAULT_JOB_OPTIONS.priority;
    if (!Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
      throw new ValidationFailedError([
        { field: 'priority', message: `priority must be a whole number from 1 to 10.` },
      ]);
    }
    const attempts = definition.attempts ?? DEFAULT_JOB_OPTIONS.attempts;
    const payload = parsed.data as Record<string, unknown>;
    const job = await this.jobs.create({
      workspaceId: request.workspaceId,
      projectId: request.projectId ?? null,
      queue: definition.queue,
      type: definition.name,
      entityType: request.entityType ?? null,
      entityId: request.entityId ?? null,
      priority,
      maxAttempts: attempts,
      payload,
      requestId: request.requestId ?? null,
    });
    const trace = currentTraceCarrier();
    const envelope: JobEnvelope = {
      job_id: job.id,
      workspace_id: job.workspaceId,
      project_id: job.projectId,
      request_id: job.requestId,
      timeout_ms: definition.timeoutMs ?? DEFAULT_JOB_OPTIONS.timeoutMs,
      payload,
      ...(trace ? { trace } : {}),
    };
    try {
      await this.adapter.enqueue(definition.queue, definition.name, envelope, {
        priority,
        attempts,
        backoffMs: definition.backoffMs ?? DEFAULT_JOB_OPTIONS.backoffMs,
      });
    } catch (err) {
      await this.jobs.markFailed(job.id, `Could not enqueue: ${String(err)}`, true);
      throw new DomainError(
        'service_unavailable',
        'The job queue is not reachable; the job was not queued. Try again shortly.',
      );
    }
    await this.events.publish({
      workspace_id: job.workspaceId,
      event: makeEvent('job_created', jobEventData(job), job.projectId),
    });
    return job;
  }

  /**
   * Cancels a job: a waiting one is removed at once; a running one is flagged, and its handler
   * stops at its next step.
   */
  async cancel(workspaceId: number, jobId: number): Promise<JobEntity> {
    const job = await this.jobs.findInWorkspace(workspaceId, jobId);
    if (!job) throw new NotFoundError('Job', jobId);
    if (job.status !== 'queued' && job.status !== 'processing') {
      throw new InvalidStateError(`Job ${jobId} is already ${job.status}.`);
    }
    await this.jobs.requestCancel(job.id);
    if (await this.adapter.removeWaiting(job.queue as JobDefinition['queue'], job.id)) {
      if (await this.jobs.markCancelled(job.id)) {
        const cancelled = (await this.jobs.find(job.id))!;
        await this.events.publish({
          workspace_id: cancelled.workspaceId,
          event: makeEvent('job_cancelled', jobEventData(cancelled), cancelled.projectId),
        });
        return cancelled;
      }
    }
    return (await this.jobs.find(job.id))!;
  }
}
