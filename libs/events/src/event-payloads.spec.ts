import { EVENT_PAYLOAD_SCHEMAS } from './event-payloads';
import { EVENT_TYPES, makeEvent, roomsOf, type AnyStudioEvent } from './event-names';

describe('event payloads', () => {
  it('has exactly one schema per event name', () => {
    expect(Object.keys(EVENT_PAYLOAD_SCHEMAS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('types makeEvent by the event name', () => {
    const event = makeEvent(
      'evaluation_progress',
      { evaluation_id: 3, completed: 5, total: 10, progress: 50 },
      7,
    );
    expect(EVENT_PAYLOAD_SCHEMAS.evaluation_progress.parse(event.data)).toEqual(event.data);
    expect(roomsOf(event)).toEqual(['project:7', 'evaluation:3']);
    // @ts-expect-error a progress event without its counts does not compile
    makeEvent('evaluation_progress', { evaluation_id: 3 }, 7);
    // @ts-expect-error nor does a payload of another event
    makeEvent('optimization_started', { evaluation_id: 3, total: 1 }, 7);
  });

  it('narrows a received event by its type', () => {
    const received = makeEvent(
      'optimization_iteration',
      {
        optimization_id: 2,
        iteration: 4,
        max_iterations: 10,
        current_metric: 0.5,
        best_metric: 0.75,
        budget_used: { llm_calls: 40, tokens: 12_000, usd: 0.02 },
      },
      1,
    ) as AnyStudioEvent;
    const best = received.type === 'optimization_iteration' ? received.data.best_metric : null;
    expect(best).toBe(0.75);
  });

  it.each([
    [
      'optimization_candidate',
      {
        optimization_id: 1,
        candidate_id: 3,
        parent_ids: [0, 1],
        operator: 'merge',
        scores: { train: 0.5, validation: null },
        status: 'accepted',
      },
    ],
    [
      'optimization_completed',
      { optimization_id: 1, status: 'completed', improved: true, best_metric: 0.9, error: null },
    ],
    ['optimization_started', { optimization_id: 1, strategy: 'gepa' }],
    [
      'evaluation_completed',
      { evaluation_id: 1, status: 'completed', pass_rate: 1, mean_score: 1 },
    ],
    ['evaluation_completed', { evaluation_id: 1, status: 'failed', error: 'Provider key refused' }],
  ] as const)('accepts the %s payloads the product sends', (type, data) => {
    expect(EVENT_PAYLOAD_SCHEMAS[type].safeParse(data).success).toBe(true);
  });

  it('refuses fields an event does not have', () => {
    const parsed = EVENT_PAYLOAD_SCHEMAS.optimization_started.safeParse({
      optimization_id: 1,
      strategy: 'gepa',
      extra: true,
    });
    expect(parsed.success).toBe(false);
  });
});
