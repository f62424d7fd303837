import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { Counter, Histogram } from 'prom-client';
import { requestIdOf } from '../http/request-id';
import { registeredMetric } from '../prometheus/registered-metric';
import { SpanKind, tracer } from './tracing';

const LABELS = ['method', 'route', 'status'] as const;

export const httpMetrics = {
  requests: registeredMetric(
    'prompt_studio_http_requests_total',
    () =>
      new Counter({
        name: 'prompt_studio_http_requests_total',
        help: 'HTTP requests answered, by method, route template and status code.',
        labelNames: LABELS,
      }),
  ),
  duration: registeredMetric(
    'prompt_studio_http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'prompt_studio_http_request_duration_seconds',
        help: 'Time from receiving a request to the end of its response.',
        labelNames: LABELS,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      }),
  ),
};

/** What Express adds to a request once a route matched it. */
interface RoutedRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
}

/**
 * The matched route template (`/api/v1/prompt-studio/projects/:id`), never the path itself: ids
 * in a label would make one series per entity. Requests no route matched share `unmatched`.
 */
export function routeOf(req: IncomingMessage): string {
  const routed = req as RoutedRequest;
  const path = routed.route?.path;
  return typeof path === 'string' ? `${routed.baseUrl ?? ''}${path}` : 'unmatched';
}

/**
 * Express middleware, first in the chain: counts and times every request by route and status,
 * and runs the request inside a server span (continuing the caller's W3C trace context) so job
 * envelopes and model calls made for it join the same trace. The span carries the method, route,
 * status and request id; never headers, bodies or the query string.
 */
export function httpObservability(): (
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
) => void {
  return (req, res, next) => {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'url.path': (req.url ?? '/').split('?')[0],
        },
      },
      parent,
    );
    res.once('close', () => {
      const route = routeOf(req);
      const status = res.statusCode;
      const labels = { method, route, status: String(status) };
      httpMetrics.requests.inc(labels);
      httpMetrics.duration.observe(labels, (performance.now() - started) / 1000);
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', status);
      const requestId = requestIdOf(req);
      if (requestId) span.setAttribute('prompt_studio.request_id', requestId);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
