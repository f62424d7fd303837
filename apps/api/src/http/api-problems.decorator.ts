import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: the problem document lists every bad field.',
  404: 'The resource does not exist in this workspace.',
  409: 'Conflicts with existing state (for example a duplicate name).',
  401: 'No credentials, or credentials that are not valid.',
  403: "The role or the key's scopes do not allow this.",
  413: 'The request body is too large.',
  415: 'The body is not JSON.',
  422: 'The Idempotency-Key was used before with a different request.',
  429: 'Rate limit reached; retry after the Retry-After seconds.',
  500: 'Unexpected error; the problem names the request id.',
  502: 'The model provider failed; `kind` says how (auth, quota, not_found, rate_limited, server, bad_request).',
  504: 'The model provider did not answer in time (after retries).',
  503: 'A dependency (such as the job queue) is unreachable; nothing was changed.',
};

/** The response object of a problem status, as the document writes it. */
export function problemResponse(status: number): {
  description: string;
  content: { 'application/problem+json': { schema: { $ref: string } } };
} {
  return {
    description: DESCRIPTIONS[status] ?? 'Error',
    content: {
      'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } },
    },
  };
}

/**
 * Documents the problem responses a route can give; every route may answer 400, 401, 429, 500.
 * (413 and 415, which any write request with a body can get, are added by the document builder.)
 */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([400, 401, 429, ...statuses, 500])].sort((a, b) => a - b);
  return applyDecorators(
    ...all.map((status) => ApiResponse({ status, ...problemResponse(status) })),
  );
}
