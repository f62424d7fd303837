import { Inject, Injectable } from '@nestjs/common';
import { ApiConfig } from '@ps/config';
import type { EvaluationEntity } from '@ps/database';
import { EVENT_BUS, type EventBus, type ScopedEvent } from '@ps/events';

/** Statuses a run never leaves. */
export const ENDED_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

/**
 * Pub/sub delivers at most once (a Redis reconnect drops messages), so a lost event must not hold
 * a request for the whole wait: the run is read again this often as a safety net.
 */
export const WAIT_RECHECK_MS = 5_000;

export function hasEnded(evaluation: EvaluationEntity): boolean {
  return ENDED_STATUSES.has(evaluation.status);
}

/**
 * `wait=true`: waits for runs to end by listening for their `evaluation_completed` events on the
 * event bus (every process sees every event), then reads them once more. Subscribing comes before
 * the first read, so an event published in between is not missed.
 */
@Injectable()
export class EvaluationWaiter {
  constructor(
    @Inject(EVENT_BUS) private readonly events: EventBus,
    private readonly config: ApiConfig,
  ) {}

  /**
   * The runs as they are once all have ended or EVALUATION_WAIT_SECONDS have passed, whichever
   * comes first; the caller tells which from their status.
   */
  async untilEnded(
    workspaceId: number,
    ids: readonly number[],
    read: (id: number) => Promise<EvaluationEntity>,
  ): Promise<EvaluationEntity[]> {
    const deadline = Date.now() + this.config.env.EVALUATION_WAIT_SECONDS * 1000;
    const pending = new Set(ids);
    let wake: (() => void) | null = null;
    const unsubscribe = this.events.subscribe((scoped: ScopedEvent) => {
      const { event } = scoped;
      if (scoped.workspace_id !== workspaceId || event.type !== 'evaluation_completed') return;
      if (pending.delete(Number(event.data.evaluation_id))) wake?.();
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      let runs = await Promise.all(ids.map((id) => read(id)));
      for (const run of runs) if (hasEnded(run)) pending.delete(run.id);
      while (pending.size > 0) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, Math.min(left, WAIT_RECHECK_MS));
        });
        clearTimeout(timer);
        wake = null;
        if (pending.size === 0) break;
        // Timed out or rechecking: the final word is the database's.
        runs = await Promise.all(ids.map((id) => read(id)));
        for (const run of runs) if (hasEnded(run)) pending.delete(run.id);
      }
      return pending.size === 0 ? await Promise.all(ids.map((id) => read(id))) : runs;
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
  }
}
