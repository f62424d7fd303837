import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Uses the caller's X-Request-ID when it is a sane token, otherwise makes one; echoes it on the
 * response. The logger calls this once per request, so logs, problems and jobs share the id.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const existing = (req as IncomingMessage & { id?: unknown }).id;
  if (typeof existing === 'string') return existing;
  const header = req.headers[REQUEST_ID_HEADER];
  const candidate = Array.isArray(header) ? header[0] : header;
  const id = candidate && ACCEPTABLE.test(candidate) ? candidate : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  res.setHeader('X-Request-ID', id);
  return id;
}

export function requestIdOf(req: IncomingMessage): string | undefined {
  const id = (req as IncomingMessage & { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}
