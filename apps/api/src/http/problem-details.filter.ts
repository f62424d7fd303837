import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, type ErrorCode, RateLimitedError } from '@ps/common';
import { buildProblem, sendProblem } from './problem';
import { requestIdOf } from '@ps/common';

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'validation_failed',
  [HttpStatus.NOT_FOUND]: 'route_not_found',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'payload_too_large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'unsupported_media_type',
  [HttpStatus.CONFLICT]: 'conflict',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'service_unavailable',
};

/**
 * The one place errors become responses: domain errors by their code, framework HTTP errors by
 * status, anything else as a 500 that names the request id and never leaks a stack or SQL.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const requestId = requestIdOf(req);
    const instance = req.originalUrl?.split('?')[0];

    if (exception instanceof DomainError) {
      if (exception instanceof RateLimitedError && !res.headersSent) {
        res.setHeader('Retry-After', String(exception.retryAfterSeconds));
      }
      if (exception.code === 'unauthenticated' || exception.code === 'invalid_credentials') {
        res.setHeader(
          'WWW-Authenticate',
          'Bearer realm="prompt-studio", ApiKey header="X-API-Key"',
        );
      }
      sendProblem(
        res,
        buildProblem(exception.code, exception.message, {
          instance,
          requestId,
          errors: exception.errors,
          extra: exception.extra,
        }),
      );
      return;
    }

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = STATUS_CODES[status];
      if (code) {
        const detail =
          status === 404 ? `No route ${req.method} ${instance ?? ''}.` : this.messageOf(exception);
        sendProblem(res, { ...buildProblem(code, detail, { instance, requestId }), status });
        return;
      }
      if (status < 500) {
        sendProblem(res, {
          ...buildProblem('validation_failed', this.messageOf(exception), { instance, requestId }),
          status,
          title: exception.name,
        });
        return;
      }
    }

    this.logger.error(
      { err: exception, request_id: requestId },
      `Unhandled error on ${req.method} ${instance ?? ''}`,
    );
    sendProblem(
      res,
      buildProblem(
        'internal_error',
        `An unexpected error occurred. Quote request id ${requestId ?? 'unknown'} when reporting it.`,
        { instance, requestId },
      ),
    );
  }

  private messageOf(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    return typeof message === 'string' ? message : exception.message;
  }
}
