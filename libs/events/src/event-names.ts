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
  'optimization_completed',
  'test_cases_generated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type JobEventData = {
  job_id: number;
  queue: string;
  type: string;
  entity_type: string | null;
  entity_id: number | null;
  status: string;
  progress: number;
  attempts: number;
  error?: string | null;
  result?: Record<string, unknown> | null;
};

export type EvaluationProgressData = {
  evaluation_id: number;
  completed: number;
  total: number;
  /** Percent, 0..100. */
  progress: number;
};

export type OptimizationIterationData = {
  optimization_id: number;
  iteration: number;
  max_iterations: number;
  current_metric: number | null;
  best_metric: number | null;
};

/** Every event on the wire: `{type, data, project_id, timestamp}`. */
export interface StudioEvent<T = Record<string, unknown>> {
  type: EventType;
  data: T;
  project_id: number | null;
  timestamp: string;
}

/**
 * An event as it travels inside the product: the wire event plus the workspace it belongs to,
 * so the realtime hub never delivers it to a client of another workspace. Never sent to clients.
 */
export interface ScopedEvent<T = Record<string, unknown>> {
  workspace_id: number;
  event: StudioEvent<T>;
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
  const data = event.data;
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

export function makeEvent<T extends object>(
  type: EventType,
  data: T,
  projectId: number | null,
): StudioEvent<T> {
  return { type, data, project_id: projectId, timestamp: new Date().toISOString() };
}
