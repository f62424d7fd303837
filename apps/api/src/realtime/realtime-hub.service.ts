import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { EntityScopeRepository } from '@ps/database';
import { EVENT_BUS, type EventBus, roomName, roomsOf, type ScopedEvent } from '@ps/events';
import type { Actor } from '../http/actor';
import type { RealtimeClient, SubscriptionOutcome, SubscriptionTarget } from './realtime-client';

/** Each subscription costs a database read; a client has no use for thousands of rooms. */
export const MAX_ROOMS_PER_CLIENT = 100;

const NOUNS: Record<SubscriptionTarget['entity_type'], string> = {
  project: 'Project',
  evaluation: 'Evaluation',
  optimization: 'Optimization',
  job: 'Job',
};

/**
 * Every realtime client of this process, whatever its transport, and the rooms it joined. Each
 * event of the bus goes to the clients of its workspace that joined any of its rooms, once per
 * client. Rooms are keyed by workspace, so a room name can never reach across tenants even if
 * a publisher got a project id wrong.
 */
@Injectable()
export class RealtimeHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  /** Client -> the workspace-keyed rooms it joined. */
  private readonly clients = new Map<RealtimeClient, Set<string>>();
  /** Workspace-keyed room -> its clients. */
  private readonly rooms = new Map<string, Set<RealtimeClient>>();
  private stopListening?: () => void;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly scopes: EntityScopeRepository,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.bus.subscribe((event) => this.deliver(event));
  }

  beforeApplicationShutdown(): void {
    this.stopListening?.();
    for (const client of [...this.clients.keys()]) {
      this.disconnect(client);
      try {
        client.close();
      } catch (err) {
        this.logger.debug(`Closing a client failed: ${String(err)}`);
      }
    }
  }

  get clientCount(): number {
    return this.clients.size;
  }

  connect(client: RealtimeClient): void {
    if (!this.clients.has(client)) this.clients.set(client, new Set());
  }

  disconnect(client: RealtimeClient): void {
    for (const key of this.clients.get(client) ?? []) this.leaveKey(client, key);
    this.clients.delete(client);
  }

  /** Whether the actor may follow the entity: `read`, and the entity in its workspace. */
  async authorize(actor: Actor, target: SubscriptionTarget): Promise<SubscriptionOutcome> {
    if (!actor.permissions.has('read')) {
      return {
        ok: false,
        code: 'forbidden',
        detail: `Following live events needs the "read" permission, which this ${
          actor.apiKeyId !== null ? 'API key' : 'role'
        } does not grant.`,
      };
    }
    const scope = await this.scopes.scopeOf(target.entity_type, target.entity_id);
    if (!scope || scope.workspaceId !== actor.workspaceId) {
      return {
        ok: false,
        code: 'not_found',
        detail: `${NOUNS[target.entity_type]} ${target.entity_id} was not found.`,
      };
    }
    return { ok: true, room: roomName(target.entity_type, target.entity_id) };
  }

  async subscribe(
    client: RealtimeClient,
    target: SubscriptionTarget,
  ): Promise<SubscriptionOutcome> {
    const joined = this.clients.get(client);
    if (!joined) return { ok: false, code: 'invalid_state', detail: 'Not connected.' };
    const room = roomName(target.entity_type, target.entity_id);
    const key = this.keyOf(client.actor.workspaceId, room);
    if (joined.has(key)) return { ok: true, room };
    if (joined.size >= MAX_ROOMS_PER_CLIENT) {
      return {
        ok: false,
        code: 'limit_exceeded',
        detail: `A connection may follow at most ${MAX_ROOMS_PER_CLIENT} entities; unsubscribe first.`,
      };
    }
    let outcome: SubscriptionOutcome;
    try {
      outcome = await this.authorize(client.actor, target);
    } catch (err) {
      this.logger.error({ err }, `Could not check access to ${room}`);
      return { ok: false, code: 'internal_error', detail: 'Could not check access; retry later.' };
    }
    // The client may have gone while the scope was being read.
    if (!outcome.ok || !this.clients.has(client)) return outcome;
    joined.add(key);
    let members = this.rooms.get(key);
    if (!members) this.rooms.set(key, (members = new Set()));
    members.add(client);
    return outcome;
  }

  unsubscribe(client: RealtimeClient, target: SubscriptionTarget): SubscriptionOutcome {
    const room = roomName(target.entity_type, target.entity_id);
    this.leaveKey(client, this.keyOf(client.actor.workspaceId, room));
    return { ok: true, room };
  }

  /** Sends the wire event (never the workspace wrapper) once to each client of a matching room. */
  deliver(scoped: ScopedEvent): void {
    const event = scoped?.event;
    if (typeof scoped?.workspace_id !== 'number' || !event || typeof event !== 'object') return;
    let rooms: string[];
    try {
      rooms = roomsOf(event);
    } catch (err) {
      this.logger.warn(`Dropped an event without rooms: ${String(err)}`);
      return;
    }
    const reached = new Set<RealtimeClient>();
    for (const room of rooms) {
      for (const client of this.rooms.get(this.keyOf(scoped.workspace_id, room)) ?? []) {
        if (reached.has(client)) continue;
        reached.add(client);
        try {
          client.send(event);
        } catch (err) {
          this.logger.warn(`Could not send ${event.type} to a client: ${String(err)}`);
        }
      }
    }
  }

  private keyOf(workspaceId: number, room: string): string {
    return `${workspaceId}/${room}`;
  }

  private leaveKey(client: RealtimeClient, key: string): void {
    this.clients.get(client)?.delete(key);
    const members = this.rooms.get(key);
    if (!members) return;
    members.delete(client);
    if (members.size === 0) this.rooms.delete(key);
  }
}
