import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (keeping the current data on screen meanwhile). */
  reload: () => void;
  /** Replaces the data locally (after a write whose answer is the new state). */
  set: (data: T) => void;
}

const sameDeps = (a: readonly unknown[] | null, b: readonly unknown[]) =>
  a !== null && a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

interface State<T> {
  data?: T;
  error: unknown;
  /** The deps the data (or error) was loaded for. */
  forDeps: readonly unknown[] | null;
  reloading: boolean;
}

/**
 * Loads `load()` when `deps` change. An answer for deps that have changed since is dropped, so a
 * slow answer never overwrites a newer one. The previous data stays on screen until the new
 * answer replaces it (pages and filters do not flicker); `loading` says a load is under way.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<State<T>>({ error: null, forDeps: null, reloading: false });
  const [nonce, setNonce] = useState(0);
  const loader = useRef(load);
  useLayoutEffect(() => {
    loader.current = load;
  });

  useEffect(() => {
    let live = true;
    const mine = deps;
    loader.current().then(
      (data) => {
        if (live) setState({ data, error: null, forDeps: mine, reloading: false });
      },
      (error: unknown) => {
        if (live) setState((s) => ({ ...s, error, forDeps: mine, reloading: false }));
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, nonce]);

  const reload = useCallback(() => {
    setState((s) => ({ ...s, reloading: true }));
    setNonce((n) => n + 1);
  }, []);
  const set = useCallback(
    (data: T) => setState((s) => ({ ...s, data, error: null, reloading: false })),
    [],
  );
  return {
    data: state.data,
    error: state.error,
    loading: state.reloading || !sameDeps(state.forDeps, deps),
    reload,
    set,
  };
}
