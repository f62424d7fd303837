import type { Endpoint } from './types';
import { anthropicMessages } from './protocols/anthropic';
import { cohereChatV1, cohereChatV2, cohereEmbed } from './protocols/cohere';
import { geminiEmbed, geminiGenerate } from './protocols/gemini';
import { ollamaChat, ollamaEmbed } from './protocols/ollama';
import { openAiChat, openAiEmbeddings } from './protocols/openai';

/**
 * Which endpoint answers which POST path. Every vendor has its own path space, except that
 * OpenAI and Mistral share `/v1/chat/completions` and `/v1/embeddings`; the OpenAI endpoint
 * tells them apart by the request (see protocols/openai.ts).
 */

interface ApiRoute {
  pattern: RegExp;
  endpoint: Endpoint;
}

const GEMINI_VERSION = '(v1|v1beta|v1alpha)';

const API_ROUTES: readonly ApiRoute[] = [
  { pattern: /^\/v1\/chat\/completions$/, endpoint: openAiChat('openai') },
  { pattern: /^\/v1\/embeddings$/, endpoint: openAiEmbeddings('openai') },
  {
    pattern: /^\/openai\/deployments\/([^/]+)\/chat\/completions$/,
    endpoint: openAiChat('azure'),
  },
  { pattern: /^\/openai\/deployments\/([^/]+)\/embeddings$/, endpoint: openAiEmbeddings('azure') },
  { pattern: /^\/v1\/messages$/, endpoint: anthropicMessages },
  {
    pattern: new RegExp(
      `^/${GEMINI_VERSION}/models/([^/:]+):(generateContent|streamGenerateContent)$`,
    ),
    endpoint: geminiGenerate,
  },
  {
    pattern: new RegExp(`^/${GEMINI_VERSION}/models/([^/:]+):(embedContent|batchEmbedContents)$`),
    endpoint: geminiEmbed,
  },
  { pattern: /^\/v1\/chat$/, endpoint: cohereChatV1 },
  { pattern: /^\/v2\/chat$/, endpoint: cohereChatV2 },
  { pattern: /^\/v1\/embed$/, endpoint: cohereEmbed('v1') },
  { pattern: /^\/v2\/embed$/, endpoint: cohereEmbed('v2') },
  { pattern: /^\/api\/chat$/, endpoint: ollamaChat },
  { pattern: /^\/api\/embed$/, endpoint: ollamaEmbed(false) },
  { pattern: /^\/api\/embeddings$/, endpoint: ollamaEmbed(true) },
];

export interface RouteMatch {
  endpoint: Endpoint;
  pathParams: string[];
}

export function matchApiRoute(method: string, pathname: string): RouteMatch | undefined {
  if (method !== 'POST') return undefined;
  for (const { pattern, endpoint } of API_ROUTES) {
    const found = pattern.exec(pathname);
    if (found) return { endpoint, pathParams: found.slice(1).map(decodeURIComponent) };
  }
  return undefined;
}

/** Models the listing endpoints always show; models seen in requests are added to them. */
const OPENAI_MODELS = ['gpt-4o-mini', 'text-embedding-3-small'];
const OLLAMA_MODELS = ['llama3.2:latest', 'nomic-embed-text:latest'];

/** Read-only GET endpoints some clients probe (model listings, Ollama's version). */
export function infoResponse(
  method: string,
  pathname: string,
  seenModels: (protocol: 'openai' | 'ollama') => string[],
): unknown {
  if (method !== 'GET') return undefined;
  if (pathname === '/v1/models') {
    const ids = unique([...OPENAI_MODELS, ...seenModels('openai')]);
    return {
      object: 'list',
      data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake-llm' })),
    };
  }
  if (pathname === '/api/tags') {
    const names = unique([...OLLAMA_MODELS, ...seenModels('ollama')]);
    return { models: names.map(ollamaModel) };
  }
  if (pathname === '/api/version') return { version: '0.0.0-fake' };
  return undefined;
}

function ollamaModel(name: string): unknown {
  return {
    name,
    model: name,
    modified_at: '2024-01-01T00:00:00Z',
    size: 1,
    digest: 'fake',
    details: { format: 'gguf', family: 'fake', parameter_size: '1B', quantization_level: 'Q4_0' },
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}
