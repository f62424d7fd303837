import { AsyncLocalStorage } from 'node:async_hooks';
import { activeTraceIds } from './tracing';

export type LogFields = Record<string, string | number | null>;

const storage = new AsyncLocalStorage<LogFields>();

/**
 * Runs `fn` with `fields` (job_id, request_id, ...) added to every log line written while it runs,
 * including lines from libraries it calls (the LLM client's retry warnings, say), so an operator
 * can grep one job id and see all of its lines.
 */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** What the logger adds to each line: the log context and, when tracing, the trace ids. */
export function logContextFields(): Record<string, unknown> {
  const fields = storage.getStore();
  const ids = activeTraceIds();
  return fields ? { ...fields, ...ids } : ids;
}
