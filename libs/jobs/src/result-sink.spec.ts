import type { NewEvaluationResult } from '@ps/database';
import { ResultSink } from './result-sink';

function row(testCaseId: number): NewEvaluationResult {
  return {
    evaluationId: 1,
    testCaseId,
    repeatIndex: 0,
    output: 'x',
    parsedOutput: null,
    scores: {},
    details: null,
    aggregateScore: 1,
    passed: true,
    status: 'ok',
    error: null,
    latencyMs: 1,
    tokensIn: 1,
    tokensOut: 1,
    cost: 0,
    cached: false,
  };
}

/** A results table whose inserts finish when the test says so (or fail). */
class SlowTable {
  stored: number[] = [];
  private waiting: Array<{ rows: NewEvaluationResult[]; settle: (err?: Error) => void }> = [];

  countResults(): Promise<number> {
    return Promise.resolve(this.stored.length);
  }

  insertResults(rows: NewEvaluationResult[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({
        rows,
        settle: (err) => {
          if (err) return reject(err);
          this.stored.push(...rows.map((r) => r.testCaseId));
          resolve(rows.length);
        },
      });
    });
  }

  get inFlight(): number {
    return this.waiting.length;
  }

  finishNext(err?: Error): void {
    this.waiting.shift()!.settle(err);
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Resolves true when `promise` has settled after a few turns of the event loop. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await tick();
  return done;
}

describe('ResultSink', () => {
  it('lets the cases go on while one batch is written, and holds the one that fills a second', async () => {
    const table = new SlowTable();
    const reports: number[] = [];
    const sink = new ResultSink(table, 1, (done) => {
      reports.push(done);
      return Promise.resolve();
    });
    await sink.start();
    for (let i = 1; i < 50; i++) expect(await settled(sink.push(row(i)))).toBe(true);
    // The 50th row fills the batch: it is written, and the push does not wait for it.
    expect(await settled(sink.push(row(50)))).toBe(true);
    expect(table.inFlight).toBe(1);
    for (let i = 51; i < 100; i++) expect(await settled(sink.push(row(i)))).toBe(true);
    // The 100th fills a second batch while the first is still being written: that push waits.
    const held = sink.push(row(100));
    expect(await settled(held)).toBe(false);
    table.finishNext();
    await tick();
    table.finishNext();
    expect(await settled(held)).toBe(true);
    await sink.close();
    expect(table.stored).toHaveLength(100);
    await sink.final(await table.countResults());
    expect(reports).toEqual([0, 100]);
  });

  it('fails the next push and close after a write failed, and loses nothing already stored', async () => {
    const table = new SlowTable();
    const sink = new ResultSink(table, 1, () => Promise.resolve());
    await sink.start();
    for (let i = 1; i <= 50; i++) await sink.push(row(i));
    table.finishNext(new Error('connection reset'));
    await tick();
    await expect(sink.push(row(51))).rejects.toThrow('connection reset');
    await expect(sink.close()).rejects.toThrow('connection reset');
    expect(table.stored).toHaveLength(0);
  });
});
