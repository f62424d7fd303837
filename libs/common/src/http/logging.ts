import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { assignRequestId } from './request-id';

/**
 * Structured JSON logs (pino) with the request id on every line. Credentials are redacted at the
 * logger, so no code path can leak them by logging a request.
 */
export function loggerOptions(level: string, pretty: boolean): Params {
  return {
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level,
      genReqId: (req, res) => assignRequestId(req, res),
      customProps: (req) => ({ request_id: (req as { id?: string }).id }),
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health/') },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id?: string; method?: string; url?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
      },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
    },
  };
}
