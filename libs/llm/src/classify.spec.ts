import { classifyError, parseDuration, retryAfterMs } from './classify';

const headers = (h: Record<string, string>) => (name: string) => h[name];

describe('retry hints', () => {
  it.each([
    ['1s', 1000],
    ['6m0s', 360_000],
    ['20ms', 20],
    ['1h2m3.5s', 3_723_500],
    ['0.5', 500],
    ['soon', undefined],
    ['', undefined],
  ])('parses the duration %p', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('prefers retry-after-ms, then Retry-After, then the longest reset hint', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(1500);
    expect(retryAfterMs(headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(
      3000,
    );
    expect(
      retryAfterMs(
        headers({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s' }),
      ),
    ).toBe(360_000);
    expect(
      retryAfterMs(headers({ 'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:04Z' }), now),
    ).toBe(4000);
    expect(retryAfterMs(headers({}))).toBeUndefined();
  });
});

describe('classifyError', () => {
  const ctx = { provider: 'openai', model: 'gpt-4o' };
  const http = (status: number, message = 'boom', extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(message), { status, ...extra });

  it.each([
    [http(429), 'rate_limited', false],
    [http(429, 'You exceeded your current quota, please check your plan'), 'quota', true],
    [http(402), 'quota', true],
    [http(401), 'auth', true],
    [http(403), 'auth', true],
    [http(404), 'not_found', true],
    [http(408), 'timeout', false],
    [http(500), 'server', false],
    [http(503), 'server', false],
    [http(400), 'bad_request', false],
    [Object.assign(new Error('x'), { statusCode: 401 }), 'auth', true],
    [Object.assign(new Error('x'), { status_code: 404 }), 'not_found', true],
    [Object.assign(new Error('x'), { response: { status: 429 } }), 'rate_limited', false],
    [Object.assign(new Error('Request timed out.'), { name: 'TimeoutError' }), 'timeout', false],
    [Object.assign(new Error('fetch failed'), { code: 'ECONNREFUSED' }), 'server', false],
  ])('%p is %s (terminal %s)', (error, kind, terminal) => {
    const classified = classifyError(error, ctx);
    expect(classified.kind).toBe(kind);
    expect(classified.terminal).toBe(terminal);
  });

  it('reads wait hints from Headers objects and plain header maps', () => {
    const fromHeaders = classifyError(
      http(429, 'slow down', { headers: new Headers({ 'Retry-After': '1' }) }),
      ctx,
    );
    expect(fromHeaders.details.retryAfterMs).toBe(1000);
    const fromPlain = classifyError(
      http(429, 'x', { response: { status: 429, headers: { 'Retry-After-Ms': '250' } } }),
      ctx,
    );
    expect(fromPlain.details.retryAfterMs).toBe(250);
  });

  it("drops LangChain's troubleshooting link from the message", () => {
    const err = http(401, 'Incorrect API key\n\nTroubleshooting URL: https://example/\n');
    expect(classifyError(err, ctx).message).toBe('openai/gpt-4o: Incorrect API key');
  });
});

describe('classifyError messages', () => {
  it('never carries a key an SDK quoted from the request URL', () => {
    const error = classifyError(
      new Error(
        'fetch failed: https://generativelanguage.googleapis.com/v1beta/models/g:generateContent?key=AIzaSyLeaked',
      ),
      { provider: 'gemini', model: 'g' },
    );
    expect(error.message).not.toContain('AIzaSyLeaked');
    expect(error.message).toContain('?key=[REDACTED]');
  });
});
