import { randomBytes } from 'node:crypto';
import { createProject, listProjects, StudioApiError, StudioClient, unwrap } from '@ps/sdk';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The SDK's retry layer against the API's real rate limiter: a create answered 429 with
 * Retry-After is sent again after the seconds the server asked for, and then succeeds; with
 * retries off the 429 reaches the caller as a problem document.
 */

jest.setTimeout(60_000);

const WINDOW_SECONDS = 2;
const CREATES_PER_WINDOW = 2;

interface Sent {
  at: number;
  status: number;
  retryAfter: string | null;
}

describe('SDK retries on 429 with Retry-After (real API rate limits)', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
        RATE_LIMIT_CREATE_PROJECT: String(CREATES_PER_WINDOW),
      },
    });
    await t.app.listen(0, '127.0.0.1');
    url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A fetch that records what each attempt got, under the SDK's retry layer. */
  function recordingFetch(sent: Sent[]): typeof fetch {
    return async (input, init) => {
      const response = await fetch(input, init);
      sent.push({
        at: Date.now(),
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
      });
      return response;
    };
  }

  const name = () => `retry-${randomBytes(4).toString('hex')}`;

  it('waits what Retry-After says, sends the request again and gets it through', async () => {
    const sent: Sent[] = [];
    const retries: { status: number; delayMs: number; attempt: number }[] = [];
    const studio = new StudioClient({
      baseUrl: url,
      apiKey: t.ownerKey,
      fetch: recordingFetch(sent),
      retry: { retries: 3, onRetry: (r) => retries.push(r) },
    });
    const created: number[] = [];
    // More creates than one window allows: at least one is limited on the way.
    for (let i = 0; i < CREATES_PER_WINDOW + 2; i++) {
      const project = await unwrap(
        createProject({ client: studio.client, body: { name: name() } }),
      );
      created.push(project.id);
    }
    expect(created).toHaveLength(CREATES_PER_WINDOW + 2);
    expect(retries.length).toBeGreaterThan(0);

    const limited = sent.flatMap((s, i) => (s.status === 429 ? [i] : []));
    expect(limited).toHaveLength(retries.length);
    for (const [k, i] of limited.entries()) {
      const seconds = Number(sent[i].retryAfter);
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(WINDOW_SECONDS);
      expect(retries[k]).toMatchObject({ status: 429, delayMs: seconds * 1000 });
      // The next attempt went out no sooner than the server asked (timer slack aside).
      expect(sent[i + 1].at - sent[i].at).toBeGreaterThanOrEqual(seconds * 1000 - 50);
      expect(sent[i + 1].status).toBe(201);
    }
    // Each create landed once: a retried 429 never made a project.
    const page = await unwrap(listProjects({ client: studio.client, query: { per_page: 100 } }));
    for (const id of created) expect(page.items.map((p) => p.id)).toContain(id);
    expect(sent.filter((s) => s.status === 201)).toHaveLength(created.length);
  });

  it('hands the 429 problem to the caller when retries are off', async () => {
    const studio = new StudioClient({ baseUrl: url, apiKey: t.ownerKey, retry: false });
    let refused: unknown;
    for (let i = 0; i <= CREATES_PER_WINDOW && !refused; i++) {
      refused = await unwrap(createProject({ client: studio.client, body: { name: name() } })).then(
        () => undefined,
        (err: unknown) => err,
      );
    }
    expect(refused).toBeInstanceOf(StudioApiError);
    expect(refused).toMatchObject({
      status: 429,
      problem: { code: 'rate_limited', status: 429 },
    });
  });
});
