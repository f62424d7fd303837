import { Counter, Histogram, register } from 'prom-client';

function metric<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

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
};
