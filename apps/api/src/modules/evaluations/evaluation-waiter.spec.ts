import type { ApiConfig } from '@ps/config';
import type { EvaluationEntity } from '@ps/database';
import { type EventBus, LocalEventBus, makeEvent, type ScopedEvent } from '@ps/events';
import { EvaluationWaiter } from './evaluation-waiter';

const WORKSPACE = 7;

/** A run as the waiter sees it: only id and status matter. */
const run = (id: number, status: string) => ({ id, status }) as unknown as EvaluationEntity;

function completed(id: number, workspace = WORKSPACE): ScopedEvent {
  return {
    workspace_id: workspace,
    event: makeEvent('evaluation_completed', { evaluation_id: id, status: 'completed' }, 1),
  };
}

/** The in-process bus, counting live subscriptions. */
class CountingBus extends LocalEventBus implements EventBus {
  live = 0;
  override subscribe(listener: (event: ScopedEvent) => void): () => void {
    this.live++;
    const off = super.subscribe(listener);
    return () => {
      this.live--;
      off();
    };
  }
}

function setup(waitSeconds: number) {
  const bus = new CountingBus();
  const config = { env: { EVALUATION_WAIT_SECONDS: waitSeconds } } as unknown as ApiConfig;
  const statuses = new Map<number, string>();
  const reads: number[] = [];
  const read = (id: number) => {
    reads.push(id);
    return Promise.resolve(run(id, statuses.get(id) ?? 'running'));
  };
  return { bus, waiter: new EvaluationWaiter(bus, config), statuses, reads, read };
}

describe('EvaluationWaiter', () => {
  it('answers when evaluation_completed for the run arrives, reading it before and after', async () => {
    const { bus, waiter, statuses, reads, read } = setup(30);
    const started = Date.now();
    const waiting = waiter.untilEnded(WORKSPACE, [5], read);
    await new Promise((resolve) => setTimeout(resolve, 50));
    statuses.set(5, 'completed');
    await bus.publish(completed(5));
    const [ended] = await waiting;
    expect(ended.status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(reads).toEqual([5, 5]);
    expect(bus.live).toBe(0);
  });

  it('ignores other runs and other workspaces, and answers with the run as it is at the deadline', async () => {
    const { bus, waiter, reads, read } = setup(0.3);
    const started = Date.now();
    const waiting = waiter.untilEnded(WORKSPACE, [5], read);
    await bus.publish(completed(6));
    await bus.publish(completed(5, WORKSPACE + 1));
    const [ended] = await waiting;
    expect(ended.status).toBe('running');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(reads).toEqual([5, 5]);
    expect(bus.live).toBe(0);
  });

  it('does not miss an event published between subscribing and the first read', async () => {
    const { bus, waiter, statuses } = setup(30);
    let first = true;
    const started = Date.now();
    const [ended] = await waiter.untilEnded(WORKSPACE, [5], async (id) => {
      if (first) {
        first = false;
        // The run ends while the first read is on its way back: it still says running.
        statuses.set(5, 'completed');
        await bus.publish(completed(5));
        return run(id, 'running');
      }
      return run(id, statuses.get(id)!);
    });
    expect(ended.status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('returns at once for runs that already ended, and waits for every run given', async () => {
    const { bus, waiter, statuses, reads, read } = setup(30);
    statuses.set(1, 'failed');
    expect((await waiter.untilEnded(WORKSPACE, [1], read)).map((r) => r.status)).toEqual([
      'failed',
    ]);
    reads.length = 0;
    const both = waiter.untilEnded(WORKSPACE, [1, 2], read);
    await new Promise((resolve) => setTimeout(resolve, 20));
    statuses.set(2, 'cancelled');
    await bus.publish(completed(2));
    expect((await both).map((r) => r.status)).toEqual(['failed', 'cancelled']);
    expect(bus.live).toBe(0);
  });
});
