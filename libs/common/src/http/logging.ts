import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { type HttpLogger, type Options as PinoHttpOptions, pinoHttp } from 'pino-http';
import { logContextFields } from '../observability/log-context';
import { REDACTED, redactUrl } from './redact';
import { assignRequestId } from './request-id';

/**
 * Structured JSON logs (pino) with the request id on every line written while a request is
 * handled, and trace ids when tracing; a job's lines carry its id through the job's own logger
 * (JobContext.log). Credentials are redacted at the logger, so no code path can leak them by
 * logging a request: headers are never logged, and a key sent as `?api_key=` is cut from the
 * logged URL.
 *
 * `requests: false` (the worker, whose only routes are health and metrics) binds no per-request
 * logger: that binding is an AsyncLocalStorage, and on Node 20 one enabled AsyncLocalStorage
 * runs a hook on every promise of the process, which cost the worker 5–25% of its CPU per
 * evaluated case. The worker logs its requests with requestLog() instead.
 */
export function loggerOptions(
  level: string,
  pretty: boolean,
  { requests = true }: { requests?: boolean } = {},
): Params {
  return {
    forRoutes: requests ? [{ path: '{*path}', method: RequestMethod.ALL }] : [],
    pinoHttp: {
      level,
      genReqId: (req, res) => assignRequestId(req, res),
      customProps: (req) => ({ request_id: (req as { id?: string }).id }),
      mixin: logContextFields,
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health/') },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
        ],
        censor: REDACTED,
      },
      serializers: {
        req: (req: { id?: string; method?: string; url?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url === undefined ? undefined : redactUrl(req.url),
        }),
      },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
    },
  };
}

/**
 * One line per request, redacted as loggerOptions() does, without a per-request logger bound in
 * an AsyncLocalStorage: the worker's request log (its handlers never log per request).
 */
export function requestLog(level: string, pretty: boolean): HttpLogger {
  return pinoHttp(loggerOptions(level, pretty).pinoHttp as PinoHttpOptions);
}
