import type { NextFunction, Request, Response } from 'express';
import { buildProblem, sendProblem } from './problem';
import { requestIdOf } from '@ps/common';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * Express error handler placed right after the body parsers: malformed JSON, oversized bodies
 * and unknown charsets become problem documents before any route runs.
 */
export function bodyParserErrorHandler(
  err: BodyParserError,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  const instance = req.originalUrl.split('?')[0];
  const requestId = requestIdOf(req);
  switch (err.type) {
    case 'entity.parse.failed':
      sendProblem(
        res,
        buildProblem('invalid_json', `The request body is not valid JSON: ${err.message}`, {
          instance,
          requestId,
        }),
      );
      return;
    case 'entity.too.large':
      sendProblem(
        res,
        buildProblem(
          'payload_too_large',
          `The request body exceeds the limit of ${err.limit ?? 'the configured'} bytes.`,
          { instance, requestId },
        ),
      );
      return;
    case 'encoding.unsupported':
    case 'charset.unsupported':
      sendProblem(
        res,
        buildProblem('unsupported_media_type', err.message, { instance, requestId }),
      );
      return;
    default:
      next(err);
  }
}

/** Write requests must send JSON: anything else is a 415 rather than an empty body. */
export function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  // Already read by the streaming upload middleware.
  if (req.body !== undefined) {
    next();
    return;
  }
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'];
  if (hasBody && !req.is('application/json') && !req.is('application/*+json')) {
    sendProblem(
      res,
      buildProblem(
        'unsupported_media_type',
        `Send the body as application/json (got ${req.headers['content-type'] ?? 'no content type'}).`,
        { instance: req.originalUrl.split('?')[0], requestId: requestIdOf(req) },
      ),
    );
    return;
  }
  next();
}
