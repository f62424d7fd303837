import { DataSource, type EntitySubscriberInterface } from 'typeorm';
import type { Response } from 'supertest';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/**
 * `POST /evaluations/create?wait=true` waits for the run's `evaluation_completed` event, not by
 * reading the run again and again: it answers as soon as the run ends (or is cancelled), reads
 * the run a constant number of times however long it waits, and answers 202 at
 * EVALUATION_WAIT_SECONDS. The offline mock model's `delay_ms` sets how long each case takes.
 */

jest.setTimeout(60_000);

const WAIT_SECONDS = 3;

describe('wait=true on evaluation create', () => {
  let t: TestApp;
  let projectId: number;
  let promptId: number;
  /** SQL statements that read a run in the API (the runner reads it by another query). */
  const runReads: string[] = [];

  const post = (path: string, body: object) => t.http().post(`${BASE}${path}`).send(body);

  function expectStatus(res: Response, status: number): void {
    if (res.status !== status) {
      throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    }
  }

  async function cases(words: string[]): Promise<number[]> {
    const res = await post('/test-cases/bulk', {
      project_id: projectId,
      test_cases: words.map((word) => ({ name: word, inputs: { word } })),
    });
    expectStatus(res, 201);
    return res.body.items.map((c: { id: number }) => c.id);
  }

  const model = (delayMs: number) => ({
    provider: 'mock',
    model: 'mock-echo',
    parameters: { delay_ms: delayMs },
  });

  beforeAll(async () => {
    t = await startTestApp({
      env: { EVALUATION_WAIT_SECONDS: String(WAIT_SECONDS), QUEUE_CONCURRENCY_EVALUATION: '1' },
    });
    const counter: EntitySubscriberInterface = {
      beforeQuery: (event) => {
        if (/FROM "evaluations" "e"/.test(event.query)) runReads.push(event.query);
      },
    };
    t.app.get(DataSource).subscribers.push(counter);
    const project = await post('/projects/create', { name: 'waiting' });
    expectStatus(project, 201);
    projectId = project.body.id;
    const prompt = await post('/prompts/create', {
      project_id: projectId,
      name: 'echo',
      user_prompt: 'Say {word}',
    });
    expectStatus(prompt, 201);
    promptId = prompt.body.id;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 200 when the run ends, having read it twice however long it ran', async () => {
    const ids = await cases(['alpha', 'beta', 'gamma', 'delta']);
    runReads.length = 0;
    const started = Date.now();
    const res = await post('/evaluations/create?wait=true', {
      prompt_id: promptId,
      test_case_ids: ids,
      concurrency: 1,
      model_config: model(400),
    });
    const elapsed = Date.now() - started;
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ status: 'completed', progress: 100, test_case_count: 4 });
    // Four cases of 400 ms one after the other, and an answer as soon as the last one is scored.
    expect(elapsed).toBeGreaterThanOrEqual(1600);
    expect(elapsed).toBeLessThan(WAIT_SECONDS * 1000);
    // Before the first and after the event: polling every 100 ms would have read it ~16 times.
    expect(runReads.length).toBeLessThanOrEqual(2);
  });

  it('answers 202 with the running run at EVALUATION_WAIT_SECONDS', async () => {
    const [id] = await cases(['slow']);
    const started = Date.now();
    const res = await post('/evaluations/create?wait=true', {
      prompt_id: promptId,
      test_case_ids: [id],
      model_config: model(WAIT_SECONDS * 1000 + 3000),
    });
    const elapsed = Date.now() - started;
    expectStatus(res, 202);
    expect(res.body.status).toBe('running');
    expect(elapsed).toBeGreaterThanOrEqual(WAIT_SECONDS * 1000 - 50);
    expect(elapsed).toBeLessThan(WAIT_SECONDS * 1000 + 1500);
    expectStatus(await post(`/evaluations/cancel/${res.body.id}`, {}), 200);
  });

  it('answers at once when a waited run is cancelled before it started', async () => {
    const [first, second] = await cases(['blocking', 'queued']);
    // The only evaluation slot is taken, so the next run waits in the queue.
    const blocker = await post('/evaluations/create', {
      prompt_id: promptId,
      test_case_ids: [first],
      model_config: model(10_000),
    });
    expectStatus(blocker, 202);
    const started = Date.now();
    const waiting = post('/evaluations/create?wait=true', {
      prompt_id: promptId,
      test_case_ids: [second],
      model_config: model(0),
    }).then((res) => res);
    // Find the queued run and cancel it while the create request is still waiting.
    let queuedId: number | undefined;
    while (queuedId === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const list = await t.http().get(`${BASE}/evaluations/list?status=pending`);
      queuedId = list.body.items.find((e: { id: number }) => e.id !== blocker.body.id)?.id;
    }
    expectStatus(await post(`/evaluations/cancel/${queuedId}`, {}), 200);
    const res = await waiting;
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ id: queuedId, status: 'cancelled' });
    // Woken by the cancellation's event, well before the wait would have ended.
    expect(Date.now() - started).toBeLessThan(WAIT_SECONDS * 1000 - 500);
    expectStatus(await post(`/evaluations/cancel/${blocker.body.id}`, {}), 200);
  });
});
