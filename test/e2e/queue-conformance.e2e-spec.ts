import { randomBytes } from 'node:crypto';
import {
  type ActiveJob,
  BullQueueAdapter,
  type EnqueueOptions,
  InProcessQueueAdapter,
  type JobEnvelope,
  PermanentJobError,
  type QueueAdapter,
} from '@ps/queue';

/** One contract, two adapters: the same expectations hold for Bull and the in-process queue. */
const REDIS_URL = process.env.PS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const ADAPTERS: [string, () => QueueAdapter][] = [
  ['in-process', () => new InProcessQueueAdapter()],
  [
    'bull',
    () =>
      new BullQueueAdapter({
        redisUrl: REDIS_URL,
        prefix: `ps-conformance-${randomBytes(4).toString('hex')}`,
        leaseSeconds: 30,
      }),
  ],
];

let nextId = 1;
const envelope = (timeoutMs = 10_000): JobEnvelope => ({
  job_id: nextId++,
  workspace_id: 1,
  project_id: null,
  request_id: null,
  timeout_ms: timeoutMs,
  payload: {},
});
const options = (overrides: Partial<EnqueueOptions> = {}): EnqueueOptions => ({
  priority: 5,
  attempts: 1,
  backoffMs: 50,
  ...overrides,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe.each(ADAPTERS)('queue adapter conformance: %s', (_name, make) => {
  let adapter: QueueAdapter;
  const completed: { id: number; result: unknown }[] = [];
  const failed: { id: number; message: string; final: boolean; at: number }[] = [];
  const progress: { id: number; percent: number }[] = [];
  const started: { id: number; attempt: number; at: number }[] = [];

  beforeEach(() => {
    adapter = make();
    completed.length = failed.length = progress.length = started.length = 0;
    adapter.listen({
      onActive: (job) => void started.push({ id: job.id, attempt: job.attempt, at: Date.now() }),
      onProgress: (job, percent) => void progress.push({ id: job.id, percent }),
      onCompleted: (job, result) => void completed.push({ id: job.id, result }),
      onFailed: (job, error, final) =>
        void failed.push({ id: job.id, message: error.message, final, at: Date.now() }),
    });
  });

  afterEach(async () => {
    await adapter.close(5000);
  });

  it('runs higher priorities first, first in first out within a priority', async () => {
    const order: number[] = [];
    const jobs = [
      { data: envelope(), priority: 1 },
      { data: envelope(), priority: 10 },
      { data: envelope(), priority: 5 },
      { data: envelope(), priority: 10 },
    ];
    for (const { data, priority } of jobs) {
      await adapter.enqueue('maintenance', 'ping', data, options({ priority }));
    }
    adapter.process('maintenance', 1, (job) => {
      order.push(job.id);
      return Promise.resolve({ ok: true });
    });
    await waitFor(() => order.length === 4);
    expect(order).toEqual([
      jobs[1].data.job_id,
      jobs[3].data.job_id,
      jobs[2].data.job_id,
      jobs[0].data.job_id,
    ]);
  });

  it('retries failed attempts with exponential backoff, then reports completion', async () => {
    const data = envelope();
    adapter.process('maintenance', 1, (job: ActiveJob) =>
      job.attempt < 3
        ? Promise.reject(new Error(`boom ${job.attempt}`))
        : Promise.resolve({ attempt: job.attempt }),
    );
    await adapter.enqueue('maintenance', 'ping', data, options({ attempts: 3, backoffMs: 200 }));
    await waitFor(() => completed.length === 1);
    expect(started.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(failed.map((f) => [f.message, f.final])).toEqual([
      ['boom 1', false],
      ['boom 2', false],
    ]);
    expect(started[1].at - started[0].at).toBeGreaterThanOrEqual(190);
    expect(started[2].at - started[1].at).toBeGreaterThanOrEqual(390);
    expect(completed[0]).toEqual({ id: data.job_id, result: { attempt: 3 } });
  });

  it('reports a final failure after the last attempt, and at once for permanent errors', async () => {
    adapter.process('maintenance', 2, (job) =>
      Promise.reject(
        job.data.payload.permanent ? new PermanentJobError('no hope') : new Error('flaky'),
      ),
    );
    const flaky = envelope();
    const permanent = { ...envelope(), payload: { permanent: true } };
    await adapter.enqueue('maintenance', 'ping', flaky, options({ attempts: 2 }));
    await adapter.enqueue('maintenance', 'ping', permanent, options({ attempts: 5 }));
    await waitFor(() => failed.filter((f) => f.final).length === 2);
    expect(failed.filter((f) => f.id === flaky.job_id).map((f) => f.final)).toEqual([false, true]);
    expect(failed.filter((f) => f.id === permanent.job_id).map((f) => f.final)).toEqual([true]);
    expect(completed).toEqual([]);
  });

  it('fails an attempt that exceeds its time limit', async () => {
    adapter.process('maintenance', 1, () => sleep(2000));
    await adapter.enqueue('maintenance', 'ping', envelope(200), options());
    await waitFor(() => failed.length === 1);
    expect(failed[0].message).toMatch(/Timed out after 200 ms/);
  });

  it('reports progress updates in order', async () => {
    adapter.process('maintenance', 1, async (job) => {
      for (const p of [25, 50, 100]) await job.progress(p);
      return null;
    });
    const data = envelope();
    await adapter.enqueue('maintenance', 'ping', data, options());
    await waitFor(() => completed.length === 1);
    expect(progress).toEqual([25, 50, 100].map((percent) => ({ id: data.job_id, percent })));
  });

  it('removes a waiting job, but not a running one', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const runs: number[] = [];
    adapter.process('maintenance', 1, async (job) => {
      runs.push(job.id);
      await gate;
      return null;
    });
    const running = envelope();
    const waiting = envelope();
    await adapter.enqueue('maintenance', 'ping', running, options());
    await waitFor(() => runs.length === 1);
    await adapter.enqueue('maintenance', 'ping', waiting, options());
    expect(await adapter.removeWaiting('maintenance', waiting.job_id)).toBe(true);
    expect(await adapter.removeWaiting('maintenance', running.job_id)).toBe(false);
    expect(await adapter.removeWaiting('maintenance', 987654)).toBe(false);
    release();
    await waitFor(() => completed.length === 1);
    await sleep(200);
    expect(runs).toEqual([running.job_id]);
  });

  it('never runs more jobs at once than the concurrency limit, and counts them', async () => {
    let active = 0;
    let peak = 0;
    adapter.process('maintenance', 2, async () => {
      active++;
      peak = Math.max(peak, active);
      await sleep(100);
      active--;
      return null;
    });
    for (let i = 0; i < 6; i++) await adapter.enqueue('maintenance', 'ping', envelope(), options());
    await waitFor(() => active === 2);
    const counts = await adapter.counts('maintenance');
    expect(counts.active).toBe(2);
    await waitFor(() => completed.length === 6);
    expect(peak).toBe(2);
  });

  it('closes cleanly however soon after it started consuming', async () => {
    // A worker told to stop while it is still connecting must not fail on the way out.
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      for (const delayMs of [0, 1, 2, 5, 10, 20]) {
        const early = make();
        early.process('maintenance', 1, () => Promise.resolve(null));
        early.process('evaluation', 1, () => Promise.resolve(null));
        await sleep(delayMs);
        await early.close(1000);
      }
      await sleep(200);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections).toEqual([]);
  });
});
