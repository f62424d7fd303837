import type { EventPayloads, EventType } from '@ps/events';
import { EVENT_TYPES } from '@ps/events';
import { STUDIO_EVENT_TYPES, type StudioEventMap } from './studio-events';

/**
 * The SDK's event map comes from the OpenAPI document; the server's comes from the zod payload
 * schemas in libs/events. They must describe the same events with the same payloads: the type
 * assertions below fail compilation (and so this spec) when either side drifts.
 */

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type PayloadsAgree = { [K in EventType]: Same<EventPayloads[K], StudioEventMap[K]['data']> };
type AllTrue<T> = T[keyof T] extends true ? true : false;

const payloadsAgree: AllTrue<PayloadsAgree> = true;
const namesAgree: Same<EventType, keyof StudioEventMap> = true;

describe('SDK event map', () => {
  it('names the same events as the server, with the same payload types', () => {
    expect(payloadsAgree && namesAgree).toBe(true);
    expect([...STUDIO_EVENT_TYPES].sort()).toEqual([...EVENT_TYPES].sort());
  });
});
