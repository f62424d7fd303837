/** Event names of DESIGN.md §5, shared by the publisher (worker) and the gateway (API). */
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
  'optimization_completed',
  'test_cases_generated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Every event on the wire: `{type, data, project_id, timestamp}`. */
export interface StudioEvent<T = Record<string, unknown>> {
  type: EventType;
  data: T;
  project_id: number | null;
  timestamp: string;
}

export const ROOM_KINDS = ['project', 'evaluation', 'optimization', 'job'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

export function roomName(kind: RoomKind, id: number): string {
  return `${kind}:${id}`;
}
