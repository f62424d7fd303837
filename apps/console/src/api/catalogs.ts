import { useClient } from './session-context';
import {
  type Client,
  listMetrics,
  listOptimizationStrategies,
  listProviders,
  type MetricInfoDto,
  type ProviderDto,
  type StrategyDto,
  unwrap,
} from './studio';
import { type Loaded, useLoad } from '../lib/use-load';

/** Catalogues that do not change while the server runs, fetched once per session. */
const cache = new WeakMap<Client, Map<string, Promise<unknown>>>();

function once<T>(client: Client, key: string, load: () => Promise<T>): Promise<T> {
  let entries = cache.get(client);
  if (!entries) cache.set(client, (entries = new Map<string, Promise<unknown>>()));
  let entry = entries.get(key) as Promise<T> | undefined;
  if (!entry) {
    entry = load();
    entries.set(key, entry);
    // A failure is not remembered: the next view asks again.
    entry.catch(() => entries.delete(key));
  }
  return entry;
}

export function useProviders(): Loaded<ProviderDto[]> {
  const client = useClient();
  return useLoad(
    () => once(client, 'providers', () => unwrap(listProviders({ client })).then((r) => r.items)),
    [client],
  );
}

export function useMetricCatalog(): Loaded<MetricInfoDto[]> {
  const client = useClient();
  return useLoad(
    () => once(client, 'metrics', () => unwrap(listMetrics({ client })).then((r) => r.items)),
    [client],
  );
}

export function useStrategies(): Loaded<StrategyDto[]> {
  const client = useClient();
  return useLoad(
    () =>
      once(client, 'strategies', () =>
        unwrap(listOptimizationStrategies({ client })).then((r) => r.items),
      ),
    [client],
  );
}
