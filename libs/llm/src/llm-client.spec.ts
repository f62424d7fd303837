import { llmSettings, llmEnvShape } from '@ps/config';
import { z } from 'zod';
import { type CacheStore, MemoryCacheStore } from './cache/response-cache';
import { LlmClient } from './llm-client';
import { mockAnswer } from './providers/mock-chat-model';
import { ModelConfigError } from './errors';

function settings(env: Record<string, string> = {}) {
  const parsed = z.object(llmEnvShape).parse(env);
  return llmSettings({ ...parsed, REDIS_KEY_PREFIX: 'test' });
}

const user = (content: string) => [{ role: 'user' as const, content }];

describe('mock provider rules', () => {
  it.each([
    ['mock-echo', {}, 'hello world', 'hello world'],
    ['mock-map', { responses: { 'capital of France?': 'Paris' } }, ' capital of France? ', 'Paris'],
    ['mock-map', { responses: {} }, 'unmatched', 'unmatched'],
    ['mock-hash', { choices: ['a', 'b', 'c'] }, 'q1', 'b'],
    ['mock-json', {}, 'x', '{"answer":"x"}'],
    ['mock-echo', { max_tokens: 2 }, 'one two three', 'one two'],
    ['mock-echo', { stop: ['three'] }, 'one two three', 'one two '],
  ])('%s with %j answers %p with %p', (model, params, prompt, answer) => {
    expect(mockAnswer(model, user(prompt), params)).toBe(answer);
  });

  it('mock-hash is deterministic and depends on the whole conversation', () => {
    const a = mockAnswer('mock-hash', user('same'), {});
    expect(a).toMatch(/^mock-[0-9a-f]{8}$/);
    expect(mockAnswer('mock-hash', user('same'), {})).toBe(a);
    expect(
      mockAnswer('mock-hash', [{ role: 'system', content: 's' }, ...user('same')], {}),
    ).not.toBe(a);
  });
});

