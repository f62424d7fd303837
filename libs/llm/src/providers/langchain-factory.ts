import { createHash } from 'node:crypto';
import type * as AnthropicSdk from '@langchain/anthropic';
import type * as CohereSdk from '@langchain/cohere';
import { Embeddings } from '@langchain/core/embeddings';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type * as GoogleSdk from '@langchain/google-genai';
import type * as MistralSdk from '@langchain/mistralai';
import type * as OllamaSdk from '@langchain/ollama';
import type * as OpenAiSdk from '@langchain/openai';
import type * as CohereClientSdk from 'cohere-ai';
import { httpFetch } from '../transport/http-fetch';
import type { ModelParameters } from '../types';
import { MockChatModel } from './mock-chat-model';
import type { ResolvedProvider } from './registry';

/** `load()` once, on first use. */
function lazy<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

/*
 * Vendor SDKs load when a model of theirs is first built: together they take about a second to
 * load, which every start of the API and the worker would pay for providers it never calls.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const anthropicSdk = lazy(() => require('@langchain/anthropic') as typeof AnthropicSdk);
const cohereSdk = lazy(() => require('@langchain/cohere') as typeof CohereSdk);
const cohereClientSdk = lazy(() => require('cohere-ai') as typeof CohereClientSdk);
const googleSdk = lazy(() => require('@langchain/google-genai') as typeof GoogleSdk);
const mistralSdk = lazy(() => require('@langchain/mistralai') as typeof MistralSdk);
const ollamaSdk = lazy(() => require('@langchain/ollama') as typeof OllamaSdk);
const openAiSdk = lazy(() => require('@langchain/openai') as typeof OpenAiSdk);
/* eslint-enable @typescript-eslint/no-require-imports */

/** The client libraries each wire protocol needs. */
const SDKS_OF: Record<string, (() => unknown)[]> = {
  openai: [openAiSdk],
  azure: [openAiSdk],
  anthropic: [anthropicSdk],
  gemini: [googleSdk],
  mistral: [mistralSdk],
  cohere: [cohereSdk, cohereClientSdk],
  ollama: [ollamaSdk],
};

/**
 * Loads the client libraries of these protocols now rather than at their first call. The worker
 * does this for its configured providers before it takes jobs, so the first evaluation does not
 * pay for loading them (tens to hundreds of ms of CPU each).
 */
export function loadClientLibraries(protocols: Iterable<string>): void {
  for (const protocol of protocols) for (const load of SDKS_OF[protocol] ?? []) load();
}

/**
 * Every client is built with its own retries off (maxRetries 0): the product retries in exactly
 * one place (retry.ts), so an SDK retrying underneath would multiply attempts and hide 429s.
 */
const NO_RETRIES = { maxRetries: 0 } as const;

/**
 * The OpenAI and Anthropic SDKs (which together speak for most providers) send through our
 * node:http transport rather than the built-in fetch, whose CPU cost per call dominated a busy
 * worker; see transport/http-fetch.ts.
 */
const TRANSPORT = { fetch: httpFetch } as const;

/** Servers that need no key (Ollama, local OpenAI-compatible servers) still get a placeholder. */
const keyOf = (provider: ResolvedProvider) => provider.apiKey ?? 'no-key';

/** The Cohere SDK retries twice by default; ours is the only retry layer. */
const cohereClient = (provider: ResolvedProvider) =>
  new (cohereClientSdk().CohereClient)({
    token: keyOf(provider),
    environment: provider.baseUrl,
    maxRetries: 0,
  });

/**
 * Ollama needs no key, but one set in OLLAMA_API_KEY (an Ollama behind an authenticating proxy,
 * or ollama.com) must reach the server: the Ollama client only sends headers it is given.
 */
const ollamaHeaders = (provider: ResolvedProvider) =>
  provider.apiKey ? { Authorization: `Bearer ${provider.apiKey}` } : undefined;

/** Sampling parameters in the OpenAI wire protocol (OpenAI, Azure and every compatible server). */
const openAiSampling = (p: ModelParameters) => ({
  temperature: p.temperature,
  maxTokens: p.max_tokens,
  topP: p.top_p,
  stop: p.stop,
  frequencyPenalty: p.frequency_penalty,
  presencePenalty: p.presence_penalty,
  streamUsage: true,
  modelKwargs: {
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
    ...(p.json ? { response_format: { type: 'json_object' } } : {}),
  },
});

export interface ModelContext {
  azureApiVersion: string;
}

