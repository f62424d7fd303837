import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, type Page, type PageRequest, toPage } from '@ps/common';
import { JobsRepository } from '@ps/database';
import { JobProducer, pingJob, QUEUE_ADAPTER, type QueueAdapter, QUEUES } from '@ps/queue';
import type { Actor } from '../../http/actor';
import type {
  JobResponseDto,
  ListJobsQueryDto,
  PingJobDto,
  StatusResponseDto,
} from './dto/job.dto';
import { toJobResponse } from './job.mapper';

@Injectable()
export class JobsService {
  constructor(
    private readonly producer: JobProducer,
    private readonly jobs: JobsRepository,
    @Inject(QUEUE_ADAPTER) private readonly adapter: QueueAdapter,
  ) {}

  async ping(actor: Actor, dto: PingJobDto, requestId: string | null): Promise<JobResponseDto> {
    const { priority, ...payload } = dto;
    const job = await this.producer.enqueue(pingJob, {
      workspaceId: actor.workspaceId,
      payload,
      priority,
      requestId,
    });
    return toJobResponse(job);
  }

  async get(actor: Actor, id: number): Promise<JobResponseDto> {
    const job = await this.jobs.findInWorkspace(actor.workspaceId, id);
    if (!job) throw new NotFoundError('Job', id);
    return toJobResponse(job);
  }

  async list(
    actor: Actor,
    query: ListJobsQueryDto,
    page: PageRequest,
  ): Promise<Page<JobResponseDto>> {
    const { rows, total } = await this.jobs.list(
      actor.workspaceId,
      {
        status: query.status,
        queue: query.queue,
        type: query.type,
        projectId: query.project_id,
        entityType: query.entity_type,
        entityId: query.entity_id,
      },
      page,
    );
    return toPage(rows, total, page, toJobResponse);
  }

  async cancel(actor: Actor, id: number): Promise<JobResponseDto> {
    return toJobResponse(await this.producer.cancel(actor.workspaceId, id));
  }

  async status(actor: Actor): Promise<StatusResponseDto> {
    const byType = await this.jobs.stats(actor.workspaceId);
    let queues: StatusResponseDto['queues'] = [];
    let degraded = false;
    try {
      queues = await Promise.all(
        QUEUES.map(async (queue) => ({ queue, ...(await this.adapter.counts(queue)) })),
      );
    } catch {
      degraded = true; // the queue store is unreachable; the mirror still answers
    }
    const sum = (key: 'queued' | 'processing' | 'stale_leases' | 'completed' | 'failed') =>
      byType.reduce((total, row) => total + row[key], 0);
    const finished = sum('completed') + sum('failed');
    return {
      status: degraded || sum('stale_leases') > 0 ? 'degraded' : 'ok',
      queue_backend: this.adapter.kind,
      queue_depth: sum('queued'),
      processing: sum('processing'),
      stale_leases: sum('stale_leases'),
      success_rate: finished ? Number((sum('completed') / finished).toFixed(4)) : null,
      by_type: byType,
      queues,
    };
  }
}