describe('LlmClient', () => {
  const config = { provider: 'mock' as const, model: 'mock-echo' };

  it('answers with usage, cost and latency through LangChain', async () => {
    const client = new LlmClient({ settings: settings() });
    const result = await client.chat(config, [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello there world' },
    ]);
    expect(result).toMatchObject({
      text: 'hello there world',
      usage: { input: 5, output: 3 },
      cached: false,
      attempts: 1,
    });
    // mock prices: 1 USD / 2 USD per million tokens
    expect(result.cost).toBeCloseTo((5 * 1 + 3 * 2) / 1e6, 12);
    expect(result.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('streams tokens and returns the same result', async () => {
    const client = new LlmClient({ settings: settings() });
    const pieces: string[] = [];
    const result = await client.chat(config, user('a b c d'), { onToken: (t) => pieces.push(t) });
    expect(pieces.join('')).toBe('a b c d');
    expect(pieces.length).toBeGreaterThan(1);
    expect(result.usage).toEqual({ input: 4, output: 4 });
  });

  it('serves a repeated call from the cache unless bypassed', async () => {
    const cache = new MemoryCacheStore();
    const client = new LlmClient({ settings: settings(), cache });
    const first = await client.chat(config, user('cache me'));
    const second = await client.chat(config, user('cache me'));
    expect(second).toMatchObject({
      text: first.text,
      cached: true,
      attempts: 0,
      cost: 0,
      usage: first.usage,
    });
    const bypassed = await client.chat(config, user('cache me'), { bypassCache: true });
    expect(bypassed.cached).toBe(false);
    expect(cache.entries.size).toBe(1);
    // Different parameters are a different request.
    await client.chat({ ...config, parameters: { temperature: 0.5 } }, user('cache me'));
    expect(cache.entries.size).toBe(2);
  });

  /** A cache whose writes wait for `release()`, counting reads and writes. */
  function gatedCache() {
    const store = new MemoryCacheStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen = { takes: 0, puts: 0 };
    /** Whether each write said its caller does not wait on it. */
    const lazy: boolean[] = [];
    const cache: CacheStore = {
      take: (key: string) => (seen.takes++, store.take(key)),
      put: async (entry, options) => {
        seen.puts++;
        lazy.push(options?.lazy === true);
        await gate;
        await store.put(entry);
      },
    };
    return { store, cache, seen, lazy, release };
  }

  it('answers before a deferred cache write commits; an identical call meanwhile shares it', async () => {
    const { store, cache, seen, lazy, release } = gatedCache();
    const client = new LlmClient({ settings: settings(), cache });
    const first = await client.chat(config, user('later'), { deferCacheWrite: true });
    expect(first).toMatchObject({ cached: false, attempts: 1 });
    expect(seen).toEqual({ takes: 1, puts: 1 });
    // The store may hold the write to batch it: nobody waits on it.
    expect(lazy).toEqual([true]);
    expect(store.entries.size).toBe(0);

    // Shared with the first call (no cache read, no model call), not called again.
    const shared = await client.chat(config, user('later'));
    expect(shared).toMatchObject({ text: first.text, cached: true, attempts: 0, cost: 0 });
    expect(seen).toEqual({ takes: 1, puts: 1 });

    let settled = false;
    const settling = client.settleCacheWrites().then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    await settling;
    expect(store.entries.size).toBe(1);
    // Written: the next identical call reads the cache.
    expect(await client.chat(config, user('later'))).toMatchObject({ cached: true, attempts: 0 });
    expect(seen).toEqual({ takes: 2, puts: 1 });
  });

  it('answers only once the cache write committed when not deferred', async () => {
    const { store, cache, lazy, release } = gatedCache();
    const client = new LlmClient({ settings: settings(), cache });
    let answered = false;
    const call = client.chat(config, user('now')).then(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
    release();
    await call;
    expect(store.entries.size).toBe(1);
    expect(lazy).toEqual([false]);
    await client.settleCacheWrites();
  });

  it('embeds with the mock provider: deterministic unit vectors', async () => {
    const client = new LlmClient({ settings: settings() });
    const { vectors } = await client.embed({ provider: 'mock', model: 'mock-embed' }, [
      'a',
      'b',
      'a',
    ]);
    expect(vectors[0]).toEqual(vectors[2]);
    expect(vectors[0]).not.toEqual(vectors[1]);
    expect(Math.hypot(...vectors[0])).toBeCloseTo(1, 9);
  });

  describe('model config validation', () => {
    const client = new LlmClient({
      settings: settings({ OPENAI_API_KEY: 'sk-test', OLLAMA_MODELS: 'llama3.2' }),
    });
    const fieldOf = (input: unknown) => {
      try {
        client.validate(input);
      } catch (err) {
        if (err instanceof ModelConfigError) return [err.field, err.message];
        throw err;
      }
      return undefined;
    };

    it('names the choices for an unknown provider or model', () => {
      const [field, message] = fieldOf({ provider: 'nope', model: 'x' })!;
      expect(field).toBe('provider');
      expect(message).toContain('openai, azure_openai, anthropic');
      expect(fieldOf({ provider: 'openai', model: 'gpt-2' })).toEqual([
        'model',
        expect.stringContaining('gpt-4o-mini'),
      ]);
    });

    it('refuses a provider without its key and says which variable to set', () => {
      expect(fieldOf({ provider: 'anthropic', model: 'claude-haiku-4-5' })).toEqual([
        'provider',
        'provider anthropic is not configured: set ANTHROPIC_API_KEY',
      ]);
    });

    it('checks parameters per provider', () => {
      expect(fieldOf({ provider: 'openai', model: 'gpt-4o', parameters: { top_k: 3 } })?.[0]).toBe(
        'parameters.top_k',
      );
      expect(
        fieldOf({ provider: 'openai', model: 'gpt-4o', parameters: { temperature: 3 } })?.[0],
      ).toBe('parameters.temperature');
      expect(fieldOf({ provider: 'openai', model: 'gpt-4o', extra: 1 })?.[0]).toBe('extra');
      expect(
        client.validate({
          provider: 'openai',
          model: 'gpt-4o',
          parameters: { temperature: 0, max_tokens: 5 },
        }),
      ).toEqual({
        provider: 'openai',
        model: 'gpt-4o',
        parameters: { temperature: 0, max_tokens: 5 },
      });
    });

    it('accepts any model on open providers unless <PREFIX>_MODELS fixes the list', () => {
      expect(fieldOf({ provider: 'openai_compatible', model: 'my-local-model' })).toBeUndefined();
      expect(fieldOf({ provider: 'ollama', model: 'qwen2.5' })?.[0]).toBe('model');
    });

    it('lists providers without keys', () => {
      const list = client.providers();
      expect(list.length).toBeGreaterThanOrEqual(16);
      const openai = list.find((p) => p.id === 'openai')!;
      expect(openai).toMatchObject({ configured: true, key_present: true });
      expect(JSON.stringify(list)).not.toContain('sk-test');
    });
  });
});
