import {
  STUDIO_EVENT_TYPES,
  StudioEventStream,
  type StudioEventMap,
  type SubscriptionTarget,
} from '@sdk/studio-events';
import type { StudioEvent } from '@sdk/generated/types.gen';
import { apiBaseUrl, type Credentials } from './studio';

export type LiveStatus = 'connecting' | 'live' | 'offline';
export type { StudioEvent, StudioEventMap, SubscriptionTarget };

const roomKey = (t: SubscriptionTarget) => `${t.entity_type}:${t.entity_id}`;

/** Events kept for views that open after they arrived (a run started a moment before). */
const HISTORY = 2000;

/**
 * One Socket.IO connection (the SDK's StudioEventStream) shared by every view. Views join rooms
 * through `follow`, counted per room, so two views on the same project do not leave it for each
 * other; every event reaches every listener, which picks what it cares about.
 */
export class EventHub {
  private stream: StudioEventStream | null = null;
  private connecting: Promise<StudioEventStream | null> | null = null;
  private readonly rooms = new Map<string, { target: SubscriptionTarget; count: number }>();
  private readonly listeners = new Set<(event: StudioEvent) => void>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private closed = false;
  status: LiveStatus = 'connecting';
  /** Events received since the page loaded (shown in the header; tests read it). */
  received = 0;
  /** The latest events, oldest first. */
  readonly history: StudioEvent[] = [];
  lastError: string | null = null;

  constructor(private readonly credentials: Credentials) {}

  private setStatus(status: LiveStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private connect(): Promise<StudioEventStream | null> {
    this.connecting ??= StudioEventStream.connect({
      baseUrl: apiBaseUrl(),
      ...(this.credentials.kind === 'api_key'
        ? { apiKey: this.credentials.secret }
        : { token: this.credentials.secret }),
    }).then(
      (stream) => {
        if (this.closed) {
          stream.close();
          return null;
        }
        this.stream = stream;
        const handlers = Object.fromEntries(
          STUDIO_EVENT_TYPES.map((type) => [type, (event: StudioEvent) => this.dispatch(event)]),
        );
        stream.handle(handlers);
        this.setStatus('live');
        return stream;
      },
      (err: unknown) => {
        this.lastError = err instanceof Error ? err.message : String(err);
        this.setStatus('offline');
        // The next follow() tries again.
        this.connecting = null;
        return null;
      },
    );
    return this.connecting;
  }

  private dispatch(event: StudioEvent): void {
    this.received++;
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    for (const listener of this.listeners) listener(event);
  }

  /** Connects now (the header shows whether live events flow), rather than at the first room. */
  start(): void {
    void this.connect();
  }

  /** Joins the entity's room until the returned function is called. */
  follow(target: SubscriptionTarget): () => void {
    const key = roomKey(target);
    const room = this.rooms.get(key);
    if (room) room.count++;
    else {
      this.rooms.set(key, { target, count: 1 });
      void this.connect().then((stream) =>
        stream?.subscribe(target).catch((err: unknown) => {
          this.lastError = err instanceof Error ? err.message : String(err);
        }),
      );
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const current = this.rooms.get(key);
      if (!current) return;
      current.count--;
      if (current.count > 0) return;
      this.rooms.delete(key);
      void this.stream?.unsubscribe(target).catch(() => undefined);
    };
  }

  listen(listener: (event: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.stream?.close();
    this.stream = null;
    this.listeners.clear();
    this.statusListeners.clear();
  }
}
