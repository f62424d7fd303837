import type { LlmProviderId, ModelParameters } from '../types';

/** Wire protocol family: decides which LangChain class talks to the provider. */
export type ProviderProtocol =
  'openai' | 'azure' | 'anthropic' | 'gemini' | 'mistral' | 'cohere' | 'ollama' | 'mock';

export type ParameterName = Exclude<keyof ModelParameters, never>;

export interface ProviderSpec {
  id: LlmProviderId;
  label: string;
  protocol: ProviderProtocol;
  /** Used when `<PREFIX>_BASE_URL` is not set. */
  defaultBaseUrl: string;
  needsKey: boolean;
  /** Built-in chat models; `<PREFIX>_MODELS` replaces the list. */
  models: readonly string[];
  /** Accept model names outside the list (routers and self-hosted servers name their own). */
  anyModel: boolean;
  embeddingModels: readonly string[];
  parameters: readonly ParameterName[];
  temperatureMax: number;
}

const OPENAI_PARAMS: readonly ParameterName[] = [
  'temperature',
  'max_tokens',
  'top_p',
  'stop',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'json',
];

/** OpenAI's wire protocol served by another vendor: only the URL, key and models differ. */
function openAiCompatible(
  id: LlmProviderId,
  label: string,
  defaultBaseUrl: string,
  models: readonly string[],
  extra: Partial<ProviderSpec> = {},
): ProviderSpec {
  return {
    id,
    label,
    protocol: 'openai',
    defaultBaseUrl,
    needsKey: true,
    models,
    anyModel: false,
    embeddingModels: [],
    parameters: OPENAI_PARAMS,
    temperatureMax: 2,
    ...extra,
  };
}

/**
 * Every provider the product supports. Model lists are the defaults shown by GET /providers/list
 * and accepted in model configs; operators replace them with `<PREFIX>_MODELS`.
 */
export const PROVIDERS: Record<LlmProviderId, ProviderSpec> = {
  openai: openAiCompatible(
    'openai',
    'OpenAI',
    'https://api.openai.com/v1',
    [
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4.1-nano',
      'gpt-4o',
      'gpt-4o-mini',
      'o3',
      'o4-mini',
    ],
    { embeddingModels: ['text-embedding-3-small', 'text-embedding-3-large'] },
  ),
  azure_openai: {
    ...openAiCompatible('azure_openai', 'Azure OpenAI', '', [], {
      embeddingModels: [],
      anyModel: true,
    }),
    protocol: 'azure',
  },
  anthropic: {
    id: 'anthropic',
    label: 'Anthropic',
    protocol: 'anthropic',
    defaultBaseUrl: 'https://api.anthropic.com',
    needsKey: true,
    models: [
      'claude-opus-4-1',
      'claude-sonnet-4-5',
      'claude-haiku-4-5',
      'claude-3-7-sonnet-latest',
      'claude-3-5-haiku-latest',
    ],
    anyModel: false,
    embeddingModels: [],
    parameters: ['temperature', 'max_tokens', 'top_p', 'top_k', 'stop'],
    temperatureMax: 1,
  },
  gemini: {
    id: 'gemini',
    label: 'Google Gemini',
    protocol: 'gemini',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com',
    needsKey: true,
    models: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash'],
    anyModel: false,
    embeddingModels: ['gemini-embedding-001', 'text-embedding-004'],
    parameters: ['temperature', 'max_tokens', 'top_p', 'top_k', 'stop', 'json'],
    temperatureMax: 2,
  },
  mistral: {
    id: 'mistral',
    label: 'Mistral',
    protocol: 'mistral',
    defaultBaseUrl: 'https://api.mistral.ai',
    needsKey: true,
    models: [
      'mistral-large-latest',
      'mistral-medium-latest',
      'mistral-small-latest',
      'codestral-latest',
      'open-mistral-nemo',
    ],
    anyModel: false,
    embeddingModels: ['mistral-embed'],
    parameters: ['temperature', 'max_tokens', 'top_p', 'stop', 'seed', 'json'],
    temperatureMax: 1.5,
  },
  groq: openAiCompatible('groq', 'Groq', 'https://api.groq.com/openai/v1', [
    'llama-3.3-70b-versatile',
    'llama-3.1-8b-instant',
    'openai/gpt-oss-120b',
    'openai/gpt-oss-20b',
  ]),
  cohere: {
    id: 'cohere',
    label: 'Cohere',
    protocol: 'cohere',
    defaultBaseUrl: 'https://api.cohere.com',
    needsKey: true,
    models: [
      'command-a-03-2025',
      'command-r-plus-08-2024',
      'command-r-08-2024',
      'command-r7b-12-2024',
    ],
    anyModel: false,
    embeddingModels: ['embed-v4.0', 'embed-english-v3.0', 'embed-multilingual-v3.0'],
    // LangChain's ChatCohere forwards only the temperature to the chat endpoint.
    parameters: ['temperature'],
    temperatureMax: 1,
  },
  deepseek: openAiCompatible('deepseek', 'DeepSeek', 'https://api.deepseek.com/v1', [
    'deepseek-chat',
    'deepseek-reasoner',
  ]),
  xai: openAiCompatible('xai', 'xAI', 'https://api.x.ai/v1', ['grok-4', 'grok-3', 'grok-3-mini']),
  openrouter: openAiCompatible(
    'openrouter',
    'OpenRouter',
    'https://openrouter.ai/api/v1',
    ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4.5', 'meta-llama/llama-3.3-70b-instruct'],
    { anyModel: true },
  ),
  together: openAiCompatible(
    'together',
    'Together AI',
    'https://api.together.xyz/v1',
    ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'Qwen/Qwen2.5-72B-Instruct-Turbo'],
    { anyModel: true },
  ),
  fireworks: openAiCompatible(
    'fireworks',
    'Fireworks AI',
    'https://api.fireworks.ai/inference/v1',
    ['accounts/fireworks/models/llama-v3p3-70b-instruct'],
    { anyModel: true },
  ),
  perplexity: openAiCompatible('perplexity', 'Perplexity', 'https://api.perplexity.ai', [
    'sonar',
    'sonar-pro',
    'sonar-reasoning',
  ]),
  ollama: {
    id: 'ollama',
    label: 'Ollama',
    protocol: 'ollama',
    defaultBaseUrl: 'http://127.0.0.1:11434',
    needsKey: false,
    models: ['llama3.2', 'llama3.1', 'qwen2.5', 'mistral'],
    anyModel: true,
    embeddingModels: ['nomic-embed-text', 'mxbai-embed-large'],
    parameters: [
      'temperature',
      'max_tokens',
      'top_p',
      'top_k',
      'stop',
      'seed',
      'frequency_penalty',
      'presence_penalty',
      'json',
    ],
    temperatureMax: 2,
  },
  openai_compatible: openAiCompatible(
    'openai_compatible',
    'OpenAI-compatible server (vLLM, llama.cpp, LM Studio)',
    'http://127.0.0.1:8080/v1',
    [],
    { anyModel: true, needsKey: false },
  ),
  mock: {
    id: 'mock',
    label: 'Mock (deterministic, offline)',
    protocol: 'mock',
    defaultBaseUrl: '',
    needsKey: false,
    models: ['mock-echo', 'mock-map', 'mock-hash', 'mock-json'],
    anyModel: false,
    embeddingModels: ['mock-embed'],
    parameters: [...OPENAI_PARAMS, 'top_k', 'responses', 'choices', 'delay_ms'],
    temperatureMax: 2,
  },
};

export const PROVIDER_IDS = Object.keys(PROVIDERS) as LlmProviderId[];
