import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { redactUrl } from '@ps/common';
import type { LlmSettings } from '@ps/config';
import { ModelConfigError } from '../errors';
import type { LlmProviderId, ModelConfig, ModelParameters } from '../types';
import { PROVIDERS, PROVIDER_IDS, type ParameterName, type ProviderSpec } from './catalog';

const limitsSchema = z.strictObject({
  rpm: z.number().int().min(0).optional(),
  tpm: z.number().int().min(0).optional(),
});

/** LLM_CONFIG_FILE: per-provider settings that do not fit in environment variables. */
const configFileSchema = z.strictObject({
  providers: z
    .record(
      z.string(),
      z.strictObject({
        models: z.array(z.string().min(1)).optional(),
        embedding_models: z.array(z.string().min(1)).optional(),
        rpm: z.number().int().min(0).optional(),
        tpm: z.number().int().min(0).optional(),
        /** Per-model limits, overriding the provider's. */
        limits: z.record(z.string(), limitsSchema).optional(),
      }),
    )
    .default({}),
});
export type LlmConfigFile = z.infer<typeof configFileSchema>;

export function readLlmConfigFile(path: string | undefined): LlmConfigFile {
  if (!path) return { providers: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`LLM_CONFIG_FILE ${path}: ${(err as Error).message}`);
  }
  const result = configFileSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`LLM_CONFIG_FILE ${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  for (const id of Object.keys(result.data.providers)) {
    if (!(id in PROVIDERS)) {
      throw new Error(
        `LLM_CONFIG_FILE ${path}: unknown provider ${id} (${PROVIDER_IDS.join(', ')})`,
      );
    }
  }
  return result.data;
}

export interface RateLimits {
  rpm: number;
  tpm: number;
}

/** A provider as this deployment sees it: spec plus URL, key and models from the settings. */
export interface ResolvedProvider {
  spec: ProviderSpec;
  baseUrl: string;
  apiKey?: string;
  models: readonly string[];
  embeddingModels: readonly string[];
  /** True when `<PREFIX>_MODELS` or the config file fixed the list: nothing else is accepted. */
  modelsFixed: boolean;
  /**
   * The same for embedding models, fixed only by the config file's `embedding_models`:
   * `<PREFIX>_MODELS` lists chat models and must not close an open provider's embeddings
   * (Azure deployment names, Ollama tags) to its empty or built-in list.
   */
  embeddingModelsFixed: boolean;
  /** Why the provider cannot be used yet, e.g. a missing key; undefined when configured. */
  missing?: string;
  limits(model: string): RateLimits;
}

/** What GET /providers/list shows: never a key. */
export interface ProviderInfo {
  id: LlmProviderId;
  label: string;
  protocol: string;
  configured: boolean;
  key_present: boolean;
  missing: string | null;
  base_url: string;
  models: string[];
  any_model: boolean;
  embedding_models: string[];
  parameters: string[];
  supports: { streaming: boolean; json: boolean; embeddings: boolean };
}

/**
 * The shape of a model config. Built once, like the parameter schemas below: every model call
 * validates its config, and constructing zod schemas costs far more than running them (it was
 * most of the layer's own time per call).
 */
const modelConfigSchema = z.strictObject({
  provider: z.string(),
  model: z.string().trim().min(1).max(200),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export class ProviderRegistry {
  private readonly providers = new Map<LlmProviderId, ResolvedProvider>();

  constructor(settings: LlmSettings, file: LlmConfigFile = readLlmConfigFile(settings.configFile)) {
    for (const id of PROVIDER_IDS) {
      const spec = PROVIDERS[id];
      const env = id === 'mock' ? {} : settings.providers[id];
      const fromFile = file.providers[id] ?? {};
      const fixedModels = env.models ?? fromFile.models;
      const baseUrl = (env.baseUrl ?? spec.defaultBaseUrl).replace(/\/+$/, '');
      let missing: string | undefined;
      const prefix = id.toUpperCase();
      if (spec.needsKey && !env.apiKey) missing = `set ${prefix}_API_KEY`;
      else if (!baseUrl && spec.protocol !== 'mock') missing = `set ${prefix}_BASE_URL`;
      this.providers.set(id, {
        spec,
        baseUrl,
        apiKey: env.apiKey,
        models: fixedModels ?? spec.models,
        embeddingModels: fromFile.embedding_models ?? spec.embeddingModels,
        modelsFixed: fixedModels !== undefined,
        embeddingModelsFixed: fromFile.embedding_models !== undefined,
        missing,
        limits: (model) => ({
          rpm: fromFile.limits?.[model]?.rpm ?? fromFile.rpm ?? settings.rpm,
          tpm: fromFile.limits?.[model]?.tpm ?? fromFile.tpm ?? settings.tpm,
        }),
      });
    }
  }

  get(id: LlmProviderId): ResolvedProvider {
    const provider = this.providers.get(id);
    if (!provider) throw new ModelConfigError('provider', `unknown provider ${id}`);
    return provider;
  }

  list(): ProviderInfo[] {
    return [...this.providers.values()].map((p) => ({
      id: p.spec.id,
      label: p.spec.label,
      protocol: p.spec.protocol,
      configured: p.missing === undefined,
      key_present: Boolean(p.apiKey),
      missing: p.missing ?? null,
      // Credentials in a base URL (user:pass@, `?api_key=`) are masked.
      base_url: redactUrl(p.baseUrl),
      models: [...p.models],
      any_model: p.spec.anyModel && !p.modelsFixed,
      embedding_models: [...p.embeddingModels],
      parameters: [...p.spec.parameters],
      supports: {
        streaming: true,
        json: p.spec.parameters.includes('json'),
        embeddings: p.embeddingModels.length > 0 || p.spec.anyModel,
      },
    }));
  }

  /**
   * Checks a model config from a request: known and configured provider, a model it serves,
   * parameters it accepts, in range. Errors name the field and the choices.
   */
  validate(input: unknown, purpose: 'chat' | 'embed' = 'chat'): ModelConfig {
    const base = modelConfigSchema.safeParse(input);
    if (!base.success) {
      const issue = base.error.issues[0];
      const field =
        issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.') || 'model_config';
      throw new ModelConfigError(field, `${field}: ${issue.message}`);
    }
    const { provider: id, model, parameters = {} } = base.data;
    if (!(PROVIDER_IDS as string[]).includes(id)) {
      throw new ModelConfigError(
        'provider',
        `unknown provider ${id}; choose one of ${PROVIDER_IDS.join(', ')}`,
      );
    }
    const provider = this.get(id as LlmProviderId);
    if (provider.missing) {
      throw new ModelConfigError(
        'provider',
        `provider ${id} is not configured: ${provider.missing}`,
      );
    }
    const models = purpose === 'embed' ? provider.embeddingModels : provider.models;
    const fixed = purpose === 'embed' ? provider.embeddingModelsFixed : provider.modelsFixed;
    const open = provider.spec.anyModel && !fixed;
    if (!open && !models.includes(model)) {
      throw new ModelConfigError(
        'model',
        `unknown model ${model} for ${id}; choose one of ${models.join(', ') || '(none configured)'}`,
      );
    }
    return {
      provider: provider.spec.id,
      model,
      parameters: parseParameters(provider.spec, parameters),
    };
  }
}

const schemasBySpec = new WeakMap<ProviderSpec, Record<ParameterName, z.ZodType>>();

/** Parameter schemas of a provider (ranges depend on it), built on first use and kept. */
function parameterSchemas(spec: ProviderSpec): Record<ParameterName, z.ZodType> {
  let schemas = schemasBySpec.get(spec);
  if (!schemas) {
    schemas = buildParameterSchemas(spec);
    schemasBySpec.set(spec, schemas);
  }
  return schemas;
}

function buildParameterSchemas(spec: ProviderSpec): Record<ParameterName, z.ZodType> {
  return {
    temperature: z.number().min(0).max(spec.temperatureMax),
    max_tokens: z.number().int().min(1).max(1_000_000),
    top_p: z.number().gt(0).max(1),
    top_k: z.number().int().min(1).max(1000),
    stop: z.array(z.string().min(1).max(200)).max(8),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    frequency_penalty: z.number().min(-2).max(2),
    presence_penalty: z.number().min(-2).max(2),
    json: z.boolean(),
    responses: z.record(z.string(), z.string()),
    choices: z.array(z.string()).min(1),
    delay_ms: z.number().int().min(0).max(600_000),
  };
}

function parseParameters(spec: ProviderSpec, raw: Record<string, unknown>): ModelParameters {
  const schemas = parameterSchemas(spec);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!spec.parameters.includes(name as ParameterName)) {
      throw new ModelConfigError(
        `parameters.${name}`,
        `parameters.${name} is not accepted by ${spec.id}; accepted: ${spec.parameters.join(', ')}`,
      );
    }
    if (value === null || value === undefined) continue;
    const parsed = schemas[name as ParameterName].safeParse(value);
    if (!parsed.success) {
      throw new ModelConfigError(
        `parameters.${name}`,
        `parameters.${name}: ${parsed.error.issues[0].message}`,
      );
    }
    out[name] = parsed.data;
  }
  return out;
}

/**
 * Every model parameter with the widest bounds any provider accepts, and which providers accept
 * it: what a model config's `parameters` may hold (for documentation; each provider's own
 * schema still decides, naming the parameter when it refuses one).
 */
export function modelParametersSchema(): z.ZodObject {
  const widest = PROVIDER_IDS.map((id) => PROVIDERS[id]).reduce((a, b) =>
    b.temperatureMax > a.temperatureMax ? b : a,
  );
  const schemas = buildParameterSchemas(widest);
  const shape: Record<string, z.ZodType> = {};
  for (const name of Object.keys(schemas) as ParameterName[]) {
    const accepted = PROVIDER_IDS.filter((id) => PROVIDERS[id].parameters.includes(name));
    const lower = accepted.filter((id) => PROVIDERS[id].temperatureMax < widest.temperatureMax);
    const limits =
      name === 'temperature' && lower.length
        ? ` At most ${widest.temperatureMax}; ${lower
            .map((id) => `${PROVIDERS[id].temperatureMax} for ${id}`)
            .join(', ')}.`
        : '';
    shape[name] = schemas[name].optional().describe(`Accepted by ${accepted.join(', ')}.${limits}`);
  }
  return z.strictObject(shape);
}
