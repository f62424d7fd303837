import type { EvaluationsRepository, NewEvaluationResult } from '@ps/database';

/** Result rows per INSERT. */
const WRITE_BATCH = 50;
/** At most one progress report per interval (plus the final one). */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Writes results in batches (one statement each) and reports progress at most every
 * PROGRESS_INTERVAL_MS, and once more at the end unless nothing changed since the last report.
 * One batch is written while the cases go on; the case that fills another while it is still
 * being written waits for it, so a slow database slows the run instead of piling rows up. A
 * failed write fails the next push (and close). A crash loses at most the unwritten batches,
 * whose cases the next attempt simply runs again.
 */
export class ResultSink {
  private buffer: NewEvaluationResult[] = [];
  private writing: Promise<void> = Promise.resolve();
  private pending = 0;
  private failed: Error | undefined;
  private lastFlush = Date.now();
  private lastReport = 0;
  private reported = -1;
  private done = 0;

  constructor(
    private readonly evaluations: Pick<EvaluationsRepository, 'countResults' | 'insertResults'>,
    private readonly evaluationId: number,
    private readonly report: (done: number) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    this.done = await this.evaluations.countResults(this.evaluationId);
    await this.progress(true);
  }

  async push(row: NewEvaluationResult): Promise<void> {
    if (this.failed !== undefined) throw this.failed;
    this.buffer.push(row);
    if (this.buffer.length >= WRITE_BATCH || Date.now() - this.lastFlush >= PROGRESS_INTERVAL_MS) {
      const behind = this.pending > 0;
      const written = this.flush();
      if (behind) await written;
    }
  }

  close(): Promise<void> {
    return this.flush();
  }

  /** The last report, with the stored count; skipped when it says what the last one said. */
  async final(done: number): Promise<void> {
    this.done = done;
    await this.progress(true);
  }

  private flush(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.lastFlush = Date.now();
    if (batch.length === 0) return this.writing;
    this.pending++;
    const written = this.writing
      .then(async () => {
        this.done += await this.evaluations.insertResults(batch);
        await this.progress(false);
      })
      .finally(() => this.pending--);
    // Handled here (push and close report it), so a write nobody awaits fails nothing else.
    written.catch(
      (err: unknown) => (this.failed ??= err instanceof Error ? err : new Error(String(err))),
    );
    this.writing = written;
    return written;
  }

  private async progress(force: boolean): Promise<void> {
    const now = Date.now();
    if (this.done === this.reported) return;
    if (!force && now - this.lastReport < PROGRESS_INTERVAL_MS) return;
    this.lastReport = now;
    this.reported = this.done;
    await this.report(this.done);
  }
}
