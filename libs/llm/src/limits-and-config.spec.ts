import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { llmEnvShape, llmSettings } from '@ps/config';
import { z } from 'zod';
import { LlmError } from './errors';
import { CallLimiter } from './limits/call-limiter';
import { Pricing } from './pricing';
import { redactUrl } from '@ps/common';
import { ProviderRegistry, readLlmConfigFile } from './providers/registry';

const dir = mkdtempSync(join(tmpdir(), 'ps-llm-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const settings = (env: Record<string, string> = {}) =>
  llmSettings({ ...z.object(llmEnvShape).parse(env), REDIS_KEY_PREFIX: 'unit' });

describe('CallLimiter (in memory)', () => {
  it('lets calls through within the requests-per-minute budget and makes the next one wait', async () => {
    const limiter = new CallLimiter({ prefix: 'rpm', maxWaitMs: 50 });
    const scope = CallLimiter.scope('openai', 'sk-a', 'gpt-4o');
    for (let i = 0; i < 3; i++) await limiter.acquire(scope, { rpm: 3, tpm: 0 }, 10);
    await expect(limiter.acquire(scope, { rpm: 3, tpm: 0 }, 10)).rejects.toMatchObject({
      kind: 'rate_limited',
    });
  });

  it('charges estimated tokens per minute, and a corrected charge after the call', async () => {
    const limiter = new CallLimiter({ prefix: 'tpm', maxWaitMs: 50 });
    const scope = CallLimiter.scope('openai', 'sk-a', 'gpt-4o');
    const limits = { rpm: 0, tpm: 100 };
    await limiter.acquire(scope, limits, 80);
    await expect(limiter.acquire(scope, limits, 30)).rejects.toBeInstanceOf(LlmError);
    // The call used 20 tokens, not 80: the 60 returned make room for the next one.
    await limiter.settle(scope, limits, 80, 20);
    await expect(limiter.acquire(scope, limits, 30)).resolves.toBeUndefined();
  });

  it('keeps budgets apart per provider, key and model, and never puts the key in the scope', () => {
    const a = CallLimiter.scope('openai', 'sk-secret-1', 'gpt-4o');
    expect(a).not.toContain('sk-secret-1');
    expect(CallLimiter.scope('openai', 'sk-secret-2', 'gpt-4o')).not.toBe(a);
    expect(CallLimiter.scope('openai', 'sk-secret-1', 'gpt-4o-mini')).not.toBe(a);
  });

  it('a request larger than the whole token budget still goes out (charged the budget)', async () => {
    const limiter = new CallLimiter({ prefix: 'big', maxWaitMs: 50 });
    await expect(
      limiter.acquire(CallLimiter.scope('x', undefined, 'm'), { rpm: 0, tpm: 10 }, 500),
    ).resolves.toBeUndefined();
  });
});

describe('Pricing', () => {
  it('prices from the table in the repository, null when unpriced', () => {
    const pricing = new Pricing();
    expect(pricing.cost('openai', 'gpt-4o-mini', { input: 1_000_000, output: 1_000_000 })).toBe(
      0.75,
    );
    expect(pricing.cost('ollama', 'llama3.2', { input: 10, output: 10 })).toBeNull();
  });

  it('merges LLM_PRICES_FILE over the table, per model', () => {
    const path = file('prices.json', {
      openai: { 'gpt-4o-mini': [1, 2] },
      ollama: { 'llama3.2': [0.5, 0.5] },
    });
    const pricing = new Pricing(path);
    expect(pricing.cost('openai', 'gpt-4o-mini', { input: 1_000_000, output: 0 })).toBe(1);
    expect(pricing.cost('openai', 'gpt-4o', { input: 1_000_000, output: 0 })).toBe(2.5);
    expect(pricing.cost('ollama', 'llama3.2', { input: 2_000_000, output: 0 })).toBe(1);
  });

  it('names the file and the bad entry', () => {
    expect(() => new Pricing(file('bad-prices.json', { openai: { x: [1] } }))).toThrow(
      /bad-prices\.json: openai\.x/,
    );
    expect(() => new Pricing(join(dir, 'missing.json'))).toThrow(/LLM_PRICES_FILE .*missing\.json/);
  });
});

describe('LLM_CONFIG_FILE', () => {
  it('sets per-provider and per-model limits and models', () => {
    const path = file('llm.json', {
      providers: {
        openai: {
          rpm: 500,
          tpm: 100_000,
          limits: { 'gpt-4o': { rpm: 50 } },
          models: ['gpt-4o', 'gpt-9'],
        },
      },
    });
    const registry = new ProviderRegistry(
      settings({ OPENAI_API_KEY: 'sk', LLM_RPM: '7', LLM_CONFIG_FILE: path }),
    );
    const openai = registry.get('openai');
    expect(openai.limits('gpt-4o')).toEqual({ rpm: 50, tpm: 100_000 });
    expect(openai.limits('gpt-9')).toEqual({ rpm: 500, tpm: 100_000 });
    expect(registry.get('anthropic').limits('claude-haiku-4-5')).toEqual({ rpm: 7, tpm: 0 });
    expect(registry.validate({ provider: 'openai', model: 'gpt-9' }).model).toBe('gpt-9');
    expect(() => registry.validate({ provider: 'openai', model: 'gpt-4o-mini' })).toThrow(
      /choose one of gpt-4o, gpt-9/,
    );
  });

  it('refuses unknown providers and keys, naming the file', () => {
    expect(() => readLlmConfigFile(file('u.json', { providers: { nope: {} } }))).toThrow(
      /u\.json: unknown provider nope/,
    );
    expect(() => readLlmConfigFile(file('k.json', { providers: { openai: { rmp: 1 } } }))).toThrow(
      /k\.json/,
    );
    expect(() => readLlmConfigFile(file('j.json', '{not json'))).toThrow(/j\.json/);
  });
});

describe('GET /providers/list data', () => {
  it('masks credentials written into a base URL', () => {
    const registry = new ProviderRegistry(
      settings({
        OPENAI_API_KEY: 'sk',
        OPENAI_BASE_URL: 'https://bob:hunter2@proxy.example.com/v1',
      }),
    );
    const openai = registry.list().find((p) => p.id === 'openai')!;
    expect(openai.base_url).toBe('https://[REDACTED]@proxy.example.com/v1');
    expect(JSON.stringify(registry.list())).not.toContain('hunter2');
    expect(redactUrl('http://127.0.0.1:11434')).toBe('http://127.0.0.1:11434');
  });
});