export function createChatModel(
  provider: ResolvedProvider,
  model: string,
  p: ModelParameters,
  context: ModelContext,
): BaseChatModel {
  const { spec, baseUrl } = provider;
  switch (spec.protocol) {
    case 'openai':
      return new (openAiSdk().ChatOpenAI)({
        ...NO_RETRIES,
        model,
        apiKey: keyOf(provider),
        configuration: { baseURL: baseUrl, ...TRANSPORT },
        ...openAiSampling(p),
      });
    case 'azure':
      return new (openAiSdk().AzureChatOpenAI)({
        ...NO_RETRIES,
        azureOpenAIApiKey: keyOf(provider),
        azureOpenAIEndpoint: baseUrl,
        azureOpenAIApiDeploymentName: model,
        azureOpenAIApiVersion: context.azureApiVersion,
        configuration: TRANSPORT,
        ...openAiSampling(p),
      });
    case 'anthropic':
      return new (anthropicSdk().ChatAnthropic)({
        ...NO_RETRIES,
        model,
        apiKey: keyOf(provider),
        anthropicApiUrl: baseUrl,
        clientOptions: TRANSPORT,
        temperature: p.temperature,
        // The Messages API requires max_tokens; 1024 when the config leaves it out.
        maxTokens: p.max_tokens ?? 1024,
        topP: p.top_p,
        topK: p.top_k,
        stopSequences: p.stop,
      });
    case 'gemini':
      return new (googleSdk().ChatGoogleGenerativeAI)({
        ...NO_RETRIES,
        model,
        apiKey: keyOf(provider),
        baseUrl,
        temperature: p.temperature,
        maxOutputTokens: p.max_tokens,
        topP: p.top_p,
        topK: p.top_k,
        stopSequences: p.stop,
        json: p.json,
      });
    case 'mistral':
      return new (mistralSdk().ChatMistralAI)({
        ...NO_RETRIES,
        model,
        apiKey: keyOf(provider),
        serverURL: baseUrl,
        temperature: p.temperature,
        maxTokens: p.max_tokens,
        topP: p.top_p,
        seed: p.seed,
        streamUsage: true,
      }).withConfig({
        ...(p.stop ? { stop: p.stop } : {}),
        ...(p.json ? { response_format: { type: 'json_object' } } : {}),
      }) as unknown as BaseChatModel;
    case 'cohere':
      return new (cohereSdk().ChatCohere)({
        ...NO_RETRIES,
        model,
        client: cohereClient(provider),
        temperature: p.temperature,
        streamUsage: true,
      });
    case 'ollama':
      return new (ollamaSdk().ChatOllama)({
        ...NO_RETRIES,
        model,
        baseUrl,
        temperature: p.temperature,
        numPredict: p.max_tokens,
        topP: p.top_p,
        topK: p.top_k,
        stop: p.stop,
        seed: p.seed,
        frequencyPenalty: p.frequency_penalty,
        presencePenalty: p.presence_penalty,
        format: p.json ? 'json' : undefined,
        headers: ollamaHeaders(provider),
        ...TRANSPORT,
      });
    case 'mock':
      return new MockChatModel({ model, parameters: p });
  }
}

/** Deterministic unit vectors from a hash of the text: offline embeddings for the mock provider. */
export function mockEmbedding(text: string, dims = 16): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dims; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 2 <= digest.length && values.length < dims; i += 2) {
      values.push(digest.readUInt16BE(i) / 32_767.5 - 1);
    }
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => v / norm);
}

class MockEmbeddings extends Embeddings {
  constructor() {
    super({});
  }

  embedDocuments(texts: string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((t) => mockEmbedding(t)));
  }

  embedQuery(text: string): Promise<number[]> {
    return Promise.resolve(mockEmbedding(text));
  }
}

export function createEmbeddings(
  provider: ResolvedProvider,
  model: string,
  context: ModelContext,
): Embeddings {
  const { spec, baseUrl } = provider;
  switch (spec.protocol) {
    case 'openai':
      return new (openAiSdk().OpenAIEmbeddings)({
        ...NO_RETRIES,
        model,
        apiKey: keyOf(provider),
        configuration: { baseURL: baseUrl, ...TRANSPORT },
      });
    case 'azure':
      return new (openAiSdk().AzureOpenAIEmbeddings)({
        ...NO_RETRIES,
        azureOpenAIApiKey: keyOf(provider),
        // The embeddings class takes no endpoint option, only the deployments base path.
        azureOpenAIBasePath: `${baseUrl}/openai/deployments`,
        batchSize: 512,
        azureOpenAIApiDeploymentName: model,
        azureOpenAIApiVersion: context.azureApiVersion,
        configuration: TRANSPORT,
      });
    case 'gemini':
      return new (googleSdk().GoogleGenerativeAIEmbeddings)({
        ...NO_RETRIES,
        model,
        apiKey: keyOf(provider),
        baseUrl,
      });
    case 'mistral':
      return new (mistralSdk().MistralAIEmbeddings)({
        ...NO_RETRIES,
        model,
        apiKey: keyOf(provider),
        serverURL: baseUrl,
      });
    case 'cohere':
      return new (cohereSdk().CohereEmbeddings)({
        model,
        client: cohereClient(provider),
        maxRetries: 0,
      });
    case 'ollama':
      return new (ollamaSdk().OllamaEmbeddings)({
        model,
        baseUrl,
        maxRetries: 0,
        headers: ollamaHeaders(provider),
      });
    case 'mock':
      return new MockEmbeddings();
    case 'anthropic':
      throw new Error(`${spec.id} has no embeddings API`);
  }
}
