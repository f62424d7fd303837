import { startFakeLlm, type FakeLlmServer } from '../fakes';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

/** POST /prompts/{id}/execute with `stream: true`: tokens as Server-Sent Events, then the result. */
describe('streaming execute', () => {
  let t: TestApp;
  let fake: FakeLlmServer;
  let promptId: number;
  const model = { provider: 'openai', model: 'gpt-4o-mini' };

  beforeAll(async () => {
    fake = await startFakeLlm({ answer: () => 'one two three four five' });
    t = await startTestApp({
      env: { OPENAI_API_KEY: 'sk-stream', OPENAI_BASE_URL: `${fake.url}/v1`, LLM_MAX_RETRIES: '0' },
    });
    const project = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: 'stream' })
      .expect(201);
    const prompt = await t
      .http()
      .post(`${BASE}/prompts/create`)
      .send({
        project_id: project.body.id,
        name: 'p',
        user_prompt: 'Count: {n}',
        model_config: model,
      })
      .expect(201);
    promptId = prompt.body.id;
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const execute = (body: object) =>
    t.http().post(`${BASE}/prompts/${promptId}/execute`).buffer(true).send(body);

  it('streams tokens, then the same result as without streaming', async () => {
    const res = await execute({ inputs: { n: 1 }, stream: true }).expect(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const events = parseSse(res.text);
    const tokens = events.filter((e) => e.event === 'token').map((e) => e.data.text as string);
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe('one two three four five');
    const result = events.at(-1)!;
    expect(result.event).toBe('result');
    expect(result.data).toMatchObject({
      output: 'one two three four five',
      cached: false,
      usage: { input: 2, output: 5, total: 7 },
    });
    expect(fake.requests.at(-1)!.stream).toBe(true);

    const plain = await execute({ inputs: { n: 1 }, bypass_cache: true }).expect(200);
    expect(plain.body).toMatchObject({ output: result.data.output, usage: result.data.usage });
  });

  it('streams a cached answer as one token', async () => {
    const res = await execute({ inputs: { n: 1 }, stream: true }).expect(200);
    const events = parseSse(res.text);
    expect(events.map((e) => e.event)).toEqual(['token', 'result']);
    expect(events[1].data).toMatchObject({ cached: true, cost: 0 });
  });

  it('answers bad input and provider failures before the first token with a problem document', async () => {
    const bad = await execute({
      inputs: { n: 2 },
      stream: true,
      model_config: { provider: 'nope', model: 'x' },
    }).expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors[0].field).toBe('model_config.provider');

    fake.setOptions({ fail: () => ({ status: 401 }) });
    try {
      const denied = await execute({ inputs: { n: 3 }, stream: true }).expect(502);
      expect(denied.body).toMatchObject({ code: 'provider_error', kind: 'auth' });
    } finally {
      fake.setOptions({ fail: undefined });
    }
  });
});
