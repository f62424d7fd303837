import type { LlmCacheEntry, LlmCacheRecord } from '@ps/database';
import type { CacheStore } from './response-cache';

/** A store that reads and writes many entries in one statement each. */
export interface BulkCacheStore {
  takeMany(keys: readonly string[]): Promise<Map<string, LlmCacheRecord>>;
  putMany(entries: readonly LlmCacheEntry[]): Promise<void>;
}

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers calls into batches: the calls made until the event loop turns, and, while a statement
 * is in flight, every call made until it ends (so under load a batch grows with the load instead
 * of the database seeing one small statement per turn). A full batch goes at once.
 */
class Batcher<T, R> {
  private queue: Waiting<T, R>[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly max: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.max) this.flush();
      else if (!this.scheduled && this.inFlight === 0) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
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
        if (this.inFlight === 0 && this.queue.length > 0) this.flush();
      });
  }
}

/**
 * The response cache with its reads and writes batched: the look-ups (and the writes) asked for
 * while the event loop runs one phase, or while the previous statement runs, go to the database
 * as one statement, instead of one round trip per model call. Every caller still waits for its own statement to finish, so a written
 * entry is in the database before the call that wrote it returns (a resumed run finds it).
 */
export class BatchingCacheStore implements CacheStore {
  private readonly reads: Batcher<string, LlmCacheRecord | undefined>;
  private readonly writes: Batcher<LlmCacheEntry, undefined>;

  constructor(store: BulkCacheStore, maxBatch = 200) {
    this.reads = new Batcher(async (keys) => {
      const found = await store.takeMany(keys);
      return keys.map((k) => found.get(k));
    }, maxBatch);
    this.writes = new Batcher(async (entries) => {
      await store.putMany(entries);
      return entries.map(() => undefined);
    }, maxBatch);
  }

  take(key: string): Promise<LlmCacheRecord | undefined> {
    return this.reads.add(key);
  }

  async put(entry: LlmCacheEntry): Promise<void> {
    await this.writes.add(entry);
  }
}
