import { Counter, Gauge, Histogram, register } from 'prom-client';

function metric<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** Job metrics, shared by every executor in the process. */
export const jobMetrics = {
  finished: metric(
    'prompt_studio_jobs_finished_total',
    () =>
      new Counter({
        name: 'prompt_studio_jobs_finished_total',
        help: 'Job attempts that ended, by queue, job type and outcome.',
        labelNames: ['queue', 'type', 'outcome'],
      }),
  ),
  duration: metric(
    'prompt_studio_job_duration_seconds',
    () =>
      new Histogram({
        name: 'prompt_studio_job_duration_seconds',
        help: 'Run time of job attempts.',
        labelNames: ['queue', 'type'],
        buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      }),
  ),
  active: metric(
    'prompt_studio_jobs_active',
    () =>
      new Gauge({
        name: 'prompt_studio_jobs_active',
        help: 'Jobs running in this process.',
        labelNames: ['queue'],
      }),
  ),
};
