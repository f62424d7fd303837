import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { logContextFields } from '../observability/log-context';
import { REDACTED, redactUrl } from './redact';
import { assignRequestId } from './request-id';

/**
 * Structured JSON logs (pino) with the request id on every line, and the job id (plus trace ids
 * when tracing) on every line written while a job runs. Credentials are redacted at the logger,
 * so no code path can leak them by logging a request: headers are never logged, and a key sent
 * as `?api_key=` is cut from the logged URL.
 */
export function loggerOptions(level: string, pretty: boolean): Params {
  return {
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
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
