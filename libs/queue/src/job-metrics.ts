import { Counter, Gauge, Histogram } from 'prom-client';
import { registeredMetric } from '@ps/common';
import type { QueueAdapter } from './adapters/queue-adapter';
import { QUEUES } from './queue-names';

/** The queues of this process whose depth /metrics reports, read at each scrape. */
const observedQueues = new Set<QueueAdapter>();

/** Reports `adapter`'s queue depth on /metrics until the returned function is called. */
export function observeQueueDepth(adapter: QueueAdapter): () => void {
  observedQueues.add(adapter);
  return () => observedQueues.delete(adapter);
}

/** Job metrics, shared by every executor in the process. */
export const jobMetrics = {
  finished: registeredMetric(
    'prompt_studio_jobs_finished_total',
    () =>
      new Counter({
        name: 'prompt_studio_jobs_finished_total',
        help: 'Job attempts that ended, by queue, job type and outcome.',
        labelNames: ['queue', 'type', 'outcome'],
      }),
  ),
  duration: registeredMetric(
    'prompt_studio_job_duration_seconds',
    () =>
      new Histogram({
        name: 'prompt_studio_job_duration_seconds',
        help: 'Run time of job attempts.',
        labelNames: ['queue', 'type'],
        buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      }),
  ),
  active: registeredMetric(
    'prompt_studio_jobs_active',
    () =>
      new Gauge({
        name: 'prompt_studio_jobs_active',
        help: 'Jobs running in this process.',
        labelNames: ['queue'],
      }),
  ),
  depth: registeredMetric(
    'prompt_studio_queue_jobs',
    () =>
      new Gauge({
        name: 'prompt_studio_queue_jobs',
        help:
          'Jobs in the queue by state (waiting, active, delayed), across all workers; read from ' +
          'the queue at each scrape.',
        labelNames: ['queue', 'state'],
        async collect() {
          this.reset();
          for (const adapter of observedQueues) {
            await Promise.all(
              QUEUES.map(async (queue) => {
                try {
                  const counts = await adapter.counts(queue);
                  this.set({ queue, state: 'waiting' }, counts.waiting);
                  this.set({ queue, state: 'active' }, counts.active);
                  this.set({ queue, state: 'delayed' }, counts.delayed);
                } catch {
                  // Redis is away: no value rather than a wrong one (readiness says why).
                }
              }),
            );
          }
        },
      }),
  ),
};
