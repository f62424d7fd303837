import type { LlmCacheEntry, LlmCacheRecord } from '@ps/database';
import type { CachePutOptions, CacheStore } from './response-cache';

/** A store that reads and writes many entries in one statement each. */
export interface BulkCacheStore {
  takeMany(keys: readonly string[]): Promise<Map<string, LlmCacheRecord>>;
  putMany(entries: readonly LlmCacheEntry[]): Promise<void>;
}

interface Waiting<T, R> {
  item: T;
  /** Nobody waits on this one to go on: it may wait `lingerMs` for others to join it. */
  lazy: boolean;
  resolve: (value: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers calls into batches: the calls made until the event loop turns, and, while a statement
 * is in flight, every call made until it ends (so under load a batch grows with the load instead
 * of the database seeing one small statement per turn). A full batch goes at once. Lazy calls
 * (whose callers do not wait on them) wait up to `lingerMs` for company, so even at low load they
 * go several to a statement; an eager call arriving meanwhile takes them along on the next turn.
 */
class Batcher<T, R> {
  private queue: Waiting<T, R>[] = [];
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly max: number,
    private readonly lingerMs = 0,
  ) {}

  add(item: T, lazy = false): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, lazy: lazy && this.lingerMs > 0, resolve, reject });
      if (this.queue.length >= this.max) this.flush();
      else if (this.inFlight === 0) this.schedule();
    });
  }

  /** Sends the queue on the next turn, or once the oldest lazy call has lingered long enough. */
  private schedule(): void {
    if (this.immediate || this.queue.length === 0) return;
    if (this.queue.some((w) => !w.lazy)) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.immediate = setImmediate(() => this.flush());
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    }
  }

  private flush(): void {
    clearImmediate(this.immediate);
    clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
    const batch = this.queue.splice(0, this.max);
    if (batch.length === 0) return;
    this.inFlight++;
    this.run(batch.map((w) => w.item))
      .then(
        (results) => batch.forEach((w, i) => w.resolve(results[i])),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        this.inFlight--;
        if (this.inFlight > 0) return;
        if (this.queue.length >= this.max || this.queue.some((w) => !w.lazy)) this.flush();
        else this.schedule();
      });
  }
}

/**
 * The response cache with its reads and writes batched: the look-ups (and the writes) asked for
 * while the event loop runs one phase, or while the previous statement runs, go to the database
 * as one statement, instead of one round trip per model call. Every caller still waits for its
 * own statement to finish, so a written entry is in the database before its `put` resolves (a
 * resumed run finds it). A lazy write (`{ lazy: true }`: the caller has its answer and does not
 * wait on the write) may wait up to `writeLingerMs` (50 ms) for others, so a run at low
 * concurrency writes several answers a statement instead of one each.
 */
export class BatchingCacheStore implements CacheStore {
  private readonly reads: Batcher<string, LlmCacheRecord | undefined>;
  private readonly writes: Batcher<LlmCacheEntry, undefined>;

  constructor(store: BulkCacheStore, maxBatch = 200, writeLingerMs = 50) {
    this.reads = new Batcher(async (keys) => {
      const found = await store.takeMany(keys);
      return keys.map((k) => found.get(k));
    }, maxBatch);
    this.writes = new Batcher(
      async (entries) => {
        await store.putMany(entries);
        return entries.map(() => undefined);
      },
      maxBatch,
      writeLingerMs,
    );
  }

  take(key: string): Promise<LlmCacheRecord | undefined> {
    return this.reads.add(key);
  }

  async put(entry: LlmCacheEntry, options: CachePutOptions = {}): Promise<void> {
    await this.writes.add(entry, options.lazy);
  }
}
