import { activeTraceIds } from './tracing';

/**
 * What the logger adds to each line: the trace ids, when tracing. A job's own fields (job_id,
 * request_id) are bound by its logger (JobContext.log), not kept in an AsyncLocalStorage: on
 * Node 20 an enabled AsyncLocalStorage runs a hook on every promise the process creates.
 */
export function logContextFields(): Record<string, unknown> {
  return activeTraceIds();
}
