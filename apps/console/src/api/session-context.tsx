import {
  createContext,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { EventHub, type LiveStatus, type StudioEvent, type SubscriptionTarget } from './events';
import { type Client, type Credentials, createStudioClient } from './studio';

export interface Session {
  credentials: Credentials;
  client: Client;
  events: EventHub;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export function useClient(): Client {
  return useSession().client;
}

export function useSessionValue(credentials: Credentials, signOut: () => void): Session {
  const session = useMemo(
    () => ({
      credentials,
      client: createStudioClient(credentials),
      events: new EventHub(credentials),
      signOut,
    }),
    [credentials, signOut],
  );
  useEffect(() => {
    session.events.start();
    return () => session.events.close();
  }, [session]);
  return session;
}

/**
 * Joins an entity's room while the component is mounted and hands every event to `onEvent`
 * (the latest one passed, so callers need not memoise it).
 */
export function useLiveEvents(
  target: SubscriptionTarget | null,
  onEvent: (event: StudioEvent) => void,
): void {
  const { events } = useSession();
  const handler = useRef(onEvent);
  useLayoutEffect(() => {
    handler.current = onEvent;
  });
  const type = target?.entity_type;
  const id = target?.entity_id;
  useEffect(() => {
    if (type === undefined || id === undefined) return;
    const leave = events.follow({ entity_type: type, entity_id: id });
    const stop = events.listen((event) => handler.current(event));
    return () => {
      stop();
      leave();
    };
  }, [events, type, id]);
}

export function useLiveStatus(): { status: LiveStatus; received: number } {
  const { events } = useSession();
  const [state, setState] = useState({ status: events.status, received: events.received });
  useEffect(() => {
    const stopStatus = events.onStatus((status) => setState({ status, received: events.received }));
    const stopEvents = events.listen(() =>
      setState({ status: events.status, received: events.received }),
    );
    return () => {
      stopStatus();
      stopEvents();
    };
  }, [events]);
  return state;
}
