import { z } from 'zod';
import { envBoolean, envInt, optionalString } from './env-helpers';

/**
 * Every LLM provider the product speaks to, with the prefix of its environment variables:
 * `<PREFIX>_API_KEY`, `<PREFIX>_BASE_URL` and `<PREFIX>_MODELS` (comma-separated list that
 * replaces the built-in model list). libs/llm holds the behaviour of each id.
 */
export const LLM_PROVIDER_ENV = {
  openai: 'OPENAI',
  azure_openai: 'AZURE_OPENAI',
  anthropic: 'ANTHROPIC',
  gemini: 'GEMINI',
  mistral: 'MISTRAL',
  groq: 'GROQ',
  cohere: 'COHERE',
  deepseek: 'DEEPSEEK',
  xai: 'XAI',
  openrouter: 'OPENROUTER',
  together: 'TOGETHER',
  fireworks: 'FIREWORKS',
  perplexity: 'PERPLEXITY',
  ollama: 'OLLAMA',
  openai_compatible: 'OPENAI_COMPATIBLE',
} as const;

export type LlmProviderId = keyof typeof LLM_PROVIDER_ENV | 'mock';

const url = () => optionalString().pipe(z.url({ error: 'must be a URL' }).optional());

function providerShape() {
  const shape: Record<string, z.ZodType> = {};
  for (const prefix of Object.values(LLM_PROVIDER_ENV)) {
    shape[`${prefix}_API_KEY`] = optionalString();
    shape[`${prefix}_BASE_URL`] = url();
    shape[`${prefix}_MODELS`] = optionalString();
  }
  return shape as Record<
    `${(typeof LLM_PROVIDER_ENV)[keyof typeof LLM_PROVIDER_ENV]}_${'API_KEY' | 'BASE_URL' | 'MODELS'}`,
    z.ZodType<string | undefined>
  >;
}

/** LLM settings both processes read: the API runs single prompts, the worker runs evaluations. */
export const llmEnvShape = {
  ...providerShape(),
  AZURE_OPENAI_API_VERSION: z.string().trim().min(1).default('2024-10-21'),
  LLM_CONFIG_FILE: optionalString(),
  LLM_PRICES_FILE: optionalString(),
  LLM_TIMEOUT_MS: envInt(120_000, 100, 3_600_000),
  LLM_MAX_RETRIES: envInt(4, 0, 20),
  LLM_RETRY_BASE_MS: envInt(500, 1, 60_000),
  LLM_RETRY_MAX_WAIT_MS: envInt(60_000, 1, 3_600_000),
  LLM_CACHE_ENABLED: envBoolean(true),
  LLM_CACHE_TTL_SECONDS: envInt(7 * 86_400, 0, 10 * 365 * 86_400),
  LLM_RPM: envInt(0, 0, 10_000_000),
  LLM_TPM: envInt(0, 0, 1_000_000_000),
  LLM_RATE_LIMIT_MAX_WAIT_MS: envInt(300_000, 0, 3_600_000),
};

type LlmEnvKeys = keyof typeof llmEnvShape;
export type LlmEnv = { [K in LlmEnvKeys]: z.infer<(typeof llmEnvShape)[K]> };

export interface LlmProviderEnv {
  apiKey?: string;
  baseUrl?: string;
  models?: string[];
}

/** The LLM part of a validated environment, in the shape libs/llm consumes. */
export interface LlmSettings {
  providers: Record<keyof typeof LLM_PROVIDER_ENV, LlmProviderEnv>;
  azureApiVersion: string;
  configFile?: string;
  pricesFile?: string;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxWaitMs: number;
  cacheEnabled: boolean;
  /** 0 keeps entries until they are purged by hand. */
  cacheTtlSeconds: number;
  /** Default requests and tokens per minute per provider, key and model; 0 is unlimited. */
  rpm: number;
  tpm: number;
  rateLimitMaxWaitMs: number;
  redisUrl?: string;
  redisPrefix: string;
}

export function llmSettings(
  env: LlmEnv & { REDIS_URL?: string; REDIS_KEY_PREFIX: string },
): LlmSettings {
  const providers = {} as LlmSettings['providers'];
  for (const [id, prefix] of Object.entries(LLM_PROVIDER_ENV) as [
    keyof typeof LLM_PROVIDER_ENV,
    string,
  ][]) {
    const read = (suffix: string) =>
      (env as unknown as Record<string, string | undefined>)[`${prefix}_${suffix}`];
    const models = read('MODELS')
      ?.split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    providers[id] = {
      apiKey: read('API_KEY'),
      baseUrl: read('BASE_URL'),
      models: models?.length ? models : undefined,
    };
  }
  return {
    providers,
    azureApiVersion: env.AZURE_OPENAI_API_VERSION,
    configFile: env.LLM_CONFIG_FILE,
    pricesFile: env.LLM_PRICES_FILE,
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxRetries: env.LLM_MAX_RETRIES,
    retryBaseMs: env.LLM_RETRY_BASE_MS,
    retryMaxWaitMs: env.LLM_RETRY_MAX_WAIT_MS,
    cacheEnabled: env.LLM_CACHE_ENABLED,
    cacheTtlSeconds: env.LLM_CACHE_TTL_SECONDS,
    rpm: env.LLM_RPM,
    tpm: env.LLM_TPM,
    rateLimitMaxWaitMs: env.LLM_RATE_LIMIT_MAX_WAIT_MS,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_KEY_PREFIX,
  };
}
