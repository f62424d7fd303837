import type { ErrorCode } from '@ps/common';
import type { ScopedEntityType } from '@ps/database';
import { ROOM_KINDS, type StudioEvent } from '@ps/events';
import type { Actor } from '../http/actor';
import { MAX_ID } from '../http/dto/integer-fields';

/** One connected client of any transport (Socket.IO, WebSocket, Server-Sent Events). */
export interface RealtimeClient {
  readonly actor: Actor;
  /** Hands one event to the transport, which frames it; must not throw. */
  send(event: StudioEvent): void;
  /** Ends the connection (at shutdown). */
  close(): void;
}

/** What a client asks for: the room of one entity. */
export interface SubscriptionTarget {
  entity_type: ScopedEntityType;
  entity_id: number;
}

export type SubscriptionOutcome =
  { ok: true; room: string } | { ok: false; code: ErrorCode; detail: string };

export type ParsedSubscription =
  | { ok: true; target: SubscriptionTarget }
  | { ok: false; code: 'validation_failed'; detail: string };

const ENTITY_TYPES: readonly string[] = ROOM_KINDS;

/**
 * Reads `{entity_type, entity_id}` from a client message. The id may be a number or a string of
 * digits (the original protocol's clients send either).
 */
export function parseSubscription(body: unknown): ParsedSubscription {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, code: 'validation_failed', detail: 'Send {entity_type, entity_id}.' };
  }
  const { entity_type: type, entity_id: rawId } = body as Record<string, unknown>;
  if (typeof type !== 'string' || !ENTITY_TYPES.includes(type)) {
    return {
      ok: false,
      code: 'validation_failed',
      detail: `entity_type must be one of ${ROOM_KINDS.join(', ')}.`,
    };
  }
  const id = typeof rawId === 'string' && /^\d{1,20}$/.test(rawId) ? Number(rawId) : rawId;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_ID) {
    return {
      ok: false,
      code: 'validation_failed',
      detail: `entity_id must be an integer from 1 to ${MAX_ID}.`,
    };
  }
  return { ok: true, target: { entity_type: type as ScopedEntityType, entity_id: id } };
}
