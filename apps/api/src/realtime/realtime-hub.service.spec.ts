import { Logger } from '@nestjs/common';
import type { EntityScopeRepository, ScopedEntityType } from '@ps/database';
import { type JobEventData, LocalEventBus, makeEvent, type StudioEvent } from '@ps/events';

const job = (id: number, progress: number): JobEventData => ({
  job_id: id,
  queue: 'maintenance',
  type: 'ping',
  entity_type: null,
  entity_id: null,
  status: 'processing',
  progress,
  attempts: 1,
});
import type { Actor } from '../http/actor';
import type { Permission } from '../auth/permissions';
import type { RealtimeClient } from './realtime-client';
import { parseSubscription } from './realtime-client';
import { MAX_ROOMS_PER_CLIENT, RealtimeHub } from './realtime-hub.service';

const actor = (workspaceId: number, permissions: Permission[] = ['read']): Actor => ({
  workspaceId,
  userId: workspaceId * 10,
  role: 'viewer',
  permissions: new Set(permissions),
  apiKeyId: 1,
  via: 'api_key',
});

/** Entities: project 1 and job 5 in workspace 1, project 2 in workspace 2. */
const scopes = {
  scopeOf: (type: ScopedEntityType, id: number) =>
    Promise.resolve(
      type === 'project' && id === 1
        ? { workspaceId: 1, projectId: 1 }
        : type === 'project' && id === 2
          ? { workspaceId: 2, projectId: 2 }
          : type === 'job' && id === 5
            ? { workspaceId: 1, projectId: 1 }
            : type === 'evaluation' && id <= 1_000
              ? { workspaceId: 1, projectId: 1 }
              : null,
    ),
} as unknown as EntityScopeRepository;

function client(of: Actor): RealtimeClient & { received: StudioEvent[]; closed: boolean } {
  const c = {
    actor: of,
    received: [] as StudioEvent[],
    closed: false,
    send: (event: StudioEvent) => void c.received.push(event),
    close: () => void (c.closed = true),
  };
  return c;
}

describe('RealtimeHub', () => {
  let bus: LocalEventBus;
  let hub: RealtimeHub;

  beforeEach(() => {
    bus = new LocalEventBus();
    hub = new RealtimeHub(bus, scopes);
    hub.onModuleInit();
  });

  afterEach(() => hub.beforeApplicationShutdown());

  it('refuses without the read permission, and hides other workspaces as not found', async () => {
    expect(
      await hub.authorize(actor(1, []), { entity_type: 'project', entity_id: 1 }),
    ).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await hub.authorize(actor(1), { entity_type: 'project', entity_id: 2 })).toEqual({
      ok: false,
      code: 'not_found',
      detail: 'Project 2 was not found.',
    });
    expect(await hub.authorize(actor(1), { entity_type: 'job', entity_id: 6 })).toMatchObject({
      ok: false,
      code: 'not_found',
    });
    expect(await hub.authorize(actor(1), { entity_type: 'job', entity_id: 5 })).toEqual({
      ok: true,
      room: 'job:5',
    });
  });

  it('delivers the wire event once per client, only within the workspace', async () => {
    const mine = client(actor(1));
    const theirs = client(actor(2));
    hub.connect(mine);
    hub.connect(theirs);
    await hub.subscribe(mine, { entity_type: 'project', entity_id: 1 });
    await hub.subscribe(mine, { entity_type: 'job', entity_id: 5 });
    await hub.subscribe(theirs, { entity_type: 'project', entity_id: 2 });

    const event = makeEvent('job_progress', job(5, 10), 1);
    await bus.publish({ workspace_id: 1, event });
    // Names project 2's room, but belongs to workspace 1: never reaches workspace 2.
    await bus.publish({ workspace_id: 1, event: makeEvent('job_failed', job(9, 0), 2) });

    expect(mine.received).toEqual([event]);
    expect(theirs.received).toEqual([]);
  });

  it('forgets a client on disconnect and closes the rest at shutdown', async () => {
    const a = client(actor(1));
    const b = client(actor(1));
    hub.connect(a);
    hub.connect(b);
    await hub.subscribe(a, { entity_type: 'project', entity_id: 1 });
    await hub.subscribe(b, { entity_type: 'project', entity_id: 1 });
    hub.disconnect(a);
    await bus.publish({ workspace_id: 1, event: makeEvent('job_created', job(1, 0), 1) });
    expect(a.received).toHaveLength(0);
    expect(b.received).toHaveLength(1);
    expect(await hub.subscribe(a, { entity_type: 'project', entity_id: 1 })).toMatchObject({
      ok: false,
    });
    hub.beforeApplicationShutdown();
    expect(b.closed).toBe(true);
    expect(hub.clientCount).toBe(0);
  });

  it('limits the rooms of one connection', async () => {
    const c = client(actor(1));
    hub.connect(c);
    for (let id = 1; id <= MAX_ROOMS_PER_CLIENT; id++) {
      expect((await hub.subscribe(c, { entity_type: 'evaluation', entity_id: id })).ok).toBe(true);
    }
    expect(
      await hub.subscribe(c, { entity_type: 'evaluation', entity_id: MAX_ROOMS_PER_CLIENT + 1 }),
    ).toMatchObject({ ok: false, code: 'limit_exceeded' });
  });

  it('ignores malformed bus messages', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      expect(() => hub.deliver({} as never)).not.toThrow();
      expect(() => hub.deliver({ workspace_id: 1, event: { type: 'x' } } as never)).not.toThrow();
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('parseSubscription', () => {
  it.each([
    [
      { entity_type: 'job', entity_id: 3 },
      { entity_type: 'job', entity_id: 3 },
    ],
    [
      { entity_type: 'project', entity_id: '12' },
      { entity_type: 'project', entity_id: 12 },
    ],
  ])('accepts %j', (body, target) => {
    expect(parseSubscription(body)).toEqual({ ok: true, target });
  });

  it.each([
    null,
    'job',
    [],
    { entity_type: 'prompt', entity_id: 1 },
    { entity_type: 'job', entity_id: 0 },
    { entity_type: 'job', entity_id: 1.5 },
    { entity_type: 'job', entity_id: '1e3' },
    { entity_type: 'job' },
  ])('refuses %j', (body) => {
    expect(parseSubscription(body)).toMatchObject({ ok: false, code: 'validation_failed' });
  });
});
