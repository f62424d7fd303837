import { register } from 'prom-client';

/**
 * The metric registered under `name`, made by `make` the first time. prom-client keeps one
 * registry per process and refuses a second metric of the same name, which happens when a test
 * process builds several apps or a module is loaded twice.
 */
export function registeredMetric<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}
