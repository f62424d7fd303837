import { parseRetryAfter, retryingFetch } from './retry-fetch';

/** A scripted server answer sequence behind an injected fetch, recording what it received. */
function scripted(answers: Array<{ status: number; headers?: Record<string, string> }>) {
  const seen: Array<{ method: string; body: string }> = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    seen.push({ method: request.method, body: await request.text() });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return new Response(`{"status":${next.status}}`, next);
  };
  return { fetchImpl, seen };
}

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('retryingFetch', () => {
  it('retries 429 and 503 waiting what Retry-After asks, resending the body', async () => {
    const { fetchImpl, seen } = scripted([
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 503, headers: { 'retry-after': '1' } },
      { status: 201 },
    ]);
    const waits: number[] = [];
    const retried: number[] = [];
    const f = retryingFetch({
      fetch: fetchImpl,
      sleep: (ms) => Promise.resolve(void waits.push(ms)),
      onRetry: (info) => retried.push(info.status),
    });
    const res = await f('http://api.test/x', { method: 'POST', body: '{"a":1}' });
    expect(res.status).toBe(201);
    expect(waits).toEqual([2000, 1000]);
    expect(retried).toEqual([429, 503]);
    expect(seen).toEqual([
      { method: 'POST', body: '{"a":1}' },
      { method: 'POST', body: '{"a":1}' },
      { method: 'POST', body: '{"a":1}' },
    ]);
  });

  it('backs off exponentially without Retry-After, caps waits, and returns the last answer', async () => {
    const { fetchImpl, seen } = scripted([
      { status: 503 },
      { status: 503 },
      { status: 429, headers: { 'retry-after': '3600' } },
      { status: 429 },
    ]);
    const waits: number[] = [];
    const f = retryingFetch({
      fetch: fetchImpl,
      retries: 3,
      baseDelayMs: 100,
      maxDelayMs: 5000,
      sleep: (ms) => Promise.resolve(void waits.push(ms)),
    });
    const res = await f('http://api.test/x');
    expect(res.status).toBe(429);
    expect(waits).toEqual([100, 200, 5000]);
    expect(seen).toHaveLength(4);
  });

  it('does not retry other statuses, nor at all when retries is 0', async () => {
    for (const status of [400, 404, 500, 502]) {
      const { fetchImpl, seen } = scripted([{ status }, { status: 200 }]);
      const res = await retryingFetch({ fetch: fetchImpl, sleep: () => Promise.resolve() })(
        'http://a.test',
      );
      expect(res.status).toBe(status);
      expect(seen).toHaveLength(1);
    }
    const { fetchImpl, seen } = scripted([{ status: 429 }, { status: 200 }]);
    const res = await retryingFetch({ fetch: fetchImpl, retries: 0 })('http://a.test');
    expect(res.status).toBe(429);
    expect(seen).toHaveLength(1);
  });
});
