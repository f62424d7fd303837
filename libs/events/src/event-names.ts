import type { EventPayloads } from './event-payloads';

/** Event names of DESIGN.md §5, shared by the publishers (worker, API) and the realtime hub. */
export const EVENT_TYPES = [
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
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

// Every event has a payload schema and every schema an event name: each side checks the other.
EVENT_TYPES satisfies readonly (keyof EventPayloads)[];
({}) as Record<keyof EventPayloads, true> satisfies Record<EventType, true>;

/** The payload of one event type. */
export type EventPayload<K extends EventType> = EventPayloads[K];

/** Every event on the wire: `{type, data, project_id, timestamp}`. */
export interface StudioEvent<K extends EventType = EventType> {
  type: K;
  data: EventPayload<K>;
  project_id: number | null;
  timestamp: string;
}

/**
 * Any event as a union narrowed by its `type`: after `if (event.type === 'evaluation_progress')`
 * the compiler knows `event.data`. (`StudioEvent` without a type argument is the loose form a
 * publisher of a computed type produces.)
 */
export type AnyStudioEvent = { [K in EventType]: StudioEvent<K> }[EventType];

/**
 * An event as it travels inside the product: the wire event plus the workspace it belongs to,
 * so the realtime hub never delivers it to a client of another workspace. Never sent to clients.
 * Subscribers receive the narrowing union; publishers may send the loose form.
 */
export interface ScopedEvent<E extends StudioEvent = AnyStudioEvent> {
  workspace_id: number;
  event: E;
}

export const ROOM_KINDS = ['project', 'evaluation', 'optimization', 'job'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

export function roomName(kind: RoomKind, id: number): string {
  return `${kind}:${id}`;
}

/** The rooms an event goes to: its project's room and the room of each entity it names. */
export function roomsOf(event: StudioEvent): string[] {
  const rooms: string[] = [];
  if (event.project_id !== null) rooms.push(roomName('project', event.project_id));
  const data: Partial<Record<string, unknown>> = event.data;
  const ids: [RoomKind, unknown][] = [
    ['job', data.job_id],
    ['evaluation', data.evaluation_id],
    ['optimization', data.optimization_id],
  ];
  for (const [kind, id] of ids) if (typeof id === 'number') rooms.push(roomName(kind, id));
  // Job events also reach the room of the entity the job works on (an evaluation, say).
  const entityType = data.entity_type;
  if (
    typeof data.entity_id === 'number' &&
    (entityType === 'evaluation' || entityType === 'optimization' || entityType === 'project')
  ) {
    const room = roomName(entityType, data.entity_id);
    if (!rooms.includes(room)) rooms.push(room);
  }
  return rooms;
}

/** A wire event of `type`, its payload checked against that type's schema at compile time. */
export function makeEvent<K extends EventType>(
  type: K,
  data: EventPayload<K>,
  projectId: number | null,
): StudioEvent<K> {
  return { type, data, project_id: projectId, timestamp: new Date().toISOString() };
}
