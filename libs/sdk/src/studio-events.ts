import { io, type Socket } from 'socket.io-client';
import type { StudioEvent } from './generated/types.gen';

/**
 * Typed live events over Socket.IO (namespace /prompt-studio). The event types come from the
 * OpenAPI document (components.schemas.<Name>Event, generated from the server's payload
 * schemas), so a handler for `evaluation_progress` receives exactly that event's shape.
 */

/** Every event name mapped to its event `{type, data, project_id, timestamp}`. */
export type StudioEventMap = { [E in StudioEvent as E['type']]: E };
export type StudioEventType = keyof StudioEventMap;

export const STUDIO_EVENT_TYPES = [
  'job_created',
  'job_started',
  'job_progress',
  'job_completed',
  'job_failed',
  'job_cancelled',
  'evaluation_started',
  'evaluation_progress',
  'evaluation_completed',
  'optimization_started',
  'optimization_iteration',
  'optimization_candidate',
  'optimization_completed',
  'test_cases_generated',
] as const satisfies readonly StudioEventType[];
// …and no event of the document is missing from the list.
({}) as Record<StudioEventType, true> satisfies Record<(typeof STUDIO_EVENT_TYPES)[number], true>;

export type EventHandlers = { [K in StudioEventType]?: (event: StudioEventMap[K]) => void };

export interface SubscriptionTarget {
  entity_type: 'project' | 'evaluation' | 'optimization' | 'job';
  entity_id: number;
}

export interface EventStreamOptions {
  baseUrl: string;
  apiKey?: string;
  token?: string;
  /** Give up connecting after this long (default 10 s). */
  timeoutMs?: number;
}

export class SubscriptionError extends Error {
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'SubscriptionError';
  }
}

interface Outcome {
  ok: boolean;
  code?: string;
  detail?: string;
}

export class StudioEventStream {
  /** The rooms joined, by `entity_type:entity_id`: joined again after a reconnect. */
  private readonly rooms = new Map<string, SubscriptionTarget>();
  private readonly rejoinListeners = new Set<(failed: SubscriptionError[]) => void>();

  private constructor(private readonly socket: Socket) {
    // Rooms belong to a connection: after a dropped connection comes back (socket.io-client
    // reconnects on its own), the server knows none of ours, so they are asked for again.
    socket.on('connect', () => void this.rejoin());
  }

  private async rejoin(): Promise<void> {
    const failed: SubscriptionError[] = [];
    for (const [key, target] of [...this.rooms]) {
      try {
        await this.join(target);
      } catch (err) {
        // Access can change while we were away: a refused room is dropped and reported.
        this.rooms.delete(key);
        failed.push(
          err instanceof SubscriptionError ? err : new SubscriptionError('refused', String(err)),
        );
      }
    }
    for (const listener of this.rejoinListeners) listener(failed);
  }

  /**
   * Called after each reconnect, once the rooms were joined again, with the ones the server
   * refused this time (empty when all are back). Returns a function that stops listening.
   */
  onRejoin(listener: (failed: SubscriptionError[]) => void): () => void {
    this.rejoinListeners.add(listener);
    return () => void this.rejoinListeners.delete(listener);
  }

  private async join(target: SubscriptionTarget): Promise<void> {
    const outcome = (await this.socket.emitWithAck('subscribe', target)) as Outcome;
    if (!outcome.ok) {
      throw new SubscriptionError(
        outcome.code ?? 'refused',
        outcome.detail ?? 'Subscription refused.',
      );
    }
  }

  /** Connects and authenticates; rejects with SubscriptionError when the server refuses. */
  static connect(options: EventStreamOptions): Promise<StudioEventStream> {
    const socket = io(`${options.baseUrl.replace(/\/+$/, '')}/prompt-studio`, {
      transports: ['websocket'],
      reconnection: true,
      timeout: options.timeoutMs ?? 10_000,
      auth: {
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
        ...(options.token ? { token: options.token } : {}),
      },
    });
    return new Promise((resolve, reject) => {
      const fail = (err: Error & { data?: { code?: string; detail?: string } }) => {
        socket.off('connect', ok);
        socket.disconnect();
        reject(
          new SubscriptionError(
            err.data?.code ?? 'connect_failed',
            err.data?.detail ?? err.message,
          ),
        );
      };
      const ok = () => {
        socket.off('connect_error', fail);
        resolve(new StudioEventStream(socket));
      };
      socket.once('connect', ok);
      socket.once('connect_error', fail);
    });
  }

  /**
   * Joins the entity's room; events of its type then reach `on` handlers. The room is joined
   * again after a reconnect (see onRejoin).
   */
  async subscribe(target: SubscriptionTarget): Promise<void> {
    await this.join(target);
    this.rooms.set(`${target.entity_type}:${target.entity_id}`, {
      entity_type: target.entity_type,
      entity_id: target.entity_id,
    });
  }

  async unsubscribe(target: SubscriptionTarget): Promise<void> {
    this.rooms.delete(`${target.entity_type}:${target.entity_id}`);
    const outcome = (await this.socket.emitWithAck('unsubscribe', target)) as Outcome;
    if (!outcome.ok) {
      throw new SubscriptionError(
        outcome.code ?? 'refused',
        outcome.detail ?? 'Unsubscribe refused.',
      );
    }
  }

  /** Listens to one event type; returns a function that stops listening. */
  on<K extends StudioEventType>(type: K, handler: (event: StudioEventMap[K]) => void): () => void {
    // Socket.IO's own typing of custom event names is untyped; the map above types them.
    const name: string = type;
    const listener = (event: unknown) => handler(event as StudioEventMap[K]);
    this.socket.on(name, listener);
    return () => void this.socket.off(name, listener);
  }

  /** Listens to several event types at once; returns a function that stops all of them. */
  handle(handlers: EventHandlers): () => void {
    const stops = (Object.keys(handlers) as StudioEventType[]).map((type) =>
      this.on(type, handlers[type] as (event: StudioEventMap[typeof type]) => void),
    );
    return () => stops.forEach((stop) => stop());
  }

  close(): void {
    this.socket.disconnect();
  }
}
