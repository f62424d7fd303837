import type { LlmCacheEntry, LlmCacheRecord } from '@ps/database';
import { BatchingCacheStore, type BulkCacheStore } from './batching-cache-store';

/** A bulk store in memory that records every statement it ran. */
function memoryStore() {
  const rows = new Map<string, LlmCacheRecord>();
  const statements: string[] = [];
  const store: BulkCacheStore = {
    takeMany: (keys) => {
      statements.push(`take ${keys.length}`);
      return Promise.resolve(
        new Map(keys.filter((k) => rows.has(k)).map((k) => [k, rows.get(k)!])),
      );
    },
    putMany: (entries) => {
      statements.push(`put ${entries.length}`);
      for (const e of entries) rows.set(e.key, { response: e.response, usage: e.usage });
      return Promise.resolve();
    },
  };
  return { rows, statements, store };
}

const entry = (key: string): LlmCacheEntry => ({
  key,
  provider: 'openai',
  model: 'gpt-4o-mini',
  response: { text: key },
  usage: { input: 1, output: 1 },
  ttlSeconds: 0,
});

describe('BatchingCacheStore', () => {
  it('reads and writes what one turn of the event loop asked for in one statement each', async () => {
    const { statements, store } = memoryStore();
    const cache = new BatchingCacheStore(store);
    await Promise.all(['a', 'b', 'c'].map((k) => cache.put(entry(k))));
    const [a, missing, c] = await Promise.all(['a', 'x', 'c'].map((k) => cache.take(k)));
    expect(a?.response).toEqual({ text: 'a' });
    expect(missing).toBeUndefined();
    expect(c?.response).toEqual({ text: 'c' });
    expect(statements).toEqual(['put 3', 'take 3']);
  });

  it('gathers the calls made while a statement runs into the next one', async () => {
    const { statements, store } = memoryStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: BulkCacheStore = {
      takeMany: async (keys) => {
        await gate;
        return store.takeMany(keys);
      },
      putMany: (entries) => store.putMany(entries),
    };
    const cache = new BatchingCacheStore(slow);
    const first = cache.take('a');
    await new Promise((resolve) => setImmediate(resolve));
    // The first statement is in flight: these wait for it, across several turns of the loop.
    const later = [cache.take('b')];
    await new Promise((resolve) => setImmediate(resolve));
    later.push(cache.take('c'), cache.take('d'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(statements).toEqual([]);
    release();
    await Promise.all([first, ...later]);
    expect(statements).toEqual(['take 1', 'take 3']);
  });

  it('a write has reached the store when put resolves', async () => {
    const { rows, store } = memoryStore();
    const cache = new BatchingCacheStore(store);
    await cache.put(entry('k'));
    expect(rows.has('k')).toBe(true);
  });

  it('caps a batch and passes a failed statement to every caller of that batch', async () => {
    const { statements, store } = memoryStore();
    const cache = new BatchingCacheStore(store, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => cache.take(k)));
    expect(statements).toEqual(['take 2', 'take 2', 'take 1']);
    const failing = new BatchingCacheStore({
      takeMany: () => Promise.reject(new Error('database down')),
      putMany: () => Promise.reject(new Error('database down')),
    });
    await expect(Promise.all([failing.take('a'), failing.take('b')])).rejects.toThrow('down');
  });

  it('holds lazy writes up to the linger time and writes them in one statement', async () => {
    const { rows, statements, store } = memoryStore();
    const cache = new BatchingCacheStore(store, 200, 40);
    const writes = [cache.put(entry('a'), { lazy: true })];
    // Several turns of the event loop later, within the linger time: still gathering.
    await new Promise((resolve) => setTimeout(resolve, 5));
    writes.push(cache.put(entry('b'), { lazy: true }));
    await new Promise((resolve) => setImmediate(resolve));
    writes.push(cache.put(entry('c'), { lazy: true }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(statements).toEqual([]);
    await Promise.all(writes);
    expect(statements).toEqual(['put 3']);
    expect([...rows.keys()]).toEqual(['a', 'b', 'c']);
  });

  it('an eager write takes the lingering ones along on the next turn; reads never linger', async () => {
    const { statements, store } = memoryStore();
    const cache = new BatchingCacheStore(store, 200, 10_000);
    const lazy = cache.put(entry('a'), { lazy: true });
    await new Promise((resolve) => setImmediate(resolve));
    await cache.put(entry('b'));
    await lazy;
    expect(statements).toEqual(['put 2']);
    expect((await cache.take('a'))?.response).toEqual({ text: 'a' });
    expect(statements).toEqual(['put 2', 'take 1']);
  });

  it('a full batch of lazy writes goes at once', async () => {
    const { statements, store } = memoryStore();
    const cache = new BatchingCacheStore(store, 3, 10_000);
    await Promise.all(['a', 'b', 'c'].map((k) => cache.put(entry(k), { lazy: true })));
    expect(statements).toEqual(['put 3']);
  });
});
