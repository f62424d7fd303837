import type { Response } from 'express';
import type { ErrorCode, FieldError } from '@ps/common';
import { ERROR_STATUS } from './error-status';

/** RFC 9457 problem document, with the product's stable `code` and per-field `errors`. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ErrorCode;
  request_id?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problemType(code: ErrorCode): string {
  return `urn:prompt-studio:problem:${code}`;
}

export function buildProblem(
  code: ErrorCode,
  detail: string,
  options: {
    instance?: string;
    requestId?: string;
    errors?: FieldError[];
    extra?: Record<string, unknown>;
  } = {},
): ProblemDocument {
  const { status, title } = ERROR_STATUS[code];
  return {
    ...options.extra,
    type: problemType(code),
    title,
    status,
    detail,
    ...(options.instance ? { instance: options.instance } : {}),
    code,
    ...(options.requestId ? { request_id: options.requestId } : {}),
    ...(options.errors && options.errors.length > 0 ? { errors: options.errors } : {}),
  };
}

export function sendProblem(res: Response, problem: ProblemDocument): void {
  if (res.headersSent) return;
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}
