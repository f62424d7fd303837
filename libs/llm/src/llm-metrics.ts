import { Counter, Histogram } from 'prom-client';
import { registeredMetric as metric } from '@ps/common';

/** Model-call metrics, exposed on /metrics of the API and the worker. */
export const llmMetrics = {
  calls: metric(
    'prompt_studio_llm_calls_total',
    () =>
      new Counter({
        name: 'prompt_studio_llm_calls_total',
        help: 'Model calls by provider, model and outcome (ok, cached, shared or an error kind).',
        labelNames: ['provider', 'model', 'outcome'],
      }),
  ),
  attempts: metric(
    'prompt_studio_llm_upstream_requests_total',
    () =>
      new Counter({
        name: 'prompt_studio_llm_upstream_requests_total',
        help: 'Requests sent to model vendors, retries included.',
        labelNames: ['provider', 'model'],
      }),
  ),
  tokens: metric(
    'prompt_studio_llm_tokens_total',
    () =>
      new Counter({
        name: 'prompt_studio_llm_tokens_total',
        help: 'Tokens billed by vendors, by direction (input, output).',
        labelNames: ['provider', 'model', 'direction'],
      }),
  ),
  cost: metric(
    'prompt_studio_llm_cost_usd_total',
    () =>
      new Counter({
        name: 'prompt_studio_llm_cost_usd_total',
        help: 'USD spent on model calls, from the price table.',
        labelNames: ['provider', 'model'],
      }),
  ),
  duration: metric(
    'prompt_studio_llm_call_duration_seconds',
    () =>
      new Histogram({
        name: 'prompt_studio_llm_call_duration_seconds',
        help: 'Wall time of model calls that went upstream, waits and retries included.',
        labelNames: ['provider', 'model'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      }),
  ),
  cacheLookups: metric(
    'prompt_studio_llm_cache_lookups_total',
    () =>
      new Counter({
        name: 'prompt_studio_llm_cache_lookups_total',
        help:
          'Response-cache lookups by provider and result: hit (stored answer, or an identical ' +
          'call in flight) or miss (the model is called).',
        labelNames: ['provider', 'result'],
      }),
  ),
  rateLimitWaits: metric(
    'prompt_studio_llm_rate_limit_waits_total',
    () =>
      new Counter({
        name: 'prompt_studio_llm_rate_limit_waits_total',
        help:
          'Waits for a rate limit, by provider and source: rpm or tpm (our shared limiter) or ' +
          'vendor (a 429 answer, retried after its Retry-After).',
        labelNames: ['provider', 'source'],
      }),
  ),
  rateLimitWaitSeconds: metric(
    'prompt_studio_llm_rate_limit_wait_seconds_total',
    () =>
      new Counter({
        name: 'prompt_studio_llm_rate_limit_wait_seconds_total',
        help: 'Time spent waiting for rate limits, by provider and source.',
        labelNames: ['provider', 'source'],
      }),
  ),
};
