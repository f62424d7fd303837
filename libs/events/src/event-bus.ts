import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import {
  type EventPayload,
  type EventType,
  makeEvent,
  type ScopedEvent,
  type StudioEvent,
} from './event-names';

export const EVENT_BUS = Symbol('EVENT_BUS');

/**
 * How events travel from whoever makes them (worker, API) to every API process that has clients.
 * One Redis channel carries them in the distributed mode; an in-process emitter in all-in-one.
 */
export interface EventBus {
  publish(event: ScopedEvent<StudioEvent>): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(listener: (event: ScopedEvent) => void): () => void;
  close(): Promise<void>;
}

export class LocalEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: ScopedEvent<StudioEvent>): Promise<void> {
    this.emitter.emit('event', event);
    return Promise.resolve();
  }

  subscribe(listener: (event: ScopedEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  close(): Promise<void> {
    this.emitter.removeAllListeners();
    return Promise.resolve();
  }
}

/**
 * Redis pub/sub on `<prefix>:events`. The subscriber connection is opened on the first
 * subscribe, so publish-only processes (workers) hold one connection.
 */
export class RedisEventBus implements EventBus {
  private readonly logger = new Logger('EventBus');
  private readonly publisher: Redis;
  private subscriber: Redis | null = null;
  private readonly local = new LocalEventBus();
  private readonly channel: string;

  constructor(
    private readonly url: string,
    prefix: string,
  ) {
    this.channel = `${prefix}:events`;
    this.publisher = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: false });
    this.publisher.on('error', (err: Error) => this.logger.warn(`Redis (publish): ${err.message}`));
  }

  async publish(event: ScopedEvent<StudioEvent>): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  subscribe(listener: (event: ScopedEvent) => void): () => void {
    if (!this.subscriber) {
      const subscriber = new Redis(this.url, { maxRetriesPerRequest: null });
      subscriber.on('error', (err: Error) => this.logger.warn(`Redis (subscribe): ${err.message}`));
      subscriber.on('message', (_channel: string, message: string) => {
        try {
          void this.local.publish(JSON.parse(message) as ScopedEvent);
        } catch (err) {
          this.logger.warn(`Dropped a malformed event: ${String(err)}`);
        }
      });
      // ioredis re-subscribes by itself after a reconnect. The command waits while Redis is
      // away and is dropped (rejected) when the bus closes first: nothing to report then.
      subscriber.subscribe(this.channel).catch((err: unknown) => {
        if (subscriber.status === 'end') return;
        this.logger.warn(`Redis (subscribe): ${err instanceof Error ? err.message : String(err)}`);
      });
      this.subscriber = subscriber;
    }
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.local.close();
    await Promise.all([closeRedis(this.publisher), closeRedis(this.subscriber)]);
  }
}

/**
 * QUIT when connected (pending commands finish), then drop the socket either way: QUIT on a
 * connection that is still reconnecting would wait for Redis to come back.
 */
export async function closeRedis(redis: Redis | null | undefined, timeoutMs = 1000): Promise<void> {
  if (!redis) return;
  if (redis.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      redis.quit().catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
  redis.disconnect();
}

export function createEventBus(redisUrl: string | undefined, prefix: string): EventBus {
  return redisUrl ? new RedisEventBus(redisUrl, prefix) : new LocalEventBus();
}

/**
 * Publishes one event and never throws: live events are best-effort (a client that missed one
 * reads the state from the API), so a failed publish is logged and the work goes on.
 */
export async function publishQuietly<K extends EventType>(
  bus: EventBus,
  logger: Pick<Logger, 'warn'>,
  workspaceId: number,
  type: K,
  data: EventPayload<K>,
  projectId: number | null,
): Promise<void> {
  try {
    await bus.publish({ workspace_id: workspaceId, event: makeEvent(type, data, projectId) });
  } catch (err) {
    logger.warn(`could not publish ${type}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
